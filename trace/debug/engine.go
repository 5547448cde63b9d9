package debug

import (
	"errors"
	"fmt"
	"sort"

	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/trace"
	"github.com/agora-vm/agora/vm"
)

// Debugger is a position in a recorded run and the means to move it.
// A position is an instruction count: the state before the instruction
// with that number, or, at Total, the state after the run ended.
type Debugger struct {
	rp    *trace.Replayer
	t     *trace.Trace
	Src   *SourceMap
	cur   *vm.State
	pos   uint64
	total uint64
	final *vm.State
	res   vm.Result

	disOpts *asm.DisasmOptions

	pts *points

	// Lanes: the debugger of the top-level run is its own root; a child
	// lane's debugger (Lane) points at it and shares its points.
	root  *Debugger
	path  []uint64
	lanes []*Debugger
}

// points are the breakpoints and watchpoints, shared by the debuggers of
// one run's lanes so that a breakpoint stops whichever lane reaches it.
type points struct {
	breaks  []*Breakpoint
	watches []*Watch
	nextID  int
}

// Breakpoint stops forward and backward execution before the
// instruction at PC.
type Breakpoint struct {
	ID   int
	PC   int
	Desc string // what the user asked for: "pc 12", "agent.ovsm:40", "scale"
}

// Watch stops execution after an instruction that changes a register or
// a memory range.
type Watch struct {
	ID   int
	Reg  int // 0-10, or -1 for memory
	Addr uint64
	Len  uint64
	Desc string
}

// Stop says why a movement ended.
type Stop struct {
	Reason     string // "step", "breakpoint", "watchpoint", "end", "start", "goto"
	Breakpoint *Breakpoint
	Watch      *Watch
	Old, New   []byte // a watchpoint's value before and after
}

// New opens a debugger at the start of t's run.
func New(t *trace.Trace) (*Debugger, error) {
	rp, err := trace.NewReplayer(t)
	if err != nil {
		return nil, err
	}
	d := &Debugger{rp: rp, t: t, pts: &points{nextID: 1}}
	d.root = d
	if err := d.open(); err != nil {
		return nil, err
	}
	d.Src = NewSourceMap(t)
	return d, nil
}

// open runs once to the end: it fixes the end position and its state,
// and a divergence here means the trace cannot be debugged faithfully.
func (d *Debugger) open() error {
	t, rp := d.t, d.rp
	d.cur, d.pos = t.Checkpoints[0].State, 0
	res := rp.Resume(d.cur, 0, nil, 0)
	if dv := rp.Divergence(); dv != nil {
		return dv
	}
	d.res, d.final = res, rp.Machine().Snapshot()
	d.total = rp.StateInsns(d.final)
	return nil
}

// Lanes returns the child lanes (ext/lanes) of the recorded run, in the
// order they started.
func (d *Debugger) Lanes() []trace.Lane { return d.root.t.Lanes }

// LanePath is the path of the lane d debugs (nil for the top-level run).
func (d *Debugger) LanePath() []uint64 { return d.path }

// Root returns the debugger of the top-level run.
func (d *Debugger) Root() *Debugger { return d.root }

// Lane returns the debugger of child lane i of Lanes(), opened at the
// lane's start: the child re-executes alone from its recorded start state
// against its recorded answers. It shares breakpoints, watchpoints and
// source lines with d; each lane has its own position.
func (d *Debugger) Lane(i int) (*Debugger, error) {
	root := d.root
	if i < 0 || i >= len(root.t.Lanes) {
		return nil, fmt.Errorf("no lane %d: the run has %d child lanes", i, len(root.t.Lanes))
	}
	if root.lanes == nil {
		root.lanes = make([]*Debugger, len(root.t.Lanes))
	}
	if root.lanes[i] == nil {
		lr, err := root.rp.Lane(i)
		if err != nil {
			return nil, err
		}
		ld := &Debugger{rp: lr, t: lr.Trace(), Src: root.Src, pts: root.pts, root: root, path: root.t.Lanes[i].Path, disOpts: root.disOpts}
		if err := ld.open(); err != nil {
			return nil, fmt.Errorf("lane %s: %w", trace.LaneName(ld.path), err)
		}
		root.lanes[i] = ld
	}
	return root.lanes[i], nil
}

// Trace returns the trace being debugged.
func (d *Debugger) Trace() *trace.Trace { return d.t }

// Pos returns the current position and Total the end position.
func (d *Debugger) Pos() uint64   { return d.pos }
func (d *Debugger) Total() uint64 { return d.total }

