package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
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
