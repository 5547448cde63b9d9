//go:build nocometbft

package main

import (
	"strings"
	"testing"
)

func TestNoCometBFT(t *testing.T) {
	for _, args := range [][]string{
		{"testnet", "--validators", "4", "--dir", t.TempDir()},
		{"node", "--cometbft-home", t.TempDir()},
	} {
		if r := runCLI(t, "", args...); r.code != 2 || !strings.Contains(r.stderr, "go build ./cmd/agora") {
			t.Fatalf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}
