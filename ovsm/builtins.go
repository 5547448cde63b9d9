package ovsm

import (
	"fmt"
	"math"
	"strings"

	"github.com/agora-vm/agora/ovsm/parse"
)

// builtin compiles a call of a built-in function.
type builtin func(fc *fctx, n *parse.Node) value

var builtins map[string]builtin

func init() {
	builtins = map[string]builtin{}
	for _, op := range []string{"+", "-", "*", "/", "%", "mod", "rem", "quot"} {
		builtins[op] = (*fctx).arithForm
	}
	for _, op := range []string{"<", ">", "<=", ">=", "=", "==", "!=", "not=", "null?", "nil?", "some?", "eq?", "equal?"} {
		builtins[op] = (*fctx).boolValue
	}
	for _, op := range []string{"bit-and", "bit-or", "bit-xor", "bit-not", "shl", "shr", "<<", ">>", "logand", "logior", "logxor"} {
		builtins[op] = (*fctx).bitForm
	}
	for name, b := range map[string]builtin{
		"min": (*fctx).minMax, "max": (*fctx).minMax, "abs": (*fctx).bAbs,
		"inc": (*fctx).bIncDec, "dec": (*fctx).bIncDec,
		"zero?": (*fctx).bNumPred, "pos?": (*fctx).bNumPred, "neg?": (*fctx).bNumPred,
		"positive?": (*fctx).bNumPred, "negative?": (*fctx).bNumPred, "even?": (*fctx).bNumPred, "odd?": (*fctx).bNumPred,
		"int": (*fctx).bToInt, "i64": (*fctx).bToInt, "u64": (*fctx).bToUint, "uint": (*fctx).bToUint,
		"decimal": (*fctx).bToDec,
		"int?":    (*fctx).bTypePred, "u64?": (*fctx).bTypePred, "integer?": (*fctx).bTypePred, "number?": (*fctx).bTypePred,
		"decimal?": (*fctx).bTypePred, "string?": (*fctx).bTypePred, "bytes?": (*fctx).bTypePred,
		"keyword?": (*fctx).bTypePred, "vector?": (*fctx).bTypePred, "list?": (*fctx).bTypePred, "map?": (*fctx).bTypePred,
		"bool?": (*fctx).bTypePred, "boolean?": (*fctx).bTypePred, "fn?": (*fctx).bTypePred, "function?": (*fctx).bTypePred,
		"error?": (*fctx).bTypePred, "account?": (*fctx).bTypePred,

		"vector": (*fctx).bVector, "list": (*fctx).bVector, "vec": (*fctx).bVector,
		"hash-map": (*fctx).bHashMap, "object": (*fctx).bHashMap,
		"get": (*fctx).bGet, ".": (*fctx).bGet, "nth": (*fctx).bNth, "first": (*fctx).bFirstLast, "last": (*fctx).bFirstLast,
		"length": (*fctx).bLength, "count": (*fctx).bLength, "len": (*fctx).bLength, "size": (*fctx).bLength,
		"empty?": (*fctx).bEmpty,
		"push!":  (*fctx).bPush, "append!": (*fctx).bPush, "conj!": (*fctx).bPush,
		"set-nth!": (*fctx).bSetNth, "assoc!": (*fctx).bAssoc, "put!": (*fctx).bAssoc, "assoc": (*fctx).bAssoc,
		"contains?": (*fctx).bContains, "has-key?": (*fctx).bContains,
		"keys": (*fctx).bKeysValues, "values": (*fctx).bKeysValues,
		"find": (*fctx).bHigher, "map": (*fctx).bHigher, "filter": (*fctx).bHigher, "reduce": (*fctx).bHigher,
		"some": (*fctx).bHigher, "any?": (*fctx).bHigher, "every?": (*fctx).bHigher,
		"range": (*fctx).bRange,

		"str": (*fctx).bStr, "to-string": (*fctx).bStr, "format": (*fctx).bStr,
		"concat": (*fctx).bConcat, "encode": (*fctx).bEncode, "decode": (*fctx).bDecode,
		"error-message": (*fctx).bErrorPart, "error-data": (*fctx).bErrorPart,

		"get-balance": (*fctx).bBalance, "lamports": (*fctx).bBalance, "set-balance!": (*fctx).bSetBalance,
		"key": (*fctx).bKey, "pubkey": (*fctx).bKey, "account-key": (*fctx).bKey, "owner": (*fctx).bKey,
		"account-owner": (*fctx).bKey,
		"signer?":       (*fctx).bFlag, "is-signer": (*fctx).bFlag, "writable?": (*fctx).bFlag, "is-writable": (*fctx).bFlag,
		"executable?": (*fctx).bFlag,
		"data-len":    (*fctx).bDataLen, "data": (*fctx).bData, "account-data": (*fctx).bData,
		"num-accounts": (*fctx).bNumAccounts, "program-id": (*fctx).bProgramID,
		"key=": (*fctx).bKeyEq, "owned-by?": (*fctx).bKeyEq,

		"log": (*fctx).bLog, "print": (*fctx).bLog, "println": (*fctx).bLog, "msg!": (*fctx).bLog,
		"log-64": (*fctx).bLog64, "log-compute-units": (*fctx).bLogCU, "log-pubkey": (*fctx).bLogPubkey,
		"sha256": (*fctx).bHash, "keccak256": (*fctx).bHash, "blake3": (*fctx).bHash,
		"remaining-compute-units": (*fctx).bRemainingCU,
		"set-return-data!":        (*fctx).bSetReturnData, "get-return-data": (*fctx).bGetReturnData,

		"%heap": (*fctx).pHeap, "%raw": (*fctx).pRaw, "%alloc": (*fctx).pAlloc, "%fail": (*fctx).pFail,
		"%raise": (*fctx).pRaise, "%syscall": (*fctx).pSyscall, "%file-name": (*fctx).pFileName,
		"%true": (*fctx).pBoolObj, "%false": (*fctx).pBoolObj, "%frame": (*fctx).pFrame,
		"%shl": (*fctx).pBits, "%shr": (*fctx).pBits, "%band": (*fctx).pBits, "%slt": (*fctx).boolValue,
		"%table-offset": (*fctx).pTableOffset,
	} {
		builtins[name] = b
	}
	for _, w := range []int{1, 2, 4, 8} {
		w := w
		builtins[fmt.Sprintf("%%ld%d", w*8)] = func(fc *fctx, n *parse.Node) value { return fc.pLoad(n, uint8(w)) }
		builtins[fmt.Sprintf("%%st%d", w*8)] = func(fc *fctx, n *parse.Node) value { return fc.pStore(n, uint8(w)) }
		for _, signed := range []bool{false, true} {
			signed := signed
			p := "u"
			if signed {
				p = "i"
			}
			builtins[fmt.Sprintf("read-%s%d", p, w*8)] = func(fc *fctx, n *parse.Node) value { return fc.bRead(n, uint8(w), signed) }
			builtins[fmt.Sprintf("write-%s%d!", p, w*8)] = func(fc *fctx, n *parse.Node) value { return fc.bWrite(n, uint8(w), signed) }
		}
	}
}

