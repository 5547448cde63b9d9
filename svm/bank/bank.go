// Package bank runs the chain: it turns transactions into blocks. For each
// block it sets the sysvars, admits each transaction (signatures, a recent
// blockhash, no duplicate within the window), executes it with package
// runtime against the state left by the transactions before it, and
// commits the block's writes, signatures and header to the store in one
// atomic write.
//
// Every block executes through package sched: signatures are verified on
// every lane, Agave's cost limits decide which transactions the block
// holds, and transactions whose declared accounts do not conflict run on
// several goroutines. The result is the serial one, at every number of
// lanes (SetScheduler; one lane is the serial path).
//
// The bank reads no wall clock for the chain's state: the block producer
// passes each block's timestamp (BlockResult.StoreTime is a measurement
// only). It keeps no global state.
package bank

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/feature"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/sysvar"
	"github.com/agora-vm/agora/solana/token"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm"
)

// MaxRecentBlockhashes is how many blocks a blockhash stays valid for
// (MAX_PROCESSING_AGE + 1: 150).
const MaxRecentBlockhashes = 150

// Bank is a chain over a store. Its methods are safe for concurrent use;
// blocks are produced one at a time.
type Bank struct {
	mu sync.Mutex
	// view guards head and recent for readers that must not wait for a
	// block being executed (Head, Simulate); advance, under mu, writes
	// them under view too.
	view  sync.RWMutex
	st    *store.Store
	ex    *svm.Executor
	cache *svm.ProgramCache
	// accts caches accounts as the head has them.
	accts *accountCache
	// sched is swapped under mu; Precheck reads it without mu, so that a
	// pipeline may start one while a block holds mu.
	sched atomic.Pointer[sched.Scheduler]
	// pre are the checks of the blocks expected next (Precheck).
	preMu  sync.Mutex
	pre    []*sched.Precheck
	head   store.Header
	recent []recentBlock // oldest first, at most MaxRecentBlockhashes
	// recentHashes counts the blocks of recent with each hash, so that
	// admission looks a blockhash up once.
	recentHashes map[txn.Hash]int32
	// seenSigs holds the signatures of the recent blocks, each with the
	// number of recent blocks holding it, so that admission looks a
	// signature up once rather than once per block.
	seenSigs map[txn.Signature]int32
	rent     sysvar.Rent
	epochs   sysvar.EpochSchedule
	features feature.Set
	// slotHashes are the SlotHashes of the next block but its parent:
	// the blocks before the head, newest first.
	slotHashes sysvar.SlotHashes
	// genesisTime is the timestamp of block 0 (the Clock's epoch start).
	genesisTime int64
	// noHistory leaves the transactions' records out of the blocks.
	noHistory bool
	// wrap, when set, wraps each block's program source (WrapPrograms).
	wrap func(svm.ProgramSource) svm.ProgramSource
}

type recentBlock struct {
	hash txn.Hash
	sigs []txn.Signature
}

// ErrNoGenesis is returned by Open for an empty store.
var ErrNoGenesis = errors.New("bank: the store holds no genesis block")

// Open returns the bank over a store that holds a genesis block, executing
// with ex (nil means a plain Solana executor; Agora's tools pass the
// composition of package ext).
func Open(st *store.Store, ex *svm.Executor) (*Bank, error) {
	head, ok := st.Head()
	if !ok {
		return nil, ErrNoGenesis
	}
	ex, err := orPlain(ex)
	if err != nil {
		return nil, err
	}
	b := &Bank{st: st, ex: ex, cache: svm.NewProgramCache(ex), accts: newAccountCache(), head: head,
		rent: sysvar.DefaultRent(), epochs: sysvar.DefaultEpochSchedule(), features: feature.Mainnet()}
	b.sched.Store(sched.New(ex, sched.Config{}))
	from := uint64(0)
	if head.Height+1 > MaxRecentBlockhashes {
		from = head.Height + 1 - MaxRecentBlockhashes
	}
	for h := from; h <= head.Height; h++ {
		r, err := st.Block(h)
		if err != nil {
			return nil, err
		}
		b.remember(r.Header.Hash, r.Signatures)
	}
	g, err := st.Block(0)
	if err != nil {
		return nil, err
	}
	b.genesisTime = g.Header.Timestamp
	if a, err := st.Account(pubkey.SysvarSlotHashes()); err == nil && a.Exists() {
		if sh, err := sysvar.DecodeSlotHashes(a.Data); err == nil {
			b.slotHashes = sh
		}
	}
	if r, err := st.Account(pubkey.SysvarRent()); err == nil && r.Exists() {
		if rent, err := sysvar.DecodeRent(r.Data); err == nil {
			b.rent = rent
		}
	}
	return b, nil
}

