package extnames_test

import (
	"maps"
	"testing"

	names "github.com/agora-vm/agora/sbpf/extnames"
)

func TestAliases(t *testing.T) {
	got := names.Aliases(names.TxBegin, names.RingPush, "sol_log_")
	want := map[string]string{
		"tx_begin":  names.TxBegin,
		"ring_push": names.RingPush,
		"sol_log_":  "sol_log_",
	}
	if !maps.Equal(got, want) {
		t.Fatalf("Aliases = %v, want %v", got, want)
	}
}

func TestMnemonic(t *testing.T) {
	for in, want := range map[string]string{
		names.StakeRelease: "stake_release",
		names.Prefix:       "",
		"agora":            "agora",
		"":                 "",
	} {
		if got := names.Mnemonic(in); got != want {
			t.Errorf("Mnemonic(%q) = %q, want %q", in, got, want)
		}
	}
}
