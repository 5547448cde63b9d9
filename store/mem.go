package store

import (
	"bytes"
	"sort"
	"sync"

	"github.com/cockroachdb/pebble/v2"
)

// NewMem returns an empty in-memory store. Snapshots are cheap: the
// map is copied on the first write after a snapshot.
func NewMem() *Store {
	s, _ := open(&memKV{m: map[string][]byte{}})
	return s
}

type memKV struct {
	mu     sync.RWMutex
	m      map[string][]byte
	shared bool // a snapshot holds m; copy before writing
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
	if k.shared {
		c := make(map[string][]byte, len(k.m))
		for a, b := range k.m {
			c[a] = b
		}
		k.m, k.shared = c, false
	}
	for i, key := range keys {
		if values[i] == nil {
			delete(k.m, string(key))
		} else {
			k.m[string(key)] = append([]byte(nil), values[i]...)
		}
	}
	return nil
}

type memSnap struct{ m map[string][]byte }

func (s memSnap) get(key []byte) ([]byte, bool, error) {
	v, ok := s.m[string(key)]
	return append([]byte(nil), v...), ok, nil
}
func (memSnap) close() error { return nil }

func (k *memKV) snapshot() (kvSnapshot, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.shared = true
	return memSnap{k.m}, nil
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
