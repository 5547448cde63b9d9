package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
)

// Open opens (creating if needed) the Pebble store in dir. A store that
// holds fewer blocks than were committed to it (a write-ahead log that
// lost its tail, say) is refused with a *LostBlocksError, before anything
// is written.
func Open(dir string) (*Store, error) { return OpenWith(dir, Options{}) }

// Options tune OpenWith.
type Options struct {
	// NoSync returns from each commit once the block is written, without
	// waiting for it to reach the disk (no write-ahead-log or head-file
	// sync, about 4 ms a block on a typical disk). A crash may then lose
	// the last blocks, which the next Open reports as a *LostBlocksError;
	// a block is still written atomically. It is for scratch ledgers
	// that are rebuilt rather than recovered, such as a simulation's; a
	// chain never sets it.
	NoSync bool
	// WriteBehind returns from each commit once the block is the head in
	// memory, and writes and syncs it on another goroutine while the
	// caller goes on (the next block executes); the next commit, a read
	// of history or blocks, and Close wait for that write. Reads of
	// accounts see the block at once. A crash loses at most the block
	// being written, and Open then finds the store one block behind, as
	// a validator's accounts are persisted behind its bank. Writes stay
	// atomic, in order, and synced unless NoSync is set too.
	WriteBehind bool
}

// OpenWith is Open with options.
func OpenWith(dir string, o Options) (*Store, error) {
	db, err := pebble.Open(dir, pebbleOptions())
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", dir, err)
	}
	kv := &pebbleKV{db: db, dir: dir, sync: pebble.Sync}
	if o.NoSync {
		kv.sync = pebble.NoSync
	}
	s, err := open(kv)
	if err == nil {
		err = s.checkHeadFile(dir)
	}
	if err == nil {
		kv.head, err = openHeadFile(dir)
	}
	if err == nil {
		kv.head.noSync = o.NoSync
		s.writeBehind = o.WriteBehind
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// checkHeadFile compares the head Pebble holds with the head file's,
// then brings the file up to date (creating it for a store made before
// head files existed).
func (s *Store) checkHeadFile(dir string) error {
	slot, ok, exists, err := readHeadFile(dir)
	if err != nil {
		return err
	}
	switch {
	case exists && ok:
		lost := &LostBlocksError{Dir: dir, Committed: slot.height, CommittedHash: slot.hash, Found: s.head.Height, HasFound: s.hasAny}
		if !s.hasAny || s.head.Height < slot.height {
			return lost
		}
		r, err := s.Block(slot.height)
		if err != nil {
			return fmt.Errorf("%w (%v)", lost, err)
		}
		if r.Header.Hash != slot.hash {
			lost.Mismatch = true
			return lost
		}
		if s.head.Height == slot.height {
			return nil
		}
	case exists && s.hasAny && s.head.Height >= 1:
		// Only the first block's write can leave no intact slot.
		return fmt.Errorf("%w: the head file %s has no intact record", ErrCorrupt, filepath.Join(dir, headFileName))
	case exists:
		if !s.hasAny {
			return nil
		}
	}
	if exists {
		// Pebble is ahead by the block whose head write a crash cut short.
		h, err := openHeadFile(dir)
		if err != nil {
			return err
		}
		defer h.close()
		return h.write(s.head.Height, s.head.Hash)
	}
	return createHeadFile(dir, s.head, s.hasAny)
}

// createHeadFile writes a new head file atomically (a synced temporary
// file renamed into place), so it never exists without an intact slot
// for a store that has a head.
func createHeadFile(dir string, head Header, hasAny bool) error {
	tmp := filepath.Join(dir, headFileName+".tmp")
	b := make([]byte, 2*headSlotSize)
	if hasAny {
		copy(b[(head.Height%2)*headSlotSize:], encodeHeadSlot(head.Height, head.Hash))
	}
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("store: creating the head file: %w", err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, headFileName))
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("store: creating the head file: %w", err)
	}
	return nil
}

