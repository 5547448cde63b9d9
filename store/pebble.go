package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/cockroachdb/pebble/v2"
)

// Open opens (creating if needed) the Pebble store in dir.
func Open(dir string) (*Store, error) {
	db, err := pebble.Open(dir, &pebble.Options{Logger: quietLogger{}})
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", dir, err)
	}
	s, err := open(&pebbleKV{db: db})
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// quietLogger keeps Pebble's informational messages off the terminal;
// fatal errors still stop the process, as Pebble requires.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf("pebble: "+format, args...))
}

type pebbleKV struct{ db *pebble.DB }

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
	b := p.db.NewBatch()
	defer b.Close()
	for i, k := range keys {
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
	return b.Commit(pebble.Sync)
}

type pebbleSnap struct{ s *pebble.Snapshot }

func (p pebbleSnap) get(key []byte) ([]byte, bool, error) { return getFrom(p.s, key) }
func (p pebbleSnap) close() error                         { return p.s.Close() }

func (p *pebbleKV) snapshot() (kvSnapshot, error) { return pebbleSnap{p.db.NewSnapshot()}, nil }

func (p *pebbleKV) scan(prefix []byte, fn func(k, v []byte) error) error {
	upper := append(append([]byte(nil), prefix...), 0xff)
	it, err := p.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: upper})
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

func (p *pebbleKV) checkpoint(dir string) error { return p.db.Checkpoint(dir, pebble.WithFlushedWAL()) }

func (p *pebbleKV) close() error { return p.db.Close() }

var _ io.Closer = (*pebble.DB)(nil)
