package ovsm

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/ext/econ"
	"github.com/agora-vm/agora/ext/zk"
)

// The accounts and instruction-data files shipped beside the OVSM
// examples (examples/ovsm/*.accounts.json, *.data.json) are made here, so
// that what `agora run … --accounts … --data-json @…` reads in the
// examples' README is the same input these tests prove correct. Run with
// AGORA_WRITE_EXAMPLES=1 to rewrite them.

const exampleOwner = "AgoraProgram1111111111111111111111111111111"

// accountLine is one entry of an accounts file.
func accountLine(key string, lamports uint64, data []byte, signer bool) string {
	s := fmt.Sprintf(`  {"key": %q, "owner": %q, "lamports": %d`, key, exampleOwner, lamports)
	if len(data) > 0 {
		s += fmt.Sprintf(`, "data_base64": %q`, base64.StdEncoding.EncodeToString(data))
	}
	if signer {
		s += `, "signer": true`
	}
	return s + `, "writable": true}`
}

// systemAccountLine is one entry of an accounts file for an account the
// System program owns (a payer, or an address a program will create).
func systemAccountLine(key string, lamports uint64, signer bool) string {
	s := fmt.Sprintf(`  {"key": %q, "owner": "11111111111111111111111111111111", "lamports": %d`, key, lamports)
	if signer {
		s += `, "signer": true`
	}
	return s + `, "writable": true}`
}

// econAgentAccounts are the accounts of the economics examples' first
// instruction under agora run, whose slot is 0: the escrow (or auction)
// at its address for id 0, and the depositors (or the creator).
func econAgentAccounts(t *testing.T) (escrow, auction string) {
	const alice, bob = "A1ice11111111111111111111111111111111111111", "Bob1111111111111111111111111111111111111111"
	a, err := abi.ParseKey(alice)
	if err != nil {
		t.Fatal(err)
	}
	esc, _ := econ.EscrowAddress(a, 0)
	auc, _ := econ.AuctionAddress(a, 0)
	escrow = accountsFile(systemAccountLine(abi.EncodeKey(esc), 0, false),
		systemAccountLine(alice, 10_000_000_000, true), systemAccountLine(bob, 10_000_000_000, true))
	auction = accountsFile(systemAccountLine(alice, 10_000_000_000, true), systemAccountLine(abi.EncodeKey(auc), 0, false))
	return escrow, auction
}

func accountsFile(lines ...string) string {
	if len(lines) == 0 {
		return "[]\n"
	}
	return "[\n" + strings.Join(lines, ",\n") + "\n]\n"
}

// blsAgentInputs signs "buy 10 SOL at 142.5" with a fixed key, as
// TestExampleBLSAgent does.
func blsAgentInputs(t *testing.T) (accounts, data string) {
	msg := "buy 10 SOL at 142.5"
	pkb, sigb := blsSign(t, big.NewInt(0x1234567890), []byte(msg))
	data = fmt.Sprintf("{\"pubkey\": {\"$hex\": \"%x\"},\n \"signature\": {\"$hex\": \"%x\"},\n \"message\": %q}\n", pkb, sigb, msg)
	return accountsFile(accountLine("AgentState111111111111111111111111111111111", 10, make([]byte, 8), true)), data
}

// zkAgentInputs carries ext/zk's snarkjs Groth16 fixture (c = a·b with
// a = 3, c = 33), as TestExampleZKPrivacyAgent does.
func zkAgentInputs(t *testing.T) (accounts, data string) {
	dir := filepath.Join("..", "ext", "zk", "testdata", "snarkjs")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	vk, proof, public, err := zk.ConvertSnarkJS(read("verification_key.json"), read("proof.json"), read("public.json"))
	if err != nil {
		t.Fatal(err)
	}
	amount := make([]byte, 8)
	amount[0] = 25
	data = fmt.Sprintf("{\"proof\": {\"$hex\": \"%x\"},\n \"inputs\": {\"$hex\": \"%x\"},\n \"verification-key\": {\"$hex\": \"%x\"}}\n", proof, public, vk)
	return accountsFile(
		accountLine("A1ice11111111111111111111111111111111111111", 100, amount, true),
		accountLine("Bob1111111111111111111111111111111111111111", 0, nil, false)), data
}

