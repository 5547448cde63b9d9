package zk

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	frbls "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	kzgbls "github.com/consensys/gnark-crypto/ecc/bls12-381/kzg"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	frbn "github.com/consensys/gnark-crypto/ecc/bn254/fr"
	kzgbn "github.com/consensys/gnark-crypto/ecc/bn254/kzg"
)

// curveParams describes gnark's binary format on one curve, for the
// structural scan that runs before gnark's decoder (which allocates
// whatever a length prefix asks for).
type curveParams struct {
	g1, g2     int              // compressed point sizes; uncompressed is twice that
	compressed func(byte) bool  // gnark-crypto's isCompressed on the first byte of a point
	linesSize  int              // bytes of kzg.VerifyingKey.Lines, written as raw limbs
	order      [ScalarSize]byte // the scalar field order, big-endian
}

var (
	bn254Params = curveParams{
		g1: bn254.SizeOfG1AffineCompressed,
		g2: bn254.SizeOfG2AffineCompressed,
		// bn254: the top two bits are the flags, 00 is uncompressed.
		compressed: func(b byte) bool { return b&0b1100_0000 != 0 },
		linesSize:  binary.Size(kzgbn.VerifyingKey{}.Lines),
		order:      toArray(frbn.Modulus().FillBytes(make([]byte, ScalarSize))),
	}
	bls12381Params = curveParams{
		g1: bls12381.SizeOfG1AffineCompressed,
		g2: bls12381.SizeOfG2AffineCompressed,
		// bls12-381 (zcash flags): the top three bits, 000 and 010
		// (infinity) are uncompressed.
		compressed: func(b byte) bool { f := b & 0b1110_0000; return f != 0 && f != 0b0100_0000 },
		linesSize:  binary.Size(kzgbls.VerifyingKey{}.Lines),
		order:      toArray(frbls.Modulus().FillBytes(make([]byte, ScalarSize))),
	}
)

func toArray(b []byte) (a [ScalarSize]byte) {
	copy(a[:], b)
	return a
}

func params(c Curve) *curveParams {
	if c == CurveBLS12381 {
		return &bls12381Params
	}
	return &bn254Params
}

// canonicalScalar reports whether the big-endian b is below the order.
func (p *curveParams) canonicalScalar(b []byte) bool {
	return bytes.Compare(b, p.order[:]) < 0
}

// scanner walks gnark's encoding without decoding it: it knows the size of
// every item from its flags and length prefixes and fails, instead of
// allocating, when a prefix asks for more than the bytes that are left.
type scanner struct {
	p    *curveParams
	arg  string
	b    []byte
	off  int
	item string // what is being read, for errors
	err  error
}

func (s *scanner) fail(format string, a ...any) {
	if s.err == nil {
		s.err = &Error{Kind: KindInvalidEncoding, Arg: s.arg,
			Msg: fmt.Sprintf("%s at byte %d: %s", s.item, s.off, fmt.Sprintf(format, a...))}
	}
}

func (s *scanner) left() int { return len(s.b) - s.off }

func (s *scanner) take(n int) []byte {
	if s.err != nil {
		return nil
	}
	if n > s.left() {
		s.fail("needs %d bytes, %d left", n, s.left())
		return nil
	}
	b := s.b[s.off : s.off+n]
	s.off += n
	return b
}

