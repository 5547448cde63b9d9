package sim

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/svm/bank"
)

// Blocks is what the simulator needs of a chain: blocks executed and
// committed in order, and accounts read back.
type Blocks interface {
	ProcessBlock(txs []*txn.Transaction, timestamp int64) (*bank.BlockResult, error)
	// ExecuteBlock and CommitBlock are ProcessBlock in two steps.
	ExecuteBlock(ctx context.Context, txs []*txn.Transaction, timestamp int64) (*bank.PendingBlock, error)
	CommitBlock(p *bank.PendingBlock) (*bank.BlockResult, error)
	// Precheck starts checking the signatures of a block to be executed
	// next, on spare cores (bank.Bank.Precheck).
	Precheck(txs []*txn.Transaction)
	LatestBlockhash() txn.Hash
	Head() store.Header
	Account(k pubkey.Pubkey) (account.Account, error)
}

// keyFor derives a keypair from the run's seed, a role and an index, so
// that a seed names every key of a run.
func keyFor(seed uint64, role string, i int) signer { return newSigner(keySeed(seed, role, i)) }

// keySeed is the Ed25519 seed of keyFor's key.
func keySeed(seed uint64, role string, i int) []byte {
	h := sha256.New()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], seed)
	binary.LittleEndian.PutUint64(b[8:], uint64(i))
	h.Write([]byte("agora-sim/" + role))
	h.Write(b[:])
	return h.Sum(nil)
}

// keyring holds a role's keys, derived on all cores.
type keyring struct {
	keys []*signer
	pub  []pubkey.Pubkey
}

func newKeyring(seed uint64, role string, n int) *keyring {
	k := &keyring{keys: make([]*signer, n), pub: make([]pubkey.Pubkey, n)}
	backing := make([]signer, n)
	parallelFor(n, func(i int) {
		backing[i] = keyFor(seed, role, i)
		k.keys[i], k.pub[i] = &backing[i], backing[i].pub
	})
	return k
}

// parallelFor runs f(0..n-1) on all cores. f must write only to its own
// index's slots; the result is then independent of the schedule.
func parallelFor(n int, f func(i int)) {
	parallelChunks(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			f(i)
		}
	})
}

// parallelChunks splits 0..n-1 into contiguous chunks and runs f on
// each, on all cores. f must write only to its chunk's slots.
//
// The chunks are small and taken in turn by whichever worker is free,
// not one per core: the workers often share the cores with other work
// (a block's commit while the next block is signed), and a worker the
// scheduler leaves waiting would otherwise finish its share alone
// while the other core idles.
func parallelChunks(n int, f func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/64))
	if workers <= 1 {
		f(0, n)
		return
	}
	chunk := max(16, n/(8*workers))
	var next atomic.Int64
	work := func() {
		for {
			lo := int(next.Add(int64(chunk))) - chunk
			if lo >= n {
				return
			}
			f(lo, min(n, lo+chunk))
		}
	}
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// txSpec is a transaction to build: its instructions and its signers,
// the first of which pays.
type txSpec struct {
	ixs     []txn.Instruction
	signers []*signer
}

// fits reports whether the transaction, signed, is at most
// txn.PacketDataSize bytes, the most a chain admits. Its size does not
// depend on the blockhash or the signatures' values.
func (s txSpec) fits() (bool, error) {
	m, err := txn.Compile(s.signers[0].pub, s.ixs, txn.Hash{})
	if err != nil {
		return false, err
	}
	tx := txn.Transaction{Signatures: make([]txn.Signature, m.Header.NumRequiredSignatures), Message: *m}
	return len(tx.Encode()) <= txn.PacketDataSize, nil
}

// primitive is what a transaction exercises, for CU accounting.
type primitive uint8

const (
	primAuction primitive = iota
	primEscrow
	primReputation
	primStake
	primRing
	primCrypto
	primBytecode
	primSystem
	numPrimitives
)

func (p primitive) String() string {
	return [...]string{"auction", "escrow", "reputation", "stake", "ring", "crypto", "bytecode", "system"}[p]
}

// txOutcome is what the report needs of a transaction's result.
type txOutcome struct {
	cu, fee uint64
	// failed: it ran and failed (its fee paid); dropped: it was not in a
	// block at all (rejected before its fee could be charged).
	failed, dropped bool
	err             string
	// ret is the return data of a transaction that set some.
	ret []byte
}

// phaseOutcome is what a phase's transactions did, in order.
type phaseOutcome struct {
	txs    []txOutcome
	blocks int
	wall   time.Duration
	// vm and store are the time spent in the VM (with the executor's
	// MeasureVM) and committing blocks; build is the time the phase
	// waited for building and signing.
	vm, store, build time.Duration
}

// slotClock stamps blocks: one slot per block, 400 ms apart.
type slotClock struct{ ts int64 }

func (c *slotClock) next() int64 { c.ts++; return c.ts }

