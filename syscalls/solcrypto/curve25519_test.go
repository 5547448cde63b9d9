package solcrypto

import (
	"bytes"
	"testing"
)

// Encodings used below.
const (
	edIdentity = "0100000000000000000000000000000000000000000000000000000000000000"
	edBase     = "5866666666666666666666666666666666666666666666666666666666666666"
	edNegBase  = "58666666666666666666666666666666666666666666666666666666666666e6"
	// y = p + 1: a non-canonical encoding of y = 1, the identity. dalek
	// reads y modulo p and accepts it.
	edNonCanonicalIdentity = "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"
	// y = 1 with the sign bit set: x = 0 "negative", accepted by dalek.
	edNegativeZeroIdentity = "0100000000000000000000000000000000000000000000000000000000000080"
	// y = 0: a point of order 4, valid (no subgroup check).
	edOrder4 = "0000000000000000000000000000000000000000000000000000000000000000"
	// An RFC 8032 public key (test 1).
	edRFC8032Key = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"

	// ℓ and ℓ−1, little-endian.
	scalarL      = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"
	scalarLMinus = "ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"
)

// RFC 9496 A.1: encodings of 0·B .. 5·B on ristretto255.
var ristrettoMultiples = []string{
	"0000000000000000000000000000000000000000000000000000000000000000",
	"e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
	"6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
	"94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
	"da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57",
	"e882b131016b52c1d3337080187cf768423efccbb517bb495ab812c4160ff44e",
}

// RFC 9496 A.2: some bad encodings (non-canonical, negative, non-square,
// negative xy).
var ristrettoBad = []string{
	"00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"0100000000000000000000000000000000000000000000000000000000000000",
	"ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20",
	"26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
	"3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e",
}

func scalar(k byte) string {
	b := make([]byte, 32)
	b[0] = k
	return string(hexOf(b))
}

func hexOf(b []byte) []byte {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return out
}

// edwardsInvalid finds an encoding whose y gives no x.
func edwardsInvalid(t *testing.T) []byte {
	for y := byte(2); y < 255; y++ {
		b := make([]byte, 32)
		b[0] = y
		if _, ok := decodeEdwards(b); !ok {
			return b
		}
	}
	t.Fatal("no invalid edwards encoding found")
	return nil
}

func TestCurveValidatePoint(t *testing.T) {
	h := newHarness(t, Options{})
	check := func(curve uint64, point []byte, code, price uint64) {
		t.Helper()
		var a arena
		p := a.put(point)
		expect(t, h.call(&a, bigBudget, NameCurveValidatePoint, curve, p), code, price)
	}
	for _, s := range []string{edIdentity, edBase, edNegBase, edNonCanonicalIdentity, edNegativeZeroIdentity, edOrder4, edRFC8032Key} {
		check(CurveEdwards, unhex(t, s), 0, CostEdwardsValidate)
	}
	check(CurveEdwards, edwardsInvalid(t), 1, CostEdwardsValidate)
	for _, s := range ristrettoMultiples {
		check(CurveRistretto, unhex(t, s), 0, CostRistrettoValidate)
	}
	for _, s := range ristrettoBad {
		check(CurveRistretto, unhex(t, s), 1, CostRistrettoValidate)
	}

	// Unknown curves abort before charging (BLS12-381 ids included: that
	// family is not enabled), or return 1 before abort_on_invalid_curve.
	var a arena
	p := a.put(unhex(t, edBase))
	for _, curve := range []uint64{2, 4, 5, 6, 0x84, 0x85, 1 << 62} {
		expectAbort(t, h.call(&a, bigBudget, NameCurveValidatePoint, curve, p), "InvalidAttribute", 0)
	}
	legacy := newHarness(t, Options{LegacyInvalidCurve: true})
	expect(t, legacy.call(&a, bigBudget, NameCurveValidatePoint, 2, p), 1, 0)
	expect(t, legacy.call(&a, bigBudget, NameCurveValidatePoint, 4, p), 1, 0)
	// BLS12-381 G1/G2 ids are refused first, whatever abort_on_invalid_curve says.
	expectAbort(t, legacy.call(&a, bigBudget, NameCurveValidatePoint, 5, p), "InvalidAttribute", 0)
	expectAbort(t, legacy.call(&a, bigBudget, NameCurveValidatePoint, 0x86, p), "InvalidAttribute", 0)

	// The point is read after the charge.
	expectAbort(t, h.call(&a, bigBudget, NameCurveValidatePoint, CurveEdwards, 0x9_0000_0000), "AccessViolation", CostEdwardsValidate)
}

// groupCall runs sol_curve_group_op and returns the run and the result.
func groupCall(h *harness, curve, op uint64, left, right []byte) (run, []byte) {
	var a arena
	l, r := a.put(left), a.put(right)
	out := a.alloc(32)
	res := h.call(&a, bigBudget, NameCurveGroupOp, curve, op, l, r, out)
	return res, a.at(out, 32)
}

