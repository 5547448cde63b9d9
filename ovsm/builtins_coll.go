package ovsm

import (
	"math"

	"github.com/agora-vm/agora/ovsm/parse"
)

// Built-in functions on collections: vectors, maps and their accessors.

func (fc *fctx) vectorLiteral(n *parse.Node) value {
	var vals []opnd
	for _, it := range n.Items {
		v := fc.expr(it)
		if v.t.k == kBottom {
			return bottomVal
		}
		vals = append(vals, fc.opnd(fc.box(v, it)))
	}
	fc.at(n)
	return regVal(tVec, fc.newVector(vals))
}

// newVector allocates a vector holding vals (kAny words).
func (fc *fctx) newVector(vals []opnd) vreg {
	k := int64(len(vals))
	p := fc.alloc(imm(24 + 8*k))
	fc.store(8, reg(p), 0, imm(tagVec|k<<32))
	es := fc.alu(aluAdd, reg(p), imm(24))
	fc.store(8, reg(p), 8, reg(es))
	fc.store(8, reg(p), 16, imm(k))
	for i, v := range vals {
		fc.store(8, reg(p), int64(24+8*i), v)
	}
	return p
}

func (fc *fctx) bVector(n *parse.Node) value {
	return fc.vectorLiteral(&parse.Node{Kind: parse.Vector, Pos: n.Pos, End: n.End, Items: n.Items[1:]})
}

func (fc *fctx) mapLiteral(n *parse.Node) value {
	if len(n.Items)%2 != 0 {
		return fc.errorf(FormError, n, "a map literal needs key-value pairs: {:key value …}")
	}
	type entry struct {
		key opnd
		val opnd
	}
	var es []entry
	seen := map[string]bool{}
	for i := 0; i < len(n.Items); i += 2 {
		kn := n.Items[i]
		var key opnd
		switch kn.Kind {
		case parse.Keyword, parse.String:
			if seen[kn.Text] {
				return fc.errorf(FormError, kn, "key %s appears twice", kn.String())
			}
			seen[kn.Text] = true
			if kn.Kind == parse.Keyword {
				key = reg(fc.roAddr(fc.c.ro.kw(kn.Text)))
			} else {
				key = reg(fc.roAddr(fc.c.ro.str(kn.Text)))
			}
		default:
			kv := fc.expr(kn)
			if kv.t.k == kBottom {
				return bottomVal
			}
			if kv.t.k != kKw && kv.t.k != kStr {
				return fc.errorf(TypeError, kn, "map keys are keywords or strings, got %s", kv.t)
			}
			key = fc.opnd(kv)
		}
		v := fc.expr(n.Items[i+1])
		if v.t.k == kBottom {
			return bottomVal
		}
		es = append(es, entry{key, fc.opnd(fc.box(v, n.Items[i+1]))})
	}
	fc.at(n)
	k := int64(len(es))
	p := fc.alloc(imm(24 + 16*k))
	fc.store(8, reg(p), 0, imm(tagMap|k<<32))
	ep := fc.alu(aluAdd, reg(p), imm(24))
	fc.store(8, reg(p), 8, reg(ep))
	fc.store(8, reg(p), 16, imm(k))
	for i, e := range es {
		fc.store(8, reg(p), int64(24+16*i), e.key)
		fc.store(8, reg(p), int64(32+16*i), e.val)
	}
	return regVal(tMap, p)
}

func (fc *fctx) bHashMap(n *parse.Node) value {
	return fc.mapLiteral(&parse.Node{Kind: parse.Map, Pos: n.Pos, End: n.End, Items: n.Items[1:]})
}

// keyObj turns a map key argument into a string or keyword object.
func (fc *fctx) keyObj(v value, n *parse.Node) (opnd, bool) {
	switch v.t.k {
	case kKw, kStr:
		return fc.opnd(v), true
	case kAny:
		return fc.opnd(v), true
	}
	fc.errorf(TypeError, n, "keys are keywords or strings, got %s", v.t)
	return opnd{}, false
}

