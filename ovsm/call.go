package ovsm

import (
	"fmt"
	"strings"

	"github.com/agora-vm/agora/ovsm/parse"
)

// fnValue is a function known at compile time: a defn, or a lambda with
// the types of what it captures.
type fnValue struct {
	id     string
	name   string
	decl   *decl
	node   *parse.Node
	params []param
	body   []*parse.Node
	caps   []capture // captured variables, in slot order (constants have no slot)
	nslots int
	file   int32
}

type capture struct {
	name   string
	t      typ
	c      *cval
	slot   int // -1 for constants
	lo, hi int64
	rng    bool
}

func (fv *fnValue) paramList() []param {
	if fv.decl != nil {
		return fv.decl.params
	}
	return fv.params
}

// ---- instances ----------------------------------------------------------------

// compileInstance generates the IR of one function instance.
//
// Mutable integer variables are first assumed never negative when every
// value assigned to them is (given that assumption): a sum of byte values
// stays non-negative, so its overflow check is one instruction. When an
// assignment breaks the assumption, the function is compiled again
// without it for that variable.
func (c *compiler) compileInstance(ins *instance) {
	violated := map[string]bool{}
	for attempt := 0; ; attempt++ {
		fc := c.compileInstanceOnce(ins, violated)
		if len(fc.violations) == 0 || attempt > 8 {
			return
		}
		for n := range fc.violations {
			violated[n] = true
		}
	}
}

func (c *compiler) compileInstanceOnce(ins *instance, violated map[string]bool) *fctx {
	f := &function{name: ins.name, propag: ins.propag}
	ins.f = f
	fc := &fctx{c: c, inst: ins, f: f, stubs: map[string]int{}, mutable: map[string]bool{}, noOpt: c.opts.NoOptimize,
		notNonneg: violated, violations: map[string]bool{}}
	if ins.entry {
		fc.at(c.entry)
		c.compileEntry(fc)
		return fc
	}
	var ps []param
	var body []*parse.Node
	var fv *fnValue
	if ins.decl != nil {
		ps, body, fc.file = ins.decl.params, ins.decl.body, ins.decl.file
	} else {
		fv = ins.lambda
		ps, body, fc.file = fv.params, fv.body, fv.file
	}
	assigned(body, fc.mutable)
	if fv != nil {
		fc.at(fv.node)
	} else {
		fc.at(ins.decl.node)
	}
	fc.push()
	var params []opnd
	env := noReg
	if ins.generic || (fv != nil && fv.nslots > 0) {
		env = f.newReg()
		params = append(params, reg(env))
	}
	type pending struct {
		name string
		r    vreg
		t    typ
	}
	var binds []pending
	for i, p := range ps {
		t := tAny
		if i < len(ins.args) {
			t = ins.args[i]
		}
		if t.singleton() || (t.k == kFn && t.fn != nil && t.fn.nslots == 0) {
			var cv *cval = &cval{}
			if t.k == kFn {
				cv = &cval{fn: t.fn}
			}
			fc.sc.vars[p.name] = &local{name: p.name, t: t, r: noReg, c: cv}
			continue
		}
		r := f.newReg()
		params = append(params, reg(r))
		binds = append(binds, pending{p.name, r, t})
	}
	if len(params) > 5 {
		// arguments from the fifth on arrive through a buffer whose address
		// is in r5
		ptr := f.newReg()
		head := append(append([]opnd(nil), params[:4]...), reg(ptr))
		fc.emit(inst{op: opParams, args: head, dst: noReg, dst2: noReg})
		for j, p := range params[4:] {
			fc.loadTo(p.r, 8, reg(ptr), int64(8*j))
		}
		f.stackArg = true
	} else {
		fc.emit(inst{op: opParams, args: params, dst: noReg, dst2: noReg})
	}
	fc.defineHeapBase()
	for _, b := range binds {
		l := &local{name: b.name, t: b.t, r: b.r, mutable: fc.mutable[b.name]}
		fc.sc.vars[b.name] = l
	}
	if fv != nil {
		for _, cp := range fv.caps {
			if cp.slot < 0 {
				fc.sc.vars[cp.name] = &local{name: cp.name, t: cp.t, r: noReg, c: cp.c, lo: cp.lo, hi: cp.hi, rng: cp.rng}
				continue
			}
			r := fc.load(8, reg(env), int64(16+8*cp.slot))
			fc.sc.vars[cp.name] = &local{name: cp.name, t: cp.t, r: r, lo: cp.lo, hi: cp.hi, rng: cp.rng}
		}
	}
	fc.env = env
	if fc.file == 0 && len(body) > 0 {
		fc.at(body[0])
	}
	v := fc.seq(body)
	ins.computed = v.t
	if v.t.k == kBottom {
		return fc
	}
	ret := ins.ret
	if ret.k == kBottom {
		// first round of a recursive function: the type is not known yet
		ret = v.t
	}
	rv := fc.convert(v, ret, nil)
	var a opnd = imm(0)
	if !ret.singleton() && rv.t.k != kBottom {
		a = fc.opnd(rv)
	}
	var b opnd = opnd{r: noReg}
	if ins.propag {
		b = imm(0)
	}
	fc.emit(inst{op: opRet, a: a, b: b, dst: noReg, dst2: noReg})
	return fc
}

