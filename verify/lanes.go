package verify

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/extnames"
	"github.com/agora-vm/agora/verify/absint"
)

// The parallel-lane syscalls whose pairing LanePairing proves (package
// ext/lanes implements them; docs/lanes.md).
const (
	SpawnName = extnames.ParallelSpawn
	JoinName  = extnames.ParallelJoin
	FenceName = extnames.ParallelFence
)

// Limits of ext/lanes the analysis relies on.
const (
	laneMaxTasks = 16 // children outstanding (not yet released) per lane
	// laneMaxTracked bounds the children one abstract state tracks
	// (outstanding ones and joined ones a register still names).
	laneMaxTracked = 24
	laneMaxSlots   = 8 // stack slots holding a handle, per state
	// laneMaxEntries bounds the child functions analysed.
	laneMaxEntries = 64
)

// Lane finding kinds, continuing PairingKind.
const (
	PairTaskLeak        PairingKind = iota + PairAnalysisLimit + 1 // exit with a child neither joined nor fenced
	PairInvalidHandle                                              // join of a child already joined
	PairUntrackedHandle                                            // join of a handle the analysis cannot trace
	PairUnresolvedSpawn                                            // spawn of a function not known statically
)

func (k PairingKind) laneString() (string, bool) {
	switch k {
	case PairTaskLeak:
		return "TaskLeak", true
	case PairInvalidHandle:
		return "InvalidHandle", true
	case PairUntrackedHandle:
		return "UntrackedHandle", true
	case PairUnresolvedSpawn:
		return "UnresolvedSpawn", true
	}
	return "", false
}

// OverlapVerdict says whether two concurrent children may write the same
// byte.
type OverlapVerdict uint8

// Overlap verdicts.
const (
	// OverlapDisjoint: proven; no heap or input byte is written by both.
	OverlapDisjoint OverlapVerdict = iota + 1
	// OverlapPossible: both may write some byte: a possible
	// LaneWriteConflict (it happens when both change the byte on a run).
	OverlapPossible
	// OverlapUnknown: the analysis cannot bound what one of them writes.
	OverlapUnknown
)

// String returns "disjoint", "possible overlap" or "unknown".
func (v OverlapVerdict) String() string {
	switch v {
	case OverlapDisjoint:
		return "disjoint"
	case OverlapPossible:
		return "possible overlap"
	case OverlapUnknown:
		return "unknown"
	}
	return fmt.Sprintf("OverlapVerdict(%d)", uint8(v))
}

// Overlap is the verdict on two spawn sites whose children can run at
// the same time (the second is spawned while the first is not merged),
// or on one child and its lane's own writes while it runs (Parent).
// SpawnA <= SpawnB; they are equal for a spawn in a loop.
type Overlap struct {
	SpawnA, SpawnB int
	// Parent: the pair is the child of SpawnA (= SpawnB) and the lane
	// that spawned it, which writes memory before the child merges (a byte
	// both change is a conflict too).
	Parent  bool
	Verdict OverlapVerdict
	Message string
}

// LaneReport is the result of LanePairing.
type LaneReport struct {
	// Verdict and Findings are about pairing, as in PairingReport: every
	// spawned child joined at most once, and joined or fenced before its
	// lane exits.
	Verdict  PairingVerdict
	Findings []PairingFinding // sorted by pc, then kind
	// Overlaps lists every pair of spawn sites found concurrent, sorted.
	Overlaps []Overlap
	States   int
	// Uses: the program calls a spawn, join or fence syscall at all.
	Uses bool
}

// String lists the verdicts and the findings, one per line.
func (r *LaneReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "lane pairing: %s", r.Verdict)
	for _, f := range r.Findings {
		b.WriteString("\n  ")
		b.WriteString(f.String())
	}
	for _, o := range r.Overlaps {
		if o.Parent {
			fmt.Fprintf(&b, "\n  the lane spawned at pc %d and its parent: %s: %s", o.SpawnA, o.Verdict, o.Message)
			continue
		}
		fmt.Fprintf(&b, "\n  lanes spawned at pc %d and pc %d: %s: %s", o.SpawnA, o.SpawnB, o.Verdict, o.Message)
	}
	return b.String()
}

