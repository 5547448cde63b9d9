package ovsm

import (
	"fmt"
	"math"

	"github.com/agora-vm/agora/ovsm/parse"
	"github.com/agora-vm/agora/sbpf"
)

// cval is a compile-time constant.
type cval struct {
	i  int64    // integers, booleans (0/1), decimals
	s  string   // strings, keywords, bytes
	fn *fnValue // a function known at compile time
}

// value is what compiling an expression yields: a type and either a
// constant, a register, or nothing (singleton types).
type value struct {
	t      typ
	r      vreg
	c      *cval
	lo, hi int64 // known range of an integer (signed), when rng
	rng    bool
	// origin names what an integer is the length of ("datalen:<reg>"),
	// for bounds-check elimination in loops up to it
	origin string
}

func constInt(t typ, i int64) value {
	return value{t: t, r: noReg, c: &cval{i: i}, lo: i, hi: i, rng: t.k == kInt || (t.k == kUint && i >= 0)}
}

func constStr(t typ, s string) value { return value{t: t, r: noReg, c: &cval{s: s}} }

func regVal(t typ, r vreg) value { return value{t: t, r: r} }

var nilVal = value{t: tNil, r: noReg, c: &cval{}}
var bottomVal = value{t: tBottom, r: noReg}

func boolConst(b bool) value {
	if b {
		return constInt(tBool, 1)
	}
	return constInt(tBool, 0)
}

// nonneg reports whether v is known to be >= 0.
func (v value) nonneg() bool {
	if v.t.k == kUint && v.rng {
		return true
	}
	return v.rng && v.lo >= 0
}

// local is a variable in scope.
type local struct {
	name    string
	t       typ
	r       vreg
	c       *cval
	mutable bool
	lo, hi  int64
	rng     bool
	global  *global
	// nonneg: a mutable int assumed never negative (every assignment is
	// checked to keep it so)
	nonneg bool
	origin string
	// cursor, for the index of a counting loop up to an account's data
	// length: a pointer kept equal to the account's address plus the index
	cursor *loopCursor
}

// loopCursor strength-reduces (read-u8 acct i) in (for (i (range s
// (data-len acct))) …): p = acct + i steps with i, so the byte is at
// [p + accData] without per-iteration address arithmetic.
type loopCursor struct {
	acct vreg // the account entry whose data length bounds the loop
	p    vreg
	used bool
}

type scope struct {
	parent *scope
	vars   map[string]*local
	facts  []fact
}

// fact records what dominating conditions say about variables: a >= b
// (a > b when strict; unsigned or signed), or a in [lo, hi] (isRange).
type fact struct {
	a, b     string
	strict   bool
	unsigned bool
	isRange  bool
	lo, hi   int64
}

type loopCtx struct {
	brk, cont int
	tries     int // len(tries) where the loop began
}

type tryCtx struct {
	handler int
	err     vreg
}

// fctx is the state of compiling one function instance.
type fctx struct {
	c       *compiler
	inst    *instance
	f       *function
	file    int32
	sc      *scope
	pos     srcPos
	depth   int
	loops   []*loopCtx
	tries   []*tryCtx
	cur     *[]inst // where code goes; nil for the function's main stream
	stubs   map[string]int
	mutable map[string]bool
	noOpt   bool
	env     vreg // closure environment (lambdas)
	// notNonneg names mutable variables not to assume non-negative;
	// violations collects those whose assumption an assignment broke.
	notNonneg  map[string]bool
	violations map[string]bool
	hb         vreg // holds the heap base from the start of the function
}

func (fc *fctx) errorf(kind DiagKind, n *parse.Node, format string, args ...any) value {
	fc.c.errAt(kind, n, fc.file, format, args...)
	return bottomVal
}

func (fc *fctx) at(n *parse.Node) {
	if n != nil {
		fc.pos = srcPos{file: fc.file, line: int32(n.Pos.Line), col: int32(n.Pos.Col)}
	}
}

// ---- emission ----------------------------------------------------------------

