package absint

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/extnames"
)

// Region is a memory region a pointer points into.
type Region uint8

// Regions.
const (
	RNone   Region = iota
	RStack         // the current function's stack frame; offset 0 is its lowest byte
	RHeap          // the heap; offset 0 is its first byte
	RInput         // the input region; offset 0 is its first byte
	RRodata        // read-only data; offset 0 is its first byte
	RArg           // a lane child's private argument buffer (Program.Child); offset 0 is its first byte
)

var regionNames = [...]string{"none", "stack", "heap", "input", "rodata", "arg"}

func (r Region) String() string {
	if int(r) < len(regionNames) {
		return regionNames[r]
	}
	return fmt.Sprintf("Region(%d)", uint8(r))
}

// Kind says what a register holds.
type Kind uint8

// Kinds of values.
const (
	VAny    Kind = iota // anything: a number or a pointer of unknown provenance
	VScalar             // a number, N
	VPtr                // a pointer into Reg at offset N
)

// Val is an abstract register value.
type Val struct {
	Kind Kind
	Reg  Region
	N    Num
}

// Any is a value of unknown kind.
var Any = Val{Kind: VAny, N: TopNum}

func scalar(n Num) Val          { return Val{Kind: VScalar, N: n} }
func ptr(r Region, off Num) Val { return Val{Kind: VPtr, Reg: r, N: off} }

func joinVal(a, b Val) Val {
	if a.Kind != b.Kind || a.Reg != b.Reg || a.Kind == VAny {
		return Any
	}
	return Val{a.Kind, a.Reg, Join(a.N, b.N)}
}

func widenVal(old, nw Val, th []uint64) Val {
	j := joinVal(old, nw)
	if j.Kind == VAny {
		return j
	}
	w := Widen(old.N, j.N)
	// Widening with thresholds: a bound that grew stops at the next
	// constant the program compares against, when there is one, so a
	// loop counter keeps its loop's bound.
	if w.Umax > j.N.Umax {
		if i, _ := slices.BinarySearch(th, j.N.Umax); i < len(th) {
			w.Umax = th[i]
		}
	}
	if w.Smax > j.N.Smax && j.N.Smax >= 0 {
		if i, _ := slices.BinarySearch(th, uint64(j.N.Smax)); i < len(th) && th[i] <= math.MaxInt64 {
			w.Smax = int64(th[i])
		}
	}
	w.T = Tnum{0, math.MaxUint64}
	j.N = w.reduce()
	return j
}

func leqVal(a, b Val) bool {
	if b.Kind == VAny {
		return true
	}
	return a.Kind == b.Kind && a.Reg == b.Reg && Leq(a.N, b.N)
}

// state is the abstract machine state at an instruction.
type state struct {
	regs  [11]Val
	slots map[int64]Val // 8-byte stack slots written by 8-byte stores, by frame offset
	// shared: slots may be another state's too (copy on write, since most
	// instructions do not touch them and copying them dominated the run).
	shared bool
}

func (s *state) clone() *state {
	s.shared = true
	return &state{regs: s.regs, slots: s.slots, shared: true}
}

// own makes s's slots its own, before a change.
func (s *state) own() {
	if s.shared {
		s.slots, s.shared = maps.Clone(s.slots), false
	}
}

// clearSlots forgets every slot.
func (s *state) clearSlots() { s.slots, s.shared = map[int64]Val{}, false }

// join returns the join (or widening) of old and nw and whether it grew.
func join(old, nw *state, widen bool, th []uint64) (*state, bool) {
	// Most joins at a visited pc add nothing: decide that before building
	// a state.
	grew := false
	for i := range old.regs {
		if !leqVal(nw.regs[i], old.regs[i]) {
			grew = true
			break
		}
	}
	if !grew {
		for k, ov := range old.slots {
			if nv, ok := nw.slots[k]; !ok || !leqVal(nv, ov) {
				grew = true
				break
			}
		}
	}
	if !grew {
		return old, false
	}
	out := &state{slots: make(map[int64]Val, len(old.slots))}
	for i := range old.regs {
		if widen {
			out.regs[i] = widenVal(old.regs[i], nw.regs[i], th)
		} else {
			out.regs[i] = joinVal(old.regs[i], nw.regs[i])
		}
	}
	for k, ov := range old.slots {
		nv, ok := nw.slots[k]
		if !ok {
			continue
		}
		if widen {
			out.slots[k] = widenVal(ov, nv, th)
		} else {
			out.slots[k] = joinVal(ov, nv)
		}
	}
	return out, grew
}

// Layout describes the memory the program starts with.
type Layout struct {
	// InputLen is the input region's length, or -1 when unknown (raw
	// mode): accesses are then proven only for inputs long enough, and
	// the analysis reports how long.
	InputLen int
	// Input holds the input bytes whose values are fixed whatever the
	// caller passes (Solana's serialization headers, with --accounts);
	// InputKnown marks which of them are. Loads entirely within known
	// bytes give constants.
	Input      []byte
	InputKnown []bool
	// HeapSize is the heap's length.
	HeapSize int
	// ROData is the read-only region and RODataVAddr its address.
	ROData      []byte
	RODataVAddr uint64
	// ArgLen is the length of a lane child's argument buffer (Program.Child),
	// or -1 when unknown.
	ArgLen int
}

// Program is what the analysis reads.
type Program struct {
	Version   sbpf.Version
	Text      []byte
	Entry     int
	Functions map[uint32]int
	// Syscalls names the syscall a hash stands for; nil knows none
	// beyond the ones this package models by name.
	Syscalls func(hash uint32) (string, bool)
	// Child: Entry is a lane child's function (ext/lanes), entered as the
	// child is: r1 points at its private argument buffer (region RArg),
	// the other registers are unknown.
	Child bool
}