// LaneOptions describe the program beyond its text, as PairingOptions do,
// plus the memory layout the write-set analysis needs.
type LaneOptions struct {
	Entry     int
	Functions map[uint32]int
	Syscalls  SyscallSet
	// Names names syscalls by hash, for the abstract interpreter; nil
	// knows only the ones it models by name.
	Names       func(hash uint32) (string, bool)
	Lines       []int
	MaxStates   int
	HeapSize    int // 0: 32 KiB
	ROData      []byte
	RODataVAddr uint64
}

// LanePairing proves that a program pairs the parallel-lane syscalls of
// ext/lanes on every path: every child a lane spawns is joined at most
// once (else InvalidHandle) and joined or fenced before the lane exits
// (else TaskLeak). Each child function is a lane of its own and is
// checked the same way.
//
// Handles are followed through registers, copies and 8-byte spills to the
// stack frame at constant offsets from r10; a join of a handle the
// analysis cannot trace (loaded from the heap, computed) is not provable
// and makes later findings on its path not provable too. Local calls are
// analysed per calling state with function summaries, as in TxPairing.
// The function a spawn starts is found by the abstract interpreter (a
// constant r1); an unresolved one is not provable.
//
// It also reports, for every two spawn sites whose children can run at
// once, whether their writes to the heap and the input region are
// disjoint (proven), may overlap (a possible LaneWriteConflict), or
// cannot be bounded (unknown, with why). It bounds each child function's
// writes with the abstract interpreter; atomics, the child's stack and
// its private argument never conflict. Writes of the parent between a
// spawn and the merge are not compared here.
func LanePairing(text []byte, v sbpf.Version, opts *LaneOptions) (*LaneReport, error) {
	if err := checkText(text, v); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &LaneOptions{}
	}
	a := &lanes{
		flow: newFlow[lstate](len(text)/sbpf.InsnSize, opts.MaxStates),
		text: text, v: v, opts: opts,
		spawn: sbpf.SyscallHash(SpawnName), join: sbpf.SyscallHash(JoinName), fence: sbpf.SyscallHash(FenceName),
		noReturn: noReturnHashes(), pairs: map[[2]int32]bool{}, parent: map[[2]int32]bool{},
	}
	a.norm = (*lstate).norm
	a.ret = laneReturn
	a.onLimit = func(visited int) {
		a.report(PairAnalysisLimit, -1, lstate{tainted: true}, fmt.Sprintf("gave up after %d states; lane pairing is not proven", visited))
	}
	rep := &LaneReport{Verdict: PairingProven}
	if !a.usesLanes() {
		return rep, nil
	}
	rep.Uses = true
	a.resolveTargets()
	a.run()
	rep.States = len(a.visited)
	rep.Verdict, rep.Findings = a.result()
	rep.Overlaps = a.overlaps()
	return rep, nil
}

// kid is one child a state tracks. Its position in lstate.kids is its
// identity; ord orders the tracked children by spawn.
type kid struct {
	spawn int32 // pc of the spawn
	ord   uint8
	flags uint8
}

const (
	kidUsed uint8 = 1 << iota
	kidMerged
	kidReleased // joined or fenced: no leak
	kidJoined
)

type lslot struct {
	off int16
	ref int8 // 1 + position in kids; 0: empty
}

// lstate is the abstract state: the children tracked, which registers and
// stack slots hold whose handle, and the positions a caller's frame still
// names (pinned).
type lstate struct {
	kids    [laneMaxTracked]kid
	regs    [10]int8 // r0-r9: 1 + position, or 0
	slots   [laneMaxSlots]lslot
	pinned  uint32
	tainted bool // after an untraced join or an indirect call
	foreign bool // a store not through r10 (it may reach a caller's frame)
}