// args evaluates the arguments of n, checking their number.
func (fc *fctx) args(n *parse.Node, lo, hi int) ([]value, bool) {
	k := len(n.Items) - 1
	if k < lo || (hi >= 0 && k > hi) {
		switch {
		case lo == hi:
			fc.errorf(ArityError, n, "%s takes %d argument%s, got %d", n.Head(), lo, plural(lo), k)
		case hi < 0:
			fc.errorf(ArityError, n, "%s takes at least %d argument%s, got %d", n.Head(), lo, plural(lo), k)
		default:
			fc.errorf(ArityError, n, "%s takes %d to %d arguments, got %d", n.Head(), lo, hi, k)
		}
		return nil, false
	}
	vs := make([]value, k)
	for i, a := range n.Items[1:] {
		vs[i] = fc.expr(a)
		if vs[i].t.k == kBottom {
			return nil, false
		}
	}
	fc.at(n)
	return vs, true
}

func (fc *fctx) arg(n *parse.Node, i int) *parse.Node { return n.Items[i+1] }

// ---- primitives of the runtime library ----------------------------------------------------------------

func (fc *fctx) pHeap(n *parse.Node) value { return regVal(tRaw, fc.heapBase()) }

func (fc *fctx) pTableOffset(n *parse.Node) value {
	fc.c.walkUsed = true
	return constInt(tRaw, int64(hdrGlobals+8*fc.c.nslots))
}

func (fc *fctx) pRaw(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := vs[0]
	if v.c != nil && (v.t.k == kStr || v.t.k == kKw || v.t.k == kBytes) {
		return regVal(tRaw, fc.reg(v))
	}
	v.t = tRaw
	return v
}

func (fc *fctx) pAlloc(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	return regVal(tRaw, fc.alloc(fc.opnd(vs[0])))
}

func (fc *fctx) pFail(n *parse.Node) value {
	if len(n.Items) != 2 || n.Items[1].Kind != parse.String {
		return fc.errorf(FormError, n, "%%fail takes a message string")
	}
	off := fc.c.ro.errObj(n.Items[1].Text, srcPos{})
	fc.raise(reg(fc.roAddr(off)))
	return bottomVal
}

func (fc *fctx) pRaise(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	fc.raise(fc.opnd(vs[0]))
	return bottomVal
}

func (fc *fctx) pSyscall(n *parse.Node) value {
	if len(n.Items) < 2 || n.Items[1].Kind != parse.String {
		return fc.errorf(FormError, n, "%%syscall takes a name string")
	}
	var args []opnd
	for _, a := range n.Items[2:] {
		v := fc.expr(a)
		if v.t.k == kBottom {
			return bottomVal
		}
		args = append(args, fc.opnd(v))
	}
	if len(args) > 5 {
		return fc.errorf(ArityError, n, "a syscall takes at most 5 arguments")
	}
	fc.at(n)
	return regVal(tRaw, fc.syscall(n.Items[1].Text, args...))
}

func (fc *fctx) pFileName(n *parse.Node) value { return constStr(tStr, fc.c.file) }

func (fc *fctx) pBoolObj(n *parse.Node) value {
	return regVal(tRaw, fc.roAddr(fc.c.ro.boolean(n.Head() == "%true")))
}

func (fc *fctx) pFrame(n *parse.Node) value {
	if len(n.Items) != 2 || n.Items[1].Kind != parse.Int {
		return fc.errorf(FormError, n, "%%frame takes a constant size")
	}
	return regVal(tRaw, fc.frameBuf(int(n.Items[1].Uint)))
}

func (fc *fctx) pBits(n *parse.Node) value {
	vs, ok := fc.args(n, 2, 2)
	if !ok {
		return bottomVal
	}
	op := map[string]aluOp{"%shl": aluLsh, "%shr": aluRsh, "%band": aluAnd}[n.Head()]
	a, b := vs[0], vs[1]
	if a.c != nil && b.c != nil {
		x, y := uint64(a.c.i), uint64(b.c.i)
		switch op {
		case aluLsh:
			return constInt(tRaw, int64(x<<(y&63)))
		case aluRsh:
			return constInt(tRaw, int64(x>>(y&63)))
		default:
			return constInt(tRaw, int64(x&y))
		}
	}
	return regVal(tRaw, fc.alu(op, fc.opnd(a), fc.opnd(b)))
}

func (fc *fctx) pLoad(n *parse.Node, size uint8) value {
	if len(n.Items) != 3 || n.Items[2].Kind != parse.Int {
		return fc.errorf(FormError, n, "%s takes an address and a constant offset", n.Head())
	}
	p := fc.expr(n.Items[1])
	if p.t.k == kBottom {
		return p
	}
	off, _ := n.Items[2].Int64()
	r := fc.load(size, fc.opnd(p), off)
	v := regVal(tRaw, r)
	if size < 8 {
		v = withRange(v, 0, int64(1)<<(8*size)-1, true)
	}
	return v
}

func (fc *fctx) pStore(n *parse.Node, size uint8) value {
	if len(n.Items) != 4 || n.Items[2].Kind != parse.Int {
		return fc.errorf(FormError, n, "%s takes an address, a constant offset and a value", n.Head())
	}
	p := fc.expr(n.Items[1])
	v := fc.expr(n.Items[3])
	if p.t.k == kBottom || v.t.k == kBottom {
		return bottomVal
	}
	off, _ := n.Items[2].Int64()
	fc.store(size, fc.opnd(p), off, fc.opnd(v))
	return nilVal
}

// ---- numbers ----------------------------------------------------------------