// Access is the verdict on one instruction that touches memory.
type Access struct {
	PC     int
	Store  bool
	Proven bool
	// Region is the region the address points into when that is known
	// on every path (RNone otherwise).
	Region Region
	// Reason says why it may fault (empty when proven).
	Reason string
	// Path is a sequence of pcs from the entry to PC (function entries
	// of callees start their own path).
	Path []int
	// Off is the range of offsets, in Region, a write starts at (over
	// every visit), and Size the most bytes it touches (2^64-1 when
	// unbounded); set in Result.Writes only, where Region is not RNone.
	Off  Num
	Size uint64
	// Atomic: a lane atomic (agora_atomic_*), whose writes merge by replay
	// and never conflict (Result.Writes only).
	Atomic bool
}

// Result is the outcome of Analyze.
type Result struct {
	Accesses []Access // sorted by pc
	// Writes lists, per instruction that may write memory (a store, or a
	// syscall's output), the region and offsets it may write; sorted by
	// pc.
	Writes []Access
	// NeedInput is the number of input bytes the proven input accesses
	// need (raw mode), 0 when none.
	NeedInput int
	// HeapEnd is one past the highest heap byte a proven access touches
	// (0 when none).
	HeapEnd int
	// Unknown lists what the analysis could not model (indirect calls,
	// syscalls whose memory use it does not know), by pc.
	Unknown []Note
	// Reached marks the instructions some abstract state reaches.
	Reached []bool
	// Before gives, per pc, the joined state at the instruction (nil
	// where unreached), for later analyses that need pointer targets.
	before []*state
	// States is the number of instruction visits.
	States int
}

// Note is an instruction the analysis could not model.
type Note struct {
	PC      int
	Message string
}

// RegAt returns the abstract value of register r before pc.
func (r *Result) RegAt(pc int, reg uint8) (Val, bool) {
	if pc < 0 || pc >= len(r.before) || r.before[pc] == nil || reg > 10 {
		return Any, false
	}
	return r.before[pc].regs[reg], true
}

// ErrLimit: the analysis exceeded its step bound.
var ErrLimit = errors.New("absint: step bound reached")

// Options bound the analysis.
type Options struct {
	// MaxSteps bounds instruction visits; 0 means 1<<22.
	MaxSteps int
	// WidenAfter is the number of visits of an instruction after which
	// joins there widen; 0 means 3.
	WidenAfter int
}

type analysis struct {
	p       *Program
	l       *Layout
	n       int
	opts    Options
	in      []*state // per pc, joined over all callers' contexts (one context per function)
	visits  []int
	parent  []int32
	work    []int
	inWork  []bool
	acc     map[int]*Access
	wr      map[int]*Access
	unknown map[int]string
	funcs   map[int]bool // function entries queued
	need    int
	heapEnd int
	steps   int
	known   map[uint32]syscallModel
	// thresholds are the widening stops: every jump immediate and its
	// neighbours, sorted.
	thresholds []uint64
}

// Analyze runs the abstract interpretation.
func Analyze(p *Program, l *Layout, opts Options) (*Result, error) {
	if len(p.Text)%sbpf.InsnSize != 0 {
		return nil, fmt.Errorf("absint: text length %d is not a multiple of %d", len(p.Text), sbpf.InsnSize)
	}
	if !p.Version.Valid() {
		return nil, fmt.Errorf("absint: unknown sBPF version %s", p.Version)
	}
	if opts.MaxSteps <= 0 {
		opts.MaxSteps = 1 << 22
	}
	if opts.WidenAfter <= 0 {
		opts.WidenAfter = 3
	}
	n := len(p.Text) / sbpf.InsnSize
	a := &analysis{p: p, l: l, n: n, opts: opts,
		in: make([]*state, n), visits: make([]int, n), parent: make([]int32, n), inWork: make([]bool, n),
		acc: map[int]*Access{}, wr: map[int]*Access{}, unknown: map[int]string{}, funcs: map[int]bool{}, known: syscallModels()}
	for i := range a.parent {
		a.parent[i] = -1
	}
	for pc := 0; pc < n; pc++ {
		insn := sbpf.Decode(p.Text[pc*sbpf.InsnSize:])
		if f := p.Version.Lookup(insn.Op).Info().Format; f == sbpf.FmtJumpImm {
			c := uint64(int64(insn.Imm))
			a.thresholds = append(a.thresholds, c-1, c, c+1)
		}
	}
	slices.Sort(a.thresholds)
	a.thresholds = slices.Compact(a.thresholds)
	if p.Entry >= 0 && p.Entry < n {
		a.funcs[p.Entry] = true
		a.merge(p.Entry, -1, a.entryState(true))
	}
	for len(a.work) > 0 {
		// Lowest pc first keeps loops tight and the result deterministic.
		pc := a.work[0]
		i := 0
		for j, w := range a.work {
			if w < pc {
				pc, i = w, j
			}
		}
		a.work[i] = a.work[len(a.work)-1]
		a.work = a.work[:len(a.work)-1]
		a.inWork[pc] = false
		a.steps++
		if a.steps > opts.MaxSteps {
			return nil, ErrLimit
		}
		a.step(pc, a.in[pc].clone())
	}
	res := &Result{NeedInput: a.need, HeapEnd: a.heapEnd, Reached: make([]bool, n), before: a.in, States: a.steps}
	for pc := range a.in {
		res.Reached[pc] = a.in[pc] != nil
	}
	for _, x := range a.acc {
		res.Accesses = append(res.Accesses, *x)
	}
	slices.SortFunc(res.Accesses, func(x, y Access) int { return cmp.Compare(x.PC, y.PC) })
	for _, x := range a.wr {
		res.Writes = append(res.Writes, *x)
	}
	slices.SortFunc(res.Writes, func(x, y Access) int { return cmp.Compare(x.PC, y.PC) })
	for pc, m := range a.unknown {
		res.Unknown = append(res.Unknown, Note{pc, m})
	}
	slices.SortFunc(res.Unknown, func(x, y Note) int { return cmp.Compare(x.PC, y.PC) })
	return res, nil
}