// accountsGet is (get accounts i).
func (fc *fctx) accountsGet(i value, n *parse.Node) value {
	i = fc.convert(i, tUint, n)
	if i.t.k == kBottom {
		return bottomVal
	}
	fc.c.walkUsed = true
	h := fc.heapBase()
	tbl := int64(hdrGlobals + 8*fc.c.nslots)
	if i.c != nil {
		if uint64(i.c.i) >= 255 {
			fc.raiseStatic("account index out of range")
			return bottomVal
		}
		if int(i.c.i)+1 > fc.c.constAccounts {
			fc.c.constAccounts = int(i.c.i) + 1
		}
		// the count was checked against a larger index on every path here
		if lo, _, ok := fc.rangeFact("#accounts"); !ok || lo <= i.c.i {
			cnt := fc.load(8, reg(h), hdrNAccounts)
			fc.failIf(cGe, fc.opnd(i), reg(cnt), "account index out of range")
			fc.sc.facts = append(fc.sc.facts, fact{a: "#accounts", isRange: true, lo: i.c.i + 1, hi: 255})
		}
		return regVal(tAccount, fc.load(8, reg(h), tbl+8*i.c.i))
	}
	cnt := fc.load(8, reg(h), hdrNAccounts)
	fc.failIf(cGe, fc.opnd(i), reg(cnt), "account index out of range")
	x := fc.alu(aluLsh, fc.opnd(i), imm(3))
	fc.aluTo(x, aluAdd, reg(x), reg(h))
	return regVal(tAccount, fc.load(8, reg(x), tbl))
}

func (fc *fctx) bGet(n *parse.Node) value {
	if n.Head() == "." && len(n.Items) == 3 && n.Items[2].Kind == parse.Symbol {
		// (. obj field): the field name is a symbol, not a variable
		n = &parse.Node{Kind: parse.List, Pos: n.Pos, End: n.End, Items: []*parse.Node{n.Items[0], n.Items[1],
			{Kind: parse.Keyword, Text: n.Items[2].Text, Pos: n.Items[2].Pos, End: n.Items[2].End}}}
	}
	vs, ok := fc.args(n, 2, 3)
	if !ok {
		return bottomVal
	}
	coll, key := vs[0], vs[1]
	res := fc.getValue(coll, key, fc.arg(n, 0), fc.arg(n, 1), n)
	if len(vs) == 3 && res.t.k != kBottom {
		// a default for a missing (nil) result
		if res.t.k != kAny {
			return res
		}
		d := fc.box(vs[2], fc.arg(n, 2))
		r := fc.newReg()
		done := fc.newLabel()
		fc.mov(r, fc.opnd(res))
		fc.br(cNe, reg(r), imm(0), done)
		fc.mov(r, fc.opnd(d))
		fc.label(done)
		return regVal(tAny, r)
	}
	return res
}