// childFn is what the abstract interpreter says about a child function.
type childFn struct {
	ai  *absint.Result
	err error
}

type lanes struct {
	flow[lstate]
	text               []byte
	v                  sbpf.Version
	opts               *LaneOptions
	spawn, join, fence uint32
	noReturn           []uint32

	targets map[int]int // spawn pc -> child function pc, where resolved
	unres   map[int]string
	fns     map[int]*childFn

	findingSet
	pairs map[[2]int32]bool
	// parent holds (spawn pc, write pc): the lane wrote memory at write pc
	// while the child of that spawn was not merged.
	parent map[[2]int32]bool
	// runs are every abstract interpretation made (the entry's and each
	// child function's), for the parent's writes.
	runs []*childFn
}

// isSyscall reports whether insn calls the syscall with hash h.
func (a *lanes) isSyscall(insn sbpf.Instruction, h uint32) bool {
	return a.v.Lookup(insn.Op) == sbpf.OpCall && (!a.v.StaticSyscalls() || insn.Src == 0) && uint32(insn.Imm) == h
}

func (a *lanes) usesLanes() bool {
	for pc := 0; pc < a.n; pc++ {
		insn := sbpf.Decode(a.text[pc*sbpf.InsnSize:])
		if a.isSyscall(insn, a.spawn) || a.isSyscall(insn, a.join) || a.isSyscall(insn, a.fence) {
			return true
		}
	}
	return false
}

func (a *lanes) absint(entry int, child bool) *childFn {
	heap := a.opts.HeapSize
	if heap <= 0 {
		heap = 32 << 10
	}
	p := &absint.Program{Version: a.v, Text: a.text, Entry: entry, Functions: a.opts.Functions, Syscalls: a.opts.Names, Child: child}
	l := &absint.Layout{InputLen: -1, HeapSize: heap, ROData: a.opts.ROData, RODataVAddr: a.opts.RODataVAddr, ArgLen: -1}
	ai, err := absint.Analyze(p, l, absint.Options{})
	return &childFn{ai: ai, err: err}
}

// resolveTargets finds the function each spawn starts: r1 before the
// spawn, a constant in every analysed entry that reaches it.
func (a *lanes) resolveTargets() {
	a.targets, a.unres, a.fns = map[int]int{}, map[int]string{}, map[int]*childFn{}
	type entry struct {
		pc    int
		child bool
	}
	var spawns []int
	for pc := 0; pc < a.n; pc++ {
		if a.isSyscall(sbpf.Decode(a.text[pc*sbpf.InsnSize:]), a.spawn) {
			spawns = append(spawns, pc)
		}
	}
	queue := []entry{{a.opts.Entry, false}}
	seen := map[int]bool{}
	for len(queue) > 0 {
		e := queue[0]
		queue = queue[1:]
		r := a.absint(e.pc, e.child)
		a.runs = append(a.runs, r)
		if e.child {
			a.fns[e.pc] = r
		}
		for _, pc := range spawns {
			if r.err != nil {
				if _, ok := a.targets[pc]; !ok {
					a.unres[pc] = fmt.Sprintf("the abstract interpretation from pc %d stopped: %v", e.pc, r.err)
				}
				continue
			}
			if !r.ai.Reached[pc] {
				continue
			}
			v, _ := r.ai.RegAt(pc, 1)
			c, ok := v.N.IsConst()
			t, set := a.targets[pc]
			switch {
			case v.Kind != absint.VScalar || !ok:
				a.unres[pc] = "the child's function (r1) is not a constant"
			case c >= uint64(a.n):
				a.unres[pc] = fmt.Sprintf("fn_pc %d lies outside the program", c)
			case set && t != int(c):
				a.unres[pc] = "the child's function (r1) differs between callers"
			default:
				a.targets[pc] = int(c)
				if !seen[int(c)] && len(seen) < laneMaxEntries {
					seen[int(c)] = true
					queue = append(queue, entry{int(c), true})
				}
			}
		}
	}
	for pc := range a.unres {
		delete(a.targets, pc)
	}
	for pc, t := range a.targets {
		if _, ok := a.fns[t]; !ok {
			a.unres[pc] = "too many child functions to analyse"
			delete(a.targets, pc)
		}
	}
}

