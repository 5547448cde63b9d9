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
// Verify, the hot path (every transaction signature), runs on
// curve25519-voi, a Go port of curve25519-dalek (the curve library Agave
// itself uses) whose options express verify_strict exactly and whose
// AVX2 backend makes it about 1.5x faster than filippo.io/edwards25519.
// VerifyPoint is the same rule written out on filippo.io/edwards25519;
// the tests hold Verify equal to it on every edge case (small-order and
// mixed-order keys and R, non-canonical encodings, S at and past ℓ).
// Neither is a batch verifier: each signature is checked alone.
package sigverify

import (
	"bytes"
	"crypto/sha512"

	"filippo.io/edwards25519"
	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// Sizes of a key and a signature.
const (
	PublicKeySize = 32
	SignatureSize = 64
)

// strict is verify_strict in curve25519-voi's terms: keys and R of small
// order refused, a non-canonical key accepted (dalek reads y modulo p),
// a non-canonical R refused (the cofactorless check compares R's bytes
// with a canonical encoding, so it could never pass), S below ℓ.
var strict = &voi.Options{Verify: &voi.VerifyOptions{
	AllowSmallOrderA:   false,
	AllowSmallOrderR:   false,
	AllowNonCanonicalA: true,
	AllowNonCanonicalR: false,
	CofactorlessVerify: true,
}}

// Verify reports whether sig is a valid signature of msg by pub.
func Verify(pub, msg, sig []byte) bool {
	if len(pub) != PublicKeySize || len(sig) != SignatureSize {
		return false
	}
	return voi.VerifyWithOptions(voi.PublicKey(pub), msg, sig, strict)
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