func (fc *fctx) bAbs(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := vs[0]
	if v.t.k == kAny {
		v = fc.convert(v, tInt, fc.arg(n, 0))
	}
	switch v.t.k {
	case kUint:
		return v
	case kInt, kDec:
		if v.c != nil {
			if v.c.i < 0 {
				return fc.negate(v, n)
			}
			return v
		}
		if v.nonneg() {
			return v
		}
		r := fc.newReg()
		done := fc.newLabel()
		fc.mov(r, reg(v.r))
		fc.br(cSge, reg(v.r), imm(0), done)
		nv := fc.negate(v, n)
		fc.mov(r, fc.opnd(nv))
		fc.label(done)
		return withRange(regVal(v.t, r), 0, math.MaxInt64, true)
	}
	return fc.errorf(TypeError, n, "abs needs a number, got %s", v.t)
}

func (fc *fctx) bIncDec(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	op := "+"
	if n.Head() == "dec" {
		op = "-"
	}
	return fc.arith(op, vs[0], constInt(tInt, 1), fc.arg(n, 0), n, n)
}

func (fc *fctx) bNumPred(n *parse.Node) value {
	if len(n.Items) != 2 {
		return fc.errorf(ArityError, n, "%s takes one argument", n.Head())
	}
	x := n.Items[1]
	mk := func(op string, a, b *parse.Node) *parse.Node {
		return &parse.Node{Kind: parse.List, Pos: n.Pos, End: n.End, Items: []*parse.Node{{Kind: parse.Symbol, Text: op, Pos: n.Pos}, a, b}}
	}
	lit := func(v uint64) *parse.Node {
		return &parse.Node{Kind: parse.Int, Uint: v, Pos: n.Pos, Text: fmt.Sprint(v)}
	}
	var e *parse.Node
	switch n.Head() {
	case "zero?":
		e = mk("=", x, lit(0))
	case "pos?", "positive?":
		e = mk(">", x, lit(0))
	case "neg?", "negative?":
		e = mk("<", x, lit(0))
	case "even?":
		e = mk("=", mk("bit-and", x, lit(1)), lit(0))
	case "odd?":
		e = mk("=", mk("bit-and", x, lit(1)), lit(1))
	}
	return fc.boolValue(e)
}

func (fc *fctx) bToInt(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := vs[0]
	if v.t.k == kAny && v.c == nil {
		return fc.anyConvert(v, "%to-int", tInt)
	}
	if v.t.k == kDec {
		d := v
		d.t = tInt
		return fc.arith("/", d, constInt(tInt, 1_000_000_000), fc.arg(n, 0), n, n)
	}
	if v.t.k == kBool {
		v.t = tInt
		return v
	}
	return fc.convert(v, tInt, fc.arg(n, 0))
}

func (fc *fctx) bToUint(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := vs[0]
	if v.t.k == kAny && v.c == nil {
		return fc.anyConvert(v, "%to-uint", tUint)
	}
	if v.t.k == kDec {
		// truncate, then check the sign
		d := v
		d.t = tInt
		v = fc.arith("/", d, constInt(tInt, 1_000_000_000), fc.arg(n, 0), n, n)
	}
	return fc.convert(v, tUint, fc.arg(n, 0))
}

// anyConvert converts a value of type any to a number type with a
// run-time function that dispatches on its tag, so that (int x) on a
// decimal read from instruction data truncates as it does on a decimal
// known at compile time.
func (fc *fctx) anyConvert(v value, fn string, t typ) value {
	in := fc.c.runtimeInstance(fn, []typ{tRaw}, false)
	out := regVal(t, fc.call(in, []opnd{reg(fc.reg(v))}))
	if t.k == kUint {
		out = withRange(out, 0, math.MaxInt64, false)
	}
	return out
}

func (fc *fctx) bToDec(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := vs[0]
	if v.t.k == kDec {
		return v
	}
	if v.t.k == kAny && v.c == nil {
		return fc.anyConvert(v, "%to-dec", tDec)
	}
	v = fc.convert(v, tInt, fc.arg(n, 0))
	r := fc.arith("*", v, constInt(tInt, 1_000_000_000), fc.arg(n, 0), n, n)
	r.t = tDec
	return r
}

var typePredKinds = map[string][]kind{
	"int?": {kInt}, "u64?": {kUint}, "integer?": {kInt, kUint}, "number?": {kInt, kUint, kDec},
	"decimal?": {kDec}, "string?": {kStr}, "bytes?": {kBytes}, "keyword?": {kKw},
	"vector?": {kVec}, "list?": {kVec}, "map?": {kMap}, "bool?": {kBool}, "boolean?": {kBool},
	"fn?": {kFn}, "function?": {kFn}, "error?": {kErr}, "account?": {kAccount},
}

func (fc *fctx) bTypePred(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := vs[0]
	kinds := typePredKinds[n.Head()]
	if v.t.k != kAny {
		for _, k := range kinds {
			if v.t.k == k {
				return boolConst(true)
			}
		}
		return boolConst(false)
	}
	if v.c != nil {
		return boolConst(false)
	}
	r := fc.newReg()
	no, done := fc.newLabel(), fc.newLabel()
	fc.mov(r, imm(0))
	fc.br(cEq, reg(v.r), imm(0), no)
	tg := fc.load(1, reg(v.r), 0)
	for _, k := range kinds {
		if k == kBool {
			fc.mov(r, imm(1))
			fc.br(cEq, reg(tg), imm(tagTrue), done)
			fc.br(cEq, reg(tg), imm(tagFalse), done)
			fc.mov(r, imm(0))
			continue
		}
		fc.mov(r, imm(1))
		fc.br(cEq, reg(tg), imm(tagOf(k)), done)
		fc.mov(r, imm(0))
	}
	fc.label(no)
	fc.label(done)
	return regVal(tBool, r)
}

// ---- collections ----------------------------------------------------------------

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

// ---- errors ----------------------------------------------------------------

func (fc *fctx) bErrorPart(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	e := vs[0]
	if e.t.k == kAny {
		e = fc.convert(e, tErr, fc.arg(n, 0))
	}
	if e.t.k != kErr {
		return fc.errorf(TypeError, n, "%s needs an error, got %s", n.Head(), e.t)
	}
	if n.Head() == "error-message" {
		return regVal(tStr, fc.load(8, fc.opnd(e), 8))
	}
	return regVal(tAny, fc.load(8, fc.opnd(e), 16))
}

