package bank

import (
	"crypto/ed25519"
	"errors"
	"slices"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
)

// Every included transaction of a block is recorded with its outcome and
// each account's lamports before and after it, in block order, so a
// later transaction's pre balances are an earlier one's post balances.
func TestHistoryRecords(t *testing.T) {
	c := newChain(t)
	a, b := key(50), key(51)
	txs := []*txn.Transaction{
		c.tx([]txn.Instruction{system.Transfer(pk(c.payer), pk(a), 3_000_000)}, c.payer),
		c.tx([]txn.Instruction{system.Transfer(pk(a), pk(b), 1_000_000)}, a), // funded by the first
		c.tx([]txn.Instruction{system.Transfer(pk(a), pk(b), 9_000_000)}, a), // fails: charged, no transfer
		c.tx([]txn.Instruction{system.Transfer(pk(b), pk(a), 1)}, b),         // bad signature: not charged
	}
	txs[3].Signatures[0][0] ^= 1
	c.now++
	res, err := c.bank.ProcessBlock(txs, c.now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Txs[3].Charged || res.Txs[2].Err == nil {
		t.Fatalf("outcomes %v %v", res.Txs[3].Result, res.Txs[2].Err)
	}
	slot := res.Header.Height
	fee := res.Txs[0].Fee
	want := []struct {
		pre, post []uint64
		ok        bool
	}{
		{[]uint64{500_000_000_000, 0, 1}, []uint64{500_000_000_000 - fee - 3_000_000, 3_000_000, 1}, true},
		{[]uint64{3_000_000, 0, 1}, []uint64{3_000_000 - fee - 1_000_000, 1_000_000, 1}, true},
		{[]uint64{2_000_000 - fee, 1_000_000, 1}, []uint64{2_000_000 - 2*fee, 1_000_000, 1}, false},
	}
	for i, w := range want {
		r := res.Txs[i]
		rec, err := c.st.Transaction(r.Signature)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Slot != slot || rec.Index != uint32(i) || rec.OK() != w.ok || rec.Fee != r.Fee || rec.CU != r.CU || !slices.Equal(rec.Logs, r.Logs) {
			t.Fatalf("tx %d: record %+v, result %+v", i, rec, r.Result)
		}
		if !slices.Equal(rec.PreBalances, w.pre) || !slices.Equal(rec.PostBalances, w.post) {
			t.Fatalf("tx %d: balances %v -> %v, want %v -> %v", i, rec.PreBalances, rec.PostBalances, w.pre, w.post)
		}
		if !slices.Equal(rec.Accounts, txs[i].Message.AccountKeys) || !slices.Equal(rec.Transaction, txs[i].Encode()) {
			t.Fatalf("tx %d: accounts or wire bytes differ", i)
		}
		if !w.ok && (rec.Err != r.Err.String() || rec.ErrMessage != r.Err.Error()) {
			t.Fatalf("tx %d: error %q, want %q", i, rec.Err, r.Err.String())
		}
	}
	if _, err := c.st.Transaction(res.Txs[3].Signature); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a transaction not in the block was recorded: %v", err)
	}
	// a is in three transactions, b in two; newest first.
	refs, err := c.st.SignaturesForAddress(pk(a), nil, 10)
	if err != nil || len(refs) != 3 || refs[0].Index != 2 || refs[2].Index != 0 {
		t.Fatalf("history of a: %+v %v", refs, err)
	}
	refs, _ = c.st.SignaturesForAddress(pubkey.SystemProgram(), nil, 10)
	if len(refs) != 3 {
		t.Fatalf("history of the System program: %+v", refs)
	}
}

// The records' balances agree with the state before and after, for
// random transactions that succeed and fail.
func TestHistoryConservation(t *testing.T) {
	c := newChain(t)
	users := []ed25519.PrivateKey{key(60), key(61), key(62)}
	for _, u := range users {
		ok(t, c.call([]txn.Instruction{system.Transfer(pk(c.payer), pk(u), 5_000_000)}, c.payer))
	}
	for i := 0; i < 30; i++ {
		from, to := users[i%3], users[(i*7+1)%3]
		r := c.call([]txn.Instruction{system.Transfer(pk(from), pk(to), uint64(i)*400_000)}, c.payer, from)
		rec, err := c.st.Transaction(r.Signature)
		if err != nil {
			t.Fatal(err)
		}
		var pre, post uint64
		for j, k := range rec.Accounts {
			pre += rec.PreBalances[j]
			post += rec.PostBalances[j]
			if got := c.acct(k).Lamports; got != rec.PostBalances[j] {
				t.Fatalf("tx %d: %s holds %d, record says %d", i, k, got, rec.PostBalances[j])
			}
		}
		if post+rec.Fee != pre || rec.OK() != (r.Err == nil) {
			t.Fatalf("tx %d: pre %d, post %d, fee %d (%v)", i, pre, post, rec.Fee, r.Err)
		}
	}
}

// A bank that keeps no history commits the same blocks (state root,
// signatures, hash) and records no transaction.
func TestNoHistorySameBlocks(t *testing.T) {
	with, without := newChain(t), newChain(t)
	without.bank.KeepHistory(false)
	a := key(70)
	for i := range 3 {
		tx := with.tx([]txn.Instruction{system.Transfer(pk(with.payer), pk(a), uint64(i+1)*1_000_000)}, with.payer)
		with.now++
		without.now++
		r1, err := with.bank.ProcessBlock([]*txn.Transaction{tx}, with.now)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := without.bank.ProcessBlock([]*txn.Transaction{tx}, without.now)
		if err != nil {
			t.Fatal(err)
		}
		if r1.Header != r2.Header {
			t.Fatalf("block %d: headers differ: %+v, %+v", i, r1.Header, r2.Header)
		}
		if _, err := with.st.Transaction(tx.ID()); err != nil {
			t.Fatal(err)
		}
		if _, err := without.st.Transaction(tx.ID()); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("block %d: a bank without history recorded a transaction: %v", i, err)
		}
	}
}
