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

	// The bytes syscalls wrote, copied into one buffer per run, and their
	// Write records in another (the trace keeps both), with the previous
	// run's sizes as capacity hints: recording the same program again
	// allocates once per run, not per event.
	arena      []byte
	writes     []Write
	hintEvents int
	hintArena  int
	hintWrites int

	// initial is the input region before the run: the caller's (RunShared)
	// or a copy (Run).
	initial []byte
	shared  bool
	logSrc  interface{ Messages() []string }
	// block holds the running trace; last, the last run's (which Release
	// may hand back); spare, a released one the next run reuses.
	block, last, spare *traceBlock
}

// traceBlock is a trace with room for its first checkpoint and its final
// state, so that recording a short run allocates once, and the storage
// of its slices, which a released trace lends to the next run.
type traceBlock struct {
	t     Trace
	cp    [1]Checkpoint
	start vm.State
	final vm.State

	events         []SyscallEvent
	arena          []byte
	writes         []Write
	initial, input []byte // Run's copies of the input region
	stack, heap    []byte // the final state's
}

// laneRec is what the recorder keeps for one lane: the top-level run or
// a child.
type laneRec struct {
	path    []uint64
	start   *vm.State
	budget  uint64
	sysCU   uint64 // compute units charged by syscalls so far
	events  []SyscallEvent
	pending []Write                     // ranges the current syscall obtained for writing
	obs     func(addr uint64, b []byte) // observe, bound once per lane
	outcome Outcome
}