// AtEnd reports whether the position is after the run's last instruction.
func (d *Debugger) AtEnd() bool { return d.pos >= d.total }

// State returns the machine state at the current position (do not modify).
func (d *Debugger) State() *vm.State { return d.cur }

// Result is the run's outcome (meaningful at the end).
func (d *Debugger) Result() vm.Result { return d.res }

// CU is the compute units consumed up to the current position.
func (d *Debugger) CU() uint64 { return d.t.Budget - d.cur.Remaining }

// Logs returns the log lines emitted before the current position.
func (d *Debugger) Logs() []string {
	var out []string
	for _, ev := range d.t.Events[:d.rp.EventsBefore(d.pos)] {
		out = append(out, ev.Logs...)
	}
	if d.AtEnd() {
		out = nil
		for _, ev := range d.t.Events {
			out = append(out, ev.Logs...)
		}
	}
	return out
}

// stopHook pauses a replay where pred says so.
type stopHook struct {
	d     *Debugger
	pred  func(m *vm.Machine, pc int, insns uint64) bool
	at    uint64
	limit uint64 // pause here regardless (a scan's end); ^0 for none
}

func (h *stopHook) Step(m *vm.Machine, pc int) {
	insns := h.d.rp.Insns(m)
	if insns >= h.limit || h.pred(m, pc, insns) {
		h.at = insns
		m.Pause()
	}
}

// runFrom replays from (st, pos) until pred holds before an instruction
// or limit is reached, and makes the stopping point current. It reports
// whether it stopped before the end.
func (d *Debugger) runFrom(st *vm.State, pos, limit uint64, pred func(*vm.Machine, int, uint64) bool) bool {
	h := &stopHook{d: d, pred: pred, limit: limit}
	res := d.rp.Resume(st, pos, h, 1)
	if errors.Is(res.Err, vm.ErrPaused) {
		d.cur, d.pos = d.rp.Machine().Snapshot(), h.at
		return true
	}
	d.cur, d.pos = d.final, d.total
	return false
}

// checkpointBefore returns the index of the last checkpoint at or before
// pos.
func (d *Debugger) checkpointBefore(pos uint64) int {
	cps := d.t.Checkpoints
	return sort.Search(len(cps), func(i int) bool { return cps[i].Insns > pos }) - 1
}

// Seek moves to position target (clamped to the end), forward or back.
func (d *Debugger) Seek(target uint64) {
	if target >= d.total {
		d.cur, d.pos = d.final, d.total
		return
	}
	if target == d.pos {
		return
	}
	st, pos := d.cur, d.pos
	ci := d.checkpointBefore(target)
	if cp := d.t.Checkpoints[ci]; d.pos > target || d.AtEnd() || cp.Insns > d.pos {
		st, pos = cp.State, cp.Insns
	}
	if pos == target {
		d.cur, d.pos = st, pos
		return
	}
	d.runFrom(st, pos, target, func(*vm.Machine, int, uint64) bool { return false })
}

// Step moves n instructions forward.
func (d *Debugger) Step(n uint64) Stop {
	return d.forward(d.pos+n, "step", nil)
}

// ReverseStep moves n instructions back.
func (d *Debugger) ReverseStep(n uint64) Stop {
	if n > d.pos {
		n = d.pos
	}
	d.Seek(d.pos - n)
	if d.pos == 0 {
		return Stop{Reason: "start"}
	}
	return Stop{Reason: "step"}
}

// Continue runs forward to the next breakpoint or watchpoint.
func (d *Debugger) Continue() Stop { return d.forward(^uint64(0), "end", nil) }

// Next steps one instruction, over calls: a call runs to its return.
func (d *Debugger) Next() Stop {
	if d.AtEnd() {
		return Stop{Reason: "end"}
	}
	depth := len(d.cur.Frames)
	start := d.pos
	return d.forward(^uint64(0), "step", func(m *vm.Machine, _ int, insns uint64) bool {
		return insns > start && m.CallDepth() <= depth
	})
}

// Finish runs until the current function returns to its caller.
func (d *Debugger) Finish() Stop {
	depth := len(d.cur.Frames)
	if depth == 0 {
		return d.Continue()
	}
	return d.forward(^uint64(0), "step", func(m *vm.Machine, _ int, _ uint64) bool {
		return m.CallDepth() < depth
	})
}

