package store

import (
	"errors"
	"testing"
	"time"

	"github.com/agora-vm/agora/solana/account"
)

// A store written behind, synced or not, commits the same blocks as one
// written in place, passes the same exercise, and after Close reopens at
// its head with its state.
func TestWriteBehindStore(t *testing.T) {
	for _, o := range []Options{{WriteBehind: true}, {WriteBehind: true, NoSync: true}} {
		dir := t.TempDir()
		s, err := OpenWith(dir, o)
		if err != nil {
			t.Fatal(err)
		}
		exercise(t, s)
		want := NewMem()
		for h := uint64(0); h < 30; h++ {
			if _, err := want.Commit(block(h)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := want.Commit(&Block{Height: 30, Writes: []account.Keyed{{Key: key(1), Account: account.Account{Lamports: 777}}}}); err != nil {
			t.Fatal(err)
		}
		head, _ := s.Head()
		if wh, _ := want.Head(); head != wh {
			t.Fatalf("%+v: head %+v, written in place %+v", o, head, wh)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		checkReopens(t, dir, head)
	}
}

// gatedKV holds each apply until the test releases it, or fails it.
type gatedKV struct {
	kv
	release chan error
	started chan struct{}
}

func (g *gatedKV) apply(keys, values [][]byte) error {
	g.started <- struct{}{}
	if err := <-g.release; err != nil {
		return err
	}
	return g.kv.apply(keys, values)
}

func gatedStore(t *testing.T) (*Store, *gatedKV) {
	t.Helper()
	s := NewMem()
	if _, err := s.Commit(block(0)); err != nil {
		t.Fatal(err)
	}
	g := &gatedKV{kv: s.db, release: make(chan error), started: make(chan struct{}, 1)}
	s.db, s.writeBehind = g, true
	return s, g
}

// blocked fails the test if fn returns before release is called, then
// calls release and returns fn's error.
func blocked(t *testing.T, what string, fn func() error, release func()) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		t.Fatalf("%s returned (%v) while the block before it was being written", what, err)
	case <-time.After(20 * time.Millisecond):
	}
	release()
	return <-done
}

// While a block is written behind, reads of its accounts see it (through
// the store and through snapshots taken after the commit, not before),
// the head is the block, and what reads history or commits the next
// block waits for the write.
func TestWriteBehindReads(t *testing.T) {
	s, g := gatedStore(t)
	before, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer before.Close()
	old, _ := s.Account(key(1))
	b := &Block{Height: 1, Writes: []account.Keyed{
		{Key: key(1), Account: account.Account{Lamports: 5, Data: []byte{1, 2}}},
		{Key: key(0), Account: account.Account{}}, // closed
	}}
	h, err := s.Commit(b)
	if err != nil {
		t.Fatal(err)
	}
	<-g.started
	if head, _ := s.Head(); head != h {
		t.Fatalf("head %d during the write, want %d", head.Height, h.Height)
	}
	during, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer during.Close()
	for name, read := range map[string]func() (account.Account, error){
		"store":    func() (account.Account, error) { return s.Account(key(1)) },
		"snapshot": func() (account.Account, error) { return during.Account(key(1)) },
	} {
		if a, err := read(); err != nil || a.Lamports != 5 || string(a.Data) != "\x01\x02" {
			t.Fatalf("%s read %+v, %v during the write", name, a, err)
		}
	}
	if a, _ := during.Account(key(0)); a.Lamports != 0 {
		t.Fatalf("closed account reads %+v", a)
	}
	if a, _ := before.Account(key(1)); !a.Equal(&old) {
		t.Fatalf("a snapshot from before the commit sees it: %+v", a)
	}
	err = blocked(t, "Block", func() error {
		r, err := s.Block(1)
		if err == nil && r.Header != h {
			t.Errorf("block 1 is %+v", r.Header)
		}
		return err
	}, func() { g.release <- nil })
	if err != nil {
		t.Fatal(err)
	}
	// The next commit starts its own write only after this one's.
	if _, err := s.Commit(block(2)); err != nil {
		t.Fatal(err)
	}
	<-g.started
	err = blocked(t, "Commit", func() error { _, err := s.Commit(block(3)); return err }, func() { g.release <- nil })
	if err != nil {
		t.Fatal(err)
	}
	<-g.started
	g.release <- nil
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
	// Written: the engine itself holds the block's accounts.
	if v, ok, _ := g.kv.get(accountKey(key(1))); !ok {
		t.Fatal("key 1 never reached the engine")
	} else if a, _ := account.Decode(v); a.Lamports != 5 {
		t.Fatalf("the engine holds %+v", a)
	}
}

// A write behind that fails fails the next commit, every one after it,
// the reads that wait for it, and Close.
func TestWriteBehindFailure(t *testing.T) {
	s, g := gatedStore(t)
	if _, err := s.Commit(block(1)); err != nil {
		t.Fatal(err)
	}
	<-g.started
	disk := errors.New("disk full")
	g.release <- disk
	for i := range 2 {
		if _, err := s.Commit(block(2)); !errors.Is(err, disk) {
			t.Fatalf("commit %d after the failed write: %v", i, err)
		}
	}
	if _, err := s.Transaction([64]byte{}); !errors.Is(err, disk) {
		t.Fatalf("history read: %v", err)
	}
	if err := s.Close(); !errors.Is(err, disk) {
		t.Fatalf("Close: %v", err)
	}
}
