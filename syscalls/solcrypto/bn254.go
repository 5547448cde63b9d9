package solcrypto

import (
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// This file reproduces solana-bn254 (which Agave calls for
// sol_alt_bn128_group_op and sol_alt_bn128_compression) on gnark-crypto.
//
// solana-bn254 converts a big-endian (EIP-196/197) input into the layout of
// the arkworks serializer and lets arkworks decode it, so the rules here are
// arkworks' rules on that layout:
//
//   - A G1 point is x‖y, each coordinate 32 bytes little-endian. A G2 point
//     is x‖y with each coordinate c0‖c1 (x = c0 + c1·u). Big-endian input
//     reverses every 32-byte chunk for G1 and every 64-byte chunk for G2:
//     EIP-197 writes x1‖x0‖y1‖y0, each big-endian.
//   - All-zero bytes are the point at infinity (checked before decoding).
//   - Every coordinate must be below p. The last coordinate read (y, or
//     y.c1) carries flags in the two top bits of its last byte: both set is
//     invalid; bit 6 alone makes the point the point at infinity whatever its
//     coordinates; bit 7 alone is stripped and ignored.
//   - A decoded point must be on the curve (G1 always; G2 unless it was read
//     as the point at infinity), and a G2 point must be in the r-torsion
//     subgroup except for G2 addition, which only checks the curve.
//
// The compressed form is x with the flags in the top bits of its last
// little-endian byte: bit 6 for infinity, bit 7 when y is the larger of
// ±y as an integer (for 𝔽p², compare c1 first, then c0).

// Operation selectors of sol_alt_bn128_group_op. Or AltBN128LittleEndian
// into one to take and return little-endian (arkworks) encodings.
const (
	AltBN128G1Add        = 0
	AltBN128G1Sub        = 1 // reserved by solana-bn254; Agave aborts with InvalidAttribute
	AltBN128G1Mul        = 2
	AltBN128Pairing      = 3
	AltBN128G2Add        = 4
	AltBN128G2Sub        = 5 // reserved by solana-bn254; Agave aborts with InvalidAttribute
	AltBN128G2Mul        = 6
	AltBN128LittleEndian = 0x80
)

// Operation selectors of sol_alt_bn128_compression (or AltBN128LittleEndian
// into them as well).
const (
	AltBN128G1Compress   = 0
	AltBN128G1Decompress = 1
	AltBN128G2Compress   = 2
	AltBN128G2Decompress = 3
)

const (
	fieldSize        = 32
	g1Size           = 64
	g2Size           = 128
	g1AddInputSize   = 2 * g1Size
	g2AddInputSize   = 2 * g2Size
	g1MulInputSize   = g1Size + fieldSize
	g2MulInputSize   = g2Size + fieldSize
	flagInfinity     = 0x40
	flagNegative     = 0x80
	g1CompressedSize = fieldSize
	g2CompressedSize = 2 * fieldSize
)

// swFlag is the arkworks short-Weierstrass flag of a decoded coordinate.
type swFlag uint8

const (
	flagNone swFlag = iota // also "y is positive"
	flagIsInfinity
	flagIsNegative
)

// toLE converts a big-endian encoding to the arkworks layout by reversing
// every chunk of n bytes (solana-bn254's convert_endianness). It always
// copies.
func toLE(b []byte, n int) []byte {
	out := make([]byte, len(b))
	for off := 0; off+n <= len(b); off += n {
		for i := 0; i < n; i++ {
			out[off+i] = b[off+n-1-i]
		}
	}
	return out
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// readFp decodes a 32-byte little-endian field element, which must be
// below p.
func readFp(le []byte) (fp.Element, bool) {
	var be [fieldSize]byte
	for i := range be {
		be[i] = le[fieldSize-1-i]
	}
	var e fp.Element
	if e.SetBytesCanonical(be[:]) != nil {
		return e, false
	}
	return e, true
}

// readFpFlags decodes a 32-byte little-endian field element whose last
// byte carries arkworks' SW flags in its two top bits.
func readFpFlags(le []byte) (fp.Element, swFlag, bool) {
	var buf [fieldSize]byte
	copy(buf[:], le)
	top := buf[fieldSize-1]
	var f swFlag
	switch top & (flagInfinity | flagNegative) {
	case flagInfinity | flagNegative:
		return fp.Element{}, 0, false
	case flagInfinity:
		f = flagIsInfinity
	case flagNegative:
		f = flagIsNegative
	}
	buf[fieldSize-1] = top &^ (flagInfinity | flagNegative)
	e, ok := readFp(buf[:])
	return e, f, ok
}

// writeFp appends e as 32 bytes little-endian.
func writeFp(dst []byte, e *fp.Element) []byte {
	be := e.Bytes()
	for i := fieldSize - 1; i >= 0; i-- {
		dst = append(dst, be[i])
	}
	return dst
}

// decodeG1 reads a G1 point in the arkworks layout as solana-bn254's
// TryFrom<PodG1> does.
func decodeG1(le []byte) (bn254.G1Affine, bool) {
	var p bn254.G1Affine
	if allZero(le[:g1Size]) {
		return p, true
	}
	x, ok := readFp(le[:fieldSize])
	if !ok {
		return p, false
	}
	y, f, ok := readFpFlags(le[fieldSize:g1Size])
	if !ok {
		return p, false
	}
	if f == flagIsInfinity {
		return p, true
	}
	p.X, p.Y = x, y
	// gnark treats (0, 0) as the point at infinity; arkworks, reading it with
	// a stripped flag, sees a point off the curve.
	if x.IsZero() && y.IsZero() || !p.IsOnCurve() {
		return p, false
	}
	return p, true
}

// decodeG2 reads a G2 point in the arkworks layout. With subgroup set it
// is solana-bn254's TryFrom<PodG2> (curve and subgroup checks); without, it
// is into_affine_unchecked (curve check only).
func decodeG2(le []byte, subgroup bool) (bn254.G2Affine, bool) {
	var p bn254.G2Affine
	if allZero(le[:g2Size]) {
		return p, true
	}
	var ok [3]bool
	p.X.A0, ok[0] = readFp(le[0:32])
	p.X.A1, ok[1] = readFp(le[32:64])
	p.Y.A0, ok[2] = readFp(le[64:96])
	if !ok[0] || !ok[1] || !ok[2] {
		return p, false
	}
	y1, f, good := readFpFlags(le[96:128])
	if !good {
		return p, false
	}
	if f == flagIsInfinity {
		return bn254.G2Affine{}, true
	}
	p.Y.A1 = y1
	if p.X.IsZero() && p.Y.IsZero() || !p.IsOnCurve() {
		return p, false
	}
	if subgroup && !p.IsInSubGroup() {
		return p, false
	}
	return p, true
}

// encodeG1 appends p in the arkworks layout (the point at infinity is all
// zeros).
func encodeG1(dst []byte, p *bn254.G1Affine) []byte {
	dst = writeFp(dst, &p.X)
	return writeFp(dst, &p.Y)
}

func encodeG2(dst []byte, p *bn254.G2Affine) []byte {
	dst = writeFp(dst, &p.X.A0)
	dst = writeFp(dst, &p.X.A1)
	dst = writeFp(dst, &p.Y.A0)
	return writeFp(dst, &p.Y.A1)
}

// scalarLE reads a 32-byte little-endian integer and reduces it modulo r.
// Agave multiplies by the full 256-bit integer; every point it multiplies
// has order r, so the reduced scalar gives the same point.
func scalarLE(le []byte) *big.Int {
	k := new(big.Int).SetBytes(reversed(le))
	return k.Mod(k, fr.Modulus())
}

// altBN128GroupOp computes op on input as Agave's versioned solana-bn254
// functions do (G1 multiplication V1, G2 ops V0, pairing V1 or, with
// legacyPairing, V0). ok is false where Agave returns 1. op must be one of
// the served operations.
func altBN128GroupOp(op uint64, input []byte, legacyPairing bool) (out []byte, ok bool) {
	le := op&AltBN128LittleEndian != 0
	switch op &^ AltBN128LittleEndian {
	case AltBN128G1Add:
		return g1Add(input, le)
	case AltBN128G1Mul:
		return g1Mul(input, le)
	case AltBN128Pairing:
		return pairing(input, le, legacyPairing && !le)
	case AltBN128G2Add:
		return g2Add(input, le)
	case AltBN128G2Mul:
		return g2Mul(input, le)
	}
	return nil, false
}

// fixedInput applies solana-bn254's length rule: a big-endian input may be
// shorter than n and is zero-padded (as the EVM does), but never longer; a
// little-endian one must be exactly n. It returns the input in the arkworks
// layout, reversing chunks of chunk bytes.
func fixedInput(input []byte, n, chunk int, le bool) ([]byte, bool) {
	if le {
		if len(input) != n {
			return nil, false
		}
		return input, true
	}
	if len(input) > n {
		return nil, false
	}
	padded := make([]byte, n)
	copy(padded, input)
	return toLE(padded, chunk), true
}

func g1Add(input []byte, le bool) ([]byte, bool) {
	in, ok := fixedInput(input, g1AddInputSize, fieldSize, le)
	if !ok {
		return nil, false
	}
	p, ok := decodeG1(in[:g1Size])
	if !ok {
		return nil, false
	}
	q, ok := decodeG1(in[g1Size:])
	if !ok {
		return nil, false
	}
	var r bn254.G1Affine
	r.Add(&p, &q)
	return g1Out(&r, le), true
}

func g1Mul(input []byte, le bool) ([]byte, bool) {
	in, ok := fixedInput(input, g1MulInputSize, fieldSize, le)
	if !ok {
		return nil, false
	}
	p, ok := decodeG1(in[:g1Size])
	if !ok {
		return nil, false
	}
	var r bn254.G1Affine
	r.ScalarMultiplication(&p, scalarLE(in[g1Size:g1MulInputSize]))
	return g1Out(&r, le), true
}

func g1Out(p *bn254.G1Affine, le bool) []byte {
	out := encodeG1(make([]byte, 0, g1Size), p)
	if le {
		return out
	}
	return toLE(out, fieldSize)
}

func g2Out(p *bn254.G2Affine, le bool) []byte {
	out := encodeG2(make([]byte, 0, g2Size), p)
	if le {
		return out
	}
	return toLE(out, 2*fieldSize)
}

// g2Input checks the exact length G2 operations require and converts
// big-endian input: each point's 128 bytes reverse in two 64-byte chunks,
// a scalar's 32 bytes in one.
func g2Input(input []byte, n int, le bool) ([]byte, bool) {
	if len(input) != n {
		return nil, false
	}
	if le {
		return input, true
	}
	out := make([]byte, 0, n)
	for off := 0; off+g2Size <= n; off += g2Size {
		out = append(out, toLE(input[off:off+g2Size], 2*fieldSize)...)
	}
	if rest := n % g2Size; rest != 0 {
		out = append(out, toLE(input[n-rest:], fieldSize)...)
	}
	return out, true
}

func g2Add(input []byte, le bool) ([]byte, bool) {
	in, ok := g2Input(input, g2AddInputSize, le)
	if !ok {
		return nil, false
	}
	p, ok := decodeG2(in[:g2Size], false)
	if !ok {
		return nil, false
	}
	q, ok := decodeG2(in[g2Size:], false)
	if !ok {
		return nil, false
	}
	var r bn254.G2Affine
	r.Add(&p, &q)
	return g2Out(&r, le), true
}

func g2Mul(input []byte, le bool) ([]byte, bool) {
	in, ok := g2Input(input, g2MulInputSize, le)
	if !ok {
		return nil, false
	}
	p, ok := decodeG2(in[:g2Size], true)
	if !ok {
		return nil, false
	}
	var r bn254.G2Affine
	r.ScalarMultiplication(&p, scalarLE(in[g2Size:g2MulInputSize]))
	return g2Out(&r, le), true
}

// pairing checks whether the product of the pairings of the input's
// (G1, G2) pairs is one, returning 1 or 0 as a 32-byte integer. The input
// must be a whole number of 192-byte pairs, unless ignoreTail (Agave's
// pairing V0) drops a trailing partial pair.
func pairing(input []byte, le, ignoreTail bool) ([]byte, bool) {
	if len(input)%altBN128PairingElement != 0 && !ignoreTail {
		return nil, false
	}
	n := len(input) / altBN128PairingElement
	ps := make([]bn254.G1Affine, 0, n)
	qs := make([]bn254.G2Affine, 0, n)
	for i := 0; i < n; i++ {
		pair := input[i*altBN128PairingElement : (i+1)*altBN128PairingElement]
		g1b, g2b := pair[:g1Size], pair[g1Size:]
		if !le {
			g1b, g2b = toLE(g1b, fieldSize), toLE(g2b, 2*fieldSize)
		}
		p, ok := decodeG1(g1b)
		if !ok {
			return nil, false
		}
		q, ok := decodeG2(g2b, true)
		if !ok {
			return nil, false
		}
		// A pair with the point at infinity contributes 1 to the product.
		if p.IsInfinity() || q.IsInfinity() {
			continue
		}
		ps, qs = append(ps, p), append(qs, q)
	}
	one := true
	if len(ps) > 0 {
		var err error
		if one, err = bn254.PairingCheck(ps, qs); err != nil {
			return nil, false
		}
	}
	out := make([]byte, altBN128PairingOutput)
	if one {
		if le {
			out[0] = 1
		} else {
			out[altBN128PairingOutput-1] = 1
		}
	}
	return out, true
}

// altBN128Compression computes a compression op as solana-bn254's
// compression module does. ok is false where Agave returns 1.
func altBN128Compression(op uint64, input []byte) ([]byte, bool) {
	le := op&AltBN128LittleEndian != 0
	switch op &^ AltBN128LittleEndian {
	case AltBN128G1Compress:
		return g1Compress(input, le)
	case AltBN128G1Decompress:
		return g1Decompress(input, le)
	case AltBN128G2Compress:
		return g2Compress(input, le)
	case AltBN128G2Decompress:
		return g2Decompress(input, le)
	}
	return nil, false
}

// g1Compress takes exactly 64 bytes. It does not check that the point is
// on the curve (Agave reads it with Validate::No).
func g1Compress(input []byte, le bool) ([]byte, bool) {
	if len(input) != g1Size {
		return nil, false
	}
	if allZero(input) {
		return make([]byte, g1CompressedSize), true
	}
	in := input
	if !le {
		in = toLE(input, fieldSize)
	}
	x, ok := readFp(in[:fieldSize])
	if !ok {
		return nil, false
	}
	y, f, ok := readFpFlags(in[fieldSize:])
	if !ok {
		return nil, false
	}
	out := make([]byte, 0, g1CompressedSize)
	switch {
	case f == flagIsInfinity:
		out = append(out, make([]byte, fieldSize)...)
		out[fieldSize-1] |= flagInfinity
	default:
		out = writeFp(out, &x)
		if y.LexicographicallyLargest() {
			out[fieldSize-1] |= flagNegative
		}
	}
	if !le {
		reverseInPlace(out)
	}
	return out, true
}

// g1Decompress takes exactly 32 bytes. It does not check the subgroup
// (trivial on G1) and returns the root of y² = x³ + 3 that the sign flag
// selects: the smaller integer unless bit 7 is set.
func g1Decompress(input []byte, le bool) ([]byte, bool) {
	if len(input) != g1CompressedSize {
		return nil, false
	}
	if allZero(input) {
		return make([]byte, g1Size), true
	}
	in := input
	if !le {
		in = reversed(input)
	}
	x, f, ok := readFpFlags(in)
	if !ok {
		return nil, false
	}
	var p bn254.G1Affine
	if f != flagIsInfinity {
		var rhs, three fp.Element
		three.SetUint64(3)
		rhs.Square(&x).Mul(&rhs, &x).Add(&rhs, &three)
		var y fp.Element
		if y.Sqrt(&rhs) == nil {
			return nil, false
		}
		// y and -y: pick by the flag, ordering them as integers.
		if y.LexicographicallyLargest() != (f == flagIsNegative) {
			y.Neg(&y)
		}
		p.X, p.Y = x, y
	}
	return g1Out(&p, le), true
}

// g2Compress takes exactly 128 bytes, without curve or subgroup checks.
func g2Compress(input []byte, le bool) ([]byte, bool) {
	if len(input) != g2Size {
		return nil, false
	}
	if allZero(input) {
		return make([]byte, g2CompressedSize), true
	}
	in := input
	if !le {
		in = toLE(input, 2*fieldSize)
	}
	var x, y bn254.E2
	var ok [3]bool
	x.A0, ok[0] = readFp(in[0:32])
	x.A1, ok[1] = readFp(in[32:64])
	y.A0, ok[2] = readFp(in[64:96])
	if !ok[0] || !ok[1] || !ok[2] {
		return nil, false
	}
	y1, f, good := readFpFlags(in[96:128])
	if !good {
		return nil, false
	}
	y.A1 = y1
	out := make([]byte, 0, g2CompressedSize)
	if f == flagIsInfinity {
		out = append(out, make([]byte, g2CompressedSize)...)
		out[g2CompressedSize-1] |= flagInfinity
	} else {
		out = writeFp(out, &x.A0)
		out = writeFp(out, &x.A1)
		if y.LexicographicallyLargest() {
			out[g2CompressedSize-1] |= flagNegative
		}
	}
	if !le {
		reverseInPlace(out)
	}
	return out, true
}

// g2CurveB is the twist's b: 3/(9+u).
func g2CurveB() bn254.E2 {
	var xi, b bn254.E2
	xi.A0.SetUint64(9)
	xi.A1.SetUint64(1)
	var three fp.Element
	three.SetUint64(3)
	b.Inverse(&xi).MulByElement(&b, &three)
	return b
}

// g2Decompress takes exactly 64 bytes, without a subgroup check, and picks
// the root of y² = x³ + b' that the sign flag selects (ordering 𝔽p²
// elements by c1, then c0).
func g2Decompress(input []byte, le bool) ([]byte, bool) {
	if len(input) != g2CompressedSize {
		return nil, false
	}
	if allZero(input) {
		return make([]byte, g2Size), true
	}
	in := input
	if !le {
		in = reversed(input)
	}
	var p bn254.G2Affine
	x0, ok := readFp(in[:fieldSize])
	if !ok {
		return nil, false
	}
	x1, f, ok := readFpFlags(in[fieldSize:])
	if !ok {
		return nil, false
	}
	if f != flagIsInfinity {
		x := bn254.E2{A0: x0, A1: x1}
		b := g2CurveB()
		var rhs, y, check bn254.E2
		rhs.Square(&x).Mul(&rhs, &x).Add(&rhs, &b)
		y.Sqrt(&rhs)
		if !check.Square(&y).Equal(&rhs) {
			return nil, false
		}
		if y.LexicographicallyLargest() != (f == flagIsNegative) {
			y.Neg(&y)
		}
		p.X, p.Y = x, y
	}
	return g2Out(&p, le), true
}