// forward runs from the current position until target, a breakpoint, a
// watchpoint or extra (when set) stops it.
func (d *Debugger) forward(target uint64, reason string, extra func(*vm.Machine, int, uint64) bool) Stop {
	if d.AtEnd() {
		return Stop{Reason: "end"}
	}
	start := d.pos
	w := d.newWatchState(d.cur)
	var stop Stop
	pred := func(m *vm.Machine, pc int, insns uint64) bool {
		if insns == start {
			return false
		}
		if insns >= target {
			stop.Reason = reason
			return true
		}
		if wp, old, nw := w.changed(m); wp != nil {
			stop = Stop{Reason: "watchpoint", Watch: wp, Old: old, New: nw}
			return true
		}
		if bp := d.breakAt(pc); bp != nil {
			stop = Stop{Reason: "breakpoint", Breakpoint: bp}
			return true
		}
		if extra != nil && extra(m, pc, insns) {
			stop.Reason = reason
			return true
		}
		return false
	}
	if !d.runFrom(d.cur, d.pos, ^uint64(0), pred) {
		// Watches compare against the end state too.
		if wp, old, nw := w.changedState(d.final); wp != nil {
			return Stop{Reason: "watchpoint", Watch: wp, Old: old, New: nw}
		}
		return Stop{Reason: "end"}
	}
	return stop
}

// backward finds the last position p before the current one where pred
// holds (watchpoints and breakpoints included) and moves there; with none,
// it moves to the start.
func (d *Debugger) backward(extra func(m *vm.Machine, pc int, insns uint64) bool) Stop {
	end := d.pos
	if end == 0 {
		return Stop{Reason: "start"}
	}
	cps := d.t.Checkpoints
	for k := d.checkpointBefore(end - 1); k >= 0; k-- {
		// Scan segment k from the checkpoint before it, so that a watch
		// has the value before the segment's first instruction.
		from := cps[max(k-1, 0)]
		segStart := cps[k].Insns
		var w *watchState
		found, hit := false, Stop{}
		var at uint64
		pred := func(m *vm.Machine, pc int, insns uint64) bool {
			first := w == nil
			var wp *Watch
			var old, nw []byte
			if first {
				w = d.newWatchStateM(m)
			} else {
				wp, old, nw = w.changed(m)
			}
			if insns < segStart {
				return false
			}
			switch {
			case wp != nil:
				found, at, hit = true, insns, Stop{Reason: "watchpoint", Watch: wp, Old: old, New: nw}
			case d.breakAt(pc) != nil:
				found, at, hit = true, insns, Stop{Reason: "breakpoint", Breakpoint: d.breakAt(pc)}
			case extra != nil && extra(m, pc, insns):
				found, at, hit = true, insns, Stop{Reason: "step"}
			}
			return false
		}
		d.runFrom(from.State, from.Insns, end, pred)
		if found {
			d.Seek(at)
			return hit
		}
		end = segStart
	}
	d.Seek(0)
	return Stop{Reason: "start"}
}

// ReverseContinue runs backward to the previous breakpoint or
// watchpoint, or to the start.
func (d *Debugger) ReverseContinue() Stop { return d.backward(nil) }

// ReverseNext steps one instruction back, over calls.
func (d *Debugger) ReverseNext() Stop {
	depth := len(d.cur.Frames)
	if d.AtEnd() {
		return d.ReverseStep(1)
	}
	return d.backward(func(m *vm.Machine, _ int, _ uint64) bool { return m.CallDepth() <= depth })
}

// ReverseFinish runs backward to the call that entered the current
// function.
func (d *Debugger) ReverseFinish() Stop {
	depth := len(d.cur.Frames)
	if depth == 0 {
		d.Seek(0)
		return Stop{Reason: "start"}
	}
	return d.backward(func(m *vm.Machine, _ int, _ uint64) bool { return m.CallDepth() < depth })
}

// GotoCU moves to the first position where at least cu compute units
// have been consumed.
func (d *Debugger) GotoCU(cu uint64) {
	cuAt := func(p uint64) uint64 {
		n := d.rp.EventsBefore(p)
		var s uint64
		for _, ev := range d.t.Events[:n] {
			s += ev.CU
		}
		return p + s
	}
	p := sort.Search(int(min(d.total, 1<<62)), func(i int) bool { return cuAt(uint64(i)) >= cu })
	d.Seek(uint64(p))
}

// Break adds a breakpoint at pc.
func (d *Debugger) Break(pc int, desc string) *Breakpoint {
	bp := &Breakpoint{ID: d.pts.nextID, PC: pc, Desc: desc}
	d.pts.nextID++
	d.pts.breaks = append(d.pts.breaks, bp)
	return bp
}

