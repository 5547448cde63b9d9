package sim

import (
	"crypto/sha512"
	"fmt"

	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

// signer is an Ed25519 key expanded once (RFC 8032 §5.1.5): the secret
// scalar, the nonce prefix and the public key. crypto/ed25519 finds the
// expansion of a key again on every Sign, through a cache of weak
// pointers whose cost grows with the number of live keys; an economy
// of a hundred thousand agents paid more for that look-up than for the
// signature itself.
type signer struct {
	pub    pubkey.Pubkey
	s      scalar.Scalar
	prefix [32]byte
}

// newSigner expands a 32-byte seed as crypto/ed25519.NewKeyFromSeed
// does; the public key is the same.
func newSigner(seed []byte) signer {
	var k signer
	h := sha512.Sum512(seed)
	// The clamped scalar is taken modulo the group order: [s]B and the
	// signatures' S (computed modulo the order) are unchanged.
	h[0] &= 248
	h[31] &= 127
	h[31] |= 64
	if _, err := k.s.SetBytesModOrder(h[:32]); err != nil {
		panic("sim: a 32-byte scalar failed to decode") // unreachable: the input is 32 bytes
	}
	copy(k.prefix[:], h[32:])
	var a curve.EdwardsPoint
	var ac curve.CompressedEdwardsY
	ac.SetEdwardsPoint(a.MulBasepoint(curve.ED25519_BASEPOINT_TABLE, &k.s))
	k.pub = pubkey.Pubkey(ac)
	return k
}

// signBatch writes into sigs[i] the Ed25519 signature of msgs[i] by
// keys[i], byte for byte what crypto/ed25519.Sign gives (RFC 8032
// signatures are deterministic). The nonce points are multiples of the
// base point taken from curve25519-voi's precomputed table, about twice
// as fast as filippo.io/edwards25519's ScalarBaseMult here, even with an
// inversion each to encode them.
func signBatch(keys []*signer, msgs [][]byte, sigs []txn.Signature) {
	var digest [64]byte
	var nonce, k scalar.Scalar
	var r curve.EdwardsPoint
	var rc curve.CompressedEdwardsY
	h := sha512.New()
	for i, key := range keys {
		h.Reset()
		h.Write(key.prefix[:])
		h.Write(msgs[i])
		if _, err := nonce.SetBytesModOrderWide(h.Sum(digest[:0])); err != nil {
			panic("sim: a 64-byte digest is not a scalar") // unreachable
		}
		rc.SetEdwardsPoint(r.MulBasepoint(curve.ED25519_BASEPOINT_TABLE, &nonce))
		copy(sigs[i][:32], rc[:])
		h.Reset()
		h.Write(rc[:])
		h.Write(key.pub[:])
		h.Write(msgs[i])
		if _, err := k.SetBytesModOrderWide(h.Sum(digest[:0])); err != nil {
			panic("sim: a 64-byte digest is not a scalar") // unreachable
		}
		k.Mul(&k, &key.s)
		k.Add(&k, &nonce)
		if err := k.ToBytes(sigs[i][32:]); err != nil {
			panic("sim: a scalar does not fit 32 bytes") // unreachable
		}
	}
}

// signAll compiles and signs specs against blockhash, as txn.Compile and
// txn.Sign would, with the signatures of all of them made in one batch.
// An error names the index of the spec that could not be built.
func signAll(specs []txSpec, hash txn.Hash) ([]*txn.Transaction, int, error) {
	txs := make([]*txn.Transaction, len(specs))
	msgs := make([][]byte, 0, len(specs))
	keys := make([]*signer, 0, len(specs))
	var total int
	for i, s := range specs {
		m, err := txn.Compile(s.signers[0].pub, s.ixs, hash)
		if err != nil {
			return nil, i, err
		}
		n := int(m.Header.NumRequiredSignatures)
		if n > len(m.AccountKeys) {
			return nil, i, fmt.Errorf("the header requires %d signers of %d keys", n, len(m.AccountKeys))
		}
		msg := m.Encode()
		for j := range n {
			k := findSigner(s.signers, m.AccountKeys[j])
			if k == nil {
				return nil, i, fmt.Errorf("no key to sign for %s", m.AccountKeys[j])
			}
			keys = append(keys, k)
			msgs = append(msgs, msg)
		}
		txs[i] = &txn.Transaction{Message: *m}
		total += n
	}
	sigs := make([]txn.Signature, total)
	signBatch(keys, msgs, sigs)
	for _, tx := range txs {
		n := int(tx.Message.Header.NumRequiredSignatures)
		tx.Signatures, sigs = sigs[:n:n], sigs[n:]
	}
	return txs, 0, nil
}

func findSigner(ks []*signer, pub pubkey.Pubkey) *signer {
	for _, k := range ks {
		if k.pub == pub {
			return k
		}
	}
	return nil
}
