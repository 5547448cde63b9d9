package store

import (
	"errors"
	"fmt"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
)

// errStopScan ends a scan early; it never leaves the package.
var errStopScan = errors.New("stop")

// Accounts visits every committed account in address order until fn
// returns false or an error (which Accounts returns). It reads the whole
// account space: RPC scans such as getProgramAccounts, not consensus.
func (s *Store) Accounts(fn func(k pubkey.Pubkey, a account.Account) (bool, error)) error {
	if err := s.settle(); err != nil {
		return err
	}
	err := s.db.scan([]byte{nsAccount}, func(k, v []byte) error {
		if len(k) != 1+pubkey.Size {
			return fmt.Errorf("%w: account key of %d bytes", ErrCorrupt, len(k))
		}
		a, err := account.Decode(v)
		if err != nil {
			return err
		}
		more, err := fn(pubkey.Pubkey(k[1:]), a)
		if err != nil {
			return err
		}
		if !more {
			return errStopScan
		}
		return nil
	})
	if errors.Is(err, errStopScan) {
		return nil
	}
	return err
}