// runtimeInstance returns the instance of a runtime-library function.
func (c *compiler) runtimeInstance(name string, args []typ, _ bool) *instance {
	d, ok := c.decls[name]
	if !ok {
		panic("ovsm: runtime library has no " + name)
	}
	return c.instanceFor(d, nil, args, true, false)
}

// ---- calls ----------------------------------------------------------------

// argList matches call arguments to declared parameters: positional
// first, then `:keyword value` pairs for keyword parameters.
func (fc *fctx) argList(ps []param, args []*parse.Node, n *parse.Node, what string) ([]*parse.Node, bool) {
	out := make([]*parse.Node, len(ps))
	keyIdx := map[string]int{}
	npos := 0
	for i, p := range ps {
		if p.keyword != "" {
			keyIdx[p.keyword] = i
		} else {
			npos++
		}
	}
	pos := 0
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a.Kind == parse.Keyword {
			if idx, ok := keyIdx[a.Text]; ok {
				if i+1 >= len(args) {
					fc.errorf(ArityError, a, "keyword argument :%s has no value", a.Text)
					return nil, false
				}
				if out[idx] != nil {
					fc.errorf(ArityError, a, "keyword argument :%s given twice", a.Text)
					return nil, false
				}
				out[idx] = args[i+1]
				i++
				continue
			}
			if len(keyIdx) > 0 && pos >= npos {
				fc.errorf(ArityError, a, "%s has no keyword parameter :%s", what, a.Text)
				return nil, false
			}
		}
		if pos >= npos {
			fc.errorf(ArityError, n, "%s takes %d positional argument%s, got more", what, npos, plural(npos))
			return nil, false
		}
		out[pos] = a
		pos++
	}
	if pos < npos {
		fc.errorf(ArityError, n, "%s takes %d argument%s, got %d", what, npos, plural(npos), pos)
		return nil, false
	}
	return out, true
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// callDecl compiles a call of a named function.
func (fc *fctx) callDecl(d *decl, n *parse.Node) value {
	fv := &fnValue{id: "defn:" + d.name, name: d.name, decl: d}
	return fc.callFn(fv, nil, n)
}

// callFn calls a function known at compile time. env is the closure
// object for lambdas that capture registers.
func (fc *fctx) callFn(fv *fnValue, env *value, n *parse.Node) value {
	ps := fv.paramList()
	nodes, ok := fc.argList(ps, n.Items[1:], n, fmt.Sprintf("%q", fv.name))
	if !ok {
		return bottomVal
	}
	vals := make([]value, len(ps))
	for i, an := range nodes {
		switch {
		case an != nil:
			vals[i] = fc.expr(an)
		case ps[i].deflt != nil:
			vals[i] = fc.expr(ps[i].deflt)
		default:
			vals[i] = nilVal
		}
		if vals[i].t.k == kBottom {
			return bottomVal
		}
	}
	fc.at(n)
	return fc.invoke(fv, env, vals, n)
}

