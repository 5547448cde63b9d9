package bench

import (
	"testing"

	"github.com/agora-vm/agora/internal/testutil"
)

func TestSPLTokenTransfer(t *testing.T) {
	run, err := SPLTokenTransfer(testutil.SPLToken(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Input) == 0 || run.Layout.NumEntries() != 3 {
		t.Fatalf("input %d bytes, %d entries", len(run.Input), run.Layout.NumEntries())
	}
}
