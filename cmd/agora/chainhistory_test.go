package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// chain tx and chain logs read the history back after the commands that
// made it exited: outcome, logs, costs and balances.
func TestChainHistoryCLI(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "chain")
	run := func(code int, args ...string) map[string]any {
		t.Helper()
		r := runCLI(t, "", append(args, "--dir", dir, "--json")...)
		if r.code != code {
			t.Fatalf("%v: exit %d, want %d\n%s\n%s", args, r.code, code, r.stdout, r.stderr)
		}
		if code == exitBadCall {
			return nil
		}
		return lastJSON(t, r.stdout)
	}
	payer := run(0, "chain", "init")["payer"].(string)
	alice := run(0, "chain", "keygen", "alice")["pubkey"].(string)
	good := run(0, "chain", "transfer", "alice", "5000000000")
	bad := run(1, "chain", "transfer", "alice", "999999999999999")
	prog := "MiniToken1111111111111111111111111111111111"
	run(0, "chain", "deploy", filepath.Join("..", "..", "testdata", "c", "minitoken.so"), "--program-id", prog)
	run(0, "chain", "keygen", "mint")
	call := run(1, "chain", "call", prog, "--account", "mint:w", "--account", "payer", "--data", "0006")

	tx := run(0, "chain", "tx", good["signature"].(string))
	if tx["ok"] != true || tx["error"] != nil || tx["slot"] != good["slot"] || tx["index"].(float64) != 0 || tx["cu"] != good["cu"] || tx["fee"] != good["fee"] {
		t.Fatalf("tx %v\nsubmitted %v", tx, good)
	}
	accts := tx["accounts"].([]any)
	p, a := accts[0].(map[string]any), accts[1].(map[string]any)
	if p["pubkey"] != payer || p["pre_lamports"].(float64) != genesisLamports || p["post_lamports"].(float64) != genesisLamports-5000-5_000_000_000 ||
		a["pubkey"] != alice || a["pre_lamports"].(float64) != 0 || a["post_lamports"].(float64) != 5_000_000_000 {
		t.Fatalf("balances %v", accts)
	}
	tx = run(1, "chain", "tx", bad["signature"].(string))
	if tx["ok"] != false || tx["error"] != "InstructionError(0, Custom(1))" || tx["message"] == "" {
		t.Fatalf("failed tx %v", tx)
	}
	run(exitBadCall, "chain", "tx", strings.Repeat("1", 64))
	run(exitBadCall, "chain", "tx", "not-base58-0OIl")

	logs := run(0, "chain", "logs")["transactions"].([]any)
	if len(logs) != 3 || logs[0].(map[string]any)["signature"] != good["signature"] || logs[2].(map[string]any)["signature"] != call["signature"] {
		t.Fatalf("logs %v", logs)
	}
	last := logs[2].(map[string]any)
	if l := last["logs"].([]any); len(l) == 0 || l[0] != "Program "+prog+" invoke [1]" || last["ok"] != false {
		t.Fatalf("last logs %v", last)
	}
	only := run(0, "chain", "logs", "--program", prog)["transactions"].([]any)
	if len(only) != 1 || only[0].(map[string]any)["signature"] != call["signature"] {
		t.Fatalf("--program %v", only)
	}
	if n := len(run(0, "chain", "logs", "--limit", "2")["transactions"].([]any)); n != 2 {
		t.Fatalf("--limit 2 gave %d", n)
	}
	if n := len(run(0, "chain", "logs", "--program", "alice", "--limit", "1")["transactions"].([]any)); n != 1 {
		t.Fatalf("--program alice --limit 1 gave %d", n)
	}
	run(exitBadCall, "chain", "logs", "--limit", "0")

	// Text output names the transaction and its outcome.
	r := runCLI(t, "", "chain", "logs", "--dir", dir, "--program", prog)
	if r.code != 0 || !strings.Contains(r.stdout, "Transaction "+call["signature"].(string)) || !strings.Contains(r.stdout, "  Program "+prog+" invoke [1]") {
		t.Fatalf("text logs: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "chain", "tx", "--dir", dir, good["signature"].(string))
	if r.code != 0 || !strings.Contains(r.stdout, "status: ok") || !strings.Contains(r.stdout, alice) {
		t.Fatalf("text tx: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A ledger whose write-ahead log lost committed blocks is refused by
// every command, naming the lost block, and nothing is written on top.
func TestChainDamagedLedgerCLI(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "chain")
	if r := runCLI(t, "", "chain", "init", "--dir", dir); r.code != 0 {
		t.Fatal(r.stderr)
	}
	runCLI(t, "", "chain", "keygen", "--dir", dir, "bob")
	var slot string
	for i := 0; i < 3; i++ {
		r := runCLI(t, "", "chain", "transfer", "--dir", dir, "bob", "1000000000", "--json")
		if r.code != 0 {
			t.Fatal(r.stderr)
		}
		slot = strings.TrimSpace(strings.Split(strings.Split(r.stdout, `"slot":`)[1], ",")[0])
	}
	logs, _ := filepath.Glob(filepath.Join(dir, ledgerDir, "*.log"))
	for _, l := range logs {
		fi, _ := os.Stat(l)
		os.Truncate(l, fi.Size()/2)
	}
	for _, args := range [][]string{{"chain", "account", "bob"}, {"chain", "transfer", "bob", "1"}, {"chain", "logs"}} {
		r := runCLI(t, "", append(args, "--dir", dir)...)
		if r.code != exitBadCall || !strings.Contains(r.stderr, "is damaged: block "+slot+" ") {
			t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
}