// getValue is (get coll key) on evaluated operands.
func (fc *fctx) getValue(coll, key value, cn, kn, n *parse.Node) value {
	switch coll.t.k {
	case kAccounts:
		return fc.accountsGet(key, kn)
	case kIData:
		ko, ok := fc.keyObj(key, kn)
		if !ok {
			return bottomVal
		}
		if key.t.k == kAny {
			ko = fc.opnd(fc.bytesLike(key, kn))
		}
		fc.c.useIData()
		fc.c.heapUsed = true
		in := fc.c.runtimeInstance("%idata-get", []typ{tRaw}, false)
		return regVal(tAny, fc.call(in, []opnd{ko}))
	case kMap:
		ko, ok := fc.keyObj(key, kn)
		if !ok {
			return bottomVal
		}
		if key.t.k == kAny {
			ko = fc.opnd(fc.bytesLike(key, kn))
		}
		in := fc.c.runtimeInstance("%map-get", []typ{tRaw, tRaw}, false)
		return regVal(tAny, fc.call(in, []opnd{fc.opnd(coll), ko}))
	case kVec:
		i := fc.convert(key, tInt, kn)
		if i.t.k == kBottom {
			return bottomVal
		}
		r := fc.newReg()
		done := fc.newLabel()
		fc.mov(r, imm(0))
		ln := fc.load(4, fc.opnd(coll), 4)
		fc.br(cGe, fc.opnd(i), reg(ln), done) // unsigned: negative indexes are out of range too
		es := fc.load(8, fc.opnd(coll), 8)
		x := fc.alu(aluLsh, fc.opnd(i), imm(3))
		fc.aluTo(x, aluAdd, reg(x), reg(es))
		fc.loadTo(r, 8, reg(x), 0)
		fc.label(done)
		return regVal(tAny, r)
	case kStr, kBytes, kData:
		return fc.readAt(coll, key, kn, n, 1, false)
	case kErr:
		if key.c != nil && (key.t.k == kKw || key.t.k == kStr) {
			switch key.c.s {
			case "message":
				return regVal(tStr, fc.load(8, fc.opnd(coll), 8))
			case "data":
				return regVal(tAny, fc.load(8, fc.opnd(coll), 16))
			}
		}
		return fc.errorf(TypeError, kn, "errors have the fields :message and :data")
	case kAny:
		k := fc.box(key, kn)
		in := fc.c.runtimeInstance("%get", []typ{tRaw, tRaw}, false)
		fc.c.useIData() // the collection may be the accounts or the instruction data
		return regVal(tAny, fc.call(in, []opnd{fc.opnd(coll), fc.opnd(k)}))
	case kNil:
		return nilVal
	}
	return fc.errorf(TypeError, cn, "get needs a vector, map, accounts, instruction data, string or bytes, got %s", coll.t)
}

func (fc *fctx) bNth(n *parse.Node) value {
	vs, ok := fc.args(n, 2, 2)
	if !ok {
		return bottomVal
	}
	coll, idx := vs[0], vs[1]
	if coll.t.k == kInt || coll.t.k == kUint {
		coll, idx = idx, coll // (nth index list), as in the osvm dialect
	}
	if coll.t.k == kAny {
		coll = fc.convert(coll, tVec, fc.arg(n, 0))
	}
	if coll.t.k != kVec {
		return fc.getValue(coll, idx, fc.arg(n, 0), fc.arg(n, 1), n)
	}
	i := fc.convert(idx, tInt, fc.arg(n, 1))
	in := fc.c.runtimeInstance("%vec-index", []typ{tRaw, tRaw}, false)
	p := fc.call(in, []opnd{fc.opnd(coll), fc.opnd(i)})
	return regVal(tAny, fc.load(8, reg(p), 0))
}

func (fc *fctx) bFirstLast(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := vs[0]
	if v.t.k == kAny {
		v = fc.convert(v, tVec, fc.arg(n, 0))
	}
	if v.t.k != kVec {
		return fc.errorf(TypeError, n, "%s needs a vector, got %s", n.Head(), v.t)
	}
	r := fc.newReg()
	done := fc.newLabel()
	fc.mov(r, imm(0))
	ln := fc.load(4, fc.opnd(v), 4)
	fc.br(cEq, reg(ln), imm(0), done)
	es := fc.load(8, fc.opnd(v), 8)
	if n.Head() == "first" {
		fc.loadTo(r, 8, reg(es), 0)
	} else {
		x := fc.alu(aluLsh, reg(ln), imm(3))
		fc.aluTo(x, aluAdd, reg(x), reg(es))
		fc.loadTo(r, 8, reg(x), -8)
	}
	fc.label(done)
	return regVal(tAny, r)
}