// Pebble's tuning for a chain's access pattern: point reads of accounts
// by key, and one batch per block.
const (
	// blockCacheBytes holds the hot accounts decoded-block-ready; Pebble
	// allocates it as blocks are read, so a small chain pays only for
	// what it reads.
	blockCacheBytes = 512 << 20
	// memTableBytes lets a few hundred blocks of writes be read from
	// memory before they are flushed.
	memTableBytes = 64 << 20
	// bloomBitsPerKey gives point reads a filter per table (about 1%
	// false positives), so a read of an account touches one table, not
	// every level.
	bloomBitsPerKey = 10
)

func pebbleOptions() *pebble.Options {
	o := &pebble.Options{Logger: quietLogger{}, CacheSize: blockCacheBytes, MemTableSize: memTableBytes}
	for i := range o.Levels {
		o.Levels[i].FilterPolicy = bloom.FilterPolicy(bloomBitsPerKey)
	}
	return o
}

// quietLogger keeps Pebble's informational messages off the terminal;
// fatal errors still stop the process, as Pebble requires.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf("pebble: "+format, args...))
}

type pebbleKV struct {
	db   *pebble.DB
	dir  string
	head *headFile
	sync *pebble.WriteOptions
}

func getFrom(r pebble.Reader, key []byte) ([]byte, bool, error) {
	v, closer, err := r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	out := append([]byte(nil), v...)
	closer.Close()
	return out, true, nil
}

func (p *pebbleKV) get(key []byte) ([]byte, bool, error) { return getFrom(p.db, key) }

func (p *pebbleKV) apply(keys, values [][]byte) error {
	// Size the batch's buffer for its records (a kind byte and two
	// uvarint lengths each, past the header) so it is not regrown.
	size := 12
	for i := range keys {
		size += 1 + 2*binary.MaxVarintLen32 + len(keys[i]) + len(values[i])
	}
	b := p.db.NewBatchWithSize(size)
	defer b.Close()
	// In key order: the memtable's skiplist then finds each insertion
	// point next to the last one (half the time of a block's random
	// account keys). The sort is stable: a later write of a key still wins.
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return bytes.Compare(keys[x], keys[y]) })
	for _, i := range order {
		k := keys[i]
		var err error
		if values[i] == nil {
			err = b.Delete(k, nil)
		} else {
			err = b.Set(k, values[i], nil)
		}
		if err != nil {
			return err
		}
	}
	return b.Commit(p.sync)
}

type pebbleSnap struct{ s *pebble.Snapshot }

func (p pebbleSnap) get(key []byte) ([]byte, bool, error) { return getFrom(p.s, key) }
func (p pebbleSnap) close() error                         { return p.s.Close() }

func (p *pebbleKV) snapshot() (kvSnapshot, error) { return pebbleSnap{p.db.NewSnapshot()}, nil }

func (p *pebbleKV) scan(prefix []byte, fn func(k, v []byte) error) error {
	// prefixEnd, not prefix+0xff: a key whose next byte is 0xff is
	// still under the prefix.
	it, err := p.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: prefixEnd(prefix)})
	if err != nil {
		return err
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		if !bytes.HasPrefix(it.Key(), prefix) {
			break
		}
		if err := fn(it.Key(), it.Value()); err != nil {
			return err
		}
	}
	return it.Error()
}

func (p *pebbleKV) scanReverse(prefix, upper []byte, fn func(k, v []byte) (bool, error)) error {
	it, err := p.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: upper})
	if err != nil {
		return err
	}
	defer it.Close()
	for it.Last(); it.Valid(); it.Prev() {
		if !bytes.HasPrefix(it.Key(), prefix) {
			continue
		}
		more, err := fn(it.Key(), it.Value())
		if err != nil || !more {
			return err
		}
	}
	return it.Error()
}

// committed records the new head in the head file, after Pebble holds
// the block durably.
func (p *pebbleKV) committed(h Header) error { return p.head.write(h.Height, h.Hash) }

func (p *pebbleKV) checkpoint(dir string, head Header, hasAny bool) error {
	if err := p.db.Checkpoint(dir, pebble.WithFlushedWAL()); err != nil {
		return err
	}
	return createHeadFile(dir, head, hasAny)
}

func (p *pebbleKV) close() error {
	err := p.db.Close()
	if herr := p.head.close(); err == nil {
		err = herr
	}
	return err
}

var _ io.Closer = (*pebble.DB)(nil)
