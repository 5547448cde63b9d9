package bench

import (
	"os"
	"testing"
)

// splTokenELF returns the mainnet SPL Token program's ELF. It is not
// part of the repository (node/e2e/dump-spl.mjs extracts it from
// LiteSVM); AGORA_SPL_TOKEN names it.
func splTokenELF(t testing.TB) []byte {
	t.Helper()
	path := os.Getenv("AGORA_SPL_TOKEN")
	if path == "" {
		t.Skip("AGORA_SPL_TOKEN is not set (the SPL Token ELF is not in the repository; node/e2e/dump-spl.mjs writes it)")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSPLTokenTransfer(t *testing.T) {
	run, err := SPLTokenTransfer(splTokenELF(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Input) == 0 || run.Layout.NumEntries() != 3 {
		t.Fatalf("input %d bytes, %d entries", len(run.Input), run.Layout.NumEntries())
	}
}