// invoke calls fv with evaluated arguments.
func (fc *fctx) invoke(fv *fnValue, env *value, vals []value, n *parse.Node) value {
	types := make([]typ, len(vals))
	var args []opnd
	if fv.nslots > 0 {
		if env == nil {
			return fc.errorf(InternalError, n, "closure without environment")
		}
		args = append(args, fc.opnd(*env))
	}
	for i, v := range vals {
		t := v.t
		if t.k == kFn && v.c == nil && (t.fn == nil || t.fn.nslots == 0) {
			t = tAny
			v = fc.box(v, n)
		}
		if fv.decl != nil && fv.decl.runtime && (t.k == kInt || t.k == kUint || t.k == kBool) {
			t = tRaw // one specialisation of a runtime function serves every integer
			v.t = tRaw
		}
		types[i] = t
		if t.singleton() || (t.k == kFn && t.fn != nil && t.fn.nslots == 0) {
			continue
		}
		args = append(args, fc.opnd(v))
	}
	propag := fc.inst.propag || len(fc.tries) > 0
	if fc.c.tooManyVersions(fv, types, propag) {
		// enough specialisations of this function: take every argument as
		// a value of any type
		args = args[:0]
		if fv.nslots > 0 {
			args = append(args, fc.opnd(*env))
		}
		for i, v := range vals {
			types[i] = tAny
			b := fc.box(v, n)
			if b.t.singleton() {
				continue
			}
			args = append(args, fc.opnd(b))
		}
	}
	in := fc.c.instanceFor(fv.decl, lambdaOf(fv), types, propag, false)
	r := fc.call(in, args)
	if in.ret.k == kBottom {
		// not known yet (a recursive call in the first round), or the
		// function never returns
		fc.checkOnly(nil)
		return bottomVal
	}
	if in.ret.singleton() {
		return value{t: in.ret, r: noReg, c: &cval{}}
	}
	return regVal(in.ret, r)
}

func lambdaOf(fv *fnValue) *fnValue {
	if fv.decl != nil {
		return nil
	}
	return fv
}

// callValue calls whatever a head expression evaluated to.
func (fc *fctx) callValue(f value, n *parse.Node) value {
	switch f.t.k {
	case kBottom:
		return bottomVal
	case kFn:
		if f.t.fn == nil {
			return fc.errorf(InternalError, n, "unknown function value")
		}
		return fc.callFn(f.t.fn, &f, n)
	case kAny:
		return fc.callDynamic(f, n)
	}
	return fc.errorf(TypeError, n.Items[0], "%s is a %s, not a function", n.Items[0].String(), f.t)
}

// callDynamic calls a closure known only at run time, through its
// generic entry: every argument boxed, the result a kAny, errors
// returned in r1.
func (fc *fctx) callDynamic(f value, n *parse.Node) value {
	p := fc.reg(f)
	var args []opnd
	args = append(args, reg(p))
	for _, an := range n.Items[1:] {
		v := fc.expr(an)
		if v.t.k == kBottom {
			return bottomVal
		}
		args = append(args, fc.opnd(fc.box(v, an)))
	}
	fc.at(n)
	nargs := len(n.Items) - 1
	fc.failIf(cEq, reg(p), imm(0), "nil is not a function")
	tg := fc.load(1, reg(p), 0)
	fc.failIf(cNe, reg(tg), imm(tagFn), "called value is not a function")
	ar := fc.load(4, reg(p), 4)
	fc.failIf(cNe, reg(ar), imm(int64(nargs)), fmt.Sprintf("function called with %d argument%s, but it takes a different number", nargs, plural(nargs)))
	target := fc.load(8, reg(p), 8)
	if len(args) > 5 {
		extra := args[4:]
		buf := fc.frameBuf(8 * len(extra))
		for j, a := range extra {
			fc.store(8, reg(buf), int64(8*j), a)
		}
		args = append(append([]opnd(nil), args[:4]...), reg(buf))
	}
	r, e := fc.newReg(), fc.newReg()
	fc.emit(inst{op: opCallx, a: reg(target), args: args, dst: r, dst2: e})
	fc.checkErr(e)
	return regVal(tAny, r)
}

