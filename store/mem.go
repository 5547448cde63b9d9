package store

import (
	"bytes"
	"maps"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
)

// NewMem returns an empty in-memory store. Snapshots are cheap: the
// map is copied on the first write while a snapshot of it is open.
func NewMem() *Store {
	s, _ := open(&memKV{m: map[string][]byte{}})
	return s
}

type memKV struct {
	mu sync.RWMutex
	m  map[string][]byte
	// open counts the snapshots of m not yet closed; a write copies m
	// first while there are any. A chain closes each block's snapshot
	// before the block is written, so its writes copy nothing.
	open *atomic.Int64
}

func (k *memKV) get(key []byte) ([]byte, bool, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	v, ok := k.m[string(key)]
	return append([]byte(nil), v...), ok, nil
}

func (k *memKV) apply(keys, values [][]byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.open != nil && k.open.Load() > 0 {
		k.m, k.open = maps.Clone(k.m), nil
	}
	for i, key := range keys {
		if values[i] == nil {
			delete(k.m, string(key))
		} else {
			k.m[string(key)] = values[i] // kv.apply's values are not changed afterwards
		}
	}
	return nil
}

type memSnap struct {
	m      map[string][]byte
	open   *atomic.Int64 // the map's count of open snapshots
	closed atomic.Bool
}

func (s *memSnap) get(key []byte) ([]byte, bool, error) {
	v, ok := s.m[string(key)]
	return append([]byte(nil), v...), ok, nil
}

func (s *memSnap) close() error {
	if !s.closed.Swap(true) {
		s.open.Add(-1)
	}
	return nil
}

func (k *memKV) snapshot() (kvSnapshot, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.open == nil {
		k.open = new(atomic.Int64)
	}
	k.open.Add(1)
	return &memSnap{m: k.m, open: k.open}, nil
}

func (k *memKV) sorted(prefix []byte) []string {
	var ks []string
	for key := range k.m {
		if bytes.HasPrefix([]byte(key), prefix) {
			ks = append(ks, key)
		}
	}
	sort.Strings(ks)
	return ks
}

func (k *memKV) scan(prefix []byte, fn func(k, v []byte) error) error {
	k.mu.RLock()
	defer k.mu.RUnlock()
	for _, key := range k.sorted(prefix) {
		if err := fn([]byte(key), k.m[key]); err != nil {
			return err
		}
	}
	return nil
}

func (k *memKV) committed(Header) error { return nil }

func (k *memKV) scanReverse(prefix, upper []byte, fn func(k, v []byte) (bool, error)) error {
	k.mu.RLock()
	defer k.mu.RUnlock()
	ks := k.sorted(prefix)
	for i := len(ks) - 1; i >= 0; i-- {
		if ks[i] >= string(upper) {
			continue
		}
		more, err := fn([]byte(ks[i]), k.m[ks[i]])
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// checkpoint writes the contents as a Pebble store in dir.
func (k *memKV) checkpoint(dir string, head Header, hasAny bool) error {
	db, err := pebble.Open(dir, &pebble.Options{Logger: quietLogger{}, ErrorIfExists: true})
	if err != nil {
		return err
	}
	k.mu.RLock()
	b := db.NewBatch()
	for _, key := range k.sorted(nil) {
		if err := b.Set([]byte(key), k.m[key], nil); err != nil {
			k.mu.RUnlock()
			db.Close()
			return err
		}
	}
	k.mu.RUnlock()
	if err := b.Commit(pebble.Sync); err != nil {
		db.Close()
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	return createHeadFile(dir, head, hasAny)
}

func (k *memKV) close() error { return nil }
