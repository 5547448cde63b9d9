package sim

import (
	"crypto/sha512"
	"fmt"
	"unsafe"

	"filippo.io/edwards25519/field"

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
// as fast as filippo.io/edwards25519's ScalarBaseMult here, and encoded
// together (encodePoints).
func signBatch(keys []*signer, msgs [][]byte, sigs []txn.Signature) {
	if len(msgs) == 0 {
		return
	}
	nonces := make([]scalar.Scalar, len(msgs))
	points := make([]curve.EdwardsPoint, len(msgs))
	var digest [64]byte
	h := sha512.New()
	for i, key := range keys {
		h.Reset()
		h.Write(key.prefix[:])
		h.Write(msgs[i])
		if _, err := nonces[i].SetBytesModOrderWide(h.Sum(digest[:0])); err != nil {
			panic("sim: a 64-byte digest is not a scalar") // unreachable
		}
		points[i].MulBasepoint(curve.ED25519_BASEPOINT_TABLE, &nonces[i])
	}
	encodePoints(points, sigs)
	var k scalar.Scalar
	for i, key := range keys {
		h.Reset()
		h.Write(sigs[i][:32])
		h.Write(key.pub[:])
		h.Write(msgs[i])
		if _, err := k.SetBytesModOrderWide(h.Sum(digest[:0])); err != nil {
			panic("sim: a 64-byte digest is not a scalar") // unreachable
		}
		k.Mul(&k, &key.s)
		k.Add(&k, &nonces[i])
		if err := k.ToBytes(sigs[i][32:]); err != nil {
			panic("sim: a scalar does not fit 32 bytes") // unreachable
		}
	}
}

// encodePoints writes the encoding of points[i] into sigs[i][:32].
//
// Encoding a point divides by its Z coordinate, an inversion (about 5 us
// with curve25519-voi, a third of a signature). curve25519-voi keeps the
// coordinates to itself, so encodePoints reads them from the point's
// memory: four field elements of five 51-bit limbs on 64-bit machines,
// the layout of filippo.io/edwards25519's field elements too. With them
// the batch shares one inversion (Montgomery's trick). The first point
// is also encoded the ordinary way and must agree: otherwise (another
// layout: a 32-bit machine, a new version) every point is encoded the
// ordinary way, so a layout change costs time, never a wrong signature.
// Any wrong one would also be refused by the chain's verification.
func encodePoints(points []curve.EdwardsPoint, sigs []txn.Signature) {
	if encodeShared(points, sigs) {
		return
	}
	for i := range points {
		var c curve.CompressedEdwardsY
		c.SetEdwardsPoint(&points[i])
		copy(sigs[i][:32], c[:])
	}
}

// encodeShared is encodePoints with one inversion for the batch; it
// reports false, with sigs not all written, when the coordinates it
// reads are not the point's.
func encodeShared(points []curve.EdwardsPoint, sigs []txn.Signature) bool {
	if unsafe.Sizeof(curve.EdwardsPoint{}) != 4*unsafe.Sizeof(field.Element{}) || unsafe.Sizeof(field.Element{}) != 5*8 {
		return false
	}
	// filippo's arithmetic takes limbs a little over 51 bits; a limb of
	// 54 bits or more is not a layout it was written for.
	for i := range points {
		for _, l := range (*[20]uint64)(unsafe.Pointer(&points[i])) {
			if l >= 1<<54 {
				return false
			}
		}
	}
	var first curve.CompressedEdwardsY
	first.SetEdwardsPoint(&points[0])
	// prefix[i] is the product of the Z coordinates before i.
	prefix := make([]field.Element, len(points))
	var acc field.Element
	acc.One()
	for i := range points {
		prefix[i].Set(&acc)
		acc.Multiply(&acc, &coordinates(&points[i])[2])
	}
	var inv, zinv, x, y field.Element
	inv.Invert(&acc)
	for i := len(points) - 1; i >= 0; i-- {
		c := coordinates(&points[i])
		zinv.Multiply(&inv, &prefix[i])
		inv.Multiply(&inv, &c[2])
		x.Multiply(&c[0], &zinv)
		y.Multiply(&c[1], &zinv)
		r := sigs[i][:32]
		copy(r, y.Bytes())
		r[31] |= byte(x.IsNegative() << 7)
	}
	return [32]byte(sigs[0][:32]) == first
}

// coordinates views a point's X, Y, Z and T as field elements (see
// encodePoints for when the view is right).
func coordinates(p *curve.EdwardsPoint) *[4]field.Element {
	return (*[4]field.Element)(unsafe.Pointer(p))
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