func (a *lanes) run() {
	top := a.context(flowKey[lstate]{entry: int32(a.opts.Entry), top: true})
	a.push(top, a.opts.Entry, lstate{})
	// Every resolved child function is a lane of its own.
	var fns []int
	for _, t := range a.targets {
		if !slices.Contains(fns, t) {
			fns = append(fns, t)
		}
	}
	slices.Sort(fns)
	for _, f := range fns {
		if f == a.opts.Entry {
			continue
		}
		c := a.context(flowKey[lstate]{entry: int32(f), top: true})
		a.push(c, f, lstate{})
	}
	a.drain(a.step)
}

func (a *lanes) report(kind PairingKind, pc int, st lstate, msg string) {
	verdict := PairingViolation
	switch {
	case kind != PairTaskLeak && kind != PairInvalidHandle:
		verdict = PairingNotProvable
	case st.tainted:
		verdict = PairingNotProvable
		msg += " (on a path through an untraced join or an indirect call, which may have joined it)"
	}
	f := PairingFinding{Kind: kind, Verdict: verdict, PC: pc, OpenedAt: -1, Message: msg}
	a.add(f, a.opts.Lines)
}

// refs is the set of positions the registers and slots name.
func (s *lstate) refs() uint32 {
	var m uint32
	for _, r := range s.regs {
		if r > 0 {
			m |= 1 << (r - 1)
		}
	}
	for _, sl := range s.slots {
		if sl.ref > 0 {
			m |= 1 << (sl.ref - 1)
		}
	}
	return m
}

// norm forgets children that can no longer matter (joined, or merged
// and released, and named by nothing) and renumbers the spawn order, so
// that a loop that spawns and joins reaches a fixed point.
func (s *lstate) norm() {
	keep := s.refs() | s.pinned
	var order []int
	for i := range s.kids {
		k := &s.kids[i]
		if k.flags&kidUsed == 0 {
			continue
		}
		if keep&(1<<i) == 0 && (k.flags&kidJoined != 0 || k.flags&(kidMerged|kidReleased) == kidMerged|kidReleased) {
			*k = kid{}
			continue
		}
		order = append(order, i)
	}
	slices.SortFunc(order, func(x, y int) int { return cmp.Compare(s.kids[x].ord, s.kids[y].ord) })
	for o, i := range order {
		s.kids[i].ord = uint8(o)
	}
	slices.SortFunc(s.slots[:], func(x, y lslot) int {
		if (x.ref == 0) != (y.ref == 0) {
			if x.ref == 0 {
				return 1
			}
			return -1
		}
		return cmp.Compare(x.off, y.off)
	})
	for i := range s.slots {
		if s.slots[i].ref == 0 {
			s.slots[i].off = 0
		}
	}
}

// setSlot records that the 8 bytes at r10+off hold v (0: no handle).
func (s *lstate) setSlot(off int16, v int8) {
	s.clearSlots(int(off), 8)
	if v == 0 {
		return
	}
	for i := range s.slots {
		if s.slots[i].ref == 0 {
			s.slots[i] = lslot{off, v}
			return
		}
	}
	// No room: the handle is forgotten; a later join through it is untraced.
}

// clearSlots forgets the slots overlapping [off, off+size).
func (s *lstate) clearSlots(off, size int) {
	for i := range s.slots {
		if sl := s.slots[i]; sl.ref != 0 && int(sl.off)+8 > off && int(sl.off) < off+size {
			s.slots[i] = lslot{}
		}
	}
}

