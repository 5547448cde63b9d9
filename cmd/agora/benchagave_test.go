package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

// TestBenchAgaveWorkload runs a two-transaction workload through the bank
// on both stores.
func TestBenchAgaveWorkload(t *testing.T) {
	seed := bytes.Repeat([]byte{4}, 32)
	payer := txn.PubkeyOf(ed25519.NewKeyFromSeed(seed))
	var txs []string
	for i := range 2 {
		data := base64.StdEncoding.EncodeToString((&system.Instruction{Tag: system.TagTransfer, Lamports: uint64(1_000_000 + i)}).Encode())
		txs = append(txs, fmt.Sprintf(`{"payer":%q,"signers":[],"instructions":[{"program_id":"11111111111111111111111111111111","accounts":[{"pubkey":%q,"signer":true,"writable":true},{"pubkey":"Recipient1111111111111111111111111111111111","signer":false,"writable":true}],"data":%q}]}`,
			hex.EncodeToString(seed), payer, data))
	}
	doc := fmt.Sprintf(`{"name":"t","litesvm_tps":100,"accounts":[{"pubkey":%q,"lamports":"1000000000","owner":"11111111111111111111111111111111","executable":false,"data":""}],"txs":[%s]}`, payer, strings.Join(txs, ","))
	path := filepath.Join(t.TempDir(), "w.json")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runCLI(t, "", "bench", "agave", "--workload", path)
	if res.code != 0 {
		t.Fatalf("exit %d: %s %s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{"t: Agora bank (memory store, 1 lane(s)) 2 transactions (0 failed)", "t: Agora bank (pebble store, 1 lane(s)) 2 transactions (0 failed)", "x LiteSVM"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.stdout)
		}
	}
}
