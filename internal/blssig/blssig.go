// Package blssig is the BLS12-381 signature scheme Agora's extension
// syscalls and its offload backend share: the minimal-pubkey-size
// proof-of-possession ciphersuite of the IETF draft (Ethereum's), over
// gnark-crypto. It decodes points with the draft's rules and returns a
// verdict for every input; it never panics and keeps no state.
package blssig

import (
	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
)

// BLS12-381 sizes and the ciphersuite.
const (
	PublicKeySize = 48 // a compressed G1 point
	SignatureSize = 96 // a compressed G2 point

	// Ciphersuite is the domain separation tag of the minimal-pubkey-size
	// proof-of-possession scheme (draft-irtf-cfrg-bls-signature-05 §4.2.3),
	// which Ethereum's consensus layer uses.
	Ciphersuite = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"
)

// Verdict is what a verification says about its inputs. Where several
// inputs are bad, the first check in the documented order decides.
type Verdict uint8

// Verdicts.
const (
	// Valid: the signature verifies, or the aggregate was computed.
	Valid Verdict = iota
	// Invalid: every input is well formed but the signature does not
	// verify (also an aggregate public key that is the identity).
	Invalid
	// BadPublicKey: a key has bad flags, x ≥ p, is not on the curve or
	// in G1, or is the identity.
	BadPublicKey
	// BadSignature: a signature has bad flags, a coordinate ≥ p, or is
	// not on the curve or in G2.
	BadSignature
	// Empty: an aggregate or multi-key verification got no keys or
	// signatures.
	Empty
)

// Flag bits of the first byte of a compressed point (the ZCash encoding the
// IETF draft and Ethereum use).
const (
	flagCompressed = 0x80
	flagInfinity   = 0x40
	flagSort       = 0x20
)

// DST is Ciphersuite as bytes.
func DST() []byte { return []byte(Ciphersuite) }

// DecodeG1 decodes a 48-byte compressed G1 point: the compression flag must
// be set; the infinity flag requires every other bit to be zero; x must be
// below p, on the curve and in the prime-order subgroup. It never panics.
func DecodeG1(b []byte) (bls12381.G1Affine, bool) {
	var p bls12381.G1Affine
	if len(b) != PublicKeySize || !validFlags(b) {
		return p, false
	}
	// With exactly 48 bytes, gnark-crypto accepts only the compressed
	// forms, checks x < p, the square root and the subgroup.
	if _, err := p.SetBytes(b); err != nil {
		return p, false
	}
	return p, true
}

// DecodeG2 decodes a 96-byte compressed G2 point, with the same rules as
// DecodeG1 for both coordinates of x (c1 first).
func DecodeG2(b []byte) (bls12381.G2Affine, bool) {
	var p bls12381.G2Affine
	if len(b) != SignatureSize || !validFlags(b) {
		return p, false
	}
	if _, err := p.SetBytes(b); err != nil {
		return p, false
	}
	return p, true
}

// validFlags checks the three flag bits: compressed, and for the point at
// infinity no sort bit and all-zero coordinates.
func validFlags(b []byte) bool {
	if b[0]&flagCompressed == 0 {
		return false
	}
	if b[0]&flagInfinity == 0 {
		return true
	}
	if b[0]&^flagCompressed&^flagInfinity != 0 {
		return false
	}
	for _, c := range b[1:] {
		if c != 0 {
			return false
		}
	}
	return true
}

// keyValidate is the draft's KeyValidate: the key decodes, lies in G1 and
// is not the identity.
func keyValidate(pk []byte) (bls12381.G1Affine, bool) {
	p, ok := DecodeG1(pk)
	return p, ok && !p.IsInfinity()
}

// HashToG2 is hash_to_curve for BLS12381G2_XMD:SHA-256_SSWU_RO_ with tag dst.
func HashToG2(msg, dst []byte) bls12381.G2Affine {
	// HashToG2 fails only for a tag over 255 bytes; ours are constants.
	q, err := bls12381.HashToG2(msg, dst)
	if err != nil {
		return bls12381.G2Affine{}
	}
	return q
}

// negG1Gen is −g1, the second G1 input of every verification pairing.
func negG1Gen() bls12381.G1Affine {
	_, _, g1, _ := bls12381.Generators()
	var n bls12381.G1Affine
	n.Neg(&g1)
	return n
}

// pairingIsOne reports whether ∏ e(p[i], q[i]) = 1.
func pairingIsOne(p []bls12381.G1Affine, q []bls12381.G2Affine) bool {
	ok, err := bls12381.PairingCheck(p, q)
	return err == nil && ok
}

