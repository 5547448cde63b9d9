package crypto

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/gtank/ristretto255"

	"github.com/agora-vm/agora/vm"
)

// The generators. G is the ristretto255 basepoint (RFC 9496 A.1). H is
// derived in Solana's zk-sdk (solana-program/zk-elgamal-proof,
// zk-sdk/src/encryption/pedersen.rs) as
// RistrettoPoint::hash_from_bytes::<Sha3_512>(RISTRETTO_BASEPOINT_COMPRESSED);
// its encoding below is the constant other code bases built on the same
// derivation publish (aptos-core's ristretto255.move HASH_BASE_POINT,
// "the hash of the basepoint of the Ristretto255 group using SHA3_512"),
// so it checks the derivation independently.
const (
	pedersenGHex = "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"
	pedersenHHex = "8c9240b456a9e6dc65c377a1048d745f94a08cdb7f44cbcd7b46f34048871134"
)

func scalarLE(v uint64) []byte {
	b := make([]byte, 32)
	for i := range 8 {
		b[i] = byte(v >> (8 * i))
	}
	return b
}

func TestPedersenGenerators(t *testing.T) {
	g, h := PedersenGenerators()
	if hex.EncodeToString(g) != pedersenGHex || hex.EncodeToString(h) != pedersenHHex {
		t.Fatalf("G = %x, H = %x", g, h)
	}
	// Commit(1, 0) = G, Commit(0, 1) = H, Commit(0, 0) = identity.
	for _, c := range []struct {
		m, r uint64
		want string
	}{{1, 0, pedersenGHex}, {0, 1, pedersenHHex}, {0, 0, "0000000000000000000000000000000000000000000000000000000000000000"}} {
		got, code := PedersenCommit(scalarLE(c.m), scalarLE(c.r))
		if code != OK || hex.EncodeToString(got) != c.want {
			t.Fatalf("Commit(%d, %d) = %x %v, want %s", c.m, c.r, got, code, c.want)
		}
	}
}

// Commitments are additively homomorphic, as the zk-sdk relies on.
func TestPedersenHomomorphic(t *testing.T) {
	for i := range uint64(20) {
		m1, r1 := 77+i*1_000_003, 1+i*i*7919
		m2, r2 := 57+i, 3+i*104729
		c1, _ := PedersenCommit(scalarLE(m1), scalarLE(r1))
		c2, _ := PedersenCommit(scalarLE(m2), scalarLE(r2))
		sum, _ := PedersenCommit(scalarLE(m1+m2), scalarLE(r1+r2))
		e1, e2 := ristretto255.NewElement(), ristretto255.NewElement()
		if e1.Decode(c1) != nil || e2.Decode(c2) != nil {
			t.Fatal("commitment does not decode")
		}
		if got := e1.Add(e1, e2).Encode(nil); !bytes.Equal(got, sum) {
			t.Fatalf("C(m1,r1)+C(m2,r2) = %x, C(m1+m2, r1+r2) = %x", got, sum)
		}
		if PedersenVerify(sum, scalarLE(m1+m2), scalarLE(r1+r2)) != OK {
			t.Fatal("own commitment rejected")
		}
		if PedersenVerify(sum, scalarLE(m1+m2+1), scalarLE(r1+r2)) != Invalid {
			t.Fatal("wrong amount accepted")
		}
		if PedersenVerify(sum, scalarLE(m1+m2), scalarLE(r1+r2+1)) != Invalid {
			t.Fatal("wrong opening accepted")
		}
	}
	// ℓ − 1 is canonical and equals −1: C(ℓ−1, 0) = −G.
	lm1 := append([]byte(nil), scalarL...)
	lm1[0]--
	c, code := PedersenCommit(lm1, scalarLE(0))
	neg := ristretto255.NewElement().Negate(ristretto255.NewElement().Base()).Encode(nil)
	if code != OK || !bytes.Equal(c, neg) {
		t.Fatalf("C(ℓ−1, 0) = %x %v, want −G", c, code)
	}
}

