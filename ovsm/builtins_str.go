package ovsm

import (
	"fmt"
	"strings"

	"github.com/agora-vm/agora/ovsm/parse"
)

// Built-in functions on errors, strings and bytes.

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