func (s *lstate) slot(off int16) int8 {
	for _, sl := range s.slots {
		if sl.ref != 0 && sl.off == off {
			return sl.ref
		}
	}
	return 0
}

func (a *lanes) step(ctx int32, pc int, st lstate) {
	insn := sbpf.Decode(a.text[pc*sbpf.InsnSize:])
	op := a.v.Lookup(insn.Op)
	info := op.Info()
	setReg := func(r uint8, v int8) {
		if r < 10 {
			st.regs[r] = v
		}
	}
	switch info.Format {
	case sbpf.FmtNone:
		if op != sbpf.OpExit {
			return
		}
		if c := a.contexts[ctx]; !c.key.top {
			a.addExit(ctx, st)
			return
		}
		for _, k := range st.kids {
			if k.flags&kidUsed != 0 && k.flags&kidReleased == 0 {
				a.report(PairTaskLeak, pc, st, fmt.Sprintf("exit with the child spawned at pc %d neither joined nor fenced", k.spawn))
			}
		}
	case sbpf.FmtLDDW:
		if pc+1 >= a.n {
			return
		}
		setReg(insn.Dst, 0)
		a.push(ctx, pc+2, st)
	case sbpf.FmtJa:
		a.push(ctx, pc+1+int(insn.Off), st)
	case sbpf.FmtJumpImm, sbpf.FmtJumpReg:
		a.push(ctx, pc+1+int(insn.Off), st)
		a.push(ctx, pc+1, st)
	case sbpf.FmtCall:
		a.call(ctx, pc, st, insn)
	case sbpf.FmtCallx:
		a.parentWrote(pc, st)
		a.report(PairIndirectCall, pc, st, "indirect call: the callee is not known statically and may spawn or join")
		st.tainted, st.foreign = true, true
		st.regs[0], st.regs[1], st.regs[2], st.regs[3], st.regs[4], st.regs[5] = 0, 0, 0, 0, 0, 0
		st.slots = [laneMaxSlots]lslot{}
		a.push(ctx, pc+1, st)
	case sbpf.FmtStoreImm, sbpf.FmtStoreReg:
		if insn.Dst != sbpf.FramePointerReg {
			a.parentWrote(pc, st) // r10-relative stores stay in the lane's own stack
		}
		if insn.Dst == sbpf.FramePointerReg {
			if info.Format == sbpf.FmtStoreReg && info.Size == 8 && insn.Src < 10 {
				st.setSlot(insn.Off, st.regs[insn.Src])
			} else {
				st.clearSlots(int(insn.Off), info.Size)
			}
		} else {
			// It may point into this frame (or a caller's).
			st.slots = [laneMaxSlots]lslot{}
			st.foreign = true
		}
		a.push(ctx, pc+1, st)
	case sbpf.FmtLoad:
		v := int8(0)
		if insn.Src == sbpf.FramePointerReg && info.Size == 8 {
			v = st.slot(insn.Off)
		}
		setReg(insn.Dst, v)
		a.push(ctx, pc+1, st)
	default:
		if op == sbpf.OpInvalid {
			return
		}
		if insn.Dst == sbpf.FramePointerReg {
			st.slots = [laneMaxSlots]lslot{} // r10 moved (dynamic frames)
			a.push(ctx, pc+1, st)
			return
		}
		v := int8(0)
		if (op == sbpf.OpMov64Reg || op == sbpf.OpMov32Reg) && insn.Src < 10 {
			v = st.regs[insn.Src] // handles fit in 32 bits
		}
		setReg(insn.Dst, v)
		a.push(ctx, pc+1, st)
	}
}