func (a *analysis) entryState(top bool) *state {
	s := &state{slots: map[int64]Val{}}
	for i := range s.regs {
		if top {
			s.regs[i] = scalar(Const(0))
		} else {
			s.regs[i] = Any
		}
	}
	if top {
		s.regs[1] = ptr(RInput, Const(0))
		if a.p.Child {
			s.regs[1] = ptr(RArg, Const(0)) // ext/lanes zeroes the other registers
		}
	}
	if a.p.Version.DynamicFrames() {
		if top {
			s.regs[10] = ptr(RStack, Const(uint64(sbpf.StackFrameSize*sbpf.MaxCallDepth)))
		} else {
			s.regs[10] = Any
		}
	} else {
		s.regs[10] = ptr(RStack, Const(sbpf.StackFrameSize))
	}
	return s
}

// merge joins s into the state at pc and queues pc when it changed.
func (a *analysis) merge(pc, from int, s *state) {
	if pc < 0 || pc >= a.n {
		return
	}
	for _, v := range s.regs {
		if v.Kind != VAny && v.N.Empty() {
			return // infeasible
		}
	}
	old := a.in[pc]
	if old == nil {
		a.in[pc] = s
		a.parent[pc] = int32(from)
	} else {
		a.visits[pc]++
		nw, grew := join(old, s, a.visits[pc] > a.opts.WidenAfter, a.thresholds)
		if !grew {
			return
		}
		a.in[pc] = nw
	}
	if !a.inWork[pc] {
		a.inWork[pc] = true
		a.work = append(a.work, pc)
	}
}

func (a *analysis) path(pc int) []int {
	var p []int
	for cur := pc; cur >= 0 && len(p) < 4096; cur = int(a.parent[cur]) {
		p = append(p, cur)
	}
	slices.Reverse(p)
	return p
}

func (a *analysis) verdict(pc int, store bool, reason string, p Val, size Num) {
	r := p.Reg
	if p.Kind != VPtr {
		r = RNone
	}
	x, ok := a.acc[pc]
	if !ok {
		x = &Access{PC: pc, Store: store, Proven: true, Region: r}
		a.acc[pc] = x
	}
	if x.Region != r {
		x.Region = RNone
	}
	if reason != "" && x.Proven {
		x.Proven, x.Reason, x.Path = false, reason, a.path(pc)
	}
	if store {
		a.written(pc, r, p.N, size.Umax)
	}
}

// written records, apart from the verdicts, the memory a store or a
// syscall may write at pc.
func (a *analysis) written(pc int, r Region, off Num, size uint64) {
	w, ok := a.wr[pc]
	switch {
	case !ok:
		a.wr[pc] = &Access{PC: pc, Store: true, Region: r, Off: off, Size: size}
	case w.Region != r:
		w.Region = RNone
	default:
		w.Off, w.Size = Join(w.Off, off), max(w.Size, size)
	}
}

func (a *analysis) note(pc int, msg string) {
	if _, ok := a.unknown[pc]; !ok {
		a.unknown[pc] = msg
	}
}

func immVal(insn sbpf.Instruction) Num { return Const(uint64(int64(insn.Imm))) }

func (a *analysis) step(pc int, s *state) {
	insn := sbpf.Decode(a.p.Text[pc*sbpf.InsnSize:])
	op := a.p.Version.Lookup(insn.Op)
	info := op.Info()
	if op == sbpf.OpInvalid || !info.ValidIn(a.p.Version) || insn.Dst > 10 {
		return // faults
	}
	switch info.Format {
	case sbpf.FmtNone:
		return // exit: a local function's return is modelled at its call sites
	case sbpf.FmtLDDW:
		if pc+1 >= a.n {
			return
		}
		hi := sbpf.Decode(a.p.Text[(pc+1)*sbpf.InsnSize:])
		s.regs[insn.Dst] = scalar(Const(sbpf.LDDWImm(insn, hi)))
		a.merge(pc+2, pc, s)
	case sbpf.FmtLoad:
		if insn.Src > 10 {
			return
		}
		v := a.access(pc, s, s.regs[insn.Src], insn.Off, Const(uint64(info.Size)), false)
		s.regs[insn.Dst] = a.load(s, s.regs[insn.Src], insn.Off, info.Size, v)
		a.merge(pc+1, pc, s)
	case sbpf.FmtStoreImm, sbpf.FmtStoreReg:
		val := scalar(immVal(insn))
		if info.Format == sbpf.FmtStoreReg {
			if insn.Src > 10 {
				return
			}
			val = s.regs[insn.Src]
		}
		base := s.regs[insn.Dst]
		a.access(pc, s, base, insn.Off, Const(uint64(info.Size)), true)
		a.store(s, base, insn.Off, info.Size, val)
		a.merge(pc+1, pc, s)
	case sbpf.FmtALUImm, sbpf.FmtALUReg, sbpf.FmtUnary, sbpf.FmtEndian:
		if info.Format == sbpf.FmtALUReg && insn.Src > 10 {
			return
		}
		if insn.Dst == sbpf.FramePointerReg && !(a.p.Version.DynamicFrames() && op == sbpf.OpAdd64Imm) {
			return // r10 is read-only (the structural verifier rejects it)
		}
		s.regs[insn.Dst] = a.alu(op, info, insn, s)
		a.merge(pc+1, pc, s)
	case sbpf.FmtJa:
		a.merge(pc+1+int(insn.Off), pc, s)
	case sbpf.FmtJumpImm, sbpf.FmtJumpReg:
		if info.Format == sbpf.FmtJumpReg && insn.Src > 10 {
			return
		}
		t, f := a.branch(op, info, insn, s)
		if t != nil {
			a.merge(pc+1+int(insn.Off), pc, t)
		}
		if f != nil {
			a.merge(pc+1, pc, f)
		}
	case sbpf.FmtCall:
		a.call(pc, s, insn)
	case sbpf.FmtCallx:
		a.note(pc, "indirect call (callx): the callee is not known statically; its memory accesses are not analysed")
		a.havocCall(s)
		a.merge(pc+1, pc, s)
	}
}