// BreakLine adds breakpoints at every place file:line starts.
func (d *Debugger) BreakLine(file string, line int) ([]*Breakpoint, error) {
	pcs := d.Src.LinePCs(file, line)
	if len(pcs) == 0 {
		return nil, fmt.Errorf("no code at %s:%d", file, line)
	}
	var out []*Breakpoint
	for _, pc := range pcs {
		out = append(out, d.Break(pc, fmt.Sprintf("%s:%d", file, line)))
	}
	return out, nil
}

// Delete removes breakpoints and watchpoints by id; no ids removes all.
func (d *Debugger) Delete(ids ...int) {
	if len(ids) == 0 {
		d.pts.breaks, d.pts.watches = nil, nil
		return
	}
	drop := map[int]bool{}
	for _, id := range ids {
		drop[id] = true
	}
	var bs []*Breakpoint
	for _, b := range d.pts.breaks {
		if !drop[b.ID] {
			bs = append(bs, b)
		}
	}
	var ws []*Watch
	for _, w := range d.pts.watches {
		if !drop[w.ID] {
			ws = append(ws, w)
		}
	}
	d.pts.breaks, d.pts.watches = bs, ws
}

// ClearBreakpoints removes every breakpoint (not watchpoints).
func (d *Debugger) ClearBreakpoints() { d.pts.breaks = nil }

// Breakpoints and Watches list what is set.
func (d *Debugger) Breakpoints() []*Breakpoint { return d.pts.breaks }
func (d *Debugger) Watches() []*Watch          { return d.pts.watches }

// WatchReg and WatchMem add watchpoints.
func (d *Debugger) WatchReg(r int) *Watch {
	w := &Watch{ID: d.pts.nextID, Reg: r, Desc: fmt.Sprintf("r%d", r)}
	d.pts.nextID++
	d.pts.watches = append(d.pts.watches, w)
	return w
}

func (d *Debugger) WatchMem(addr, n uint64) *Watch {
	w := &Watch{ID: d.pts.nextID, Reg: -1, Addr: addr, Len: n, Desc: fmt.Sprintf("%d bytes at %#x", n, addr)}
	d.pts.nextID++
	d.pts.watches = append(d.pts.watches, w)
	return w
}

func (d *Debugger) breakAt(pc int) *Breakpoint {
	for _, b := range d.pts.breaks {
		if b.PC == pc {
			return b
		}
	}
	return nil
}

// watchState holds the last seen value of every watch.
type watchState struct {
	d    *Debugger
	vals [][]byte
}

func (d *Debugger) newWatchState(st *vm.State) *watchState {
	w := &watchState{d: d}
	for _, wp := range d.pts.watches {
		w.vals = append(w.vals, d.watchValueState(wp, st))
	}
	return w
}

func (d *Debugger) newWatchStateM(m *vm.Machine) *watchState {
	w := &watchState{d: d}
	for _, wp := range d.pts.watches {
		w.vals = append(w.vals, watchValueM(wp, m))
	}
	return w
}

func (w *watchState) changed(m *vm.Machine) (*Watch, []byte, []byte) {
	var hit *Watch
	var old, nw []byte
	for i, wp := range w.d.pts.watches {
		v := watchValueM(wp, m)
		if hit == nil && string(v) != string(w.vals[i]) {
			hit, old, nw = wp, w.vals[i], v
		}
		w.vals[i] = v
	}
	return hit, old, nw
}

func (w *watchState) changedState(st *vm.State) (*Watch, []byte, []byte) {
	for i, wp := range w.d.pts.watches {
		if v := w.d.watchValueState(wp, st); string(v) != string(w.vals[i]) {
			return wp, w.vals[i], v
		}
	}
	return nil, nil, nil
}

func watchValueM(wp *Watch, m *vm.Machine) []byte {
	if wp.Reg >= 0 {
		r := m.Registers()
		return le64(r[wp.Reg])
	}
	b, err := m.ReadMemory(wp.Addr, wp.Len)
	if err != nil {
		return nil
	}
	return b
}

func (d *Debugger) watchValueState(wp *Watch, st *vm.State) []byte {
	if wp.Reg >= 0 {
		return le64(st.Regs[wp.Reg])
	}
	b, err := d.ReadMemory(st, wp.Addr, wp.Len)
	if err != nil {
		return nil
	}
	return b
}

func le64(v uint64) []byte {
	var b [8]byte
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	return b[:]
}