// ---- lambdas ----------------------------------------------------------------

// formLambda creates a closure: (lambda (params…) body…).
func (fc *fctx) formLambda(n *parse.Node) value {
	if len(n.Items) < 3 || (n.Items[1].Kind != parse.List && n.Items[1].Kind != parse.Vector) {
		return fc.errorf(FormError, n, "lambda takes parameters and a body: (lambda (x y) body…)")
	}
	ps, ok := fc.c.parseParams(n.Items[1], fc.file)
	if !ok {
		return bottomVal
	}
	fv := &fnValue{
		id:     fmt.Sprintf("lambda@%d:%d/%s", n.Pos.Line, n.Pos.Col, fc.inst.key),
		name:   fmt.Sprintf("%s.lambda%d", baseName(fc.inst.name), n.Pos.Line),
		node:   n,
		params: ps,
		body:   n.Items[2:],
		file:   fc.file,
	}
	isParam := map[string]bool{}
	for _, p := range ps {
		isParam[p.name] = true
	}
	seen := map[string]bool{}
	var slots []value
	var walk func(*parse.Node)
	walk = func(m *parse.Node) {
		if m.Kind == parse.Symbol {
			name := m.Text
			if isParam[name] || seen[name] {
				return
			}
			l := fc.lookup(name)
			if l == nil || l.global != nil {
				return
			}
			seen[name] = true
			v := fc.read(l)
			cp := capture{name: name, t: v.t, c: v.c, slot: -1, lo: v.lo, hi: v.hi, rng: v.rng}
			if fc.mutable[name] && fc.lambdaSets(n, name) {
				fc.errorf(FormError, m, "a closure cannot set! the captured variable %q (closures capture values)", name)
			}
			if v.c == nil && !v.t.singleton() {
				if v.t.k == kFn {
					v = fc.box(v, m)
					cp.t = tAny
				}
				cp.slot = len(slots)
				slots = append(slots, v)
			}
			fv.caps = append(fv.caps, cp)
			return
		}
		for _, it := range m.Items {
			walk(it)
		}
	}
	for _, b := range fv.body {
		walk(b)
	}
	fv.nslots = len(slots)
	t := typ{k: kFn, fn: fv}
	if len(slots) == 0 {
		return value{t: t, r: noReg, c: &cval{fn: fv}}
	}
	p := fc.alloc(imm(int64(16 + 8*len(slots))))
	fc.store(8, reg(p), 0, imm(tagFn|int64(len(ps))<<32))
	fc.store(8, reg(p), 8, imm(0))
	for i, v := range slots {
		fc.store(8, reg(p), int64(16+8*i), fc.opnd(v))
	}
	return regVal(t, p)
}

// lambdaSets reports whether the lambda n assigns name.
func (fc *fctx) lambdaSets(n *parse.Node, name string) bool {
	as := map[string]bool{}
	assigned(n.Items[2:], as)
	return as[name]
}

func baseName(s string) string {
	if i := strings.IndexByte(s, '.'); i > 0 {
		return s[:i]
	}
	return s
}

// closureObject makes the run-time object of a function value, with the
// address of its generic entry filled in (so kAny callers can call it).
func (fc *fctx) closureObject(v value) vreg {
	fv := v.t.fn
	if fv == nil && v.c != nil {
		fv = v.c.fn
	}
	nparams := len(fv.paramList())
	args := make([]typ, nparams)
	for i := range args {
		args[i] = tAny
	}
	gen := fc.c.instanceFor(fv.decl, lambdaOf(fv), args, true, true)
	addr := fc.fnAddr(gen)
	if v.r != noReg && fv.nslots > 0 {
		fc.store(8, reg(v.r), 8, reg(addr))
		return v.r
	}
	p := fc.alloc(imm(16))
	fc.store(8, reg(p), 0, imm(tagFn|int64(nparams)<<32))
	fc.store(8, reg(p), 8, reg(addr))
	return p
}

