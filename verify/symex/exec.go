package symex

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/go-air/gini/logic"
	"github.com/go-air/gini/z"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/extnames"
	"github.com/agora-vm/agora/verify/econ"
)

// Account is where one account's fields lie in the input region, for the
// economic checks.
type Account struct {
	LamportsOff int
	DataOff     int
	DataLen     int
	// Owned: the program owns the account (it may debit it).
	Owned bool
	// Dup: a duplicate entry of an earlier account (the same fields); it
	// is not counted twice in sums.
	Dup bool
}

// Config is what to execute and how far.
type Config struct {
	Version   sbpf.Version
	Text      []byte
	Entry     int
	Functions map[uint32]int
	Syscalls  func(hash uint32) (string, bool)

	ROData      []byte
	RODataVAddr uint64
	HeapSize    int

	// Input is the input region's initial bytes; Symbolic marks the ones
	// the caller chooses (the others are fixed).
	Input    []byte
	Symbolic []bool

	// Accounts, with Conservation set, turns on the lamport checks at
	// exit; Invariants are checked at every successful exit.
	Accounts     []Account
	Conservation bool
	Invariants   []*econ.Expr

	// Overflow turns on the arithmetic checks.
	Overflow bool
	// NoWrap, when set, says that the instruction at pc cannot wrap on
	// any path (another sound analysis showed it), so the solver is not
	// asked.
	NoWrap func(pc int) bool

	MaxPaths      int           // complete paths; default 4096
	MaxPathSteps  int           // instructions on one path; default 200000
	MaxTotalSteps int           // default 4,000,000
	Deadline      time.Time     // zero: none
	QueryTimeout  time.Duration // per solver call; default 5s
	// MaxQueryGates bounds one solver query's circuit (AND gates); a
	// larger query is not decided. Default 1<<16.
	MaxQueryGates int
	// MaxSolverWork bounds the solver's work over the whole run: the
	// sum of the queries' sizes (gates). Default 1<<22.
	MaxSolverWork int64
	// MaxPCWork bounds the solver work of the checks at one pc (its
	// branch, its overflow and fault checks, over every visit): past it
	// they are given up (a branch side is not followed), so that one loop
	// of hard checks does not use the whole budget. Default
	// MaxSolverWork/16.
	MaxPCWork int64
	Budget    uint64 // compute units; default 1,400,000

	// Price, when set, gives a syscall's compute units from its size
	// operands: the length in bytes for sol_log_, sol_panic_,
	// sol_set_return_data, agora_declassify and the mem ops; each slice's
	// length for the hash syscalls; none for the others, and nil when
	// the syscall is not modelled (its sizes are unknown). It returns
	// false when it has no price. MaxCU then includes the prices.
	Price func(name string, sizes []uint64) (uint64, bool)
}

// Finding is a violation with a concrete input that reaches it.
type Finding struct {
	Kind    string // "overflow", "oob", "unbounded", "conservation", "invariant"
	PC      int
	Path    []int // pcs of the branches and calls on the way, then PC
	Input   []byte
	Message string
}

// Result is the outcome of Run.
type Result struct {
	Findings []Finding // sorted by pc, then kind
	// Uncertain are violations found only on paths through a syscall
	// whose effect was over-approximated (its result and the memory it
	// may write taken as anything): the input may not reach them, so they
	// are neither findings nor ruled out. Sorted as Findings.
	Uncertain []Finding
	// Complete: every path was followed to its end, exactly; with no
	// finding of a kind, that kind is proven.
	Complete bool
	// Why lists what made the exploration incomplete.
	Why []string
	// Paths is the number of paths followed to their end.
	Paths int
	// MaxCU is the most instructions any finished path executed, and
	// Syscalls whether any path called a syscall (whose price is not
	// counted).
	MaxCU    uint64
	Syscalls bool
	// Unpriced names the syscalls called on some path that Config.Price
	// has no price for (sorted); MaxCU leaves them out.
	Unpriced []string
	// MaxDepth is the deepest call depth reached (1 = the entry frame).
	MaxDepth int
	// Queries counts the solver calls, Solved those a path's model did
	// not answer first, and SolverWork sums their sizes (gates).
	Queries, Solved int
	SolverWork      int64
}

type frame struct {
	ret   int
	saved [4]bv
	fp    bv
}

type state struct {
	pc     int
	regs   [11]bv
	ptr    uint16
	mem    map[uint64]bv
	frames []frame
	cond   []z.Lit
	// model satisfies cond (nil: none known).
	model *model
	path  []int
	steps int
	cu    uint64
	// havoc: an unmodelled syscall may have written any writable byte;
	// bytes not written since read as fresh values.
	havoc bool
	// approx names the first syscall on the path whose effect was
	// over-approximated ("name at pc N"), or "".
	approx string
	// tx is the open transaction of ext/txmem, or nil.
	tx *txState
}

// txState is an open transaction: the heap and input bytes to put back
// on tx_abort, and what the writes since tx_begin cost at its close.
type txState struct {
	saved map[uint64]bv // s.mem's heap and input bytes at tx_begin (never changed)
	havoc bool
	// writes and bytes bound the writes to the heap or input since
	// tx_begin and the distinct bytes they saved, which tx_commit and
	// tx_abort charge for: a store instruction is one write, a syscall's
	// write of n bytes at most n; bytes is the sum of their lengths.
	writes  uint64
	bytes   uint64
	unknown bool // an unmodelled syscall may have written any number
}