// GenesisAccount is an account placed at genesis.
type GenesisAccount = account.Keyed

// orPlain returns ex, or a plain Solana executor when ex is nil.
func orPlain(ex *svm.Executor) (*svm.Executor, error) {
	if ex != nil {
		return ex, nil
	}
	return svm.NewExecutor()
}

// Genesis commits block 0 to an empty store: ex's native programs (nil
// means a plain Solana executor's), the sysvars and the given accounts.
func Genesis(st *store.Store, ex *svm.Executor, timestamp int64, accounts []GenesisAccount) (store.Header, error) {
	if _, ok := st.Head(); ok {
		return store.Header{}, errors.New("bank: the store already holds a chain")
	}
	ex, err := orPlain(ex)
	if err != nil {
		return store.Header{}, err
	}
	var writes []account.Keyed
	for _, k := range ex.NativePrograms() {
		writes = append(writes, account.Keyed{Key: k, Account: account.Account{Lamports: 1, Owner: pubkey.NativeLoader(), Executable: true, RentEpoch: account.RentExemptEpoch}})
	}
	s := sysvar.Set{Rent: sysvar.DefaultRent(), EpochSchedule: sysvar.DefaultEpochSchedule(),
		Clock: sysvar.Clock{Slot: 0, EpochStartTimestamp: timestamp, UnixTimestamp: timestamp}}
	writes = append(writes, sysvarWrites(&s)...)
	writes = append(writes, accounts...)
	return st.Commit(&store.Block{Height: 0, Timestamp: timestamp, Writes: writes})
}

func sysvarWrites(s *sysvar.Set) []account.Keyed {
	var out []account.Keyed
	for _, a := range s.Accounts() {
		out = append(out, account.Keyed{Key: a.Key, Account: account.Account{
			Lamports: max(s.Rent.MinimumBalance(uint64(len(a.Data))), 1), Data: a.Data, Owner: pubkey.SysvarOwner(), RentEpoch: account.RentExemptEpoch,
		}})
	}
	return out
}

// SetScheduler sets how blocks execute: the lanes (one per core by
// default; 1 is serial), the cost limits (Agave's by default) and a lane
// trace. Results do not depend on it, except through the limits.
func (b *Bank) SetScheduler(cfg sched.Config) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sched.Store(sched.New(b.ex, cfg))
}

// SetFeatures sets the Agave feature gates the next blocks execute under
// (feature.Mainnet() by default).
func (b *Bank) SetFeatures(s feature.Set) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.features = s
}

// KeepHistory sets whether committed blocks keep each transaction's
// record (outcome, logs, balances, wire bytes; what getTransaction and
// getSignaturesForAddress answer from). It is on by default; a
// simulation that reads no history turns it off, as a validator runs
// without RPC transaction history. State, signatures and block hashes
// are the same either way.
func (b *Bank) KeepHistory(keep bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.noHistory = !keep
}

// WrapPrograms makes the next blocks serve their programs through
// w(source) (nil: directly), so that tools can record or profile the
// runs. w must return programs that behave as the source's do, and keep
// svm.ELFSource when the source has it.
func (b *Bank) WrapPrograms(w func(svm.ProgramSource) svm.ProgramSource) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.wrap = w
}

