package taint

import (
	"cmp"
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/extnames"
	"github.com/agora-vm/agora/verify/absint"
	"github.com/agora-vm/agora/verify/cfg"
)

// Program is what the analysis reads.
type Program struct {
	Version   sbpf.Version
	Text      []byte
	Entry     int
	Functions map[uint32]int
	Syscalls  func(hash uint32) (string, bool)
	// Deadline, when set, stops the analysis (incomplete) at that time.
	Deadline time.Time
}

// Leak is a flow from a private input to a sink.
type Leak struct {
	PC      int
	Path    []int
	Sources []string // the specs, as written
	Sink    string
	Message string
}

// Result is the outcome of Analyze.
type Result struct {
	Leaks    []Leak // sorted by pc
	Complete bool
	Why      []string
}

// label is a set of sources, one bit per spec.
type label = uint64

type tstate struct {
	regs  [11]label
	stack map[int64]label // by byte offset in the frame
	// stackAll is on every byte of the frame: what a store the analysis
	// cannot place (an unknown pointer, a wide range) may have written.
	stackAll label
	impl     map[int]label // implicit taint active until the pc (cfg.Exit: the function's end)
	// shared: the maps may be another state's too (copy on write: most
	// instructions change neither, and copying them dominated the run).
	shared bool
}

func (s *tstate) clone() *tstate {
	s.shared = true
	return &tstate{regs: s.regs, stack: s.stack, stackAll: s.stackAll, impl: s.impl, shared: true}
}

// own makes s's maps its own, before a change.
func (s *tstate) own() {
	if s.shared {
		s.stack, s.impl, s.shared = maps.Clone(s.stack), maps.Clone(s.impl), false
	}
}

func (s *tstate) implicit() label {
	var l label
	for _, v := range s.impl {
		l |= v
	}
	return l
}

// merge joins nw into old; it reports growth.
func merge(old, nw *tstate) bool {
	grew := false
	for i := range old.regs {
		if nw.regs[i]&^old.regs[i] != 0 {
			old.regs[i] |= nw.regs[i]
			grew = true
		}
	}
	if nw.stackAll&^old.stackAll != 0 {
		old.stackAll |= nw.stackAll
		grew = true
	}
	for k, v := range nw.stack {
		if v&^old.stack[k] != 0 {
			old.own()
			old.stack[k] |= v
			grew = true
		}
	}
	for k, v := range nw.impl {
		if o, ok := old.impl[k]; !ok || v&^o != 0 {
			old.own()
			old.impl[k] = o | v
			grew = true
		}
	}
	return grew
}

type analysis struct {
	p      *Program
	ai     *absint.Result
	sh     *Shape
	specs  []Spec
	g      *cfg.Graph
	n      int
	in     []*tstate
	parent []int32
	work   []int
	queued []bool
	fnOf   []int // function entry each pc was reached from (first)

	// Flow-insensitive memory outside the frame.
	input             map[int64]label
	inputAll, heapAll label
	// escaped is what stores through unknown pointers wrote: a caller's
	// frame that a callee may reach gets it.
	escaped label
	heap    map[int64]label
	grew    bool

	// Function summaries.
	ret     map[int]label // entry -> r0 label at its exits
	callers map[int][]int // entry -> call-site pcs

	leaks map[string]*Leak
	why   map[string]bool
}