func (s *state) clone() *state {
	c := *s
	c.mem = make(map[uint64]bv, len(s.mem))
	for k, v := range s.mem {
		c.mem[k] = v
	}
	c.frames = slices.Clone(s.frames)
	if s.tx != nil {
		t := *s.tx
		c.tx = &t
	}
	c.cond = slices.Clone(s.cond)
	c.path = slices.Clone(s.path)
	return &c
}

type engine struct {
	cfg      *Config
	c        circ
	q        cone
	ev       evaluator
	last     *model // the model of the last satisfiable check
	models   uint32
	pcWork   map[int]int64
	gaveUp   map[int]bool
	n        int
	input    []bv // initial input bytes
	res      *Result
	found    map[[2]int]bool
	total    int
	stop     bool
	why      map[string]bool
	names    map[uint32]string
	unpriced map[string]bool
}

// Run explores the program's paths symbolically.
func Run(cfg *Config) (*Result, error) {
	if len(cfg.Text)%sbpf.InsnSize != 0 || !cfg.Version.Valid() {
		return nil, fmt.Errorf("symex: malformed program")
	}
	if len(cfg.Symbolic) != len(cfg.Input) {
		return nil, fmt.Errorf("symex: %d symbolic flags for %d input bytes", len(cfg.Symbolic), len(cfg.Input))
	}
	if cfg.MaxPaths <= 0 {
		cfg.MaxPaths = 4096
	}
	if cfg.MaxPathSteps <= 0 {
		cfg.MaxPathSteps = 200000
	}
	if cfg.MaxTotalSteps <= 0 {
		cfg.MaxTotalSteps = 4_000_000
	}
	if cfg.QueryTimeout <= 0 {
		cfg.QueryTimeout = 5 * time.Second
	}
	if cfg.MaxSolverWork <= 0 {
		cfg.MaxSolverWork = 1 << 22
	}
	if cfg.MaxPCWork <= 0 {
		cfg.MaxPCWork = cfg.MaxSolverWork / 16
	}
	if cfg.MaxQueryGates <= 0 {
		cfg.MaxQueryGates = 1 << 16
	}
	if cfg.Budget == 0 {
		cfg.Budget = 1_400_000
	}
	e := &engine{cfg: cfg, c: circ{logic.NewCCap(1 << 16)}, n: len(cfg.Text) / sbpf.InsnSize,
		res: &Result{}, found: map[[2]int]bool{}, pcWork: map[int]int64{}, gaveUp: map[int]bool{}, why: map[string]bool{}, names: map[uint32]string{}, unpriced: map[string]bool{}}
	for _, name := range knownSyscalls {
		e.names[sbpf.SyscallHash(name)] = name
	}
	e.input = make([]bv, len(cfg.Input))
	for i, b := range cfg.Input {
		if cfg.Symbolic[i] {
			e.input[i] = e.c.fresh(8)
		} else {
			e.input[i] = e.c.konst(uint64(b), 8)
		}
	}
	e.models++
	// No condition yet: any input satisfies it, all zeros among them.
	s := &state{pc: cfg.Entry, mem: map[uint64]bv{}, frames: nil, model: &model{id: e.models, ones: map[z.Var]bool{}}}
	for i := range s.regs {
		s.regs[i] = e.c.konst(0, 64)
	}
	s.regs[1] = e.c.konst(sbpf.InputStart, 64)
	if cfg.Version.DynamicFrames() {
		s.regs[10] = e.c.konst(sbpf.StackStart+sbpf.StackFrameSize*sbpf.MaxCallDepth, 64)
	} else {
		s.regs[10] = e.c.konst(sbpf.StackStart+sbpf.StackFrameSize, 64)
	}
	s.ptr = 1<<1 | 1<<10
	e.res.MaxDepth = 1
	work := []*state{s}
	for len(work) > 0 && !e.stop {
		cur := work[len(work)-1]
		work = work[:len(work)-1]
		work = append(work, e.runPath(cur)...)
	}
	if len(work) > 0 {
		e.incomplete(fmt.Sprintf("%d paths left unexplored", len(work)))
	}
	if len(e.gaveUp) > 0 {
		pcs := slices.Sorted(maps.Keys(e.gaveUp))
		list := fmt.Sprint(pcs[:min(len(pcs), 8)])
		if len(pcs) > 8 {
			list = list[:len(list)-1] + " ...]"
		}
		e.incomplete(fmt.Sprintf("the checks at %d pc(s) %s were given up after %d gates of solver work each", len(pcs), list, e.cfg.MaxPCWork))
	}
	e.res.Complete = len(e.why) == 0
	for w := range e.why {
		e.res.Why = append(e.res.Why, w)
	}
	slices.Sort(e.res.Why)
	for n := range e.unpriced {
		e.res.Unpriced = append(e.res.Unpriced, n)
	}
	slices.Sort(e.res.Unpriced)
	slices.SortFunc(e.res.Uncertain, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.PC, b.PC), cmp.Compare(a.Kind, b.Kind))
	})
	slices.SortFunc(e.res.Findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.PC, b.PC), cmp.Compare(a.Kind, b.Kind))
	})
	return e.res, nil
}

