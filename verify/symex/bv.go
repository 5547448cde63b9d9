package symex

import (
	"github.com/go-air/gini/logic"
	"github.com/go-air/gini/z"
)

// bv is a bit-vector: literals of a circuit, least significant first.
type bv []z.Lit

// circ wraps a combinational circuit with bit-vector operations. The
// circuit folds constants and shares structure, so operations on concrete
// values cost nothing and produce constant literals.
type circ struct {
	*logic.C
}

func (c circ) konst(x uint64, w int) bv {
	out := make(bv, w)
	for i := range out {
		if x>>uint(i)&1 == 1 {
			out[i] = c.T
		} else {
			out[i] = c.F
		}
	}
	return out
}

func (c circ) fresh(w int) bv {
	out := make(bv, w)
	for i := range out {
		out[i] = c.Lit()
	}
	return out
}

// value returns the constant a stands for, if every bit is constant.
func (c circ) value(a bv) (uint64, bool) {
	var x uint64
	for i, l := range a {
		switch l {
		case c.T:
			x |= 1 << uint(i)
		case c.F:
		default:
			return 0, false
		}
	}
	return x, true
}

func (c circ) full(a, b, cin z.Lit) (s, cout z.Lit) {
	t := c.Xor(a, b)
	s = c.Xor(t, cin)
	cout = c.Or(c.And(a, b), c.And(t, cin))
	return
}

// add returns a+b+cin and the carry out.
func (c circ) addc(a, b bv, cin z.Lit) (bv, z.Lit) {
	out := make(bv, len(a))
	for i := range a {
		out[i], cin = c.full(a[i], b[i], cin)
	}
	return out, cin
}

func (c circ) add(a, b bv) (bv, z.Lit) { return c.addc(a, b, c.F) }

func (c circ) not(a bv) bv {
	out := make(bv, len(a))
	for i, l := range a {
		out[i] = l.Not()
	}
	return out
}

// sub returns a-b and whether it borrowed (a < b unsigned).
func (c circ) sub(a, b bv) (bv, z.Lit) {
	d, carry := c.addc(a, c.not(b), c.T)
	return d, carry.Not()
}

func (c circ) ult(a, b bv) z.Lit { _, borrow := c.sub(a, b); return borrow }

func (c circ) slt(a, b bv) z.Lit {
	w := len(a) - 1
	// a < b signed: flip the sign bits and compare unsigned.
	a2 := append(bv{}, a...)
	b2 := append(bv{}, b...)
	a2[w], b2[w] = a[w].Not(), b[w].Not()
	return c.ult(a2, b2)
}

func (c circ) eq(a, b bv) z.Lit {
	ms := make([]z.Lit, len(a))
	for i := range a {
		ms[i] = c.Xor(a[i], b[i]).Not()
	}
	return c.Ands(ms...)
}

func (c circ) isZero(a bv) z.Lit { return c.eq(a, c.konst(0, len(a))) }

func (c circ) bitwise(a, b bv, f func(x, y z.Lit) z.Lit) bv {
	out := make(bv, len(a))
	for i := range a {
		out[i] = f(a[i], b[i])
	}
	return out
}

func (c circ) mux(sel z.Lit, t, e bv) bv {
	out := make(bv, len(t))
	for i := range t {
		out[i] = c.Choice(sel, t[i], e[i])
	}
	return out
}

// shlConst shifts left by k, returning the result and whether any set bit
// was shifted out.
func (c circ) shlConst(a bv, k int) (bv, z.Lit) {
	w := len(a)
	out := make(bv, w)
	for i := range out {
		if i >= k {
			out[i] = a[i-k]
		} else {
			out[i] = c.F
		}
	}
	return out, c.Ors(a[w-k:]...)
}

func (c circ) shrConst(a bv, k int, arith bool) bv {
	w := len(a)
	fill := c.F
	if arith {
		fill = a[w-1]
	}
	out := make(bv, w)
	for i := range out {
		if i+k < w {
			out[i] = a[i+k]
		} else {
			out[i] = fill
		}
	}
	return out
}

// shift by a symbolic amount (its low log2(w) bits), as a barrel shifter.
// kind: 0 left, 1 logical right, 2 arithmetic right. For a left shift
// the second result says whether a set bit was shifted out.
func (c circ) shift(a, amt bv, kind int) (bv, z.Lit) {
	w := len(a)
	lost := c.F
	cur := a
	for s := 0; 1<<s < w; s++ {
		k := 1 << s
		var sh bv
		switch kind {
		case 0:
			var l z.Lit
			sh, l = c.shlConst(cur, k)
			lost = c.Or(lost, c.And(amt[s], l))
		case 1:
			sh = c.shrConst(cur, k, false)
		default:
			sh = c.shrConst(cur, k, true)
		}
		cur = c.mux(amt[s], sh, cur)
	}
	return cur, lost
}

// mul returns the low w bits of a*b and whether the full product does not
// fit in w bits (unsigned).
func (c circ) mul(a, b bv) (bv, z.Lit) {
	w := len(a)
	acc := c.konst(0, 2*w)
	ext := append(append(bv{}, a...), c.konst(0, w)...)
	for j := 0; j < w; j++ {
		if b[j] == c.F {
			continue
		}
		part := make(bv, 2*w)
		for i := range part {
			if i >= j {
				part[i] = c.And(ext[i-j], b[j])
			} else {
				part[i] = c.F
			}
		}
		acc, _ = c.add(acc, part)
	}
	return acc[:w], c.Ors(acc[w:]...)
}

// udivrem is unsigned division by restoring long division (b != 0 is the
// caller's concern).
func (c circ) udivrem(a, b bv) (q, r bv) {
	w := len(a)
	q = make(bv, w)
	r = c.konst(0, w)
	for i := w - 1; i >= 0; i-- {
		// r = r<<1 | a[i]
		nr := make(bv, w)
		nr[0] = a[i]
		copy(nr[1:], r[:w-1])
		top := r[w-1] // bit shifted out: r<<1 >= 2^w > b
		d, borrow := c.sub(nr, b)
		ge := c.Or(top, borrow.Not())
		q[i] = ge
		r = c.mux(ge, d, nr)
	}
	return q, r
}

func (c circ) zext(a bv, w int) bv {
	out := c.konst(0, w)
	copy(out, a)
	return out
}

func (c circ) sext(a bv, w int) bv {
	out := make(bv, w)
	copy(out, a)
	for i := len(a); i < w; i++ {
		out[i] = a[len(a)-1]
	}
	return out
}