// ---- strings and bytes ----------------------------------------------------------------

// part is one piece of formatted output: constant text or a value.
type part struct {
	text  string
	isVal bool
	v     value
	node  *parse.Node
}

// formatParts writes parts at pos (never past end) and returns the new
// position. Values must already be evaluated (and boxed where needed)
// before the caller reads the heap position, since boxing allocates.
func (fc *fctx) formatParts(pos, end vreg, parts []part) vreg {
	fmtBytes := func(src opnd, n opnd) {
		in := fc.c.runtimeInstance("%fmt-bytes", []typ{tRaw, tRaw, tRaw, tRaw}, false)
		fc.mov(pos, reg(fc.call(in, []opnd{reg(pos), reg(end), src, n})))
	}
	for _, p := range parts {
		if !p.isVal {
			if p.text == "" {
				continue
			}
			obj := fc.roAddr(fc.c.ro.str(p.text))
			src := fc.alu(aluAdd, reg(obj), imm(8))
			fmtBytes(reg(src), imm(int64(len(p.text))))
			continue
		}
		v := p.v
		switch v.t.k {
		case kInt, kUint, kDec:
			name := map[kind]string{kInt: "%fmt-i64", kUint: "%fmt-u64", kDec: "%fmt-dec"}[v.t.k]
			in := fc.c.runtimeInstance(name, []typ{tRaw, tRaw, tRaw}, false)
			fc.mov(pos, reg(fc.call(in, []opnd{reg(pos), reg(end), fc.opnd(v)})))
		case kStr:
			o := fc.reg(v)
			src := fc.alu(aluAdd, reg(o), imm(8))
			ln := fc.load(4, reg(o), 4)
			fmtBytes(reg(src), reg(ln))
		default:
			in := fc.c.runtimeInstance("%fmt-any", []typ{tRaw, tRaw, tRaw, tRaw}, false)
			fc.mov(pos, reg(fc.call(in, []opnd{reg(pos), reg(end), fc.opnd(v), imm(0)})))
		}
	}
	return pos
}

// prepareParts evaluates what is not constant text; constant values
// become text, and values the formatter takes only as kAny are boxed.
func (fc *fctx) prepareParts(parts []part) ([]part, bool) {
	var out []part
	for _, p := range parts {
		if !p.isVal {
			out = append(out, p)
			continue
		}
		v := fc.expr(p.node)
		if v.t.k == kBottom {
			return nil, false
		}
		if txt, ok := constText(v); ok {
			out = append(out, part{text: txt})
			continue
		}
		switch v.t.k {
		case kInt, kUint, kDec, kStr:
		case kBool:
			r := fc.newReg()
			done := fc.newLabel()
			fc.emit(inst{op: opAddr, dst: r, off: int64(fc.c.ro.str("true")), dst2: noReg})
			fc.br(cNe, reg(v.r), imm(0), done)
			fc.emit(inst{op: opAddr, dst: r, off: int64(fc.c.ro.str("false")), dst2: noReg})
			fc.label(done)
			v = regVal(tStr, r)
		default:
			v = fc.box(v, p.node)
		}
		p.v = v
		out = append(out, p)
	}
	// merge adjacent text
	var merged []part
	for _, p := range out {
		if !p.isVal && len(merged) > 0 && !merged[len(merged)-1].isVal {
			merged[len(merged)-1].text += p.text
			continue
		}
		merged = append(merged, p)
	}
	return merged, true
}

// constText renders a constant as log text.
func constText(v value) (string, bool) {
	if v.c == nil {
		if v.t.k == kNil {
			return "nil", true
		}
		return "", false
	}
	switch v.t.k {
	case kInt:
		return fmt.Sprint(v.c.i), true
	case kUint:
		return fmt.Sprint(uint64(v.c.i)), true
	case kDec:
		return formatDecimal(v.c.i), true
	case kBool:
		return fmt.Sprint(v.c.i != 0), true
	case kStr:
		return v.c.s, true
	case kKw:
		return ":" + v.c.s, true
	case kNil:
		return "nil", true
	}
	return "", false
}

// formatDecimal renders units of 10^-9 as the runtime does.
func formatDecimal(v int64) string {
	neg := v < 0
	m := uint64(v)
	if neg {
		m = -m
	}
	frac := fmt.Sprintf("%09d", m%1_000_000_000)
	frac = strings.TrimRight(frac, "0")
	if frac == "" {
		frac = "0"
	}
	s := fmt.Sprintf("%d.%s", m/1_000_000_000, frac)
	if neg {
		s = "-" + s
	}
	return s
}

// logParts turns the arguments of log into parts: the :message first,
// then " key=value" for each other keyword, and positional values joined
// by spaces.
func logParts(args []*parse.Node) []part {
	var parts []part
	var msg *parse.Node
	type kv struct {
		k string
		v *parse.Node
	}
	var kvs []kv
	var pos []*parse.Node
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a.Kind == parse.Keyword && i+1 < len(args) {
			if a.Text == "message" && msg == nil {
				msg = args[i+1]
			} else {
				kvs = append(kvs, kv{a.Text, args[i+1]})
			}
			i++
			continue
		}
		pos = append(pos, a)
	}
	sep := ""
	add := func(n *parse.Node) {
		if n.Kind == parse.String {
			parts = append(parts, part{text: sep + n.Text})
		} else {
			if sep != "" {
				parts = append(parts, part{text: sep})
			}
			parts = append(parts, part{isVal: true, node: n})
		}
		sep = " "
	}
	if msg != nil {
		add(msg)
	}
	for _, p := range pos {
		add(p)
	}
	for _, e := range kvs {
		parts = append(parts, part{text: sep + e.k + "="})
		parts = append(parts, part{isVal: true, node: e.v})
		sep = " "
	}
	return parts
}