func (e *engine) incomplete(why string) { e.why[why] = true }

// smallQuery is the circuit size (AND gates) below which a query is
// solved without a time limit.
const smallQuery = 2048

// check decides s's path condition ∧ extra like solve, without the
// solver when s's model satisfies extra; after 1, e.last is a model.
func (e *engine) check(s *state, extra ...z.Lit) int {
	e.res.Queries++
	if s.model != nil {
		ok := true
		for _, l := range extra {
			if !e.ev.eval(e.c, s.model, l) {
				ok = false
				break
			}
		}
		if ok {
			e.last = s.model
			return 1
		}
	}
	r := e.solve(s.pc, s.cond, extra...)
	if r == 1 {
		e.models++
		e.last = e.q.model(e.models)
	}
	return r
}

// solve decides cond ∧ extra; 1 sat (the model is then readable), -1
// unsat, 0 unknown.
func (e *engine) solve(pc int, cond []z.Lit, extra ...z.Lit) int {
	for _, l := range extra {
		if l == e.c.F {
			return -1
		}
	}
	if !e.cfg.Deadline.IsZero() && !time.Now().Before(e.cfg.Deadline) {
		e.stop = true
		e.incomplete("the time limit was reached")
		return 0
	}
	roots := append(slices.Clone(cond), extra...)
	// A fresh solver over the query's cone of influence, its variables
	// numbered densely (cone.encode).
	if e.res.SolverWork >= e.cfg.MaxSolverWork {
		e.stop = true
		e.incomplete(fmt.Sprintf("the solver work bound (%d gates over all queries) was reached", e.cfg.MaxSolverWork))
		return 0
	}
	size, ok := e.q.encode(e.c, roots, e.cfg.MaxQueryGates)
	if !ok {
		e.incomplete(fmt.Sprintf("solver queries over %d gates were not decided", e.cfg.MaxQueryGates))
		return 0
	}
	if e.pcWork[pc] >= e.cfg.MaxPCWork {
		e.gaveUp[pc] = true
		return 0
	}
	e.pcWork[pc] += int64(size)
	e.res.Solved++
	e.res.SolverWork += int64(size)
	if size <= smallQuery {
		// Small instances are solved in place: Try's goroutine and timer
		// cost more than the search.
		return e.q.sat.Solve()
	}
	d := e.cfg.QueryTimeout
	if !e.cfg.Deadline.IsZero() {
		if left := time.Until(e.cfg.Deadline); left < d {
			d = left
		}
		if d <= 0 {
			e.stop = true
			e.incomplete("the time limit was reached")
			return 0
		}
	}
	r := e.q.sat.Try(d)
	if r == 0 {
		e.incomplete("a solver query timed out")
	}
	return r
}

func (e *engine) val(l z.Lit) bool { return e.ev.eval(e.c, e.last, l) }

func (e *engine) modelBV(a bv) uint64 {
	var x uint64
	for i, l := range a {
		if e.val(l) {
			x |= 1 << uint(i)
		}
	}
	return x
}

// model returns the input bytes of the last satisfiable query.
func (e *engine) model() []byte {
	out := slices.Clone(e.cfg.Input)
	for i, b := range e.input {
		if e.cfg.Symbolic[i] {
			out[i] = byte(e.modelBV(b))
		}
	}
	return out
}

// report records a finding if cond ∧ viol is satisfiable.
func (e *engine) report(s *state, kind string, viol z.Lit, msg string) {
	key := [2]int{s.pc, int(kind[0])<<8 | int(kind[1])}
	if s.approx != "" {
		key[1] |= 1 << 40 // uncertain: a certain one at the same pc is still sought
	}
	if e.found[key] || viol == e.c.F {
		return
	}
	if e.check(s, viol) != 1 {
		return
	}
	e.found[key] = true
	e.record(s, kind, msg)
}

// record adds a satisfiable violation: a finding, or an uncertain one on
// a path through an over-approximated syscall.
func (e *engine) record(s *state, kind, msg string) {
	f := Finding{Kind: kind, PC: s.pc, Path: append(slices.Clone(s.path), s.pc), Input: e.model(), Message: msg}
	if s.approx != "" {
		f.Message += " (only on a path through " + s.approx + ", whose result and memory writes are not modelled: the input may not reach it)"
		e.res.Uncertain = append(e.res.Uncertain, f)
		return
	}
	e.res.Findings = append(e.res.Findings, f)
}

// fault records a finding that the path itself reaches (the condition so
// far is the violation).
func (e *engine) fault(s *state, kind, msg string) { e.report(s, kind, e.c.T, msg) }

// runPath follows s until it ends or forks; it returns the forks.
func (e *engine) runPath(s *state) []*state {
	var pending []*state
	for {
		if e.stop {
			return append(pending, s)
		}
		if s.pc < 0 || s.pc >= e.n {
			e.finish(s)
			return pending // the VM faults (execution outside the text)
		}
		if s.steps >= e.cfg.MaxPathSteps {
			e.incomplete(fmt.Sprintf("a path exceeded %d instructions (a loop with no small bound?)", e.cfg.MaxPathSteps))
			return pending
		}
		if e.total >= e.cfg.MaxTotalSteps {
			e.stop = true
			e.incomplete(fmt.Sprintf("the total bound of %d instructions was reached", e.cfg.MaxTotalSteps))
			return append(pending, s)
		}
		if s.cu >= e.cfg.Budget {
			e.finish(s)
			return pending // ExceededMaxInstructions
		}
		e.total++
		s.steps++
		s.cu++
		next, forks, done := e.step(s)
		pending = append(pending, forks...)
		if done || next == nil {
			return pending
		}
		s = next
	}
}