// alu computes an ALU result.
func (a *analysis) alu(op sbpf.Op, info sbpf.OpInfo, insn sbpf.Instruction, s *state) Val {
	d := s.regs[insn.Dst]
	var src Val
	switch info.Format {
	case sbpf.FmtALUImm:
		src = scalar(immVal(insn))
	case sbpf.FmtALUReg:
		src = s.regs[insn.Src]
	}
	v := a.p.Version
	if v.ExplicitSignExtension() || v.SwapSubImmOperands() {
		// V2: ALU32 results are zero-extended, mov32 reg sign-extends, and
		// `sub dst, imm` computes imm - dst.
		num := d.Kind == VScalar && src.Kind == VScalar
		switch op {
		case sbpf.OpSub64Imm:
			if d.Kind == VScalar {
				return scalar(Sub(src.N, d.N))
			}
			return Any
		case sbpf.OpAdd32Imm, sbpf.OpAdd32Reg:
			if num {
				return scalar(Trunc32(Add(Trunc32(d.N), Trunc32(src.N))))
			}
			return scalar(URange(0, math.MaxUint32))
		case sbpf.OpSub32Imm:
			if num {
				return scalar(Trunc32(Sub(Trunc32(src.N), Trunc32(d.N))))
			}
			return scalar(URange(0, math.MaxUint32))
		case sbpf.OpSub32Reg:
			if num {
				return scalar(Trunc32(Sub(Trunc32(d.N), Trunc32(src.N))))
			}
			return scalar(URange(0, math.MaxUint32))
		case sbpf.OpMov32Reg:
			if src.Kind == VScalar {
				return scalar(SExt32(Trunc32(src.N)))
			}
			return scalar(TopNum)
		}
	}
	switch op {
	case sbpf.OpMov64Imm, sbpf.OpMov64Reg:
		return src
	case sbpf.OpAdd64Imm, sbpf.OpAdd64Reg:
		switch {
		case d.Kind == VPtr && src.Kind == VScalar:
			return ptr(d.Reg, Add(d.N, src.N))
		case d.Kind == VScalar && src.Kind == VPtr:
			return ptr(src.Reg, Add(d.N, src.N))
		case d.Kind == VScalar && src.Kind == VScalar:
			return scalar(Add(d.N, src.N))
		}
		return Any
	case sbpf.OpSub64Imm, sbpf.OpSub64Reg:
		switch {
		case d.Kind == VPtr && src.Kind == VScalar:
			return ptr(d.Reg, Sub(d.N, src.N))
		case d.Kind == VPtr && src.Kind == VPtr && d.Reg == src.Reg:
			return scalar(Sub(d.N, src.N))
		case d.Kind == VScalar && src.Kind == VScalar:
			return scalar(Sub(d.N, src.N))
		}
		return Any
	}
	// Everything else is arithmetic on numbers; a pointer operand loses
	// its provenance (a number is sound: it is checked as an address).
	if d.Kind != VScalar || (info.Format != sbpf.FmtUnary && info.Format != sbpf.FmtEndian && src.Kind != VScalar) {
		switch op {
		case sbpf.OpAdd32Imm, sbpf.OpAdd32Reg, sbpf.OpSub32Imm, sbpf.OpSub32Reg, sbpf.OpMul32Imm, sbpf.OpMul32Reg:
			return scalar(TopNum) // sign-extended before V2
		}
		if info.Is32 || op == sbpf.OpMov32Imm {
			return scalar(URange(0, math.MaxUint32))
		}
		return Any
	}
	x, y := d.N, src.N
	switch op {
	case sbpf.OpLmul64Imm, sbpf.OpLmul64Reg:
		return scalar(Mul(x, y))
	case sbpf.OpLmul32Imm, sbpf.OpLmul32Reg:
		return scalar(Trunc32(Mul(Trunc32(x), Trunc32(y))))
	case sbpf.OpUdiv64Imm, sbpf.OpUrem64Imm:
		y = Trunc32(y) // the immediate is zero-extended
		if op == sbpf.OpUdiv64Imm {
			return scalar(UDiv(x, y))
		}
		return scalar(UMod(x, y))
	case sbpf.OpUdiv64Reg:
		return scalar(UDiv(x, y))
	case sbpf.OpUrem64Reg:
		return scalar(UMod(x, y))
	case sbpf.OpUdiv32Imm, sbpf.OpUdiv32Reg:
		return scalar(UDiv(Trunc32(x), Trunc32(y)))
	case sbpf.OpUrem32Imm, sbpf.OpUrem32Reg:
		return scalar(UMod(Trunc32(x), Trunc32(y)))
	case sbpf.OpHor64Imm:
		return scalar(Or(x, Const(uint64(uint32(insn.Imm))<<32)))
	case sbpf.OpMul64Imm, sbpf.OpMul64Reg:
		return scalar(Mul(x, y))
	case sbpf.OpAnd64Imm, sbpf.OpAnd64Reg:
		return scalar(And(x, y))
	case sbpf.OpOr64Imm, sbpf.OpOr64Reg:
		return scalar(Or(x, y))
	case sbpf.OpXor64Imm, sbpf.OpXor64Reg:
		return scalar(Xor(x, y))
	case sbpf.OpLsh64Imm, sbpf.OpLsh64Reg, sbpf.OpRsh64Imm, sbpf.OpRsh64Reg, sbpf.OpArsh64Imm, sbpf.OpArsh64Reg:
		c, ok := y.IsConst()
		if !ok {
			return scalar(TopNum)
		}
		sh := uint(c & 63)
		switch op {
		case sbpf.OpLsh64Imm, sbpf.OpLsh64Reg:
			return scalar(Lsh(x, sh))
		case sbpf.OpRsh64Imm, sbpf.OpRsh64Reg:
			return scalar(Rsh(x, sh))
		}
		return scalar(Arsh(x, sh))
	case sbpf.OpDiv64Imm, sbpf.OpDiv64Reg:
		return scalar(UDiv(x, y))
	case sbpf.OpMod64Imm, sbpf.OpMod64Reg:
		return scalar(UMod(x, y))
	case sbpf.OpNeg64:
		return scalar(Neg(x))
	case sbpf.OpMov32Imm:
		return scalar(Trunc32(immVal(insn)))
	case sbpf.OpMov32Reg:
		return scalar(Trunc32(y))
	case sbpf.OpAdd32Imm, sbpf.OpAdd32Reg:
		return scalar(SExt32(Add(Trunc32(x), Trunc32(y))))
	case sbpf.OpSub32Imm, sbpf.OpSub32Reg:
		return scalar(SExt32(Sub(Trunc32(x), Trunc32(y))))
	case sbpf.OpMul32Imm, sbpf.OpMul32Reg:
		return scalar(SExt32(Mul(Trunc32(x), Trunc32(y))))
	case sbpf.OpAnd32Imm, sbpf.OpAnd32Reg:
		return scalar(Trunc32(And(x, y)))
	case sbpf.OpOr32Imm, sbpf.OpOr32Reg:
		return scalar(Trunc32(Or(x, y)))
	case sbpf.OpXor32Imm, sbpf.OpXor32Reg:
		return scalar(Trunc32(Xor(x, y)))
	case sbpf.OpRsh32Imm, sbpf.OpRsh32Reg:
		if c, ok := y.IsConst(); ok {
			return scalar(Rsh(Trunc32(x), uint(c&31)))
		}
		return scalar(URange(0, math.MaxUint32))
	case sbpf.OpDiv32Imm, sbpf.OpDiv32Reg:
		return scalar(UDiv(Trunc32(x), Trunc32(y)))
	case sbpf.OpMod32Imm, sbpf.OpMod32Reg:
		return scalar(UMod(Trunc32(x), Trunc32(y)))
	case sbpf.OpLe:
		switch insn.Imm {
		case 16:
			return scalar(And(x, Const(0xffff)))
		case 32:
			return scalar(Trunc32(x))
		}
		return scalar(x)
	case sbpf.OpBe:
		switch insn.Imm {
		case 16:
			return scalar(URange(0, 0xffff))
		case 32:
			return scalar(URange(0, math.MaxUint32))
		}
		return scalar(TopNum)
	}
	if info.Is32 {
		return scalar(URange(0, math.MaxUint32))
	}
	return scalar(TopNum)
}

