package abi_test

import (
	"maps"
	"testing"

	"github.com/agora-vm/agora/ext/abi"
)

func TestAliases(t *testing.T) {
	got := abi.Aliases(abi.TxBegin, abi.RingPush, "sol_log_")
	want := map[string]string{
		"tx_begin":  abi.TxBegin,
		"ring_push": abi.RingPush,
		"sol_log_":  "sol_log_",
	}
	if !maps.Equal(got, want) {
		t.Fatalf("Aliases = %v, want %v", got, want)
	}
}

func TestMnemonic(t *testing.T) {
	for in, want := range map[string]string{
		abi.StakeRelease: "stake_release",
		abi.Prefix:       "",
		"agora":          "agora",
		"":               "",
	} {
		if got := abi.Mnemonic(in); got != want {
			t.Errorf("Mnemonic(%q) = %q, want %q", in, got, want)
		}
	}
}
