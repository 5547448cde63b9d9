package trace

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/agora-vm/agora/ext/lanes"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// DefaultInterval is the number of instructions between checkpoints. At
// the interpreter's speed it is a checkpoint every few hundred
// microseconds: seeking re-executes at most that much, and copying the
// state that often costs a few percent of the run (see agora bench trace).
const DefaultInterval = 1 << 18

// Options configure a recording.
type Options struct {
	// Interval is the number of instructions between checkpoints
	// (DefaultInterval when 0).
	Interval uint64
	// Logs, when set, returns every log line emitted so far (the syscall
	// context's messages); the recorder stores each syscall's new lines.
	// When nil, a run context with a Messages() []string method is used.
	Logs func() []string
	// Features describe how the run was composed; stored as given.
	Features []string
	// Debug is stored for debuggers.
	Debug DebugInfo
}

// Recorder records one run. Prepare the program against the registry
// Registry returns, then call Run.
type Recorder struct {
	opts   Options
	next   uint64 // instruction count of the next checkpoint
	nlogs  int
	logs0  int // log lines that existed before the run
	logFn  func() []string
	cps    []Checkpoint
	names  []string
	top    laneRec
	lanes  []*laneRec
	active map[*vm.Machine]*laneRec // children running now

	// The bytes syscalls wrote, copied into one buffer per run (the
	// trace keeps it), and the previous run's sizes as capacity hints:
	// recording the same program again allocates once, not per event.
	arena      []byte
	hintEvents int
	hintArena  int
}

// laneRec is what the recorder keeps for one lane: the top-level run or
// a child.
type laneRec struct {
	path    []uint64
	start   *vm.State
	budget  uint64
	sysCU   uint64 // compute units charged by syscalls so far
	events  []SyscallEvent
	pending []Write // ranges the current syscall obtained for writing
	outcome Outcome
}

// NewRecorder returns a recorder.
func NewRecorder(opts Options) *Recorder {
	if opts.Interval == 0 {
		opts.Interval = DefaultInterval
	}
	return &Recorder{opts: opts}
}

// Registry returns a registry with the syscalls of reg, each wrapped so
// that its answer is recorded. When reg has the parallel lanes
// (ext/lanes), they are replaced by lanes that run each child to
// completion inside its spawn (results are identical by construction)
// and report children to the recorder, which records each child as a
// Lane.
func (r *Recorder) Registry(reg *vm.Registry) (*vm.Registry, error) {
	var laneFns map[string]vm.SyscallFunc
	if _, ok := reg.Name(sbpf.SyscallHash(lanes.NameSpawn)); ok {
		lr := vm.NewRegistry()
		if err := lanes.RegisterWith(lr, lanes.Options{Serial: true, Observer: (*laneObserver)(r)}); err != nil {
			return nil, fmt.Errorf("trace: %w", err)
		}
		laneFns = map[string]vm.SyscallFunc{}
		for _, s := range lr.Syscalls() {
			laneFns[s.Name] = s.Fn
		}
	}
	out := vm.NewRegistry()
	r.names = r.names[:0]
	for _, s := range reg.Syscalls() {
		if fn, ok := laneFns[s.Name]; ok {
			s.Fn = fn
		}
		if err := out.Register(s.Name, r.wrap(s)); err != nil {
			return nil, err
		}
		r.names = append(r.names, s.Name)
	}
	return out, nil
}

// laneOf returns the lane m runs: a child's, or the top-level run's.
func (r *Recorder) laneOf(m *vm.Machine) *laneRec {
	if l, ok := r.active[m]; ok {
		return l
	}
	return &r.top
}

func (r *Recorder) wrap(s vm.Syscall) vm.SyscallFunc {
	fn, hash := s.Fn, s.Hash
	return func(m *vm.Machine, a1, a2, a3, a4, a5 uint64) (uint64, error) {
		l := &r.top
		if len(r.active) > 0 {
			l = r.laneOf(m)
		}
		before := m.Remaining()
		ev := SyscallEvent{
			Insns: l.budget - before - l.sysCU - 1,
			PC:    m.PC(),
			Hash:  hash,
			Args:  [5]uint64{a1, a2, a3, a4, a5},
		}
		l.pending = l.pending[:0]
		m.ObserveStores(l.observe)
		v, err := fn(m, a1, a2, a3, a4, a5)
		m.ObserveStores(nil)
		ev.R0, ev.CU = v, before-m.Remaining()
		l.sysCU += ev.CU
		if len(l.pending) > 0 {
			ev.Writes = make([]Write, len(l.pending))
			for i, w := range l.pending {
				start := len(r.arena)
				r.arena = append(r.arena, w.Data...)
				ev.Writes[i] = Write{Addr: w.Addr, Data: r.arena[start:len(r.arena):len(r.arena)]}
			}
		}
		if r.logFn != nil && l == &r.top {
			all := r.logFn()
			if len(all) > r.nlogs {
				ev.Logs = slices.Clone(all[r.nlogs:])
				r.nlogs = len(all)
			}
		}
		if err != nil {
			ev.Err = &ErrInfo{Kind: vm.ErrorKindOf(err), Message: err.Error(), PC: -1}
		}
		l.events = append(l.events, ev)
		return v, err
	}
}

func (l *laneRec) observe(addr uint64, b []byte) {
	l.pending = append(l.pending, Write{Addr: addr, Data: b})
}

