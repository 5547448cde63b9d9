package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/agora-vm/agora/store"
)

// lockWait is how long a chain command waits for another process to
// release the chain before it gives up.
const lockWait = 2 * time.Second

// openLedger opens the chain's store. Pebble locks it for one process at
// a time; while another holds it, the open is retried for up to wait,
// then refused with an error that says who holds it (the lock is a POSIX
// record lock, so the system knows the holder's pid).
func openLedger(ledger string, wait time.Duration) (*store.Store, error) {
	deadline := time.Now().Add(wait)
	for {
		st, err := store.Open(ledger)
		if err == nil {
			return st, nil
		}
		if !isLockHeld(err) {
			return nil, &exitError{code: exitBadCall, err: err}
		}
		if time.Now().After(deadline) {
			who := "another process"
			if pid := lockHolder(filepath.Join(ledger, "LOCK")); pid > 0 {
				who = fmt.Sprintf("another process (pid %d)", pid)
			}
			return nil, &exitError{code: exitBadCall, err: fmt.Errorf("%s holds the chain in %s; try again when it has finished", who, filepath.Dir(ledger))}
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// isLockHeld reports whether err is Pebble failing to take its lock.
func isLockHeld(err error) bool {
	return errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) ||
		strings.Contains(err.Error(), "lock held by current process")
}
