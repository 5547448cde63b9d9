package symex

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-air/gini"
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
	Budget        uint64        // compute units; default 1,400,000
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
	// MaxDepth is the deepest call depth reached (1 = the entry frame).
	MaxDepth int
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
	path   []int
	steps  int
	cu     uint64
}

func (s *state) clone() *state {
	c := *s
	c.mem = make(map[uint64]bv, len(s.mem))
	for k, v := range s.mem {
		c.mem[k] = v
	}
	c.frames = slices.Clone(s.frames)
	c.cond = slices.Clone(s.cond)
	c.path = slices.Clone(s.path)
	return &c
}

type engine struct {
	cfg   *Config
	c     circ
	sat   *gini.Gini
	n     int
	input []bv // initial input bytes
	res   *Result
	found map[[2]int]bool
	total int
	stop  bool
	why   map[string]bool
	names map[uint32]string
}

// ErrUnsupported: the version's semantics are not modelled.
var ErrUnsupported = errors.New("symex: sBPF v2 is not supported")

// Run explores the program's paths symbolically.
func Run(cfg *Config) (*Result, error) {
	if cfg.Version == sbpf.V2 {
		return nil, ErrUnsupported
	}
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
	if cfg.Budget == 0 {
		cfg.Budget = 1_400_000
	}
	e := &engine{cfg: cfg, c: circ{logic.NewCCap(1 << 16)}, sat: gini.New(), n: len(cfg.Text) / sbpf.InsnSize,
		res: &Result{}, found: map[[2]int]bool{}, why: map[string]bool{}, names: map[uint32]string{}}
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
	s := &state{pc: cfg.Entry, mem: map[uint64]bv{}, frames: nil}
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
	e.res.Complete = len(e.why) == 0
	for w := range e.why {
		e.res.Why = append(e.res.Why, w)
	}
	slices.Sort(e.res.Why)
	slices.SortFunc(e.res.Findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.PC, b.PC), cmp.Compare(a.Kind, b.Kind))
	})
	return e.res, nil
}

func (e *engine) incomplete(why string) { e.why[why] = true }

// smallQuery is the circuit size (AND gates) below which a query is
// solved without a time limit.
const smallQuery = 2048

// solve decides cond ∧ extra; 1 sat (the model is then readable), -1
// unsat, 0 unknown.
func (e *engine) solve(cond []z.Lit, extra ...z.Lit) int {
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
	// A fresh solver over the query's cone of influence: one that kept
	// every clause so far would have to assign the whole circuit (every
	// register of every path) to find a model.
	e.sat = gini.New()
	_, size := e.c.CnfSince(e.sat, nil, roots...)
	e.sat.Assume(roots...)
	if size <= smallQuery {
		// Small instances are solved in place: Try's goroutine and timer
		// cost more than the search.
		return e.sat.Solve()
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
	r := e.sat.Try(d)
	if r == 0 {
		e.incomplete("a solver query timed out")
	}
	return r
}

func (e *engine) val(l z.Lit) bool {
	switch l {
	case e.c.T:
		return true
	case e.c.F:
		return false
	}
	if l.Var() > e.sat.MaxVar() {
		return false
	}
	return e.sat.Value(l)
}

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
	if e.found[key] || viol == e.c.F {
		return
	}
	if e.solve(s.cond, viol) != 1 {
		return
	}
	e.found[key] = true
	in := e.model()
	e.res.Findings = append(e.res.Findings, Finding{Kind: kind, PC: s.pc, Path: append(slices.Clone(s.path), s.pc), Input: in, Message: msg})
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
			e.exit(s)
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
		} else {
			for i := 0; i < info.Size; i++ {
				s.mem[a+uint64(i)] = v[8*i : 8*i+8]
			}
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
		tOK := e.solve(s.cond, cond)
		fOK := 1
		if tOK == 1 {
			fOK = e.solve(s.cond, cond.Not())
		}
		s.path = append(s.path, pc)
		var forks []*state
		if tOK != -1 && fOK != -1 {
			t := s.clone()
			t.cond = append(t.cond, cond)
			t.pc = target
			forks = append(forks, t)
			s.cond = append(s.cond, cond.Not())
			s.pc++
			// Depth first: the fall-through continues, the jump waits.
			return s, forks, false
		}
		if tOK != -1 {
			s.pc = target
			return s, nil, false
		}
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
	"sol_log_pubkey", "sol_memcpy_", "sol_memmove_", "sol_memset_", "sol_set_return_data", extnames.Declassify}

// syscall models the syscalls it knows; any other makes the exploration
// inexact (its result and memory effects are unknown).
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
	switch name {
	case "abort", "sol_panic_":
		return false
	case "sol_log_64_", "sol_log_compute_units_":
	case "sol_log_", "sol_set_return_data", extnames.Declassify:
		if _, _, ok := checkRange(1, 2, 0, false); !ok {
			return false
		}
	case "sol_log_pubkey":
		if _, _, ok := checkRange(1, 0, 32, false); !ok {
			return false
		}
	case "sol_memcpy_", "sol_memmove_":
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
	case "sol_memset_":
		dst, n, ok := checkRange(1, 3, 0, true)
		if !ok {
			return false
		}
		for i := range n {
			s.mem[dst+i] = s.regs[2][:8]
		}
	default:
		if name == "" {
			name = "an unknown syscall"
		}
		e.incomplete(fmt.Sprintf("%s is not modelled (pc %d)", name, s.pc))
		s.regs[0] = c.fresh(64)
		s.ptr &^= 1
		return true
	}
	s.regs[0] = c.konst(0, 64)
	s.ptr &^= 1
	return true
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
	if e.solve(s.cond, valid) != 1 {
		return 0, false
	}
	x := e.modelBV(a)
	e.incomplete("input-dependent addresses were fixed to one value each (the paths cover that value only)")
	s.cond = append(s.cond, c.eq(a, c.konst(x, 64)))
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
	if e.solve(s.cond, valid, inInput.Not()) != -1 {
		x, ok := e.address(s, a, n, write)
		return x, nil, ok
	}
	if e.solve(s.cond, valid) != 1 {
		return 0, nil, false
	}
	s.cond = append(s.cond, valid)
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
	switch {
	case a >= sbpf.InputStart && a-sbpf.InputStart < uint64(len(e.input)):
		return e.input[a-sbpf.InputStart]
	case a >= e.cfg.RODataVAddr && a-e.cfg.RODataVAddr < uint64(len(e.cfg.ROData)):
		return e.c.konst(uint64(e.cfg.ROData[a-e.cfg.RODataVAddr]), 8)
	}
	return e.c.konst(0, 8)
}