// ---- entry ----------------------------------------------------------------

// compileEntry generates the entrypoint: parameters, globals, body, and
// (once every function is compiled) the prologue that sets up the heap
// and the account table.
func (c *compiler) compileEntry(fc *fctx) {
	f := fc.f
	input := f.newReg()
	fc.emit(inst{op: opParams, args: []opnd{reg(input)}, dst: noReg, dst2: noReg})
	fc.defineHeapBase()
	assigned(c.entryBody, fc.mutable)
	for _, g := range c.globalOrder {
		assigned([]*parse.Node{g.init}, fc.mutable)
	}
	fc.push()
	fc.sc.vars[c.entryParams[0]] = &local{name: c.entryParams[0], t: tAccounts, r: noReg, c: &cval{}}
	fc.sc.vars[c.entryParams[1]] = &local{name: c.entryParams[1], t: tIData, r: noReg, c: &cval{}}
	bodyStart := len(f.insts)
	for _, g := range c.globalOrder {
		if g.slot < 0 {
			continue
		}
		fc.file = g.file
		saved := fc.sc
		fc.sc = &scope{vars: map[string]*local{}} // globals see only globals
		v := fc.expr(g.init)
		fc.sc = saved
		old, ok := c.globalType[g.name]
		nt := v.t
		if ok {
			nt = join(old, v.t)
		}
		if nt.k == kFn {
			nt = tAny
		}
		if !ok || nt != old {
			c.globalType[g.name] = nt
			c.globalsChanged = true
		}
		if v.t.k == kBottom || nt.singleton() {
			continue
		}
		cv := fc.convert(v, nt, g.init)
		c.heapUsed = true
		h := fc.heapBase()
		fc.store(8, reg(h), hdrGlobals+8*int64(g.slot), fc.opnd(cv))
	}
	fc.file = 0
	if len(c.entryBody) > 0 {
		fc.at(c.entryBody[0])
	}
	v := fc.seq(c.entryBody)
	if v.t.k != kBottom {
		var r0 opnd = imm(0)
		if v.t.k == kInt || v.t.k == kUint {
			r0 = fc.opnd(v)
		}
		fc.at(c.entry)
		fc.emit(inst{op: opRet, a: r0, b: opnd{r: noReg}, dst: noReg, dst2: noReg})
	}
	// The prologue goes in front of everything but the parameters; it is
	// generated at the end of the round, when it is known what the whole
	// program uses.
	c.entryFinish = func() {
		body := append([]inst(nil), f.insts[bodyStart:]...)
		f.insts = f.insts[:bodyStart]
		fc.at(c.entry)
		fc.prologue(input)
		f.insts = append(f.insts, body...)
	}
}

