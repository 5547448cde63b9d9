package sched

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
)

// MaxBlockTransactions is the most transactions one block may hold. At
// Agave's cheapest admitted cost (a signature and a write lock, about
// 1,000 CU) a 50M CU block holds fewer than 50,000; the bound keeps a
// hostile block from claiming unbounded memory before packing.
const MaxBlockTransactions = 1 << 16

// ErrBlockTooLarge is returned for a block of more than
// MaxBlockTransactions transactions.
var ErrBlockTooLarge = errors.New("sched: block holds too many transactions")

// Block is one block's transactions and what they execute against.
type Block struct {
	// Txs are the transactions in block order.
	Txs []*txn.Transaction
	// State is the accounts as of the block's start. It is read from
	// several goroutines and never written.
	State svm.AccountReader
	// Env is the block's slot, sysvars and programs.
	Env *svm.Env
	// Admit is the caller's stateless admission check after svm.Check
	// (a recent blockhash, not processed in an earlier block); nil admits
	// every transaction. It is called from several goroutines.
	Admit func(*txn.Transaction) *svm.TransactionError
}

// Config configures a Scheduler.
type Config struct {
	// Lanes is the number of workers; 1 runs the block serially on the
	// calling goroutine, 0 or less means one per core (GOMAXPROCS).
	Lanes int
	// Limits are the block's cost limits; the zero value is Agave's.
	Limits Limits
	// Trace, if not nil, records one slice per transaction and phase.
	Trace *Trace
	// SkipSignatures admits transactions without verifying their
	// signatures (svm.CheckUnsigned), for simulations that choose to; a
	// chain never sets it.
	SkipSignatures bool
}

// Output is an executed block.
type Output struct {
	// Results holds one result per transaction, in block order. A
	// transaction whose Result.Charged is false is not in the block.
	Results []*svm.Result
	// Writes are the accounts the block changed, each once, in the order
	// they were first written, with their last value.
	Writes []account.Keyed
	// Signatures are the ids of the transactions in the block (charged),
	// in block order.
	Signatures []txn.Signature
	// Cost is the estimated cost the block reserved.
	Cost uint64
}

// Scheduler executes blocks with one executor. It is safe for concurrent
// use, though a chain runs one block at a time.
type Scheduler struct {
	ex  *svm.Executor
	cfg Config
}

// New returns a scheduler over ex.
func New(ex *svm.Executor, cfg Config) *Scheduler {
	if cfg.Lanes <= 0 {
		cfg.Lanes = runtime.GOMAXPROCS(0)
	}
	cfg.Limits = cfg.Limits.orDefault()
	return &Scheduler{ex: ex, cfg: cfg}
}

// Lanes returns the number of workers.
func (s *Scheduler) Lanes() int { return s.cfg.Lanes }

// Executor returns the scheduler's executor.
func (s *Scheduler) Executor() *svm.Executor { return s.ex }

// slot is one account the block's transactions declare.
type slot struct {
	// Packing: the last transaction locking it writable, and the readers
	// since.
	lastWriter int32
	readers    []int32
	// Execution: the latest value written in the block. A transaction
	// reads it only after its writer finished (the graph orders them).
	val account.Account
	set bool
}

// run is one block's execution state.
type run struct {
	s   *Scheduler
	b   *Block
	ctx context.Context

	results  []*svm.Result
	static   []*svm.TransactionError // admission errors (phase 1)
	costs    []Cost
	slotOf   [][]int32 // per transaction: the slot of each message key
	slots    []slot
	succ     [][]int32
	pending  []atomic.Int32
	dupPrev  []int32
	inBlock  []bool // charged, or an earlier copy was
	packed   int
	canceled atomic.Bool
}