func (fc *fctx) bLog(n *parse.Node) value {
	parts, ok := fc.prepareParts(logParts(n.Items[1:]))
	if !ok {
		return bottomVal
	}
	fc.at(n)
	if len(parts) == 0 {
		parts = []part{{text: ""}}
	}
	if len(parts) == 1 && !parts[0].isVal {
		obj := fc.roAddr(fc.c.ro.str(parts[0].text))
		src := fc.alu(aluAdd, reg(obj), imm(8))
		fc.syscall("sol_log_", reg(src), imm(int64(len(parts[0].text))))
		return nilVal
	}
	if len(parts) == 1 && parts[0].v.t.k == kStr {
		o := fc.reg(parts[0].v)
		src := fc.alu(aluAdd, reg(o), imm(8))
		ln := fc.load(4, reg(o), 4)
		fc.syscall("sol_log_", reg(src), reg(ln))
		return nilVal
	}
	// format at the top of the heap without claiming it: the line is
	// handed to sol_log_ and the space is free again
	fc.c.heapUsed = true
	h := fc.heapBase()
	start := fc.load(8, reg(h), hdrBump)
	end := fc.load(8, reg(h), hdrEnd)
	pos := fc.newReg()
	fc.mov(pos, reg(start))
	fc.formatParts(pos, end, parts)
	ln := fc.alu(aluSub, reg(pos), reg(start))
	fc.syscall("sol_log_", reg(start), reg(ln))
	return nilVal
}

// stringify turns any value into a string object.
func (fc *fctx) stringify(v value, n *parse.Node) value {
	if v.t.k == kStr {
		return v
	}
	if txt, ok := constText(v); ok {
		return constStr(tStr, txt)
	}
	p := part{isVal: true, v: v, node: n}
	if v.t.k == kBool || !(v.t.k == kInt || v.t.k == kUint || v.t.k == kDec) {
		if v.t.k == kBool {
			v = fc.box(v, n)
		} else {
			v = fc.box(v, n)
		}
		p.v = v
	}
	return fc.buildString([]part{p})
}

func (fc *fctx) buildString(parts []part) value {
	fc.c.heapUsed = true
	h := fc.heapBase()
	start := fc.load(8, reg(h), hdrBump)
	end := fc.load(8, reg(h), hdrEnd)
	pos := fc.alu(aluAdd, reg(start), imm(8))
	fc.formatParts(pos, end, parts)
	in := fc.c.runtimeInstance("%str-end", []typ{tRaw, tRaw}, false)
	return regVal(tStr, fc.call(in, []opnd{reg(start), reg(pos)}))
}

// bStr is (str a b …): the display forms of the values, concatenated.
func (fc *fctx) bStr(n *parse.Node) value {
	var parts []part
	for _, a := range n.Items[1:] {
		if a.Kind == parse.String {
			parts = append(parts, part{text: a.Text})
		} else {
			parts = append(parts, part{isVal: true, node: a})
		}
	}
	ps, ok := fc.prepareParts(parts)
	if !ok {
		return bottomVal
	}
	fc.at(n)
	if len(ps) == 0 {
		return constStr(tStr, "")
	}
	if len(ps) == 1 && !ps[0].isVal {
		return constStr(tStr, ps[0].text)
	}
	if len(ps) == 1 && ps[0].v.t.k == kStr {
		return ps[0].v
	}
	return fc.buildString(ps)
}

// bConcat is (concat a b …): the bytes of the values (see %cat-any) as
// a byte array, or a string when every argument is a string.
func (fc *fctx) bConcat(n *parse.Node) value {
	vs, ok := fc.args(n, 0, -1)
	if !ok {
		return bottomVal
	}
	allStr := true
	for _, v := range vs {
		if v.t.k != kStr {
			allStr = false
		}
	}
	if allStr {
		var sb strings.Builder
		konst := true
		for _, v := range vs {
			if v.c == nil {
				konst = false
				break
			}
			sb.WriteString(v.c.s)
		}
		if konst {
			return constStr(tStr, sb.String())
		}
	}
	return fc.concatValues(vs, n, allStr)
}

func (fc *fctx) concatValues(vs []value, n *parse.Node, asStr bool) value {
	boxed := make([]opnd, len(vs))
	for i, v := range vs {
		boxed[i] = fc.opnd(fc.box(v, n))
	}
	fc.c.heapUsed = true
	h := fc.heapBase()
	start := fc.load(8, reg(h), hdrBump)
	end := fc.load(8, reg(h), hdrEnd)
	pos := fc.alu(aluAdd, reg(start), imm(8))
	cat := fc.c.runtimeInstance("%cat-any", []typ{tRaw, tRaw, tRaw, tRaw}, false)
	for _, b := range boxed {
		fc.mov(pos, reg(fc.call(cat, []opnd{reg(pos), reg(end), b, imm(0)})))
	}
	tag := int64(tagBytes)
	t := tBytes
	if asStr {
		tag, t = tagStr, tStr
	}
	in := fc.c.runtimeInstance("%bytes-end", []typ{tRaw, tRaw, tRaw}, false)
	return regVal(t, fc.call(in, []opnd{reg(start), reg(pos), imm(tag)}))
}

func (fc *fctx) bEncode(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := fc.box(vs[0], fc.arg(n, 0))
	in := fc.c.runtimeInstance("%encode", []typ{tRaw}, false)
	fc.c.heapUsed = true
	return regVal(tBytes, fc.call(in, []opnd{fc.opnd(v)}))
}

func (fc *fctx) bDecode(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	b := vs[0]
	if b.t.k == kAny {
		b = fc.convert(b, tBytes, fc.arg(n, 0))
	}
	if b.t.k != kBytes {
		return fc.errorf(TypeError, n, "decode needs bytes, got %s", b.t)
	}
	in := fc.c.runtimeInstance("%decode-bytes", []typ{tRaw}, false)
	return regVal(tAny, fc.call(in, []opnd{fc.opnd(b)}))
}

// bytesView returns the address and length of the bytes of a string or
// byte-array value.
func (fc *fctx) bytesView(v value, n *parse.Node) (opnd, opnd, bool) {
	switch v.t.k {
	case kStr, kBytes, kKw:
		if v.c != nil {
			o := fc.roAddr(fc.objOffset(v))
			return reg(fc.alu(aluAdd, reg(o), imm(8))), imm(int64(len(v.c.s))), true
		}
		return reg(fc.alu(aluAdd, fc.opnd(v), imm(8))), reg(fc.load(4, fc.opnd(v), 4)), true
	case kData:
		return reg(fc.alu(aluAdd, fc.opnd(v), imm(88))), reg(fc.load(8, fc.opnd(v), 80)), true
	case kAccount:
		return reg(fc.alu(aluAdd, fc.opnd(v), imm(8))), imm(32), true
	}
	return opnd{}, opnd{}, false
}

