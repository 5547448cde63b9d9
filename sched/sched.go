package sched

import (
	"context"
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
	// Check, when not nil, picks transactions to check (the verified
	// tier's sample): each picked transaction that executes is executed
	// a second time under CheckEnv, from the same pre-state, on its own
	// goroutine while the rest of the block runs. Output.Checks holds
	// those executions; Execute returns once they have finished. It is
	// called from several goroutines.
	Check    func(*txn.Transaction) bool
	CheckEnv *svm.Env
	// Precheck, when not nil, holds outcomes of svm.Check for Txs that
	// were checked ahead of the block (Scheduler.Precheck over the same
	// slice); the block checks the rest itself.
	Precheck *Precheck
}

// Check is a transaction's second execution, under Block.CheckEnv.
type Check struct {
	// Index is the transaction's in the block.
	Index  int
	Result *svm.Result
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
	// Checks are the second executions Block.Check asked for, in block
	// order.
	Checks []Check
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
	// Packing (the packer only): the last transaction locking it
	// writable, and the readers since.
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
	n   int

	results []*svm.Result
	static  []*svm.TransactionError // admission errors
	costs   []Cost
	keys    []*txn.Resolved // per transaction: its keys, lookups resolved
	slotOf  [][]*slot       // per transaction: the slot of each key
	dupPrev []int32
	inBlock []bool // charged, or an earlier copy was

	// Packing state, in block order (under packMu when lanes run).
	tr       *tracker
	index    map[pubkey.Pubkey]*slot
	lastCopy map[txn.Signature]int32
	mark     []int32 // mark[j] == i+1: the edge j->i exists
	writable []pubkey.Pubkey
	packMu   sync.Mutex
	cursor   int
	admitted []atomic.Bool

	// The graph (under graphMu when lanes run).
	// slots backs the slots of index, allocated together.
	slots []slot

	graphMu  sync.Mutex
	succ     [][]int32
	pending  []int32
	done     []bool
	resolved int // transactions executed or left out
	ready    chan int32

	nextAdmit atomic.Int32
	canceled  atomic.Bool

	// The checks Block.Check asked for, running or done; slots bounds
	// those running at once to one per core.
	checking   sync.WaitGroup
	checkSlots chan struct{}
	checkMu    sync.Mutex
	checks     []Check
}

// Execute runs a block and returns its results; it changes nothing
// outside the Output. It fails only for a block that is too large, a
// missing state or environment, or a canceled ctx, and then returns no
// output.
func (s *Scheduler) Execute(ctx context.Context, b *Block) (*Output, error) {
	if len(b.Txs) > MaxBlockTransactions {
		return nil, fmt.Errorf("%w: %d, at most %d", ErrBlockTooLarge, len(b.Txs), MaxBlockTransactions)
	}
	if b.State == nil || b.Env == nil || (b.Check != nil && b.CheckEnv == nil) {
		return nil, errors.New("sched: a block needs a state and an environment (and one for its checks)")
	}
	for i, tx := range b.Txs {
		if tx == nil {
			return nil, fmt.Errorf("sched: transaction %d is missing", i)
		}
	}
	// The block's lanes check whatever the Precheck has not reached; its
	// goroutines, walking the same transactions beside them, would keep
	// arriving at the one a lane has just claimed, and each such
	// transaction would be checked twice.
	b.Precheck.Stop()
	n := len(b.Txs)
	r := &run{s: s, b: b, ctx: ctx, n: n,
		results: make([]*svm.Result, n), static: make([]*svm.TransactionError, n), costs: make([]Cost, n), keys: make([]*txn.Resolved, n),
		slotOf: make([][]*slot, n), dupPrev: make([]int32, n), inBlock: make([]bool, n),
		tr: newTrackerFor(s.cfg.Limits, n), index: make(map[pubkey.Pubkey]*slot, 2*n), lastCopy: make(map[txn.Signature]int32, n),
		slots: make([]slot, 0, 2*n),
		mark:  make([]int32, n), succ: make([][]int32, n), pending: make([]int32, n), done: make([]bool, n)}
	if b.Check != nil {
		r.checkSlots = make(chan struct{}, runtime.GOMAXPROCS(0))
	}
	if lanes := min(s.cfg.Lanes, n); lanes > 1 {
		r.pipelined(lanes)
	} else {
		r.serial()
	}
	// The checks read the block's state, which the caller changes once
	// Execute returns.
	r.checking.Wait()
	if err := ctx.Err(); err != nil || r.canceled.Load() {
		if err == nil {
			err = context.Canceled
		}
		return nil, err
	}
	return r.output(r.tr.block), nil
}

