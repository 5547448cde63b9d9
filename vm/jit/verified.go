package jit

import (
	"bytes"
	"sync/atomic"

	"github.com/agora-vm/agora/vm"
)

// Verified is the dual-mode engine: programs run as machine code, and a
// sample of runs is executed again on the interpreter from the same
// pre-state. A divergence quarantines the program to the interpreter,
// makes the interpreter's result the run's result, and is reported with
// both results.
//
// The re-execution happens right after the machine-code run, in the
// caller's goroutine, so the run's answer is always the checked one.
type Verified struct {
	// Compiler compiles programs.
	Compiler Engine
	// SampleEvery re-executes one run in SampleEvery (the first run of
	// each program included); 0 means 100, 1 checks every run.
	SampleEvery int
	// CloneContext returns an independent copy of a run's Context for the
	// re-execution. When nil, runs with a non-nil Context are not sampled
	// (their syscalls could act twice on shared state).
	CloneContext func(any) any
	// OnDivergence is told of every divergence; nil ignores them.
	OnDivergence func(Divergence)
}

// Divergence is a sampled run whose two executions disagreed.
type Divergence struct {
	Program *vm.Program
	JIT     vm.Result // the machine code's result
	Interp  vm.Result // the interpreter's result, which the run returned
	// MemoryDiffers reports that the input region differed afterwards.
	MemoryDiffers bool
}

// Prepare compiles p; see Engine.Prepare.
func (v *Verified) Prepare(p *vm.Program, reg *vm.Registry, cfg vm.Config) (vm.Runnable, error) {
	r, err := v.Compiler.PrepareJIT(p, reg, cfg)
	if err != nil {
		return nil, err
	}
	return &verifiedRunnable{Runnable: r, v: v}, nil
}

type verifiedRunnable struct {
	*Runnable
	v           *Verified
	runs        atomic.Uint64
	quarantined atomic.Bool
}

// Quarantined reports whether r was sent to the interpreter for good.
func (r *verifiedRunnable) Quarantined() bool { return r.quarantined.Load() }

func (r *verifiedRunnable) Run(m *vm.Machine, opts vm.RunOptions) vm.Result {
	if r.quarantined.Load() || r.code == nil || opts.Hook != nil || opts.Reference {
		return r.exe.Run(m, opts)
	}
	every := uint64(r.v.SampleEvery)
	if every == 0 {
		every = 100
	}
	n := r.runs.Add(1) - 1
	if n%every != 0 || (opts.Context != nil && r.v.CloneContext == nil) {
		return r.Runnable.Run(m, opts)
	}
	pre := bytes.Clone(opts.Input)
	ref := vm.RunOptions{Input: pre, Budget: opts.Budget}
	if opts.Context != nil {
		ref.Context = r.v.CloneContext(opts.Context)
	}
	got := r.Runnable.Run(m, opts)
	want := r.exe.Run(nil, ref)
	memDiff := !bytes.Equal(pre, opts.Input)
	if !memDiff && sameResult(got, want) {
		return got
	}
	r.quarantined.Store(true)
	if r.v.OnDivergence != nil {
		r.v.OnDivergence(Divergence{Program: r.exe.Program(), JIT: got, Interp: want, MemoryDiffers: memDiff})
	}
	copy(opts.Input, pre)
	return want
}

func sameResult(a, b vm.Result) bool {
	if a.R0 != b.R0 || a.CU != b.CU || (a.Err == nil) != (b.Err == nil) {
		return false
	}
	return a.Err == nil || a.Err.Error() == b.Err.Error()
}