// Analyze follows the private inputs. ai must be the abstract
// interpretation of the same program (its pointer targets are used); nil
// makes the result incomplete.
func Analyze(p *Program, ai *absint.Result, sh *Shape, specs []Spec) (*Result, error) {
	if len(specs) > MaxSpecs {
		return nil, fmt.Errorf("taint: at most %d private ranges, got %d", MaxSpecs, len(specs))
	}
	if len(p.Text)%sbpf.InsnSize != 0 {
		return nil, fmt.Errorf("taint: text length %d is not a multiple of %d", len(p.Text), sbpf.InsnSize)
	}
	if ai == nil {
		return &Result{Why: []string{"the abstract interpretation did not finish, so pointer targets are unknown"}}, nil
	}
	n := len(p.Text) / sbpf.InsnSize
	isSys := func(h uint32) bool {
		if p.Syscalls == nil {
			return false
		}
		_, ok := p.Syscalls(h)
		return ok
	}
	a := &analysis{p: p, ai: ai, sh: sh, specs: specs, n: n, g: cfg.Build(p.Text, p.Version, p.Entry, p.Functions, isSys),
		in: make([]*tstate, n), parent: make([]int32, n), queued: make([]bool, n), fnOf: make([]int, n),
		input: map[int64]label{}, heap: map[int64]label{}, ret: map[int]label{}, callers: map[int][]int{},
		leaks: map[string]*Leak{}, why: map[string]bool{}}
	for i, s := range specs {
		lo, hi := s.inputRange(sh)
		for o := lo; o < hi; o++ {
			a.input[int64(o)] |= 1 << i
		}
	}
	for i := range a.parent {
		a.parent[i] = -1
	}
	if p.Entry < 0 || p.Entry >= n {
		return &Result{Complete: true}, nil
	}
	steps := 0
	for round := 0; ; round++ {
		a.grew = false
		a.enter(p.Entry, -1, &tstate{stack: map[int64]label{}, impl: map[int]label{}}, p.Entry)
		for i := range a.in {
			if a.in[i] != nil && !a.queued[i] {
				a.queued[i] = true
				a.work = append(a.work, i)
			}
		}
		for len(a.work) > 0 {
			pc := a.work[len(a.work)-1]
			a.work = a.work[:len(a.work)-1]
			a.queued[pc] = false
			if steps++; steps%1024 == 0 && !p.Deadline.IsZero() && !time.Now().Before(p.Deadline) {
				a.why["the time limit was reached"] = true
				a.work = a.work[:0]
				break
			}
			a.step(pc, a.in[pc].clone())
		}
		if !a.grew || round > 64 || a.why["the time limit was reached"] {
			if a.grew {
				a.why["the memory taint did not converge"] = true
			}
			break
		}
	}
	res := &Result{Complete: len(a.why) == 0}
	for _, l := range a.leaks {
		res.Leaks = append(res.Leaks, *l)
	}
	slices.SortFunc(res.Leaks, func(x, y Leak) int { return cmp.Or(cmp.Compare(x.PC, y.PC), cmp.Compare(x.Sink, y.Sink)) })
	for w := range a.why {
		res.Why = append(res.Why, w)
	}
	slices.Sort(res.Why)
	return res, nil
}

func (a *analysis) enter(pc, from int, s *tstate, fn int) {
	if pc < 0 || pc >= a.n {
		return
	}
	for k := range s.impl {
		if k == pc {
			s.own()
			delete(s.impl, k)
		}
	}
	if a.in[pc] == nil {
		a.in[pc] = s
		a.parent[pc] = int32(from)
		a.fnOf[pc] = fn
	} else if !merge(a.in[pc], s) {
		return
	}
	if !a.queued[pc] {
		a.queued[pc] = true
		a.work = append(a.work, pc)
	}
}

func (a *analysis) names(l label) []string {
	var out []string
	for l != 0 {
		i := bits.TrailingZeros64(l)
		l &^= 1 << i
		out = append(out, a.specs[i].Text)
	}
	return out
}

func (a *analysis) path(pc int) []int {
	var p []int
	for cur := pc; cur >= 0 && len(p) < 4096; cur = int(a.parent[cur]) {
		p = append(p, cur)
	}
	slices.Reverse(p)
	return p
}

func (a *analysis) leak(pc int, l label, sink string, implicit bool) {
	if l == 0 {
		return
	}
	key := fmt.Sprintf("%d/%s", pc, sink)
	if old, ok := a.leaks[key]; ok {
		if len(old.Sources) >= bits.OnesCount64(l) {
			return
		}
	}
	how := "flows"
	if implicit {
		how = "flows (through a branch on it)"
	}
	src := a.names(l)
	a.leaks[key] = &Leak{PC: pc, Path: a.path(pc), Sources: src, Sink: sink,
		Message: fmt.Sprintf("private %s %s to %s", strings.Join(src, ", "), how, sink)}
}

// target resolves a register's pointer before pc.
func (a *analysis) target(pc int, reg uint8, off int16) (absint.Region, int64, int64, bool) {
	v, ok := a.ai.RegAt(pc, reg)
	if !ok || v.Kind != absint.VPtr {
		return absint.RNone, 0, 0, false
	}
	lo, hi := int64(v.N.Smin)+int64(off), int64(v.N.Smax)+int64(off)
	if v.N.Smin < -1<<40 || v.N.Smax > 1<<40 {
		return v.Reg, 0, 0, false
	}
	return v.Reg, lo, hi, true
}

