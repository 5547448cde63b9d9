package svm

import (
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

// A transaction is admitted up to txn.PacketDataSize serialized bytes,
// signed or not, and refused one byte over, before anything is charged.
func TestCheckPacketSize(t *testing.T) {
	payer := keyOf(1)
	prog := pubkey.Pubkey{9}
	build := func(dataLen int) *txn.Transaction {
		m, err := txn.Compile(txn.PubkeyOf(payer), []txn.Instruction{{ProgramID: prog, Data: make([]byte, dataLen)}}, txn.Hash{1})
		if err != nil {
			t.Fatal(err)
		}
		tx, err := txn.Sign(m, payer)
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	base := len(build(0).Encode())
	// The data length's compact-u16 prefix grows to two bytes at 128.
	atLimit := build(txn.PacketDataSize - base - 1)
	if n := len(atLimit.Encode()); n != txn.PacketDataSize {
		t.Fatalf("built %d bytes, want %d", n, txn.PacketDataSize)
	}
	over := build(txn.PacketDataSize - base)
	for name, check := range map[string]func(*txn.Transaction) *TransactionError{"Check": Check, "CheckUnsigned": CheckUnsigned} {
		if err := check(atLimit); err != nil {
			t.Fatalf("%s refused a transaction of exactly %d bytes: %v", name, txn.PacketDataSize, err)
		}
		err := check(over)
		if err == nil || err.Kind != SanitizeFailure {
			t.Fatalf("%s: a transaction of %d bytes gave %v, want SanitizeFailure", name, len(over.Encode()), err)
		}
	}
}
