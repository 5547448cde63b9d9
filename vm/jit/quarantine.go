package jit

import (
	"sync"

	"github.com/agora-vm/agora/vm"
)

// Quarantine is the engine of the block-level verified tier: programs
// run as machine code, except programs whose id has been quarantined and
// reference runs (vm.RunOptions.Reference), which run on the
// interpreter. The caller (a bank checking a transaction against its
// reference execution) decides what to compare and what to quarantine;
// a program's id is what the run's Context reports through ProgramID.
//
// Quarantine never reverts: once quarantined, an id stays on the
// interpreter for the engine's lifetime.
type Quarantine struct {
	// Compiler compiles programs.
	Compiler Engine

	mu  sync.RWMutex
	ids map[[32]byte]bool
}

// Prepare compiles p; see Engine.Prepare.
func (q *Quarantine) Prepare(p *vm.Program, reg *vm.Registry, cfg vm.Config) (vm.Runnable, error) {
	r, err := q.Compiler.PrepareJIT(p, reg, cfg)
	if err != nil {
		return nil, err
	}
	return &quarantineRunnable{Runnable: r, q: q}, nil
}

// Quarantine sends the programs with these ids to the interpreter for
// good. Ids that name no program are harmless.
func (q *Quarantine) Quarantine(ids ...[32]byte) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.ids == nil {
		q.ids = map[[32]byte]bool{}
	}
	for _, id := range ids {
		q.ids[id] = true
	}
}

// Quarantined reports whether id runs on the interpreter for good.
func (q *Quarantine) Quarantined(id [32]byte) bool {
	q.mu.RLock()
	defer q.mu.RUnlock()
	return q.ids[id]
}

type quarantineRunnable struct {
	*Runnable
	q *Quarantine
}

// programIDer is what a runtime's syscall context tells of the program
// running.
type programIDer interface{ ProgramID() [32]byte }

func (r *quarantineRunnable) Run(m *vm.Machine, opts vm.RunOptions) vm.Result {
	if r.code == nil || opts.Hook != nil || opts.Reference {
		return r.exe.Run(m, opts)
	}
	// A run whose program cannot be named cannot be quarantined: it runs
	// on the interpreter.
	p, ok := opts.Context.(programIDer)
	if !ok || r.q.Quarantined(p.ProgramID()) {
		return r.exe.Run(m, opts)
	}
	return r.Runnable.Run(m, opts)
}

// MiscompileInjected reports whether this build carries the deliberate
// miscompile of the jitmiscompile build tag, for tests of the verified
// tier outside this package.
const MiscompileInjected = injectMiscompile