func (fc *fctx) emit(i inst) {
	i.pos = fc.pos
	i.depth = fc.depth
	if i.dst == 0 && i.op != opMov && i.op != opALU && i.op != opLoad && i.op != opAddr && i.op != opFrame {
		// zero value of dst is a real register; calls set it explicitly
	}
	st := fc.stream()
	*st = append(*st, i)
}

func (fc *fctx) newReg() vreg { return fc.f.newReg() }

// outOfLine generates code placed after the function's main code: error
// stubs and rarely taken paths. It must end in a jump, return or raise.
func (fc *fctx) outOfLine(gen func()) {
	saved := fc.cur
	var buf []inst
	fc.cur = &buf
	gen()
	fc.cur = saved
	fc.f.cold = append(fc.f.cold, buf...)
}

// stream is the instruction list being appended to.
func (fc *fctx) stream() *[]inst {
	if fc.cur != nil {
		return fc.cur
	}
	return &fc.f.insts
}

// insertAt runs gen and moves the instructions it appends to the current
// stream to index at of st (out-of-line code it emits stays out of line).
func (fc *fctx) insertAt(st *[]inst, at int, gen func()) {
	before := len(*st)
	gen()
	added := append([]inst(nil), (*st)[before:]...)
	*st = (*st)[:before]
	rest := append([]inst(nil), (*st)[at:]...)
	*st = append(append((*st)[:at], added...), rest...)
}

func (fc *fctx) label(l int) { fc.emit(inst{op: opLabel, target: l, dst: noReg, dst2: noReg}) }

func (fc *fctx) newLabel() int { return fc.f.newLabel() }

func (fc *fctx) jmp(l int) { fc.emit(inst{op: opJmp, target: l, dst: noReg, dst2: noReg}) }

func (fc *fctx) mov(dst vreg, a opnd) {
	fc.emit(inst{op: opMov, dst: dst, a: a, dst2: noReg})
}

// regOf puts an operand into a register.
func (fc *fctx) regOf(o opnd) vreg {
	if !o.isImm {
		return o.r
	}
	r := fc.newReg()
	fc.mov(r, o)
	return r
}

// alu emits dst = a op b into a fresh register.
func (fc *fctx) alu(op aluOp, a, b opnd) vreg {
	dst := fc.newReg()
	fc.aluTo(dst, op, a, b)
	return dst
}

func (fc *fctx) aluTo(dst vreg, op aluOp, a, b opnd) {
	if a.isImm && !b.isImm && op.commutative() {
		a, b = b, a
	}
	if a.isImm || a.r == fpReg {
		a = reg(fc.regOf(a))
	}
	if b.isImm && !fitsImm32(b.imm) {
		b = reg(fc.regOf(b))
	}
	if !b.isImm && b.r == dst && !op.commutative() {
		t := fc.newReg()
		fc.emit(inst{op: opALU, alu: op, dst: t, a: a, b: b, dst2: noReg})
		fc.mov(dst, reg(t))
		return
	}
	fc.emit(inst{op: opALU, alu: op, dst: dst, a: a, b: b, dst2: noReg})
}

func (fc *fctx) load(size uint8, base opnd, off int64) vreg {
	dst := fc.newReg()
	fc.loadTo(dst, size, base, off)
	return dst
}

func (fc *fctx) loadTo(dst vreg, size uint8, base opnd, off int64) {
	if base.isImm {
		base = reg(fc.regOf(base))
	}
	fc.emit(inst{op: opLoad, size: size, dst: dst, a: base, off: off, dst2: noReg})
}

func (fc *fctx) store(size uint8, base opnd, off int64, v opnd) {
	if base.isImm {
		base = reg(fc.regOf(base))
	}
	if v.isImm && !fitsImm32(v.imm) {
		v = reg(fc.regOf(v))
	}
	fc.emit(inst{op: opStore, size: size, a: base, b: v, off: off, dst: noReg, dst2: noReg})
}

