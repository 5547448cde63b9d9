package bank

import (
	"testing"

	"github.com/agora-vm/agora/solana/alt"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/sysvar"
	"github.com/agora-vm/agora/solana/txn"
)

// TestV0LookupTableAcrossBlocks creates a table, extends it, and uses
// it from a v0 transaction in a later block; the history records the
// loaded keys, and the chain's SlotHashes survive a reopen.
func TestV0LookupTableAcrossBlocks(t *testing.T) {
	c := newChain(t)
	auth := key(2)
	ok := func(what string, r TxResult) {
		t.Helper()
		if r.Err != nil {
			t.Fatalf("%s: %v\n%v", what, r.Err, r.Logs)
		}
	}
	ok("fund", c.call([]txn.Instruction{system.Transfer(pk(c.payer), pk(auth), 1_000_000_000)}, c.payer))
	recent := c.bank.Head().Height // in the next block's SlotHashes
	create, table := alt.Create(pk(auth), pk(c.payer), recent)
	ok("create", c.call([]txn.Instruction{create}, c.payer, auth))
	dests := []pubkey.Pubkey{pk(key(10)), pk(key(11))}
	ok("extend", c.call([]txn.Instruction{alt.Extend(table, pk(auth), pk(c.payer), dests)}, c.payer, auth))

	v0 := func() *txn.Transaction {
		m, err := txn.CompileV0(pk(c.payer), []txn.Instruction{
			system.Transfer(pk(c.payer), dests[0], 1_000_000_000),
			system.Transfer(pk(c.payer), dests[1], 2_000_000_000),
		}, []txn.LookupTableAccount{{Key: table, Addresses: dests}}, c.bank.LatestBlockhash())
		if err != nil {
			t.Fatal(err)
		}
		tx, err := txn.Sign(m, c.payer)
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	tx := v0()
	r := c.send(tx)
	ok("v0", r)
	if c.acct(dests[1]).Lamports != 2_000_000_000 || len(r.Loaded.Writable) != 2 {
		t.Fatalf("v0 transfer: %d, loaded %+v", c.acct(dests[1]).Lamports, r.Loaded)
	}
	rec, err := c.st.Transaction(tx.ID())
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Accounts) != len(tx.Message.AccountKeys)+2 || rec.Accounts[len(rec.Accounts)-1] != dests[1] || rec.PostBalances[len(rec.Accounts)-1] != 2_000_000_000 {
		t.Fatalf("record accounts %v post %v", rec.Accounts, rec.PostBalances)
	}
	if got, err := txn.Decode(rec.Transaction); err != nil || got.Message.Version != txn.V0 {
		t.Fatalf("recorded transaction: %v", err)
	}

	// A v0 transaction whose table is missing is not included.
	m, _ := txn.CompileV0(pk(c.payer), []txn.Instruction{system.Transfer(pk(c.payer), dests[0], 1)},
		[]txn.LookupTableAccount{{Key: pk(key(99)), Addresses: dests}}, c.bank.LatestBlockhash())
	bad, _ := txn.Sign(m, c.payer)
	if r := c.send(bad); r.Err == nil || r.Err.Kind.String() != "AddressLookupTableNotFound" || r.Charged {
		t.Fatalf("missing table: %+v", r.Result)
	}

	// SlotHashes: the head's parent is the newest entry, and a reopened
	// bank goes on from the stored sysvar.
	a := c.acct(pubkey.SysvarSlotHashes())
	sh, err := sysvar.DecodeSlotHashes(a.Data)
	if err != nil || len(sh) == 0 || sh[0].Slot != c.bank.Head().Height-1 || len(a.Data) != sysvar.SlotHashesSize {
		t.Fatalf("slot hashes %v %v (head %d)", sh, err, c.bank.Head().Height)
	}
	b2, err := Open(c.st, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.bank = b2
	ok("v0 after reopen", c.send(v0()))
	sh2, _ := sysvar.DecodeSlotHashes(c.acct(pubkey.SysvarSlotHashes()).Data)
	if len(sh2) != len(sh)+1 || sh2[1] != sh[0] {
		t.Fatalf("slot hashes after reopen %v, before %v", sh2, sh)
	}
}
