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

// QuarantineEngine is the engine side of the verified tier (jit.Quarantine
// implements it): optimistic machine code, with the interpreter for
// reference runs (svm.Env.Reference) and, for good, for the program ids
// quarantined.
type QuarantineEngine interface {
	Quarantine(ids ...[32]byte)
}

// VerifyConfig configures ProcessBlockVerified.
type VerifyConfig struct {
	// Engine is the executor's engine.
	Engine QuarantineEngine
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
	// Index is the transaction's in the block.
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
// block is executed optimistically, and each sampled transaction is
// executed a second time, with every program on the interpreter, from
// the same pre-state (the block's, under the writes of the transactions
// before it), in the background: on its own goroutine, beside the rest
// of the block. The block waits for those checks before it commits.
// Each check compares the transaction's status, fee, CU, logs, return
// data and writes.
//
// On any difference, the accounts of the differing transactions (their
// programs among them) are quarantined to the interpreter, each
// divergence is reported with both results, and the block is executed
// again from its pre-state with every program on the interpreter: that
// execution is the block committed.
func (b *Bank) ProcessBlockVerified(ctx context.Context, txs []*txn.Transaction, timestamp int64, c VerifyConfig) (*BlockResult, []Divergence, error) {
	p, err := b.executeBlock(ctx, txs, timestamp, blockRun{check: func(tx *txn.Transaction) bool {
		return len(tx.Signatures) > 0 && c.Sampled(tx.Signatures[0])
	}})
	if err != nil {
		return nil, nil, err
	}
	var divs []Divergence
	for _, ch := range p.checks {
		got, want := p.Result.Txs[ch.Index].Result, ch.Result
		if sameTxResult(got, want) {
			continue
		}
		keys := slices.Clone(txs[ch.Index].Message.AccountKeys)
		for _, r := range []*svm.Result{got, want} {
			keys = append(append(keys, r.Loaded.Writable...), r.Loaded.Readonly...)
		}
		ids := make([][32]byte, len(keys))
		for j, k := range keys {
			ids[j] = k
		}
		c.Engine.Quarantine(ids...)
		divs = append(divs, Divergence{Slot: p.Result.Header.Height, Index: ch.Index, Signature: p.Result.Txs[ch.Index].Signature, Quarantined: keys, JIT: got, Interp: want})
	}
	if len(divs) == 0 {
		res, err := b.CommitBlock(p)
		return res, nil, err
	}
	if c.OnDivergence != nil {
		for _, d := range divs {
			c.OnDivergence(d)
		}
	}
	ref, err := b.executeBlock(ctx, txs, timestamp, blockRun{reference: true})
	if err != nil {
		return nil, divs, err
	}
	res, err := b.CommitBlock(ref)
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