func (a *analysis) loadLabel(pc int, s *tstate, reg uint8, off int16, size int64) label {
	r, lo, hi, ok := a.target(pc, reg, off)
	var l label
	switch {
	case !ok:
		// Anywhere: every label in memory.
		l = s.stackAll
		for _, v := range s.stack {
			l |= v
		}
		for _, v := range a.input {
			l |= v
		}
		for _, v := range a.heap {
			l |= v
		}
		return l | a.inputAll | a.heapAll
	case r == absint.RStack:
		l = s.stackAll
		if hi+size-lo <= int64(len(s.stack)) {
			for k := lo; k < hi+size; k++ {
				l |= s.stack[k]
			}
			break
		}
		for k, v := range s.stack {
			if k >= lo && k < hi+size {
				l |= v
			}
		}
	case r == absint.RInput:
		l = a.inputAll
		for k, v := range a.input {
			if k >= lo && k < hi+size {
				l |= v
			}
		}
	case r == absint.RHeap:
		l = a.heapAll
		for k, v := range a.heap {
			if k >= lo && k < hi+size {
				l |= v
			}
		}
	}
	return l
}

// storeLabel marks a store of size bytes (at most size when !sized) at
// reg+off with l. Only a store whose address and size are both exact
// replaces the frame bytes' labels; any other adds to them.
func (a *analysis) storeLabel(pc int, s *tstate, reg uint8, off int16, size int64, sized bool, l label) {
	r, lo, hi, ok := a.target(pc, reg, off)
	exact := ok && lo == hi && sized
	switch {
	case !ok:
		if l != 0 {
			if l&^(a.inputAll&a.heapAll&a.escaped) != 0 {
				a.grew = true
			}
			a.inputAll |= l
			a.heapAll |= l
			a.escaped |= l
			s.stackAll |= l
			a.unowned(pc, l, -1, -1)
		}
	case r == absint.RStack:
		if exact && size > maxStackRange {
			s.own()
			for k := range s.stack {
				if k >= lo && k < lo+size {
					delete(s.stack, k)
				}
			}
			s.stackAll |= l
		} else if exact {
			s.own()
			for i := range size {
				if l == 0 {
					delete(s.stack, lo+i)
				} else {
					s.stack[lo+i] = l
				}
			}
		} else if l != 0 && hi+size-lo > maxStackRange {
			s.stackAll |= l
		} else if l != 0 {
			s.own()
			for k := lo; k < hi+size; k++ {
				s.stack[k] |= l
			}
		}
	case r == absint.RInput:
		a.mark(a.input, lo, hi+size, l, &a.inputAll)
		a.unowned(pc, l, lo, hi+size)
	case r == absint.RHeap:
		a.mark(a.heap, lo, hi+size, l, &a.heapAll)
	}
}

// maxStackRange is the widest store into the frame marked byte by byte;
// a wider one marks the whole frame.
const maxStackRange = 256

// maxMarkRange is the widest store into the input or heap marked byte by
// byte; a wider one marks the whole region.
const maxMarkRange = 4096

func (a *analysis) mark(m map[int64]label, lo, hi int64, l label, all *label) {
	if l == 0 {
		return
	}
	if hi-lo > maxMarkRange {
		if l&^*all != 0 {
			*all |= l
			a.grew = true
		}
		return
	}
	for k := lo; k < hi; k++ {
		if l&^m[k] != 0 {
			m[k] |= l
			a.grew = true
		}
	}
}

// unowned reports a store of l into an account the program does not own
// ([lo, hi) of the input; lo < 0: anywhere).
func (a *analysis) unowned(pc int, l label, lo, hi int64) {
	if l == 0 || a.sh.Raw {
		return
	}
	for i, acc := range a.sh.Accounts {
		if acc.Owned {
			continue
		}
		// The account's whole entry is not known here; its data (and the
		// 10 KiB it may grow by) is what a program writes.
		start, end := int64(acc.DataOff), int64(acc.DataOff+acc.DataLen)
		if lo < 0 || lo < end && hi > start {
			a.leak(pc, l, fmt.Sprintf("account %d, which the program does not own", i), false)
		}
	}
}