// Executor returns the bank's transaction executor.
func (b *Bank) Executor() *svm.Executor { return b.ex }

// Head returns the last block's header.
func (b *Bank) Head() store.Header {
	b.view.RLock()
	defer b.view.RUnlock()
	return b.head
}

// LatestBlockhash returns the hash a new transaction should reference.
func (b *Bank) LatestBlockhash() txn.Hash {
	b.view.RLock()
	defer b.view.RUnlock()
	return b.head.Hash
}

// Rent returns the chain's rent parameters.
func (b *Bank) Rent() sysvar.Rent { return b.rent }

// Account returns the latest committed state of an account.
func (b *Bank) Account(k pubkey.Pubkey) (account.Account, error) {
	if a, ok := b.accts.get(k); ok {
		return a.Clone(), nil
	}
	return b.st.Account(k)
}

// TxResult is the outcome of one transaction of a block.
type TxResult struct {
	Signature txn.Signature
	*svm.Result
}

// BlockResult is a produced block.
type BlockResult struct {
	Header store.Header
	// StoreTime is the time spent committing the block to the store.
	StoreTime time.Duration
	// Txs holds every transaction submitted, in order; those whose
	// Result.Charged is false are not in the block.
	Txs []TxResult
}

// blockState is the state while a block is built: the writes of the
// transactions so far over a snapshot of the last block.
type blockState struct {
	snap   *store.Snapshot
	cache  *accountCache
	writes map[pubkey.Pubkey]account.Account
	order  []pubkey.Pubkey
	// read holds what the snapshot returned, for later readers and for
	// the commit (store.Block.Prior), which then need not read again.
	// Lanes read concurrently (under readMu); writes happen between.
	readMu sync.Mutex
	read   map[pubkey.Pubkey]account.Account
}

// Account implements svm.AccountReader.
func (s *blockState) Account(k pubkey.Pubkey) (account.Account, error) {
	a, err := s.peek(k)
	if err != nil {
		return a, err
	}
	return a.Clone(), nil
}

// peek is Account without the copy, for callers that only look: the
// value shares its data with the block's.
func (s *blockState) peek(k pubkey.Pubkey) (account.Account, error) {
	if a, ok := s.writes[k]; ok {
		return a, nil
	}
	s.readMu.Lock()
	a, ok := s.read[k]
	s.readMu.Unlock()
	if ok {
		return a, nil
	}
	a, ok = s.cache.get(k)
	if !ok {
		var err error
		if a, err = s.snap.Account(k); err != nil {
			return a, err
		}
	}
	s.readMu.Lock()
	s.read[k] = a
	s.readMu.Unlock()
	return a, nil
}

func (s *blockState) apply(ws []account.Keyed) {
	for _, w := range ws {
		if _, ok := s.writes[w.Key]; !ok {
			s.order = append(s.order, w.Key)
		}
		s.writes[w.Key] = w.Account
	}
}

func (s *blockState) keyed() []account.Keyed {
	out := make([]account.Keyed, len(s.order))
	for i, k := range s.order {
		out[i] = account.Keyed{Key: k, Account: s.writes[k]}
	}
	return out
}

// newBlock starts block head+1 at timestamp: a snapshot, the sysvars.
func (b *Bank) newBlock(timestamp int64) (*blockState, *svm.Env, error) {
	return b.newBlockFor(timestamp, 0)
}

