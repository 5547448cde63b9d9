package extnames_test

import (
	"maps"
	"testing"

	"github.com/agora-vm/agora/sbpf/extnames"
)

func TestAliases(t *testing.T) {
	got := extnames.Aliases(extnames.TxBegin, extnames.RingPush, "sol_log_")
	want := map[string]string{
		"tx_begin":  extnames.TxBegin,
		"ring_push": extnames.RingPush,
		"sol_log_":  "sol_log_",
	}
	if !maps.Equal(got, want) {
		t.Fatalf("Aliases = %v, want %v", got, want)
	}
}

func TestMnemonic(t *testing.T) {
	for in, want := range map[string]string{
		extnames.StakeRelease: "stake_release",
		extnames.Prefix:       "",
		"agora":               "agora",
		"":                    "",
	} {
		if got := extnames.Mnemonic(in); got != want {
			t.Errorf("Mnemonic(%q) = %q, want %q", in, got, want)
		}
	}
}
