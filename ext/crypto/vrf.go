package crypto

import (
	"bytes"
	"crypto/sha512"
	"crypto/subtle"
	"fmt"
	"hash"

	"filippo.io/edwards25519"
	"github.com/gtank/ristretto255"
)

// VRFSuite selects an ECVRF ciphersuite. Its value is the suite's
// suite_string byte.
type VRFSuite uint64

// Suites.
const (
	// VRFEdwards25519TAI is ECVRF-EDWARDS25519-SHA512-TAI of RFC 9381
	// §5.5 (suite_string 0x03).
	VRFEdwards25519TAI VRFSuite = 0x03
	// VRFRistretto255 is ECVRF-RISTRETTO255-SHA512 of c2sp.org/vrf-r255
	// (suite_string 0xFF || "c2sp.org/vrf-r255").
	VRFRistretto255 VRFSuite = 0xFF
)

func (s VRFSuite) String() string {
	switch s {
	case VRFEdwards25519TAI:
		return "ECVRF-EDWARDS25519-SHA512-TAI"
	case VRFRistretto255:
		return "ECVRF-RISTRETTO255-SHA512"
	}
	return fmt.Sprintf("VRFSuite(%#x)", uint64(s))
}

// VRF sizes, the same for both suites.
const (
	VRFPublicKeySize = 32
	VRFProofSize     = 80 // Gamma (32) || c (16) || s (32)
	VRFOutputSize    = 64 // beta, a SHA-512 digest
	vrfCLen          = 16
)

func (s VRFSuite) suiteString() []byte {
	if s == VRFRistretto255 {
		return []byte("\xffc2sp.org/vrf-r255")
	}
	return []byte{byte(s)}
}

// VRFVerify verifies proof for alpha under publicKey and returns the VRF
// output beta when the code is OK. It returns an error only for an
// unknown suite. Checks run in this order: the public key (BadPublicKey:
// not a canonical encoding, or failing validate_key — a point of small
// order for edwards25519, the identity for ristretto255), the proof
// (BadSignature: Gamma not a canonical point, s ≥ ℓ), then the challenge
// (Invalid).
func VRFVerify(suite VRFSuite, publicKey, proof, alpha []byte) ([]byte, Code, error) {
	switch suite {
	case VRFEdwards25519TAI:
		beta, code := vrfVerifyEdwards(publicKey, proof, alpha)
		return beta, code, nil
	case VRFRistretto255:
		beta, code := vrfVerifyRistretto(publicKey, proof, alpha)
		return beta, code, nil
	}
	return nil, 0, errorf(KindInvalidAttribute, "unknown VRF suite %#x", uint64(suite))
}

// Domain separators of RFC 9381 (and c2sp.org/vrf-r255 for encode to
// curve).
const (
	vrfEncodeFront    = 0x01
	vrfChallengeFront = 0x02
	vrfProofHashFront = 0x03
	vrfBack           = 0x00
	r255EncodeFront   = 0x82
)

// decodeEdwardsStrict is RFC 8032 §5.1.3 decoding, as RFC 9381 §5.5's
// string_to_point demands: unlike filippo.io/edwards25519's SetBytes it
// refuses y ≥ p and x = 0 with the sign bit set, which are exactly the
// encodings that do not re-encode to themselves.
func decodeEdwardsStrict(b []byte) (*edwards25519.Point, bool) {
	if len(b) != 32 {
		return nil, false
	}
	p, err := new(edwards25519.Point).SetBytes(b)
	if err != nil || !bytes.Equal(p.Bytes(), b) {
		return nil, false
	}
	return p, true
}

// vrfChallenge is ECVRF_challenge_generation: the first cLen bytes of
// Hash(suite || 0x02 || the points || 0x00).
func vrfChallenge(suite []byte, points ...[]byte) []byte {
	h := sha512.New()
	h.Write(suite)
	h.Write([]byte{vrfChallengeFront})
	for _, p := range points {
		h.Write(p)
	}
	h.Write([]byte{vrfBack})
	return h.Sum(nil)[:vrfCLen]
}

// vrfProofToHash is ECVRF_proof_to_hash given point_to_string(cofactor·Gamma).
func vrfProofToHash(suite, gamma []byte) []byte {
	h := sha512.New()
	h.Write(suite)
	h.Write([]byte{vrfProofHashFront})
	h.Write(gamma)
	h.Write([]byte{vrfBack})
	return h.Sum(nil)
}

// challengeBytes pads the 16-byte c to a 32-byte scalar encoding, which is
// always canonical.
func challengeBytes(c []byte) []byte {
	var b [32]byte
	copy(b[:], c)
	return b[:]
}

