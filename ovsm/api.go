package ovsm

import (
	"context"
	"fmt"
	"runtime/debug"
	"sort"

	"github.com/agora-vm/agora/ovsm/parse"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/vm"
)

// Options control compilation. The zero value compiles for sBPF V0 with
// Agave's default 32 KiB heap.
type Options struct {
	// Version is the sBPF version to emit: V0 (the default, a shared
	// object with relocations), V3 or V4 (strict ELF, static syscalls).
	Version sbpf.Version
	// HeapSize is the heap the program may use, in bytes (default
	// 32 KiB, at most 256 KiB). A program compiled for a larger heap must
	// be run with at least that heap (Solana's RequestHeapFrame).
	HeapSize int
	// NoOptimize turns off constant folding, dead-code elimination and
	// range-based check elimination (for testing the optimiser).
	NoOptimize bool
	// Extensions adds entries to the syscall table (or replaces entries
	// of the same name): the way to make a new extension syscall callable
	// from OVSM without changing the compiler.
	Extensions []Extension
}

// Output is a compiled program.
type Output struct {
	// ELF is the shared object, ready for elf.Load or a file.
	ELF []byte
	// Program is ELF loaded, ready for a vm.Engine's Prepare.
	Program *vm.Program
	// Debug maps every instruction to its OVSM source line.
	Debug *DebugInfo
	// Syscalls lists the syscalls the program calls, sorted.
	Syscalls []string
	// Warnings are diagnostics that did not stop compilation.
	Warnings []Diagnostic
	// HeapSize is the heap the program was compiled for.
	HeapSize int
}

// Compile compiles OVSM source to an sBPF program. filename is used in
// diagnostics, debug information and error messages the program prints.
// A source error is returned as Diagnostics.
func Compile(src []byte, filename string, opts Options) (*Output, error) {
	return CompileContext(context.Background(), src, filename, opts)
}

// CompileContext is Compile with a context that can cancel it.
func CompileContext(ctx context.Context, src []byte, filename string, opts Options) (out *Output, err error) {
	defer func() {
		// The compiler is written not to panic; should a bug make it, the
		// caller gets an internal-error diagnostic instead of a crash.
		if r := recover(); r != nil {
			out = nil
			err = Diagnostics{{Kind: InternalError, File: filename, Line: 1, Col: 1,
				Message: fmt.Sprintf("internal compiler error: %v\n%s", r, debug.Stack())}}
		}
	}()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	c := newCompiler(ctx, src, filename, opts)
	return c.compile()
}

// Check parses and type-checks src without producing code, and returns
// every diagnostic (errors and warnings). An empty result means the
// program compiles.
func Check(src []byte, filename string, opts Options) []Diagnostic {
	out, err := Compile(src, filename, opts)
	if err != nil {
		if ds, ok := AsDiagnostics(err); ok {
			return ds
		}
		return []Diagnostic{{Kind: InternalError, File: filename, Message: err.Error()}}
	}
	return out.Warnings
}

func (o *Options) validate() error {
	switch o.Version {
	case sbpf.V0, sbpf.V3, sbpf.V4:
	default:
		return fmt.Errorf("ovsm: cannot emit sBPF %s (supported: v0, v3, v4)", o.Version)
	}
	if o.HeapSize == 0 {
		o.HeapSize = sbpf.DefaultHeapSize
	}
	if o.HeapSize < 1024 || o.HeapSize > sbpf.MaxHeapSize || o.HeapSize%1024 != 0 {
		return fmt.Errorf("ovsm: heap size %d is not a multiple of 1024 between 1 KiB and %d", o.HeapSize, sbpf.MaxHeapSize)
	}
	for _, e := range o.Extensions {
		if err := e.validate(); err != nil {
			return err
		}
	}
	return nil
}

// Parse exposes the syntax tree of src (for editors and tools).
func Parse(src []byte, filename string) ([]*parse.Node, error) {
	forms, err := parse.Parse(src, filename)
	if err != nil {
		if pe, ok := err.(*parse.Error); ok {
			return forms, Diagnostics{newDiag(SyntaxError, filename, src, pe.Pos, parse.Pos{}, pe.Msg)}
		}
		return forms, err
	}
	return forms, nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Disassemble renders the compiled program as sBPF assembly, with its
// function names and syscall names.
func (o *Output) Disassemble() (string, error) {
	names := map[int]string{}
	if o.Debug != nil {
		for _, f := range o.Debug.Functions {
			names[f.PC] = asmLabel(f.Name)
		}
	}
	sys := map[uint32]string{}
	for _, s := range o.Syscalls {
		sys[sbpf.SyscallHash(s)] = s
	}
	return asm.Disassemble(o.Program.Text, o.Program.Version, &asm.DisasmOptions{
		Functions:   o.Program.Functions,
		Names:       names,
		SyscallName: func(h uint32) (string, bool) { n, ok := sys[h]; return n, ok },
	})
}

// asmLabel makes a function name usable as an assembler label.
func asmLabel(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	if len(b) == 0 || b[0] >= '0' && b[0] <= '9' {
		b = append([]byte("f_"), b...)
	}
	return "fn_" + string(b)
}
