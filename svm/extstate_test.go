package svm

import "testing"

// Each program run (frame) has its own extension slots.
func TestExtStatePerFrame(t *testing.T) {
	type key struct{}
	a := &bpfContext{f: &frame{}}
	b := &bpfContext{f: &frame{}}
	n := 0
	mk := func() any { n++; return new(int) }
	pa := a.ExtState(key{}, mk)
	if a.ExtState(key{}, mk) != pa || n != 1 {
		t.Fatal("a second lookup made a new value")
	}
	if b.ExtState(key{}, mk) == pa || n != 2 {
		t.Fatal("two frames share a slot")
	}
}