// runPhase builds transactions 0..n-1 with build, signs them against the
// latest blockhash and executes them in blocks of at most perBlock, in
// order. A transaction the block's cost limits leave out is sent again
// in the next block, first, as a client would, and the phase's later
// blocks are sized to what fitted: a transaction left out was signed and
// its signature checked for nothing (with the default 20,000 CU limit
// per agent transaction, about 1,350 of 2,048 fit). Building and signing run
// on all cores, a block at a time, so a phase never holds more than one
// block of transactions; neither the transactions nor their order depend
// on the schedule. The next block's transactions are signed while the
// store writes the last one (the block's hash, which they are signed
// against, is known once it executed), and their signatures are checked
// ahead on whatever core that leaves idle.
func runPhase(chain Blocks, clock *slotClock, n int, build func(i int) txSpec, perBlock int, onBlock func(txs int)) (*phaseOutcome, error) {
	out := &phaseOutcome{txs: make([]txOutcome, n)}
	start := time.Now()
	next := 0
	// limit is the block size: perBlock until a block leaves some out,
	// then what that block held. A phase's transactions cost alike.
	limit := perBlock
	var queue []int // left out, to send again
	// nextBatch takes the transactions left out first, then fresh ones.
	nextBatch := func() []int {
		k := min(limit, len(queue))
		batch := append([]int(nil), queue[:k]...)
		queue = queue[k:]
		for len(batch) < limit && next < n {
			batch = append(batch, next)
			next++
		}
		return batch
	}
	batch := nextBatch()
	buildStart := time.Now()
	txs, err := signBatchOf(batch, build, chain.LatestBlockhash())
	if err != nil {
		return nil, err
	}
	out.build += time.Since(buildStart)
	for len(batch) > 0 {
		p, err := chain.ExecuteBlock(context.Background(), txs, clock.next())
		if err != nil {
			return nil, err
		}
		res := p.Result
		var retry []int
		included := 0
		for i, r := range res.Txs {
			o := txOutcome{}
			if r.Result != nil {
				out.vm += r.VMTime
				o.cu, o.fee, o.dropped = r.CU, r.Fee, !r.Charged
				if len(r.ReturnData) > 0 {
					o.ret = r.ReturnData
				}
				if r.Err != nil {
					o.failed, o.err = r.Charged, r.Err.Error()
					if overLimit(r.Err) {
						retry = append(retry, batch[i])
						continue
					}
				}
			}
			included++
			out.txs[batch[i]] = o
		}
		if included == 0 && len(retry) > 0 {
			return nil, fmt.Errorf("sim: no transaction fits in a block: transaction %d: %s", retry[0], res.Txs[0].Err)
		}
		if len(retry) > 0 {
			limit = included
			queue = append(queue, retry...)
			slices.Sort(queue) // in the phase's order
		}
		// Sign the next block against this one's hash while it commits.
		following := nextBatch()
		type signed struct {
			txs []*txn.Transaction
			err error
		}
		ready := make(chan signed, 1)
		if len(following) > 0 {
			go func() {
				t, err := signBatchOf(following, build, res.Header.Hash)
				if err == nil {
					// A core the commit leaves idle checks them now.
					chain.Precheck(t)
				}
				ready <- signed{t, err}
			}()
		}
		if _, err := chain.CommitBlock(p); err != nil {
			return nil, err
		}
		out.store += res.StoreTime
		out.blocks++
		if onBlock != nil {
			onBlock(included)
		}
		batch, txs = following, nil
		if len(batch) > 0 {
			// Only the wait is the phase's time: the rest overlapped the
			// commit.
			waitStart := time.Now()
			s := <-ready
			out.build += time.Since(waitStart)
			if s.err != nil {
				return nil, s.err
			}
			txs = s.txs
		}
	}
	out.wall = time.Since(start)
	return out, nil
}

// signBatchOf builds and signs the transactions of batch against hash,
// on all cores.
func signBatchOf(batch []int, build func(i int) txSpec, hash txn.Hash) ([]*txn.Transaction, error) {
	txs := make([]*txn.Transaction, len(batch))
	errs := make([]error, len(batch))
	parallelChunks(len(batch), func(lo, hi int) {
		specs := make([]txSpec, hi-lo)
		for i := range specs {
			specs[i] = build(batch[lo+i])
		}
		signed, bad, err := signAll(specs, hash)
		if err != nil {
			errs[lo+bad] = fmt.Errorf("sim: building transaction %d: %w", batch[lo+bad], err)
			return
		}
		copy(txs[lo:hi], signed)
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return txs, nil
}

// overLimit reports whether a transaction was left out of its block for
// the block's cost limits, and so may go in a later one.
func overLimit(e *svm.TransactionError) bool {
	switch e.Kind {
	case svm.WouldExceedMaxBlockCostLimit, svm.WouldExceedMaxAccountCostLimit, svm.WouldExceedAccountDataBlockLimit:
		return true
	}
	return false
}

// waitUntil produces empty blocks until the next block is at slot.
func waitUntil(chain Blocks, clock *slotClock, slot uint64) error {
	for chain.Head().Height+1 < slot {
		if err := emptyBlock(chain, clock); err != nil {
			return err
		}
	}
	return nil
}

// emptyBlock advances the chain by one slot.
func emptyBlock(chain Blocks, clock *slotClock) error {
	_, err := chain.ProcessBlock(nil, clock.next())
	return err
}
