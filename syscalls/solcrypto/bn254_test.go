package solcrypto

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/agora-vm/agora/vm"
)

// EIP-196/197 encodings, written independently of the package's decoders.

func beG1(p *bn254.G1Affine) []byte {
	x, y := p.X.Bytes(), p.Y.Bytes()
	return append(x[:], y[:]...)
}

func beG2(p *bn254.G2Affine) []byte {
	var out []byte
	for _, e := range []*fp.Element{&p.X.A1, &p.X.A0, &p.Y.A1, &p.Y.A0} {
		b := e.Bytes()
		out = append(out, b[:]...)
	}
	return out
}

func be32(k *big.Int) []byte { return k.FillBytes(make([]byte, 32)) }

func g1Mult(k int64) bn254.G1Affine {
	var p bn254.G1Affine
	p.ScalarMultiplicationBase(big.NewInt(k))
	return p
}

func g2Mult(k int64) bn254.G2Affine {
	var p bn254.G2Affine
	p.ScalarMultiplicationBase(big.NewInt(k))
	return p
}

// groupOp calls sol_alt_bn128_group_op on input and returns the run and
// the result buffer (outLen bytes).
func groupOp(h *harness, op uint64, input []byte, outLen int) (run, []byte) {
	var a arena
	in := a.put(input)
	out := a.alloc(outLen)
	r := h.call(&a, bigBudget, NameAltBN128GroupOp, op, in, uint64(len(input)), out)
	return r, a.at(out, outLen)
}

func compression(h *harness, op uint64, input []byte, outLen int) (run, []byte) {
	var a arena
	in := a.put(input)
	out := a.alloc(outLen)
	r := h.call(&a, bigBudget, NameAltBN128Compress, op, in, uint64(len(input)), out)
	return r, a.at(out, outLen)
}

func TestAltBN128G1(t *testing.T) {
	h := newHarness(t, Options{})
	p, q := g1Mult(5), g1Mult(7)
	sum := g1Mult(12)
	r, out := groupOp(h, AltBN128G1Add, append(beG1(&p), beG1(&q)...), 64)
	expect(t, r, 0, CostAltBN128G1Add)
	if !bytes.Equal(out, beG1(&sum)) {
		t.Fatalf("5G+7G = %x, want %x", out, beG1(&sum))
	}
	// P + (−P) is the identity, written as zeros.
	var neg bn254.G1Affine
	neg.Neg(&p)
	r, out = groupOp(h, AltBN128G1Add, append(beG1(&p), beG1(&neg)...), 64)
	expect(t, r, 0, CostAltBN128G1Add)
	if !allZero(out) {
		t.Fatalf("P-P = %x", out)
	}
	// P + P doubles.
	r, out = groupOp(h, AltBN128G1Add, append(beG1(&p), beG1(&p)...), 64)
	expect(t, r, 0, CostAltBN128G1Add)
	if ten := g1Mult(10); !bytes.Equal(out, beG1(&ten)) {
		t.Fatalf("5G+5G = %x", out)
	}

	// Multiplication by r−1 negates; by r gives the identity; a 64-byte
	// input has scalar 0 after padding.
	rm1 := new(big.Int).Sub(fr.Modulus(), big.NewInt(1))
	r, out = groupOp(h, AltBN128G1Mul, append(beG1(&p), be32(rm1)...), 64)
	expect(t, r, 0, CostAltBN128G1Mul)
	if !bytes.Equal(out, beG1(&neg)) {
		t.Fatalf("(r-1)·P = %x, want %x", out, beG1(&neg))
	}
	r, out = groupOp(h, AltBN128G1Mul, append(beG1(&p), be32(fr.Modulus())...), 64)
	expect(t, r, 0, CostAltBN128G1Mul)
	if !allZero(out) {
		t.Fatalf("r·P = %x", out)
	}
	r, out = groupOp(h, AltBN128G1Mul, beG1(&p), 64)
	expect(t, r, 0, CostAltBN128G1Mul)
	if !allZero(out) {
		t.Fatalf("0·P = %x", out)
	}

	// Rejected inputs: return 1, the result untouched.
	pBE := beG1(&p)
	offCurve := append([]byte(nil), pBE...)
	offCurve[63] ^= 1
	xTooBig := append(be32(fp.Modulus()), pBE[32:]...)
	yTooBig := append(append([]byte(nil), pBE[:32]...), be32(new(big.Int).Add(fp.Modulus(), new(big.Int).SetBytes(pBE[32:])))...)
	bothFlags := append([]byte(nil), pBE...)
	bothFlags[32] |= 0xc0
	zeroNegFlag := make([]byte, 64)
	zeroNegFlag[32] = 0x80 // (0, 0) with a stripped sign flag: off the curve, not the identity
	for name, bad := range map[string][]byte{
		"off curve":            offCurve,
		"x = p":                xTooBig,
		"y ≥ p":                yTooBig,
		"both flags":           bothFlags,
		"zero with sign flag":  zeroNegFlag,
		"129 bytes":            append(append(append([]byte(nil), pBE...), pBE...), 0),
		"mul 97 bytes":         append(append(append([]byte(nil), pBE...), be32(big.NewInt(2))...), 0),
		"add: second invalid":  offCurve,
		"add: zero then wrong": append(make([]byte, 64), offCurve...),
	} {
		t.Run(name, func(t *testing.T) {
			op := uint64(AltBN128G1Add)
			in := bad
			if len(bad) == 64 {
				in = append(append([]byte(nil), pBE...), bad...)
			}
			if name == "mul 97 bytes" {
				op = AltBN128G1Mul
			}
			r, out := groupOp(h, op, in, 64)
			expect(t, r, 1, altBN128Price(op, uint64(len(in))))
			if !allZero(out) {
				t.Fatalf("rejected call wrote %x", out)
			}
		})
	}
}

