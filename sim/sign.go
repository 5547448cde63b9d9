package sim

import (
	"crypto/sha512"
	"fmt"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"

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
	s      edwards25519.Scalar
	prefix [32]byte
}

// newSigner expands a 32-byte seed as crypto/ed25519.NewKeyFromSeed
// does; the public key is the same.
func newSigner(seed []byte) signer {
	var k signer
	h := sha512.Sum512(seed)
	if _, err := k.s.SetBytesWithClamping(h[:32]); err != nil {
		panic("sim: clamping a 32-byte scalar failed") // unreachable: the input is 32 bytes
	}
	copy(k.prefix[:], h[32:])
	copy(k.pub[:], new(edwards25519.Point).ScalarBaseMult(&k.s).Bytes())
	return k
}

// signBatch writes into sigs[i] the Ed25519 signature of msgs[i] by
// keys[i], byte for byte what crypto/ed25519.Sign gives (RFC 8032
// signatures are deterministic). The nonce points are encoded with one
// field inversion for the whole batch (Montgomery's trick) instead of
// one each.
func signBatch(keys []*signer, msgs [][]byte, sigs []txn.Signature) {
	n := len(msgs)
	if n == 0 {
		return
	}
	nonces := make([]edwards25519.Scalar, n)
	points := make([]edwards25519.Point, n)
	// prefix[i] is the product of the Z coordinates before i.
	prefix := make([]field.Element, n)
	var acc field.Element
	acc.One()
	var digest [64]byte
	for i, k := range keys {
		h := sha512.New()
		h.Write(k.prefix[:])
		h.Write(msgs[i])
		if _, err := nonces[i].SetUniformBytes(h.Sum(digest[:0])); err != nil {
			panic("sim: a 64-byte digest is not a scalar") // unreachable
		}
		points[i].ScalarBaseMult(&nonces[i])
		_, _, z, _ := points[i].ExtendedCoordinates()
		prefix[i].Set(&acc)
		acc.Multiply(&acc, z)
	}
	var inv, zinv, x, y field.Element
	inv.Invert(&acc) // Z is never zero in extended coordinates
	var k edwards25519.Scalar
	for i := n - 1; i >= 0; i-- {
		X, Y, Z, _ := points[i].ExtendedCoordinates()
		zinv.Multiply(&inv, &prefix[i])
		inv.Multiply(&inv, Z)
		x.Multiply(X, &zinv)
		y.Multiply(Y, &zinv)
		r := sigs[i][:32]
		copy(r, y.Bytes())
		r[31] |= byte(x.IsNegative() << 7)
		h := sha512.New()
		h.Write(r)
		h.Write(keys[i].pub[:])
		h.Write(msgs[i])
		if _, err := k.SetUniformBytes(h.Sum(digest[:0])); err != nil {
			panic("sim: a 64-byte digest is not a scalar") // unreachable
		}
		copy(sigs[i][32:], new(edwards25519.Scalar).MultiplyAdd(&k, &keys[i].s, &nonces[i]).Bytes())
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
