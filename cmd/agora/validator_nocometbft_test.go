//go:build !cometbft

package main

import (
	"strings"
	"testing"
)

// withCometBFT says this test binary, and so the agora the documented-
// commands test builds, has CometBFT validators.
const withCometBFT = false

func TestNoCometBFT(t *testing.T) {
	for _, args := range [][]string{
		{"testnet", "--validators", "4", "--dir", t.TempDir()},
		{"node", "--cometbft-home", t.TempDir()},
	} {
		if r := runCLI(t, "", args...); r.code != 2 || !strings.Contains(r.stderr, "go build -tags cometbft") {
			t.Fatalf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}
