package crypto

import (
	"crypto/sha3"
	"crypto/subtle"
	"sync"

	"github.com/gtank/ristretto255"
)

// Pedersen commitment sizes.
const (
	PedersenScalarSize     = 32 // a canonical little-endian scalar below ℓ
	PedersenCommitmentSize = 32 // a canonical ristretto255 encoding
)

// pedersenH is the generator of openings of Solana's zk-sdk
// (zk-sdk/src/encryption/pedersen.rs): RistrettoPoint::hash_from_bytes
// with SHA3-512 of the compressed ristretto255 basepoint, which is
// from_uniform_bytes of the 64-byte digest. Computed once; never written.
var pedersenH = sync.OnceValue(func() *ristretto255.Element {
	base := ristretto255.NewElement().Base().Encode(nil)
	digest := sha3.Sum512(base)
	return ristretto255.NewElement().FromUniformBytes(digest[:])
})

// PedersenGenerators returns the encodings of G (the ristretto255
// basepoint) and H, the generators of the zk-sdk.
func PedersenGenerators() (g, h []byte) {
	return ristretto255.NewElement().Base().Encode(nil), pedersenH().Encode(nil)
}

// PedersenCommit returns m·G + r·H for canonical 32-byte little-endian
// scalars m and r, or BadScalar when either is not below ℓ (m is checked
// first).
func PedersenCommit(m, r []byte) ([]byte, Code) {
	c, code := pedersenCommit(m, r)
	if code != OK {
		return nil, code
	}
	return c.Encode(nil), OK
}

func pedersenCommit(m, r []byte) (*ristretto255.Element, Code) {
	ms, rs := ristretto255.NewScalar(), ristretto255.NewScalar()
	if len(m) != PedersenScalarSize || ms.Decode(m) != nil {
		return nil, BadScalar
	}
	if len(r) != PedersenScalarSize || rs.Decode(r) != nil {
		return nil, BadScalar
	}
	// m·G + r·H: a fixed-base multiplication and a variable-base one. The
	// scalars may be secret (an opening), so this is constant time.
	c := ristretto255.NewElement().ScalarBaseMult(ms)
	return c.Add(c, ristretto255.NewElement().ScalarMult(rs, pedersenH())), OK
}

// PedersenVerify reports whether commitment opens to (m, r): BadPoint when
// the commitment is not a canonical ristretto255 encoding, BadScalar when m
// or r is not below ℓ (checked in that order), OK when commitment equals
// m·G + r·H and Invalid otherwise.
func PedersenVerify(commitment, m, r []byte) Code {
	if len(commitment) != PedersenCommitmentSize || ristretto255.NewElement().Decode(commitment) != nil {
		return BadPoint
	}
	c, code := pedersenCommit(m, r)
	if code != OK {
		return code
	}
	// A canonical encoding is unique, so comparing encodings compares
	// the elements.
	if subtle.ConstantTimeCompare(c.Encode(nil), commitment) == 1 {
		return OK
	}
	return Invalid
}