func (e *engine) finish(s *state) {
	e.res.Paths++
	if s.cu > e.res.MaxCU {
		e.res.MaxCU = s.cu
	}
	if e.res.Paths >= e.cfg.MaxPaths {
		e.stop = true
		e.incomplete(fmt.Sprintf("the bound of %d paths was reached", e.cfg.MaxPaths))
	}
}

func (e *engine) setReg(s *state, r uint8, v bv, isPtr bool) {
	s.regs[r] = v
	if isPtr {
		s.ptr |= 1 << r
	} else {
		s.ptr &^= 1 << r
	}
}

func (e *engine) addrish(s *state, r uint8) bool {
	if s.ptr&(1<<r) != 0 {
		return true
	}
	if v, ok := e.c.value(s.regs[r]); ok && v >= sbpf.RegionSize && v < 5*sbpf.RegionSize {
		return true
	}
	return false
}

// step executes one instruction. It returns the state to continue with,
// the states forked off, and whether the path ended.
func (e *engine) step(s *state) (*state, []*state, bool) {
	pc := s.pc
	insn := sbpf.Decode(e.cfg.Text[pc*sbpf.InsnSize:])
	op := e.cfg.Version.Lookup(insn.Op)
	info := op.Info()
	if op == sbpf.OpInvalid || !info.ValidIn(e.cfg.Version) || insn.Dst > 10 || insn.Src > 10 {
		e.finish(s)
		return nil, nil, true
	}
	c := e.c
	imm := c.konst(uint64(int64(insn.Imm)), 64)
	switch info.Format {
	case sbpf.FmtNone:
		if len(s.frames) == 0 {
			if s.tx == nil { // else TransactionLeak: the run fails
				e.exit(s)
			}
			e.finish(s)
			return nil, nil, true
		}
		f := s.frames[len(s.frames)-1]
		s.frames = s.frames[:len(s.frames)-1]
		for i := range 4 {
			s.regs[6+i] = f.saved[i]
		}
		s.regs[10] = f.fp
		s.pc = f.ret
		return s, nil, false
	case sbpf.FmtLDDW:
		if pc+1 >= e.n {
			e.finish(s)
			return nil, nil, true
		}
		hi := sbpf.Decode(e.cfg.Text[(pc+1)*sbpf.InsnSize:])
		e.setReg(s, insn.Dst, c.konst(sbpf.LDDWImm(insn, hi), 64), false)
		s.pc += 2
		return s, nil, false
	case sbpf.FmtLoad:
		addr, _ := c.add(s.regs[insn.Src], c.konst(uint64(int64(insn.Off)), 64))
		a, sym, ok := e.symAddress(s, addr, info.Size, false)
		if !ok {
			e.finish(s)
			return nil, nil, true
		}
		v := c.konst(0, 64)
		if sym != nil {
			v = e.symRead(s, sym, info.Size)
		} else {
			for i := 0; i < info.Size; i++ {
				copy(v[8*i:8*i+8], e.readByte(s, a+uint64(i)))
			}
		}
		e.setReg(s, insn.Dst, v, false)
		s.pc++
		return s, nil, false
	case sbpf.FmtStoreImm, sbpf.FmtStoreReg:
		addr, _ := c.add(s.regs[insn.Dst], c.konst(uint64(int64(insn.Off)), 64))
		a, sym, ok := e.symAddress(s, addr, info.Size, true)
		if !ok {
			e.finish(s)
			return nil, nil, true
		}
		v := imm
		if info.Format == sbpf.FmtStoreReg {
			v = s.regs[insn.Src]
		}
		if sym != nil {
			e.symWrite(s, sym, info.Size, v)
			e.txStored(s, sbpf.InputStart, uint64(info.Size))
		} else {
			for i := 0; i < info.Size; i++ {
				s.mem[a+uint64(i)] = v[8*i : 8*i+8]
			}
			e.txStored(s, a, uint64(info.Size))
		}
		s.pc++
		return s, nil, false
	case sbpf.FmtALUImm, sbpf.FmtALUReg, sbpf.FmtUnary, sbpf.FmtEndian:
		src := imm
		srcPtr := false
		if info.Format == sbpf.FmtALUReg {
			src = s.regs[insn.Src]
			srcPtr = e.addrish(s, insn.Src)
		}
		ok := e.alu(s, op, info, insn, src, srcPtr)
		if !ok {
			e.finish(s)
			return nil, nil, true
		}
		s.pc++
		return s, nil, false
	case sbpf.FmtJa:
		s.pc += 1 + int(insn.Off)
		return s, nil, false
	case sbpf.FmtJumpImm, sbpf.FmtJumpReg:
		src := imm
		if info.Format == sbpf.FmtJumpReg {
			src = s.regs[insn.Src]
		}
		cond := e.jcond(op, info, s.regs[insn.Dst], src)
		target := pc + 1 + int(insn.Off)
		switch cond {
		case c.T:
			s.pc = target
			return s, nil, false
		case c.F:
			s.pc++
			return s, nil, false
		}
		// A side the solver could not decide is not followed (it may be
		// infeasible, and every check on it would need the solver): the
		// exploration is then incomplete, which solve has noted.
		var tm, fm *model
		tOK := e.check(s, cond)
		if tOK == 1 {
			tm = e.last
		}
		fOK := e.check(s, cond.Not())
		if fOK == 1 {
			fm = e.last
		}
		s.path = append(s.path, pc)
		var forks []*state
		if tOK != 1 && fOK != 1 {
			return nil, nil, true
		}
		if tOK == 1 && fOK == 1 {
			t := s.clone()
			t.cond = append(t.cond, cond)
			t.model = tm
			t.pc = target
			forks = append(forks, t)
			s.cond = append(s.cond, cond.Not())
			s.model = fm
			s.pc++
			// Depth first: the fall-through continues, the jump waits.
			return s, forks, false
		}
		// One side: the condition is implied unless the other side was
		// undecided, when it must join the path condition (a finding's
		// input has to take this side).
		if tOK == 1 {
			if fOK == 0 {
				s.cond = append(s.cond, cond)
			}
			s.model = tm
			s.pc = target
			return s, nil, false
		}
		if tOK == 0 {
			s.cond = append(s.cond, cond.Not())
		}
		s.model = fm
		s.pc++
		return s, nil, false
	case sbpf.FmtCall:
		return e.call(s, insn)
	case sbpf.FmtCallx:
		e.incomplete(fmt.Sprintf("indirect call at pc %d is not followed", pc))
		e.finish(s)
		return nil, nil, true
	}
	e.finish(s)
	return nil, nil, true
}

