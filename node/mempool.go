package node

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/agora-vm/agora/solana/txn"
)

// ErrMempoolFull is returned by Submit when the mempool holds its
// capacity: the transaction is refused, never dropped silently.
var ErrMempoolFull = errors.New("node: mempool full")

// MempoolFullError says how full the mempool is.
type MempoolFullError struct{ Capacity int }

func (e *MempoolFullError) Error() string {
	return fmt.Sprintf("transaction queue full: the node holds %d pending transactions; retry later", e.Capacity)
}

func (e *MempoolFullError) Unwrap() error { return ErrMempoolFull }

// pending is a queued transaction and when it arrived.
type pending struct {
	tx    *txn.Transaction
	sig   txn.Signature
	at    time.Time
	tries int
}

// mempool is a bounded FIFO of transactions waiting for a block, with no
// signature twice.
type mempool struct {
	mu    sync.Mutex
	queue []pending
	head  int // queue[head:] are waiting
	sigs  map[txn.Signature]struct{}
	cap   int
}

func newMempool(capacity int) *mempool {
	return &mempool{cap: capacity, sigs: map[txn.Signature]struct{}{}}
}

// add queues tx. A transaction already waiting is not queued again (its
// first copy will land); a full pool refuses it.
func (m *mempool) add(tx *txn.Transaction, now time.Time) error {
	sig := tx.ID()
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.sigs[sig]; ok {
		return nil
	}
	if len(m.sigs) >= m.cap {
		return &MempoolFullError{Capacity: m.cap}
	}
	m.sigs[sig] = struct{}{}
	m.queue = append(m.queue, pending{tx: tx, sig: sig, at: now})
	return nil
}

// take removes and returns up to n transactions, oldest first.
func (m *mempool) take(n int) []pending {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := min(n, len(m.queue)-m.head)
	out := make([]pending, k)
	copy(out, m.queue[m.head:m.head+k])
	for i := m.head; i < m.head+k; i++ {
		m.queue[i] = pending{}
	}
	m.head += k
	if m.head == len(m.queue) {
		m.queue, m.head = m.queue[:0], 0
	} else if m.head > 4096 && m.head > len(m.queue)/2 {
		m.queue = append(m.queue[:0], m.queue[m.head:]...)
		m.head = 0
	}
	return out
}

// done forgets transactions taken and decided (included or dropped).
func (m *mempool) done(ps []pending) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range ps {
		delete(m.sigs, p.sig)
	}
}

// requeue puts transactions back at the front (those a block had no
// room for), in their order.
func (m *mempool) requeue(ps []pending) {
	if len(ps) == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	rest := m.queue[m.head:]
	q := make([]pending, 0, len(ps)+len(rest))
	q = append(q, ps...)
	m.queue, m.head = append(q, rest...), 0
}

// size is how many transactions are waiting or in the block being built.
func (m *mempool) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sigs)
}
