package crypto

import "github.com/agora-vm/agora/internal/blssig"

// BLS12-381 sizes and the ciphersuite (package internal/blssig has the
// scheme, which the offload backend's batch verification shares).
const (
	BLSPublicKeySize = blssig.PublicKeySize // a compressed G1 point
	BLSSignatureSize = blssig.SignatureSize // a compressed G2 point

	// BLSCiphersuite is the domain separation tag of the minimal-pubkey-size
	// proof-of-possession scheme (draft-irtf-cfrg-bls-signature-05 §4.2.3),
	// which Ethereum's consensus layer uses.
	BLSCiphersuite = blssig.Ciphersuite
)

// codeOf maps a verdict of the scheme to the syscall's code.
func codeOf(v blssig.Verdict) Code {
	switch v {
	case blssig.Valid:
		return OK
	case blssig.BadPublicKey:
		return BadPublicKey
	case blssig.BadSignature:
		return BadSignature
	case blssig.Empty:
		return Empty
	}
	return Invalid
}

// BLSVerify is the draft's Verify for the proof-of-possession scheme
// (CoreVerify): the public key must pass KeyValidate (else BadPublicKey), the
// signature must decode into G2 (else BadSignature; the identity decodes),
// and e(pk, H(msg)) = e(g1, sig) (else Invalid). Checks run in that order.
func BLSVerify(pubkey, msg, sig []byte) Code { return codeOf(blssig.Verify(pubkey, msg, sig)) }

// BLSFastAggregateVerify is the draft's FastAggregateVerify: every public
// key must pass KeyValidate (else BadPublicKey, checked first, in order),
// the signature must decode (else BadSignature), there must be at least one
// key (else Empty), and the signature must verify against the sum of the
// keys (else Invalid; a sum that is the identity is Invalid too).
func BLSFastAggregateVerify(pubkeys [][]byte, msg, sig []byte) Code {
	return codeOf(blssig.FastAggregateVerify(pubkeys, msg, sig))
}

// BLSAggregateVerify is the draft's AggregateVerify for the
// proof-of-possession scheme (messages need not be distinct): keys are
// validated first (BadPublicKey), then the signature (BadSignature); no
// pairs is Empty; a different number of keys and messages is Invalid; then
// ∏ e(pk_i, H(msg_i)) = e(g1, sig) decides.
func BLSAggregateVerify(pubkeys, msgs [][]byte, sig []byte) Code {
	return codeOf(blssig.AggregateVerify(pubkeys, msgs, sig))
}

// BLSAggregatePublicKeys sums public keys as Ethereum's
// eth_aggregate_pubkeys does: at least one key (else Empty), each passing
// KeyValidate (else BadPublicKey). The sum may be the identity.
func BLSAggregatePublicKeys(pubkeys [][]byte) ([]byte, Code) {
	b, v := blssig.AggregatePublicKeys(pubkeys)
	return b, codeOf(v)
}

// BLSAggregateSignatures is the draft's Aggregate: at least one signature
// (else Empty), each decoding into G2 (else BadSignature), summed.
func BLSAggregateSignatures(sigs [][]byte) ([]byte, Code) {
	b, v := blssig.AggregateSignatures(sigs)
	return b, codeOf(v)
}