// Verify is the draft's Verify for the proof-of-possession scheme
// (CoreVerify): the public key must pass KeyValidate (else BadPublicKey), the
// signature must decode into G2 (else BadSignature; the identity decodes),
// and e(pk, H(msg)) = e(g1, sig) (else Invalid). Checks run in that order.
func Verify(pubkey, msg, sig []byte) Verdict {
	pk, ok := keyValidate(pubkey)
	if !ok {
		return BadPublicKey
	}
	s, ok := DecodeG2(sig)
	if !ok {
		return BadSignature
	}
	return coreVerify(&pk, msg, &s)
}

// coreVerify checks e(pk, H(msg)) · e(−g1, sig) = 1 for a valid key and a
// decoded signature.
func coreVerify(pk *bls12381.G1Affine, msg []byte, sig *bls12381.G2Affine) Verdict {
	h := HashToG2(msg, DST())
	if pairingIsOne([]bls12381.G1Affine{*pk, negG1Gen()}, []bls12381.G2Affine{h, *sig}) {
		return Valid
	}
	return Invalid
}

// FastAggregateVerify is the draft's FastAggregateVerify: every public
// key must pass KeyValidate (else BadPublicKey, checked first, in order),
// the signature must decode (else BadSignature), there must be at least one
// key (else Empty), and the signature must verify against the sum of the
// keys (else Invalid; a sum that is the identity is Invalid too, as
// KeyValidate of the aggregate demands).
func FastAggregateVerify(pubkeys [][]byte, msg, sig []byte) Verdict {
	agg, code := aggregateKeys(pubkeys)
	if code != Valid && code != Empty {
		return code
	}
	s, ok := DecodeG2(sig)
	if !ok {
		return BadSignature
	}
	if code == Empty {
		return Empty
	}
	if agg.IsInfinity() {
		return Invalid
	}
	return coreVerify(&agg, msg, &s)
}

// AggregateVerify is the draft's AggregateVerify for the
// proof-of-possession scheme (CoreAggregateVerify, messages need not be
// distinct): keys are validated first (BadPublicKey), then the signature
// (BadSignature); no pairs is Empty; a different number of keys and
// messages is Invalid; then ∏ e(pk_i, H(msg_i)) = e(g1, sig) decides.
func AggregateVerify(pubkeys, msgs [][]byte, sig []byte) Verdict {
	pks := make([]bls12381.G1Affine, 0, len(pubkeys)+1)
	for _, b := range pubkeys {
		p, ok := keyValidate(b)
		if !ok {
			return BadPublicKey
		}
		pks = append(pks, p)
	}
	s, ok := DecodeG2(sig)
	if !ok {
		return BadSignature
	}
	if len(pubkeys) == 0 {
		return Empty
	}
	if len(msgs) != len(pubkeys) {
		return Invalid
	}
	qs := make([]bls12381.G2Affine, 0, len(msgs)+1)
	dst := DST()
	for _, m := range msgs {
		qs = append(qs, HashToG2(m, dst))
	}
	pks = append(pks, negG1Gen())
	qs = append(qs, s)
	if pairingIsOne(pks, qs) {
		return Valid
	}
	return Invalid
}

// aggregateKeys validates every key (KeyValidate) and sums them. It returns
// Empty for no keys and BadPublicKey at the first invalid one.
func aggregateKeys(pubkeys [][]byte) (bls12381.G1Affine, Verdict) {
	var sum bls12381.G1Jac
	var out bls12381.G1Affine
	if len(pubkeys) == 0 {
		return out, Empty
	}
	for i, b := range pubkeys {
		p, ok := keyValidate(b)
		if !ok {
			return out, BadPublicKey
		}
		if i == 0 {
			sum.FromAffine(&p)
		} else {
			sum.AddMixed(&p)
		}
	}
	out.FromJacobian(&sum)
	return out, Valid
}

// AggregatePublicKeys sums public keys as Ethereum's
// eth_aggregate_pubkeys does: at least one key (else Empty), each passing
// KeyValidate (else BadPublicKey). The sum itself is not validated; it may
// be the identity, which encodes as 0xc0 followed by zeros.
func AggregatePublicKeys(pubkeys [][]byte) ([]byte, Verdict) {
	agg, code := aggregateKeys(pubkeys)
	if code != Valid {
		return nil, code
	}
	b := agg.Bytes()
	return b[:], Valid
}

// AggregateSignatures is the draft's Aggregate: at least one signature
// (else Empty), each decoding into G2 (else BadSignature; the identity is
// allowed), summed.
func AggregateSignatures(sigs [][]byte) ([]byte, Verdict) {
	if len(sigs) == 0 {
		return nil, Empty
	}
	var sum bls12381.G2Jac
	for i, b := range sigs {
		s, ok := DecodeG2(b)
		if !ok {
			return nil, BadSignature
		}
		if i == 0 {
			sum.FromAffine(&s)
		} else {
			sum.AddMixed(&s)
		}
	}
	var out bls12381.G2Affine
	out.FromJacobian(&sum)
	b := out.Bytes()
	return b[:], Valid
}