// lengthOf returns the length of a collection value.
func (fc *fctx) lengthOf(v value, n *parse.Node) value {
	switch v.t.k {
	case kStr, kBytes, kKw, kVec, kMap:
		if v.c != nil && v.t.k != kVec && v.t.k != kMap {
			return constInt(tUint, int64(len(v.c.s)))
		}
		return withRange(regVal(tUint, fc.load(4, fc.opnd(v), 4)), 0, math.MaxUint32, true)
	case kAccounts:
		fc.c.walkUsed = true
		h := fc.heapBase()
		return withRange(regVal(tUint, fc.load(8, reg(h), hdrNAccounts)), 0, 255, true)
	case kIData:
		fc.c.useIData()
		h := fc.heapBase()
		return withRange(regVal(tUint, fc.load(8, reg(h), hdrIDataLen)), 0, 1<<40, true)
	case kData:
		return withRange(regVal(tUint, fc.load(8, fc.opnd(v), 80)), 0, 1<<40, true)
	case kNil:
		return constInt(tUint, 0)
	case kAny:
		in := fc.c.runtimeInstance("%length", []typ{tRaw}, false)
		return withRange(regVal(tUint, fc.call(in, []opnd{fc.opnd(v)})), 0, 1<<40, true)
	}
	return fc.errorf(TypeError, n, "length needs a collection, got %s", v.t)
}

func (fc *fctx) bLength(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	return fc.lengthOf(vs[0], fc.arg(n, 0))
}

func (fc *fctx) bEmpty(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	if vs[0].t.k == kNil {
		return boolConst(true)
	}
	l := fc.lengthOf(vs[0], fc.arg(n, 0))
	if l.t.k == kBottom {
		return l
	}
	if l.c != nil {
		return boolConst(l.c.i == 0)
	}
	r := fc.newReg()
	done := fc.newLabel()
	fc.mov(r, imm(1))
	fc.br(cEq, reg(l.r), imm(0), done)
	fc.mov(r, imm(0))
	fc.label(done)
	return regVal(tBool, r)
}

func (fc *fctx) vecArg(v value, n *parse.Node, what string) (value, bool) {
	if v.t.k == kAny {
		v = fc.convert(v, tVec, n)
	}
	if v.t.k != kVec {
		fc.errorf(TypeError, n, "%s needs a vector, got %s", what, v.t)
		return v, false
	}
	return v, true
}

func (fc *fctx) mapArg(v value, n *parse.Node, what string) (value, bool) {
	if v.t.k == kAny {
		v = fc.convert(v, tMap, n)
	}
	if v.t.k != kMap {
		fc.errorf(TypeError, n, "%s needs a map, got %s", what, v.t)
		return v, false
	}
	return v, true
}

func (fc *fctx) bPush(n *parse.Node) value {
	vs, ok := fc.args(n, 2, 2)
	if !ok {
		return bottomVal
	}
	v, ok := fc.vecArg(vs[0], fc.arg(n, 0), n.Head())
	if !ok {
		return bottomVal
	}
	x := fc.box(vs[1], fc.arg(n, 1))
	in := fc.c.runtimeInstance("%vec-push", []typ{tRaw, tRaw}, false)
	fc.call(in, []opnd{fc.opnd(v), fc.opnd(x)})
	return v
}

func (fc *fctx) bSetNth(n *parse.Node) value {
	vs, ok := fc.args(n, 3, 3)
	if !ok {
		return bottomVal
	}
	v, ok := fc.vecArg(vs[0], fc.arg(n, 0), n.Head())
	if !ok {
		return bottomVal
	}
	i := fc.convert(vs[1], tInt, fc.arg(n, 1))
	x := fc.box(vs[2], fc.arg(n, 2))
	in := fc.c.runtimeInstance("%vec-index", []typ{tRaw, tRaw}, false)
	p := fc.call(in, []opnd{fc.opnd(v), fc.opnd(i)})
	fc.store(8, reg(p), 0, fc.opnd(x))
	return v
}