// Execute runs a block and returns its results; it changes nothing
// outside the Output. It fails only for a block that is too large, a
// missing state or environment, or a canceled ctx, and then returns no
// output.
func (s *Scheduler) Execute(ctx context.Context, b *Block) (*Output, error) {
	if len(b.Txs) > MaxBlockTransactions {
		return nil, fmt.Errorf("%w: %d, at most %d", ErrBlockTooLarge, len(b.Txs), MaxBlockTransactions)
	}
	if b.State == nil || b.Env == nil {
		return nil, errors.New("sched: a block needs a state and an environment")
	}
	for i, tx := range b.Txs {
		if tx == nil {
			return nil, fmt.Errorf("sched: transaction %d is missing", i)
		}
	}
	n := len(b.Txs)
	r := &run{s: s, b: b, ctx: ctx,
		results: make([]*svm.Result, n), static: make([]*svm.TransactionError, n), costs: make([]Cost, n),
		slotOf: make([][]int32, n), succ: make([][]int32, n), pending: make([]atomic.Int32, n),
		dupPrev: make([]int32, n), inBlock: make([]bool, n)}
	lanes := min(s.cfg.Lanes, max(n, 1))

	// 1. Admission on every lane.
	r.parallel(lanes, "verify", r.admit)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// 2. Packing in block order.
	tr := newTracker(s.cfg.Limits)
	r.pack(tr)
	// 3. Execution.
	if lanes == 1 {
		w := r.lane(0)
		for i := range n {
			if r.results[i] == nil {
				r.exec(w, int32(i))
			}
		}
		w.flush()
	} else {
		r.parallelGraph(lanes)
	}
	if err := ctx.Err(); err != nil || r.canceled.Load() {
		if err == nil {
			err = context.Canceled
		}
		return nil, err
	}
	return r.output(tr.block), nil
}

// lane is one worker's trace buffer.
type lane struct {
	r      *run
	id     int
	slices []Slice
}

func (r *run) lane(id int) *lane { return &lane{r: r, id: id} }

func (w *lane) record(phase string, i int32, start time.Time) {
	if t := w.r.s.cfg.Trace; t != nil {
		w.slices = append(w.slices, Slice{Lane: w.id, Phase: phase, Slot: w.r.b.Env.Slot, Tx: int(i),
			Start: start.Sub(t.origin), Dur: time.Since(start)})
	}
}

func (w *lane) flush() {
	if t := w.r.s.cfg.Trace; t != nil && len(w.slices) > 0 {
		t.add(w.slices)
		w.slices = nil
	}
}

func (w *lane) now() time.Time {
	if w.r.s.cfg.Trace != nil {
		return time.Now()
	}
	return time.Time{}
}

// parallel runs f for every transaction on lanes workers (on the calling
// goroutine for one).
func (r *run) parallel(lanes int, phase string, f func(int32)) {
	n := int32(len(r.b.Txs))
	if lanes == 1 {
		w := r.lane(0)
		for i := range n {
			start := w.now()
			f(i)
			w.record(phase, i, start)
		}
		w.flush()
		return
	}
	var next atomic.Int32
	var wg sync.WaitGroup
	for id := range lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := r.lane(id)
			for {
				i := next.Add(1) - 1
				if i >= n {
					break
				}
				start := w.now()
				f(i)
				w.record(phase, i, start)
			}
			w.flush()
		}()
	}
	wg.Wait()
}

// admit is step 1 for transaction i: sanitization, signatures, the
// caller's checks and the estimated cost.
func (r *run) admit(i int32) {
	tx := r.b.Txs[i]
	check := svm.Check
	if r.s.cfg.SkipSignatures {
		check = svm.CheckUnsigned
	}
	err := check(tx)
	if err == nil && r.b.Admit != nil {
		err = r.b.Admit(tx)
	}
	if err != nil {
		r.static[i] = err
		return
	}
	r.costs[i] = EstimateCost(r.s.ex, tx)
}

// pack is step 2: inclusion under the cost limits and the conflict
// graph, in block order.
func (r *run) pack(tr *tracker) {
	index := map[pubkey.Pubkey]int32{}
	lastCopy := map[txn.Signature]int32{}
	mark := make([]int32, len(r.b.Txs)) // mark[j] == i+1: edge j->i added
	edge := func(from, to int32) {
		if from < 0 || from == to || mark[from] == to+1 {
			return
		}
		mark[from] = to + 1
		r.succ[from] = append(r.succ[from], to)
		r.pending[to].Add(1)
	}
	var writable []pubkey.Pubkey
	for i, tx := range r.b.Txs {
		i := int32(i)
		r.dupPrev[i] = -1
		if err := r.static[i]; err != nil {
			r.results[i] = &svm.Result{Err: err}
			continue
		}
		m := &tx.Message
		writable = writable[:0]
		for j, k := range m.AccountKeys {
			if isWritable(m, j) {
				writable = append(writable, k)
			}
		}
		if err := tr.tryAdd(r.costs[i], writable); err != nil {
			r.results[i] = &svm.Result{Err: err}
			continue
		}
		r.packed++
		if prev, ok := lastCopy[tx.ID()]; ok {
			r.dupPrev[i] = prev
			edge(prev, i)
		}
		lastCopy[tx.ID()] = i
		slots := make([]int32, len(m.AccountKeys))
		for j, k := range m.AccountKeys {
			si, ok := index[k]
			if !ok {
				si = int32(len(r.slots))
				index[k] = si
				r.slots = append(r.slots, slot{lastWriter: -1})
			}
			slots[j] = si
			a := &r.slots[si]
			edge(a.lastWriter, i)
			if isWritable(m, j) {
				for _, rd := range a.readers {
					edge(rd, i)
				}
				a.lastWriter, a.readers = i, a.readers[:0]
			} else {
				a.readers = append(a.readers, i)
			}
		}
		r.slotOf[i] = slots
	}
}