// prologue sets up the heap header and, when the program touches its
// accounts or instruction data, the table of account pointers.
//
// The accounts are walked once (see package abi for the layout): each
// entry is a duplicate marker (8 bytes) or a full account whose size
// depends on its data length. The first accounts the program indexes with
// constants are walked by straight-line code, the rest by a loop.
func (fc *fctx) prologue(input vreg) {
	c := fc.c
	headerEnd := int64(hdrGlobals + 8*c.nslots)
	if !c.heapUsed && !c.walkUsed {
		return
	}
	h := fc.heapBase()
	if c.heapUsed {
		end := fc.alu(aluAdd, reg(h), imm(int64(c.opts.HeapSize)))
		fc.store(8, reg(h), hdrEnd, reg(end))
	}
	if !c.walkUsed {
		start := fc.alu(aluAdd, reg(h), imm(headerEnd))
		fc.store(8, reg(h), hdrBump, reg(start))
		return
	}
	p := fc.newReg()
	n := fc.load(8, reg(input), 0)
	fc.store(8, reg(h), hdrNAccounts, reg(n))
	fc.aluTo(p, aluAdd, reg(input), imm(8))
	done := fc.newLabel()
	// skip moves p past the account entry at p
	skip := func() {
		dl := fc.load(8, reg(p), accDataLen)
		fc.aluTo(p, aluAdd, reg(p), reg(dl))
		fc.aluTo(p, aluAdd, reg(p), imm(accData+10240+7))
		fc.aluTo(p, aluAnd, reg(p), imm(-8))
		fc.aluTo(p, aluAdd, reg(p), imm(8))
	}
	unrolled := min(c.constAccounts, 4)
	for k := 0; k < unrolled; k++ {
		fc.br(cLe, reg(n), imm(int64(k)), done)
		next, isDup := fc.newLabel(), fc.newLabel()
		m := fc.load(1, reg(p), 0)
		fc.br(cNe, reg(m), imm(0xff), isDup)
		fc.store(8, reg(h), headerEnd+8*int64(k), reg(p))
		skip()
		fc.label(next)
		fc.outOfLine(func() {
			fc.label(isDup)
			slot := fc.alu(aluAdd, reg(h), imm(headerEnd+8*int64(k)))
			x := fc.alu(aluLsh, reg(m), imm(3))
			fc.aluTo(x, aluAdd, reg(x), reg(h))
			q := fc.load(8, reg(x), headerEnd)
			fc.store(8, reg(slot), 0, reg(q))
			fc.aluTo(p, aluAdd, reg(p), imm(8))
			fc.jmp(next)
		})
	}
	// the remaining accounts
	t := fc.alu(aluAdd, reg(h), imm(headerEnd+8*int64(unrolled)))
	i := fc.newReg()
	fc.mov(i, imm(int64(unrolled)))
	top, next, isDup := fc.newLabel(), fc.newLabel(), fc.newLabel()
	fc.br(cGe, reg(i), reg(n), done)
	fc.label(top)
	fc.depth++
	m := fc.load(1, reg(p), 0)
	fc.br(cNe, reg(m), imm(0xff), isDup)
	fc.store(8, reg(t), 0, reg(p))
	skip()
	fc.label(next)
	fc.aluTo(t, aluAdd, reg(t), imm(8))
	fc.aluTo(i, aluAdd, reg(i), imm(1))
	fc.br(cLt, reg(i), reg(n), top)
	fc.depth--
	fc.outOfLine(func() {
		fc.label(isDup)
		x := fc.alu(aluLsh, reg(m), imm(3))
		fc.aluTo(x, aluAdd, reg(x), reg(h))
		q := fc.load(8, reg(x), headerEnd)
		fc.store(8, reg(t), 0, reg(q))
		fc.aluTo(p, aluAdd, reg(p), imm(8))
		fc.jmp(next)
	})
	fc.label(done)
	if c.heapUsed {
		// the heap starts after the table
		tend := fc.alu(aluLsh, reg(n), imm(3))
		fc.aluTo(tend, aluAdd, reg(tend), reg(h))
		fc.aluTo(tend, aluAdd, reg(tend), imm(headerEnd))
		fc.store(8, reg(h), hdrBump, reg(tend))
	}
	if c.idataUsed || c.pidUsed {
		ilen := fc.load(8, reg(p), 0)
		fc.store(8, reg(h), hdrIDataLen, reg(ilen))
		fc.aluTo(p, aluAdd, reg(p), imm(8))
		fc.store(8, reg(h), hdrIData, reg(p))
		if c.pidUsed {
			pid := fc.alu(aluAdd, reg(p), reg(ilen))
			fc.store(8, reg(h), hdrProgramID, reg(pid))
		}
	}
}

// maxVersions bounds the specialisations of one function (by argument
// types); further calls use a version taking values of any type. It keeps
// compilation finite for functions that pass themselves new closures.
const maxVersions = 8

func (c *compiler) tooManyVersions(fv *fnValue, types []typ, propag bool) bool {
	if fv.decl != nil && fv.decl.runtime {
		return false
	}
	n := 0
	for _, in := range c.instances {
		if in.generic {
			continue
		}
		if (fv.decl != nil && in.decl == fv.decl) || (fv.decl == nil && in.lambda != nil && in.lambda.node == fv.node) {
			n++
		}
	}
	return n >= maxVersions
}
