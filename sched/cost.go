package sched

import (
	"fmt"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
)

// Agave's cost model constants (cost-model's block_cost_limits and
// cost_model): compute units are charged at 30 per microsecond measured on
// the cluster.
const (
	// SignatureCost is charged per transaction signature.
	SignatureCost = 720
	// Secp256k1VerifyCost is charged per signature a secp256k1
	// precompile instruction checks.
	Secp256k1VerifyCost = 6_690
	// Ed25519VerifyCost is charged per signature an ed25519 precompile
	// instruction checks (the strict verification mainnet runs).
	Ed25519VerifyCost = 2_400
	// Secp256r1VerifyCost is charged per signature a secp256r1
	// precompile instruction checks.
	Secp256r1VerifyCost = 4_800
	// WriteLockCost is charged per account the message requests writable.
	WriteLockCost = 300
	// InstructionDataBytesPerCU: instruction data costs one CU per 4 bytes.
	InstructionDataBytesPerCU = 4
	// HeapPageCost is charged per 32 KiB page of the requested loaded
	// accounts data size.
	HeapPageCost = 8
	heapPageSize = 32 * 1024

	// MaxBlockUnits is the most cost one block may hold (SIMD-0207).
	MaxBlockUnits = 50_000_000
	// MaxWritableAccountUnits is the most cost the transactions writing
	// one account may add up to in one block.
	MaxWritableAccountUnits = 12_000_000
	// MaxBlockAccountsDataSizeDelta is the most account data one block's
	// System allocations may request.
	MaxBlockAccountsDataSizeDelta = 100_000_000
)

// Limits are the block's cost limits. The zero value means Agave's.
type Limits struct {
	// Block is the most cost a block holds.
	Block uint64
	// Account is the most cost of the transactions writing one account.
	Account uint64
	// AccountDataDelta is the most new account data a block allocates.
	AccountDataDelta uint64
}

// DefaultLimits returns Agave's limits: 50M per block, 12M per writable
// account, 100 MB of new account data.
func DefaultLimits() Limits {
	return Limits{Block: MaxBlockUnits, Account: MaxWritableAccountUnits, AccountDataDelta: MaxBlockAccountsDataSizeDelta}
}

func (l Limits) orDefault() Limits {
	d := DefaultLimits()
	if l.Block == 0 {
		l.Block = d.Block
	}
	if l.Account == 0 {
		l.Account = d.Account
	}
	if l.AccountDataDelta == 0 {
		l.AccountDataDelta = d.AccountDataDelta
	}
	return l
}

// Cost is a transaction's estimated cost, Agave's UsageCostDetails: it is
// known before execution and depends only on the transaction, so the
// block's inclusion decisions do not depend on how it executes.
type Cost struct {
	Signature, WriteLock, DataBytes, Execution, LoadedAccountsData uint64
	// AllocatedAccountsData is the account data its System instructions
	// allocate (CreateAccount, CreateAccountWithSeed, Allocate,
	// AllocateWithSeed).
	AllocatedAccountsData uint64
}

// Sum is the cost counted against the block and account limits.
func (c Cost) Sum() uint64 {
	return sat(sat(sat(sat(c.Signature, c.WriteLock), c.DataBytes), c.Execution), c.LoadedAccountsData)
}

func sat(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return ^uint64(0)
}

// EstimateCost is Agave's CostModel::calculate_cost for a non-vote
// transaction: signatures (its own and those of precompile instructions),
// the write locks the header requests, instruction data, the requested
// compute-unit limit and the requested loaded-accounts data size. A
// transaction whose compute budget instructions are invalid costs no
// execution (it will not execute).
func EstimateCost(ex *svm.Executor, tx *txn.Transaction) Cost {
	return estimateCost(ex, tx, nil)
}

// estimateCost is EstimateCost counting the write locks of a v0
// transaction's loaded writable addresses too (rs may be nil).
func estimateCost(ex *svm.Executor, tx *txn.Transaction, rs *txn.Resolved) Cost {
	m := &tx.Message
	var c Cost
	var k1, ed, r1, data uint64
	for _, ci := range m.Instructions {
		data += uint64(len(ci.Data))
		if int(ci.ProgramIDIndex) >= len(m.AccountKeys) {
			continue
		}
		prog := m.AccountKeys[ci.ProgramIDIndex]
		var n uint64
		if len(ci.Data) > 0 {
			n = uint64(ci.Data[0])
		}
		switch prog {
		case pubkey.Secp256k1Program():
			k1 += n
		case pubkey.Ed25519Program():
			ed += n
		case pubkey.Secp256r1Program():
			r1 += n
		case pubkey.SystemProgram():
			c.AllocatedAccountsData = sat(c.AllocatedAccountsData, allocation(ci.Data))
		}
	}
	c.Signature = sat(sat(sat(uint64(len(tx.Signatures))*SignatureCost, k1*Secp256k1VerifyCost), ed*Ed25519VerifyCost), r1*Secp256r1VerifyCost)
	var writable uint64
	for i := range m.AccountKeys {
		if m.IsWritableIndex(i) {
			writable++
		}
	}
	if rs != nil {
		writable += uint64(len(rs.Loaded.Writable))
	}
	c.WriteLock = writable * WriteLockCost
	c.DataBytes = data / InstructionDataBytesPerCU
	if l, err := ex.ComputeBudget(m); err == nil {
		c.Execution = l.ComputeUnitLimit
		pages := (uint64(l.LoadedAccountsDataMax) + heapPageSize - 1) / heapPageSize
		c.LoadedAccountsData = pages * HeapPageCost
	}
	return c
}

