package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agora-vm/agora/internal/testutil"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/loader"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/vm"
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
	doc := fmt.Sprintf(`{"name":"t","litesvm_tps":100,"litesvm_cpu_tps":100,"accounts":[{"pubkey":%q,"lamports":"1000000000","owner":"11111111111111111111111111111111","executable":false,"data":""}],"txs":[%s]}`, payer, strings.Join(txs, ","))
	path := filepath.Join(t.TempDir(), "w.json")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runCLI(t, "", "bench", "agave", "--workload", path)
	if res.code != 0 {
		t.Fatalf("exit %d: %s %s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{"t: Agora bank (memory store, 1 lane(s)) 2 transactions (0 failed)", "t: Agora bank (pebble store, 1 lane(s)) 2 transactions (0 failed)", "t: Agora bank (pebble-sync store, 1 lane(s)) 2 transactions (0 failed)", "x LiteSVM", "tx per CPU-second"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.stdout)
		}
	}
	// Two blocks on two lanes: the second block's signatures are checked
	// ahead while the first runs.
	res = runCLI(t, "", "bench", "agave", "--workload", path, "--lanes", "2", "--txs-per-block", "1")
	if res.code != 0 || !strings.Contains(res.stdout, "t: Agora bank (memory store, 2 lane(s)) 2 transactions (0 failed)") {
		t.Fatalf("exit %d: %s %s", res.code, res.stdout, res.stderr)
	}
	// Another engine, and one this command does not offer.
	if res = runCLI(t, "", "bench", "agave", "--workload", path, "--engine", "jit"); res.code != 0 || !strings.Contains(res.stdout, "2 transactions (0 failed)") {
		t.Fatalf("--engine jit: exit %d: %s %s", res.code, res.stdout, res.stderr)
	}
	if res = runCLI(t, "", "bench", "agave", "--workload", path, "--engine", "verified"); res.code != 2 || !strings.Contains(res.stderr, "--engine verified") {
		t.Fatalf("--engine verified: exit %d: %s %s", res.code, res.stdout, res.stderr)
	}
	// One store, no warm-up; a store and a warm-up it does not know.
	res = runCLI(t, "", "bench", "agave", "--workload", path, "--stores", "pebble-sync", "--warmup", "0")
	if res.code != 0 || strings.Count(res.stdout, "\n") != 1 || !strings.Contains(res.stdout, "(pebble-sync store, 1 lane(s)) 2 transactions (0 failed)") {
		t.Fatalf("--stores pebble-sync: exit %d: %s %s", res.code, res.stdout, res.stderr)
	}
	for _, bad := range [][]string{{"--stores", "disk"}, {"--warmup", "-1"}} {
		if res = runCLI(t, "", append([]string{"bench", "agave", "--workload", path}, bad...)...); res.code != 2 || !strings.Contains(res.stderr, bad[0]) {
			t.Fatalf("%v: exit %d: %s", bad, res.code, res.stderr)
		}
	}
}

