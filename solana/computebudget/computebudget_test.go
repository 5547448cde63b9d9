package computebudget

import (
	"errors"
	"math/big"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

func msg(t *testing.T, ixs ...txn.Instruction) *txn.Message {
	m, err := txn.Compile(pubkey.MustParse("SeedPubey1111111111111111111111111111111111"), ixs, txn.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestProcess(t *testing.T) {
	user := txn.Instruction{ProgramID: pubkey.MustParse("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")}
	sys := txn.Instruction{ProgramID: pubkey.SystemProgram()}
	isBuiltin := func(k pubkey.Pubkey) bool { return k == pubkey.SystemProgram() }
	l, err := Process(msg(t, user, user, sys), isBuiltin)
	if err != nil || l.ComputeUnitLimit != 403_000 {
		t.Fatalf("default limit %+v %v", l, err)
	}
	l, err = Process(msg(t, SetComputeUnitLimit(5000), SetComputeUnitPrice(1_500_000), user), isBuiltin)
	if err != nil || l.ComputeUnitLimit != 5000 || l.PrioritizationFee() != 7500 {
		t.Fatalf("explicit %+v %v", l, err)
	}
	l, _ = Process(msg(t, SetComputeUnitLimit(2_000_000)), isBuiltin)
	if l.ComputeUnitLimit != MaxComputeUnitLimit {
		t.Fatalf("cap %+v", l)
	}
	var e *Error
	if _, err := Process(msg(t, SetComputeUnitLimit(1), SetComputeUnitLimit(2)), nil); !errors.As(err, &e) || e.Kind != DuplicateInstruction || e.Index != 1 {
		t.Fatalf("duplicate %v", err)
	}
	if _, err := Process(msg(t, txn.Instruction{ProgramID: ID, Data: []byte{2, 1}}), nil); !errors.As(err, &e) || e.Kind != InvalidInstructionData {
		t.Fatalf("short %v", err)
	}
	if _, err := Process(msg(t, RequestHeapFrame(1000)), nil); !errors.As(err, &e) || e.Kind != InvalidInstructionData {
		t.Fatalf("heap %v", err)
	}
}

// PrioritizationFee against 128-bit arithmetic: ceil(p·l / 10^6),
// saturating at the largest u64.
func TestPrioritizationFee(t *testing.T) {
	max := ^uint64(0)
	for _, c := range []struct{ price, limit, want uint64 }{
		{0, 1_400_000, 0},
		{1, 1, 1},
		{1, 999_999, 1},
		{1, 1_000_000, 1},
		{1, 1_000_001, 2},
		{1_000_000, 200_000, 200_000},
		{3, 333_334, 2},
		{1 << 63, 2, 18446744073710}, // 2^64 / 10^6, rounded up: no overflow although the product does
		{max, 1_400_000, max},
		{max, 1_000_000, max},
		{max, 999_999, 18446725626965477906},
		{max, max, max},
	} {
		if got := PrioritizationFee(c.price, c.limit); got != c.want {
			t.Errorf("PrioritizationFee(%d, %d) = %d, want %d", c.price, c.limit, got, c.want)
		}
	}
}

func TestComputeUnitPrice(t *testing.T) {
	user := txn.Instruction{ProgramID: pubkey.SystemProgram()}
	if p, err := ComputeUnitPrice(msg(t, user)); err != nil || p != 0 {
		t.Fatalf("no price: %d %v", p, err)
	}
	if p, err := ComputeUnitPrice(msg(t, SetComputeUnitPrice(42), user)); err != nil || p != 42 {
		t.Fatalf("price: %d %v", p, err)
	}
	if _, err := ComputeUnitPrice(msg(t, SetComputeUnitPrice(1), SetComputeUnitPrice(2))); err == nil {
		t.Fatal("duplicate price accepted")
	}
}

func FuzzPrioritizationFee(f *testing.F) {
	f.Add(uint64(1), uint64(1))
	f.Add(^uint64(0), uint64(1_400_000))
	f.Fuzz(func(t *testing.T, price, limit uint64) {
		p := new(big.Int).Mul(new(big.Int).SetUint64(price), new(big.Int).SetUint64(limit))
		p.Add(p, big.NewInt(MicroLamportsPerLamport-1))
		p.Div(p, big.NewInt(MicroLamportsPerLamport))
		want := ^uint64(0)
		if p.IsUint64() {
			want = p.Uint64()
		}
		if got := PrioritizationFee(price, limit); got != want {
			t.Fatalf("PrioritizationFee(%d, %d) = %d, want %d", price, limit, got, want)
		}
	})
}