// branch splits s into the taken and fall-through states (nil when
// infeasible).
func (a *analysis) branch(op sbpf.Op, info sbpf.OpInfo, insn sbpf.Instruction, s *state) (taken, fall *state) {
	d := s.regs[insn.Dst]
	var src Val
	if info.Format == sbpf.FmtJumpImm {
		src = scalar(immVal(insn))
	} else {
		src = s.regs[insn.Src]
	}
	taken, fall = s, s.clone()
	if info.Is32 || d.Kind != VScalar || src.Kind != VScalar {
		return taken, fall
	}
	dt, df := refine(op, d.N, src.N)
	st, sf := refineSwap(op, d.N, src.N)
	taken.regs[insn.Dst].N, fall.regs[insn.Dst].N = dt, df
	if info.Format == sbpf.FmtJumpReg && insn.Src != insn.Dst {
		taken.regs[insn.Src].N, fall.regs[insn.Src].N = st, sf
	}
	if dt.Empty() || st.Empty() {
		taken = nil
	}
	if df.Empty() || sf.Empty() {
		fall = nil
	}
	return taken, fall
}

func uLe(n Num, hi uint64) Num { m := n; m.Umax = min(m.Umax, hi); return m.reduce() }
func uGe(n Num, lo uint64) Num { m := n; m.Umin = max(m.Umin, lo); return m.reduce() }
func sLe(n Num, hi int64) Num  { m := n; m.Smax = min(m.Smax, hi); return m.reduce() }
func sGe(n Num, lo int64) Num  { m := n; m.Smin = max(m.Smin, lo); return m.reduce() }