func (fc *fctx) objOffset(v value) int {
	switch v.t.k {
	case kKw:
		return fc.c.ro.kw(v.c.s)
	case kBytes:
		return fc.c.ro.bytesObj([]byte(v.c.s))
	}
	return fc.c.ro.str(v.c.s)
}

// bHash is (sha256 x …) and the other hashes: the digest of the bytes of
// the arguments, as a 32-byte array.
func (fc *fctx) bHash(n *parse.Node) value {
	vs, ok := fc.args(n, 1, -1)
	if !ok {
		return bottomVal
	}
	sys := map[string]string{"sha256": "sol_sha256", "keccak256": "sol_keccak256", "blake3": "sol_blake3"}[n.Head()]
	type slice struct{ p, l opnd }
	var slices []slice
	direct := true
	for i, v := range vs {
		p, l, ok := fc.bytesView(v, fc.arg(n, i))
		if !ok {
			direct = false
			break
		}
		slices = append(slices, slice{p, l})
	}
	if !direct {
		b := fc.concatValues(vs, n, false)
		p, l, _ := fc.bytesView(b, n)
		slices = []slice{{p, l}}
	}
	arr := fc.frameBuf(16 * len(slices))
	for i, s := range slices {
		fc.store(8, reg(arr), int64(16*i), s.p)
		fc.store(8, reg(arr), int64(16*i+8), s.l)
	}
	out := fc.alloc(imm(40))
	fc.store(8, reg(out), 0, imm(tagBytes|32<<32))
	dst := fc.alu(aluAdd, reg(out), imm(8))
	fc.syscall(sys, reg(arr), imm(int64(len(slices))), reg(dst))
	return regVal(tBytes, out)
}

// ---- accounts ----------------------------------------------------------------

// account extracts an account pointer from a value.
func (fc *fctx) account(v value, n *parse.Node) (opnd, bool) {
	switch v.t.k {
	case kAccount, kData:
		return fc.opnd(v), true
	case kAny:
		a := fc.convert(v, tAccount, n)
		if a.t.k == kBottom {
			return opnd{}, false
		}
		return fc.opnd(a), true
	}
	fc.errorf(TypeError, n, "expected an account, got %s", v.t)
	return opnd{}, false
}

// Offsets in a serialized account entry (see package abi).
const (
	accSigner     = 1
	accWritable   = 2
	accExecutable = 3
	accKey        = 8
	accOwner      = 40
	accLamports   = 72
	accDataLen    = 80
	accData       = 88
)

func (fc *fctx) bBalance(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	a, ok := fc.account(vs[0], fc.arg(n, 0))
	if !ok {
		return bottomVal
	}
	return regVal(tUint, fc.load(8, a, accLamports))
}

func (fc *fctx) bSetBalance(n *parse.Node) value {
	vs, ok := fc.args(n, 2, 2)
	if !ok {
		return bottomVal
	}
	a, ok := fc.account(vs[0], fc.arg(n, 0))
	if !ok {
		return bottomVal
	}
	v := fc.convert(vs[1], tUint, fc.arg(n, 1))
	if v.t.k == kBottom {
		return bottomVal
	}
	fc.store(8, a, accLamports, fc.opnd(v))
	return nilVal
}

// copyBytes allocates a byte array holding n bytes at src.
func (fc *fctx) copyBytes(src opnd, off int64, n int64) vreg {
	out := fc.alloc(imm(8 + n))
	fc.store(8, reg(out), 0, imm(tagBytes|n<<32))
	for i := int64(0); i < n; i += 8 {
		w := fc.load(8, src, off+i)
		fc.store(8, reg(out), 8+i, reg(w))
	}
	return out
}

func (fc *fctx) bKey(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	a, ok := fc.account(vs[0], fc.arg(n, 0))
	if !ok {
		return bottomVal
	}
	off := int64(accKey)
	if strings.Contains(n.Head(), "owner") {
		off = accOwner
	}
	return regVal(tBytes, fc.copyBytes(a, off, 32))
}

// bKeyEq is (key= a b): whether two accounts have the same key, or
// (owned-by? account key-bytes): whether its owner is key. No copies.
func (fc *fctx) bKeyEq(n *parse.Node) value {
	vs, ok := fc.args(n, 2, 2)
	if !ok {
		return bottomVal
	}
	aOff := int64(accKey)
	if n.Head() == "owned-by?" {
		aOff = accOwner
	}
	a, ok := fc.account(vs[0], fc.arg(n, 0))
	if !ok {
		return bottomVal
	}
	var b opnd
	bOff := int64(accKey)
	switch vs[1].t.k {
	case kAccount, kData:
		b = fc.opnd(vs[1])
	default:
		bv := vs[1]
		if bv.t.k == kAny {
			bv = fc.convert(bv, tBytes, fc.arg(n, 1))
		}
		if bv.t.k != kBytes {
			return fc.errorf(TypeError, fc.arg(n, 1), "expected an account or a 32-byte key, got %s", bv.t)
		}
		b = fc.opnd(bv)
		bOff = 8
		ln := fc.load(4, b, 4)
		r := fc.newReg()
		no := fc.newLabel()
		fc.mov(r, imm(0))
		fc.br(cNe, reg(ln), imm(32), no)
		fc.compareWords(r, a, aOff, b, bOff, no)
		fc.label(no)
		return regVal(tBool, r)
	}
	r := fc.newReg()
	no := fc.newLabel()
	fc.mov(r, imm(0))
	fc.compareWords(r, a, aOff, b, bOff, no)
	fc.label(no)
	return regVal(tBool, r)
}

// compareWords sets r to 1 when the 32 bytes at a+aOff and b+bOff are
// equal, else jumps to no (with r still 0).
func (fc *fctx) compareWords(r vreg, a opnd, aOff int64, b opnd, bOff int64, no int) {
	for i := int64(0); i < 32; i += 8 {
		x := fc.load(8, a, aOff+i)
		y := fc.load(8, b, bOff+i)
		fc.br(cNe, reg(x), reg(y), no)
	}
	fc.mov(r, imm(1))
}

func (fc *fctx) bFlag(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	a, ok := fc.account(vs[0], fc.arg(n, 0))
	if !ok {
		return bottomVal
	}
	off := int64(accSigner)
	switch {
	case strings.Contains(n.Head(), "writable"):
		off = accWritable
	case strings.Contains(n.Head(), "executable"):
		off = accExecutable
	}
	return withRange(regVal(tBool, fc.load(1, a, off)), 0, 1, true)
}