// serial is the one-lane path: each step for every transaction in turn,
// on the calling goroutine.
func (r *run) serial() {
	w := r.lane(0)
	for i := range int32(r.n) {
		start := w.now()
		r.admit(i)
		w.record("verify", i, start)
	}
	for i := range int32(r.n) {
		r.packOne(i)
	}
	for i := range int32(r.n) {
		if r.results[i] == nil {
			r.exec(w, i)
		}
	}
	w.flush()
}

// pipelined runs the block on lanes workers. Each worker prefers a ready
// transaction to execute; otherwise it admits the next transaction of
// the block, and whoever admits the transaction the packer is waiting
// for packs as far as admission has gone. So admission, packing and
// execution overlap, and a chain of conflicting transactions executes
// while other lanes verify signatures.
func (r *run) pipelined(lanes int) {
	r.admitted = make([]atomic.Bool, r.n)
	r.ready = make(chan int32, r.n)
	var wg sync.WaitGroup
	for id := range lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := r.lane(id)
			defer w.flush()
			for {
				select {
				case i, ok := <-r.ready:
					if !ok {
						return
					}
					r.chain(w, i)
					continue
				default:
				}
				if j := r.nextAdmit.Add(1) - 1; int(j) < r.n {
					start := w.now()
					r.admit(j)
					w.record("verify", j, start)
					r.admitted[j].Store(true)
					r.tryPack()
					continue
				}
				i, ok := <-r.ready
				if !ok {
					return
				}
				r.chain(w, i)
			}
		}()
	}
	wg.Wait()
}

// chain executes i and then, while its completion makes one ready, that
// one: a chain of conflicting transactions stays on one lane.
func (r *run) chain(w *lane, i int32) {
	for i >= 0 {
		r.exec(w, i)
		i = r.complete(i)
	}
}

// complete marks i finished, queues the transactions that were waiting
// only for it but one, and returns that one (or -1).
func (r *run) complete(i int32) int32 {
	r.graphMu.Lock()
	defer r.graphMu.Unlock()
	r.done[i] = true
	next := int32(-1)
	for _, j := range r.succ[i] {
		if r.pending[j]--; r.pending[j] == 0 {
			if next < 0 {
				next = j
			} else {
				r.ready <- j
			}
		}
	}
	r.resolve(1)
	return next
}

// resolve counts k more transactions executed or left out; the last one
// closes the queue. The caller holds graphMu.
func (r *run) resolve(k int) {
	if r.resolved += k; r.resolved == r.n && r.ready != nil {
		close(r.ready)
	}
}