// newBlockFor is newBlock for a block of about n transactions: its maps
// start at their size.
func (b *Bank) newBlockFor(timestamp int64, n int) (*blockState, *svm.Env, error) {
	snap, err := b.st.Snapshot()
	if err != nil {
		return nil, nil, err
	}
	slot := b.head.Height + 1
	sv := sysvar.Set{Rent: b.rent, EpochSchedule: b.epochs, Clock: sysvar.Clock{
		Slot: slot, EpochStartTimestamp: b.genesisTime, Epoch: b.epochs.Epoch(slot),
		LeaderScheduleEpoch: b.epochs.Epoch(slot + b.epochs.LeaderScheduleSlotOffset), UnixTimestamp: timestamp,
	}}
	// SlotHashes: the parent (the head) joins the slots before it.
	sv.SlotHashes = b.slotHashes.Push(b.head.Height, b.head.Hash)
	bs := &blockState{snap: snap, cache: b.accts, writes: make(map[pubkey.Pubkey]account.Account, 2*n+2), order: make([]pubkey.Pubkey, 0, 2*n+2), read: make(map[pubkey.Pubkey]account.Account, 2*n)}
	for _, w := range sysvarWrites(&sv) {
		// The Clock and SlotHashes change every block.
		if w.Key == pubkey.SysvarClock() || w.Key == pubkey.SysvarSlotHashes() {
			bs.apply([]account.Keyed{w})
		}
	}
	src := b.cache.Source(snap)
	if b.wrap != nil {
		src = b.wrap(src)
	}
	env := &svm.Env{Slot: slot, Sysvars: sv, Programs: src, Features: b.features,
		Blockhash: b.head.Hash, IsRecent: b.isRecent}
	return bs, env, nil
}

func (b *Bank) isRecent(h txn.Hash) bool {
	return b.recentHashes[h] > 0
}

func (b *Bank) seen(s txn.Signature) bool {
	return b.seenSigs[s] > 0
}

// remember adds a block to the recent window, dropping the oldest beyond
// MaxRecentBlockhashes.
func (b *Bank) remember(hash txn.Hash, sigs [][64]byte) {
	if b.seenSigs == nil {
		b.seenSigs = map[txn.Signature]int32{}
	}
	rb := recentBlock{hash: hash, sigs: make([]txn.Signature, len(sigs))}
	for i, s := range sigs {
		rb.sigs[i] = s
		b.seenSigs[s]++
	}
	b.recent = append(b.recent, rb)
	if b.recentHashes == nil {
		b.recentHashes = map[txn.Hash]int32{}
	}
	b.recentHashes[hash]++
	if len(b.recent) > MaxRecentBlockhashes {
		if b.recentHashes[b.recent[0].hash]--; b.recentHashes[b.recent[0].hash] <= 0 {
			delete(b.recentHashes, b.recent[0].hash)
		}
		for _, s := range b.recent[0].sigs {
			if b.seenSigs[s]--; b.seenSigs[s] <= 0 {
				delete(b.seenSigs, s)
			}
		}
		b.recent[0] = recentBlock{}
		b.recent = b.recent[1:]
	}
}

// ProcessBlock executes txs in a new block at the given timestamp and
// commits it, with each included transaction's record (store.TxRecord),
// in one atomic write. Transactions rejected before their fee
// is charged (bad signatures, an unknown blockhash, a duplicate, over the
// block's cost limits, a fee payer that cannot pay) are reported but not
// included.
func (b *Bank) ProcessBlock(txs []*txn.Transaction, timestamp int64) (*BlockResult, error) {
	return b.ProcessBlockContext(context.Background(), txs, timestamp)
}

// ProcessBlockContext is ProcessBlock with a context: a block canceled
// before its commit commits nothing.
func (b *Bank) ProcessBlockContext(ctx context.Context, txs []*txn.Transaction, timestamp int64) (*BlockResult, error) {
	p, err := b.ExecuteBlock(ctx, txs, timestamp)
	if err != nil {
		return nil, err
	}
	return b.CommitBlock(p)
}

// parallelCachePuts is the number of accounts written from which a
// commit fills the account cache on a goroutine of its own.
const parallelCachePuts = 256

// PendingBlock is a block executed by ExecuteBlock and not yet committed.
type PendingBlock struct {
	// Result holds the transactions' outcomes and the header the block
	// will have once committed (its hash and state commitment included).
	Result  *BlockResult
	pending *store.Pending
	sigs    [][64]byte
	// read and writes are what the block read at its parent and wrote,
	// for the account cache.
	read   map[pubkey.Pubkey]account.Account
	writes []account.Keyed
	// checks are the verified tier's second executions.
	checks []sched.Check
}

