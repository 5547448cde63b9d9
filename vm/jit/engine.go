package jit

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/agora-vm/agora/vm"
)

// ErrUnsupported is the reason a program runs on the interpreter when the
// host cannot run generated code.
var ErrUnsupported = errors.New("jit: generated code runs only on linux/amd64")

// MaxInstructions bounds the programs the compiler accepts; larger ones
// run on the interpreter.
const MaxInstructions = 1 << 20

// Engine compiles programs to machine code. The zero value is ready to use.
type Engine struct {
	// Logger receives the reason when a program falls back to the
	// interpreter; nil means slog.Default().
	Logger *slog.Logger

	opts compileOptions // tests: code generation choices
}

// compileOptions are code generation choices tests can force.
type compileOptions struct {
	noBMI2 bool // do not use BMI2 instructions even where the host has them
}

// Runnable is a program prepared by the Engine: compiled machine code, or
// the interpreter when the program could not be compiled.
type Runnable struct {
	exe      *vm.Executable
	code     *compiled // nil: the interpreter runs every run
	fallback error
}

var _ vm.Runnable = (*Runnable)(nil)

// Prepare predecodes p as the interpreter does and compiles the decoding.
// A program the compiler refuses still prepares: it runs on the
// interpreter, and the reason is logged and reported by Fallback.
func (e Engine) Prepare(p *vm.Program, reg *vm.Registry, cfg vm.Config) (vm.Runnable, error) {
	r, err := e.PrepareJIT(p, reg, cfg)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// PrepareJIT is Prepare returning the concrete type.
func (e Engine) PrepareJIT(p *vm.Program, reg *vm.Registry, cfg vm.Config) (*Runnable, error) {
	rn, err := vm.Interpreter{}.Prepare(p, reg, cfg)
	if err != nil {
		return nil, err
	}
	exe := rn.(*vm.Executable)
	r := &Runnable{exe: exe}
	if exe.Code() > MaxInstructions {
		r.fallback = fmt.Errorf("jit: program of %d instructions exceeds the compiler's limit of %d", exe.Code(), MaxInstructions)
	} else {
		r.code, r.fallback = compile(exe, e.opts)
	}
	if r.fallback != nil {
		r.code = nil
		e.logFallback(r.fallback)
	}
	return r, nil
}

func (e Engine) logFallback(err error) {
	log := e.Logger
	if log == nil {
		log = slog.Default()
	}
	log.Info("jit: program runs on the interpreter", "reason", err.Error())
}

// Fallback returns why the program runs on the interpreter, or nil when
// it runs as machine code.
func (r *Runnable) Fallback() error { return r.fallback }

// Compiled reports whether runs execute machine code.
func (r *Runnable) Compiled() bool { return r.code != nil }

// CodeSize returns the bytes of machine code, or 0.
func (r *Runnable) CodeSize() int {
	if r.code == nil {
		return 0
	}
	return r.code.size
}

// Program returns the program.
func (r *Runnable) Program() *vm.Program { return r.exe.Program() }

// Config returns the limits the program runs under.
func (r *Runnable) Config() vm.Config { return r.exe.Config() }

// Registry returns the syscalls the program was resolved against.
func (r *Runnable) Registry() *vm.Registry { return r.exe.Registry() }

// Run executes the program on m. A run with a hook, or of a program that
// was not compiled, is the interpreter's.
func (r *Runnable) Run(m *vm.Machine, opts vm.RunOptions) vm.Result {
	if r.code == nil || opts.Hook != nil || opts.Reference {
		return r.exe.Run(m, opts)
	}
	if m == nil {
		m = vm.NewMachine()
	}
	return r.code.run(r.exe, m, opts)
}