func (e *engine) pushFrame(s *state, target int) bool {
	if len(s.frames)+1 >= sbpf.MaxCallDepth {
		e.fault(s, "unbounded", fmt.Sprintf("call depth exceeds %d frames (CallDepthExceeded)", sbpf.MaxCallDepth))
		e.finish(s)
		return false
	}
	var f frame
	f.ret = s.pc + 1
	copy(f.saved[:], s.regs[6:10])
	f.fp = s.regs[10]
	s.frames = append(s.frames, f)
	if !e.cfg.Version.DynamicFrames() {
		bump := uint64(sbpf.StackFrameSize)
		if e.cfg.Version.StackFrameGaps() {
			bump *= 2
		}
		s.regs[10], _ = e.c.add(s.regs[10], e.c.konst(bump, 64))
	}
	if d := len(s.frames) + 1; d > e.res.MaxDepth {
		e.res.MaxDepth = d
	}
	s.pc = target
	return true
}

func (e *engine) call(s *state, insn sbpf.Instruction) (*state, []*state, bool) {
	v := e.cfg.Version
	imm := uint32(insn.Imm)
	if !v.StaticSyscalls() || insn.Src == 0 {
		name, isSys := e.names[imm]
		if !isSys && e.cfg.Syscalls != nil {
			name, isSys = e.cfg.Syscalls(imm)
		}
		if !isSys && !v.StaticSyscalls() {
			if target, ok := e.cfg.Functions[imm]; ok {
				s.path = append(s.path, s.pc)
				if !e.pushFrame(s, target) {
					return nil, nil, true
				}
				return s, nil, false
			}
		}
		if !isSys && e.cfg.Syscalls != nil && !v.StaticSyscalls() {
			e.finish(s)
			return nil, nil, true // unresolved: the VM faults
		}
		if !e.syscall(s, name) {
			e.finish(s)
			return nil, nil, true
		}
		s.pc++
		return s, nil, false
	}
	if insn.Src == 1 {
		s.path = append(s.path, s.pc)
		if !e.pushFrame(s, s.pc+1+int(insn.Imm)) {
			return nil, nil, true
		}
		return s, nil, false
	}
	e.finish(s)
	return nil, nil, true
}

var knownSyscalls = []string{"abort", "sol_panic_", "sol_log_", "sol_log_64_", "sol_log_compute_units_",
	"sol_log_pubkey", "sol_memcpy_", "sol_memmove_", "sol_memset_", "sol_memcmp_", "sol_set_return_data",
	"sol_sha256", "sol_keccak256", "sol_blake3", extnames.Declassify,
	extnames.TxBegin, extnames.TxCommit, extnames.TxAbort, extnames.TxTest,
	extnames.AtomicLoad, extnames.AtomicStore, extnames.AtomicCAS}

// maxHashSlices bounds the slices of a hash syscall the model reads.
const maxHashSlices = 64

// charge adds a syscall's price to the path's CU (Config.Price), or
// notes that it has none.
func (e *engine) charge(s *state, name string, sizes []uint64) {
	if e.cfg.Price == nil {
		return
	}
	cu, ok := e.cfg.Price(name, sizes)
	if !ok {
		if name == "" {
			name = "an unknown syscall"
		}
		e.unpriced[name] = true
		return
	}
	s.cu += cu
}

