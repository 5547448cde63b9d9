// Package sigverify checks Ed25519 signatures with the rules Agave applies
// to transaction signatures and in its ed25519 precompile: those of
// ed25519-dalek's verify_strict. The key and the signature's R must decode
// (non-canonical field encodings are accepted, as dalek accepts them) and
// be of large order, S must be canonical (below the group order), and R
// must equal the canonical encoding of [S]B - [k]A, with k = SHA-512(R ||
// key || message) over the bytes as given.
//
// crypto/ed25519.Verify differs only in accepting small-order keys and R:
// with the identity as the key, R = [S]B verifies for any message, so
// anyone could sign for such an address. The package keeps no state.
//
// Verify, the hot path (every transaction signature), runs on the curve
// of curve25519-voi, a Go port of curve25519-dalek (the curve library
// Agave itself uses), whose AVX2 backend makes it about 1.5x faster than
// filippo.io/edwards25519.
// VerifyPoint is the same rule written out on filippo.io/edwards25519;
// the tests hold Verify equal to it on every edge case (small-order and
// mixed-order keys and R, non-canonical encodings, S at and past ℓ).
// Neither is a batch verifier: each signature is checked alone.
package sigverify

import (
	"bytes"
	"crypto/sha512"

	"filippo.io/edwards25519"
	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"
)

// Sizes of a key and a signature.
const (
	PublicKeySize = 32
	SignatureSize = 64
)

// Verify reports whether sig is a valid signature of msg by pub.
//
// R is never decompressed: the equation's result has a canonical
// encoding, so an R that does not decode, or is not canonical, fails the
// byte comparison as it would fail decompression or the comparison in
// the reference order; and once the bytes are equal, R is the result, so
// its order is the result's. That saves a square root per signature.
func Verify(pub, msg, sig []byte) bool {
	if len(pub) != PublicKeySize || len(sig) != SignatureSize {
		return false
	}
	if !scalar.ScMinimalVartime(sig[32:]) { // S ≥ ℓ
		return false
	}
	var ac curve.CompressedEdwardsY
	copy(ac[:], pub)
	var a curve.EdwardsPoint
	if _, err := a.SetCompressedY(&ac); err != nil { // y is read modulo p, as dalek does
		return false
	}
	if a.IsSmallOrder() {
		return false
	}
	var s, k scalar.Scalar
	if _, err := s.SetBytesModOrder(sig[32:]); err != nil {
		return false // unreachable: 32 bytes
	}
	h := sha512.New()
	h.Write(sig[:32])
	h.Write(pub)
	h.Write(msg)
	var digest [64]byte
	if _, err := k.SetBytesModOrderWide(h.Sum(digest[:0])); err != nil {
		return false // unreachable: 64 bytes
	}
	var minusA, r curve.EdwardsPoint
	minusA.Neg(&a)
	r.DoubleScalarMulBasepointVartime(&k, &minusA, &s)
	var rc curve.CompressedEdwardsY
	rc.SetEdwardsPoint(&r)
	return bytes.Equal(rc[:], sig[:32]) && !r.IsSmallOrder()
}

// VerifyPoint is Verify written on filippo.io/edwards25519, for a caller
// that has decoded pub into a already; it is the reference the tests
// hold Verify to.
func VerifyPoint(a *edwards25519.Point, pub, msg, sig []byte) bool {
	if len(sig) != SignatureSize {
		return false
	}
	s, err := edwards25519.NewScalar().SetCanonicalBytes(sig[32:])
	if err != nil {
		return false
	}
	r, err := new(edwards25519.Point).SetBytes(sig[:32])
	if err != nil {
		return false
	}
	if isSmallOrder(r) || isSmallOrder(a) {
		return false
	}
	return Holds(a, s, pub, msg, sig)
}

// Holds reports whether the cofactorless equation holds: sig's R, as
// bytes, equals the canonical encoding of [s]B - [k]A, with k =
// SHA-512(R || pub || msg). It checks nothing else (not the orders of A
// and R, nor that R decodes): alone it is crypto/ed25519's rule.
func Holds(a *edwards25519.Point, s *edwards25519.Scalar, pub, msg, sig []byte) bool {
	h := sha512.New()
	h.Write(sig[:32])
	h.Write(pub)
	h.Write(msg)
	var digest [64]byte
	k, err := edwards25519.NewScalar().SetUniformBytes(h.Sum(digest[:0]))
	if err != nil {
		return false // unreachable: the digest is 64 bytes
	}
	minusA := new(edwards25519.Point).Negate(a)
	check := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(k, minusA, s)
	return bytes.Equal(check.Bytes(), sig[:32])
}

func isSmallOrder(p *edwards25519.Point) bool {
	return new(edwards25519.Point).MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) == 1
}