func (a *lanes) call(ctx int32, pc int, st lstate, insn sbpf.Instruction) {
	imm := uint32(insn.Imm)
	if !a.v.StaticSyscalls() || insn.Src == 0 {
		switch imm {
		case a.spawn:
			a.doSpawn(ctx, pc, st)
			return
		case a.join:
			a.doJoin(ctx, pc, st)
			return
		case a.fence:
			for i := range st.kids {
				if st.kids[i].flags&kidUsed != 0 {
					st.kids[i].flags |= kidMerged | kidReleased
				}
			}
			st.regs[0] = 0
			a.push(ctx, pc+1, st)
			return
		}
		if slices.Contains(a.noReturn, imm) {
			return
		}
		syscalls := a.opts.Syscalls
		sys := syscalls != nil && syscalls.HasSyscall(imm)
		if !sys && !a.v.StaticSyscalls() {
			if target, ok := a.opts.Functions[imm]; ok {
				a.callLocal(ctx, pc, st, target)
				return
			}
		}
		if sys || syscalls == nil {
			// A syscall returns in r0 and keeps r1-r5; one that writes
			// memory may write this frame.
			a.parentWrote(pc, st)
			st.regs[0] = 0
			st.slots = [laneMaxSlots]lslot{}
			st.foreign = true
			a.push(ctx, pc+1, st)
		}
		return // unresolved: the VM faults
	}
	if insn.Src == 1 {
		a.callLocal(ctx, pc, st, pc+1+int(insn.Imm))
	}
}

func (a *lanes) doSpawn(ctx int32, pc int, st lstate) {
	live, free, next := 0, -1, 0
	for i, k := range st.kids {
		switch {
		case k.flags&kidUsed == 0:
			if free < 0 {
				free = i
			}
		default:
			next = max(next, int(k.ord)+1)
			if k.flags&kidReleased == 0 {
				live++
			}
		}
	}
	if live >= laneMaxTasks {
		return // TooManyTasks: the path faults
	}
	if _, ok := a.targets[pc]; !ok {
		why := a.unres[pc]
		if why == "" {
			why = "the child's function is not known"
		}
		a.report(PairUnresolvedSpawn, pc, st, "spawn: "+why+"; the child's own pairing and writes are not analysed")
	}
	for _, k := range st.kids {
		if k.flags&kidUsed != 0 && k.flags&kidMerged == 0 {
			p := [2]int32{k.spawn, int32(pc)}
			if p[0] > p[1] {
				p[0], p[1] = p[1], p[0]
			}
			a.pairs[p] = true
		}
	}
	if free < 0 {
		a.report(PairAnalysisLimit, pc, lstate{tainted: true}, fmt.Sprintf("more than %d children to track at once", laneMaxTracked))
		return
	}
	st.kids[free] = kid{spawn: int32(pc), ord: uint8(next), flags: kidUsed}
	st.regs[0] = int8(free + 1)
	a.push(ctx, pc+1, st)
}

func (a *lanes) doJoin(ctx int32, pc int, st lstate) {
	ref := st.regs[1]
	if ref == 0 {
		a.report(PairUntrackedHandle, pc, st, "join of a handle the analysis cannot trace to a spawn; the pairing of what follows is not provable")
		st.tainted = true
		st.regs[0] = 0
		a.push(ctx, pc+1, st)
		return
	}
	k := &st.kids[ref-1]
	if k.flags&kidJoined != 0 {
		a.report(PairInvalidHandle, pc, st, fmt.Sprintf("join of the child spawned at pc %d, already joined", k.spawn))
		return // the VM faults
	}
	ord := k.ord
	for i := range st.kids {
		if st.kids[i].flags&kidUsed != 0 && st.kids[i].ord <= ord {
			st.kids[i].flags |= kidMerged
		}
	}
	k.flags |= kidJoined | kidReleased
	st.regs[0] = 0
	a.push(ctx, pc+1, st)
}

// callLocal enters target with the caller's children and registers, its
// references pinned and its stack slots left behind.
func (a *lanes) callLocal(ctx int32, pc int, st lstate, target int) {
	in := st
	in.pinned |= st.refs()
	in.slots = [laneMaxSlots]lslot{}
	in.foreign = false
	in.norm()
	a.flow.callLocal(ctx, pc, st, in, target)
}

