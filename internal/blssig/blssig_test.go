package blssig

import (
	"math/big"
	"testing"

	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
)

// sign returns the public key and signature of msg under secret key sk.
func sign(sk int64, msg []byte) (pk, sig []byte) {
	_, _, g1, _ := bls12381.Generators()
	var p bls12381.G1Affine
	p.ScalarMultiplication(&g1, big.NewInt(sk))
	h := HashToG2(msg, DST())
	var s bls12381.G2Affine
	s.ScalarMultiplication(&h, big.NewInt(sk))
	pb, sb := p.Bytes(), s.Bytes()
	return pb[:], sb[:]
}

// Each verdict of Verify, in its documented order of checks, and the
// aggregates agreeing with one-key verification.
func TestVerdicts(t *testing.T) {
	msg := []byte("agora")
	pk, sig := sign(5, msg)
	pk2, sig2 := sign(9, msg)
	identity := append([]byte{0xc0}, make([]byte, PublicKeySize-1)...)
	badSig := append([]byte(nil), sig...)
	badSig[0] &^= 0x80 // not compressed
	for _, tc := range []struct {
		name string
		got  Verdict
		want Verdict
	}{
		{"valid", Verify(pk, msg, sig), Valid},
		{"other message", Verify(pk, []byte("other"), sig), Invalid},
		{"other key", Verify(pk2, msg, sig), Invalid},
		{"identity key", Verify(identity, msg, sig), BadPublicKey},
		{"short key", Verify(pk[:47], msg, sig), BadPublicKey},
		{"bad key before bad signature", Verify(identity, msg, badSig), BadPublicKey},
		{"bad signature", Verify(pk, msg, badSig), BadSignature},
		{"fast aggregate", FastAggregateVerify([][]byte{pk, pk2}, msg, mustAgg(t, sig, sig2)), Valid},
		{"fast aggregate, no keys", FastAggregateVerify(nil, msg, sig), Empty},
		{"aggregate", AggregateVerify([][]byte{pk, pk2}, [][]byte{msg, msg}, mustAgg(t, sig, sig2)), Valid},
		{"aggregate, count mismatch", AggregateVerify([][]byte{pk, pk2}, [][]byte{msg}, mustAgg(t, sig, sig2)), Invalid},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}

func mustAgg(t *testing.T, sigs ...[]byte) []byte {
	t.Helper()
	b, v := AggregateSignatures(sigs)
	if v != Valid {
		t.Fatalf("aggregate: %d", v)
	}
	return b
}