// isWritable is the executor's rule (demotions applied); the fee payer,
// which the executor writes even when a transaction fails, always is.
func isWritable(m *txn.Message, j int) bool { return j == 0 || m.IsWritable(j) }

// exec is step 3 for transaction i, whose predecessors have finished.
func (r *run) exec(w *lane, i int32) {
	if r.canceled.Load() || r.ctx.Err() != nil {
		r.canceled.Store(true)
		return
	}
	start := w.now()
	tx := r.b.Txs[i]
	if p := r.dupPrev[i]; p >= 0 && r.inBlock[p] {
		r.results[i] = &svm.Result{Err: &svm.TransactionError{Kind: svm.AlreadyProcessed}}
		r.inBlock[i] = true
		w.record("execute", i, start)
		return
	}
	res := r.s.ex.Execute(tx, &txReader{r: r, keys: tx.Message.AccountKeys, slots: r.slotOf[i]}, r.b.Env)
	if res.Charged {
		for _, wr := range res.Writes {
			if si, ok := r.slotFor(i, wr.Key); ok {
				r.slots[si].val, r.slots[si].set = wr.Account, true
			}
		}
		r.inBlock[i] = true
	}
	r.results[i] = res
	w.record("execute", i, start)
}

func (r *run) slotFor(i int32, k pubkey.Pubkey) (int32, bool) {
	for j, key := range r.b.Txs[i].Message.AccountKeys {
		if key == k {
			return r.slotOf[i][j], true
		}
	}
	return 0, false
}

// txReader is one transaction's view: its declared accounts as the block
// has left them so far, over the block's starting state.
type txReader struct {
	r     *run
	keys  []pubkey.Pubkey
	slots []int32
}

func (t *txReader) Account(k pubkey.Pubkey) (account.Account, error) {
	for j, key := range t.keys {
		if key == k {
			if s := &t.r.slots[t.slots[j]]; s.set {
				return s.val.Clone(), nil
			}
			break
		}
	}
	return t.r.b.State.Account(k)
}

// parallelGraph runs the packed transactions on lanes workers, each as
// soon as its predecessors have finished. A worker continues with one
// transaction its own completion made ready, so a chain of conflicting
// transactions stays on one worker without hand-offs.
func (r *run) parallelGraph(lanes int) {
	total := int32(r.packed)
	if total == 0 {
		return
	}
	ready := make(chan int32, total)
	for i := range r.b.Txs {
		if r.results[i] == nil && r.pending[i].Load() == 0 {
			ready <- int32(i)
		}
	}
	var done atomic.Int32
	var wg sync.WaitGroup
	for id := range lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := r.lane(id)
			defer w.flush()
			for i := range ready {
				for i >= 0 {
					r.exec(w, i)
					next := int32(-1)
					for _, j := range r.succ[i] {
						if r.pending[j].Add(-1) == 0 {
							if next < 0 {
								next = j
							} else {
								ready <- j
							}
						}
					}
					if done.Add(1) == total {
						close(ready)
					}
					i = next
				}
			}
		}()
	}
	wg.Wait()
}

// output merges the results in block order.
func (r *run) output(cost uint64) *Output {
	out := &Output{Results: r.results, Cost: cost}
	pos := map[pubkey.Pubkey]int{}
	for i, res := range r.results {
		if !res.Charged {
			continue
		}
		out.Signatures = append(out.Signatures, r.b.Txs[i].ID())
		for _, w := range res.Writes {
			if p, ok := pos[w.Key]; ok {
				out.Writes[p].Account = w.Account
				continue
			}
			pos[w.Key] = len(out.Writes)
			out.Writes = append(out.Writes, w)
		}
	}
	return out
}