var emptyNum = Num{1, 0, 1, 0, Tnum{}}

// refine narrows x (the left operand) for both outcomes of x op y.
func refine(op sbpf.Op, x, y Num) (t, f Num) {
	switch op {
	case sbpf.OpJeqImm, sbpf.OpJeqReg:
		t = Meet(x, y)
		f = x
		if c, ok := y.IsConst(); ok {
			if v, ok := x.IsConst(); ok && v == c {
				f = emptyNum
			} else if x.Umin == c {
				f = uGe(x, c+1)
			} else if x.Umax == c {
				f = uLe(x, c-1)
			}
		}
		return t, f
	case sbpf.OpJneImm, sbpf.OpJneReg:
		f, t = refine(sbpf.OpJeqImm, x, y)
		return t, f
	case sbpf.OpJgtImm, sbpf.OpJgtReg: // x > y
		t = x
		if y.Umin == math.MaxUint64 {
			t = emptyNum
		} else {
			t = uGe(x, y.Umin+1)
		}
		return t, uLe(x, y.Umax)
	case sbpf.OpJgeImm, sbpf.OpJgeReg:
		f = x
		if y.Umax == 0 {
			f = emptyNum
		} else {
			f = uLe(x, y.Umax-1)
		}
		return uGe(x, y.Umin), f
	case sbpf.OpJltImm, sbpf.OpJltReg:
		f, t = refine(sbpf.OpJgeImm, x, y)
		return t, f
	case sbpf.OpJleImm, sbpf.OpJleReg:
		f, t = refine(sbpf.OpJgtImm, x, y)
		return t, f
	case sbpf.OpJsgtImm, sbpf.OpJsgtReg:
		if y.Smin == math.MaxInt64 {
			t = emptyNum
		} else {
			t = sGe(x, y.Smin+1)
		}
		return t, sLe(x, y.Smax)
	case sbpf.OpJsgeImm, sbpf.OpJsgeReg:
		if y.Smax == math.MinInt64 {
			f = emptyNum
		} else {
			f = sLe(x, y.Smax-1)
		}
		return sGe(x, y.Smin), f
	case sbpf.OpJsltImm, sbpf.OpJsltReg:
		f, t = refine(sbpf.OpJsgeImm, x, y)
		return t, f
	case sbpf.OpJsleImm, sbpf.OpJsleReg:
		f, t = refine(sbpf.OpJsgtImm, x, y)
		return t, f
	}
	return x, x
}

// refineSwap narrows the right operand y of x op y.
func refineSwap(op sbpf.Op, x, y Num) (t, f Num) {
	var sw sbpf.Op
	switch op {
	case sbpf.OpJeqImm, sbpf.OpJeqReg, sbpf.OpJneImm, sbpf.OpJneReg:
		sw = op
	case sbpf.OpJgtImm, sbpf.OpJgtReg:
		sw = sbpf.OpJltImm
	case sbpf.OpJgeImm, sbpf.OpJgeReg:
		sw = sbpf.OpJleImm
	case sbpf.OpJltImm, sbpf.OpJltReg:
		sw = sbpf.OpJgtImm
	case sbpf.OpJleImm, sbpf.OpJleReg:
		sw = sbpf.OpJgeImm
	case sbpf.OpJsgtImm, sbpf.OpJsgtReg:
		sw = sbpf.OpJsltImm
	case sbpf.OpJsgeImm, sbpf.OpJsgeReg:
		sw = sbpf.OpJsleImm
	case sbpf.OpJsltImm, sbpf.OpJsltReg:
		sw = sbpf.OpJsgtImm
	case sbpf.OpJsleImm, sbpf.OpJsleReg:
		sw = sbpf.OpJsgeImm
	default:
		return y, y
	}
	return refine(sw, y, x)
}

// regionSize is the length of r, or -1 for the raw input (unknown).
func (a *analysis) regionSize(r Region) int64 {
	switch r {
	case RStack:
		if a.p.Version.DynamicFrames() {
			return sbpf.StackFrameSize * sbpf.MaxCallDepth
		}
		return sbpf.StackFrameSize
	case RHeap:
		return int64(a.l.HeapSize)
	case RInput:
		return int64(a.l.InputLen)
	case RRodata:
		return int64(len(a.l.ROData))
	case RArg:
		return int64(a.l.ArgLen)
	}
	return 0
}

// classify turns a numeric address range into a region and offset range.
func (a *analysis) classify(lo, hi uint64) (Region, Num, bool) {
	type rg struct {
		r     Region
		start uint64
	}
	for _, x := range []rg{{RHeap, sbpf.HeapStart}, {RInput, sbpf.InputStart}, {RRodata, a.l.RODataVAddr}} {
		if lo >= x.start && hi < x.start+sbpf.RegionSize && lo <= hi {
			return x.r, URange(lo-x.start, hi-x.start), true
		}
	}
	return RNone, Num{}, false
}

// access checks one memory access of size bytes (a range; its maximum is
// checked) at base+off and records the verdict. It returns the offset
// range accessed, in the region, when the base is known.
func (a *analysis) access(pc int, s *state, base Val, off int16, size Num, store bool) Val {
	reason := a.check(base, off, size, store)
	p := a.resolve(base, off)
	a.verdict(pc, store, reason, p, size)
	return p
}

