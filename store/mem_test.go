package store

import (
	"testing"

	"github.com/agora-vm/agora/solana/account"
)

// TestMemSnapshotsCopyOnlyWhileOpen: an open snapshot keeps its view
// through later commits (two of them, and a second snapshot), and once
// every snapshot is closed a commit writes in place.
func TestMemSnapshotsCopyOnlyWhileOpen(t *testing.T) {
	s := NewMem()
	kv := s.db.(*memKV)
	commit := func(h uint64, lamports uint64) {
		t.Helper()
		if _, err := s.Commit(&Block{Height: h, Writes: []account.Keyed{{Key: key(1), Account: account.Account{Lamports: lamports}}}}); err != nil {
			t.Fatal(err)
		}
	}
	lamportsIn := func(sn *Snapshot) uint64 {
		t.Helper()
		a, err := sn.Account(key(1))
		if err != nil {
			t.Fatal(err)
		}
		return a.Lamports
	}
	commit(0, 10)
	a, _ := s.Snapshot()
	b, _ := s.Snapshot()
	commit(1, 11)
	c, _ := s.Snapshot()
	commit(2, 12)
	if lamportsIn(a) != 10 || lamportsIn(b) != 10 || lamportsIn(c) != 11 {
		t.Fatalf("snapshots read %d, %d, %d; want 10, 10, 11", lamportsIn(a), lamportsIn(b), lamportsIn(c))
	}
	for _, sn := range []*Snapshot{a, b, c, c} { // closing twice is harmless
		if err := sn.Close(); err != nil {
			t.Fatal(err)
		}
	}
	d, _ := s.Snapshot()
	d.Close()
	before := kv.m
	commit(3, 13)
	if now, _ := s.Account(key(1)); now.Lamports != 13 {
		t.Fatalf("latest = %d, want 13", now.Lamports)
	}
	if len(kv.m) != len(before) || kv.open.Load() != 0 {
		t.Fatalf("map copied or snapshots counted after every snapshot closed")
	}
	kv.m["probe"] = nil
	if _, ok := before["probe"]; !ok {
		t.Fatal("a commit with no open snapshot copied the map")
	}
}
