package trace

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// Divergence is the first point where a replay differs from the
// recording.
type Divergence struct {
	Insns    uint64 // instructions executed before the point
	PC       int
	What     string // "r3", "pc", "compute units", "syscall", "memory 0x400000010", "logs", ...
	Expected string
	Actual   string
}

func (d *Divergence) Error() string {
	return fmt.Sprintf("replay diverged at instruction %d (pc %d): %s: expected %s, got %s", d.Insns, d.PC, d.What, d.Expected, d.Actual)
}

// Replayer re-executes a trace. The syscalls are replaced by the recorded
// answers, so a replay needs nothing outside the trace. It can run from
// the start, from any checkpoint or from any state a hook captured.
type Replayer struct {
	t *Trace
	// exe is the interpreter's: replay resumes from checkpoints, which
	// only the interpreting engine can.
	exe *vm.Executable
	m   *vm.Machine
	// input is the replays' input region. It equals inputBase (the
	// input of the state the last replay started from) outside the
	// prefix that replay wrote (the machine's InputWritten), so the next
	// replay from the same state restores only that prefix.
	input     []byte
	inputBase []byte
	// finalExtent bounds the recorded final input's difference from the
	// initial one: past it the two are equal.
	finalExtent int
	final       vm.State // the last full replay's final state (a view)
	check       checker
	sysCU       []uint64 // sysCU[i]: compute units charged by events before i
	cursor      int      // the next event
	logs        []string
	div         *Divergence
	lanes       []*Replayer // replayers of t.Lanes, made on first use
}

// NewReplayer prepares t's program against the recorded answers.
func NewReplayer(t *Trace) (*Replayer, error) {
	r := &Replayer{t: t, m: vm.NewMachine(), input: make([]byte, len(t.Input))}
	reg := vm.NewRegistry()
	for _, name := range t.Syscalls {
		if err := reg.Register(name, r.syscall); err != nil {
			return nil, fmt.Errorf("trace: %w", err)
		}
	}
	exe, err := vm.Interpreter{}.Prepare(t.Program, reg, t.Config)
	if err != nil {
		return nil, fmt.Errorf("trace: preparing the recorded program: %w", err)
	}
	r.exe = exe.(*vm.Executable)
	if f := t.Outcome.Final; f != nil && len(t.Checkpoints) > 0 {
		r.finalExtent = diffExtent(f.Input, t.Checkpoints[0].State.Input)
	}
	r.sysCU = make([]uint64, len(t.Events)+1)
	for i, ev := range t.Events {
		r.sysCU[i+1] = r.sysCU[i] + ev.CU
	}
	return r, nil
}

// Trace returns the trace being replayed.
func (r *Replayer) Trace() *Trace { return r.t }

// Executable returns the prepared program.
func (r *Replayer) Executable() *vm.Executable { return r.exe }

// Machine returns the machine replays run on.
func (r *Replayer) Machine() *vm.Machine { return r.m }

// Insns is the number of instructions executed before the one the
// machine is about to run; valid inside a hook's Step.
func (r *Replayer) Insns(m *vm.Machine) uint64 {
	return r.t.Budget - m.Remaining() - 1 - r.sysCU[r.cursor]
}

// StateInsns is the instruction count of a state captured by Snapshot
// inside a hook of this replayer (or of a checkpoint).
func (r *Replayer) StateInsns(st *vm.State) uint64 {
	return r.t.Budget - st.Remaining - r.sysCU[r.cursor]
}

// Logs returns the log lines replayed so far.
func (r *Replayer) Logs() []string { return r.logs }

// EventsBefore is the number of syscalls that ran before instruction
// insns.
func (r *Replayer) EventsBefore(insns uint64) int {
	return sort.Search(len(r.t.Events), func(i int) bool { return r.t.Events[i].Insns >= insns })
}

// Resume runs from st, the state before instruction insns, with hook
// observing every stride-th instruction (stride 0 or 1: every one).
func (r *Replayer) Resume(st *vm.State, insns uint64, hook vm.Hook, stride uint64) vm.Result {
	r.cursor = r.EventsBefore(insns)
	r.logs = r.logs[:0]
	for _, ev := range r.t.Events[:r.cursor] {
		r.logs = append(r.logs, ev.Logs...)
	}
	r.div = nil
	if len(st.Input) == len(r.input) {
		if sameSlice(r.inputBase, st.Input) {
			n := r.m.InputWritten()
			copy(r.input[:n], st.Input[:n])
		} else {
			copy(r.input, st.Input)
		}
		r.inputBase = st.Input
		// The input is in place: the machine resumes on it as it is.
		s := *st
		s.Input = r.input
		st = &s
	} else {
		r.inputBase = nil
	}
	return r.m.Resume(r.exe, vm.RunOptions{Input: r.input, Budget: r.t.Budget, Hook: hook, HookStride: stride}, st)
}