func (fc *fctx) bDataLen(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	a, ok := fc.account(vs[0], fc.arg(n, 0))
	if !ok {
		return bottomVal
	}
	v := withRange(regVal(tUint, fc.load(8, a, accDataLen)), 0, 1<<40, true)
	if !a.isImm && vs[0].t.k == kAccount && fc.stableReg(vs[0]) {
		v.origin = fmt.Sprintf("datalen:%d", a.r)
	}
	return v
}

func (fc *fctx) bData(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	a, ok := fc.account(vs[0], fc.arg(n, 0))
	if !ok {
		return bottomVal
	}
	return regVal(tData, fc.regOf(a))
}

func (fc *fctx) bNumAccounts(n *parse.Node) value {
	if len(n.Items) != 1 {
		return fc.errorf(ArityError, n, "num-accounts takes no arguments")
	}
	return fc.lengthOf(value{t: tAccounts, r: noReg, c: &cval{}}, n)
}

func (fc *fctx) bProgramID(n *parse.Node) value {
	if len(n.Items) != 1 {
		return fc.errorf(ArityError, n, "program-id takes no arguments")
	}
	fc.c.useProgramID()
	h := fc.heapBase()
	p := fc.load(8, reg(h), hdrProgramID)
	return regVal(tBytes, fc.copyBytes(reg(p), 0, 32))
}

// readAt reads an integer of size bytes at an offset of a target with a
// length: account data, instruction data, strings and byte arrays.
func (fc *fctx) readAt(target, offv value, offNode, n *parse.Node, size uint8, signed bool) value {
	base, length, ok := fc.region(target, offNode)
	if !ok {
		return bottomVal
	}
	off := fc.convert(offv, tUint, offNode)
	if off.t.k == kBottom {
		return bottomVal
	}
	// inside a loop over [0, (data-len account)) a byte at the index is
	// always there
	elide := false
	if size == 1 && !fc.noOpt && (target.t.k == kAccount || target.t.k == kData) && !fc.opnd(target).isImm {
		if name := fc.varHolding(offv); name != "" {
			elide = fc.hasFact(fmt.Sprintf("datalen:%d", fc.opnd(target).r), name, true, false) ||
				fc.hasFact(fmt.Sprintf("datalen:%d", fc.opnd(target).r), name, true, true)
		}
	}
	if !elide {
		fc.boundsCheck(off, length(), int64(size))
	}
	var addr opnd
	var disp int64
	if cur := fc.loopCursorFor(elide, target, base, offv, off); cur != nil {
		// the loop keeps cur.p = account + index
		cur.used = true
		addr = reg(cur.p)
	} else if off.c != nil {
		addr, disp = base, off.c.i
		if !fitsImm16(disp) {
			addr, disp = reg(fc.alu(aluAdd, base, imm(disp))), 0
		}
	} else {
		addr = reg(fc.alu(aluAdd, base, fc.opnd(off)))
	}
	if fc.regionBaseOffset(target) != 0 {
		if fitsImm16(disp + fc.regionBaseOffset(target)) {
			disp += fc.regionBaseOffset(target)
		} else {
			addr = reg(fc.alu(aluAdd, addr, imm(fc.regionBaseOffset(target))))
		}
	}
	r := fc.load(size, addr, disp)
	if signed && size < 8 {
		sh := int64(64 - 8*int(size))
		fc.aluTo(r, aluLsh, reg(r), imm(sh))
		fc.aluTo(r, aluArsh, reg(r), imm(sh))
		lo := -(int64(1) << (8*size - 1))
		return withRange(regVal(tInt, r), lo, -lo-1, true)
	}
	if signed {
		return regVal(tInt, r)
	}
	v := regVal(tUint, r)
	if size < 8 {
		v = withRange(v, 0, int64(1)<<(8*size)-1, true)
	}
	return v
}

// loopCursorFor returns the cursor of the loop index off when reading
// byte off of target can use it: the bounds check is elided (the index
// is below the data length of this very account) and off is the loop
// variable itself, unconverted.
func (fc *fctx) loopCursorFor(elide bool, target value, base opnd, offv, off value) *loopCursor {
	if !elide || base.isImm || off.c != nil || off.r != offv.r {
		return nil
	}
	name := fc.varHolding(offv)
	if name == "" {
		return nil
	}
	l := fc.lookup(name)
	if l == nil || l.cursor == nil || l.r != off.r || l.cursor.acct != base.r || fc.opnd(target).r != base.r {
		return nil
	}
	return l.cursor
}

func fitsImm16(v int64) bool { return v >= -32768 && v < 32768 }

// region returns the base register of a readable target and a function
// that loads its length (called only when a bounds check needs it). For
// accounts the base is the entry (data at +88, see regionBaseOffset).
func (fc *fctx) region(target value, n *parse.Node) (opnd, func() opnd, bool) {
	switch target.t.k {
	case kAccount, kData:
		a := fc.opnd(target)
		return a, func() opnd { return reg(fc.load(8, a, accDataLen)) }, true
	case kIData:
		fc.c.useIData()
		h := fc.heapBase()
		return reg(fc.load(8, reg(h), hdrIData)), func() opnd { return reg(fc.load(8, reg(h), hdrIDataLen)) }, true
	case kStr, kBytes:
		o := fc.reg(target)
		return reg(o), func() opnd { return reg(fc.load(4, reg(o), 4)) }, true
	case kAny:
		a := fc.convert(target, tAccount, n)
		if a.t.k == kBottom {
			return opnd{}, nil, false
		}
		return fc.region(a, n)
	}
	fc.errorf(TypeError, n, "expected an account, account data, instruction data, a string or bytes, got %s", target.t)
	return opnd{}, nil, false
}

func (fc *fctx) regionBaseOffset(target value) int64 {
	switch target.t.k {
	case kAccount, kData:
		return accData
	case kStr, kBytes:
		return 8
	}
	return 0
}

// boundsCheck raises unless off+size <= length.
func (fc *fctx) boundsCheck(off value, length opnd, size int64) {
	const msg = "read or write outside the data"
	if off.c != nil {
		if off.c.i < 0 || off.c.i > math.MaxInt64-size {
			fc.raiseStatic(msg)
			return
		}
		fc.failIf(cLt, length, imm(off.c.i+size), msg)
		return
	}
	fc.failIf(cLt, length, imm(size), msg)
	lim := fc.alu(aluSub, length, imm(size))
	fc.failIf(cGt, fc.opnd(off), reg(lim), msg)
}