// ExecuteBlock executes txs as the next block at the given timestamp and
// returns its results and header without writing anything: a consensus
// engine needs the block's state commitment before it commits the block.
// CommitBlock writes it; a pending block that is never committed leaves
// no trace.
func (b *Bank) ExecuteBlock(ctx context.Context, txs []*txn.Transaction, timestamp int64) (*PendingBlock, error) {
	return b.executeBlock(ctx, txs, timestamp, blockRun{})
}

// maxPrechecks bounds the blocks checked ahead: the one executing and the
// one after it.
const maxPrechecks = 2

// Precheck starts checking the sanitization and signatures of txs, a
// block the caller executes soon (the next one), on the scheduler's
// spare lanes (sched.Scheduler.Precheck), so that the work overlaps the
// block executing or committing now: a chain's sigverify stage running
// ahead of its bank. It may be called while another block runs. It
// changes no result: the block executing txs takes the outcomes found
// done and checks the rest itself. The oldest of more than two blocks
// checked ahead is dropped. With one lane it does nothing.
func (b *Bank) Precheck(txs []*txn.Transaction) {
	p := b.sched.Load().Precheck(txs)
	if p == nil {
		return
	}
	b.preMu.Lock()
	defer b.preMu.Unlock()
	if len(b.pre) == maxPrechecks {
		b.pre[0].Stop()
		b.pre = b.pre[1:]
	}
	b.pre = append(b.pre, p)
}

// takePrecheck returns the Precheck started for txs, if any, and forgets
// it; a Precheck of other transactions stays for its block.
func (b *Bank) takePrecheck(txs []*txn.Transaction) *sched.Precheck {
	b.preMu.Lock()
	defer b.preMu.Unlock()
	for i, p := range b.pre {
		if p.For(txs) {
			b.pre = slices.Delete(b.pre, i, i+1)
			return p
		}
	}
	return nil
}

// blockRun is how executeBlock runs a block's programs.
type blockRun struct {
	// check picks the transactions to execute a second time on the
	// interpreter, beside the block (sched.Block.Check).
	check func(*txn.Transaction) bool
	// reference runs every program on the interpreter.
	reference bool
}

func (b *Bank) executeBlock(ctx context.Context, txs []*txn.Transaction, timestamp int64, how blockRun) (*PendingBlock, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bs, env, err := b.newBlockFor(timestamp, len(txs))
	if err != nil {
		return nil, err
	}
	defer bs.snap.Close()
	// The records hold the inner instructions: record them only then.
	env.RecordInner = !b.noHistory
	env.Reference = how.reference
	blk := &sched.Block{Txs: txs, State: bs, Env: env, Admit: b.admit, Precheck: b.takePrecheck(txs)}
	if how.check != nil {
		ref := *env
		ref.Reference, ref.RecordInner = true, false
		blk.Check, blk.CheckEnv = how.check, &ref
	}
	sc := b.sched.Load()
	res, err := sc.Execute(ctx, blk)
	if err != nil {
		return nil, err
	}
	out := &BlockResult{Txs: make([]TxResult, len(txs))}
	for i, r := range res.Results {
		out.Txs[i] = TxResult{Signature: txs[i].ID(), Result: r}
	}
	var recs []store.TxRecord
	if !b.noHistory {
		if recs, err = history(bs, txs, res.Results, sc.Lanes()); err != nil {
			return nil, err
		}
	}
	bs.apply(res.Writes)
	// The runtime's end-of-block hooks (staged program versions): their
	// writes belong to this block and are seen from the next one on.
	ends, err := b.ex.EndBlock(env.Slot, res.Writes, bs)
	if err != nil {
		return nil, err
	}
	bs.apply(ends)
	sigs := make([][64]byte, len(res.Signatures))
	for i, s := range res.Signatures {
		sigs[i] = s
	}
	start := time.Now()
	writes := bs.keyed()
	p, err := b.st.Prepare(&store.Block{Height: env.Slot, Timestamp: timestamp, Signatures: sigs, Writes: writes, Workers: sc.Lanes(), Txs: recs, Prior: bs.read})
	if err != nil {
		return nil, err
	}
	out.StoreTime = time.Since(start) // hashing the writes; CommitBlock adds the write
	out.Header = p.Header
	return &PendingBlock{Result: out, pending: p, sigs: sigs, read: bs.read, writes: writes, checks: res.Checks}, nil
}