// br jumps to l when a cond b.
func (fc *fctx) br(c cond, a, b opnd, l int) {
	if a.isImm && b.isImm {
		if c.eval(a.imm, b.imm) {
			fc.jmp(l)
		}
		return
	}
	if a.isImm {
		a, b, c = b, a, c.swap()
	}
	if b.isImm && !fitsImm32(b.imm) {
		b = reg(fc.regOf(b))
	}
	fc.emit(inst{op: opBr, cond: c, a: a, b: b, target: l, dst: noReg, dst2: noReg})
}

// heapBase loads 0x300000000.
// The register is set once at the start of the function (dead-code
// elimination removes it when unused), so repeated uses cost nothing.
func (fc *fctx) heapBase() vreg { return fc.hb }

// defineHeapBase sets the heap base register; called right after the
// parameters, whose definition dominates the whole function.
func (fc *fctx) defineHeapBase() {
	fc.hb = fc.newReg()
	fc.mov(fc.hb, imm(int64(sbpf.HeapStart)))
}

// roAddr loads the address of a read-only object.
func (fc *fctx) roAddr(off int) vreg {
	r := fc.newReg()
	fc.emit(inst{op: opAddr, dst: r, off: int64(off), dst2: noReg})
	return r
}

// fnAddr loads the address of a function instance.
func (fc *fctx) fnAddr(in *instance) vreg {
	r := fc.newReg()
	fc.emit(inst{op: opAddr, dst: r, fn: in, dst2: noReg})
	return r
}

// fnPC loads the instruction index of a function instance.
func (fc *fctx) fnPC(in *instance) vreg {
	r := fc.newReg()
	fc.emit(inst{op: opAddr, dst: r, fn: in, sys: addrPC, dst2: noReg})
	return r
}

// frameBuf reserves n bytes of stack frame and returns their address.
func (fc *fctx) frameBuf(n int) vreg {
	off := fc.f.frameBuf(n)
	r := fc.newReg()
	fc.emit(inst{op: opFrame, dst: r, off: int64(off), dst2: noReg})
	return r
}

// syscall calls a syscall with up to five arguments and returns r0.
func (fc *fctx) syscall(name string, args ...opnd) vreg {
	r := fc.newReg()
	fc.emit(inst{op: opSyscall, sys: name, args: args, dst: r, dst2: noReg})
	return r
}

// ---- errors ----------------------------------------------------------------

// raise transfers control to the innermost handler with the error
// object in e: a try of this function, the caller (propagating
// functions), or the fatal path that logs and stops the program.
func (fc *fctx) raise(e opnd) {
	if n := len(fc.tries); n > 0 {
		t := fc.tries[n-1]
		fc.mov(t.err, e)
		fc.jmp(t.handler)
		return
	}
	if fc.inst.propag {
		fc.emit(inst{op: opRet, a: imm(0), b: e, dst: noReg, dst2: noReg})
		return
	}
	fatal := fc.c.runtimeInstance("%fatal", []typ{tRaw}, false)
	fc.emit(inst{op: opCall, fn: fatal, args: []opnd{e}, dst: noReg, dst2: noReg, noReturn: true})
}

// raiseStatic raises a static error with message msg, located at the
// current position.
func (fc *fctx) raiseStatic(msg string) {
	pos := fc.pos
	if pos.file == 1 {
		// inside the runtime library: the program's call site will stamp
		// its own location on the error
		pos = srcPos{}
	}
	off := fc.c.ro.errObj(msg, pos)
	fc.raise(reg(fc.roAddr(off)))
}

// failIf raises msg when a cond b, from an out-of-line stub.
func (fc *fctx) failIf(c cond, a, b opnd, msg string) {
	if a.isImm && b.isImm {
		if c.eval(a.imm, b.imm) {
			fc.raiseStatic(msg)
		}
		return
	}
	key := fmt.Sprintf("%s@%d:%d/%d", msg, fc.pos.line, fc.pos.col, len(fc.tries))
	l, ok := fc.stubs[key]
	if !ok {
		l = fc.newLabel()
		fc.stubs[key] = l
		fc.outOfLine(func() {
			fc.label(l)
			fc.raiseStatic(msg)
		})
	}
	fc.br(c, a, b, l)
}

