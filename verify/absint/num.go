package absint

import (
	"math"
	"math/bits"
)

// Tnum is a tristate number: bit i is known to be Value's bit i when Mask's
// bit i is clear, and unknown when it is set (Value's bit is then 0).
type Tnum struct{ Value, Mask uint64 }

// Num is an abstract 64-bit value: the reduced product of an unsigned
// interval, a signed interval and a tnum. Every concrete value it stands
// for lies in all three.
type Num struct {
	Umin, Umax uint64
	Smin, Smax int64
	T          Tnum
}

// TopNum is any 64-bit value.
var TopNum = Num{0, math.MaxUint64, math.MinInt64, math.MaxInt64, Tnum{0, math.MaxUint64}}

// Const is the value c.
func Const(c uint64) Num { return Num{c, c, int64(c), int64(c), Tnum{c, 0}} }

// URange is any value in [lo, hi] (unsigned).
func URange(lo, hi uint64) Num {
	n := TopNum
	n.Umin, n.Umax = lo, hi
	return n.reduce()
}

// IsConst reports whether n stands for one value, and which.
func (n Num) IsConst() (uint64, bool) {
	if n.T.Mask == 0 {
		return n.T.Value, true
	}
	if n.Umin == n.Umax {
		return n.Umin, true
	}
	return 0, false
}

// Empty reports whether no value satisfies n (an infeasible branch).
func (n Num) Empty() bool {
	return n.Umin > n.Umax || n.Smin > n.Smax || n.T.Value&n.T.Mask != 0
}

func tnumRange(lo, hi uint64) Tnum {
	chi := lo ^ hi
	b := bits.Len64(chi)
	if b > 63 {
		return Tnum{0, math.MaxUint64}
	}
	delta := uint64(1)<<b - 1
	return Tnum{lo &^ delta, delta}
}

func tIntersect(a, b Tnum) Tnum {
	v := a.Value | b.Value
	mu := a.Mask & b.Mask
	return Tnum{v &^ mu, mu}
}

// reduce tightens each component from the others, as the Linux verifier's
// reg_bounds_sync does.
func (n Num) reduce() Num {
	for range 2 {
		// tnum from the unsigned interval.
		n.T = tIntersect(n.T, tnumRange(n.Umin, n.Umax))
		// unsigned bounds from the tnum.
		n.Umin = max(n.Umin, n.T.Value)
		n.Umax = min(n.Umax, n.T.Value|n.T.Mask)
		// signed bounds from the tnum (sign bit known or not).
		var tsmin, tsmax int64
		if n.T.Mask&(1<<63) != 0 {
			tsmin = int64(n.T.Value | 1<<63)
			tsmax = int64((n.T.Value | n.T.Mask) &^ (1 << 63))
		} else {
			tsmin = int64(n.T.Value)
			tsmax = int64(n.T.Value | n.T.Mask)
		}
		n.Smin = max(n.Smin, tsmin)
		n.Smax = min(n.Smax, tsmax)
		// signed and unsigned agree when the range does not cross the sign.
		if int64(n.Umin) >= 0 == (int64(n.Umax) >= 0) && n.Umin <= n.Umax {
			n.Smin = max(n.Smin, int64(n.Umin))
			n.Smax = min(n.Smax, int64(n.Umax))
		}
		if n.Smin >= 0 || n.Smax < 0 {
			if n.Smin <= n.Smax {
				n.Umin = max(n.Umin, uint64(n.Smin))
				n.Umax = min(n.Umax, uint64(n.Smax))
			}
		}
	}
	return n
}

// Join is the least upper bound of a and b.
func Join(a, b Num) Num {
	mu := a.T.Mask | b.T.Mask | (a.T.Value ^ b.T.Value)
	return Num{
		min(a.Umin, b.Umin), max(a.Umax, b.Umax),
		min(a.Smin, b.Smin), max(a.Smax, b.Smax),
		Tnum{a.T.Value &^ mu, mu},
	}.reduce()
}

// Widen is a after b: every bound that grew jumps to its extreme, so that
// loops converge.
func Widen(old, nw Num) Num {
	j := Join(old, nw)
	if j.Umin < old.Umin {
		j.Umin = 0
	}
	if j.Umax > old.Umax {
		j.Umax = math.MaxUint64
	}
	if j.Smin < old.Smin {
		j.Smin = math.MinInt64
	}
	if j.Smax > old.Smax {
		j.Smax = math.MaxInt64
	}
	if j.T != old.T {
		j.T = Tnum{0, math.MaxUint64}
	}
	return j.reduce()
}

// Leq reports whether a is contained in b.
func Leq(a, b Num) bool {
	return a.Umin >= b.Umin && a.Umax <= b.Umax && a.Smin >= b.Smin && a.Smax <= b.Smax &&
		a.T.Mask&^b.T.Mask == 0 && (a.T.Value&^b.T.Mask) == b.T.Value
}

// Add is a+b modulo 2^64.
func Add(a, b Num) Num {
	r := TopNum
	lo, c1 := bits.Add64(a.Umin, b.Umin, 0)
	hi, c2 := bits.Add64(a.Umax, b.Umax, 0)
	if c1 == c2 {
		r.Umin, r.Umax = lo, hi
		if c1 == 1 && lo > hi {
			r.Umin, r.Umax = 0, math.MaxUint64
		}
	}
	if slo, ok := addS(a.Smin, b.Smin); ok {
		if shi, ok := addS(a.Smax, b.Smax); ok {
			r.Smin, r.Smax = slo, shi
		}
	}
	sm := a.T.Mask + b.T.Mask
	sv := a.T.Value + b.T.Value
	sigma := sm + sv
	chi := sigma ^ sv
	mu := chi | a.T.Mask | b.T.Mask
	r.T = Tnum{sv &^ mu, mu}
	return r.reduce()
}

