package computebudget

import (
	"errors"
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
