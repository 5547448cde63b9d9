package store

import (
	"testing"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
)

// TestAccountsScan: Accounts visits every account in address order, the
// ones whose address starts with 0xff included, on both engines, and
// stops when asked.
func TestAccountsScan(t *testing.T) {
	keys := []pubkey.Pubkey{{0x00, 1}, {0x7f}, {0xff}, {0xff, 0xff, 3}}
	open := map[string]func(t *testing.T) *Store{
		"mem": func(t *testing.T) *Store { return NewMem() },
		"pebble": func(t *testing.T) *Store {
			s, err := Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
	for name, mk := range open {
		t.Run(name, func(t *testing.T) {
			s := mk(t)
			var ws []account.Keyed
			for i, k := range keys {
				ws = append(ws, account.Keyed{Key: k, Account: account.Account{Lamports: uint64(i + 1)}})
			}
			if _, err := s.Commit(&Block{Height: 0, Writes: ws}); err != nil {
				t.Fatal(err)
			}
			var got []pubkey.Pubkey
			if err := s.Accounts(func(k pubkey.Pubkey, a account.Account) (bool, error) {
				got = append(got, k)
				return true, nil
			}); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(keys) {
				t.Fatalf("visited %v, want %v", got, keys)
			}
			for i := range keys {
				if got[i] != keys[i] {
					t.Fatalf("visited %v, want %v", got, keys)
				}
			}
			if err := s.Verify(); err != nil {
				t.Fatal(err)
			}
			n := 0
			s.Accounts(func(pubkey.Pubkey, account.Account) (bool, error) { n++; return n < 2, nil })
			if n != 2 {
				t.Fatalf("stopped after %d", n)
			}
		})
	}
}
