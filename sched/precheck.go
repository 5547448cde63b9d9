package sched

import (
	"runtime"
	"sync/atomic"

	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
)

// Precheck is the stateless part of admission (sanitization and
// signatures: svm.Check) of a block's transactions, done ahead of the
// block, as Agave's sigverify stage runs ahead of banking: a chain checks
// block N+1 while block N finishes and commits, when a core would
// otherwise wait. A block given the Precheck (Block.Precheck) takes each
// outcome it finds done and checks the rest itself, so the outcome never
// depends on who checked a transaction or when.
type Precheck struct {
	txs   []*txn.Transaction
	check func(*txn.Transaction) *svm.TransactionError
	// unsigned says check skips the signatures (Config.SkipSignatures):
	// a block takes outcomes only from a check of its own kind.
	unsigned bool
	// state[i] is 0 while nobody has claimed transaction i, 1 while
	// someone checks it and 2 once errs[i] holds its outcome.
	state []atomic.Uint32
	errs  []*svm.TransactionError
	next  atomic.Int64
	stop  atomic.Bool
}

const (
	preUnclaimed = iota
	preClaimed
	preDone
)

// Precheck starts checking txs on lanes-1 goroutines of its own (the
// lane that runs the block's serial tail stays free) and returns at
// once. With one lane there is no spare core: it returns nil, and the
// block checks every transaction itself, serially. The goroutines stop
// when every transaction is claimed or Stop is called.
func (s *Scheduler) Precheck(txs []*txn.Transaction) *Precheck {
	workers := min(s.cfg.Lanes-1, len(txs))
	if workers < 1 {
		return nil
	}
	p := &Precheck{txs: txs, check: s.ex.Check, state: make([]atomic.Uint32, len(txs)), errs: make([]*svm.TransactionError, len(txs))}
	if s.cfg.SkipSignatures {
		p.check, p.unsigned = svm.CheckUnsigned, true
	}
	for range workers {
		go p.work()
	}
	return p
}

func (p *Precheck) work() {
	for !p.stop.Load() {
		i := int(p.next.Add(1) - 1)
		if i >= len(p.txs) {
			return
		}
		if tx := p.txs[i]; tx != nil && p.state[i].CompareAndSwap(preUnclaimed, preClaimed) {
			p.errs[i] = p.check(tx)
			p.state[i].Store(preDone)
			// Work ahead must not hold a core for the runtime's whole time
			// slice (10 ms) while a lane of the block executing now waits
			// for one.
			runtime.Gosched()
		}
	}
}

// For reports whether p checks exactly txs: the same transactions, in
// the same order.
func (p *Precheck) For(txs []*txn.Transaction) bool {
	if p == nil || len(p.txs) != len(txs) {
		return false
	}
	for i, tx := range txs {
		if p.txs[i] != tx {
			return false
		}
	}
	return true
}

// Stop ends the goroutines after the transactions they are checking.
func (p *Precheck) Stop() {
	if p != nil {
		p.stop.Store(true)
	}
}

// take returns transaction i's outcome when tx is the one the Precheck
// was given at index i, it is done, and it was checked the way the
// caller checks (with signatures or, unsigned, without). Otherwise it
// claims i, so that the goroutines skip it, and reports false: the
// caller checks it.
func (p *Precheck) take(i int, tx *txn.Transaction, unsigned bool) (*svm.TransactionError, bool) {
	if p == nil || i >= len(p.txs) || p.txs[i] != tx || p.unsigned != unsigned {
		return nil, false
	}
	if p.state[i].CompareAndSwap(preUnclaimed, preClaimed) {
		return nil, false
	}
	if p.state[i].Load() == preDone {
		return p.errs[i], true
	}
	// Being checked right now: checking it again is cheaper than
	// waiting for it, and gives the same outcome.
	return nil, false
}