// laneReturn is the caller's state after a call returned in exit: the
// callee's children and r0-r5, the caller's r6-r9 (the VM restores them)
// and stack slots (unless the callee stored through a pointer).
func laneReturn(caller, exit lstate) lstate {
	out := exit
	copy(out.regs[6:], caller.regs[6:])
	out.pinned = caller.pinned
	out.tainted = caller.tainted || exit.tainted
	out.foreign = caller.foreign || exit.foreign
	out.slots = caller.slots
	if exit.foreign {
		out.slots = [laneMaxSlots]lslot{}
	}
	return out
}

// span is a written byte range [lo, hi) of one region, and the pc writing it.
type span struct {
	reg    absint.Region
	lo, hi uint64
	pc     int
}

// writes bounds what the child function at pc f writes to the heap and
// input region, or says why it cannot.
func (a *lanes) writes(f int) ([]span, string) {
	fn := a.fns[f]
	if fn == nil || fn.err != nil {
		if fn != nil && errors.Is(fn.err, absint.ErrLimit) {
			return nil, fmt.Sprintf("the abstract interpretation of the child at pc %d reached its step bound", f)
		}
		return nil, fmt.Sprintf("the child at pc %d is not analysed", f)
	}
	ai := fn.ai
	if len(ai.Unknown) > 0 {
		u := ai.Unknown[0]
		return nil, fmt.Sprintf("in the child at pc %d, pc %d: %s", f, u.PC, u.Message)
	}
	for pc := 0; pc < a.n; pc++ {
		if ai.Reached[pc] && a.isSyscall(sbpf.Decode(a.text[pc*sbpf.InsnSize:]), a.spawn) {
			return nil, fmt.Sprintf("the child at pc %d spawns children of its own (pc %d), whose writes merge into it", f, pc)
		}
	}
	var out []span
	for _, w := range ai.Writes {
		switch w.Region {
		case absint.RStack, absint.RArg, absint.RRodata:
			continue // private, or a fault
		case absint.RHeap, absint.RInput:
			if w.Atomic {
				continue
			}
			hi := uint64(math.MaxUint64)
			if w.Off.Umax <= math.MaxUint64-w.Size {
				hi = w.Off.Umax + w.Size
			}
			out = append(out, span{w.Region, w.Off.Umin, hi, w.PC})
		default:
			return nil, fmt.Sprintf("in the child at pc %d, pc %d may write through a pointer the analysis cannot place", f, w.PC)
		}
	}
	return out, ""
}

// parentWrote records that the lane may write memory at pc while the
// children st names are not merged.
func (a *lanes) parentWrote(pc int, st lstate) {
	for _, k := range st.kids {
		if k.flags&kidUsed != 0 && k.flags&kidMerged == 0 {
			a.parent[[2]int32{k.spawn, int32(pc)}] = true
		}
	}
}

// writesAt bounds what the instruction at pc writes to the heap and the
// input region, in every analysed lane that reaches it, or says why it
// cannot.
func (a *lanes) writesAt(pc int) ([]span, string) {
	var out []span
	for _, r := range a.runs {
		if r.err != nil {
			return nil, fmt.Sprintf("the abstract interpretation stopped: %v", r.err)
		}
		if !r.ai.Reached[pc] {
			continue
		}
		for _, u := range r.ai.Unknown {
			if u.PC == pc {
				return nil, fmt.Sprintf("pc %d: %s", pc, u.Message)
			}
		}
		for _, w := range r.ai.Writes {
			if w.PC != pc {
				continue
			}
			switch w.Region {
			case absint.RStack, absint.RArg, absint.RRodata:
			case absint.RHeap, absint.RInput:
				hi := uint64(math.MaxUint64)
				if w.Off.Umax <= math.MaxUint64-w.Size {
					hi = w.Off.Umax + w.Size
				}
				out = append(out, span{w.Region, w.Off.Umin, hi, pc})
			default:
				return nil, fmt.Sprintf("pc %d may write through a pointer the analysis cannot place", pc)
			}
		}
	}
	return out, ""
}

