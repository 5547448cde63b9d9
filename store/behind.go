package store

import (
	"fmt"

	"github.com/agora-vm/agora/solana/pubkey"
)

// Writing behind (Options.WriteBehind): a commit makes its block the head
// in memory and hands the block's batch to a goroutine, which writes and
// syncs it (then the head file) while the caller executes the next block.
// The next commit waits for that write first, so at most one block is
// being written and blocks reach the disk in order, each atomically. Until
// its write is done, the block's accounts are read from the batch itself;
// the reads that scan or look up history wait for the write instead.
//
// A crash loses at most the block being written, and the head file is
// still written after Pebble holds the block, so Open finds a consistent
// store one block behind (never a *LostBlocksError). A write that fails
// fails every later commit (the store is then behind its own head in
// memory): the process reopens the store and goes on from what it holds.

// flight is a block being written behind: its accounts answer reads until
// done closes.
type flight struct {
	done chan struct{}
	err  error // set before done closes
	// index maps each account the block writes to its encoded value in
	// values (nil: closed, which reads as missing).
	index  map[pubkey.Pubkey]int
	values [][]byte
}

// account returns the block's encoded value for k, with ok false when the
// block does not write k.
func (f *flight) account(k pubkey.Pubkey) (value []byte, ok bool) {
	if f == nil {
		return nil, false
	}
	j, ok := f.index[k]
	if !ok {
		return nil, false
	}
	return f.values[j], true
}

// Sync waits until every committed block is written (and synced, unless
// Options.NoSync): with Options.WriteBehind, until the last block's write
// is done, returning its error; otherwise each commit already was.
func (s *Store) Sync() error { return s.settle() }

// settle waits until the block being written behind, if any, is on disk
// and returns the error of its write: once a write failed, every later
// settle returns that error.
func (s *Store) settle() error {
	f := s.flight.Load()
	if f == nil {
		return nil
	}
	<-f.done
	if f.err != nil {
		return fmt.Errorf("store: writing block behind failed, the store takes no more blocks: %w", f.err)
	}
	return nil
}

// applyBehind makes p the head and starts its write; s.mu is held and the
// previous write is done.
func (s *Store) applyBehind(p *Pending) Header {
	f := &flight{done: make(chan struct{}), index: make(map[pubkey.Pubkey]int, len(p.written)), values: p.values[:len(p.written)]}
	for j, k := range p.written {
		f.index[k] = j
	}
	s.flight.Store(f)
	h := p.Header
	keys, values := p.keys, p.values
	go func() {
		defer close(f.done)
		if f.err = s.db.apply(keys, values); f.err == nil {
			f.err = s.committedHead(h)
		}
	}()
	s.head, s.hasAny, s.lt = h, true, p.lt
	if p.owner != s {
		for _, k := range p.written {
			s.hashes.drop(k)
		}
		return h
	}
	s.putHashes(p)
	s.spare, p.hashed, p.have = p.hashed, nil, nil
	return h
}
