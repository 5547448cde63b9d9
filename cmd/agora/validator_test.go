//go:build cometbft

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// withCometBFT says this test binary, and so the agora the documented-
// commands test builds, has CometBFT validators.
const withCometBFT = true

func TestTestnetCmd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	r := runCLI(t, "", "testnet", "--validators", "3", "--dir", dir, "--base-port", "29000", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var out struct {
		Homes, P2P, RPC []string
		Payer           string
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Homes) != 3 || out.P2P[2] != "tcp://127.0.0.1:29004" || out.RPC[2] != "tcp://127.0.0.1:29005" || out.Payer == "" {
		t.Fatalf("output %+v", out)
	}
	for _, h := range out.Homes {
		for _, f := range []string{"config/genesis.json", "config/config.toml", "config/node_key.json", "config/priv_validator_key.json", "data/priv_validator_state.json", "agora/keys/payer.json"} {
			if _, err := os.Stat(filepath.Join(h, f)); err != nil {
				t.Fatal(err)
			}
		}
		toml, _ := os.ReadFile(filepath.Join(h, "config/config.toml"))
		if strings.Count(string(toml), "@127.0.0.1:") != 2 {
			t.Fatalf("%s: the config does not list the two other validators as peers", h)
		}
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"testnet", "--validators", "3", "--dir", dir}, "already holds a testnet"},
		{[]string{"testnet", "--validators", "0", "--dir", dir}, "--validators"},
		{[]string{"testnet", "--validators", "2"}, "--dir is required"},
		{[]string{"node", "--cometbft-home", out.Homes[0], "--dir", dir}, "not both"},
	} {
		if r := runCLI(t, "", c.args...); r.code != 2 || !strings.Contains(r.stderr, c.msg) {
			t.Fatalf("%v: exit %d, stderr %q; want 2 and %q", c.args, r.code, r.stderr, c.msg)
		}
	}
}