// tradingAgentAccounts is six accounts whose sixth holds a ring with two
// price updates, pushed by the producer of TestExampleRing.
func tradingAgentAccounts(t *testing.T) string {
	producer := compileOK(t, `(define-program producer
  (entrypoint (accounts instruction-data)
    (define stream (get accounts 5))
    (ring-buffer-format stream 8 256)
    (for (p [142500000 143000000])
      (assert (ring-buffer-push stream {:type "PRICE_UPDATE" :asset "SOL/USD" :price p :timestamp 310000000 :confidence 0.95}) "ring full"))
    0))`, Options{})
	accs := make([]abi.Account, 6)
	for i := range accs {
		accs[i] = acct(byte(i+1), 1, nil)
	}
	accs[5].Data = make([]byte, 192+8*(16+256))
	r := execute(t, producer, runOpts{accounts: accs, registry: extRegistry(t)})
	if r.Err != nil {
		t.Fatalf("producer: %v %q", r.Err, r.Logs)
	}
	names := []string{"Trader1111111111111111111111111111111111111", "Trader2111111111111111111111111111111111111", "Trader3111111111111111111111111111111111111",
		"Trader4111111111111111111111111111111111111", "Trader5111111111111111111111111111111111111", "PriceStream11111111111111111111111111111111"}
	lines := make([]string, len(names))
	for i, n := range names {
		lines[i] = accountLine(n, 1, r.Accounts[i].Data, i == 0)
	}
	return accountsFile(lines...)
}

// parallelAgentAccounts is the treasury (account 0, lamports only) and the
// market (account 1: u64 price, u64 volume) of parallel-agent.
func parallelAgentAccounts() string {
	market := make([]byte, 16)
	binary.LittleEndian.PutUint64(market, parallelAgentPrice)
	binary.LittleEndian.PutUint64(market[8:], parallelAgentVolume)
	return accountsFile(accountLine("Treasury11111111111111111111111111111111111", parallelAgentTreasury, nil, true),
		accountLine("Market1111111111111111111111111111111111111", 1, market, false))
}

// The parallel-agent inputs: price 142.5 and volume 1000, in millionths.
const (
	parallelAgentTreasury = 10_000_000_000
	parallelAgentPrice    = 142_500_000
	parallelAgentVolume   = 1_000_000_000
)

func TestShippedExampleInputs(t *testing.T) {
	blsAccounts, blsData := blsAgentInputs(t)
	zkAccounts, zkData := zkAgentInputs(t)
	trading := tradingAgentAccounts(t)
	escrow, auction := econAgentAccounts(t)
	files := map[string]string{
		"escrow-agent.accounts.json":       escrow,
		"vcg-auction-agent.accounts.json":  auction,
		"bls-agent.accounts.json":          blsAccounts,
		"bls-agent.data.json":              blsData,
		"zk-privacy-agent.accounts.json":   zkAccounts,
		"zk-privacy-agent.data.json":       zkData,
		"price-oracle-agent.accounts.json": accountsFile(),
		"trading-agents.accounts.json":     trading,
		"parallel-agent.accounts.json":     parallelAgentAccounts(),
	}
	for _, name := range []string{"escrow-agent.accounts.json", "vcg-auction-agent.accounts.json", "bls-agent.accounts.json", "bls-agent.data.json", "zk-privacy-agent.accounts.json",
		"zk-privacy-agent.data.json", "price-oracle-agent.accounts.json", "trading-agents.accounts.json",
		"parallel-agent.accounts.json"} {
		path := filepath.Join("..", "examples", "ovsm", name)
		if os.Getenv("AGORA_WRITE_EXAMPLES") == "1" {
			if err := os.WriteFile(path, []byte(files[name]), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (AGORA_WRITE_EXAMPLES=1 writes it)", name, err)
		}
		if string(got) != files[name] {
			t.Errorf("%s differs from what this test makes (AGORA_WRITE_EXAMPLES=1 rewrites it)", name)
		}
	}
}
