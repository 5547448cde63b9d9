package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

// transferCase is a conform case: payer sends lamports to a new account.
func transferCase(t testing.TB, lamports, balance uint64) string {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	payer := txn.PubkeyOf(key)
	to := pubkey.Pubkey{9}
	ix := txn.Instruction{ProgramID: pubkey.SystemProgram(), Accounts: []txn.AccountMeta{{Pubkey: payer, IsSigner: true, IsWritable: true}, {Pubkey: to, IsWritable: true}},
		Data: (&system.Instruction{Tag: system.TagTransfer, Lamports: lamports}).Encode()}
	m, err := txn.Compile(payer, []txn.Instruction{ix}, txn.Hash{1})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := txn.Sign(m, key)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`{"id":7,"accounts":[{"pubkey":%q,"lamports":"%d","owner":"11111111111111111111111111111111","executable":false,"data":""},{"pubkey":"11111111111111111111111111111111","lamports":1,"owner":"NativeLoader1111111111111111111111111111111","executable":true,"data":""}],"transaction":%q}`,
		payer, balance, base64.StdEncoding.EncodeToString(tx.Encode()))
}

func TestConformCases(t *testing.T) {
	in := strings.Join([]string{
		transferCase(t, 1_000_000, 10_000_000),
		"",
		transferCase(t, 1_000_000, 500_000),
		`{"accounts":[],"transaction":"!!"}`,
	}, "\n")
	res := runCLI(t, in, "conform", "--features", "all")
	if res.code != exitBadCall {
		t.Fatalf("exit %d, want 2 for the invalid line: %s", res.code, res.stderr)
	}
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(res.stdout), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		out = append(out, m)
	}
	if len(out) != 3 {
		t.Fatalf("%d results, want 3: %s", len(out), res.stdout)
	}
	if out[0]["status"] != "ok" || out[0]["id"] != 7.0 || out[0]["cu"] != "150" {
		t.Errorf("transfer: %v", out[0])
	}
	accts := out[0]["accounts"].([]any)
	if a := accts[0].(map[string]any); a["lamports"] != "8995000" {
		t.Errorf("payer after: %v", a)
	}
	if a := accts[1].(map[string]any); a["lamports"] != "1000000" || a["owner"] != "11111111111111111111111111111111" {
		t.Errorf("recipient after: %v", a)
	}
	e, _ := out[1]["error"].(map[string]any)
	if out[1]["status"] != "error" || e["kind"] != "InstructionError" || e["index"] != 0.0 || e["instruction_error"] != "Custom" || e["custom"] != 1.0 {
		t.Errorf("overdraft: %v", out[1])
	}
	if out[2]["status"] != "invalid" || !strings.Contains(out[2]["message"].(string), "line 4") {
		t.Errorf("bad line: %v", out[2])
	}
}

func TestConformListFeatures(t *testing.T) {
	res := runCLI(t, "", "conform", "--list-features", "--features", "deplete_cu_meter_on_vm_failure")
	if res.code != 0 || !strings.Contains(res.stdout, `"name":"deplete_cu_meter_on_vm_failure","id":"B7H2caeia4ZFcpE3QcgMqbiWiBtWrdBRBSJ1DY6Ktxbq","active":true`) {
		t.Fatalf("%d %s %s", res.code, res.stdout, res.stderr)
	}
	if res := runCLI(t, "", "conform", "--features", "nope"); res.code != exitBadCall || !strings.Contains(res.stderr, `unknown feature "nope"`) {
		t.Fatalf("bad feature: %d %s", res.code, res.stderr)
	}
}

// FuzzConform feeds arbitrary lines to agora conform: every line gets one
// result, and nothing panics.
func FuzzConform(f *testing.F) {
	f.Add(transferCase(f, 5, 10_000_000))
	f.Add(`{"accounts":[{"pubkey":"11111111111111111111111111111111","lamports":1,"owner":"x","data":""}],"transaction":""}`)
	f.Add("{}\n{")
	f.Fuzz(func(t *testing.T, in string) {
		res := runCLI(t, in, "conform")
		if res.code != 0 && res.code != exitBadCall {
			t.Fatalf("exit %d", res.code)
		}
	})
}