// CommitBlock writes a block ExecuteBlock returned, in one atomic write,
// and makes it the head. It fails (store.ErrOutOfOrder) when another
// block was committed since the block was executed.
func (b *Bank) CommitBlock(p *PendingBlock) (*BlockResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	start := time.Now()
	b.accts.forget(p.writes)
	// The account cache and the store are apart: a large block fills the
	// cache beside the store's write, on another core, and takes the
	// values it wrote back out if the write fails.
	var cached chan struct{}
	if len(p.writes) >= parallelCachePuts {
		cached = make(chan struct{})
		go func() {
			defer close(cached)
			b.accts.put(p.read, p.writes)
		}()
	}
	h, err := b.st.Apply(p.pending)
	if cached != nil {
		<-cached
	}
	if err != nil {
		if cached != nil {
			b.accts.forget(p.writes)
		}
		return nil, err
	}
	if cached == nil {
		b.accts.put(p.read, p.writes)
	}
	p.Result.StoreTime += time.Since(start)
	b.advance(h, p.sigs)
	p.Result.Header = h
	return p.Result, nil
}

// Admit reports whether a transaction passes the bank's admission
// checks against the committed chain: its blockhash is recent and no
// committed block holds its signature. It does not verify signatures
// (svm.Check does).
func (b *Bank) Admit(tx *txn.Transaction) *svm.TransactionError {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.admit(tx)
}

// history returns the records of a block's committed transactions, in
// block order: outcome, logs, costs, inner instructions, and each
// account key's lamports and SPL Token balance before and after. A
// transaction's "before" is bs (the state before the block's first
// transaction) under the writes of the transactions before it, found in
// an index of the block's writes, so the records are independent and
// are built on workers goroutines; the result does not depend on how
// many.
func history(bs *blockState, txs []*txn.Transaction, results []*svm.Result, workers int) ([]store.TxRecord, error) {
	// writes[k] lists the values the block's transactions gave k, in
	// block order.
	type write struct {
		tx  int
		val *account.Account
	}
	writes := make(map[pubkey.Pubkey][]write, 2*len(results))
	for i, r := range results {
		if !r.Charged {
			continue
		}
		for j := range r.Writes {
			w := &r.Writes[j]
			writes[w.Key] = append(writes[w.Key], write{i, &w.Account})
		}
	}
	// readAt reads k as the transactions before tx (and tx itself when
	// after is set) left it.
	readAt := func(k pubkey.Pubkey, tx int, after bool) (account.Account, error) {
		ws := writes[k]
		n := sort.Search(len(ws), func(j int) bool { return ws[j].tx > tx || (ws[j].tx == tx && !after) })
		if n > 0 {
			return *ws[n-1].val, nil
		}
		return bs.peek(k)
	}
	recs := make([]store.TxRecord, len(results))
	errs := make([]error, len(results))
	record := func(i int) error {
		r := results[i]
		keys := txs[i].Message.Resolve(r.Loaded).Keys
		rec := store.TxRecord{
			Signature: txs[i].ID(), Logs: r.Logs, CU: r.CU, Fee: r.Fee,
			Accounts: keys, PreBalances: make([]uint64, len(keys)), PostBalances: make([]uint64, len(keys)),
			ReturnProgram: r.ReturnProgram, ReturnData: r.ReturnData, Transaction: txs[i].Encode(),
			Inner: innerRecords(r.Inner),
		}
		if r.Err != nil {
			rec.Err, rec.ErrMessage = r.Err.String(), r.Err.Error()
		}
		invoked := invokedIndexes(&txs[i].Message)
		var small [8]account.Account // most transactions have few keys
		accts := small[:0]
		if len(keys) > len(small) {
			accts = make([]account.Account, len(keys))
		}
		accts = accts[:len(keys)]
		for _, after := range []bool{false, true} {
			bal := rec.PreBalances
			if after {
				bal = rec.PostBalances
			}
			for j, k := range keys {
				a, err := readAt(k, i, after)
				if err != nil {
					return err
				}
				accts[j], bal[j] = a, a.Lamports
			}
			tb, err := tokenBalances(keys, accts, invoked, func(k pubkey.Pubkey) (account.Account, error) { return readAt(k, i, after) })
			if err != nil {
				return err
			}
			if after {
				rec.PostTokenBalances = tb
			} else {
				rec.PreTokenBalances = tb
			}
		}
		recs[i] = rec
		return nil
	}
	var next atomic.Int64
	work := func() {
		for i := int(next.Add(1) - 1); i < len(results); i = int(next.Add(1) - 1) {
			if results[i].Charged {
				errs[i] = record(i)
			}
		}
	}
	if workers = min(workers, len(results)/32); workers > 1 {
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				work()
			}()
		}
		wg.Wait()
	} else {
		work()
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	out := recs[:0]
	for i, r := range results {
		if r.Charged {
			out = append(out, recs[i])
		}
	}
	return out, nil
}

