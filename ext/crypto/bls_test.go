package crypto

import (
	"bytes"
	"github.com/agora-vm/agora/internal/blssig"
	"testing"

	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fp"
)

// blsFixture is three keys, a message each, their signatures and the
// aggregate.
type blsFixture struct {
	keys []blsKey
	pks  [][]byte
	msgs [][]byte
	sigs [][]byte
}

func newBLSFixture(t testing.TB) blsFixture {
	t.Helper()
	var f blsFixture
	for i := range 3 {
		k := blsKeyFromSeed(uint64(7 + i))
		msg := bytes.Repeat([]byte{byte('a' + i)}, 40+i)
		f.keys = append(f.keys, k)
		f.pks = append(f.pks, k.publicKey())
		f.msgs = append(f.msgs, msg)
		f.sigs = append(f.sigs, k.sign(msg))
	}
	return f
}

func g1Neg(t testing.TB, pk []byte) []byte {
	p, ok := blssig.DecodeG1(pk)
	if !ok {
		t.Fatal("bad key")
	}
	p.Neg(&p)
	b := p.Bytes()
	return b[:]
}

var (
	g1Infinity = append([]byte{0xc0}, make([]byte, 47)...)
	g2Infinity = append([]byte{0xc0}, make([]byte, 95)...)
)

func TestBLSVerifySyscall(t *testing.T) {
	h := newHarness(t)
	f := newBLSFixture(t)
	var a arena
	pk, sig, msg := a.put(f.pks[0]), a.put(f.sigs[0]), a.put(f.msgs[0])
	n := uint64(len(f.msgs[0]))
	price := BLSVerifyCost(n)
	if price != CostBLSVerify+CostBLSMessageBlock*1 || BLSVerifyCost(0) != CostBLSVerify || BLSVerifyCost(65) != CostBLSVerify+2*CostBLSMessageBlock {
		t.Fatal("message blocks are not rounded up")
	}
	expect(t, h.call(&a, bigBudget, NameBLSVerify, pk, sig, msg, n), OK, price)
	expect(t, h.call(&a, bigBudget, NameBLSVerify, pk, sig, msg, n-1), Invalid, price)
	other := a.put(f.pks[1])
	expect(t, h.call(&a, bigBudget, NameBLSVerify, other, sig, msg, n), Invalid, price)
	inf := a.put(g1Infinity)
	expect(t, h.call(&a, bigBudget, NameBLSVerify, inf, sig, msg, n), BadPublicKey, price)
	// The key is checked before the signature.
	expect(t, h.call(&a, bigBudget, NameBLSVerify, inf, msg, msg, n), BadPublicKey, price)
	expect(t, h.call(&a, bigBudget, NameBLSVerify, pk, msg, msg, n), BadSignature, price)
	// The identity signature decodes but never verifies.
	sinf := a.put(g2Infinity)
	expect(t, h.call(&a, bigBudget, NameBLSVerify, pk, sinf, msg, n), Invalid, price)
	// An empty message maps nothing, whatever its pointer.
	empty := f.keys[0].sign(nil)
	e := a.put(empty)
	expect(t, h.call(&a, bigBudget, NameBLSVerify, pk, e, 0xdead_0000_0000, 0), OK, CostBLSVerify)

	// Faults, after the charge, in argument order.
	expectAbort(t, h.call(&a, bigBudget, NameBLSVerify, 0x9_0000_0000, sig, msg, n), "AccessViolation", price)
	expectAbort(t, h.call(&a, bigBudget, NameBLSVerify, pk, 0x9_0000_0000, msg, n), "AccessViolation", price)
	expectAbort(t, h.call(&a, bigBudget, NameBLSVerify, pk, sig, msg, 1<<20), "AccessViolation", BLSVerifyCost(1<<20))
	budget := uint64(price + callOverhead - 2)
	budgetExceeded(t, h.call(&a, budget, NameBLSVerify, pk, sig, msg, n), budget)
	// A huge length saturates the price instead of wrapping around.
	budgetExceeded(t, h.call(&a, bigBudget, NameBLSVerify, pk, sig, msg, 1<<63), bigBudget)
}

