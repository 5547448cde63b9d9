package jit

import (
	"sync"
	"sync/atomic"

	"github.com/agora-vm/agora/vm"
)

// Quarantine is the engine of the block-level verified tier: programs
// run as machine code, except programs whose id has been quarantined and
// every run made while the reference mode is on, which run on the
// interpreter. The caller (a bank re-executing a block from its
// pre-state) decides what to compare and what to quarantine; a program's
// id is what the run's Context reports through ProgramID.
//
// Quarantine never reverts: once quarantined, an id stays on the
// interpreter for the engine's lifetime.
type Quarantine struct {
	// Compiler compiles programs.
	Compiler Engine

	reference atomic.Bool
	mu        sync.RWMutex
	ids       map[[32]byte]bool
}

// Prepare compiles p; see Engine.Prepare.
func (q *Quarantine) Prepare(p *vm.Program, reg *vm.Registry, cfg vm.Config) (vm.Runnable, error) {
	r, err := q.Compiler.PrepareJIT(p, reg, cfg)
	if err != nil {
		return nil, err
	}
	return &quarantineRunnable{Runnable: r, q: q}, nil
}

// SetReference turns the reference mode on or off: while on, every run
// uses the interpreter. Runs in flight when it changes finish on the
// engine they started on.
func (q *Quarantine) SetReference(on bool) { q.reference.Store(on) }

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
	if r.code == nil || opts.Hook != nil || r.q.reference.Load() {
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