func addS(a, b int64) (int64, bool) {
	s := a + b
	return s, (s > a) == (b > 0) || b == 0
}

// Neg is -a.
func Neg(a Num) Num { return Sub(Const(0), a) }

// Sub is a-b modulo 2^64.
func Sub(a, b Num) Num {
	r := TopNum
	if a.Umin >= b.Umax {
		r.Umin, r.Umax = a.Umin-b.Umax, a.Umax-b.Umin
	}
	if lo, ok := subS(a.Smin, b.Smax); ok {
		if hi, ok := subS(a.Smax, b.Smin); ok {
			r.Smin, r.Smax = lo, hi
		}
	}
	dv := a.T.Value - b.T.Value
	alpha := dv + a.T.Mask
	beta := dv - b.T.Mask
	chi := alpha ^ beta
	mu := chi | a.T.Mask | b.T.Mask
	r.T = Tnum{dv &^ mu, mu}
	return r.reduce()
}

func subS(a, b int64) (int64, bool) {
	s := a - b
	return s, (s < a) == (b > 0) || b == 0
}

// Mul is a*b modulo 2^64.
func Mul(a, b Num) Num {
	hi, lo := bits.Mul64(a.Umax, b.Umax)
	if hi == 0 {
		return URange(a.Umin*b.Umin, lo)
	}
	if x, ok := a.IsConst(); ok {
		if y, ok := b.IsConst(); ok {
			return Const(x * y)
		}
	}
	return TopNum
}

// And is a&b.
func And(a, b Num) Num {
	alpha := a.T.Value | a.T.Mask
	beta := b.T.Value | b.T.Mask
	v := a.T.Value & b.T.Value
	r := TopNum
	r.T = Tnum{v, alpha & beta &^ v}
	r.Umax = min(a.Umax, b.Umax)
	return r.reduce()
}

// Or is a|b.
func Or(a, b Num) Num {
	v := a.T.Value | b.T.Value
	mu := a.T.Mask | b.T.Mask
	r := TopNum
	r.T = Tnum{v, mu &^ v}
	r.Umin = max(a.Umin, b.Umin)
	return r.reduce()
}

// Xor is a^b.
func Xor(a, b Num) Num {
	v := a.T.Value ^ b.T.Value
	mu := a.T.Mask | b.T.Mask
	r := TopNum
	r.T = Tnum{v &^ mu, mu}
	return r.reduce()
}

// Lsh is a<<s for a shift count known to be s (already masked).
func Lsh(a Num, s uint) Num {
	r := TopNum
	r.T = Tnum{a.T.Value << s, a.T.Mask << s}
	if a.Umax <= math.MaxUint64>>s {
		r.Umin, r.Umax = a.Umin<<s, a.Umax<<s
	}
	return r.reduce()
}

// Rsh is a>>s (logical).
func Rsh(a Num, s uint) Num {
	r := TopNum
	r.T = Tnum{a.T.Value >> s, a.T.Mask >> s}
	r.Umin, r.Umax = a.Umin>>s, a.Umax>>s
	return r.reduce()
}

// Arsh is a>>s (arithmetic).
func Arsh(a Num, s uint) Num {
	r := TopNum
	r.Smin, r.Smax = a.Smin>>s, a.Smax>>s
	r.T = Tnum{uint64(int64(a.T.Value) >> s), uint64(int64(a.T.Mask) >> s)}
	r.T.Value &^= r.T.Mask
	return r.reduce()
}

// UDiv is a/b unsigned, for b known nonzero.
func UDiv(a, b Num) Num {
	if b.Umin == 0 {
		return URange(0, a.Umax)
	}
	return URange(a.Umin/b.Umax, a.Umax/b.Umin)
}

// UMod is a%b unsigned.
func UMod(a, b Num) Num {
	if b.Umax == 0 {
		return a
	}
	return URange(0, min(a.Umax, b.Umax-1))
}

// Trunc32 is a's low 32 bits, zero-extended.
func Trunc32(a Num) Num {
	if a.Umax <= math.MaxUint32 {
		return a
	}
	r := TopNum
	r.T = Tnum{a.T.Value & math.MaxUint32, a.T.Mask & math.MaxUint32}
	r.Umax = math.MaxUint32
	if a.Umax-a.Umin <= math.MaxUint32 && uint32(a.Umin) <= uint32(a.Umax) && a.Umin>>32 == a.Umax>>32 {
		r.Umin, r.Umax = uint64(uint32(a.Umin)), uint64(uint32(a.Umax))
	}
	return r.reduce()
}

// SExt32 is a's low 32 bits, sign-extended.
func SExt32(a Num) Num {
	t := Trunc32(a)
	if t.Umax <= math.MaxInt32 {
		return t
	}
	return Num{0, math.MaxUint64, math.MinInt32, math.MaxInt32, Tnum{0, math.MaxUint64}}.reduce()
}

// Meet is the intersection of a and b (may be Empty).
func Meet(a, b Num) Num {
	return Num{max(a.Umin, b.Umin), min(a.Umax, b.Umax), max(a.Smin, b.Smin), min(a.Smax, b.Smax), tIntersect(a.T, b.T)}.reduce()
}
