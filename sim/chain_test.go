package sim

import (
	"context"
	"slices"
	"testing"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/svm/bank"
)

// fullBlocks is a chain whose blocks hold at most fit transactions and
// leave the rest out for the block's cost limit, as the bank does.
type fullBlocks struct {
	fit    int
	height uint64
	sent   []int    // transactions sent, per block
	order  [][]byte // the executed transactions' instruction data, in order
}

func (c *fullBlocks) ExecuteBlock(_ context.Context, txs []*txn.Transaction, _ int64) (*bank.PendingBlock, error) {
	c.sent = append(c.sent, len(txs))
	c.height++
	res := &bank.BlockResult{Header: store.Header{Height: c.height, Hash: [32]byte{byte(c.height), byte(c.height >> 8)}}}
	for i, tx := range txs {
		r := &svm.Result{Charged: true}
		if i >= c.fit {
			r = &svm.Result{Err: &svm.TransactionError{Kind: svm.WouldExceedMaxBlockCostLimit}}
		} else {
			c.order = append(c.order, tx.Message.Instructions[0].Data)
		}
		res.Txs = append(res.Txs, bank.TxResult{Signature: tx.Signatures[0], Result: r})
	}
	return &bank.PendingBlock{Result: res}, nil
}

func (c *fullBlocks) CommitBlock(p *bank.PendingBlock) (*bank.BlockResult, error) {
	return p.Result, nil
}
func (c *fullBlocks) ProcessBlock(txs []*txn.Transaction, ts int64) (*bank.BlockResult, error) {
	p, err := c.ExecuteBlock(context.Background(), txs, ts)
	if err != nil {
		return nil, err
	}
	return c.CommitBlock(p)
}
func (c *fullBlocks) Precheck([]*txn.Transaction)                    {}
func (c *fullBlocks) LatestBlockhash() txn.Hash                      { return txn.Hash{1} }
func (c *fullBlocks) Head() store.Header                             { return store.Header{Height: c.height} }
func (c *fullBlocks) Account(pubkey.Pubkey) (account.Account, error) { return account.Account{}, nil }

// TestRunPhaseSizesBlocks: once a block leaves transactions out, the
// phase sends what that block held, the left-out ones first, and every
// transaction is executed once, in the phase's order.
func TestRunPhaseSizesBlocks(t *testing.T) {
	payer := keyFor(1, "payer", 0)
	const n, perBlock, fit = 700, 256, 100
	build := func(i int) txSpec {
		ix := system.Transfer(payer.pub, pubkey.Pubkey{1}, uint64(i))
		return txSpec{ixs: []txn.Instruction{ix}, signers: []*signer{&payer}}
	}
	chain := &fullBlocks{fit: fit}
	out, err := runPhase(chain, &slotClock{}, n, build, perBlock, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []int{perBlock, fit, fit, fit, fit, fit, fit}
	if !slices.Equal(chain.sent, want) {
		t.Fatalf("blocks sent %v, want %v", chain.sent, want)
	}
	if len(chain.order) != n || out.blocks != len(want) {
		t.Fatalf("%d executed in %d blocks, want %d in %d", len(chain.order), out.blocks, n, len(want))
	}
	for i, data := range chain.order {
		if !slices.Equal(data, build(i).ixs[0].Data) {
			t.Fatalf("executed transaction %d is not the phase's transaction %d", i, i)
		}
	}
}