// syscall models the syscalls it knows exactly, the hash syscalls and
// sol_memcmp_ by their memory checks with an unconstrained output, and
// any other by havoc: r0 and every writable byte may be anything
// afterwards (r1-r5 are kept, as the VM keeps them). A path through an
// over-approximated syscall still counts for proofs, but what it finds
// is uncertain (Result.Uncertain). It returns false when the path ends.
func (e *engine) syscall(s *state, name string) bool {
	e.res.Syscalls = true
	c := e.c
	conc := func(r uint8) (uint64, bool) { return c.value(s.regs[r]) }
	checkRange := func(ptrReg, lenReg uint8, size int, write bool) (uint64, uint64, bool) {
		n := uint64(size)
		if lenReg != 0 {
			var ok bool
			if n, ok = conc(lenReg); !ok {
				e.incomplete(fmt.Sprintf("%s with a symbolic length at pc %d", name, s.pc))
				return 0, 0, false
			}
		}
		if n == 0 {
			return 0, 0, true
		}
		if n > 1<<20 {
			e.incomplete(fmt.Sprintf("%s of %d bytes at pc %d", name, n, s.pc))
			return 0, 0, false
		}
		a, ok := e.address(s, s.regs[ptrReg], int(n), write)
		return a, n, ok
	}
	lenOf := func(r uint8) []uint64 {
		n, _ := conc(r)
		return []uint64{n}
	}
	approx := func() {
		if s.approx == "" {
			s.approx = fmt.Sprintf("%s at pc %d", name, s.pc)
		}
	}
	switch name {
	case "abort":
		e.charge(s, name, []uint64{})
		return false
	case "sol_panic_":
		if n, ok := conc(2); ok {
			e.charge(s, name, []uint64{n})
		} else {
			e.incomplete(fmt.Sprintf("sol_panic_ with a symbolic length at pc %d", s.pc))
		}
		return false
	case "sol_log_64_", "sol_log_compute_units_":
		e.charge(s, name, []uint64{})
	case "sol_log_", "sol_set_return_data", extnames.Declassify:
		if _, _, ok := checkRange(1, 2, 0, false); !ok {
			return false
		}
		e.charge(s, name, lenOf(2))
	case "sol_log_pubkey":
		if _, _, ok := checkRange(1, 0, 32, false); !ok {
			return false
		}
		e.charge(s, name, []uint64{})
	case "sol_memcpy_", "sol_memmove_":
		if n, ok := conc(3); ok {
			e.charge(s, name, []uint64{n}) // charged before the checks
		}
		src, n, ok := checkRange(2, 3, 0, false)
		if !ok {
			return false
		}
		dst, _, ok := checkRange(1, 3, 0, true)
		if !ok {
			return false
		}
		tmp := make([]bv, n)
		for i := range tmp {
			tmp[i] = e.readByte(s, src+uint64(i))
		}
		for i, b := range tmp {
			s.mem[dst+uint64(i)] = b
		}
		e.txWrote(s, dst, n)
	case "sol_memset_":
		if n, ok := conc(3); ok {
			e.charge(s, name, []uint64{n})
		}
		dst, n, ok := checkRange(1, 3, 0, true)
		if !ok {
			return false
		}
		for i := range n {
			s.mem[dst+i] = s.regs[2][:8]
		}
		e.txWrote(s, dst, n)
	case extnames.AtomicLoad, extnames.AtomicStore, extnames.AtomicCAS:
		// ext/lanes: 8 aligned writable bytes, acted on directly (a
		// child acts on its own view, which is all it sees).
		e.charge(s, name, []uint64{})
		a, ok := e.address(s, s.regs[1], 8, true)
		if !ok || a%8 != 0 {
			return false // AccessViolation (reported) or AtomicMisaligned
		}
		old := make(bv, 0, 64)
		for i := range uint64(8) {
			old = append(old, e.readByte(s, a+i)...)
		}
		var nw bv
		switch name {
		case extnames.AtomicStore:
			nw = s.regs[2]
		case extnames.AtomicCAS:
			nw = c.mux(c.eq(old, s.regs[2]), s.regs[3], old)
		}
		if nw != nil {
			for i := range uint64(8) {
				s.mem[a+i] = nw[8*i : 8*i+8]
			}
			e.txWrote(s, a, 8)
		}
		e.setReg(s, 0, old, false)
		return true
	case extnames.TxBegin:
		if s.tx != nil {
			return false // NestedTransaction
		}
		e.charge(s, name, []uint64{})
		t := &txState{saved: map[uint64]bv{}, havoc: s.havoc}
		for a, b := range s.mem {
			if e.txCovers(a) {
				t.saved[a] = b
			}
		}
		s.tx = t
	case extnames.TxCommit, extnames.TxAbort:
		if s.tx == nil {
			return false // NoActiveTransaction
		}
		if s.tx.unknown {
			e.charge(s, name, nil)
		} else {
			e.charge(s, name, []uint64{s.tx.writes, s.tx.bytes})
		}
		if name == extnames.TxAbort {
			for a := range s.mem {
				if e.txCovers(a) {
					delete(s.mem, a)
				}
			}
			for a, b := range s.tx.saved {
				s.mem[a] = b
			}
			// A havoc inside the transaction still covers the stack; the
			// heap and input bytes it leaves unwritten then read as
			// anything, which includes their values before.
		}
		s.tx = nil
	case extnames.TxTest:
		e.charge(s, name, []uint64{})
		e.setReg(s, 0, c.konst(map[bool]uint64{true: 1, false: 0}[s.tx != nil], 64), false)
		return true
	case "sol_memcmp_":
		if n, ok := conc(3); ok {
			e.charge(s, name, []uint64{n})
		}
		if _, _, ok := checkRange(1, 3, 0, false); !ok {
			return false
		}
		if _, _, ok := checkRange(2, 3, 0, false); !ok {
			return false
		}
		out, _, ok := checkRange(4, 0, 4, true)
		if !ok {
			return false
		}
		for i := range uint64(4) {
			s.mem[out+i] = c.fresh(8)
		}
		e.txWrote(s, out, 4)
		approx()
	case "sol_sha256", "sol_keccak256", "sol_blake3":
		count, ok := conc(2)
		if !ok || count > maxHashSlices {
			e.incomplete(fmt.Sprintf("%s with %s slices at pc %d", name, map[bool]string{true: "too many", false: "a symbolic number of"}[ok], s.pc))
			return false
		}
		out, _, ok := checkRange(3, 0, 32, true)
		if !ok {
			return false
		}
		var sizes []uint64
		if count > 0 {
			arr, _, ok := checkRange(1, 0, int(16*count), false)
			if !ok {
				return false
			}
			for i := range count {
				var ptr, n uint64
				for j := 7; j >= 0; j-- {
					pb, ok1 := c.value(e.readByte(s, arr+16*i+uint64(j)))
					nb, ok2 := c.value(e.readByte(s, arr+16*i+8+uint64(j)))
					if !ok1 || !ok2 {
						e.incomplete(fmt.Sprintf("%s with a symbolic slice at pc %d", name, s.pc))
						return false
					}
					ptr, n = ptr<<8|pb, n<<8|nb
				}
				if n > 1<<20 {
					e.incomplete(fmt.Sprintf("%s of %d bytes at pc %d", name, n, s.pc))
					return false
				}
				if n > 0 {
					if _, ok := e.address(s, c.konst(ptr, 64), int(n), false); !ok {
						return false
					}
				}
				sizes = append(sizes, n)
			}
		}
		e.charge(s, name, sizes)
		for i := range uint64(32) {
			s.mem[out+i] = c.fresh(8)
		}
		e.txWrote(s, out, 32)
		approx()
	default:
		if name == "" {
			name = "an unknown syscall"
		}
		e.charge(s, name, nil)
		// Anything writable may have changed (a CPI, say, may change
		// every writable account's lamports and data).
		clear(s.mem)
		s.havoc = true
		if s.tx != nil {
			s.tx.unknown = true
		}
		s.regs[0] = c.fresh(64)
		s.ptr &^= 1
		approx()
		return true
	}
	s.regs[0] = c.konst(0, 64)
	s.ptr &^= 1
	return true
}