// resolve gives base+off as a pointer when its region is known.
func (a *analysis) resolve(base Val, off int16) Val {
	switch base.Kind {
	case VPtr:
		return ptr(base.Reg, Add(base.N, Const(uint64(int64(off)))))
	case VScalar:
		n := Add(base.N, Const(uint64(int64(off))))
		if r, o, ok := a.classify(n.Umin, n.Umax); ok {
			return ptr(r, o)
		}
	}
	return Any
}

func (a *analysis) check(base Val, off int16, size Num, store bool) string {
	p := a.resolve(base, off)
	if p.Kind != VPtr {
		switch base.Kind {
		case VAny:
			return "the address is a value of unknown provenance (a function argument, a callee's result, or loaded from memory)"
		default:
			return fmt.Sprintf("the address %s is not within one mapped region", fmtRange(Add(base.N, Const(uint64(int64(off))))))
		}
	}
	if store && p.Reg == RRodata {
		return "store to the read-only region"
	}
	lo, hi := p.N.Smin, p.N.Smax
	if p.N.Smin < 0 && p.N.Umax <= math.MaxInt64 {
		lo = int64(p.N.Umin)
	}
	if p.N.Umax <= math.MaxInt64 {
		hi = min(hi, int64(p.N.Umax))
	}
	if lo < 0 {
		return fmt.Sprintf("offset %s may lie before the start of the %s region", fmtRange(p.N), p.Reg)
	}
	if size.Umax > 1<<32 || hi > 1<<40 {
		return fmt.Sprintf("offset %s (size up to %s) is not bounded within the %s region", fmtRange(p.N), fmtU(size.Umax), p.Reg)
	}
	end := hi + int64(size.Umax)
	lim := a.regionSize(p.Reg)
	if p.Reg == RInput && lim < 0 {
		a.need = max(a.need, int(end))
		return ""
	}
	if p.Reg == RArg && lim < 0 {
		return "the child's argument length is not known"
	}
	if end > lim {
		return fmt.Sprintf("bytes up to offset %d may be accessed but the %s region holds %d", end, p.Reg, lim)
	}
	if p.Reg == RHeap {
		a.heapEnd = max(a.heapEnd, int(end))
	}
	return ""
}

func fmtU(x uint64) string {
	if x == math.MaxUint64 {
		return "2^64-1"
	}
	return fmt.Sprint(x)
}

func fmtRange(n Num) string {
	if c, ok := n.IsConst(); ok {
		return fmt.Sprintf("%d", int64(c))
	}
	if n.Smin >= -1<<40 && n.Smax <= 1<<40 {
		return fmt.Sprintf("[%d, %d]", n.Smin, n.Smax)
	}
	return fmt.Sprintf("[%s, %s] (unsigned)", fmtU(n.Umin), fmtU(n.Umax))
}

// load gives the value a load of size bytes reads at p.
func (a *analysis) load(s *state, base Val, off int16, size int, p Val) Val {
	small := scalar(URange(0, uint64(1)<<(8*size)-1))
	if size == 8 {
		small = scalar(TopNum)
	}
	if p.Kind != VPtr {
		if size == 8 {
			return Any
		}
		return small
	}
	c, ok := p.N.IsConst()
	switch p.Reg {
	case RStack:
		if ok && size == 8 {
			if v, ok := s.slots[int64(c)]; ok {
				return v
			}
			return Any
		}
		return small
	case RInput:
		if ok && a.l.InputKnown != nil && int(c)+size <= len(a.l.Input) && c < 1<<40 {
			var x uint64
			for i := size - 1; i >= 0; i-- {
				if !a.l.InputKnown[int(c)+i] {
					return small
				}
				x = x<<8 | uint64(a.l.Input[int(c)+i])
			}
			return scalar(Const(x))
		}
		return small
	case RRodata:
		if ok && int(c)+size <= len(a.l.ROData) && c < 1<<40 {
			var x uint64
			for i := size - 1; i >= 0; i-- {
				x = x<<8 | uint64(a.l.ROData[int(c)+i])
			}
			return scalar(Const(x))
		}
		return small
	case RHeap:
		if size == 8 {
			return Any
		}
	}
	return small
}

// store records a store into the stack frame's slots.
func (a *analysis) store(s *state, base Val, off int16, size int, v Val) {
	p := a.resolve(base, off)
	if p.Kind != VPtr {
		if base.Kind == VAny {
			s.clearSlots() // it may have been a pointer into this frame
		}
		return
	}
	if p.Reg != RStack {
		if v.Kind == VPtr && v.Reg == RStack {
			s.clearSlots() // the frame escapes; later stores through it are not tracked
		}
		return
	}
	lo, hi := p.N.Smin, p.N.Smax+int64(size)
	s.own()
	for k := range s.slots {
		if k+8 > lo && k < hi {
			delete(s.slots, k)
		}
	}
	if c, ok := p.N.IsConst(); ok && size == 8 {
		s.slots[int64(c)] = v
	}
}

// havocCall models a local or indirect call's effect on the caller.
func (a *analysis) havocCall(s *state) {
	for r := 0; r <= 5; r++ {
		if s.regs[r].Kind == VPtr && s.regs[r].Reg == RStack {
			s.clearSlots()
		}
		s.regs[r] = Any
	}
}

func (a *analysis) call(pc int, s *state, insn sbpf.Instruction) {
	v := a.p.Version
	imm := uint32(insn.Imm)
	if !v.StaticSyscalls() || insn.Src == 0 {
		name, isSys := "", false
		if a.p.Syscalls != nil {
			name, isSys = a.p.Syscalls(imm)
		}
		if m, ok := a.known[imm]; ok {
			name, isSys = m.name, true
		}
		if !isSys && !v.StaticSyscalls() {
			if target, ok := a.p.Functions[imm]; ok {
				a.callLocal(pc, s, target)
				return
			}
		}
		if isSys || a.p.Syscalls == nil || v.StaticSyscalls() {
			a.syscall(pc, s, imm, name)
		}
		return
	}
	if insn.Src == 1 {
		a.callLocal(pc, s, pc+1+int(insn.Imm))
	}
}

