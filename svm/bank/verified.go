package bank

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"slices"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
)

// ReferenceEngine is the engine side of the verified tier (jit.Quarantine
// implements it): optimistic machine code, the interpreter for every run
// while the reference mode is on, and for quarantined program ids always.
type ReferenceEngine interface {
	SetReference(on bool)
	Quarantine(ids ...[32]byte)
}

// VerifyConfig configures ProcessBlockVerified.
type VerifyConfig struct {
	// Engine is the executor's engine.
	Engine ReferenceEngine
	// Threshold samples a transaction when the first 8 bytes of
	// SHA-256(seed, signature), as a big-endian integer, are below it:
	// a fraction F of transactions is sampled with Threshold F·2^64
	// (SampleThreshold). The choice depends on the signature and the
	// seed only, never on timing.
	Threshold uint64
	Seed      uint64
	// OnDivergence is told of every transaction whose results differ.
	OnDivergence func(Divergence)
}

// SampleThreshold is VerifyConfig.Threshold for a fraction in (0, 1].
func SampleThreshold(fraction float64) uint64 {
	if fraction >= 1 {
		return ^uint64(0)
	}
	return uint64(fraction * (1 << 64))
}

// Divergence is a transaction whose optimistic (JIT) and reference
// (interpreter) executions differ. The block committed is the
// reference's.
type Divergence struct {
	Slot uint64
	// Index is the transaction's in the block; -1 when every transaction
	// agreed but the block's hash did not (JIT and Interp are then nil).
	Index     int
	Signature txn.Signature
	// Quarantined are the keys sent to the interpreter: every account of
	// the transaction, which includes every program it invoked.
	Quarantined []pubkey.Pubkey
	JIT, Interp *svm.Result
}

// Sampled reports whether c samples the transaction with this signature.
func (c *VerifyConfig) Sampled(sig txn.Signature) bool {
	var seed [8]byte
	binary.LittleEndian.PutUint64(seed[:], c.Seed)
	h := sha256.New()
	h.Write(seed[:])
	h.Write(sig[:])
	var sum [sha256.Size]byte
	return binary.BigEndian.Uint64(h.Sum(sum[:0])) < c.Threshold
}

// ProcessBlockVerified is ProcessBlockContext for the verified tier. The
// block is executed optimistically; when any of its transactions is
// sampled, the whole block is executed again from the same pre-state
// with every program on the interpreter (a transaction's pre-state is
// the block's plus the writes of those before it, which only the block
// gives), before anything is committed. Every transaction's status, fee,
// CU, logs, return data and writes, and the block's header, are
// compared. On any difference the accounts of the differing transactions
// (their programs among them) are quarantined, each divergence is
// reported, and the reference execution is the block committed.
//
// The re-execution is synchronous: the block commits after it.
func (b *Bank) ProcessBlockVerified(ctx context.Context, txs []*txn.Transaction, timestamp int64, c VerifyConfig) (*BlockResult, []Divergence, error) {
	p, err := b.ExecuteBlock(ctx, txs, timestamp)
	if err != nil {
		return nil, nil, err
	}
	if !slices.ContainsFunc(txs, func(tx *txn.Transaction) bool { return len(tx.Signatures) > 0 && c.Sampled(tx.Signatures[0]) }) {
		res, err := b.CommitBlock(p)
		return res, nil, err
	}
	c.Engine.SetReference(true)
	ref, err := b.ExecuteBlock(ctx, txs, timestamp)
	c.Engine.SetReference(false)
	if err != nil {
		return nil, nil, err
	}
	var divs []Divergence
	quarantine := func(i int, got, want *svm.Result) []pubkey.Pubkey {
		keys := slices.Clone(txs[i].Message.AccountKeys)
		for _, r := range []*svm.Result{got, want} {
			if r != nil {
				keys = append(append(keys, r.Loaded.Writable...), r.Loaded.Readonly...)
			}
		}
		ids := make([][32]byte, len(keys))
		for j, k := range keys {
			ids[j] = k
		}
		c.Engine.Quarantine(ids...)
		return keys
	}
	for i := range txs {
		got, want := p.Result.Txs[i].Result, ref.Result.Txs[i].Result
		if !sameTxResult(got, want) {
			divs = append(divs, Divergence{Slot: ref.Result.Header.Height, Index: i, Signature: p.Result.Txs[i].Signature, Quarantined: quarantine(i, got, want), JIT: got, Interp: want})
		}
	}
	if len(divs) == 0 && p.Result.Header.Hash != ref.Result.Header.Hash {
		// Every transaction agrees but the block does not: nothing to pin
		// it on, so every account of the block is quarantined.
		d := Divergence{Slot: ref.Result.Header.Height, Index: -1}
		for i := range txs {
			d.Quarantined = append(d.Quarantined, quarantine(i, nil, nil)...)
		}
		divs = append(divs, d)
	}
	if c.OnDivergence != nil {
		for _, d := range divs {
			c.OnDivergence(d)
		}
	}
	chosen := p
	if len(divs) > 0 {
		chosen = ref
	}
	res, err := b.CommitBlock(chosen)
	return res, divs, err
}

// sameTxResult compares what a transaction's execution decides.
func sameTxResult(a, b *svm.Result) bool {
	if (a == nil) != (b == nil) {
		return false
	}
	if a == nil {
		return true
	}
	if (a.Err == nil) != (b.Err == nil) || (a.Err != nil && a.Err.Error() != b.Err.Error()) {
		return false
	}
	return a.Charged == b.Charged && a.Fee == b.Fee && a.CU == b.CU &&
		slices.Equal(a.Logs, b.Logs) && a.ReturnProgram == b.ReturnProgram && bytes.Equal(a.ReturnData, b.ReturnData) &&
		slices.EqualFunc(a.Writes, b.Writes, sameKeyed)
}

func sameKeyed(a, b account.Keyed) bool {
	return a.Key == b.Key && a.Account.Lamports == b.Account.Lamports && a.Account.Owner == b.Account.Owner &&
		a.Account.Executable == b.Account.Executable && a.Account.RentEpoch == b.Account.RentEpoch && bytes.Equal(a.Account.Data, b.Account.Data)
}