// txCovers reports whether a transaction covers the byte at a: the heap
// and the input region.
func (e *engine) txCovers(a uint64) bool {
	return a >= sbpf.HeapStart && a-sbpf.HeapStart < uint64(e.cfg.HeapSize) ||
		a >= sbpf.InputStart && a-sbpf.InputStart < uint64(len(e.input))
}

// txWrote counts a syscall's write of n bytes at a for the open
// transaction's price.
func (e *engine) txWrote(s *state, a, n uint64) {
	if s.tx != nil && e.txCovers(a) {
		s.tx.writes += n
		s.tx.bytes += n
	}
}

// txStored counts a store instruction of n bytes at a.
func (e *engine) txStored(s *state, a, n uint64) {
	if s.tx != nil && e.txCovers(a) {
		s.tx.writes++
		s.tx.bytes += n
	}
}

// region is a mapped range.
type region struct {
	start, size uint64
	writable    bool
	gapped      bool
}

func (e *engine) regions() []region {
	stack := uint64(sbpf.StackFrameSize * sbpf.MaxCallDepth)
	gapped := e.cfg.Version.StackFrameGaps()
	if gapped {
		stack *= 2
	}
	return []region{
		{e.cfg.RODataVAddr, uint64(len(e.cfg.ROData)), false, false},
		{sbpf.StackStart, stack, true, gapped},
		{sbpf.HeapStart, uint64(e.cfg.HeapSize), true, false},
		{sbpf.InputStart, uint64(len(e.cfg.Input)), true, false},
	}
}

// contains is the VM's translation check: in a gapped stack only the
// first byte's frame must be mapped (the host bytes are contiguous, so an
// access may run on into the next frame).
func (r region) contains(a, n uint64, write bool) bool {
	if write && !r.writable || a < r.start || a>>32 != r.start>>32 {
		return false
	}
	off, size := a-r.start, r.size
	if r.gapped {
		if (off>>12)&1 == 1 {
			return false
		}
		off = (off>>13)<<12 | off&(sbpf.StackFrameSize-1)
		size /= 2
	}
	return off <= size && n <= size-off
}

// validBV is the condition that [a, a+n) is mapped (and writable).
func (e *engine) validBV(a bv, n uint64, write bool) z.Lit {
	c := e.c
	var ors []z.Lit
	for _, r := range e.regions() {
		if write && !r.writable || r.size < n {
			continue
		}
		off, borrow := c.sub(a, c.konst(r.start, 64))
		size := r.size
		if r.gapped {
			// The frame of the first byte must be mapped; the host offset
			// drops the gap bit.
			host := append(append(append(bv{}, off[:12]...), off[13:]...), c.F)
			in := c.And(borrow.Not(), c.And(off[12].Not(), c.ult(host, c.konst(size/2-n+1, 64))))
			ors = append(ors, in)
			continue
		}
		in := c.And(borrow.Not(), c.ult(off, c.konst(size-n+1, 64)))
		ors = append(ors, in)
	}
	return c.Ors(ors...)
}