// laneObserver is the recorder seen by ext/lanes.
type laneObserver Recorder

// LaneStart implements lanes.Observer.
func (o *laneObserver) LaneStart(child *vm.Machine, path []uint64, st *vm.State) {
	r := (*Recorder)(o)
	start := *st
	start.Frames = slices.Clone(st.Frames)
	start.Stack, start.Heap, start.Input = bytes.Clone(st.Stack), bytes.Clone(trimZeros(st.Heap)), bytes.Clone(st.Input)
	l := &laneRec{path: slices.Clone(path), start: &start, budget: st.Remaining}
	r.lanes = append(r.lanes, l)
	if r.active == nil {
		r.active = map[*vm.Machine]*laneRec{}
	}
	r.active[child] = l
}

// LaneEnd implements lanes.Observer.
func (o *laneObserver) LaneEnd(child *vm.Machine, path []uint64, res vm.Result) {
	r := (*Recorder)(o)
	l := r.active[child]
	if l == nil {
		return
	}
	delete(r.active, child)
	l.outcome = Outcome{R0: res.R0, CU: res.CU, Insns: res.CU - l.sysCU, Final: child.Snapshot(), Err: errInfo(res.Err)}
}

// Step takes a checkpoint when the interval has passed; Run installs the
// recorder as the run's hook with a stride of the interval.
func (r *Recorder) Step(m *vm.Machine, pc int) {
	insns := r.top.budget - m.Remaining() - 1 - r.top.sysCU
	if insns < r.next {
		return
	}
	r.cps = append(r.cps, Checkpoint{Insns: insns, Events: len(r.top.events), State: m.Snapshot()})
	r.next = insns + r.opts.Interval
}

// Run runs exe (prepared against r.Registry) on m and returns its result
// and the trace. opts.Hook must be nil: the recorder is the hook.
func (r *Recorder) Run(m *vm.Machine, exe vm.Runnable, opts vm.RunOptions) (vm.Result, *Trace) {
	r.top = laneRec{budget: opts.Budget, pending: r.top.pending[:0], events: make([]SyscallEvent, 0, r.hintEvents)}
	r.arena = make([]byte, 0, r.hintArena)
	r.next, r.nlogs, r.logs0 = 0, 0, 0
	r.lanes, r.active = nil, nil
	r.logFn = r.opts.Logs
	if ms, ok := opts.Context.(interface{ Messages() []string }); ok && r.logFn == nil {
		r.logFn = ms.Messages
	}
	if r.logFn != nil {
		// Lines logged before the run (a runtime's "invoke") are not the
		// program's.
		r.nlogs = len(r.logFn())
		r.logs0 = r.nlogs
	}
	r.cps = nil
	t := &Trace{
		Program:  exe.Program(),
		Config:   exe.Config(),
		Budget:   opts.Budget,
		Syscalls: slices.Clone(r.names),
		Features: r.opts.Features,
		Interval: r.opts.Interval,
		Debug:    r.opts.Debug,
	}
	opts.Hook, opts.HookStride = r, r.opts.Interval
	res := exe.Run(m, opts)
	t.Events, t.Checkpoints = r.top.events, r.cps
	r.hintEvents, r.hintArena = min(len(t.Events), 1<<12), min(len(r.arena), 1<<20)
	r.arena = nil
	if len(t.Checkpoints) == 0 {
		// A run that faulted before its first instruction (an entry
		// outside the text) still gets the initial state; its input is
		// untouched.
		st := &vm.State{Input: bytes.Clone(opts.Input), Remaining: opts.Budget, PC: exe.Program().Entry}
		t.Checkpoints = []Checkpoint{{State: st}}
	}
	// The first checkpoint, at instruction 0, holds the input before the
	// run: the trace shares it rather than copying the region twice.
	t.Input = t.Checkpoints[0].State.Input
	t.Outcome = Outcome{
		R0:    res.R0,
		CU:    res.CU,
		Insns: res.CU - r.top.sysCU,
		Final: m.Snapshot(),
	}
	if r.logFn != nil {
		t.Outcome.Logs = slices.Clone(r.logFn()[r.logs0:])
	}
	t.Outcome.Err = errInfo(res.Err)
	for _, l := range r.lanes {
		t.Lanes = append(t.Lanes, Lane{Path: l.path, Start: l.start, Budget: l.budget, Events: l.events, Outcome: l.outcome})
	}
	r.lanes, r.active = nil, nil
	return res, t
}

// errInfo describes a run's error as the CLI reports it.
func errInfo(err error) *ErrInfo {
	if err == nil {
		return nil
	}
	ei := &ErrInfo{Kind: vm.ErrorKindOf(err), Message: err.Error(), PC: -1}
	if ve, ok := err.(*vm.Error); ok {
		ei.PC = ve.PC
	}
	return ei
}

func trimZeros(b []byte) []byte {
	i := len(b)
	for i > 0 && b[i-1] == 0 {
		i--
	}
	return b[:i]
}

// StackAddr is the guest address of byte off of the stack region's host
// memory (V0's gapped stack maps every other frame).
func StackAddr(v sbpf.Version, c vm.Config, off int) uint64 {
	fs := uint64(max(c.StackFrameSize, 1))
	if v.StackFrameGaps() && !c.NoStackGaps {
		return sbpf.StackStart + uint64(off)/fs*2*fs + uint64(off)%fs
	}
	return sbpf.StackStart + uint64(off)
}