// Agave reads y's two top bits as arkworks flags: 0x40 makes the point the
// identity whatever its coordinates, 0x80 is stripped and ignored.
func TestAltBN128ArkworksFlags(t *testing.T) {
	h := newHarness(t, Options{})
	p, q := g1Mult(3), g1Mult(4)
	pBE := beG1(&p)
	inf := beG1(&q)
	inf[32] |= 0x40
	r, out := groupOp(h, AltBN128G1Add, append(append([]byte(nil), pBE...), inf...), 64)
	expect(t, r, 0, CostAltBN128G1Add)
	if !bytes.Equal(out, pBE) {
		t.Fatalf("P + (Q flagged infinity) = %x, want P", out)
	}
	neg := beG1(&q)
	neg[32] |= 0x80
	r, out = groupOp(h, AltBN128G1Add, append(append([]byte(nil), pBE...), neg...), 64)
	expect(t, r, 0, CostAltBN128G1Add)
	if seven := g1Mult(7); !bytes.Equal(out, beG1(&seven)) {
		t.Fatalf("P + (Q with sign bit) = %x, want P+Q", out)
	}
	// The identity flag still needs coordinates below p.
	badInf := append(be32(fp.Modulus()), make([]byte, 32)...)
	badInf[32] = 0x40
	r, _ = groupOp(h, AltBN128G1Add, append(append([]byte(nil), pBE...), badInf...), 64)
	expect(t, r, 1, CostAltBN128G1Add)
}

// A point on the twist that is not in G2: fine for addition, rejected by
// multiplication and pairing.
func nonSubgroupG2(t *testing.T) bn254.G2Affine {
	t.Helper()
	b := g2CurveB()
	for i := uint64(1); i < 100; i++ {
		var x, rhs, y, sq bn254.E2
		x.A0.SetUint64(i)
		x.A1.SetUint64(1)
		rhs.Square(&x).Mul(&rhs, &x).Add(&rhs, &b)
		y.Sqrt(&rhs)
		if sq.Square(&y).Equal(&rhs) {
			p := bn254.G2Affine{X: x, Y: y}
			if p.IsOnCurve() && !p.IsInSubGroup() {
				return p
			}
		}
	}
	t.Fatal("no point outside G2 found")
	return bn254.G2Affine{}
}

