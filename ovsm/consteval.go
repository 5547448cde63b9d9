package ovsm

import (
	"math"

	"github.com/agora-vm/agora/ovsm/parse"
)

// constEval evaluates an expression at compile time when it is made of
// literals, constants and pure operators on them. It never emits code or
// diagnostics; ok is false when the expression is not constant (or its
// evaluation fails, which the code generator then reports).
func (c *compiler) constEval(n *parse.Node, file int32, depth int) (*cval, typ, bool) {
	return c.constEvalIn(nil, n, file, depth)
}

func (c *compiler) constEvalIn(fc *fctx, n *parse.Node, file int32, depth int) (*cval, typ, bool) {
	if depth > 64 {
		return nil, tBottom, false
	}
	switch n.Kind {
	case parse.Int:
		if n.Neg {
			v, _ := n.Int64()
			return &cval{i: v}, tInt, true
		}
		if n.Uint > math.MaxInt64 {
			return &cval{i: int64(n.Uint)}, tUint, true
		}
		return &cval{i: int64(n.Uint)}, tInt, true
	case parse.Decimal:
		v, ok := parseDecimal(n.Text)
		return &cval{i: v}, tDec, ok
	case parse.String:
		return &cval{s: n.Text}, tStr, true
	case parse.Keyword:
		return &cval{s: n.Text}, tKw, true
	case parse.Bool:
		if n.Bool {
			return &cval{i: 1}, tBool, true
		}
		return &cval{}, tBool, true
	case parse.Nil:
		return &cval{}, tNil, true
	case parse.Symbol:
		if fc != nil {
			if l := fc.lookup(n.Text); l != nil {
				if l.c != nil && !l.mutable && l.global == nil && (l.t.k == kInt || l.t.k == kUint || l.t.k == kBool || l.t.k == kDec || l.t.k == kStr || l.t.k == kKw || l.t.k == kNil) {
					return l.c, l.t, true
				}
				return nil, tBottom, false
			}
		}
		g, ok := c.globals[n.Text]
		if !ok {
			return nil, tBottom, false
		}
		if g.konst != nil {
			return g.konst, g.kt, true
		}
		if g.slot >= 0 {
			return nil, tBottom, false
		}
		// not yet classified (an earlier global refers to a later one)
		return c.constEvalIn(nil, g.init, g.file, depth+1)
	case parse.List:
		head := n.Head()
		if head == "" || len(n.Items) < 2 {
			return nil, tBottom, false
		}
		if fc != nil && fc.lookup(head) != nil {
			return nil, tBottom, false
		}
		if _, ok := c.decls[head]; ok {
			return nil, tBottom, false
		}
		args := make([]*cval, len(n.Items)-1)
		types := make([]typ, len(args))
		evalAll := func() bool {
			for i, a := range n.Items[1:] {
				v, t, ok := c.constEvalIn(fc, a, file, depth+1)
				if !ok {
					return false
				}
				args[i], types[i] = v, t
			}
			return true
		}
		switch head {
		case "not":
			if len(args) != 1 || !evalAll() {
				return nil, tBottom, false
			}
			if tr, ok := constTruth(args[0], types[0]); ok {
				return boolCval(!tr), tBool, true
			}
		case "and", "or":
			// constant only when every operand is (short-circuit aside)
			if !evalAll() {
				return nil, tBottom, false
			}
			res := head == "and"
			for i := range args {
				tr, ok := constTruth(args[i], types[i])
				if !ok {
					return nil, tBottom, false
				}
				if head == "and" {
					res = res && tr
				} else {
					res = res || tr
				}
			}
			return boolCval(res), tBool, true
		case "+", "-", "*", "/", "%", "mod":
			if !evalAll() {
				return nil, tBottom, false
			}
			if len(args) == 1 && head == "-" {
				if types[0].k != kInt && types[0].k != kDec || args[0].i == math.MinInt64 {
					return nil, tBottom, false
				}
				return &cval{i: -args[0].i}, types[0], true
			}
			if len(args) < 2 {
				return nil, tBottom, false
			}
			acc, t := args[0], types[0]
			for i := 1; i < len(args); i++ {
				k := t.k
				if t.k != types[i].k {
					switch {
					case t.k == kInt && types[i].k == kUint && acc.i >= 0:
						k = kUint
					case t.k == kUint && types[i].k == kInt && args[i].i >= 0:
						k = kUint
					default:
						return nil, tBottom, false
					}
				}
				if k != kInt && k != kUint {
					return nil, tBottom, false
				}
				r, ok := foldArith(head, acc.i, args[i].i, k == kInt)
				if !ok {
					return nil, tBottom, false
				}
				acc, t = &cval{i: r}, typ{k: k}
			}
			return acc, t, true
		case "<", ">", "<=", ">=", "=", "==", "!=", "not=":
			if len(args) != 2 || !evalAll() {
				return nil, tBottom, false
			}
			a, b, ta, tb := args[0], args[1], types[0], types[1]
			switch {
			case (ta.k == kInt || ta.k == kUint) && (tb.k == kInt || tb.k == kUint):
				cmp := compareMixed(a.i, ta.k == kUint, b.i, tb.k == kUint)
				return boolCval(cmpHolds(head, cmp)), tBool, true
			case ta.k == tb.k && (ta.k == kStr || ta.k == kKw) && (head == "=" || head == "==" || head == "!=" || head == "not="):
				eq := a.s == b.s
				return boolCval(eq == (head == "=" || head == "==")), tBool, true
			case ta.k == kBool && tb.k == kBool && (head == "=" || head == "==" || head == "!=" || head == "not="):
				eq := a.i == b.i
				return boolCval(eq == (head == "=" || head == "==")), tBool, true
			case ta.k == kNil && tb.k == kNil:
				return boolCval(head == "=" || head == "=="), tBool, true
			}
		case "null?", "nil?":
			if len(args) != 1 || !evalAll() {
				return nil, tBottom, false
			}
			return boolCval(types[0].k == kNil), tBool, true
		}
	}
	return nil, tBottom, false
}

func boolCval(b bool) *cval {
	if b {
		return &cval{i: 1}
	}
	return &cval{}
}

func constTruth(v *cval, t typ) (bool, bool) {
	switch t.k {
	case kBool:
		return v.i != 0, true
	case kNil:
		return false, true
	case kStr, kKw:
		return true, true
	}
	return false, false
}

// compareMixed compares two integers of either signedness exactly.
func compareMixed(a int64, au bool, b int64, bu bool) int {
	an := !au && a < 0
	bn := !bu && b < 0
	switch {
	case an && !bn:
		return -1
	case !an && bn:
		return 1
	case an && bn:
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	ua, ub := uint64(a), uint64(b)
	switch {
	case ua < ub:
		return -1
	case ua > ub:
		return 1
	}
	return 0
}

func cmpHolds(op string, cmp int) bool {
	switch op {
	case "<":
		return cmp < 0
	case ">":
		return cmp > 0
	case "<=":
		return cmp <= 0
	case ">=":
		return cmp >= 0
	case "=", "==":
		return cmp == 0
	}
	return cmp != 0
}
