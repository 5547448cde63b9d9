package abci

import (
	"sync"

	dbm "github.com/cometbft/cometbft-db"
)

// closableDB guards a CometBFT database against reads after Close.
// CometBFT's Stop closes its block store while per-peer consensus
// goroutines it does not wait for may still read it, and Pebble panics
// on a read of a closed database; a validator stopped in a running
// process (a restart, or the network test's stopped node) must not take
// the process down. After Close, Get finds nothing and Has is false: the
// only readers left are those goroutines, on their way out.
type closableDB struct {
	dbm.DB
	mu     sync.RWMutex
	closed bool
}

func (d *closableDB) Get(key []byte) ([]byte, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return nil, nil
	}
	return d.DB.Get(key)
}

func (d *closableDB) Has(key []byte) (bool, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return false, nil
	}
	return d.DB.Has(key)
}

func (d *closableDB) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	return d.DB.Close()
}