func (a *analysis) step(pc int, s *tstate) {
	insn := sbpf.Decode(a.p.Text[pc*sbpf.InsnSize:])
	op := a.p.Version.Lookup(insn.Op)
	info := op.Info()
	if op == sbpf.OpInvalid || insn.Dst > 10 || insn.Src > 10 {
		return
	}
	fn := a.fnOf[pc]
	impl := s.implicit()
	next := func(t int) { a.enter(t, pc, s, fn) }
	switch info.Format {
	case sbpf.FmtNone:
		l := s.regs[0] | impl
		if fn == a.p.Entry {
			a.leak(pc, s.regs[0], "r0 (the return value)", false)
			a.leak(pc, impl&^s.regs[0], "r0 (the return value)", true)
			return
		}
		if l&^a.ret[fn] != 0 {
			a.ret[fn] |= l
			for _, site := range a.callers[fn] {
				if a.in[site] != nil && !a.queued[site] {
					a.queued[site] = true
					a.work = append(a.work, site)
				}
			}
		}
	case sbpf.FmtLDDW:
		s.regs[insn.Dst] = impl
		a.enter(pc+2, pc, s, fn)
	case sbpf.FmtLoad:
		s.regs[insn.Dst] = a.loadLabel(pc, s, insn.Src, insn.Off, int64(info.Size)) | s.regs[insn.Src] | impl
		next(pc + 1)
	case sbpf.FmtStoreImm, sbpf.FmtStoreReg:
		l := impl | s.regs[insn.Dst]
		if info.Format == sbpf.FmtStoreReg {
			l |= s.regs[insn.Src]
		}
		a.storeLabel(pc, s, insn.Dst, insn.Off, int64(info.Size), true, l)
		next(pc + 1)
	case sbpf.FmtALUImm, sbpf.FmtUnary, sbpf.FmtEndian:
		if op == sbpf.OpMov64Imm || op == sbpf.OpMov32Imm {
			s.regs[insn.Dst] = impl
		} else {
			s.regs[insn.Dst] |= impl
		}
		next(pc + 1)
	case sbpf.FmtALUReg:
		if op == sbpf.OpMov64Reg || op == sbpf.OpMov32Reg {
			s.regs[insn.Dst] = s.regs[insn.Src] | impl
		} else if (op == sbpf.OpXor64Reg || op == sbpf.OpXor32Reg || op == sbpf.OpSub64Reg || op == sbpf.OpSub32Reg) && insn.Src == insn.Dst {
			s.regs[insn.Dst] = impl // x^x, x-x: zero whatever x is
		} else {
			s.regs[insn.Dst] |= s.regs[insn.Src] | impl
		}
		next(pc + 1)
	case sbpf.FmtJa:
		next(pc + 1 + int(insn.Off))
	case sbpf.FmtJumpImm, sbpf.FmtJumpReg:
		c := s.regs[insn.Dst]
		if info.Format == sbpf.FmtJumpReg {
			c |= s.regs[insn.Src]
		}
		if c != 0 {
			until := a.g.IPDom[pc]
			s.own()
			s.impl[until] |= c
		}
		t := s.clone()
		a.enter(pc+1+int(insn.Off), pc, t, fn)
		next(pc + 1)
	case sbpf.FmtCall:
		a.call(pc, s, insn, impl, fn)
	case sbpf.FmtCallx:
		a.why[fmt.Sprintf("indirect call at pc %d", pc)] = true
		for r := 0; r <= 5; r++ {
			s.regs[r] = impl
		}
		next(pc + 1)
	}
}

// length bounds a syscall's length operand in reg before pc; sized says
// the bound is its exact value.
func (a *analysis) length(pc int, reg uint8) (int64, bool) {
	if v, ok := a.ai.RegAt(pc, reg); ok && v.Kind == absint.VScalar && v.N.Umax < 1<<20 {
		return int64(v.N.Umax), v.N.Umin == v.N.Umax
	}
	return 1 << 20, false
}