// address resolves an access of n bytes at a to a concrete address, and
// reports an out-of-bounds finding when some input makes it fault. A
// symbolic address is fixed to one value the path allows (so the
// exploration stops being exhaustive). It returns false when the path
// faults here.
func (e *engine) address(s *state, a bv, n int, write bool) (uint64, bool) {
	c := e.c
	kind := "load"
	if write {
		kind = "store"
	}
	if x, ok := c.value(a); ok {
		for _, r := range e.regions() {
			if r.contains(x, uint64(n), write) {
				return x, true
			}
		}
		e.fault(s, "oob", fmt.Sprintf("%s of %d bytes at %#x faults (AccessViolation)", kind, n, x))
		return 0, false
	}
	valid := e.validBV(a, uint64(n), write)
	e.report(s, "oob", valid.Not(), fmt.Sprintf("%s of %d bytes at an input-dependent address can fault (AccessViolation)", kind, n))
	if e.check(s, valid) != 1 {
		return 0, false
	}
	x := e.modelBV(a)
	e.incomplete("input-dependent addresses were fixed to one value each (the paths cover that value only)")
	s.cond = append(s.cond, c.eq(a, c.konst(x, 64)))
	s.model = e.last
	return x, true
}

// maxSymRegion bounds the input length over which an input-dependent
// address is modelled exactly (each byte a multiplexer over the region).
const maxSymRegion = 1024

// symAddress is address for loads and stores: an input-dependent address
// that can only point into a small input region is kept symbolic (the
// access reads or writes through a multiplexer), so the exploration stays
// exhaustive; otherwise it is fixed to one value as address does.
func (e *engine) symAddress(s *state, a bv, n int, write bool) (uint64, bv, bool) {
	c := e.c
	if _, ok := c.value(a); ok || len(e.input) > maxSymRegion || len(e.input) < n {
		x, ok := e.address(s, a, n, write)
		return x, nil, ok
	}
	kind := "load"
	if write {
		kind = "store"
	}
	valid := e.validBV(a, uint64(n), write)
	e.report(s, "oob", valid.Not(), fmt.Sprintf("%s of %d bytes at an input-dependent address can fault (AccessViolation)", kind, n))
	off, borrow := c.sub(a, c.konst(sbpf.InputStart, 64))
	inInput := c.And(borrow.Not(), c.ult(off, c.konst(uint64(len(e.input)-n+1), 64)))
	if e.check(s, valid, inInput.Not()) != -1 {
		x, ok := e.address(s, a, n, write)
		return x, nil, ok
	}
	if e.check(s, valid) != 1 {
		return 0, nil, false
	}
	s.cond = append(s.cond, valid)
	s.model = e.last
	return 0, off, true
}

// symRead reads n bytes at input offset off (symbolic).
func (e *engine) symRead(s *state, off bv, n int) bv {
	c := e.c
	sel := e.selectors(off, n)
	v := c.konst(0, 64)
	for i := 0; i < n; i++ {
		b := c.konst(0, 8)
		for k, l := range sel {
			b = c.mux(l, e.readByte(s, sbpf.InputStart+uint64(k+i)), b)
		}
		copy(v[8*i:8*i+8], b)
	}
	return v
}

// symWrite stores the low n bytes of v at input offset off (symbolic).
func (e *engine) symWrite(s *state, off bv, n int, v bv) {
	c := e.c
	sel := e.selectors(off, n)
	// Every byte the store may hit becomes "the new byte if it hit here".
	next := map[uint64]bv{}
	for k, l := range sel {
		for i := 0; i < n; i++ {
			a := sbpf.InputStart + uint64(k+i)
			old, ok := next[a]
			if !ok {
				old = e.readByte(s, a)
			}
			next[a] = c.mux(l, v[8*i:8*i+8], old)
		}
	}
	for a, b := range next {
		s.mem[a] = b
	}
}

func (e *engine) selectors(off bv, n int) []z.Lit {
	sel := make([]z.Lit, len(e.input)-n+1)
	for k := range sel {
		sel[k] = e.c.eq(off, e.c.konst(uint64(k), 64))
	}
	return sel
}

func (e *engine) readByte(s *state, a uint64) bv {
	if b, ok := s.mem[a]; ok {
		return b
	}
	if s.havoc {
		for _, r := range e.regions() {
			if r.writable && a >= r.start && a-r.start < r.size {
				b := e.c.fresh(8)
				s.mem[a] = b // the same byte reads the same until written
				return b
			}
		}
	}
	switch {
	case a >= sbpf.InputStart && a-sbpf.InputStart < uint64(len(e.input)):
		return e.input[a-sbpf.InputStart]
	case a >= e.cfg.RODataVAddr && a-e.cfg.RODataVAddr < uint64(len(e.cfg.ROData)):
		return e.c.konst(uint64(e.cfg.ROData[a-e.cfg.RODataVAddr]), 8)
	}
	return e.c.konst(0, 8)
}