// syntheticWorkload builds bench.mjs's two workloads in Go, with n
// transactions: "transfer" (a System transfer signed by the fee payer and
// the sender) and, given SPL Token's ELF, "token" (SPL Token transfers
// between 64 initialized token accounts of one mint).
func syntheticWorkload(name string, n int, tokenELF []byte) *agaveWorkload {
	w := &agaveWorkload{Name: name, LiteSVMTPS: 1}
	seedKey := func(tag, i int) ed25519.PrivateKey {
		s := make([]byte, 32)
		s[0], s[1] = byte(tag), byte(i)
		return ed25519.NewKeyFromSeed(s)
	}
	fund := func(k pubkey.Pubkey, lamports uint64) {
		w.accounts = append(w.accounts, account.Keyed{Key: k, Account: account.Account{Lamports: lamports, Owner: pubkey.SystemProgram()}})
	}
	add := func(payer ed25519.PrivateKey, signers []ed25519.PrivateKey, ix txn.Instruction) {
		w.payerKeys = append(w.payerKeys, payer)
		w.payerPubkey = append(w.payerPubkey, txn.PubkeyOf(payer))
		w.signerKeys = append(w.signerKeys, signers)
		w.instrs = append(w.instrs, []txn.Instruction{ix})
		w.Txs = append(w.Txs, workloadTx{})
	}
	switch name {
	case "transfer":
		var payers, froms []ed25519.PrivateKey
		var tos []pubkey.Pubkey
		for i := range 64 {
			payers, froms, tos = append(payers, seedKey(1, i)), append(froms, seedKey(2, i)), append(tos, txn.PubkeyOf(seedKey(3, i)))
			fund(txn.PubkeyOf(payers[i]), 1_000_000_000_000)
			fund(txn.PubkeyOf(froms[i]), 1_000_000_000_000)
			fund(tos[i], 1_000_000_000)
		}
		for i := range n {
			j := i % 64
			add(payers[j], []ed25519.PrivateKey{froms[j]}, system.Transfer(txn.PubkeyOf(froms[j]), tos[j], uint64(1000+i)))
		}
	case "token":
		tokenID := pubkey.MustParse("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
		upgradeable := pubkey.BPFLoaderUpgradeable()
		dataKey := loader.ProgramDataAddress(tokenID)
		program := binary.LittleEndian.AppendUint32(nil, 2) // UpgradeableLoaderState::Program
		program = append(program, dataKey[:]...)
		pdata := binary.LittleEndian.AppendUint32(nil, 3) // ProgramData: slot 0, no authority
		pdata = append(pdata, make([]byte, 8+1+32)...)    // the header is 45 bytes with or without one
		pdata = append(pdata, tokenELF...)
		w.accounts = append(w.accounts,
			account.Keyed{Key: tokenID, Account: account.Account{Lamports: 1_141_440, Owner: upgradeable, Executable: true, Data: program}},
			account.Keyed{Key: dataKey, Account: account.Account{Lamports: 1_000_000_000, Owner: upgradeable, Data: pdata}})
		mint := txn.PubkeyOf(seedKey(4, 0))
		mintData := make([]byte, 82)
		mintData[44], mintData[45] = 6, 1 // decimals, initialized
		binary.LittleEndian.PutUint64(mintData[36:], 64*1_000_000_000)
		w.accounts = append(w.accounts, account.Keyed{Key: mint, Account: account.Account{Lamports: 1_461_600, Owner: tokenID, Data: mintData}})
		var owners []ed25519.PrivateKey
		var accts []pubkey.Pubkey
		for i := range 64 {
			owners, accts = append(owners, seedKey(5, i)), append(accts, txn.PubkeyOf(seedKey(6, i)))
			fund(txn.PubkeyOf(owners[i]), 1_000_000_000_000)
			d := make([]byte, 165)
			copy(d, mint[:])
			o := txn.PubkeyOf(owners[i])
			copy(d[32:], o[:])
			binary.LittleEndian.PutUint64(d[64:], 1_000_000_000)
			d[108] = 1 // initialized
			w.accounts = append(w.accounts, account.Keyed{Key: accts[i], Account: account.Account{Lamports: 2_039_280, Owner: tokenID, Data: d}})
		}
		for i := range n {
			j, k := i%64, (i+1)%64
			add(owners[j], nil, txn.Instruction{ProgramID: tokenID, Data: binary.LittleEndian.AppendUint64([]byte{3}, uint64(1+i%1000)),
				Accounts: []txn.AccountMeta{{Pubkey: accts[j], IsWritable: true}, {Pubkey: accts[k], IsWritable: true}, {Pubkey: txn.PubkeyOf(owners[j]), IsSigner: true}}})
		}
	}
	return w
}

// BenchmarkAgaveWorkload is `agora bench agave`'s Agora side on the
// synthetic workloads, for profiling (-cpuprofile, focus on
// ProcessBlock): block processing only, signing excluded from tx/s. The
// token rows need AGORA_SPL_TOKEN.
func BenchmarkAgaveWorkload(b *testing.B) {
	const n = 1024
	for _, name := range []string{"transfer", "token"} {
		for _, kind := range []string{"memory", "pebble"} {
			b.Run(name+"/"+kind, func(b *testing.B) {
				var elf []byte
				if name == "token" {
					elf = testutil.SPLToken(b)
				}
				w := syntheticWorkload(name, n, elf)
				var total time.Duration
				for b.Loop() {
					f, err := runWorkload(w, kind, vm.Interpreter{}, 1, 128)
					if err != nil || f.failed != 0 {
						b.Fatal(f.failed, err)
					}
					total += f.elapsed
				}
				b.ReportMetric(float64(n*b.N)/total.Seconds(), "tx/s")
			})
		}
	}
}

// The synthetic workloads run without failures.
func TestSyntheticWorkload(t *testing.T) {
	f, err := runWorkload(syntheticWorkload("transfer", 130, nil), "memory", vm.Interpreter{}, 1, 128)
	if err != nil || f.failed != 0 || f.tps <= 0 || f.elapsed <= 0 {
		t.Fatal(f, err)
	}
}