func TestAltBN128G2(t *testing.T) {
	h := newHarness(t, Options{})
	p, q := g2Mult(6), g2Mult(9)
	fifteen := g2Mult(15)
	r, out := groupOp(h, AltBN128G2Add, append(beG2(&p), beG2(&q)...), 128)
	expect(t, r, 0, CostAltBN128G2Add)
	if !bytes.Equal(out, beG2(&fifteen)) {
		t.Fatalf("6H+9H = %x", out)
	}
	r, out = groupOp(h, AltBN128G2Mul, append(beG2(&p), be32(big.NewInt(5))...), 128)
	expect(t, r, 0, CostAltBN128G2Mul)
	if thirty := g2Mult(30); !bytes.Equal(out, beG2(&thirty)) {
		t.Fatalf("5·6H = %x", out)
	}
	// Little-endian forms take and give the arkworks layout.
	r, out = groupOp(h, AltBN128G2Add|AltBN128LittleEndian, append(encodeG2(nil, &p), encodeG2(nil, &q)...), 128)
	expect(t, r, 0, CostAltBN128G2Add)
	if !bytes.Equal(out, encodeG2(nil, &fifteen)) {
		t.Fatalf("LE 6H+9H = %x", out)
	}

	odd := nonSubgroupG2(t)
	r, out = groupOp(h, AltBN128G2Add, append(beG2(&odd), beG2(&odd)...), 128)
	expect(t, r, 0, CostAltBN128G2Add)
	var dbl bn254.G2Affine
	dbl.Double(&odd)
	if !bytes.Equal(out, beG2(&dbl)) {
		t.Fatalf("addition of a point outside G2 = %x", out)
	}
	r, _ = groupOp(h, AltBN128G2Mul, append(beG2(&odd), be32(big.NewInt(2))...), 128)
	expect(t, r, 1, CostAltBN128G2Mul)
	g1 := g1Mult(1)
	pair := append(beG1(&g1), beG2(&odd)...)
	r, _ = groupOp(h, AltBN128Pairing, pair, 32)
	expect(t, r, 1, AltBN128PairingCost(192))

	// Exact lengths: G2 operations never pad.
	r, _ = groupOp(h, AltBN128G2Add, beG2(&p), 128)
	expect(t, r, 1, CostAltBN128G2Add)
	r, _ = groupOp(h, AltBN128G2Mul, beG2(&p), 128)
	expect(t, r, 1, CostAltBN128G2Mul)

	// Before SIMD-0302 the G2 operations do not exist.
	gated := newHarness(t, Options{NoAltBN128G2: true})
	r, _ = groupOp(gated, AltBN128G2Add, append(beG2(&p), beG2(&q)...), 128)
	expectAbort(t, r, "InvalidAttribute", 0)
}

