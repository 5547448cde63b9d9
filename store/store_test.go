package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
)

func key(i int) pubkey.Pubkey {
	var k pubkey.Pubkey
	copy(k[:], fmt.Sprintf("k%030d", i))
	return k
}

// block returns a deterministic block at height h touching a few accounts.
func block(h uint64) *Block {
	b := &Block{Height: h, Timestamp: int64(1000 + h)}
	for i := 0; i < 5; i++ {
		k := int(h*3+uint64(i)) % 40
		a := account.Account{Lamports: h*10 + uint64(i) + 1, Data: bytes.Repeat([]byte{byte(h)}, int(h%7)*100)}
		if (h+uint64(i))%11 == 0 {
			a.Lamports = 0 // deletion
		}
		b.Writes = append(b.Writes, account.Keyed{Key: key(k), Account: a})
	}
	var sig [64]byte
	sig[0] = byte(h)
	b.Signatures = [][64]byte{sig}
	return b
}

func exercise(t *testing.T, s *Store) {
	if _, ok := s.Head(); ok {
		t.Fatal("empty store has a head")
	}
	if _, err := s.Commit(block(1)); !errors.Is(err, ErrOutOfOrder) {
		t.Fatalf("first block at 1: %v", err)
	}
	var hs []Header
	for h := uint64(0); h < 30; h++ {
		hd, err := s.Commit(block(h))
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, hd)
	}
	snap, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	before, _ := snap.Account(key(1))
	if _, err := s.Commit(&Block{Height: 30, Writes: []account.Keyed{{Key: key(1), Account: account.Account{Lamports: 777}}}}); err != nil {
		t.Fatal(err)
	}
	after, _ := snap.Account(key(1))
	if !after.Equal(&before) {
		t.Fatal("snapshot saw a later commit")
	}
	now, _ := s.Account(key(1))
	if now.Lamports != 777 {
		t.Fatalf("latest = %d", now.Lamports)
	}
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
	r, err := s.Block(5)
	if err != nil || r.Header != hs[5] || r.Header.Parent != hs[4].Hash {
		t.Fatalf("block 5: %+v %v", r.Header, err)
	}
}

func TestMemStore(t *testing.T) { exercise(t, NewMem()) }

func TestPebbleStore(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir, "db"))
	if err != nil {
		t.Fatal(err)
	}
	exercise(t, s)
	head, _ := s.Head()
	if err := s.Checkpoint(filepath.Join(dir, "cp")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, d := range []string{"db", "cp"} {
		checkReopens(t, filepath.Join(dir, d), head)
	}
}

// checkReopens opens the store in dir and checks that it is at head and
// verifies.
func checkReopens(t *testing.T, dir string, head Header) {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if h, _ := s.Head(); h != head {
		t.Fatalf("%s: reopened at %+v, want %+v", dir, h, head)
	}
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
}

// The same blocks give the same state roots in both engines, whatever
// the order of writes within a block.
func TestStateRootDeterministic(t *testing.T) {
	a, b := NewMem(), NewMem()
	for h := uint64(0); h < 10; h++ {
		blk := block(h)
		ha, _ := a.Commit(blk)
		rev := *blk
		rev.Writes = nil
		seen := map[pubkey.Pubkey]bool{}
		for i := len(blk.Writes) - 1; i >= 0; i-- { // distinct keys only, reversed
			if !seen[blk.Writes[i].Key] {
				seen[blk.Writes[i].Key] = true
				rev.Writes = append([]account.Keyed{blk.Writes[i]}, rev.Writes...)
			}
		}
		for i, j := 0, len(rev.Writes)-1; i < j; i, j = i+1, j-1 {
			rev.Writes[i], rev.Writes[j] = rev.Writes[j], rev.Writes[i]
		}
		hb, _ := b.Commit(&rev)
		if ha.StateRoot != hb.StateRoot {
			t.Fatalf("block %d: roots differ", h)
		}
	}
}

const (
	crashEnv        = "AGORA_STORE_CRASH_CHILD"
	crashBetweenEnv = "AGORA_STORE_CRASH_BETWEEN"
	crashBehindEnv  = "AGORA_STORE_CRASH_BEHIND"
)