func (fc *fctx) bAssoc(n *parse.Node) value {
	vs, ok := fc.args(n, 3, 3)
	if !ok {
		return bottomVal
	}
	m, ok := fc.mapArg(vs[0], fc.arg(n, 0), n.Head())
	if !ok {
		return bottomVal
	}
	k, ok := fc.keyObj(vs[1], fc.arg(n, 1))
	if !ok {
		return bottomVal
	}
	if vs[1].t.k == kAny {
		k = fc.opnd(fc.bytesLike(vs[1], fc.arg(n, 1)))
	}
	x := fc.box(vs[2], fc.arg(n, 2))
	mo := fc.opnd(m)
	if n.Head() == "assoc" {
		cp := fc.c.runtimeInstance("%map-copy", []typ{tRaw}, false)
		mo = reg(fc.call(cp, []opnd{mo}))
	}
	in := fc.c.runtimeInstance("%map-put", []typ{tRaw, tRaw, tRaw}, false)
	fc.call(in, []opnd{mo, k, fc.opnd(x)})
	return regVal(tMap, fc.regOf(mo))
}

func (fc *fctx) bContains(n *parse.Node) value {
	vs, ok := fc.args(n, 2, 2)
	if !ok {
		return bottomVal
	}
	c := vs[0]
	if c.t.k == kVec {
		i := fc.convert(vs[1], tInt, fc.arg(n, 1))
		ln := fc.load(4, fc.opnd(c), 4)
		r := fc.newReg()
		done := fc.newLabel()
		fc.mov(r, imm(0))
		fc.br(cGe, fc.opnd(i), reg(ln), done)
		fc.mov(r, imm(1))
		fc.label(done)
		return regVal(tBool, r)
	}
	m, ok := fc.mapArg(c, fc.arg(n, 0), n.Head())
	if !ok {
		return bottomVal
	}
	k, ok := fc.keyObj(vs[1], fc.arg(n, 1))
	if !ok {
		return bottomVal
	}
	in := fc.c.runtimeInstance("%map-find", []typ{tRaw, tRaw}, false)
	e := fc.call(in, []opnd{fc.opnd(m), k})
	r := fc.newReg()
	done := fc.newLabel()
	fc.mov(r, imm(0))
	fc.br(cEq, reg(e), imm(0), done)
	fc.mov(r, imm(1))
	fc.label(done)
	return regVal(tBool, r)
}

func (fc *fctx) bKeysValues(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	m, ok := fc.mapArg(vs[0], fc.arg(n, 0), n.Head())
	if !ok {
		return bottomVal
	}
	off := int64(0)
	if n.Head() == "values" {
		off = 8
	}
	cnt := fc.load(4, fc.opnd(m), 4)
	mk := fc.c.runtimeInstance("%vec-new", []typ{tRaw}, false)
	v := fc.call(mk, []opnd{reg(cnt)})
	es := fc.load(8, fc.opnd(m), 8)
	i := fc.newReg()
	fc.mov(i, imm(0))
	top, done := fc.newLabel(), fc.newLabel()
	push := fc.c.runtimeInstance("%vec-push", []typ{tRaw, tRaw}, false)
	fc.label(top)
	fc.depth++
	fc.br(cGe, reg(i), reg(cnt), done)
	x := fc.alu(aluLsh, reg(i), imm(4))
	fc.aluTo(x, aluAdd, reg(x), reg(es))
	e := fc.load(8, reg(x), off)
	fc.call(push, []opnd{reg(v), reg(e)})
	fc.aluTo(i, aluAdd, reg(i), imm(1))
	fc.jmp(top)
	fc.depth--
	fc.label(done)
	return regVal(tVec, v)
}

func (fc *fctx) bRange(n *parse.Node) value {
	return fc.errorf(FormError, n, "range is used in for loops: (for (i (range 0 n)) …)")
}