func TestBLSAggregateSyscall(t *testing.T) {
	h := newHarness(t)
	f := newBLSFixture(t)
	wantSig, code := BLSAggregateSignatures(f.sigs)
	if code != OK {
		t.Fatal(code)
	}
	wantPK, code := BLSAggregatePublicKeys(f.pks)
	if code != OK {
		t.Fatal(code)
	}
	var a arena
	sigs := a.put(bytes.Join(f.sigs, nil))
	pks := a.put(bytes.Join(f.pks, nil))
	out := a.alloc(BLSSignatureSize)
	expect(t, h.call(&a, bigBudget, NameBLSAggregate, BLSKindSignatures, sigs, 3*BLSSignatureSize, out), OK, BLSAggregateCost(BLSKindSignatures, 3))
	if !bytes.Equal(a.at(out, BLSSignatureSize), wantSig) {
		t.Fatal("aggregate signature")
	}
	expect(t, h.call(&a, bigBudget, NameBLSAggregate, BLSKindPublicKeys, pks, 3*BLSPublicKeySize, out), OK, BLSAggregateCost(BLSKindPublicKeys, 3))
	if !bytes.Equal(a.at(out, BLSPublicKeySize), wantPK) {
		t.Fatal("aggregate key")
	}
	// The aggregates verify: the keys' sum against a signature on one
	// message, and AggregateVerify for distinct messages.
	if BLSAggregateVerify(f.pks, f.msgs, wantSig) != OK {
		t.Fatal("aggregate signature does not verify")
	}
	same := make([][]byte, 3)
	for i, k := range f.keys {
		same[i] = k.sign(f.msgs[0])
	}
	aggSame, _ := BLSAggregateSignatures(same)
	if BLSVerify(wantPK, f.msgs[0], aggSame) != OK || BLSFastAggregateVerify(f.pks, f.msgs[0], aggSame) != OK {
		t.Fatal("aggregate key does not verify")
	}

	// pk + (−pk) is the identity: written, as eth_aggregate_pubkeys does.
	pair := a.put(append(bytes.Clone(f.pks[0]), g1Neg(t, f.pks[0])...))
	expect(t, h.call(&a, bigBudget, NameBLSAggregate, BLSKindPublicKeys, pair, 2*BLSPublicKeySize, out), OK, BLSAggregateCost(BLSKindPublicKeys, 2))
	if !bytes.Equal(a.at(out, BLSPublicKeySize), g1Infinity) {
		t.Fatalf("pk − pk = %x", a.at(out, BLSPublicKeySize))
	}

	// Codes: nothing to aggregate, a bad element; the result is then not
	// mapped, so a bad result pointer does not fault.
	expect(t, h.call(&a, bigBudget, NameBLSAggregate, BLSKindSignatures, sigs, 0, 0x9_0000_0000), Empty, BLSAggregateCost(BLSKindSignatures, 0))
	badKeys := a.put(append(bytes.Clone(f.pks[0]), g1Infinity...))
	expect(t, h.call(&a, bigBudget, NameBLSAggregate, BLSKindPublicKeys, badKeys, 2*BLSPublicKeySize, 0x9_0000_0000), BadPublicKey, BLSAggregateCost(BLSKindPublicKeys, 2))
	expect(t, h.call(&a, bigBudget, NameBLSAggregate, BLSKindSignatures, pks, BLSSignatureSize, 0x9_0000_0000), BadSignature, BLSAggregateCost(BLSKindSignatures, 1))

	// Faults before the charge: an unknown kind, a ragged or too long
	// input.
	expectAbort(t, h.call(&a, bigBudget, NameBLSAggregate, 2, sigs, BLSSignatureSize, out), "InvalidAttribute", 0)
	expectAbort(t, h.call(&a, bigBudget, NameBLSAggregate, 1<<40, sigs, BLSSignatureSize, out), "InvalidAttribute", 0)
	expectAbort(t, h.call(&a, bigBudget, NameBLSAggregate, BLSKindSignatures, sigs, BLSSignatureSize+1, out), "InvalidLength", 0)
	expectAbort(t, h.call(&a, bigBudget, NameBLSAggregate, BLSKindPublicKeys, pks, BLSSignatureSize+1, out), "InvalidLength", 0)
	expectAbort(t, h.call(&a, bigBudget, NameBLSAggregate, BLSKindPublicKeys, pks, (MaxBLSElements+1)*BLSPublicKeySize, out), "InvalidLength", 0)
	expectAbort(t, h.call(&a, bigBudget, NameBLSAggregate, BLSKindPublicKeys, pks, ^uint64(0)-15, out), "InvalidLength", 0)
	// Faults after it: input or result outside writable memory.
	expectAbort(t, h.call(&a, bigBudget, NameBLSAggregate, BLSKindPublicKeys, pks, MaxBLSElements*BLSPublicKeySize, out), "AccessViolation", BLSAggregateCost(BLSKindPublicKeys, MaxBLSElements))
	expectAbort(t, h.call(&a, bigBudget, NameBLSAggregate, BLSKindSignatures, sigs, BLSSignatureSize, 0x1_0000_0000), "AccessViolation", BLSAggregateCost(BLSKindSignatures, 1))
}