// edwardsEncodeToCurve is ECVRF_encode_to_curve_try_and_increment (RFC 9381
// §5.4.1.1) with salt = PK_string. The hash of the fixed prefix is computed
// once and cloned per counter, so the work per byte of alpha does not
// depend on how many counters are tried. ok is false in the (probability
// 2⁻²⁵⁶) case that no counter below 256 gives a point.
func edwardsEncodeToCurve(suite, pk, alpha []byte) (*edwards25519.Point, bool) {
	start := func() hash.Hash {
		h := sha512.New()
		h.Write(suite)
		h.Write([]byte{vrfEncodeFront})
		h.Write(pk)
		h.Write(alpha)
		return h
	}
	prefix := start()
	attempt := func() hash.Hash {
		// crypto/sha512's digest implements hash.Cloner; rehashing is
		// only a fallback.
		if c, ok := prefix.(hash.Cloner); ok {
			if d, err := c.Clone(); err == nil {
				return d
			}
		}
		return start()
	}
	identity := edwards25519.NewIdentityPoint()
	var digest [64]byte
	for ctr := 0; ctr < 256; ctr++ {
		h := attempt()
		h.Write([]byte{byte(ctr), vrfBack})
		h.Sum(digest[:0])
		p, ok := decodeEdwardsStrict(digest[:32])
		if !ok {
			continue
		}
		p.MultByCofactor(p)
		if p.Equal(identity) == 0 {
			return p, true
		}
	}
	return nil, false
}

// vrfVerifyEdwards is ECVRF_verify for ECVRF-EDWARDS25519-SHA512-TAI with
// validate_key = TRUE.
func vrfVerifyEdwards(pk, proof, alpha []byte) ([]byte, Code) {
	y, ok := decodeEdwardsStrict(pk)
	if !ok {
		return nil, BadPublicKey
	}
	// ECVRF_validate_key: cofactor·Y must not be the identity.
	if new(edwards25519.Point).MultByCofactor(y).Equal(edwards25519.NewIdentityPoint()) == 1 {
		return nil, BadPublicKey
	}
	if len(proof) != VRFProofSize {
		return nil, BadSignature
	}
	gamma, ok := decodeEdwardsStrict(proof[:32])
	if !ok {
		return nil, BadSignature
	}
	c, err := edwards25519.NewScalar().SetCanonicalBytes(challengeBytes(proof[32:48]))
	if err != nil {
		return nil, BadSignature // unreachable: c < 2¹²⁸ < ℓ
	}
	s, err := edwards25519.NewScalar().SetCanonicalBytes(proof[48:80])
	if err != nil {
		return nil, BadSignature
	}
	suite := VRFEdwards25519TAI.suiteString()
	h, ok := edwardsEncodeToCurve(suite, pk, alpha)
	if !ok {
		return nil, Invalid
	}
	negC := edwards25519.NewScalar().Negate(c)
	// U = s·B − c·Y, V = s·H − c·Gamma.
	u := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(negC, y, s)
	v := new(edwards25519.Point).VarTimeMultiScalarMult([]*edwards25519.Scalar{s, negC}, []*edwards25519.Point{h, gamma})
	c2 := vrfChallenge(suite, pk, h.Bytes(), proof[:32], u.Bytes(), v.Bytes())
	if subtle.ConstantTimeCompare(c2, proof[32:48]) != 1 {
		return nil, Invalid
	}
	return vrfProofToHash(suite, new(edwards25519.Point).MultByCofactor(gamma).Bytes()), OK
}

// ristrettoEncodeToCurve is c2sp.org/vrf-r255's ECVRF_encode_to_curve: the
// one-way map of Hash(suite || 0x82 || salt || alpha).
func ristrettoEncodeToCurve(suite, pk, alpha []byte) *ristretto255.Element {
	h := sha512.New()
	h.Write(suite)
	h.Write([]byte{r255EncodeFront})
	h.Write(pk)
	h.Write(alpha)
	return ristretto255.NewElement().FromUniformBytes(h.Sum(nil))
}

// vrfVerifyRistretto is ECVRF_verify for ECVRF-RISTRETTO255-SHA512 with
// validate_key = TRUE (the key is not the identity).
func vrfVerifyRistretto(pk, proof, alpha []byte) ([]byte, Code) {
	y := ristretto255.NewElement()
	if len(pk) != VRFPublicKeySize || y.Decode(pk) != nil || y.Equal(ristretto255.NewElement().Zero()) == 1 {
		return nil, BadPublicKey
	}
	if len(proof) != VRFProofSize {
		return nil, BadSignature
	}
	gamma := ristretto255.NewElement()
	if gamma.Decode(proof[:32]) != nil {
		return nil, BadSignature
	}
	c, s := ristretto255.NewScalar(), ristretto255.NewScalar()
	if c.Decode(challengeBytes(proof[32:48])) != nil || s.Decode(proof[48:80]) != nil {
		return nil, BadSignature
	}
	suite := VRFRistretto255.suiteString()
	h := ristrettoEncodeToCurve(suite, pk, alpha)
	negC := ristretto255.NewScalar().Negate(c)
	u := ristretto255.NewElement().VarTimeDoubleScalarBaseMult(negC, y, s)
	v := ristretto255.NewElement().VarTimeMultiScalarMult([]*ristretto255.Scalar{s, negC}, []*ristretto255.Element{h, gamma})
	c2 := vrfChallenge(suite, pk, h.Encode(nil), proof[:32], u.Encode(nil), v.Encode(nil))
	if subtle.ConstantTimeCompare(c2, proof[32:48]) != 1 {
		return nil, Invalid
	}
	return vrfProofToHash(suite, proof[:32]), OK
}