// checkErr follows a call to a propagating function: when it returned an
// error, give the error this call's location if it has none, and raise
// it here.
func (fc *fctx) checkErr(errReg vreg) {
	l := fc.newLabel()
	fc.outOfLine(func() {
		fc.label(l)
		loc := fc.c.runtimeInstance("%locate-error", []typ{tRaw, tRaw}, false)
		r, _ := fc.callInst(loc, []opnd{reg(errReg), imm(int64(fc.pos.line) | int64(fc.pos.col)<<32)})
		fc.raise(reg(r))
	})
	fc.br(cNe, reg(errReg), imm(0), l)
}

// raiseHere raises an error object made by the runtime library, giving it
// the current location when it has none.
func (fc *fctx) raiseHere(e vreg) {
	loc := fc.c.runtimeInstance("%locate-error", []typ{tRaw, tRaw}, false)
	r, _ := fc.callInst(loc, []opnd{reg(e), imm(int64(fc.pos.line) | int64(fc.pos.col)<<32)})
	fc.raise(reg(r))
}

// callInst calls an instance; for propagating callees it returns the
// error register too (unchecked).
func (fc *fctx) callInst(in *instance, args []opnd) (vreg, vreg) {
	if len(args) > 5 {
		// arguments from the fifth on go through a frame buffer whose
		// address is passed in r5
		extra := args[4:]
		buf := fc.frameBuf(8 * len(extra))
		for j, a := range extra {
			fc.store(8, reg(buf), int64(8*j), a)
		}
		args = append(append([]opnd(nil), args[:4]...), reg(buf))
	}
	r := fc.newReg()
	e := noReg
	if in.propag {
		e = fc.newReg()
	}
	fc.emit(inst{op: opCall, fn: in, args: args, dst: r, dst2: e})
	return r, e
}

// call calls an instance and handles its error.
func (fc *fctx) call(in *instance, args []opnd) vreg {
	r, e := fc.callInst(in, args)
	if e != noReg {
		fc.checkErr(e)
	}
	return r
}

// ---- heap ----------------------------------------------------------------

// Heap header layout, at sbpf.HeapStart.
const (
	hdrBump      = 0  // next free address
	hdrEnd       = 8  // end of the heap
	hdrNAccounts = 16 // number of accounts
	hdrIData     = 24 // instruction data address
	hdrIDataLen  = 32 // instruction data length
	hdrProgramID = 40 // program id address
	hdrGlobals   = 48 // first global slot
)

// alloc reserves size bytes (a register or constant, rounded up to 8 by
// the caller for constants) on the heap and returns the address.
func (fc *fctx) alloc(size opnd) vreg {
	fc.c.heapUsed = true
	if size.isImm {
		size.imm = (size.imm + 7) &^ 7
	} else {
		t := fc.alu(aluAdd, size, imm(7))
		size = reg(fc.alu(aluAnd, reg(t), imm(-8)))
	}
	h := fc.heapBase()
	p := fc.load(8, reg(h), hdrBump)
	np := fc.alu(aluAdd, reg(p), size)
	end := fc.load(8, reg(h), hdrEnd)
	fc.failIf(cGt, reg(np), reg(end), fmt.Sprintf("heap exhausted: the program's %d-byte heap is full", fc.c.opts.HeapSize))
	fc.store(8, reg(h), hdrBump, reg(np))
	return p
}

// ---- scopes ----------------------------------------------------------------

func (fc *fctx) push() { fc.sc = &scope{parent: fc.sc, vars: map[string]*local{}} }
func (fc *fctx) pop()  { fc.sc = fc.sc.parent }

func (fc *fctx) lookup(name string) *local {
	for s := fc.sc; s != nil; s = s.parent {
		if l, ok := s.vars[name]; ok {
			return l
		}
	}
	return nil
}

