package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
)

func TestChainCLI(t *testing.T) {
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
	run(exitBadCall, "chain", "init")
	alice := run(0, "chain", "keygen", "alice")["pubkey"].(string)
	run(exitBadCall, "chain", "keygen", "alice")
	run(exitBadCall, "chain", "keygen", "../evil")

	acc := run(0, "chain", "account", "payer")
	if acc["pubkey"] != payer || acc["lamports"].(float64) != genesisLamports || acc["owner"] != "11111111111111111111111111111111" {
		t.Fatalf("payer account %v", acc)
	}
	sys := run(0, "chain", "account", "system")
	if sys["executable"] != true || sys["owner"] != "NativeLoader1111111111111111111111111111111" {
		t.Fatalf("system program %v", sys)
	}
	rent := run(0, "chain", "account", "SysvarRent111111111111111111111111111111111")
	if d, _ := base64.StdEncoding.DecodeString(rent["data_base64"].(string)); len(d) != 17 || binary.LittleEndian.Uint64(d) != 3480 {
		t.Fatalf("rent sysvar %v", rent)
	}

	tr := run(0, "chain", "transfer", "alice", "5000000000")
	if tr["ok"] != true || tr["error"] != nil || tr["cu"].(float64) != 150 {
		t.Fatalf("transfer %v", tr)
	}
	if a := run(0, "chain", "account", alice); a["lamports"].(float64) != 5_000_000_000 {
		t.Fatalf("alice %v", a)
	}
	if r := run(1, "chain", "transfer", "alice", "999999999999999"); r["ok"] != false || r["error"] != "InstructionError(0, Custom(1))" {
		t.Fatalf("overdraft %v", r)
	}

	// Deploy the minitoken C program and create a mint with the System
	// program, as the SPL Token flow does.
	elfPath := filepath.Join("..", "..", "testdata", "c", "minitoken.so")
	if _, err := os.Stat(elfPath); err != nil {
		t.Fatal(err) // committed with its source; make -C examples/c rebuilds it
	}
	prog := run(0, "chain", "deploy", elfPath, "--program-id", "MiniToken1111111111111111111111111111111111")["program_id"].(string)
	if prog != "MiniToken1111111111111111111111111111111111" {
		t.Fatal(prog)
	}
	run(exitBadCall, "chain", "deploy", filepath.Join("..", "..", "testdata", "vectors", "alu.txt"))
	run(0, "chain", "keygen", "mint")
	progKey := pubkey.MustParse(prog)
	create := "00000000" + hex.EncodeToString(binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, 1_224_960), 48)) + hex.EncodeToString(progKey[:])
	if r := run(0, "chain", "call", "system", "--account", "payer:s:w", "--account", "mint:s:w", "--data", create); r["ok"] != true {
		t.Fatalf("create mint %v", r)
	}
	r := run(0, "chain", "call", prog, "--account", "mint:w", "--account", "payer:s", "--account", "rent", "--data", "0006")
	logs := r["logs"].([]any)
	if logs[0] != "Program "+prog+" invoke [1]" || logs[1] != "Program log: minitoken: mint initialized" ||
		!strings.HasPrefix(logs[2].(string), "Program "+prog+" consumed ") || logs[3] != "Program "+prog+" success" {
		t.Fatalf("logs %v", logs)
	}
	// Without the authority's signature the program refuses.
	r = run(1, "chain", "call", prog, "--account", "mint:w", "--account", "payer", "--account", "rent", "--data", "0006")
	if r["error"] != "InstructionError(0, MissingRequiredSignature)" && r["error"] != "InstructionError(0, AccountAlreadyInitialized)" {
		t.Fatalf("unsigned %v", r)
	}
	// Fee payer other than "payer".
	if r := run(0, "chain", "transfer", payer, "1", "--fee-payer", "alice"); r["fee"].(float64) != 5000 {
		t.Fatalf("alice pays %v", r)
	}
	run(exitBadCall, "chain", "call", prog, "--account", "nobody:s")
	run(exitBadCall, "chain", "call", prog, "--account", "mint:x")
	run(exitBadCall, "chain", "call", prog, "--data", "zz")
	run(exitBadCall, "chain", "account", "not-a-key")
	if r := runCLI(t, "", "chain", "account", "payer", "--dir", filepath.Join(dir, "nope")); r.code != exitBadCall {
		t.Fatal("uninitialized dir accepted")
	}
}

func TestBenchChainCmd(t *testing.T) {
	out := &strings.Builder{}
	s := &streams{out: out, err: &strings.Builder{}}
	cmd := newBenchChainCmd(s)
	cmd.SetArgs([]string{"--json", "--memory", "--blocks", "2", "--txs-per-block", "10"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	v := lastJSON(t, out.String())
	if v["transactions"].(float64) != 20 || v["tps"].(float64) <= 0 {
		t.Fatalf("%v", v)
	}
}

// TestChainBlock: signed transactions gathered in a block file execute in
// one block on several lanes, with a lane timeline; a bad block file is
// refused and commits nothing.
func TestChainBlock(t *testing.T) {
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
	run(0, "chain", "init")
	var signed []string
	for _, name := range []string{"alice", "bob", "carol"} {
		run(0, "chain", "keygen", name)
		run(0, "chain", "transfer", name, "1000000000", "--lanes", "1")
	}
	for _, name := range []string{"alice", "bob", "carol"} {
		tx := run(0, "chain", "transfer", "payer", "1000", "--fee-payer", name, "--sign-only")["transaction"].(string)
		signed = append(signed, tx)
	}
	write := func(name string, txs ...string) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(`{"transactions":["`+strings.Join(txs, `","`)+`"]}`), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	before := run(0, "chain", "account", "payer")["lamports"].(float64)
	// Refused: a duplicate, a malformed transaction. Nothing commits.
	run(exitBadCall, "chain", "block", write("dup.json", signed[0], signed[1], signed[0]))
	run(exitBadCall, "chain", "block", write("bad.json", signed[0], "AAAA"))
	if after := run(0, "chain", "account", "payer")["lamports"].(float64); after != before {
		t.Fatalf("a refused block changed the payer: %v -> %v", before, after)
	}
	trace := filepath.Join(t.TempDir(), "lanes.json")
	rep := run(0, "chain", "block", write("ok.json", signed...), "--lanes", "2", "--trace-lanes", trace)
	if rep["included"].(float64) != 3 || len(rep["transactions"].([]any)) != 3 {
		t.Fatalf("block %v", rep)
	}
	if after := run(0, "chain", "account", "payer")["lamports"].(float64); after != before+3000 {
		t.Fatalf("payer %v -> %v", before, after)
	}
	raw, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []struct {
			Ph  string `json:"ph"`
			Cat string `json:"cat"`
			Tid int    `json:"tid"`
		} `json:"traceEvents"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range doc.TraceEvents {
		if e.Ph == "X" && e.Cat == "execute" {
			n++
		}
	}
	if n != 3 {
		t.Fatalf("%d execute slices in the trace, want 3", n)
	}
	// A replayed block: every transaction is already processed.
	if r := runCLI(t, "", "chain", "block", write("again.json", signed...), "--dir", dir, "--json"); r.code != exitFault {
		t.Fatalf("replay: exit %d", r.code)
	}
}