func TestCurveGroupOp(t *testing.T) {
	h := newHarness(t, Options{})
	base := unhex(t, edBase)

	// Edwards: B+B = 2·B, 2B−B = B, (ℓ−1)·B = −B, non-canonical identity
	// acts as the identity.
	r, two := groupCall(h, CurveEdwards, CurveOpAdd, base, base)
	expect(t, r, 0, CostEdwardsAdd)
	r, two2 := groupCall(h, CurveEdwards, CurveOpMul, unhex(t, scalar(2)), base)
	expect(t, r, 0, CostEdwardsMultiply)
	if !bytes.Equal(two, two2) {
		t.Fatalf("B+B = %x but 2·B = %x", two, two2)
	}
	r, one := groupCall(h, CurveEdwards, CurveOpSub, two, base)
	expect(t, r, 0, CostEdwardsSubtract)
	if !bytes.Equal(one, base) {
		t.Fatalf("2B−B = %x", one)
	}
	r, neg := groupCall(h, CurveEdwards, CurveOpMul, unhex(t, scalarLMinus), base)
	expect(t, r, 0, CostEdwardsMultiply)
	if want := unhex(t, edNegBase); !bytes.Equal(neg, want) {
		t.Fatalf("(ℓ−1)·B = %x, want %x", neg, want)
	}
	r, same := groupCall(h, CurveEdwards, CurveOpAdd, base, unhex(t, edNonCanonicalIdentity))
	expect(t, r, 0, CostEdwardsAdd)
	if !bytes.Equal(same, base) {
		t.Fatalf("B + (y=p+1) = %x, want B", same)
	}
	r, out := groupCall(h, CurveEdwards, CurveOpAdd, unhex(t, edNegativeZeroIdentity), unhex(t, edIdentity))
	expect(t, r, 0, CostEdwardsAdd)
	if !bytes.Equal(out, unhex(t, edIdentity)) {
		t.Fatalf("results are canonical: got %x", out)
	}

	// Ristretto: the RFC's multiples.
	rb := unhex(t, ristrettoMultiples[1])
	for k := 1; k < len(ristrettoMultiples); k++ {
		r, out := groupCall(h, CurveRistretto, CurveOpMul, unhex(t, scalar(byte(k))), rb)
		expect(t, r, 0, CostRistrettoMultiply)
		if want := unhex(t, ristrettoMultiples[k]); !bytes.Equal(out, want) {
			t.Fatalf("%d·B = %x, want %x", k, out, want)
		}
	}
	r, out = groupCall(h, CurveRistretto, CurveOpAdd, unhex(t, ristrettoMultiples[2]), unhex(t, ristrettoMultiples[3]))
	expect(t, r, 0, CostRistrettoAdd)
	if want := unhex(t, ristrettoMultiples[5]); !bytes.Equal(out, want) {
		t.Fatalf("2B+3B = %x", out)
	}
	r, out = groupCall(h, CurveRistretto, CurveOpSub, unhex(t, ristrettoMultiples[2]), unhex(t, ristrettoMultiples[2]))
	expect(t, r, 0, CostRistrettoSubtract)
	if !allZero(out) {
		t.Fatalf("2B−2B = %x", out)
	}

	// Rejections return 1 without mapping the result: a bad result pointer
	// does not fault.
	bad := []struct {
		name        string
		curve, op   uint64
		left, right []byte
		price       uint64
	}{
		{"edwards add bad left", CurveEdwards, CurveOpAdd, edwardsInvalid(t), base, CostEdwardsAdd},
		{"edwards sub bad right", CurveEdwards, CurveOpSub, base, edwardsInvalid(t), CostEdwardsSubtract},
		{"edwards mul scalar ℓ", CurveEdwards, CurveOpMul, unhex(t, scalarL), base, CostEdwardsMultiply},
		{"edwards mul scalar 2^255", CurveEdwards, CurveOpMul, append(make([]byte, 31), 0x80), base, CostEdwardsMultiply},
		{"edwards mul bad point", CurveEdwards, CurveOpMul, unhex(t, scalar(1)), edwardsInvalid(t), CostEdwardsMultiply},
		{"ristretto add non-canonical", CurveRistretto, CurveOpAdd, unhex(t, ristrettoBad[0]), rb, CostRistrettoAdd},
		{"ristretto sub negative", CurveRistretto, CurveOpSub, rb, unhex(t, ristrettoBad[2]), CostRistrettoSubtract},
		{"ristretto mul scalar ℓ", CurveRistretto, CurveOpMul, unhex(t, scalarL), rb, CostRistrettoMultiply},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			var a arena
			l, r := a.put(c.left), a.put(c.right)
			expect(t, h.call(&a, bigBudget, NameCurveGroupOp, c.curve, c.op, l, r, 0xa_0000_0000), 1, c.price)
		})
	}
	// A good result still needs a writable result.
	var a arena
	l := a.put(base)
	expectAbort(t, h.call(&a, bigBudget, NameCurveGroupOp, CurveEdwards, CurveOpAdd, l, l, 0x1_0000_0000), "AccessViolation", CostEdwardsAdd)

	// Unknown curve or operation.
	for _, c := range [][2]uint64{{2, 0}, {0, 3}, {1, 3}, {5, 0}, {0x85, 2}, {0, 1 << 40}} {
		expectAbort(t, h.call(&a, bigBudget, NameCurveGroupOp, c[0], c[1], l, l, l), "InvalidAttribute", 0)
	}
	legacy := newHarness(t, Options{LegacyInvalidCurve: true})
	expect(t, legacy.call(&a, bigBudget, NameCurveGroupOp, 0, 3, l, l, l), 1, 0)
	expect(t, legacy.call(&a, bigBudget, NameCurveGroupOp, 9, 0, l, l, l), 1, 0)
	expectAbort(t, legacy.call(&a, bigBudget, NameCurveGroupOp, 0x85, 0, l, l, l), "InvalidAttribute", 0)
}

