package bank

import (
	"context"
	"errors"
	"testing"

	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm"
)

// TestExecuteThenCommit checks the two-step block: ExecuteBlock announces
// the header ProcessBlock would commit and changes nothing; CommitBlock
// writes it; a pending block whose parent is no longer the head is refused.
func TestExecuteThenCommit(t *testing.T) {
	a, b := newChain(t), newChain(t)
	to := pk(key(9))
	txa := a.tx([]txn.Instruction{system.Transfer(pk(a.payer), to, 1_000_000)}, a.payer)
	txb := b.tx([]txn.Instruction{system.Transfer(pk(b.payer), to, 1_000_000)}, b.payer)
	want, err := a.bank.ProcessBlock([]*txn.Transaction{txa}, a.now+1)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.bank.Admit(txb); err != nil {
		t.Fatalf("Admit before the block: %v", err)
	}
	p, err := b.bank.ExecuteBlock(context.Background(), []*txn.Transaction{txb}, b.now+1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Result.Header != want.Header {
		t.Fatalf("pending header %+v, ProcessBlock gave %+v", p.Result.Header, want.Header)
	}
	if acct := b.acct(to); acct.Exists() || b.bank.Head().Height != 0 {
		t.Fatal("ExecuteBlock wrote the block")
	}
	got, err := b.bank.CommitBlock(p)
	if err != nil || got.Header != want.Header || b.acct(to).Lamports != 1_000_000 {
		t.Fatalf("CommitBlock = %+v, %v", got, err)
	}
	if err := b.bank.Admit(txb); err == nil || err.Kind != svm.AlreadyProcessed {
		t.Fatalf("Admit after the block: %v, want AlreadyProcessed", err)
	}
	stale, err := b.bank.ExecuteBlock(context.Background(), nil, b.now+2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.bank.ProcessBlock(nil, b.now+2); err != nil {
		t.Fatal(err)
	}
	if _, err := b.bank.CommitBlock(stale); !errors.Is(err, store.ErrOutOfOrder) {
		t.Fatalf("CommitBlock over a moved head: %v, want ErrOutOfOrder", err)
	}
}
