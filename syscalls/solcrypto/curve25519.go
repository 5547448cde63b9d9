package solcrypto

import (
	"filippo.io/edwards25519"
	"github.com/gtank/ristretto255"

	"github.com/agora-vm/agora/vm"
)

// Curve ids and group operations of the sol_curve_* syscalls
// (solana-curve25519's curve_syscall_traits).
const (
	CurveEdwards   = 0 // edwards25519, points in RFC 8032 compressed form
	CurveRistretto = 1 // ristretto255, points in their canonical encoding
	CurveOpAdd     = 0
	CurveOpSub     = 1
	CurveOpMul     = 2 // left is a canonical scalar (below ℓ), right a point
)

const pointSize = 32

// The decoders match curve25519-dalek, which Agave uses:
//
//   - An edwards25519 point is accepted as dalek's CompressedEdwardsY
//     decompresses it: y is read modulo p (so y ≥ p is accepted), and x = 0
//     with the sign bit set is accepted. filippo.io/edwards25519's SetBytes
//     accepts exactly these encodings. Points of small order and points
//     outside the prime-order subgroup are valid.
//   - A ristretto255 point must be the canonical encoding (RFC 9496).
//   - A scalar must be canonical, below ℓ (dalek's from_canonical_bytes).
//
// Results are always written in canonical form.

func decodeEdwards(b []byte) (*edwards25519.Point, bool) {
	p, err := new(edwards25519.Point).SetBytes(b)
	return p, err == nil
}

func decodeRistretto(b []byte) (*ristretto255.Element, bool) {
	e := ristretto255.NewElement()
	return e, e.Decode(b) == nil
}

func decodeEdwardsScalar(b []byte) (*edwards25519.Scalar, bool) {
	s, err := edwards25519.NewScalar().SetCanonicalBytes(b)
	return s, err == nil
}

func decodeRistrettoScalar(b []byte) (*ristretto255.Scalar, bool) {
	s := ristretto255.NewScalar()
	return s, s.Decode(b) == nil
}

// isBLSGroupCurve reports the BLS12-381 G1/G2 curve ids (5, 6, each also
// with 0x80 for big-endian) that Agave refuses outright while its
// BLS12-381 syscalls (SIMD-0388) are off, as they are here.
func isBLSGroupCurve(curve uint64) bool {
	return curve == 5 || curve == 6 || curve == 5|0x80 || curve == 6|0x80
}

// invalidCurve is Agave's answer to an unknown curve or operation: abort
// with InvalidAttribute, or (before abort_on_invalid_curve) return 1.
// blsChecked says whether the syscall refuses BLS12-381 group ids first
// (validate and group op do, multiscalar multiplication does not).
func (s *set) invalidCurve(curve uint64, blsChecked bool) (uint64, error) {
	if s.opts.LegacyInvalidCurve && !(blsChecked && isBLSGroupCurve(curve)) {
		return 1, nil
	}
	return 0, newError(KindInvalidAttribute)
}

// sol_curve_validate_point(curve_id u64, point *[32]u8) -> 0 when the point
// decodes, else 1.
func (s *set) curveValidatePoint(m *vm.Machine, curve, pointAddr, _, _, _ uint64) (uint64, error) {
	var cost uint64
	var valid func([]byte) bool
	switch curve {
	case CurveEdwards:
		cost = CostEdwardsValidate
		valid = func(b []byte) bool { _, ok := decodeEdwards(b); return ok }
	case CurveRistretto:
		cost = CostRistrettoValidate
		valid = func(b []byte) bool { _, ok := decodeRistretto(b); return ok }
	default:
		return s.invalidCurve(curve, true)
	}
	if err := m.Consume(cost); err != nil {
		return 0, err
	}
	point, err := translateBytes(m, vm.Load, pointAddr, pointSize)
	if err != nil {
		return 0, err
	}
	if valid(point) {
		return 0, nil
	}
	return 1, nil
}

// curveGroupCost is the price of op on curve, or ok=false for an unknown
// pair.
func curveGroupCost(curve, op uint64) (uint64, bool) {
	switch {
	case curve == CurveEdwards && op == CurveOpAdd:
		return CostEdwardsAdd, true
	case curve == CurveEdwards && op == CurveOpSub:
		return CostEdwardsSubtract, true
	case curve == CurveEdwards && op == CurveOpMul:
		return CostEdwardsMultiply, true
	case curve == CurveRistretto && op == CurveOpAdd:
		return CostRistrettoAdd, true
	case curve == CurveRistretto && op == CurveOpSub:
		return CostRistrettoSubtract, true
	case curve == CurveRistretto && op == CurveOpMul:
		return CostRistrettoMultiply, true
	}
	return 0, false
}