// innerRecords converts the runtime's inner instructions to the store's.
func innerRecords(in [][]svm.InnerInstruction) [][]store.InnerInstruction {
	if in == nil {
		return nil
	}
	out := make([][]store.InnerInstruction, len(in))
	for i, list := range in {
		out[i] = make([]store.InnerInstruction, len(list))
		for j, ix := range list {
			out[i][j] = store.InnerInstruction{ProgramIDIndex: ix.ProgramIDIndex, Accounts: ix.Accounts, Data: ix.Data, StackHeight: ix.StackHeight}
		}
	}
	return out
}

// invokedIndexes marks the keys a top-level instruction invokes.
func invokedIndexes(m *txn.Message) []bool {
	out := make([]bool, 256)
	for _, ix := range m.Instructions {
		out[ix.ProgramIDIndex] = true
	}
	return out
}

// tokenBalances lists the SPL Token accounts among keys, whose accounts
// are accts (read returns the mints), as Agave's collect_token_balances does: keys invoked as
// programs and the token programs themselves are skipped, and an
// account whose mint is not a readable mint has no balance. It is never
// nil.
func tokenBalances(keys []pubkey.Pubkey, accts []account.Account, invoked []bool, read func(pubkey.Pubkey) (account.Account, error)) ([]store.TokenBalance, error) {
	out := []store.TokenBalance{}
	for i, k := range keys {
		if invoked[i] || token.IsProgram(k) {
			continue
		}
		a := &accts[i]
		t, ok := token.DecodeAccount(a.Owner, a.Data)
		if !ok {
			continue
		}
		decimals := uint8(token.NativeMintDecimals)
		if t.Mint != token.NativeMint {
			m, err := read(t.Mint)
			if err != nil {
				return nil, err
			}
			mint, ok := token.DecodeMint(m.Owner, m.Data)
			if !ok {
				continue
			}
			decimals = mint.Decimals
		}
		out = append(out, store.TokenBalance{AccountIndex: uint8(i), Mint: t.Mint, Owner: t.Owner, ProgramID: a.Owner, Amount: t.Amount, Decimals: decimals})
	}
	return out, nil
}