// tryPack packs the transactions admitted in a row from the packer's
// cursor, unless another worker is packing; that worker looks again
// after it lets go, so no admitted transaction waits unpacked.
func (r *run) tryPack() {
	for r.packMu.TryLock() {
		for r.cursor < r.n && r.admitted[r.cursor].Load() {
			r.packOne(int32(r.cursor))
			r.cursor++
		}
		c := r.cursor
		r.packMu.Unlock()
		if c >= r.n || !r.admitted[c].Load() {
			return
		}
	}
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

// admit is step 1 for transaction i: sanitization, signatures, a v0
// transaction's lookups (resolved against the block's starting state,
// so that its locks are known before it is packed), the caller's checks
// and the estimated cost.
func (r *run) admit(i int32) {
	tx := r.b.Txs[i]
	err, done := r.b.Precheck.take(int(i), tx, r.s.cfg.SkipSignatures)
	if !done {
		check := r.s.ex.Check // svm.Check, with the executor's cache of decoded keys
		if r.s.cfg.SkipSignatures {
			check = svm.CheckUnsigned
		}
		err = check(tx)
	}
	if err == nil {
		r.keys[i], err = svm.Resolve(tx, r.b.State, r.b.Env)
	}
	if err == nil && r.b.Admit != nil {
		err = r.b.Admit(tx)
	}
	if err != nil {
		r.static[i] = err
		return
	}
	r.costs[i] = estimateCost(r.s.ex, tx, r.keys[i])
}

// packOne is step 2 for transaction i, in block order: its inclusion
// under the cost limits and its place in the conflict graph. An edge from
// a transaction that has already finished is not needed, and not added.
func (r *run) packOne(i int32) {
	tx := r.b.Txs[i]
	r.dupPrev[i] = -1
	reject := func(err *svm.TransactionError) {
		r.results[i] = &svm.Result{Err: err}
		r.graphMu.Lock()
		r.resolve(1)
		r.graphMu.Unlock()
	}
	if err := r.static[i]; err != nil {
		reject(err)
		return
	}
	m := r.keys[i]
	r.writable = r.writable[:0]
	for j, k := range m.Keys {
		if isWritable(m, j) {
			r.writable = append(r.writable, k)
		}
	}
	if err := r.tr.tryAdd(r.costs[i], r.writable); err != nil {
		reject(err)
		return
	}
	r.graphMu.Lock()
	defer r.graphMu.Unlock()
	edge := func(from int32) {
		if from < 0 || from == i || r.mark[from] == i+1 || r.done[from] {
			return
		}
		r.mark[from] = i + 1
		r.succ[from] = append(r.succ[from], i)
		r.pending[i]++
	}
	if prev, ok := r.lastCopy[tx.ID()]; ok {
		r.dupPrev[i] = prev
		edge(prev)
	}
	r.lastCopy[tx.ID()] = i
	slots := make([]*slot, len(m.Keys))
	for j, k := range m.Keys {
		a, ok := r.index[k]
		if !ok {
			if len(r.slots) == cap(r.slots) {
				r.slots = make([]slot, 0, max(16, cap(r.slots)))
			}
			r.slots = append(r.slots, slot{lastWriter: -1})
			a = &r.slots[len(r.slots)-1]
			r.index[k] = a
		}
		slots[j] = a
		edge(a.lastWriter)
		if isWritable(m, j) {
			for _, rd := range a.readers {
				edge(rd)
			}
			a.lastWriter, a.readers = i, a.readers[:0]
		} else {
			a.readers = append(a.readers, i)
		}
	}
	r.slotOf[i] = slots
	if r.pending[i] == 0 && r.ready != nil {
		r.ready <- i
	}
}

// isWritable is the executor's rule (demotions applied); the fee payer,
// which the executor writes even when a transaction fails, always is.
func isWritable(m *txn.Resolved, j int) bool { return j == 0 || m.IsWritable(j) }

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
	rd := &txReader{state: r.b.State, keys: r.keys[i].Keys, slots: r.slotOf[i]}
	if r.b.Check != nil && r.b.Check(tx) {
		r.check(i, rd)
	}
	res := r.s.ex.ExecuteResolved(tx, r.keys[i], rd, r.b.Env)
	if res.Charged {
		for _, wr := range res.Writes {
			if a := r.slotFor(i, wr.Key); a != nil {
				a.val, a.set = wr.Account, true
			}
		}
		r.inBlock[i] = true
	}
	r.results[i] = res
	w.record("execute", i, start)
}

// check starts transaction i's second execution, from the pre-state rd
// gives now: the declared accounts' values are copied, since later
// transactions overwrite their slots; the rest is the block's starting
// state, which does not change while the block runs.
func (r *run) check(i int32, rd *txReader) {
	pre := &txReader{state: rd.state, keys: rd.keys, slots: make([]*slot, len(rd.slots))}
	vals := make([]slot, len(rd.slots))
	for j, s := range rd.slots {
		if s.set {
			vals[j].val, vals[j].set = s.val.Clone(), true
		}
		pre.slots[j] = &vals[j]
	}
	// A lane that finds every slot taken waits: the checks' memory stays
	// bounded, and the lane's core goes to them meanwhile.
	r.checkSlots <- struct{}{}
	r.checking.Add(1)
	go func() {
		defer r.checking.Done()
		defer func() { <-r.checkSlots }()
		res := r.s.ex.ExecuteResolved(r.b.Txs[i], r.keys[i], pre, r.b.CheckEnv)
		r.checkMu.Lock()
		r.checks = append(r.checks, Check{Index: int(i), Result: res})
		r.checkMu.Unlock()
	}()
}

func (r *run) slotFor(i int32, k pubkey.Pubkey) *slot {
	for j, key := range r.keys[i].Keys {
		if key == k {
			return r.slotOf[i][j]
		}
	}
	return nil
}

// txReader is one transaction's view: its declared accounts as the block
// has left them so far, over the block's starting state.
type txReader struct {
	state svm.AccountReader
	keys  []pubkey.Pubkey
	slots []*slot
}

func (t *txReader) Account(k pubkey.Pubkey) (account.Account, error) {
	for j, key := range t.keys {
		if key == k {
			if s := t.slots[j]; s.set {
				return s.val.Clone(), nil
			}
			break
		}
	}
	return t.state.Account(k)
}

// output merges the results in block order.
func (r *run) output(cost uint64) *Output {
	out := &Output{Results: r.results, Cost: cost, Signatures: make([]txn.Signature, 0, len(r.results)), Writes: make([]account.Keyed, 0, 2*len(r.results))}
	// The checks finish in any order; the output lists them in block order.
	slices.SortFunc(r.checks, func(a, b Check) int { return a.Index - b.Index })
	out.Checks = r.checks
	pos := make(map[pubkey.Pubkey]int, 2*len(r.results))
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
