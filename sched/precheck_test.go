package sched

import (
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
)

// TestPrecheck: a Precheck's outcomes are svm.Check's, a block takes
// them only for the transactions it was given at the same index, and one
// lane checks nothing ahead.
func TestPrecheck(t *testing.T) {
	ex, err := svm.NewExecutor()
	if err != nil {
		t.Fatal(err)
	}
	var txs []*txn.Transaction
	for i := range 40 {
		seed := make([]byte, ed25519.SeedSize)
		seed[0], seed[1] = byte(i), 0x7e
		k := ed25519.NewKeyFromSeed(seed)
		from := txn.PubkeyOf(k)
		m, err := txn.Compile(from, []txn.Instruction{system.Transfer(from, txn.PubkeyOf(ed25519.NewKeyFromSeed(make([]byte, 32))), uint64(i+1))}, txn.Hash{1})
		if err != nil {
			t.Fatal(err)
		}
		tx, err := txn.Sign(m, k)
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			tx.Signatures[0][5] ^= 1 // a bad signature
		}
		txs = append(txs, tx)
	}
	if p := New(ex, Config{Lanes: 1}).Precheck(txs); p != nil {
		t.Fatal("one lane checked ahead")
	}
	p := New(ex, Config{Lanes: 3}).Precheck(txs)
	if !p.For(txs) || p.For(txs[1:]) || p.For(append([]*txn.Transaction{txs[1]}, txs[1:]...)) {
		t.Fatal("For")
	}
	deadline := time.Now().Add(10 * time.Second)
	for i := range txs {
		for p.state[i].Load() != preDone {
			if time.Now().After(deadline) {
				t.Fatalf("transaction %d never checked", i)
			}
			time.Sleep(time.Millisecond)
		}
	}
	for i, tx := range txs {
		got, ok := p.take(i, tx, false)
		want := svm.Check(tx)
		if !ok || (got == nil) != (want == nil) || (want != nil && got.Kind != want.Kind) {
			t.Fatalf("transaction %d: %v (taken %v), want %v", i, got, ok, want)
		}
		if _, ok := p.take(i, tx, true); ok {
			t.Fatalf("transaction %d: a signed check's outcome taken by an unsigned block", i)
		}
		if (i%3 == 0) != (got != nil) {
			t.Fatalf("transaction %d: %v", i, got)
		}
		if _, ok := p.take(i, txs[(i+1)%len(txs)], false); ok {
			t.Fatalf("transaction %d taken for another", i)
		}
	}
	// A stopped Precheck leaves the rest to the block.
	q := New(ex, Config{Lanes: 2}).Precheck(txs)
	q.Stop()
	q.Stop()
	var nilP *Precheck
	nilP.Stop()
	if _, ok := nilP.take(0, txs[0], false); ok {
		t.Fatal("a nil Precheck gave an outcome")
	}
}