func (a *analysis) callLocal(pc int, s *state, target int) {
	if target < 0 || target >= a.n {
		return
	}
	// The callee is analysed once, from the join of its callers' argument
	// registers; a pointer into the caller's frame is not one into the
	// callee's, so it becomes a value of unknown provenance.
	a.funcs[target] = true
	entry := a.entryState(false)
	for r := 1; r <= 5; r++ {
		if v := s.regs[r]; !(v.Kind == VPtr && v.Reg == RStack) {
			entry.regs[r] = v
		}
	}
	a.merge(target, pc, entry)
	a.havocCall(s)
	a.merge(pc+1, pc, s)
}

func (a *analysis) syscall(pc int, s *state, hash uint32, name string) {
	m, ok := a.known[hash]
	if !ok {
		if name == "" {
			name = fmt.Sprintf("syscall %#x", hash)
		}
		a.note(pc, fmt.Sprintf("%s: its memory use is not modelled", name))
		for r := 1; r <= 5; r++ {
			if s.regs[r].Kind == VPtr && s.regs[r].Reg == RStack || s.regs[r].Kind == VAny {
				s.clearSlots()
			}
		}
		s.regs[0] = scalar(TopNum)
		a.merge(pc+1, pc, s)
		return
	}
	if m.noReturn {
		return
	}
	for _, mem := range m.mem {
		size := Const(uint64(mem.size))
		if mem.lenReg != 0 {
			size = s.regs[mem.lenReg].N
			if s.regs[mem.lenReg].Kind != VScalar {
				size = TopNum
			}
		}
		if size.Umax == 0 {
			continue
		}
		base := s.regs[mem.ptrReg]
		a.verdict(pc, mem.write, a.check(base, 0, size, mem.write), a.resolve(base, 0), size)
		if mem.atomic {
			a.wr[pc].Atomic = true
		}
		if mem.write {
			p := a.resolve(base, 0)
			if p.Kind != VPtr || p.Reg == RStack {
				s.clearSlots()
			}
		}
	}
	s.regs[0] = scalar(TopNum)
	a.merge(pc+1, pc, s)
}

// syscallModel is what the analysis knows of a syscall.
type syscallModel struct {
	name     string
	noReturn bool
	mem      []memArg
}

// memArg is a memory range a syscall reads or writes: [reg ptrReg, +size)
// or [reg ptrReg, +reg lenReg).
type memArg struct {
	ptrReg, lenReg uint8
	size           int
	write          bool
	atomic         bool // a lane atomic: 8 aligned writable bytes, exempt from merge conflicts
}

// SyscallNames lists the syscalls whose memory use the analysis models.
func SyscallNames() []string {
	var out []string
	for _, m := range syscallModels() {
		out = append(out, m.name)
	}
	slices.Sort(out)
	return out
}

func syscallModels() map[uint32]syscallModel {
	ms := []syscallModel{
		{name: "abort", noReturn: true},
		{name: "sol_panic_", noReturn: true},
		{name: "sol_log_", mem: []memArg{{ptrReg: 1, lenReg: 2}}},
		{name: "sol_log_64_"},
		{name: "sol_log_compute_units_"},
		{name: "sol_remaining_compute_units"},
		{name: "sol_log_pubkey", mem: []memArg{{ptrReg: 1, size: 32}}},
		{name: "sol_memcpy_", mem: []memArg{{ptrReg: 1, lenReg: 3, write: true}, {ptrReg: 2, lenReg: 3}}},
		{name: "sol_memmove_", mem: []memArg{{ptrReg: 1, lenReg: 3, write: true}, {ptrReg: 2, lenReg: 3}}},
		{name: "sol_memset_", mem: []memArg{{ptrReg: 1, lenReg: 3, write: true}}},
		{name: "sol_memcmp_", mem: []memArg{{ptrReg: 1, lenReg: 3}, {ptrReg: 2, lenReg: 3}, {ptrReg: 4, size: 4, write: true}}},
		{name: "sol_set_return_data", mem: []memArg{{ptrReg: 1, lenReg: 2}}},
		{name: extnames.Declassify, mem: []memArg{{ptrReg: 1, lenReg: 2}}},
		{name: extnames.TxBegin},
		{name: extnames.TxCommit},
		{name: extnames.TxAbort},
		{name: extnames.TxTest},
		{name: extnames.ParallelSpawn, mem: []memArg{{ptrReg: 2, lenReg: 3}}},
		{name: extnames.ParallelJoin, mem: []memArg{{ptrReg: 2, lenReg: 3, write: true}}},
		{name: extnames.ParallelFence},
		{name: extnames.AtomicLoad, mem: []memArg{{ptrReg: 1, size: 8, write: true, atomic: true}}},
		{name: extnames.AtomicStore, mem: []memArg{{ptrReg: 1, size: 8, write: true, atomic: true}}},
		{name: extnames.AtomicCAS, mem: []memArg{{ptrReg: 1, size: 8, write: true, atomic: true}}},
	}
	out := make(map[uint32]syscallModel, len(ms))
	for _, m := range ms {
		out[sbpf.SyscallHash(m.name)] = m
	}
	return out
}
