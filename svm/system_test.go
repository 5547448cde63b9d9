package svm

import (
	"errors"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

func TestSystemWithSeed(t *testing.T) {
	h := newHarness(t)
	pk := txn.PubkeyOf
	payer, base := keyOf(1), keyOf(2)
	h.fund(pk(payer), 10_000_000_000)
	owner := pubkey.MustParse("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
	derived, _ := pubkey.CreateWithSeed(pk(base), "vault", owner)
	res := h.run(payer, []txn.Instruction{system.CreateAccountWithSeed(pk(payer), derived, pk(base), "vault", 2_000_000, 10, owner)}, base)
	if res.Err != nil {
		t.Fatalf("%v %v", res.Err, res.Logs)
	}
	if a := h.st[derived]; a.Owner != owner || len(a.Data) != 10 {
		t.Fatalf("%+v", a)
	}
	// A mismatched address: AddressWithSeedMismatch (Custom 5).
	res = h.run(payer, []txn.Instruction{system.CreateAccountWithSeed(pk(payer), pk(keyOf(3)), pk(base), "vault", 2_000_000, 10, owner)}, base)
	if !errors.Is(res.Err, NewInstructionFailure(0, customErr(system.ErrAddressWithSeedMismatch))) {
		t.Fatalf("mismatch: %v", res.Err)
	}
	// Allocate and assign a system account derived with a seed, then move
	// lamports out of a system-owned seeded account.
	sysDerived, _ := pubkey.CreateWithSeed(pk(base), "s", pubkey.SystemProgram())
	res = h.run(payer, []txn.Instruction{system.Transfer(pk(payer), sysDerived, 3_000_000)})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	res = h.run(payer, []txn.Instruction{system.TransferWithSeed(sysDerived, pk(base), "s", pubkey.SystemProgram(), pk(payer), 1_000_000)}, base)
	if res.Err != nil || h.st[sysDerived].Lamports != 2_000_000 {
		t.Fatalf("transfer with seed: %v %v", res.Err, res.Logs)
	}
	res = h.run(payer, []txn.Instruction{system.AllocateWithSeed(sysDerived, pk(base), "s", 8, pubkey.SystemProgram())}, base)
	if res.Err != nil || len(h.st[sysDerived].Data) != 8 {
		t.Fatalf("allocate with seed: %v %v", res.Err, res.Logs)
	}
	other, _ := pubkey.CreateWithSeed(pk(base), "t", owner)
	res = h.run(payer, []txn.Instruction{system.Transfer(pk(payer), other, 3_000_000), system.AssignWithSeed(other, pk(base), "t", owner)}, base)
	if res.Err != nil || h.st[other].Owner != owner {
		t.Fatalf("assign with seed: %v %v", res.Err, res.Logs)
	}
	// Allocate over the limit, and on an account already in use.
	big := keyOf(6)
	res = h.run(payer, []txn.Instruction{system.Allocate(pk(big), 11<<20)}, big)
	if !errors.Is(res.Err, NewInstructionFailure(0, customErr(system.ErrInvalidAccountDataLength))) {
		t.Fatalf("huge allocate: %v", res.Err)
	}
	k7 := keyOf(7)
	h.fund(pk(k7), 5_000_000)
	res = h.run(payer, []txn.Instruction{system.Allocate(pk(k7), 8)}, k7)
	if res.Err != nil {
		t.Fatalf("allocate: %v", res.Err)
	}
	res = h.run(payer, []txn.Instruction{system.Allocate(pk(k7), 8)}, k7)
	if !errors.Is(res.Err, NewInstructionFailure(0, customErr(system.ErrAccountAlreadyInUse))) {
		t.Fatalf("allocate twice: %v", res.Err)
	}
	// An account with data cannot pay fees.
	m, _ := txn.Compile(pk(k7), []txn.Instruction{system.Transfer(pk(k7), pk(payer), 1)}, txn.Hash{1})
	tx, _ := txn.Sign(m, k7)
	if r := h.ex.Execute(tx, h.st, h.env); !errors.Is(r.Err, &TransactionError{Kind: InvalidAccountForFee}) || r.Charged {
		t.Fatalf("data-carrying fee payer: %v", r.Err)
	}
	// Malformed instruction data.
	res = h.run(payer, []txn.Instruction{{ProgramID: pubkey.SystemProgram(), Data: []byte{2, 0, 0}, Accounts: []txn.AccountMeta{{Pubkey: pk(payer), IsSigner: true, IsWritable: true}}}})
	if !errors.Is(res.Err, NewInstructionFailure(0, ierr(InvalidInstructionData))) {
		t.Fatalf("bad data: %v", res.Err)
	}
	// Too few accounts.
	res = h.run(payer, []txn.Instruction{{ProgramID: pubkey.SystemProgram(), Data: (&system.Instruction{Tag: system.TagTransfer, Lamports: 1}).Encode(), Accounts: []txn.AccountMeta{{Pubkey: pk(payer), IsSigner: true, IsWritable: true}}}})
	if !errors.Is(res.Err, NewInstructionFailure(0, ierr(NotEnoughAccountKeys))) {
		t.Fatalf("few accounts: %v", res.Err)
	}
}

// FuzzExecute decodes arbitrary bytes as a transaction and, when it passes
// the checks, executes it: never a panic, lamports always conserved.
func FuzzExecute(f *testing.F) {
	payer := keyOf(1)
	m, _ := txn.Compile(txn.PubkeyOf(payer), []txn.Instruction{system.Transfer(txn.PubkeyOf(payer), txn.PubkeyOf(keyOf(2)), 5)}, txn.Hash{1})
	tx, _ := txn.Sign(m, payer)
	f.Add(tx.Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := txn.Decode(b)
		if err != nil {
			return
		}
		h := newHarness(t)
		h.fund(txn.PubkeyOf(payer), 1_000_000_000)
		for _, k := range tx.Message.AccountKeys {
			if _, ok := h.st[k]; !ok {
				h.fund(k, 1_000_000_000)
			}
		}
		before := h.st.total()
		// Signatures are not checked here so that mutations reach execution.
		if tx.Sanitize() != nil {
			return
		}
		res := h.ex.Execute(tx, h.st, h.env)
		h.st.apply(res.Writes)
		if h.st.total()+res.Fee != before {
			t.Fatalf("lamports not conserved: %v", res.Err)
		}
	})
}
