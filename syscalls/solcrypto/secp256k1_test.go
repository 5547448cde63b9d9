package solcrypto

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math/big"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/agora-vm/agora/vm"
)

func recoverCall(h *harness, hash []byte, recID uint64, sig []byte) (run, []byte) {
	var a arena
	hp, sp := a.put(hash), a.put(sig)
	out := a.alloc(64)
	r := h.call(&a, bigBudget, NameSecp256k1Recover, hp, recID, sp, out)
	return r, a.at(out, 64)
}

func TestSecp256k1Recover(t *testing.T) {
	h := newHarness(t, Options{})
	n := secp256k1.S256().N
	for i := 1; i <= 8; i++ {
		key := secp256k1.PrivKeyFromBytes(sha256.New().Sum([]byte{byte(i)}))
		want := key.PubKey().SerializeUncompressed()[1:]
		hash := sha256.Sum256([]byte{byte(i), 'm'})
		if i == 8 {
			hash = [32]byte{} // all 0xff: above n, reduced as libsecp256k1 does
			for k := range hash {
				hash[k] = 0xff
			}
		}
		compact := ecdsa.SignCompact(key, hash[:], false)
		recID := uint64(compact[0] - 27)
		sig := compact[1:]
		r, out := recoverCall(h, hash[:], recID, sig)
		expect(t, r, 0, CostSecp256k1Recover)
		if !bytes.Equal(out, want) {
			t.Fatalf("key %d: recovered %x, want %x", i, out, want)
		}

		// The high-s twin (s → n−s, parity flipped) recovers the same key:
		// Agave's libsecp256k1 path does not enforce low s.
		s := new(big.Int).SetBytes(sig[32:])
		high := append(append([]byte(nil), sig[:32]...), new(big.Int).Sub(n, s).FillBytes(make([]byte, 32))...)
		r, out = recoverCall(h, hash[:], recID^1, high)
		expect(t, r, 0, CostSecp256k1Recover)
		if !bytes.Equal(out, want) {
			t.Fatalf("key %d high s: recovered %x, want %x", i, out, want)
		}

		// The other parity recovers a different key.
		r, out = recoverCall(h, hash[:], recID^1, sig)
		if r.Err != nil || r.R0 == 0 && bytes.Equal(out, want) {
			t.Fatalf("key %d: wrong parity recovered the key", i)
		}
	}
}

func TestSecp256k1RecoverRejects(t *testing.T) {
	h := newHarness(t, Options{})
	key := secp256k1.PrivKeyFromBytes([]byte{7})
	hash := sha256.Sum256([]byte("agora"))
	compact := ecdsa.SignCompact(key, hash[:], false)
	sig := compact[1:]
	n := secp256k1.S256().N
	p := secp256k1.S256().P
	word := func(v *big.Int) []byte { return v.FillBytes(make([]byte, 32)) }
	withR := func(r []byte) []byte { return append(append([]byte(nil), r...), sig[32:]...) }
	withS := func(s []byte) []byte { return append(append([]byte(nil), sig[:32]...), s...) }
	pMinusN := new(big.Int).Sub(p, n)

	for _, c := range []struct {
		name  string
		recID uint64
		sig   []byte
		code  uint64
	}{
		{"recovery id 4", 4, sig, Secp256k1InvalidRecoveryID},
		{"recovery id 255", 255, sig, Secp256k1InvalidRecoveryID},
		{"recovery id 256", 256, sig, Secp256k1InvalidRecoveryID},
		{"recovery id max", 1<<64 - 1, sig, Secp256k1InvalidRecoveryID},
		{"r = 0", 0, withR(make([]byte, 32)), Secp256k1InvalidSignature},
		{"s = 0", 0, withS(make([]byte, 32)), Secp256k1InvalidSignature},
		{"r = n", 0, withR(word(n)), Secp256k1InvalidSignature},
		{"s = n", 0, withS(word(n)), Secp256k1InvalidSignature},
		{"r all ones", 1, withR(bytes.Repeat([]byte{0xff}, 32)), Secp256k1InvalidSignature},
		{"id 2 with r + n ≥ p", 2, withR(word(pMinusN)), Secp256k1InvalidSignature},
		{"id 3 with r + n ≥ p", 3, sig, Secp256k1InvalidSignature},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, out := recoverCall(h, hash[:], c.recID, c.sig)
			expect(t, r, c.code, CostSecp256k1Recover)
			if !allZero(out) {
				t.Fatalf("rejected call wrote %x", out)
			}
		})
	}

	// An r below p − n with id 2 reads x = r + n; it recovers when that x
	// is on the curve. Search one, and check against the pure function.
	for rv := int64(1); rv < 64; rv++ {
		x := new(big.Int).Add(big.NewInt(rv), n)
		var fx secp256k1.FieldVal
		fx.SetByteSlice(x.Bytes())
		var y secp256k1.FieldVal
		if secp256k1.DecompressY(&fx, false, &y) {
			s := withR(word(big.NewInt(rv)))
			r, out := recoverCall(h, hash[:], 2, s)
			expect(t, r, 0, CostSecp256k1Recover)
			if allZero(out) {
				t.Fatal("id 2 recovery wrote nothing")
			}
			break
		}
	}

	// The result is mapped first, then the hash, then the signature; the
	// price is charged before any of them.
	var a arena
	hp, sp := a.put(hash[:]), a.put(sig)
	out := a.alloc(64)
	r := h.call(&a, bigBudget, NameSecp256k1Recover, 0x8_0000_0000, 0, 0x9_0000_0000, 0xa_0000_0000)
	expectAbort(t, r, "AccessViolation", CostSecp256k1Recover)
	var ve *vm.Error
	if errors.As(r.Err, &ve); !errors.As(ve.Err, &ve) || ve.Addr != 0xa_0000_0000 {
		t.Fatalf("fault %v, want at the result", r.Err)
	}
	expectAbort(t, h.call(&a, bigBudget, NameSecp256k1Recover, hp, 0, out+32, out), "AccessViolation", CostSecp256k1Recover)
	expectAbort(t, h.call(&a, bigBudget, NameSecp256k1Recover, hp, 0, sp, 0x1_0000_0000), "AccessViolation", CostSecp256k1Recover)
	// Not enough budget for the price.
	r = h.call(&a, 25_000, NameSecp256k1Recover, hp, 0, sp, out)
	if !errors.Is(r.Err, vm.ErrComputeBudgetExceeded) || r.CU != 25_000 {
		t.Fatalf("got %v cu=%d", r.Err, r.CU)
	}
}