// admit is the bank's part of admission: a recent blockhash (or a
// durable nonce, which Execute checks), and a signature no earlier block
// holds. The scheduler calls it from several
// goroutines while ProcessBlock holds the lock; it only reads.
func (b *Bank) admit(tx *txn.Transaction) *svm.TransactionError {
	if !b.isRecent(tx.Message.RecentBlockhash) {
		// A durable transaction's nonce is checked when it executes,
		// against the state the transactions before it left.
		if _, durable := svm.DurableNonceAccount(&tx.Message); !durable {
			return &svm.TransactionError{Kind: svm.BlockhashNotFound}
		}
		// A durable transaction already processed advanced its nonce,
		// so its age check fails first, as Agave checks age before the
		// status cache.
		if b.seen(tx.ID()) {
			return &svm.TransactionError{Kind: svm.BlockhashNotFound}
		}
		return nil
	}
	if b.seen(tx.ID()) {
		return &svm.TransactionError{Kind: svm.AlreadyProcessed}
	}
	return nil
}

func (b *Bank) advance(h store.Header, sigs [][64]byte) {
	b.view.Lock()
	defer b.view.Unlock()
	b.remember(h.Hash, sigs)
	b.slotHashes = b.slotHashes.Push(b.head.Height, b.head.Hash)
	b.head = h
}

// Deploy places a program at programID in a new block, as
// solana-test-validator's --bpf-program does: the ELF must pass the
// deployment loader and the verifier; it is held by the upgradeable
// loader with the given upgrade authority (nil: immutable). Redeploying
// over an upgradeable program requires the same authority. The program
// runs from the next block on. It is a fast path for tools: the accounts
// are laid out exactly as the loader's DeployWithMaxDataLen (with a
// maximum data length of the ELF's) leaves them; clients deploy with
// those instructions.
func (b *Bank) Deploy(programID pubkey.Pubkey, elfBytes []byte, authority *pubkey.Pubkey, timestamp int64) (store.Header, error) {
	if err := b.ex.VerifyDeployment(elfBytes); err != nil {
		return store.Header{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	existing, err := b.st.Account(programID)
	if err != nil {
		return store.Header{}, err
	}
	keepLen := 0 // an upgrade keeps a larger ProgramData's size, as Upgrade does
	if existing.Exists() {
		if existing.Owner != pubkey.BPFLoaderUpgradeable() {
			return store.Header{}, fmt.Errorf("bank: %s already exists and is not an upgradeable program", programID)
		}
		pdKey, err := svm.ProgramDataAddress(existing.Data)
		if err != nil {
			return store.Header{}, err
		}
		pdAcct, err := b.st.Account(pdKey)
		if err != nil {
			return store.Header{}, err
		}
		pd, _, err := svm.DecodeProgramData(pdAcct.Data)
		if err != nil {
			return store.Header{}, err
		}
		if pd.Authority == nil || authority == nil || *pd.Authority != *authority {
			return store.Header{}, fmt.Errorf("bank: %s can only be upgraded by its upgrade authority", programID)
		}
		keepLen = len(pdAcct.Data)
	}
	bs, env, err := b.newBlock(timestamp)
	if err != nil {
		return store.Header{}, err
	}
	defer bs.snap.Close()
	prog, pdata := svm.UpgradeableProgramAccounts(programID, elfBytes, env.Slot, authority, b.rent.MinimumBalance)
	if keepLen > len(pdata.Account.Data) {
		pdata.Account.Data = append(pdata.Account.Data, make([]byte, keepLen-len(pdata.Account.Data))...)
		pdata.Account.Lamports = max(b.rent.MinimumBalance(uint64(keepLen)), 1)
	}
	bs.apply([]account.Keyed{prog, pdata})
	writes := bs.keyed()
	b.accts.forget(writes)
	h, err := b.st.Commit(&store.Block{Height: env.Slot, Timestamp: timestamp, Writes: writes})
	if err != nil {
		return store.Header{}, err
	}
	b.accts.put(bs.read, writes)
	b.advance(h, nil)
	return h, nil
}

// NewKeypair returns an ed25519 key from a 32-byte seed (tests, tools).
func NewKeypair(seed []byte) ed25519.PrivateKey { return ed25519.NewKeyFromSeed(seed) }
