package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// agora chain upgrade and rollback: a version staged by the authority,
// listed by chain account; a wrong authority and an ELF the verifier
// rejects change nothing; rollback restores the first version.
func TestChainUpgradeRollback(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "chain")
	so := func(name, src string) string {
		p := filepath.Join(tmp, name)
		if r := runCLI(t, "", "asm", filepath.Join("..", "..", "examples", "modules", src), "-o", p); r.code != 0 {
			t.Fatalf("asm %s: %s", src, r.stderr)
		}
		return p
	}
	buyLow, momentum := so("a.so", "strategy-buy-low.s"), so("b.so", "strategy-momentum.s")
	run := func(code int, args ...string) cliResult {
		t.Helper()
		r := runCLI(t, "", append(args, "--dir", dir, "--json")...)
		if r.code != code {
			t.Fatalf("%v: exit %d, want %d\n%s\n%s", args, r.code, code, r.stdout, r.stderr)
		}
		return r
	}
	run(0, "chain", "init")
	run(0, "chain", "keygen", "strategy")
	run(0, "chain", "keygen", "mallory")
	run(0, "chain", "transfer", "mallory", "1000000000")
	run(0, "chain", "deploy", buyLow, "--program-id", "strategy")

	versions := func() []any {
		t.Helper()
		v, _ := lastJSON(t, run(0, "chain", "account", "strategy").stdout)["versions"].([]any)
		return v
	}
	if r := run(exitFault, "chain", "upgrade", "strategy", momentum, "--upgrade-authority", "mallory"); !strings.Contains(r.stderr, "WrongUpgradeAuthority") {
		t.Fatalf("wrong authority: %s", r.stderr)
	}
	bad := filepath.Join(tmp, "bad.so")
	data, _ := os.ReadFile(momentum)
	if err := os.WriteFile(bad, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	run(exitBadCall, "chain", "upgrade", "strategy", bad)
	// The deep verifier runs by default: a program it finds a fault in
	// (a load through a null pointer) is refused, and nothing is staged.
	nullSrc := filepath.Join(tmp, "null.s")
	if err := os.WriteFile(nullSrc, []byte("entrypoint:\n  mov64 r2, 0\n  ldxdw r0, [r2+0]\n  exit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	null := filepath.Join(tmp, "null.so")
	if r := runCLI(t, "", "asm", nullSrc, "-o", null); r.code != 0 {
		t.Fatalf("asm: %s", r.stderr)
	}
	if r := run(exitBadCall, "chain", "upgrade", "strategy", null); !strings.Contains(r.stderr, "deep verifier") {
		t.Fatalf("a deep finding: %s", r.stderr)
	}
	if vs := versions(); len(vs) > 1 {
		t.Fatalf("a refused upgrade left versions %v", vs)
	}

	up := lastJSON(t, run(0, "chain", "upgrade", "strategy", momentum).stdout)
	vs := versions()
	if len(vs) != 2 || vs[1].(map[string]any)["active"] != true || vs[1].(map[string]any)["sha256"] != up["sha256"] {
		t.Fatalf("after upgrade: %v (%v)", vs, up)
	}
	rb := lastJSON(t, run(0, "chain", "rollback", "strategy").stdout)
	vs = versions()
	if vs[0].(map[string]any)["active"] != true || rb["version"] != vs[0].(map[string]any)["version"] {
		t.Fatalf("after rollback: %v (%v)", vs, rb)
	}
	run(exitFault, "chain", "rollback", "strategy", "--upgrade-authority", "mallory")

	// Pinning: the rolled-back version is active again, the upgrade's is not.
	first, second := vs[0].(map[string]any)["version"].(float64), vs[1].(map[string]any)["version"].(float64)
	run(0, "chain", "call", "strategy@"+strconv.Itoa(int(first)))
	if r := run(exitFault, "chain", "call", "strategy@"+strconv.Itoa(int(second))); !strings.Contains(r.stderr, "pinned version") {
		t.Fatalf("pinned to an inactive version: %s", r.stderr)
	}
}
