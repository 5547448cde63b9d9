package bank

import (
	"errors"
	"testing"

	"github.com/agora-vm/agora/solana/computebudget"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
)

// The priority fee, ceil(price · limit / 10^6), is added to the signature
// fee, charged, recorded, and checked against the fee payer's balance.
func TestPriorityFee(t *testing.T) {
	c := newChain(t)
	to := pk(key(50))
	ixs := []txn.Instruction{computebudget.SetComputeUnitLimit(300_000), computebudget.SetComputeUnitPrice(2_500_001), system.Transfer(pk(c.payer), to, 1_000_000)}
	want := svm.DefaultFeePerSignature + computebudget.PrioritizationFee(2_500_001, 300_000)
	if want != 5000+750_001 {
		t.Fatalf("fee %d", want)
	}
	before := c.acct(pk(c.payer)).Lamports
	tx := c.tx(ixs, c.payer)
	r := c.send(tx)
	if r.Err != nil || r.Fee != want || r.ComputeUnitPrice != 2_500_001 {
		t.Fatalf("result: err %v fee %d price %d", r.Err, r.Fee, r.ComputeUnitPrice)
	}
	if got := before - c.acct(pk(c.payer)).Lamports; got != want+1_000_000 {
		t.Fatalf("payer paid %d", got)
	}
	rec, err := c.st.Transaction(tx.ID())
	if err != nil || rec.Fee != want {
		t.Fatalf("record fee %d %v", rec.Fee, err)
	}
	// The price a node reports for the stored transaction.
	stored, err := txn.Decode(rec.Transaction)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := computebudget.ComputeUnitPrice(&stored.Message); err != nil || p != 2_500_001 {
		t.Fatalf("stored price %d %v", p, err)
	}

	// A payer that covers the signature fee but not the priority fee is
	// refused before anything is charged.
	poorKey := key(51)
	poor := pk(poorKey)
	rent := c.bank.Rent()
	bal := rent.MinimumBalance(0) + 6000 // the fee below leaves it rent exempt
	if r := c.call([]txn.Instruction{system.Transfer(pk(c.payer), poor, bal)}, c.payer); r.Err != nil {
		t.Fatal(r.Err)
	}
	r = c.call([]txn.Instruction{computebudget.SetComputeUnitLimit(1_000_000), computebudget.SetComputeUnitPrice(bal), system.Transfer(poor, to, 0)}, poorKey)
	if !errors.Is(r.Err, &svm.TransactionError{Kind: svm.InsufficientFundsForFee}) || r.Charged {
		t.Fatalf("want InsufficientFundsForFee, got %v charged=%v", r.Err, r.Charged)
	}
	r = c.call([]txn.Instruction{computebudget.SetComputeUnitLimit(1_000_000), computebudget.SetComputeUnitPrice(1_000), system.Transfer(poor, to, bal-6000)}, poorKey)
	if r.Err != nil || r.Fee != 6000 {
		t.Fatalf("exact fee: %v fee %d", r.Err, r.Fee)
	}
	if a := c.acct(poor); a.Exists() {
		t.Fatalf("payer left with %d", a.Lamports)
	}
}