// sol_curve_group_op(curve_id u64, op u64, left *[32]u8, right *[32]u8,
// result *[32]u8) -> 0, or 1 when an operand does not decode (the result
// is then not written, nor even mapped).
func (s *set) curveGroupOp(m *vm.Machine, curve, op, leftAddr, rightAddr, resultAddr uint64) (uint64, error) {
	cost, ok := curveGroupCost(curve, op)
	if !ok {
		return s.invalidCurve(curve, true)
	}
	if err := m.Consume(cost); err != nil {
		return 0, err
	}
	left, err := translateBytes(m, vm.Load, leftAddr, pointSize)
	if err != nil {
		return 0, err
	}
	right, err := translateBytes(m, vm.Load, rightAddr, pointSize)
	if err != nil {
		return 0, err
	}
	out, ok := curveGroup(curve, op, left, right)
	if !ok {
		return 1, nil
	}
	result, err := translateBytes(m, vm.Store, resultAddr, pointSize)
	if err != nil {
		return 0, err
	}
	copy(result, out)
	return 0, nil
}

// curveGroup computes op on a known curve: left op right, or for
// multiplication left·right with left a scalar.
func curveGroup(curve, op uint64, left, right []byte) ([]byte, bool) {
	if curve == CurveEdwards {
		q, ok := decodeEdwards(right)
		if op == CurveOpMul {
			k, kok := decodeEdwardsScalar(left)
			if !kok || !ok {
				return nil, false
			}
			return new(edwards25519.Point).ScalarMult(k, q).Bytes(), true
		}
		p, pok := decodeEdwards(left)
		if !pok || !ok {
			return nil, false
		}
		if op == CurveOpSub {
			return new(edwards25519.Point).Subtract(p, q).Bytes(), true
		}
		return new(edwards25519.Point).Add(p, q).Bytes(), true
	}
	q, ok := decodeRistretto(right)
	if op == CurveOpMul {
		k, kok := decodeRistrettoScalar(left)
		if !kok || !ok {
			return nil, false
		}
		return ristretto255.NewElement().ScalarMult(k, q).Encode(nil), true
	}
	p, pok := decodeRistretto(left)
	if !pok || !ok {
		return nil, false
	}
	if op == CurveOpSub {
		return ristretto255.NewElement().Subtract(p, q).Encode(nil), true
	}
	return ristretto255.NewElement().Add(p, q).Encode(nil), true
}

// sol_curve_multiscalar_mul(curve_id u64, scalars *[n][32]u8,
// points *[n][32]u8, n u64, result *[32]u8) -> 0, or 1 when a scalar or
// point does not decode. n = 0 yields the identity.
func (s *set) curveMultiscalarMul(m *vm.Machine, curve, scalarsAddr, pointsAddr, n, resultAddr uint64) (uint64, error) {
	if n > MaxMSMPoints {
		return 0, newError(KindInvalidLength)
	}
	var cost uint64
	switch curve {
	case CurveEdwards:
		cost = MultiscalarCost(CostEdwardsMSMBase, CostEdwardsMSMIncrement, n)
	case CurveRistretto:
		cost = MultiscalarCost(CostRistrettoMSMBase, CostRistrettoMSMIncr, n)
	default:
		return s.invalidCurve(curve, false)
	}
	if err := m.Consume(cost); err != nil {
		return 0, err
	}
	scalars, err := translateSlice(m, vm.Load, scalarsAddr, n, pointSize, 1, false)
	if err != nil {
		return 0, err
	}
	points, err := translateSlice(m, vm.Load, pointsAddr, n, pointSize, 1, false)
	if err != nil {
		return 0, err
	}
	out, ok := multiscalar(curve, int(n), scalars, points)
	if !ok {
		return 1, nil
	}
	result, err := translateBytes(m, vm.Store, resultAddr, pointSize)
	if err != nil {
		return 0, err
	}
	copy(result, out)
	return 0, nil
}

// multiscalar computes Σ scalars[i]·points[i] over n 32-byte entries.
func multiscalar(curve uint64, n int, scalars, points []byte) ([]byte, bool) {
	if curve == CurveEdwards {
		ks := make([]*edwards25519.Scalar, n)
		ps := make([]*edwards25519.Point, n)
		for i := range ks {
			var ok bool
			if ks[i], ok = decodeEdwardsScalar(scalars[i*pointSize : (i+1)*pointSize]); !ok {
				return nil, false
			}
		}
		for i := range ps {
			var ok bool
			if ps[i], ok = decodeEdwards(points[i*pointSize : (i+1)*pointSize]); !ok {
				return nil, false
			}
		}
		if n == 0 {
			return edwards25519.NewIdentityPoint().Bytes(), true
		}
		return new(edwards25519.Point).VarTimeMultiScalarMult(ks, ps).Bytes(), true
	}
	ks := make([]*ristretto255.Scalar, n)
	ps := make([]*ristretto255.Element, n)
	for i := range ks {
		var ok bool
		if ks[i], ok = decodeRistrettoScalar(scalars[i*pointSize : (i+1)*pointSize]); !ok {
			return nil, false
		}
	}
	for i := range ps {
		var ok bool
		if ps[i], ok = decodeRistretto(points[i*pointSize : (i+1)*pointSize]); !ok {
			return nil, false
		}
	}
	if n == 0 {
		return ristretto255.NewElement().Zero().Encode(nil), true
	}
	return ristretto255.NewElement().VarTimeMultiScalarMult(ks, ps).Encode(nil), true
}