// killBetween is a kv that kills its process on the n-th commit after
// Pebble holds the block and before the head file does: the one moment
// where the two legitimately disagree.
type killBetween struct {
	kv
	n int
}

func (k *killBetween) committed(h Header) error {
	if k.n--; k.n == 0 {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	return k.kv.committed(h)
}

// TestCrashChild is the child of TestCrashSafety: it commits blocks to the
// store in $AGORA_STORE_CRASH_CHILD forever, printing each committed height.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("run by TestCrashSafety")
	}
	behind := os.Getenv(crashBehindEnv) != ""
	s, err := OpenWith(dir, Options{WriteBehind: behind})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	if n, err := strconv.Atoi(os.Getenv(crashBetweenEnv)); err == nil && n > 0 {
		s.db = &killBetween{kv: s.db, n: n}
	}
	for {
		next := uint64(0)
		if h, ok := s.Head(); ok {
			next = h.Height + 1
		}
		blk := block(next)
		// Large blocks make the kill land inside a commit more often.
		for i := 0; i < 20; i++ {
			blk.Writes = append(blk.Writes, account.Keyed{Key: key(100 + i), Account: account.Account{Lamports: next + 1, Data: make([]byte, 4096)}})
		}
		if _, err := s.Commit(blk); err != nil {
			fmt.Println("commit:", err)
			os.Exit(4)
		}
		switch {
		case !behind:
			fmt.Printf("committed %d\n", next)
		case next > 0:
			// Written behind: a commit returning means the block
			// before it is on disk.
			fmt.Printf("committed %d\n", next-1)
		}
	}
}