func (a *analysis) call(pc int, s *tstate, insn sbpf.Instruction, impl label, fn int) {
	v := a.p.Version
	imm := uint32(insn.Imm)
	target := -1
	name, isSys := "", false
	if !v.StaticSyscalls() || insn.Src == 0 {
		if a.p.Syscalls != nil {
			name, isSys = a.p.Syscalls(imm)
		}
		for _, k := range []string{"sol_log_", "sol_log_64_", "sol_log_pubkey", "sol_set_return_data", extnames.Declassify,
			"sol_invoke_signed_c", "sol_invoke_signed_rust", "abort", "sol_panic_", "sol_log_compute_units_", "sol_memcpy_", "sol_memmove_", "sol_memset_"} {
			if sbpf.SyscallHash(k) == imm {
				name, isSys = k, true
			}
		}
		if !isSys && !v.StaticSyscalls() {
			if t, ok := a.p.Functions[imm]; ok {
				target = t
			}
		}
	} else if insn.Src == 1 {
		target = pc + 1 + int(insn.Imm)
	}
	if target >= 0 {
		if target >= a.n {
			return
		}
		if !slices.Contains(a.callers[target], pc) {
			a.callers[target] = append(a.callers[target], pc)
		}
		callee := &tstate{regs: s.regs, stack: map[int64]label{}, impl: map[int]label{}}
		callee.regs[10] = 0
		if impl != 0 {
			callee.impl[cfg.Exit] = impl // the whole callee runs under the branch
		}
		// Pointers into this frame let the callee read and write it: its
		// labels reach the callee's arguments, and the callee's result
		// reaches the frame.
		frame := s.stackAll
		for _, l := range s.stack {
			frame |= l
		}
		passed := false
		for r := 1; r <= 5; r++ {
			if rg, _, _, ok := a.target(pc, uint8(r), 0); !ok || rg == absint.RStack {
				callee.regs[r] |= frame
				passed = true
			}
		}
		a.enter(target, pc, callee, target)
		ret := a.ret[target] | impl
		for r := 0; r <= 5; r++ {
			s.regs[r] = ret | callee.regs[r]
		}
		for k := range s.stack {
			s.own()
			s.stack[k] |= ret
		}
		if passed {
			// The callee may have stored anything it stored through a
			// pointer it could not place into this frame, at any offset.
			s.stackAll |= a.escaped
		}
		a.enter(pc+1, pc, s, fn)
		return
	}
	rangeLabel := func(ptr, lenReg uint8, n int64) label {
		if lenReg != 0 {
			if v, ok := a.ai.RegAt(pc, lenReg); ok && v.Kind == absint.VScalar && v.N.Umax < 1<<20 {
				n = int64(v.N.Umax)
			} else {
				n = 1 << 20
			}
		}
		return a.loadLabel(pc, s, ptr, 0, n)
	}
	switch name {
	case "abort", "sol_panic_":
		return
	case "sol_log_":
		a.leak(pc, rangeLabel(1, 2, 0)|impl, "the program log (sol_log_)", false)
	case "sol_log_64_":
		a.leak(pc, s.regs[1]|s.regs[2]|s.regs[3]|s.regs[4]|s.regs[5]|impl, "the program log (sol_log_64_)", false)
	case "sol_log_pubkey":
		a.leak(pc, rangeLabel(1, 0, 32)|impl, "the program log (sol_log_pubkey)", false)
	case "sol_set_return_data":
		a.leak(pc, rangeLabel(1, 2, 0)|impl, "the return data (sol_set_return_data)", false)
	case "sol_invoke_signed_c", "sol_invoke_signed_rust":
		// The instruction's data pointer lies in memory this analysis does
		// not resolve: anything private in memory may reach it.
		all := s.stackAll
		for _, l := range s.stack {
			all |= l
		}
		for _, l := range a.input {
			all |= l
		}
		for _, l := range a.heap {
			all |= l
		}
		all |= a.inputAll | a.heapAll | impl
		for r := 1; r <= 5; r++ {
			all |= s.regs[r]
		}
		a.leak(pc, all, "the data of a cross-program invocation", false)
	case extnames.Declassify:
		if r, lo, hi, ok := a.target(pc, 1, 0); ok && r == absint.RStack && lo == hi {
			if v, ok := a.ai.RegAt(pc, 2); ok && v.Kind == absint.VScalar {
				if n, ok := v.N.IsConst(); ok && n < 1<<16 {
					for i := range int64(n) {
						s.own()
						delete(s.stack, lo+i)
					}
				}
			}
		}
	case "sol_log_compute_units_":
	case "sol_memcpy_", "sol_memmove_":
		l := rangeLabel(2, 3, 0) | impl
		if n, sized := a.length(pc, 3); n > 0 {
			a.storeLabel(pc, s, 1, 0, n, sized, l)
		}
	case "sol_memset_":
		if n, sized := a.length(pc, 3); n > 0 {
			a.storeLabel(pc, s, 1, 0, n, sized, s.regs[2]|impl)
		}
	default:
		if name == "" {
			name = fmt.Sprintf("syscall %#x", imm)
		}
		a.why[fmt.Sprintf("%s at pc %d: its information flow is not modelled", name, pc)] = true
		var l label
		for r := 1; r <= 5; r++ {
			l |= s.regs[r]
		}
		s.regs[0] = l | impl
		a.enter(pc+1, pc, s, fn)
		return
	}
	s.regs[0] = impl
	a.enter(pc+1, pc, s, fn)
}