// allocation is the space a System instruction allocates.
func allocation(data []byte) uint64 {
	ix, err := system.Decode(data)
	if err != nil {
		return 0
	}
	switch ix.Tag {
	case system.TagCreateAccount, system.TagCreateAccountWithSeed, system.TagAllocate, system.TagAllocateWithSeed:
		return ix.Space
	}
	return 0
}

// tracker is Agave's CostTracker with estimated costs only: a transaction
// is added in block order if it fits, and its cost stays reserved.
type tracker struct {
	limits    Limits
	block     uint64
	allocated uint64
	accounts  map[pubkey.Pubkey]uint64
}

func newTracker(l Limits) *tracker {
	return newTrackerFor(l, 0)
}

// newTrackerFor is newTracker with room for about n transactions.
func newTrackerFor(l Limits, n int) *tracker {
	return &tracker{limits: l.orDefault(), accounts: make(map[pubkey.Pubkey]uint64, 2*n)}
}

// tryAdd reserves c for a transaction writing the given accounts, or
// says which limit it would exceed.
func (t *tracker) tryAdd(c Cost, writable []pubkey.Pubkey) *svm.TransactionError {
	sum := c.Sum()
	if sat(t.block, sum) > t.limits.Block {
		return &svm.TransactionError{Kind: svm.WouldExceedMaxBlockCostLimit,
			Detail: fmt.Sprintf("cost %d on top of %d exceeds the block's %d", sum, t.block, t.limits.Block)}
	}
	if sum > t.limits.Account {
		return &svm.TransactionError{Kind: svm.WouldExceedMaxAccountCostLimit,
			Detail: fmt.Sprintf("cost %d exceeds the per-account %d", sum, t.limits.Account)}
	}
	if sat(t.allocated, c.AllocatedAccountsData) > t.limits.AccountDataDelta {
		return &svm.TransactionError{Kind: svm.WouldExceedAccountDataBlockLimit,
			Detail: fmt.Sprintf("allocating %d bytes on top of %d exceeds the block's %d", c.AllocatedAccountsData, t.allocated, t.limits.AccountDataDelta)}
	}
	for _, k := range writable {
		if have := t.accounts[k]; sat(have, sum) > t.limits.Account {
			return &svm.TransactionError{Kind: svm.WouldExceedMaxAccountCostLimit,
				Detail: fmt.Sprintf("account %s: cost %d on top of %d exceeds %d", k, sum, have, t.limits.Account)}
		}
	}
	t.block = sat(t.block, sum)
	t.allocated = sat(t.allocated, c.AllocatedAccountsData)
	for _, k := range writable {
		t.accounts[k] = sat(t.accounts[k], sum)
	}
	return nil
}

// Tracker is the cost tracker the scheduler packs a block with, for a
// block producer that chooses which transactions a proposal holds: a
// transaction it accepts would also be packed by Execute, in the same
// order, within the same limits.
type Tracker struct {
	t        *tracker
	writable []pubkey.Pubkey
}

// NewTracker returns an empty block's tracker under l (the zero value:
// Agave's limits).
func NewTracker(l Limits) *Tracker { return &Tracker{t: newTracker(l)} }

// TryAdd reserves the estimated cost c of the next transaction of the
// block, whose resolved message is m, or returns the limit it would
// exceed (WouldExceedMaxBlockCostLimit, WouldExceedMaxAccountCostLimit,
// WouldExceedAccountDataBlockLimit) and reserves nothing.
func (t *Tracker) TryAdd(c Cost, m *txn.Resolved) *svm.TransactionError {
	t.writable = t.writable[:0]
	for j, k := range m.Keys {
		if isWritable(m, j) {
			t.writable = append(t.writable, k)
		}
	}
	return t.t.tryAdd(c, t.writable)
}

// Used returns the cost reserved so far.
func (t *Tracker) Used() uint64 { return t.t.block }