// msmCall lays out n scalars and points and calls sol_curve_multiscalar_mul.
func msmCall(h *harness, curve uint64, scalars, points [][]byte) (run, []byte) {
	var a arena
	s := a.put(bytes.Join(scalars, nil))
	p := a.put(bytes.Join(points, nil))
	out := a.alloc(32)
	r := h.call(&a, bigBudget, NameCurveMultiscalar, curve, s, p, uint64(len(points)), out)
	return r, a.at(out, 32)
}

func TestCurveMultiscalarMul(t *testing.T) {
	h := newHarness(t, Options{})
	edPrice := func(n uint64) uint64 { return MultiscalarCost(CostEdwardsMSMBase, CostEdwardsMSMIncrement, n) }
	riPrice := func(n uint64) uint64 { return MultiscalarCost(CostRistrettoMSMBase, CostRistrettoMSMIncr, n) }
	if edPrice(0) != 2273 || edPrice(1) != 2273 || edPrice(3) != 2273+2*758 || riPrice(512) != 2303+511*788 {
		t.Fatal("multiscalar prices")
	}

	base := unhex(t, edBase)
	r, out := msmCall(h, CurveEdwards, [][]byte{unhex(t, scalar(1)), unhex(t, scalar(2))}, [][]byte{base, base})
	expect(t, r, 0, edPrice(2))
	_, three := groupCall(h, CurveEdwards, CurveOpMul, unhex(t, scalar(3)), base)
	if !bytes.Equal(out, three) {
		t.Fatalf("1·B + 2·B = %x, want %x", out, three)
	}
	rb := unhex(t, ristrettoMultiples[1])
	r, out = msmCall(h, CurveRistretto, [][]byte{unhex(t, scalar(2)), unhex(t, scalar(1)), unhex(t, scalarLMinus)},
		[][]byte{rb, unhex(t, ristrettoMultiples[2]), rb})
	expect(t, r, 0, riPrice(3))
	if want := unhex(t, ristrettoMultiples[3]); !bytes.Equal(out, want) {
		t.Fatalf("2B + 2B − B = %x, want %x", out, want)
	}

	// No points: the identity, at the base price.
	r, out = msmCall(h, CurveEdwards, nil, nil)
	expect(t, r, 0, edPrice(0))
	if !bytes.Equal(out, unhex(t, edIdentity)) {
		t.Fatalf("empty edwards sum = %x", out)
	}
	r, out = msmCall(h, CurveRistretto, nil, nil)
	expect(t, r, 0, riPrice(0))
	if !allZero(out) {
		t.Fatalf("empty ristretto sum = %x", out)
	}

	// One bad scalar or point: 1.
	r, _ = msmCall(h, CurveEdwards, [][]byte{unhex(t, scalar(1)), unhex(t, scalarL)}, [][]byte{base, base})
	expect(t, r, 1, edPrice(2))
	r, _ = msmCall(h, CurveRistretto, [][]byte{unhex(t, scalar(1)), unhex(t, scalar(1))}, [][]byte{rb, unhex(t, ristrettoBad[3])})
	expect(t, r, 1, riPrice(2))

	// Too many points: InvalidLength before anything, even the curve.
	var a arena
	p := a.put(base)
	expectAbort(t, h.call(&a, bigBudget, NameCurveMultiscalar, CurveEdwards, p, p, 513, p), "InvalidLength", 0)
	expectAbort(t, h.call(&a, bigBudget, NameCurveMultiscalar, 7, p, p, 1<<40, p), "InvalidLength", 0)
	expectAbort(t, h.call(&a, bigBudget, NameCurveMultiscalar, 7, p, p, 1, p), "InvalidAttribute", 0)
	legacy := newHarness(t, Options{LegacyInvalidCurve: true})
	expect(t, legacy.call(&a, bigBudget, NameCurveMultiscalar, 5, p, p, 1, p), 1, 0)
	// The arrays are mapped after the charge: 512 points past the arena.
	expectAbort(t, h.call(&a, bigBudget, NameCurveMultiscalar, CurveRistretto, p, p, 512, p), "AccessViolation", riPrice(512))

	// 512 points, all valid.
	scalars, points := make([][]byte, 512), make([][]byte, 512)
	for i := range scalars {
		scalars[i], points[i] = unhex(t, scalar(byte(i%7))), base
	}
	r, _ = msmCall(h, CurveEdwards, scalars, points)
	expect(t, r, 0, edPrice(512))
}