func TestBLSFastAggregateVerifySyscall(t *testing.T) {
	h := newHarness(t)
	f := newBLSFixture(t)
	msg := f.msgs[0]
	same := make([][]byte, 3)
	for i, k := range f.keys {
		same[i] = k.sign(msg)
	}
	agg, _ := BLSAggregateSignatures(same)
	var a arena
	pks := a.put(bytes.Join(f.pks, nil))
	sig := a.put(agg)
	m := a.put(msg)
	n := uint64(len(msg))
	price := BLSFastAggregateVerifyCost(3, n)
	expect(t, h.call(&a, bigBudget, NameBLSFastAggregateVerify, pks, 3*BLSPublicKeySize, sig, m, n), OK, price)
	expect(t, h.call(&a, bigBudget, NameBLSFastAggregateVerify, pks, 2*BLSPublicKeySize, sig, m, n), Invalid, BLSFastAggregateVerifyCost(2, n))
	expect(t, h.call(&a, bigBudget, NameBLSFastAggregateVerify, pks, 0, sig, m, n), Empty, BLSFastAggregateVerifyCost(0, n))

	// {pk, −pk} sums to the identity, which the identity signature would
	// satisfy; KeyValidate of the aggregate makes it Invalid.
	pair := a.put(append(bytes.Clone(f.pks[0]), g1Neg(t, f.pks[0])...))
	sinf := a.put(g2Infinity)
	expect(t, h.call(&a, bigBudget, NameBLSFastAggregateVerify, pair, 2*BLSPublicKeySize, sinf, m, n), Invalid, BLSFastAggregateVerifyCost(2, n))
	// A bad key comes before a bad signature.
	bad := a.put(append(bytes.Clone(f.pks[0]), g1Infinity...))
	expect(t, h.call(&a, bigBudget, NameBLSFastAggregateVerify, bad, 2*BLSPublicKeySize, pks, m, n), BadPublicKey, BLSFastAggregateVerifyCost(2, n))
	expect(t, h.call(&a, bigBudget, NameBLSFastAggregateVerify, pks, 3*BLSPublicKeySize, pks, m, n), BadSignature, price)

	expectAbort(t, h.call(&a, bigBudget, NameBLSFastAggregateVerify, pks, 47, sig, m, n), "InvalidLength", 0)
	expectAbort(t, h.call(&a, bigBudget, NameBLSFastAggregateVerify, pks, (MaxBLSElements+1)*BLSPublicKeySize, sig, m, n), "InvalidLength", 0)
	expectAbort(t, h.call(&a, bigBudget, NameBLSFastAggregateVerify, pks, 3*BLSPublicKeySize, 0x9_0000_0000, m, n), "AccessViolation", price)
}

