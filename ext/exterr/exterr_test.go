package exterr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/agora-vm/agora/ext/exterr"
)

type kindA uint8

var namesA = []string{1: "First", 2: "Second"}

func (k kindA) String() string { return exterr.KindString(namesA, k) }

type kindB uint8

func (k kindB) String() string { return exterr.KindString(nil, k) }

func TestError(t *testing.T) {
	e := exterr.Errorf(kindA(1), "at %d", 7)
	tests := []struct {
		name      string
		got, want string
	}{
		{"detail", e.Error(), "First: at 7"},
		{"no detail", (&exterr.Error[kindA]{Kind: 2}).Error(), "Second"},
		{"kind name", e.KindName(), "First"},
		{"unnamed kind", kindA(9).String(), "ErrorKind(9)"},
		{"zero kind", kindA(0).String(), "ErrorKind(0)"},
		{"no names", kindB(1).String(), "ErrorKind(1)"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	wrapped := fmt.Errorf("syscall: %w", e)
	if !errors.Is(wrapped, &exterr.Error[kindA]{Kind: 1}) {
		t.Error("an error does not match a sentinel of its kind")
	}
	if errors.Is(wrapped, &exterr.Error[kindA]{Kind: 2}) {
		t.Error("an error matches a sentinel of another kind")
	}
	if errors.Is(wrapped, &exterr.Error[kindB]{Kind: 1}) {
		t.Error("an error matches another family's sentinel of the same number")
	}
}