// observer returns l.observe as a func value, made once per lane rather
// than once per syscall.
func (l *laneRec) observer() func(addr uint64, b []byte) {
	if l.obs == nil {
		l.obs = l.observe
	}
	return l.obs
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
	// A fresh list: the traces of earlier runs share the previous one.
	r.names = nil
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
		m.ObserveStores(l.observer())
		v, err := fn(m, a1, a2, a3, a4, a5)
		m.ObserveStores(nil)
		ev.R0, ev.CU = v, before-m.Remaining()
		l.sysCU += ev.CU
		if len(l.pending) > 0 {
			first := len(r.writes)
			for _, w := range l.pending {
				start := len(r.arena)
				r.arena = append(r.arena, w.Data...)
				r.writes = append(r.writes, Write{Addr: w.Addr, Data: r.arena[start:len(r.arena):len(r.arena)]})
			}
			ev.Writes = r.writes[first:len(r.writes):len(r.writes)]
		}
		if all, ok := r.messages(); ok && l == &r.top {
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
	var st *vm.State
	if len(r.cps) == 0 && insns == 0 && m.CallDepth() == 0 {
		// The first stop is before the first instruction: the stack and
		// heap are empty and the input is the initial one, which the
		// recorder holds already.
		st = &r.block.start
		m.View(st)
		st.Stack, st.Heap, st.Input = nil, nil, r.initial
	} else {
		st = m.Snapshot()
	}
	r.cps = append(r.cps, Checkpoint{Insns: insns, Events: len(r.top.events), State: st})
	r.next = insns + r.opts.Interval
}

// Run runs exe (prepared against r.Registry) on m and returns its result
// and the trace, which holds copies of the input region before and after
// the run. opts.Hook must be nil: the recorder is the hook.
func (r *Recorder) Run(m *vm.Machine, exe vm.Runnable, opts vm.RunOptions) (vm.Result, *Trace) {
	return r.run(m, exe, opts, nil, false)
}

// RunShared is Run without copying the input region, for a caller that
// keeps the region's initial contents anyway (a runtime serializes
// accounts into a template, a benchmark fills each run's buffer from
// one): initial holds opts.Input's contents before the run, and the trace
// refers to it as the initial input and to opts.Input itself, which the
// run changes in place, as the final one. The caller hands both over:
// neither may change while the trace is in use (until it is encoded, for
// a trace that is written). When initial's length is not opts.Input's,
// RunShared copies as Run does.
func (r *Recorder) RunShared(m *vm.Machine, exe vm.Runnable, opts vm.RunOptions, initial []byte) (vm.Result, *Trace) {
	if len(initial) != len(opts.Input) {
		return r.Run(m, exe, opts)
	}
	return r.run(m, exe, opts, initial, true)
}

// Release hands back the trace of the recorder's last run once the caller
// is done with it (it was encoded, or is not needed): the next run reuses
// its memory, so that recording one run after another does not allocate.
// The trace must not be used after. Any other trace is left alone.
func (r *Recorder) Release(t *Trace) {
	if r.last != nil && t == &r.last.t {
		r.spare, r.last = r.last, nil
	}
}

func (r *Recorder) run(m *vm.Machine, exe vm.Runnable, opts vm.RunOptions, initial []byte, shared bool) (vm.Result, *Trace) {
	b := r.spare
	r.spare, r.last = nil, nil
	if b == nil {
		b = &traceBlock{
			events: make([]SyscallEvent, 0, r.hintEvents),
			arena:  make([]byte, 0, r.hintArena),
			writes: make([]Write, 0, r.hintWrites),
		}
	} else {
		// The released trace's storage is reused. Its Trace is
		// rewritten below, its first checkpoint and final state where
		// they are taken.
		b.events, b.arena, b.writes = b.events[:0], b.arena[:0], b.writes[:0]
	}
	if !shared {
		b.initial = append(b.initial[:0], opts.Input...)
		initial = b.initial
	}
	r.block, r.initial, r.shared = b, initial, shared
	r.top = laneRec{budget: opts.Budget, pending: r.top.pending[:0], obs: r.top.obs, events: b.events}
	r.arena, r.writes = b.arena, b.writes
	r.next, r.nlogs, r.logs0 = 0, 0, 0
	r.lanes, r.active = nil, nil
	r.logFn, r.logSrc = r.opts.Logs, nil
	if ms, ok := opts.Context.(interface{ Messages() []string }); ok && r.logFn == nil {
		r.logSrc = ms
	}
	if logs, ok := r.messages(); ok {
		// Lines logged before the run (a runtime's "invoke") are not the
		// program's.
		r.nlogs = len(logs)
		r.logs0 = r.nlogs
	}
	r.cps = b.cp[:0:1]
	t := &b.t
	*t = Trace{
		Program:  exe.Program(),
		Config:   exe.Config(),
		Budget:   opts.Budget,
		Syscalls: r.names,
		Features: r.opts.Features,
		Interval: r.opts.Interval,
		Debug:    r.opts.Debug,
	}
	opts.Hook, opts.HookStride = r, r.opts.Interval
	res := exe.Run(m, opts)
	t.Events, t.Checkpoints = r.top.events, r.cps
	b.events, b.arena, b.writes = r.top.events, r.arena, r.writes
	r.hintEvents, r.hintArena, r.hintWrites = min(len(t.Events), 1<<12), min(len(r.arena), 1<<20), min(len(r.writes), 1<<12)
	r.arena, r.writes = nil, nil
	if len(t.Checkpoints) == 0 {
		// A run that faulted before its first instruction (an entry
		// outside the text) still gets the initial state; its input is
		// untouched.
		b.start = vm.State{Input: initial, Remaining: opts.Budget, PC: exe.Program().Entry}
		t.Checkpoints = append(t.Checkpoints, Checkpoint{State: &b.start})
	}
	t.Input = t.Checkpoints[0].State.Input
	t.inputWritten, t.inputKnown = m.InputWritten(), true
	final := &b.final
	m.View(final)
	// The stack and heap are the machine's, which its next run clears:
	// copied. RunShared's input is the caller's buffer.
	b.stack, b.heap = append(b.stack[:0], final.Stack...), append(b.heap[:0], final.Heap...)
	final.Stack, final.Heap = b.stack, b.heap
	if !shared {
		b.input = append(b.input[:0], final.Input...)
		final.Input = b.input
	}
	r.initial, r.block, r.last = nil, nil, b
	t.Outcome = Outcome{
		R0:    res.R0,
		CU:    res.CU,
		Insns: res.CU - r.top.sysCU,
		Final: final,
	}
	if logs, ok := r.messages(); ok && len(logs) > r.logs0 {
		t.Outcome.Logs = slices.Clone(logs[r.logs0:])
	}
	r.logSrc = nil
	t.Outcome.Err = errInfo(res.Err)
	for _, l := range r.lanes {
		t.Lanes = append(t.Lanes, Lane{Path: l.path, Start: l.start, Budget: l.budget, Events: l.events, Outcome: l.outcome})
	}
	r.lanes, r.active = nil, nil
	return res, t
}

// messages returns every log line emitted so far, and whether the run
// has a source of them.
func (r *Recorder) messages() ([]string, bool) {
	switch {
	case r.logFn != nil:
		return r.logFn(), true
	case r.logSrc != nil:
		return r.logSrc.Messages(), true
	}
	return nil, false
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