// lockedBuffer is a bytes.Buffer a child process writes while the test
// reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestCrashSafety kills a child process mid-commit many times and checks
// after each kill that no committed block was lost and none is partial,
// and that the head file, whatever moment the kill hit, never makes Open
// report lost blocks. Odd rounds kill the child between Pebble's commit
// and the head file's write; every third round writes behind.
// AGORA_CRASH_ROUNDS sets the rounds (default 8, 3 with -short).
func TestCrashSafety(t *testing.T) {
	rounds := 8
	if testing.Short() {
		rounds = 3
	}
	if v, err := strconv.Atoi(os.Getenv("AGORA_CRASH_ROUNDS")); err == nil && v > 0 {
		rounds = v
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "db")
	var committed int64 = -1
	for r := 0; r < rounds; r++ {
		cmd := exec.Command(exe, "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir)
		if r%2 == 1 {
			cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%d", crashBetweenEnv, 1+r%5))
		}
		if r%3 == 2 {
			cmd.Env = append(cmd.Env, crashBehindEnv+"=1")
		}
		out := &lockedBuffer{}
		cmd.Stdout = out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		// Kill at a varying moment after the child's first commit (or
		// its own exit, in the rounds that kill it between writes): on a
		// loaded machine its start alone can outlast a fixed delay.
	wait:
		for start := time.Now(); time.Since(start) < 10*time.Second && !strings.Contains(out.String(), "committed "); {
			select {
			case <-exited:
				break wait
			case <-time.After(10 * time.Millisecond):
			}
		}
		time.Sleep(time.Duration(37*r%200) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		for _, line := range strings.Split(out.String(), "\n") {
			if n, ok := strings.CutPrefix(line, "committed "); ok {
				if v, err := strconv.ParseInt(n, 10, 64); err == nil && v > committed {
					committed = v
				}
			}
		}
		s, err := Open(dir)
		if err != nil {
			t.Fatalf("round %d: reopen: %v", r, err)
		}
		h, ok := s.Head()
		if slot, sok, _, _ := readHeadFile(dir); ok && (!sok || slot.height != h.Height || slot.hash != h.Hash) {
			t.Fatalf("round %d: head file %+v (intact %v) after open, head %d", r, slot, sok, h.Height)
		}
		if committed >= 0 && (!ok || int64(h.Height) < committed) {
			t.Fatalf("round %d: head %d, but block %d was committed", r, h.Height, committed)
		}
		if err := s.Verify(); err != nil {
			t.Fatalf("round %d: %v", r, err)
		}
		// Every account written by the head block holds what it wrote.
		if ok {
			blk := block(h.Height)
			for i := 0; i < 20; i++ {
				blk.Writes = append(blk.Writes, account.Keyed{Key: key(100 + i), Account: account.Account{Lamports: h.Height + 1, Data: make([]byte, 4096)}})
			}
			last := map[pubkey.Pubkey]account.Account{}
			for _, w := range blk.Writes {
				last[w.Key] = w.Account
			}
			for k, want := range last {
				got, _ := s.Account(k)
				if want.Lamports == 0 {
					want = account.Account{}
				}
				if !got.Equal(&want) {
					t.Fatalf("round %d: account %s of block %d partially written", r, k, h.Height)
				}
			}
			committed = max(committed, int64(h.Height))
		}
		s.Close()
	}
	if committed < 1 {
		t.Fatalf("the child never committed (last %d)", committed)
	}
	t.Logf("%d kills, %d blocks committed", rounds, committed+1)
}

// TestParallelHashingSameRoot: hashing the written accounts on several
// goroutines commits the same state root as hashing them on one.
func TestParallelHashingSameRoot(t *testing.T) {
	var roots [][32]byte
	for _, workers := range []int{0, 1, 3, 8} {
		s := NewMem()
		for h := uint64(0); h < 4; h++ {
			b := &Block{Height: h, Timestamp: int64(h), Workers: workers}
			for i := range 200 {
				k := key(int(h)*50 + i) // overlaps the previous block's accounts
				b.Writes = append(b.Writes, account.Keyed{Key: k, Account: account.Account{Lamports: uint64(i % 7), Data: []byte{byte(i), byte(h)}}})
			}
			hd, err := s.Commit(b)
			if err != nil {
				t.Fatal(err)
			}
			if h == 3 {
				roots = append(roots, hd.StateRoot)
			}
		}
		if err := s.Verify(); err != nil {
			t.Fatalf("%d workers: %v", workers, err)
		}
	}
	for i := range roots {
		if roots[i] != roots[0] {
			t.Fatalf("state roots differ with the number of workers: %x", roots)
		}
	}
}

// Prior values read from a snapshot of the head give the same commitment
// as Commit reading them itself, for some or all written accounts.
func TestPriorSameRoot(t *testing.T) {
	plain, withPrior := NewMem(), NewMem()
	for h := uint64(0); h < 30; h++ {
		b := block(h)
		want, err := plain.Commit(b)
		if err != nil {
			t.Fatal(err)
		}
		b = block(h)
		snap, err := withPrior.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		b.Prior = map[pubkey.Pubkey]account.Account{}
		for i, w := range b.Writes {
			if i%2 == int(h%2) { // some accounts, the others read by Commit
				if b.Prior[w.Key], err = snap.Account(w.Key); err != nil {
					t.Fatal(err)
				}
			}
		}
		snap.Close()
		got, err := withPrior.Commit(b)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("block %d: %+v with prior values, %+v without", h, got, want)
		}
	}
	if err := withPrior.Verify(); err != nil {
		t.Fatal(err)
	}
}

// commitChain commits blocks 0..top to a new Pebble store in dir and
// closes it.
func commitChain(t *testing.T, dir string, top uint64) Header {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var h Header
	for i := uint64(0); i <= top; i++ {
		if h, err = s.Commit(block(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return h
}

// A write-ahead log that lost synced records must not roll the chain
// back silently: Open refuses the store, naming the lost blocks.
func TestTruncatedWALDetected(t *testing.T) {
	for _, frac := range []int64{2, 4, 100} {
		t.Run(fmt.Sprintf("1/%d", frac), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "db")
			head := commitChain(t, dir, 20)
			logs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
			if len(logs) == 0 {
				t.Fatal("no write-ahead log")
			}
			for _, l := range logs {
				fi, err := os.Stat(l)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.Truncate(l, fi.Size()*(frac-1)/frac); err != nil {
					t.Fatal(err)
				}
			}
			s, err := Open(dir)
			if err == nil {
				h, _ := s.Head()
				s.Close()
				t.Fatalf("opened a truncated ledger: head %d, committed %d", h.Height, head.Height)
			}
			var lost *LostBlocksError
			if !errors.As(err, &lost) || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %T %v, want *LostBlocksError", err, err)
			}
			if lost.Committed != 20 || lost.CommittedHash != head.Hash || (lost.HasFound && lost.Found >= 20) {
				t.Fatalf("error %+v", lost)
			}
			if !strings.Contains(err.Error(), "block 20") {
				t.Fatalf("message %q does not name the lost block", err)
			}
			// Refusing wrote nothing: a second open refuses the same way.
			if _, err2 := Open(dir); err2 == nil || err2.Error() != err.Error() {
				t.Fatalf("second open: %v", err2)
			}
		})
	}
}

// The states a crash can leave the head file in are all accepted: one
// block behind Pebble (killed between the two writes), the newest slot
// torn, no file (a store from before head files). Damage is not.
func TestHeadFileStates(t *testing.T) {
	path := func(dir string) string { return filepath.Join(dir, headFileName) }
	tests := []struct {
		name   string
		damage func(t *testing.T, dir string, head Header, prev Header)
		ok     bool
	}{
		{"intact", func(*testing.T, string, Header, Header) {}, true},
		{"one behind", func(t *testing.T, dir string, head, prev Header) {
			b := make([]byte, 2*headSlotSize)
			copy(b[(prev.Height%2)*headSlotSize:], encodeHeadSlot(prev.Height, prev.Hash))
			os.WriteFile(path(dir), b, 0o644)
		}, true},
		{"newest slot torn", func(t *testing.T, dir string, head, prev Header) {
			b, _ := os.ReadFile(path(dir))
			b[(head.Height%2)*headSlotSize+20] ^= 0xff
			os.WriteFile(path(dir), b, 0o644)
		}, true},
		{"missing", func(t *testing.T, dir string, head, prev Header) { os.Remove(path(dir)) }, true},
		{"both slots damaged", func(t *testing.T, dir string, head, prev Header) {
			os.WriteFile(path(dir), bytes.Repeat([]byte{7}, 2*headSlotSize), 0o644)
		}, false},
		{"ahead of the ledger", func(t *testing.T, dir string, head, prev Header) {
			hf, _ := openHeadFile(dir)
			hf.write(head.Height+1, [32]byte{1})
			hf.close()
		}, false},
		{"another hash", func(t *testing.T, dir string, head, prev Header) {
			hf, _ := openHeadFile(dir)
			hf.write(head.Height, [32]byte{1})
			hf.close()
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "db")
			head := commitChain(t, dir, 6)
			s, _ := Open(dir)
			prev, _ := s.Block(5)
			s.Close()
			tt.damage(t, dir, head, prev.Header)
			s, err := Open(dir)
			if !tt.ok {
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("opened damaged store: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if h, _ := s.Head(); h != head {
				t.Fatalf("head %d", h.Height)
			}
			// Open brought the head file up to date.
			slot, ok, _, _ := readHeadFile(dir)
			if !ok || slot.height != head.Height || slot.hash != head.Hash {
				t.Fatalf("head file %+v %v after open", slot, ok)
			}
		})
	}
}

// noHeadFile is a kv that skips the head file: the baseline of
// BenchmarkCommit.
type noHeadFile struct{ kv }

func (noHeadFile) committed(Header) error { return nil }

// BenchmarkCommit commits small blocks to Pebble with and without the
// head file's synced write (the baseline).
func BenchmarkCommit(b *testing.B) {
	for _, withHead := range []bool{false, true} {
		name := "baseline-pebble-only"
		if withHead {
			name = "with-head-file"
		}
		b.Run(name, func(b *testing.B) {
			s, err := Open(filepath.Join(b.TempDir(), "db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if !withHead {
				s.db = noHeadFile{s.db}
			}
			h := uint64(0)
			for b.Loop() {
				if _, err := s.Commit(block(h)); err != nil {
					b.Fatal(err)
				}
				h++
			}
		})
	}
}

// A store opened without syncing commits the same blocks, and after a
// clean close reopens at its head with its state.
func TestNoSyncStore(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenWith(dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ref := NewMem()
	var last Header
	for h := uint64(0); h < 20; h++ {
		if last, err = s.Commit(block(h)); err != nil {
			t.Fatal(err)
		}
		want, err := ref.Commit(block(h))
		if err != nil {
			t.Fatal(err)
		}
		if last != want {
			t.Fatalf("block %d: header %+v, in memory %+v", h, last, want)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	checkReopens(t, dir, last)
}