func TestPedersenRejects(t *testing.T) {
	good, _ := PedersenCommit(scalarLE(5), scalarLE(9))
	over := append(bytes.Repeat([]byte{0xff}, 31), 0x7f) // 2²⁵⁵ − 1
	for _, bad := range [][]byte{scalarL, over, bytes.Repeat([]byte{0xff}, 32), scalarLE(1)[:31], nil} {
		if _, code := PedersenCommit(bad, scalarLE(1)); code != BadScalar {
			t.Fatalf("m = %x: %v", bad, code)
		}
		if _, code := PedersenCommit(scalarLE(1), bad); code != BadScalar {
			t.Fatalf("r = %x: %v", bad, code)
		}
		if code := PedersenVerify(good, bad, scalarLE(9)); code != BadScalar {
			t.Fatalf("verify m = %x: %v", bad, code)
		}
	}
	// RFC 9496 A.2's bad encodings, a short one and a negative one.
	for _, s := range []string{
		"00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
		"e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d",
	} {
		b, _ := hex.DecodeString(s)
		// The commitment is checked before the scalars.
		if code := PedersenVerify(b, scalarL, scalarL); code != BadPoint {
			t.Fatalf("commitment %s: %v", s, code)
		}
	}
}

func TestPedersenSyscalls(t *testing.T) {
	h := newHarness(t)
	m, r := scalarLE(1_000_000), scalarLE(424242)
	want, _ := PedersenCommit(m, r)

	var a arena
	mp, rp := a.put(m), a.put(r)
	out := a.alloc(32)
	expect(t, h.call(&a, bigBudget, NamePedersenCommit, mp, rp, out), OK, CostPedersenCommit)
	if !bytes.Equal(a.at(out, 32), want) {
		t.Fatalf("commit wrote %x, want %x", a.at(out, 32), want)
	}
	expect(t, h.call(&a, bigBudget, NamePedersenVerify, out, mp, rp), OK, CostPedersenVerify)
	expect(t, h.call(&a, bigBudget, NamePedersenVerify, out, rp, mp), Invalid, CostPedersenVerify)

	// A bad scalar is a code; the result is neither written nor mapped.
	lp := a.put(scalarL)
	expect(t, h.call(&a, bigBudget, NamePedersenCommit, lp, rp, 0x9_0000_0000), BadScalar, CostPedersenCommit)
	expect(t, h.call(&a, bigBudget, NamePedersenVerify, out, mp, lp), BadScalar, CostPedersenVerify)
	bp := a.put(unhex(t, "0100000000000000000000000000000000000000000000000000000000000000"))
	expect(t, h.call(&a, bigBudget, NamePedersenVerify, bp, mp, rp), BadPoint, CostPedersenVerify)

	// Faults: a result in read-only memory, inputs outside memory.
	expectAbort(t, h.call(&a, bigBudget, NamePedersenCommit, mp, rp, 0x1_0000_0000), "AccessViolation", CostPedersenCommit)
	expectAbort(t, h.call(&a, bigBudget, NamePedersenCommit, 0x9_0000_0000, rp, out), "AccessViolation", CostPedersenCommit)
	expectAbort(t, h.call(&a, bigBudget, NamePedersenVerify, out, mp, 0x9_0000_0000), "AccessViolation", CostPedersenVerify)
	// A bad pointer never faults when the budget runs out first.
	budget := uint64(CostPedersenVerify + callOverhead - 2)
	budgetExceeded(t, h.call(&a, budget, NamePedersenVerify, 0x9_0000_0000, mp, rp), budget)
}

// budgetExceeded checks a call that ran out of compute units in the
// syscall: the run fails with ComputationalBudgetExceeded and has consumed
// its whole budget.
func budgetExceeded(t testing.TB, r run, budget uint64) {
	t.Helper()
	if !errors.Is(r.Err, vm.ErrComputeBudgetExceeded) || r.CU != budget {
		t.Fatalf("got r0=%v err=%v cu=%d, want ComputationalBudgetExceeded cu=%d", Code(r.R0), r.Err, r.CU, budget)
	}
}