func TestAltBN128Pairing(t *testing.T) {
	h := newHarness(t, Options{})
	// e(aP, Q)·e(−P, aQ) = 1, with a·P and a·Q computed by the syscalls.
	a := be32(big.NewInt(123456789))
	g1, g2 := g1Mult(1), g2Mult(1)
	_, aP := groupOp(h, AltBN128G1Mul, append(beG1(&g1), a...), 64)
	_, aQ := groupOp(h, AltBN128G2Mul, append(beG2(&g2), a...), 128)
	var negP bn254.G1Affine
	negP.Neg(&g1)
	in := append(append(append(append([]byte(nil), aP...), beG2(&g2)...), beG1(&negP)...), aQ...)
	r, out := groupOp(h, AltBN128Pairing, in, 32)
	expect(t, r, 0, AltBN128PairingCost(384))
	if want := be32(big.NewInt(1)); !bytes.Equal(out, want) {
		t.Fatalf("pairing check %x, want 1", out)
	}
	r, out = groupOp(h, AltBN128Pairing|AltBN128LittleEndian, beToLE(in, []int{32, 32, 64, 64}), 32)
	expect(t, r, 0, AltBN128PairingCost(384))
	if out[0] != 1 || !allZero(out[1:]) {
		t.Fatalf("LE pairing check %x, want 1 little-endian", out)
	}
	// One pair alone is not 1; a pair with an identity is.
	r, out = groupOp(h, AltBN128Pairing, in[:192], 32)
	expect(t, r, 0, AltBN128PairingCost(192))
	if !allZero(out) {
		t.Fatalf("e(aP, Q) = 1?")
	}
	r, out = groupOp(h, AltBN128Pairing, append(make([]byte, 64), beG2(&g2)...), 32)
	expect(t, r, 0, AltBN128PairingCost(192))
	if out[31] != 1 {
		t.Fatalf("e(O, Q) = %x, want 1", out)
	}

	// A partial pair: rejected, unless before fix_alt_bn128_pairing_length_check.
	tail := append(append([]byte(nil), in...), 7)
	r, _ = groupOp(h, AltBN128Pairing, tail, 32)
	expect(t, r, 1, AltBN128PairingCost(385))
	legacy := newHarness(t, Options{LegacyPairingLength: true})
	r, out = groupOp(legacy, AltBN128Pairing, tail, 32)
	expect(t, r, 0, AltBN128PairingCost(385))
	if out[31] != 1 {
		t.Fatalf("legacy pairing with a tail = %x, want 1", out)
	}
	r, _ = groupOp(legacy, AltBN128Pairing|AltBN128LittleEndian, beToLE(in, []int{32, 32, 64, 64})[:383], 32)
	expect(t, r, 1, AltBN128PairingCost(383))
}