func TestBLSAggregateVerifySyscall(t *testing.T) {
	h := newHarness(t)
	f := newBLSFixture(t)
	agg, _ := BLSAggregateSignatures(f.sigs)
	var a arena
	pks := a.put(bytes.Join(f.pks, nil))
	sig := a.put(agg)
	desc := a.slices(f.msgs)
	var nb uint64
	for _, m := range f.msgs {
		nb += blocks(uint64(len(m)), blsMessageBlock)
	}
	price := BLSAggregateVerifyCost(3, nb)
	expect(t, h.call(&a, bigBudget, NameBLSAggregateVerify, pks, 3*BLSPublicKeySize, sig, desc, 3), OK, price)
	// Messages in another order do not verify.
	swapped := a.slices([][]byte{f.msgs[1], f.msgs[0], f.msgs[2]})
	expect(t, h.call(&a, bigBudget, NameBLSAggregateVerify, pks, 3*BLSPublicKeySize, sig, swapped, 3), Invalid, price)
	expect(t, h.call(&a, bigBudget, NameBLSAggregateVerify, pks, 0, sig, desc, 0), Empty, BLSAggregateVerifyCost(0, 0))
	// A count that differs from the keys' is a fault before the charge.
	expectAbort(t, h.call(&a, bigBudget, NameBLSAggregateVerify, pks, 3*BLSPublicKeySize, sig, desc, 2), "InvalidLength", 0)
	expectAbort(t, h.call(&a, bigBudget, NameBLSAggregateVerify, pks, 50, sig, desc, 1), "InvalidLength", 0)
	// Descriptors outside memory fault after the first charge; a message
	// outside memory after the second.
	expectAbort(t, h.call(&a, bigBudget, NameBLSAggregateVerify, pks, 3*BLSPublicKeySize, sig, 0x9_0000_0000, 3), "AccessViolation", BLSAggregateVerifyCost(3, 0))
	badDesc := make([]byte, 3*solBytesSize)
	copy(badDesc, a.at(desc, 3*solBytesSize))
	badDesc[2*solBytesSize+4] = 0x77 // the third message's address
	bd := a.put(badDesc)
	expectAbort(t, h.call(&a, bigBudget, NameBLSAggregateVerify, pks, 3*BLSPublicKeySize, sig, bd, 3), "AccessViolation", price)
	// A descriptor with a huge length saturates the price.
	huge := bytes.Clone(a.at(desc, 3*solBytesSize))
	huge[8+7] = 0xff
	hd := a.put(huge)
	budgetExceeded(t, h.call(&a, bigBudget, NameBLSAggregateVerify, pks, 3*BLSPublicKeySize, sig, hd, 3), bigBudget)
}

// Points on the curve but outside the prime-order subgroups are refused
// wherever a key or signature is read.
func TestBLSSubgroupChecks(t *testing.T) {
	f := newBLSFixture(t)
	var u fp.Element
	u.SetUint64(12345)
	j1 := bls12381.GeneratePointNotInG1(u)
	var p1 bls12381.G1Affine
	p1.FromJacobian(&j1)
	j2 := bls12381.GeneratePointNotInG2(bls12381.E2{A0: u, A1: u})
	var p2 bls12381.G2Affine
	p2.FromJacobian(&j2)
	if !p1.IsOnCurve() || p1.IsInSubGroup() || !p2.IsOnCurve() || p2.IsInSubGroup() {
		t.Fatal("test points are not on the curves outside the subgroups")
	}
	b1, b2 := p1.Bytes(), p2.Bytes()
	pk, sig := b1[:], b2[:]
	if _, ok := blssig.DecodeG1(pk); ok {
		t.Fatal("G1 point outside the subgroup decoded")
	}
	if _, ok := blssig.DecodeG2(sig); ok {
		t.Fatal("G2 point outside the subgroup decoded")
	}
	for _, c := range []struct {
		name      string
		got, want Code
	}{
		{"verify key", BLSVerify(pk, f.msgs[0], f.sigs[0]), BadPublicKey},
		{"verify signature", BLSVerify(f.pks[0], f.msgs[0], sig), BadSignature},
		{"fast aggregate key", BLSFastAggregateVerify([][]byte{f.pks[0], pk}, f.msgs[0], f.sigs[0]), BadPublicKey},
		{"aggregate verify key", BLSAggregateVerify([][]byte{pk}, f.msgs[:1], f.sigs[0]), BadPublicKey},
		{"aggregate verify signature", BLSAggregateVerify(f.pks[:1], f.msgs[:1], sig), BadSignature},
	} {
		if c.got != c.want {
			t.Fatalf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	if _, code := BLSAggregatePublicKeys([][]byte{f.pks[0], pk}); code != BadPublicKey {
		t.Fatalf("aggregate keys: %v", code)
	}
	// Two points with opposite torsion parts would sum into G2; each is
	// refused on its own.
	if _, code := BLSAggregateSignatures([][]byte{f.sigs[0], sig}); code != BadSignature {
		t.Fatalf("aggregate signatures: %v", code)
	}
}
