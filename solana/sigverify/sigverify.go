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
// anyone could sign for such an address. The package keeps no state;
// a Keys value caches decoded keys for its owner.
//
// Verify, the hot path (every transaction signature), runs on the curve
// of curve25519-voi, a Go port of curve25519-dalek (the curve library
// Agave itself uses), whose AVX2 backend makes it about 1.5x faster than
// filippo.io/edwards25519. The tests hold Verify equal to the same rule
// written out on filippo.io/edwards25519 on every edge case (small-order
// and mixed-order keys and R, non-canonical encodings, S at and past ℓ).
// It is not a batch verifier: each signature is checked alone.
package sigverify

import (
	"bytes"
	"crypto/sha512"
	"sync"

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
	var k key
	if !k.decode(pub, false) {
		return false
	}
	return k.holds(pub, msg, sig)
}

// key is a public key decoded for verification: -A, and its table of
// multiples when expanded (for a key verified again and again).
type key struct {
	minusA   curve.EdwardsPoint
	expanded *curve.ExpandedEdwardsPoint
}

// decode sets k from pub and reports whether pub is a key verify_strict
// accepts: it decodes (y is read modulo p, as dalek does) and is not of
// small order.
func (k *key) decode(pub []byte, expand bool) bool {
	var ac curve.CompressedEdwardsY
	copy(ac[:], pub)
	var a curve.EdwardsPoint
	if _, err := a.SetCompressedY(&ac); err != nil {
		return false
	}
	if a.IsSmallOrder() {
		return false
	}
	k.minusA.Neg(&a)
	if expand {
		k.expanded = curve.NewExpandedEdwardsPoint(&k.minusA)
	}
	return true
}

// holds checks S < ℓ, then that [S]B - [k]A encodes to sig's R bytes and
// is not of small order (its encoding, canonical, is none of those of the
// small-order points).
func (k *key) holds(pub, msg, sig []byte) bool {
	if !scalar.ScMinimalVartime(sig[32:]) { // S ≥ ℓ
		return false
	}
	var s, h scalar.Scalar
	if _, err := s.SetBytesModOrder(sig[32:]); err != nil {
		return false // unreachable: 32 bytes
	}
	d := sha512.New()
	d.Write(sig[:32])
	d.Write(pub)
	d.Write(msg)
	var digest [64]byte
	if _, err := h.SetBytesModOrderWide(d.Sum(digest[:0])); err != nil {
		return false // unreachable: 64 bytes
	}
	var r curve.EdwardsPoint
	if k.expanded != nil {
		r.ExpandedDoubleScalarMulBasepointVartime(&h, k.expanded, &s)
	} else {
		r.DoubleScalarMulBasepointVartime(&h, &k.minusA, &s)
	}
	var rc curve.CompressedEdwardsY
	rc.SetEdwardsPoint(&r)
	return bytes.Equal(rc[:], sig[:32]) && !smallOrderEncoding(&rc)
}

// smallOrderEncodings are the canonical encodings of the eight points
// of order dividing 8: the identity, (0, -1), (±sqrt(-1), 0) and the four
// of order 8 (TestSmallOrderEncodings derives them).
var smallOrderEncodings = [8]curve.CompressedEdwardsY{
	{0x01},
	{0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
	{},
	{31: 0x80},
	{0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
		0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
	{0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
		0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x85},
	{0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
		0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
	{0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
		0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0xfa},
}

// smallOrderEncoding reports whether the canonical encoding of a point
// is that of a point of small order. A point's canonical encoding is
// unique, so this is IsSmallOrder (three doublings and a comparison)
// for the price of a few byte comparisons; it holds only for encodings
// a point's compression produced, not for bytes as given.
func smallOrderEncoding(c *curve.CompressedEdwardsY) bool {
	for i := range smallOrderEncodings {
		if *c == smallOrderEncodings[i] {
			return true
		}
	}
	return false
}

// Keys is Verify with a bounded cache of decoded keys: a key seen before
// skips its decoding (a square root), its order check and the table of
// its multiples, about a quarter of a verification. A chain's fee payers
// repeat. Results are exactly Verify's; only the time differs. It is safe
// for concurrent use; the zero value is not usable, call NewKeys.
type Keys struct {
	mu  sync.Mutex
	m   map[[PublicKeySize]byte]*key // nil: the key does not verify
	max int
}

// KeyBytes is about how much memory one key in a Keys cache takes: its
// table of multiples, the point and the map entry (measured at 1.45 KiB
// on amd64 with AVX2; a little less without it).
const KeyBytes = 1536

// NewKeys returns a cache of at most max keys (about KeyBytes each).
func NewKeys(max int) *Keys {
	return &Keys{m: make(map[[PublicKeySize]byte]*key, max), max: max}
}

// Verify is Verify, with pub's decoding cached.
func (c *Keys) Verify(pub, msg, sig []byte) bool {
	if len(pub) != PublicKeySize || len(sig) != SignatureSize {
		return false
	}
	id := [PublicKeySize]byte(pub)
	c.mu.Lock()
	k, ok := c.m[id]
	c.mu.Unlock()
	if !ok {
		k = &key{}
		if !k.decode(pub, true) {
			k = nil
		}
		c.mu.Lock()
		if len(c.m) >= c.max {
			// Full: start over. Which keys stay changes only the time.
			clear(c.m)
		}
		c.m[id] = k
		c.mu.Unlock()
	}
	return k != nil && k.holds(pub, msg, sig)
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