func TestAltBN128PairingCost(t *testing.T) {
	for _, c := range []struct{ n, want uint64 }{
		{0, 36_364 + 85 + 32},
		{191, 36_364 + 85 + 191 + 32},
		{192, 36_364 + 85 + 192 + 32},
		{384, 36_364 + 12_121 + 85 + 384 + 32},
		{1920, 36_364 + 9*12_121 + 85 + 1920 + 32},
		{1 << 63, 1<<64 - 1},
	} {
		if got := AltBN128PairingCost(c.n); got != c.want {
			t.Errorf("pairing cost(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}

func TestAltBN128Compression(t *testing.T) {
	h := newHarness(t, Options{})
	half := new(big.Int).Rsh(fp.Modulus(), 1)
	for k := int64(1); k <= 12; k++ {
		p := g1Mult(k * 1000003)
		be := beG1(&p)
		// Expected compressed form, from the EIP encoding: x with bit 7 of
		// its first byte set when y > (p−1)/2.
		want := append([]byte(nil), be[:32]...)
		if new(big.Int).SetBytes(be[32:]).Cmp(half) > 0 {
			want[0] |= 0x80
		}
		r, out := compression(h, AltBN128G1Compress, be, 32)
		expect(t, r, 0, CostSyscallBase+CostAltBN128G1Compress)
		if !bytes.Equal(out, want) {
			t.Fatalf("compress %d·G = %x, want %x", k, out, want)
		}
		r, dec := compression(h, AltBN128G1Decompress, out, 64)
		expect(t, r, 0, CostSyscallBase+CostAltBN128G1Decompress)
		if !bytes.Equal(dec, be) {
			t.Fatalf("decompress(compress(%d·G)) = %x, want %x", k, dec, be)
		}
		// Little-endian round trip.
		r, outLE := compression(h, AltBN128G1Compress|AltBN128LittleEndian, encodeG1(nil, &p), 32)
		expect(t, r, 0, CostSyscallBase+CostAltBN128G1Compress)
		if !bytes.Equal(outLE, reversed(want)) {
			t.Fatalf("LE compress = %x, want %x", outLE, reversed(want))
		}
		r, decLE := compression(h, AltBN128G1Decompress|AltBN128LittleEndian, outLE, 64)
		expect(t, r, 0, CostSyscallBase+CostAltBN128G1Decompress)
		if !bytes.Equal(decLE, encodeG1(nil, &p)) {
			t.Fatalf("LE decompress = %x", decLE)
		}

		q := g2Mult(k * 7919)
		qBE := beG2(&q)
		r, c2 := compression(h, AltBN128G2Compress, qBE, 64)
		expect(t, r, 0, CostSyscallBase+CostAltBN128G2Compress)
		// x1‖x0 with the flag from y compared by y1 first, then y0.
		want2 := append([]byte(nil), qBE[:64]...)
		if q.Y.LexicographicallyLargest() {
			want2[0] |= 0x80
		}
		if !bytes.Equal(c2, want2) {
			t.Fatalf("G2 compress = %x, want %x", c2, want2)
		}
		r, d2 := compression(h, AltBN128G2Decompress, c2, 128)
		expect(t, r, 0, CostSyscallBase+CostAltBN128G2Decompress)
		if !bytes.Equal(d2, qBE) {
			t.Fatalf("G2 decompress(compress) = %x, want %x", d2, qBE)
		}
		r, d2le := compression(h, AltBN128G2Decompress|AltBN128LittleEndian, reversed(c2), 128)
		expect(t, r, 0, CostSyscallBase+CostAltBN128G2Decompress)
		if !bytes.Equal(d2le, encodeG2(nil, &q)) {
			t.Fatalf("G2 LE decompress = %x", d2le)
		}
	}

	// The identity: zeros either way, and the flagged forms.
	for _, c := range []struct {
		op     uint64
		in     []byte
		outLen int
		want   []byte
	}{
		{AltBN128G1Compress, make([]byte, 64), 32, make([]byte, 32)},
		{AltBN128G1Decompress, make([]byte, 32), 64, make([]byte, 64)},
		{AltBN128G2Compress, make([]byte, 128), 64, make([]byte, 64)},
		{AltBN128G2Decompress, make([]byte, 64), 128, make([]byte, 128)},
		{AltBN128G1Decompress, append([]byte{0x40}, make([]byte, 31)...), 64, make([]byte, 64)},
		{AltBN128G2Decompress, append([]byte{0x40}, make([]byte, 63)...), 128, make([]byte, 128)},
		// Compressing a point flagged as the identity writes the flagged zero.
		{AltBN128G1Compress, append(make([]byte, 32), append([]byte{0x40}, make([]byte, 31)...)...), 32, append([]byte{0x40}, make([]byte, 31)...)},
	} {
		r, out := compression(h, c.op, c.in, c.outLen)
		if r.Err != nil || r.R0 != 0 || !bytes.Equal(out, c.want) {
			t.Fatalf("op %d on %x: r0=%d err=%v out=%x, want %x", c.op, c.in, r.R0, r.Err, out, c.want)
		}
	}

	// Rejections: wrong lengths, x ≥ p, x with no y, both flags.
	noRoot := be32(big.NewInt(0))
	for x := int64(1); ; x++ {
		var xe, rhs fp.Element
		xe.SetInt64(x)
		rhs.Square(&xe).Mul(&rhs, &xe).Add(&rhs, new(fp.Element).SetUint64(3))
		if rhs.Legendre() < 0 {
			noRoot = be32(big.NewInt(x))
			break
		}
	}
	both := be32(big.NewInt(1))
	both[0] |= 0xc0
	for _, c := range []struct {
		name string
		op   uint64
		in   []byte
	}{
		{"G1 compress 63 bytes", AltBN128G1Compress, make([]byte, 63)},
		{"G1 compress 65 bytes", AltBN128G1Compress, make([]byte, 65)},
		{"G1 decompress 33 bytes", AltBN128G1Decompress, make([]byte, 33)},
		{"G1 decompress x = p", AltBN128G1Decompress, be32(fp.Modulus())},
		{"G1 decompress no root", AltBN128G1Decompress, noRoot},
		{"G1 decompress both flags", AltBN128G1Decompress, both},
		{"G1 compress x = p", AltBN128G1Compress, append(be32(fp.Modulus()), make([]byte, 32)...)},
		{"G2 compress 127 bytes", AltBN128G2Compress, make([]byte, 127)},
		{"G2 decompress 65 bytes", AltBN128G2Decompress, make([]byte, 65)},
		{"G2 decompress x1 = p", AltBN128G2Decompress, append(be32(fp.Modulus()), be32(big.NewInt(1))...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			outLen := map[uint64]int{AltBN128G1Compress: 32, AltBN128G1Decompress: 64, AltBN128G2Compress: 64, AltBN128G2Decompress: 128}[c.op]
			r, out := compression(h, c.op, c.in, outLen)
			if r.Err != nil || r.R0 != 1 || !allZero(out) {
				t.Fatalf("r0=%d err=%v out=%x, want 1 and no write", r.R0, r.Err, out)
			}
		})
	}

	// Compression does not check the curve (Agave reads with Validate::No).
	offCurve := append(be32(big.NewInt(1)), be32(big.NewInt(1))...)
	r, out := compression(h, AltBN128G1Compress, offCurve, 32)
	expect(t, r, 0, CostSyscallBase+CostAltBN128G1Compress)
	if !bytes.Equal(out, be32(big.NewInt(1))) {
		t.Fatalf("compress (1, 1) = %x", out)
	}
}

func TestAltBN128Selectors(t *testing.T) {
	h := newHarness(t, Options{})
	g := g1Mult(1)
	in := append(beG1(&g), beG1(&g)...)
	for _, op := range []uint64{AltBN128G1Sub, AltBN128G2Sub, 7, 8, 0x81, 0x85, 0x87, 0x100, 0x180, 1 << 63} {
		r, _ := groupOp(h, op, in, 64)
		expectAbort(t, r, "InvalidAttribute", 0)
	}
	for _, op := range []uint64{4, 0x84, 0x100, 1 << 40} {
		r, _ := compression(h, op, in[:64], 64)
		expectAbort(t, r, "InvalidAttribute", 0)
	}
	// Before SIMD-0284 there is no little-endian form.
	gated := newHarness(t, Options{NoAltBN128LittleEndian: true})
	r, _ := groupOp(gated, AltBN128G1Add|AltBN128LittleEndian, in, 64)
	expectAbort(t, r, "InvalidAttribute", 0)
	r, _ = compression(gated, AltBN128G1Compress|AltBN128LittleEndian, in[:64], 32)
	expectAbort(t, r, "InvalidAttribute", 0)
	r, _ = groupOp(gated, AltBN128G1Add, in, 64)
	expect(t, r, 0, CostAltBN128G1Add)
}

func TestAltBN128Memory(t *testing.T) {
	h := newHarness(t, Options{})
	g := g1Mult(1)
	var a arena
	in := a.put(append(beG1(&g), beG1(&g)...))
	out := a.alloc(64)

	// The result is mapped first: with both pointers bad, the fault names
	// the result.
	r := h.call(&a, bigBudget, NameAltBN128GroupOp, AltBN128G1Add, 0x7_0000_0000, 128, 0x6_0000_0000)
	expectAbort(t, r, "AccessViolation", CostAltBN128G1Add)
	var ve *vm.Error
	if errors.As(r.Err, &ve); ve == nil || !errors.As(ve.Err, &ve) || ve.Addr != 0x6_0000_0000 || ve.Access != vm.Store {
		t.Fatalf("fault %v, want a store at the result", r.Err)
	}
	// Read-only result.
	r = h.call(&a, bigBudget, NameAltBN128GroupOp, AltBN128G1Add, in, 128, 0x1_0000_0000)
	expectAbort(t, r, "AccessViolation", CostAltBN128G1Add)
	// Input running past the region.
	r = h.call(&a, bigBudget, NameAltBN128GroupOp, AltBN128G1Add, in, 1<<20, out)
	expectAbort(t, r, "AccessViolation", CostAltBN128G1Add)
	// A length that cannot be addressed.
	r = h.call(&a, bigBudget, NameAltBN128GroupOp, AltBN128G1Add, in, 1<<63, out)
	expectAbort(t, r, "InvalidLength", CostAltBN128G1Add)
	r = h.call(&a, bigBudget, NameAltBN128Compress, AltBN128G1Compress, in, 1<<63, out)
	expectAbort(t, r, "InvalidLength", CostSyscallBase+CostAltBN128G1Compress)
	// A pairing that long costs more than any budget.
	r = h.call(&a, bigBudget, NameAltBN128GroupOp, AltBN128Pairing, in, 1<<63, out)
	if !errors.Is(r.Err, vm.ErrComputeBudgetExceeded) || r.CU != bigBudget {
		t.Fatalf("got %v cu=%d, want budget exceeded", r.Err, r.CU)
	}
	// A zero-length input needs no valid pointer.
	r = h.call(&a, bigBudget, NameAltBN128GroupOp, AltBN128G1Add, 0, 0, out)
	expect(t, r, 0, CostAltBN128G1Add)
}

func TestAltBN128G2Vectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/bn254_g2_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Vectors []struct{ Op, Name, Input, Expected string }
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Vectors) != 9 {
		t.Fatalf("%d vectors, want 9", len(doc.Vectors))
	}
	h := newHarness(t, Options{})
	for _, v := range doc.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			op, chunks := uint64(AltBN128G2Add), []int{64}
			if v.Op == "g2_mul" {
				op, chunks = AltBN128G2Mul, []int{64, 64, 32}
			}
			in, want := unhex(t, v.Input), unhex(t, v.Expected)
			r, out := groupOp(h, op, in, 128)
			expect(t, r, 0, altBN128Price(op, uint64(len(in))))
			if !bytes.Equal(out, want) {
				t.Fatalf("output %x, want %x", out, want)
			}
			r, out = groupOp(h, op|AltBN128LittleEndian, beToLE(in, chunks), 128)
			expect(t, r, 0, altBN128Price(op, uint64(len(in))))
			if wantLE := beToLE(want, []int{64}); !bytes.Equal(out, wantLE) {
				t.Fatalf("LE output %x, want %x", out, wantLE)
			}
		})
	}
}

// Agave's SIMD-0284 gate lists only the little-endian G1 and pairing
// selectors, so with it off and SIMD-0302 on, little-endian G2 ops still run.
func TestAltBN128GateOverlap(t *testing.T) {
	h := newHarness(t, Options{NoAltBN128LittleEndian: true})
	p := g2Mult(2)
	in := append(encodeG2(nil, &p), encodeG2(nil, &p)...)
	r, out := groupOp(h, AltBN128G2Add|AltBN128LittleEndian, in, 128)
	expect(t, r, 0, CostAltBN128G2Add)
	if four := g2Mult(4); !bytes.Equal(out, encodeG2(nil, &four)) {
		t.Fatalf("LE G2 add = %x", out)
	}
	both := newHarness(t, Options{NoAltBN128LittleEndian: true, NoAltBN128G2: true})
	r, _ = groupOp(both, AltBN128G2Add|AltBN128LittleEndian, in, 128)
	expectAbort(t, r, "InvalidAttribute", 0)
}