func (fc *fctx) bRead(n *parse.Node, size uint8, signed bool) value {
	vs, ok := fc.args(n, 2, 2)
	if !ok {
		return bottomVal
	}
	return fc.readAt(vs[0], vs[1], fc.arg(n, 1), n, size, signed)
}

func (fc *fctx) bWrite(n *parse.Node, size uint8, signed bool) value {
	vs, ok := fc.args(n, 3, 3)
	if !ok {
		return bottomVal
	}
	target := vs[0]
	if target.t.k == kAny {
		target = fc.convert(target, tAccount, fc.arg(n, 0))
	}
	if target.t.k != kAccount && target.t.k != kData {
		return fc.errorf(TypeError, fc.arg(n, 0), "%s writes account data; got %s", n.Head(), target.t)
	}
	want := tUint
	if signed {
		want = tInt
	}
	v := fc.convert(vs[2], want, fc.arg(n, 2))
	if v.t.k == kBottom {
		return bottomVal
	}
	// the value must fit the field
	if size < 8 {
		bitsN := 8 * int64(size)
		if signed {
			lo, hi := -(int64(1) << (bitsN - 1)), int64(1)<<(bitsN-1)-1
			if v.c != nil {
				if v.c.i < lo || v.c.i > hi {
					return fc.errorf(ConstantError, fc.arg(n, 2), "%d does not fit in %d bits", v.c.i, bitsN)
				}
			} else if !(v.rng && v.lo >= lo && v.hi <= hi) {
				fc.failIf(cSgt, fc.opnd(v), imm(hi), fmt.Sprintf("value does not fit in %d bits", bitsN))
				fc.failIf(cSlt, fc.opnd(v), imm(lo), fmt.Sprintf("value does not fit in %d bits", bitsN))
			}
		} else {
			hi := int64(1)<<bitsN - 1
			if v.c != nil {
				if uint64(v.c.i) > uint64(hi) {
					return fc.errorf(ConstantError, fc.arg(n, 2), "%d does not fit in %d bits", uint64(v.c.i), bitsN)
				}
			} else if !(v.rng && v.lo >= 0 && v.hi <= hi) {
				fc.failIf(cGt, fc.opnd(v), imm(hi), fmt.Sprintf("value does not fit in %d bits", bitsN))
			}
		}
	}
	a := fc.opnd(target)
	length := reg(fc.load(8, a, accDataLen))
	off := fc.convert(vs[1], tUint, fc.arg(n, 1))
	if off.t.k == kBottom {
		return bottomVal
	}
	fc.boundsCheck(off, length, int64(size))
	if off.c != nil && fitsImm16(off.c.i+accData) {
		fc.store(size, a, off.c.i+accData, fc.opnd(v))
	} else {
		addr := fc.alu(aluAdd, a, fc.opnd(off))
		fc.store(size, reg(addr), accData, fc.opnd(v))
	}
	return nilVal
}

// ---- logging and other syscalls ----------------------------------------------------------------

func (fc *fctx) bLog64(n *parse.Node) value {
	vs, ok := fc.args(n, 0, 5)
	if !ok {
		return bottomVal
	}
	args := make([]opnd, 5)
	for i := range args {
		args[i] = imm(0)
	}
	for i, v := range vs {
		if !v.t.isInt() && v.t.k != kBool && v.t.k != kDec {
			v = fc.convert(v, tRaw, fc.arg(n, i))
		}
		args[i] = fc.opnd(v)
	}
	fc.syscall("sol_log_64_", args...)
	return nilVal
}

func (fc *fctx) bLogCU(n *parse.Node) value {
	if _, ok := fc.args(n, 0, 0); !ok {
		return bottomVal
	}
	fc.syscall("sol_log_compute_units_")
	return nilVal
}

func (fc *fctx) bLogPubkey(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := vs[0]
	var p opnd
	switch v.t.k {
	case kAccount:
		p = reg(fc.alu(aluAdd, fc.opnd(v), imm(accKey)))
	default:
		if v.t.k == kAny {
			v = fc.convert(v, tBytes, fc.arg(n, 0))
		}
		if v.t.k != kBytes {
			return fc.errorf(TypeError, fc.arg(n, 0), "log-pubkey needs an account or 32 bytes, got %s", v.t)
		}
		ln := fc.load(4, fc.opnd(v), 4)
		fc.failIf(cNe, reg(ln), imm(32), "log-pubkey needs 32 bytes")
		p = reg(fc.alu(aluAdd, fc.opnd(v), imm(8)))
	}
	fc.syscall("sol_log_pubkey", p)
	return nilVal
}

func (fc *fctx) bRemainingCU(n *parse.Node) value {
	if _, ok := fc.args(n, 0, 0); !ok {
		return bottomVal
	}
	return regVal(tUint, fc.syscall("sol_remaining_compute_units"))
}

func (fc *fctx) bSetReturnData(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := vs[0]
	if v.t.k == kAny {
		v = fc.bytesLike(v, fc.arg(n, 0))
	}
	p, l, ok := fc.bytesView(v, fc.arg(n, 0))
	if !ok {
		return fc.errorf(TypeError, fc.arg(n, 0), "set-return-data! needs bytes or a string, got %s", v.t)
	}
	fc.syscall("sol_set_return_data", p, l)
	return nilVal
}

func (fc *fctx) bGetReturnData(n *parse.Node) value {
	if _, ok := fc.args(n, 0, 0); !ok {
		return bottomVal
	}
	out := fc.alloc(imm(8 + 1024))
	pid := fc.frameBuf(32)
	dst := fc.alu(aluAdd, reg(out), imm(8))
	ln := fc.syscall("sol_get_return_data", reg(dst), imm(1024), reg(pid))
	m := fc.newReg()
	ok := fc.newLabel()
	fc.mov(m, reg(ln))
	fc.br(cLe, reg(m), imm(1024), ok)
	fc.mov(m, imm(1024))
	fc.label(ok)
	hdr := fc.alu(aluLsh, reg(m), imm(32))
	fc.aluTo(hdr, aluOr, reg(hdr), imm(tagBytes))
	fc.store(8, reg(out), 0, reg(hdr))
	return regVal(tBytes, out)
}