// bind introduces a variable holding v.
func (fc *fctx) bind(name string, v value, mutable bool) *local {
	l := &local{name: name, t: v.t, r: noReg, mutable: mutable}
	switch {
	case !mutable && (v.c != nil || v.t.singleton()):
		l.c = v.c
		l.lo, l.hi, l.rng = v.lo, v.hi, v.rng
		l.origin = v.origin
	case v.t.singleton():
		// nothing to hold
	default:
		l.r = fc.newReg()
		fc.mov(l.r, fc.opnd(v))
		if !mutable {
			l.lo, l.hi, l.rng = v.lo, v.hi, v.rng
			l.origin = v.origin
		}
	}
	if mutable && v.t.k == kInt && !fc.noOpt && !fc.notNonneg[name] {
		if v.nonneg() {
			l.nonneg = true
		} else {
			fc.violations[name] = true
		}
	}
	fc.sc.vars[name] = l
	return l
}

// read returns the current value of a variable.
func (fc *fctx) read(l *local) value {
	if l.global != nil {
		return fc.readGlobal(l.global)
	}
	v := value{t: l.t, r: l.r, c: l.c, lo: l.lo, hi: l.hi, rng: l.rng, origin: l.origin}
	if l.c == nil && l.r == noReg && !l.t.singleton() {
		return bottomVal
	}
	if l.t.singleton() && l.c == nil {
		v.c = &cval{}
	}
	if l.nonneg && !v.rng {
		v.lo, v.hi, v.rng = 0, math.MaxInt64, true
	}
	if lo, hi, ok := fc.rangeFact(l.name); ok && (!v.rng || lo > v.lo || hi < v.hi) {
		if v.rng {
			lo, hi = max(lo, v.lo), min(hi, v.hi)
		}
		v.lo, v.hi, v.rng = lo, hi, true
	}
	return v
}

// rangeFact returns the range known for a variable from dominating
// conditions.
func (fc *fctx) rangeFact(name string) (int64, int64, bool) {
	found := false
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	for s := fc.sc; s != nil; s = s.parent {
		for _, f := range s.facts {
			if f.isRange && f.a == name {
				lo, hi = max(lo, f.lo), min(hi, f.hi)
				found = true
			}
		}
	}
	return lo, hi, found
}

// hasFact reports whether a >= b (or a > b when strict) is known.
func (fc *fctx) hasFact(a, b string, strict, unsigned bool) bool {
	for s := fc.sc; s != nil; s = s.parent {
		for _, f := range s.facts {
			if !f.isRange && f.a == a && f.b == b && f.unsigned == unsigned && (f.strict || !strict) {
				return true
			}
		}
	}
	return false
}

// forget drops facts about a variable that is assigned.
func (fc *fctx) forget(name string) {
	for s := fc.sc; s != nil; s = s.parent {
		out := s.facts[:0]
		for _, f := range s.facts {
			if f.a != name && (f.isRange || f.b != name) {
				out = append(out, f)
			}
		}
		s.facts = out
	}
}

// ---- operands ----------------------------------------------------------------

// opnd returns v as an instruction operand, materialising constants that
// are not plain integers.
func (fc *fctx) opnd(v value) opnd {
	if v.c == nil {
		if v.r == noReg {
			return imm(0)
		}
		return reg(v.r)
	}
	switch v.t.k {
	case kInt, kUint, kBool, kDec, kRaw, kNil, kAccounts, kIData, kBottom:
		return imm(v.c.i)
	case kStr:
		return reg(fc.roAddr(fc.c.ro.str(v.c.s)))
	case kKw:
		return reg(fc.roAddr(fc.c.ro.kw(v.c.s)))
	case kBytes:
		return reg(fc.roAddr(fc.c.ro.bytesObj([]byte(v.c.s))))
	case kFn:
		return reg(fc.closureObject(v))
	}
	return imm(v.c.i)
}

func (fc *fctx) reg(v value) vreg { return fc.regOf(fc.opnd(v)) }

// stableReg reports whether v's register holds the same value wherever
// it is used: a temporary or an immutable variable, not a mutable one.
func (fc *fctx) stableReg(v value) bool {
	if v.r == noReg {
		return false
	}
	for s := fc.sc; s != nil; s = s.parent {
		for _, l := range s.vars {
			if l.r == v.r && l.mutable {
				return false
			}
		}
	}
	return true
}