func (s *scanner) u32() uint32 {
	if b := s.take(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (s *scanner) u64() uint64 {
	if b := s.take(8); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

// point skips a point of compressed size size.
func (s *scanner) point(size int) {
	if s.err != nil {
		return
	}
	if s.left() == 0 {
		s.fail("needs a point, no bytes left")
		return
	}
	if !s.p.compressed(s.b[s.off]) {
		size *= 2
	}
	s.take(size)
}

func (s *scanner) g1(item string) { s.item = item; s.point(s.p.g1) }
func (s *scanner) g2(item string) { s.item = item; s.point(s.p.g2) }

// count reads a u32 length prefix of items of at least minSize bytes each
// and checks it against max and against the bytes left.
func (s *scanner) count(item string, minSize, max int) int {
	s.item = item
	n := s.u32()
	if s.err != nil {
		return 0
	}
	switch {
	case uint64(n) > uint64(max):
		s.fail("length %d is over the limit %d", n, max)
		return 0
	case uint64(n)*uint64(minSize) > uint64(s.left()):
		s.fail("length %d needs at least %d bytes, %d left", n, uint64(n)*uint64(minSize), s.left())
		return 0
	}
	return int(n)
}

func (s *scanner) g1Slice(item string, max int) int {
	n := s.count(item, s.p.g1, max)
	for i := 0; i < n && s.err == nil; i++ {
		s.g1(fmt.Sprintf("%s[%d]", item, i))
	}
	return n
}

func (s *scanner) end() error {
	if s.err == nil && s.left() != 0 {
		s.item = "end"
		s.fail("%d trailing bytes", s.left())
	}
	return s.err
}

// scanGroth16Key checks the structure of a gnark Groth16 VerifyingKey:
//
//	G1 α, G1 β, G2 β, G2 γ, G1 δ, G2 δ,
//	u32 k, k × G1 K (K[0] the constant, then one per public input and commitment),
//	u32 c, c × (u32 m_i, m_i × u64 index of the public or commitment wire committed),
//	u32 c, c × (G2 G, G2 GSigmaNeg) Pedersen verifying keys
//
// and returns the public inputs it takes (k − 1 − c) and c. Every index
// must name a wire the verifier has at that point (1 ≤ index ≤ n + i for
// commitment i), which gnark's verifier assumes without checking.
func (p *curveParams) scanGroth16Key(b []byte) (inputs, commitments int, err error) {
	s := &scanner{p: p, arg: argKey, b: b}
	s.g1("alpha")
	s.g1("beta (G1)")
	s.g2("beta")
	s.g2("gamma")
	s.g1("delta (G1)")
	s.g2("delta")
	k := s.g1Slice("K", MaxPublicInputs+1+MaxCommitments)
	c := s.count("committed wires", 4, MaxCommitments)
	lists := make([][]uint64, c)
	for i := 0; i < c && s.err == nil; i++ {
		m := s.count(fmt.Sprintf("committed wires[%d]", i), 8, MaxPublicInputs+MaxCommitments)
		lists[i] = make([]uint64, m)
		for j := range m {
			lists[i][j] = s.u64()
		}
	}
	s.item = "commitment keys"
	if nk := s.u32(); s.err == nil && int(nk) != c {
		s.fail("%d commitment keys for %d commitments", nk, c)
	}
	for i := 0; i < c && s.err == nil; i++ {
		s.g2(fmt.Sprintf("commitment key[%d].G", i))
		s.g2(fmt.Sprintf("commitment key[%d].GSigmaNeg", i))
	}
	if err := s.end(); err != nil {
		return 0, 0, err
	}
	if k < 1+c {
		return 0, 0, &Error{Kind: KindInvalidEncoding, Arg: argKey, Msg: fmt.Sprintf("%d K points for %d commitments", k, c)}
	}
	n := k - 1 - c
	for i, list := range lists {
		for _, w := range list {
			if w < 1 || w > uint64(n+i) {
				return 0, 0, &Error{Kind: KindInvalidEncoding, Arg: argKey,
					Msg: fmt.Sprintf("commitment %d commits to wire %d, outside 1..%d", i, w, n+i)}
			}
		}
	}
	return n, c, nil
}

// scanGroth16Proof checks the structure of a gnark Groth16 Proof:
//
//	G1 Ar, G2 Bs, G1 Krs, u32 c, c × G1 commitment, G1 commitment proof of knowledge
func (p *curveParams) scanGroth16Proof(b []byte) error {
	s := &scanner{p: p, arg: argProof, b: b}
	s.g1("Ar")
	s.g2("Bs")
	s.g1("Krs")
	s.g1Slice("commitments", MaxCommitments)
	s.g1("commitment proof of knowledge")
	return s.end()
}

// PLONK verifying-key versions (gnark's keyVersionMarker and KeyVersion1):
// a key starting with the marker has a version; one without is gnark's
// legacy format, whose first word is the domain size.
const (
	plonkKeyVersionMarker = 0
	plonkKeyVersion1      = 1
)

// scanPlonkKey checks the structure of a gnark PLONK VerifyingKey:
//
//	[u64 0, u64 1 (version)], u64 size, fr size⁻¹, fr ω, u64 public inputs,
//	fr coset shift, 3 × G1 S, G1 Ql Qr Qm Qo Qk, u32 c, c × G1 Qcp,
//	G1 [1], G2 [1], G2 [τ], the pairing lines of the two G2 points (raw
//	Montgomery limbs), u32 c, c × u64 commitment constraint index
//
// and returns the public inputs it takes and c.
func (p *curveParams) scanPlonkKey(b []byte) (inputs, commitments int, err error) {
	s := &scanner{p: p, arg: argKey, b: b}
	s.item = "size"
	if s.u64() == plonkKeyVersionMarker && s.err == nil {
		s.item = "version"
		if v := s.u64(); s.err == nil && v != plonkKeyVersion1 {
			s.fail("unsupported version %d", v)
		}
		s.item = "size"
		s.u64()
	}
	s.item = "size inverse"
	s.take(ScalarSize)
	s.item = "generator"
	s.take(ScalarSize)
	s.item = "public inputs"
	nPublic := s.u64()
	s.item = "coset shift"
	s.take(ScalarSize)
	for _, name := range []string{"S1", "S2", "S3", "Ql", "Qr", "Qm", "Qo", "Qk"} {
		s.g1(name)
	}
	c := s.g1Slice("Qcp", MaxCommitments)
	s.g1("kzg G1")
	s.g2("kzg G2[0]")
	s.g2("kzg G2[1]")
	s.item = "kzg lines"
	s.take(p.linesSize)
	if n := s.count("commitment constraint indexes", 8, MaxCommitments); s.err == nil && n != c {
		s.fail("%d indexes for %d commitments", n, c)
	}
	s.take(8 * c)
	if err := s.end(); err != nil {
		return 0, 0, err
	}
	if nPublic > MaxPublicInputs {
		return 0, 0, &Error{Kind: KindInvalidLength, Arg: argKey, Msg: fmt.Sprintf("%d public inputs, at most %d", nPublic, MaxPublicInputs)}
	}
	return int(nPublic), c, nil
}

// scanPlonkProof checks the structure of a gnark PLONK Proof:
//
//	G1 L R O, G1 Z, G1 H0 H1 H2, G1 batch opening H, u32 v, v × fr claimed
//	values, G1 shifted opening H, fr shifted claimed value, u32 c, c × G1
//	BSB22 commitment
func (p *curveParams) scanPlonkProof(b []byte) error {
	s := &scanner{p: p, arg: argProof, b: b}
	for _, name := range []string{"L", "R", "O", "Z", "H0", "H1", "H2", "batch opening"} {
		s.g1(name)
	}
	v := s.count("claimed values", ScalarSize, 6+MaxCommitments)
	s.take(v * ScalarSize)
	s.g1("shifted opening")
	s.item = "shifted claimed value"
	s.take(ScalarSize)
	s.g1Slice("BSB22 commitments", MaxCommitments)
	return s.end()
}