// sameSlice reports whether a and b are the same bytes of memory.
func sameSlice(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// diffExtent returns the length of the shortest prefix outside which a and
// b (of one length) are equal.
func diffExtent(a, b []byte) int {
	if len(a) != len(b) {
		return max(len(a), len(b))
	}
	n := len(a)
	const chunk = 4096
	for n > 0 {
		lo := max(n-chunk, 0)
		if !bytes.Equal(a[lo:n], b[lo:n]) {
			for a[n-1] == b[n-1] {
				n--
			}
			return n
		}
		n = lo
	}
	return 0
}

// Divergence returns the divergence the last run's syscalls found, if
// any.
func (r *Replayer) Divergence() *Divergence { return r.div }

// syscall answers a syscall from the trace.
func (r *Replayer) syscall(m *vm.Machine, a1, a2, a3, a4, a5 uint64) (uint64, error) {
	pc := m.PC()
	insns := r.t.Budget - m.Remaining() - r.sysCU[r.cursor] - 1
	if r.cursor >= len(r.t.Events) {
		return 0, r.diverge(&Divergence{Insns: insns, PC: pc, What: "syscall", Expected: "no more syscalls", Actual: r.callName(pc)})
	}
	ev := &r.t.Events[r.cursor]
	switch {
	case ev.Insns != insns || ev.PC != pc:
		return 0, r.diverge(&Divergence{Insns: insns, PC: pc, What: "syscall position",
			Expected: fmt.Sprintf("%s at instruction %d (pc %d)", r.nameOf(ev.Hash), ev.Insns, ev.PC),
			Actual:   fmt.Sprintf("%s at instruction %d (pc %d)", r.callName(pc), insns, pc)})
	case [5]uint64{a1, a2, a3, a4, a5} != ev.Args:
		got := [5]uint64{a1, a2, a3, a4, a5}
		for i := range got {
			if got[i] != ev.Args[i] {
				return 0, r.diverge(&Divergence{Insns: insns, PC: pc, What: fmt.Sprintf("r%d at %s", i+1, r.nameOf(ev.Hash)),
					Expected: hex64(ev.Args[i]), Actual: hex64(got[i])})
			}
		}
	}
	r.cursor++
	if err := m.Consume(ev.CU); err != nil {
		return 0, err
	}
	for _, w := range ev.Writes {
		b, err := m.Translate(vm.Store, w.Addr, uint64(len(w.Data)))
		if err != nil {
			return 0, r.diverge(&Divergence{Insns: insns, PC: pc, What: "syscall write", Expected: fmt.Sprintf("%d bytes writable at %#x", len(w.Data), w.Addr), Actual: err.Error()})
		}
		copy(b, w.Data)
	}
	r.logs = append(r.logs, ev.Logs...)
	if ev.Err != nil {
		return ev.R0, recordedError(ev.Err)
	}
	return ev.R0, nil
}

func (r *Replayer) diverge(d *Divergence) error {
	if r.div == nil {
		r.div = d
	}
	return d
}

func (r *Replayer) nameOf(hash uint32) string {
	if s, ok := r.exe.Registry().Lookup(hash); ok {
		return s.Name
	}
	return fmt.Sprintf("syscall %#08x", hash)
}

func (r *Replayer) callName(pc int) string {
	text := r.t.Program.Text
	if pc < 0 || (pc+1)*sbpf.InsnSize > len(text) {
		return "a syscall"
	}
	ins := sbpf.Decode(text[pc*sbpf.InsnSize:])
	return r.nameOf(uint32(ins.Imm))
}

// recordedError recreates a syscall's error with its kind and message.
func recordedError(ei *ErrInfo) error {
	if ei.Message == vm.ErrComputeBudgetExceeded.Error() {
		return vm.ErrComputeBudgetExceeded
	}
	if ei.Kind == "" || ei.Kind == vm.SyscallError.String() {
		return errors.New(ei.Message)
	}
	return &kindError{kind: ei.Kind, msg: ei.Message}
}

type kindError struct{ kind, msg string }

func (e *kindError) Error() string    { return e.msg }
func (e *kindError) KindName() string { return e.kind }

// checker verifies checkpoints as a replay passes them.
type checker struct {
	r    *Replayer
	next int
}

func (c *checker) Step(m *vm.Machine, pc int) {
	insns := c.r.Insns(m)
	cps := c.r.t.Checkpoints
	for c.next < len(cps) && cps[c.next].Insns <= insns {
		cp := &cps[c.next]
		c.next++
		if cp.Insns < insns {
			c.r.diverge(&Divergence{Insns: insns, PC: pc, What: "checkpoint", Expected: fmt.Sprintf("a stop at instruction %d", cp.Insns), Actual: fmt.Sprintf("instruction %d", insns)})
			m.Pause()
			return
		}
		if d := c.r.CompareState(cp.State, m.Snapshot(), insns); d != nil {
			c.r.diverge(d)
			m.Pause()
			return
		}
	}
}

// Report is the outcome of a full replay.
type Report struct {
	Result vm.Result
	Logs   []string
	Insns  uint64
	// Final is the replay's final state. Its memory is the replayer's
	// (vm.Machine.View): valid until the replayer runs again.
	Final      *vm.State
	Divergence *Divergence // nil when the replay matched the recording
	// Lanes is the number of child lanes replayed (each checked like the
	// top-level run); a lane's divergence names it ("lane 2.1: r3").
	Lanes int
}

// LaneTrace returns child lane i of t as a trace of its own: the same
// program from the lane's start state, with its budget, syscall answers
// and outcome. Replaying it re-executes the child alone; the lanes it
// spawned are answered from its events, and are lanes of t themselves.
func (t *Trace) LaneTrace(i int) *Trace {
	l := &t.Lanes[i]
	return &Trace{
		Program:     t.Program,
		Config:      t.Config,
		Budget:      l.Budget,
		Syscalls:    t.Syscalls,
		Features:    t.Features,
		Input:       l.Start.Input,
		Interval:    t.Interval,
		Debug:       t.Debug,
		Events:      l.Events,
		Checkpoints: []Checkpoint{{State: l.Start}},
		Outcome:     l.Outcome,
	}
}

// LaneName is a lane path as the debugger and divergences print it:
// "2.1" for the first child of the program's second child.
func LaneName(path []uint64) string {
	var b []byte
	for i, h := range path {
		if i > 0 {
			b = append(b, '.')
		}
		b = fmt.Appendf(b, "%d", h)
	}
	return string(b)
}

// Lane returns a replayer of child lane i (see Trace.LaneTrace).
func (r *Replayer) Lane(i int) (*Replayer, error) {
	if i < 0 || i >= len(r.t.Lanes) {
		return nil, fmt.Errorf("trace: no lane %d (the run has %d)", i, len(r.t.Lanes))
	}
	if r.lanes == nil {
		r.lanes = make([]*Replayer, len(r.t.Lanes))
	}
	if r.lanes[i] == nil {
		lr, err := NewReplayer(r.t.LaneTrace(i))
		if err != nil {
			return nil, err
		}
		r.lanes[i] = lr
	}
	return r.lanes[i], nil
}

// Replay re-executes t from the start and checks every checkpoint, r0,
// the error, the compute units, the logs and the final memory against
// the recording.
func Replay(t *Trace) (*Report, error) {
	r, err := NewReplayer(t)
	if err != nil {
		return nil, err
	}
	return r.ReplayAll(), nil
}

// ReplayAll is Replay on a prepared replayer.
func (r *Replayer) ReplayAll() *Report {
	t := r.t
	// The run starts from the first checkpoint, which needs no check.
	c := &r.check
	*c = checker{r: r, next: 1}
	cp := t.Checkpoints[0]
	res := r.Resume(cp.State, 0, c, t.Interval)
	rep := &Report{Result: res, Logs: slices.Clone(r.logs), Final: &r.final}
	r.m.View(rep.Final)
	rep.Insns = t.Budget - rep.Final.Remaining - r.sysCU[r.cursor]
	if r.div != nil {
		rep.Divergence = r.div
		return rep
	}
	o := &t.Outcome
	pc := rep.Final.PC
	d := func(what, exp, got string) *Divergence {
		return &Divergence{Insns: rep.Insns, PC: pc, What: what, Expected: exp, Actual: got}
	}
	gotErr := errInfo(res.Err)
	switch {
	case r.cursor != len(t.Events):
		rep.Divergence = d("syscalls", fmt.Sprintf("%d syscalls", len(t.Events)), fmt.Sprintf("%d", r.cursor))
	case !sameErr(o.Err, gotErr):
		rep.Divergence = d("error", errString(o.Err), errString(gotErr))
	case o.Err == nil && res.R0 != o.R0:
		rep.Divergence = d("r0", hex64(o.R0), hex64(res.R0))
	case res.CU != o.CU:
		rep.Divergence = d("compute units", fmt.Sprint(o.CU), fmt.Sprint(res.CU))
	case !slices.Equal(o.Logs, rep.Logs):
		i := 0
		for i < len(o.Logs) && i < len(rep.Logs) && o.Logs[i] == rep.Logs[i] {
			i++
		}
		rep.Divergence = d(fmt.Sprintf("log line %d", i), quoteAt(o.Logs, i), quoteAt(rep.Logs, i))
	case o.Final == nil:
		rep.Divergence = d("final state", "a recorded final state", "none in the trace")
	default:
		// The final state is compared byte for byte; the input only
		// where either run wrote it, since past that both hold the
		// initial input.
		limit := len(rep.Final.Input)
		if sameSlice(r.inputBase, cp.State.Input) && len(o.Final.Input) == limit {
			limit = max(r.finalExtent, r.m.InputWritten())
		}
		rep.Divergence = r.compareState(o.Final, rep.Final, rep.Insns, limit)
	}
	if rep.Divergence != nil {
		return rep
	}
	for i := range t.Lanes {
		lr, err := r.Lane(i)
		if err != nil {
			rep.Divergence = &Divergence{PC: -1, What: "lane " + LaneName(t.Lanes[i].Path), Expected: "a replayable lane", Actual: err.Error()}
			return rep
		}
		lrep := lr.ReplayAll()
		rep.Lanes++
		if d := lrep.Divergence; d != nil {
			dd := *d
			dd.What = "lane " + LaneName(t.Lanes[i].Path) + ": " + d.What
			rep.Divergence = &dd
			return rep
		}
	}
	return rep
}

func sameErr(a, b *ErrInfo) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Kind == b.Kind && a.Message == b.Message && a.PC == b.PC
}