func (a *lanes) overlaps() []Overlap {
	var keys [][2]int32
	for p := range a.pairs {
		keys = append(keys, p)
	}
	slices.SortFunc(keys, func(x, y [2]int32) int { return cmp.Or(cmp.Compare(x[0], y[0]), cmp.Compare(x[1], y[1])) })
	var out []Overlap
	for _, p := range keys {
		o := Overlap{SpawnA: int(p[0]), SpawnB: int(p[1])}
		o.Verdict, o.Message = a.overlap(int(p[0]), int(p[1]))
		out = append(out, o)
	}
	// The lane's own writes while a child runs: grouped per spawn, the
	// first possible overlap (or reason for unknown) reported.
	byspawn := map[int32][]int32{}
	for p := range a.parent {
		byspawn[p[0]] = append(byspawn[p[0]], p[1])
	}
	var spawns []int32
	for sp := range byspawn {
		spawns = append(spawns, sp)
	}
	slices.Sort(spawns)
	for _, sp := range spawns {
		pcs := byspawn[sp]
		slices.Sort(pcs)
		o := Overlap{SpawnA: int(sp), SpawnB: int(sp), Parent: true}
		o.Verdict, o.Message = a.parentOverlap(int(sp), pcs)
		out = append(out, o)
	}
	return out
}

// parentOverlap decides whether the child of the spawn at sp and the
// lane's writes at pcs (made while the child runs) may touch one byte.
func (a *lanes) parentOverlap(sp int, pcs []int32) (OverlapVerdict, string) {
	f, ok := a.targets[sp]
	if !ok {
		return OverlapUnknown, fmt.Sprintf("the function of the spawn at pc %d is not known: %s", sp, a.unres[sp])
	}
	child, why := a.writes(f)
	if why != "" {
		return OverlapUnknown, why
	}
	if len(child) == 0 {
		return OverlapDisjoint, "the child writes no heap or input byte, so the lane's own writes while it runs cannot conflict"
	}
	var unknown string
	for _, pc := range pcs {
		ws, why := a.writesAt(int(pc))
		if why != "" {
			if unknown == "" {
				unknown = "the lane writes memory while the child runs and the analysis cannot bound it: " + why
			}
			continue
		}
		for _, x := range child {
			for _, y := range ws {
				if x.reg == y.reg && x.lo < y.hi && y.lo < x.hi {
					return OverlapPossible, fmt.Sprintf("the child (pc %d) and the lane itself (pc %d), while the child runs, may both write %s bytes [%d, %d): a possible LaneWriteConflict",
						x.pc, y.pc, x.reg, max(x.lo, y.lo), min(x.hi, y.hi))
				}
			}
		}
	}
	if unknown != "" {
		return OverlapUnknown, unknown
	}
	return OverlapDisjoint, "the lane's own writes while the child runs are disjoint from the child's"
}

func (a *lanes) overlap(pa, pb int) (OverlapVerdict, string) {
	var sets [2][]span
	for i, pc := range []int{pa, pb} {
		f, ok := a.targets[pc]
		if !ok {
			return OverlapUnknown, fmt.Sprintf("the function of the spawn at pc %d is not known: %s", pc, a.unres[pc])
		}
		w, why := a.writes(f)
		if why != "" {
			return OverlapUnknown, why
		}
		sets[i] = w
	}
	for _, x := range sets[0] {
		for _, y := range sets[1] {
			if x.reg == y.reg && x.lo < y.hi && y.lo < x.hi {
				lo, hi := max(x.lo, y.lo), min(x.hi, y.hi)
				return OverlapPossible, fmt.Sprintf("both may write %s bytes [%d, %d) (pc %d and pc %d): a possible LaneWriteConflict", x.reg, lo, hi, x.pc, y.pc)
			}
		}
	}
	return OverlapDisjoint, "their heap and input writes are disjoint"
}
