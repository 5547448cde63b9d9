package crypto

import (
	"crypto/sha512"
	"encoding/hex"
	"github.com/agora-vm/agora/internal/blssig"
	"math/big"
	"strings"
	"testing"

	"filippo.io/edwards25519"
	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	"github.com/gtank/ristretto255"
)

// Test-only signers and provers: the package verifies, these produce what
// it verifies, so that tests can build valid and corrupted inputs at will.

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// blsKey is a BLS secret key: a scalar in [1, r).
type blsKey struct{ sk *big.Int }

// blsKeyFromBytes reads a 32-byte big-endian secret key (the Ethereum
// vectors' format); ok is false for 0 or a value ≥ r.
func blsKeyFromBytes(b []byte) (blsKey, bool) {
	sk := new(big.Int).SetBytes(b)
	if sk.Sign() == 0 || sk.Cmp(fr.Modulus()) >= 0 {
		return blsKey{}, false
	}
	return blsKey{sk}, true
}

// blsKeyFromSeed derives a key from a small seed, deterministically.
func blsKeyFromSeed(seed uint64) blsKey {
	h := sha512.Sum512(big.NewInt(int64(seed)).Bytes())
	sk := new(big.Int).SetBytes(h[:])
	sk.Mod(sk, fr.Modulus())
	if sk.Sign() == 0 {
		sk.SetInt64(1)
	}
	return blsKey{sk}
}

func (k blsKey) publicKey() []byte {
	var p bls12381.G1Affine
	p.ScalarMultiplicationBase(k.sk)
	b := p.Bytes()
	return b[:]
}

// sign is the draft's CoreSign: sk·H(msg).
func (k blsKey) sign(msg []byte) []byte {
	h := blssig.HashToG2(msg, blssig.DST())
	var s bls12381.G2Affine
	s.ScalarMultiplication(&h, k.sk)
	b := s.Bytes()
	return b[:]
}

// vrfEdwardsKey is an RFC 8032 secret key expanded as RFC 9381 §5.5 says.
type vrfEdwardsKey struct {
	x      *edwards25519.Scalar
	prefix []byte // the second half of SHA-512(SK), for nonces
	pk     []byte
}

func newVRFEdwardsKey(t testing.TB, sk []byte) vrfEdwardsKey {
	t.Helper()
	h := sha512.Sum512(sk)
	x, err := edwards25519.NewScalar().SetBytesWithClamping(h[:32])
	if err != nil {
		t.Fatal(err)
	}
	return vrfEdwardsKey{x: x, prefix: h[32:], pk: new(edwards25519.Point).ScalarBaseMult(x).Bytes()}
}

// prove is ECVRF_prove for ECVRF-EDWARDS25519-SHA512-TAI.
func (k vrfEdwardsKey) prove(t testing.TB, alpha []byte) []byte {
	t.Helper()
	suite := VRFEdwards25519TAI.suiteString()
	h, ok := edwardsEncodeToCurve(suite, k.pk, alpha)
	if !ok {
		t.Fatal("encode to curve failed")
	}
	hs := h.Bytes()
	gamma := new(edwards25519.Point).ScalarMult(k.x, h)
	// ECVRF_nonce_generation_RFC8032.
	kd := sha512.New()
	kd.Write(k.prefix)
	kd.Write(hs)
	nonce, err := edwards25519.NewScalar().SetUniformBytes(kd.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	u := new(edwards25519.Point).ScalarBaseMult(nonce)
	v := new(edwards25519.Point).ScalarMult(nonce, h)
	c := vrfChallenge(suite, k.pk, hs, gamma.Bytes(), u.Bytes(), v.Bytes())
	cs, err := edwards25519.NewScalar().SetCanonicalBytes(challengeBytes(c))
	if err != nil {
		t.Fatal(err)
	}
	s := edwards25519.NewScalar().MultiplyAdd(cs, k.x, nonce)
	return append(append(gamma.Bytes(), c...), s.Bytes()...)
}

// vrfRistrettoKey is a c2sp.org/vrf-r255 secret key.
type vrfRistrettoKey struct {
	x  *ristretto255.Scalar
	sk []byte
	pk []byte
}

func newVRFRistrettoKey(t testing.TB, sk []byte) vrfRistrettoKey {
	t.Helper()
	x := ristretto255.NewScalar()
	if err := x.Decode(sk); err != nil {
		t.Fatal(err)
	}
	return vrfRistrettoKey{x: x, sk: sk, pk: ristretto255.NewElement().ScalarBaseMult(x).Encode(nil)}
}

// prove is ECVRF_prove for ECVRF-RISTRETTO255-SHA512.
func (k vrfRistrettoKey) prove(alpha []byte) []byte {
	suite := VRFRistretto255.suiteString()
	h := ristrettoEncodeToCurve(suite, k.pk, alpha)
	hs := h.Encode(nil)
	gamma := ristretto255.NewElement().ScalarMult(k.x, h)
	kd := sha512.New()
	kd.Write(suite)
	kd.Write([]byte{0x81})
	kd.Write(k.sk)
	kd.Write(hs)
	nonce := ristretto255.NewScalar().FromUniformBytes(kd.Sum(nil))
	u := ristretto255.NewElement().ScalarBaseMult(nonce)
	v := ristretto255.NewElement().ScalarMult(nonce, h)
	c := vrfChallenge(suite, k.pk, hs, gamma.Encode(nil), u.Encode(nil), v.Encode(nil))
	cs := ristretto255.NewScalar()
	if cs.Decode(challengeBytes(c)) != nil {
		panic("unreachable")
	}
	s := ristretto255.NewScalar().Add(nonce, ristretto255.NewScalar().Multiply(cs, k.x))
	return append(append(gamma.Encode(nil), c...), s.Encode(nil)...)
}
