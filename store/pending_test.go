package store

import (
	"errors"
	"testing"
)

// TestPrepareApply checks that Prepare writes nothing, that the header it
// announces is the one Apply commits (the same as Commit's), and that a
// block prepared over a head that moved is refused.
func TestPrepareApply(t *testing.T) {
	a, b := NewMem(), NewMem()
	for h := uint64(0); h < 5; h++ {
		want, err := a.Commit(block(h))
		if err != nil {
			t.Fatal(err)
		}
		p, err := b.Prepare(block(h))
		if err != nil {
			t.Fatal(err)
		}
		if p.Header != want {
			t.Fatalf("block %d: prepared header %+v, Commit gave %+v", h, p.Header, want)
		}
		if head, ok := b.Head(); (h == 0 && ok) || (h > 0 && head.Height != h-1) {
			t.Fatalf("block %d: Prepare moved the head to %+v", h, head)
		}
		for _, w := range block(h).Writes {
			if got, _ := b.Account(w.Key); h == 0 && got.Exists() {
				t.Fatalf("block %d: Prepare wrote %s", h, w.Key)
			}
		}
		got, err := b.Apply(p)
		if err != nil || got != want {
			t.Fatalf("block %d: Apply = %+v, %v; want %+v", h, got, err, want)
		}
	}
	stale, err := b.Prepare(block(5))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(block(5)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(stale); !errors.Is(err, ErrOutOfOrder) {
		t.Fatalf("Apply over a moved head: %v, want ErrOutOfOrder", err)
	}
	if err := b.Verify(); err != nil {
		t.Fatal(err)
	}
}