func errString(e *ErrInfo) string {
	if e == nil {
		return "no error"
	}
	return fmt.Sprintf("%s at pc %d (%s)", e.Kind, e.PC, e.Message)
}

func quoteAt(l []string, i int) string {
	if i < len(l) {
		return fmt.Sprintf("%q", l[i])
	}
	return "no line"
}

func hex64(v uint64) string { return fmt.Sprintf("%#016x (%d)", v, v) }

// CompareState returns the first difference between two states:
// registers, pc, meter, frames, then memory by address.
func (r *Replayer) CompareState(want, got *vm.State, insns uint64) *Divergence {
	return r.compareState(want, got, insns, max(len(want.Input), len(got.Input)))
}

// compareState is CompareState comparing only the first inputLimit bytes
// of the input regions, for a caller that knows the rest equal.
func (r *Replayer) compareState(want, got *vm.State, insns uint64, inputLimit int) *Divergence {
	pc := got.PC
	d := func(what, exp, act string) *Divergence {
		return &Divergence{Insns: insns, PC: pc, What: what, Expected: exp, Actual: act}
	}
	for i := range want.Regs {
		if want.Regs[i] != got.Regs[i] {
			return d(fmt.Sprintf("r%d", i), hex64(want.Regs[i]), hex64(got.Regs[i]))
		}
	}
	if want.PC != got.PC {
		return d("pc", fmt.Sprint(want.PC), fmt.Sprint(got.PC))
	}
	if want.Remaining != got.Remaining {
		return d("compute units left", fmt.Sprint(want.Remaining), fmt.Sprint(got.Remaining))
	}
	if !slices.Equal(want.Frames, got.Frames) {
		return d("call frames", fmt.Sprint(want.Frames), fmt.Sprint(got.Frames))
	}
	p := r.t.Program
	if off, ok := firstDiff(want.Stack, got.Stack); ok {
		return d(fmt.Sprintf("memory %#x", StackAddr(p.Version, r.t.Config, off)), byteAt(want.Stack, off), byteAt(got.Stack, off))
	}
	if off, ok := firstDiff(want.Heap, got.Heap); ok {
		return d(fmt.Sprintf("memory %#x", sbpf.HeapStart+uint64(off)), byteAt(want.Heap, off), byteAt(got.Heap, off))
	}
	if off, ok := firstDiff(want.Input[:min(inputLimit, len(want.Input))], got.Input[:min(inputLimit, len(got.Input))]); ok {
		return d(fmt.Sprintf("memory %#x", sbpf.InputStart+uint64(off)), byteAt(want.Input, off), byteAt(got.Input, off))
	}
	return nil
}

// firstDiff compares two regions, bytes past the shorter one's end
// counting as zero.
func firstDiff(a, b []byte) (int, bool) {
	if bytes.Equal(a, b) {
		return 0, false
	}
	for i := range max(len(a), len(b)) {
		if at(a, i) != at(b, i) {
			return i, true
		}
	}
	return 0, false
}

func at(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

func byteAt(b []byte, i int) string { return fmt.Sprintf("%#02x", at(b, i)) }
