package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/ext/econ"
	"github.com/agora-vm/agora/solana/pubkey"
)

// Keys of the C examples' accounts files.
const (
	cAlice      = "A1ice11111111111111111111111111111111111111"
	cRingBus    = "RingBus111111111111111111111111111111111111"
	cPriceRing  = "PriceRing1111111111111111111111111111111111"
	cReaderSt   = "ReaderState11111111111111111111111111111111"
	cSystemID   = "11111111111111111111111111111111"
	cNativeLdr  = "NativeLoader1111111111111111111111111111111"
	cBPFLoader2 = "BPFLoader2111111111111111111111111111111111"
)

// cAccount is one line of an accounts file.
type cAccount struct {
	key, owner       string
	lamports         uint64
	data             []byte
	signer, writable bool
	executable       bool
}

func (a cAccount) line() string {
	s := fmt.Sprintf(`  {"key": %q, "owner": %q, "lamports": %d`, a.key, a.owner, a.lamports)
	switch {
	case len(a.data) > 64:
		s += fmt.Sprintf(`, "data_base64": %q`, base64.StdEncoding.EncodeToString(a.data))
	case len(a.data) > 0:
		s += fmt.Sprintf(`, "data_hex": %q`, hex.EncodeToString(a.data))
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{a.signer, "signer"}, {a.writable, "writable"}, {a.executable, "executable"}} {
		if f.on {
			s += fmt.Sprintf(`, %q: true`, f.name)
		}
	}
	return s + "}"
}

func cAccountsFile(accts ...cAccount) string {
	lines := make([]string, len(accts))
	for i, a := range accts {
		lines[i] = a.line()
	}
	return "[\n" + strings.Join(lines, ",\n") + "\n]\n"
}

func mustKey(t *testing.T, s string) pubkey.Pubkey {
	t.Helper()
	k, err := abi.ParseKey(s)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return k
}

// runAccounts runs `agora run ELF --accounts` over accts and returns the
// accounts' data after the instruction.
func runAccounts(t *testing.T, elf, programID string, data string, accts ...cAccount) [][]byte {
	t.Helper()
	doc := filepath.Join(t.TempDir(), "accounts.json")
	if err := os.WriteFile(doc, []byte(cAccountsFile(accts...)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", "run", elf, "--program-id", programID, "--accounts", doc, "--data", data, "--json")
	v := lastJSON(t, r.stdout)
	if r.code != 0 || v["ok"] != true {
		t.Fatalf("%s %s: exit %d\n%s%s", elf, data, r.code, r.stdout, r.stderr)
	}
	var out [][]byte
	for _, a := range v["accounts"].([]any) {
		b, err := base64.StdEncoding.DecodeString(a.(map[string]any)["data_base64"].(string))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// ringReaderInputs: ringbus (a second program, in the file as an
// executable account of the BPF loader holding its ELF) with a ring of 4
// messages for 2 consumers into which two prices were published, and the
// reader's state; the instruction {consumer 0, max 2} reads both.
func ringReaderInputs(t *testing.T) (accounts, data string) {
	elf := filepath.Join("..", "..", "testdata", "c", "ringbus.so")
	bus := mustRead(t, elf)
	ring := cAccount{key: cPriceRing, owner: cRingBus, lamports: 10_000_000, data: make([]byte, 384), writable: true}
	ring.data = runAccounts(t, elf, cRingBus, "0004000000", ring)[0]
	for i, price := range []uint64{142_500_000, 143_100_000} {
		msg := binary.LittleEndian.AppendUint64(nil, uint64(i+1))
		msg = binary.LittleEndian.AppendUint64(msg, price)
		msg = binary.LittleEndian.AppendUint64(msg, 0)
		msg = append(msg, "SOL/USD\x00"...)
		ring.data = runAccounts(t, elf, cRingBus, "01"+hex.EncodeToString(msg), ring)[0]
	}
	state := cAccount{key: cReaderSt, owner: abi.DefaultProgramID, lamports: 1_000_000, data: make([]byte, 32), writable: true}
	program := cAccount{key: cRingBus, owner: cBPFLoader2, lamports: 1, data: bus, executable: true}
	return cAccountsFile(ring, state, program), "0002"
}

// econAgentInputs: econagent's Create of a VCG auction of 2 items, id 0,
// taking bids for 5 slots, at its address under the economics program.
func econAgentInputs(t *testing.T) (accounts, data string) {
	alice := mustKey(t, cAlice)
	auc, bump := econ.AuctionAddress(alice, 0)
	d := []byte{0, bump, 2}
	d = binary.LittleEndian.AppendUint64(d, 0)
	d = binary.LittleEndian.AppendUint64(d, 5)
	return cAccountsFile(
		cAccount{key: cAlice, owner: cSystemID, lamports: 10_000_000_000, signer: true, writable: true},
		cAccount{key: abi.EncodeKey(auc), owner: cSystemID, writable: true},
	), hex.EncodeToString(d)
}

// econBaseInputs: econbase's AuctionCreate (VCG, 4 items, up to 8 bids,
// 100 slots), the auction at econbase's own address for it, created by a
// System CreateAccount CPI.
func econBaseInputs(t *testing.T) (accounts, data string) {
	alice := mustKey(t, cAlice)
	self := mustKey(t, abi.DefaultProgramID)
	addr, bump, ok := pubkey.FindProgramAddress([][]byte{[]byte("auction"), alice[:], binary.LittleEndian.AppendUint64(nil, 7)}, self)
	if !ok {
		t.Fatal("no auction address")
	}
	p := econ.AuctionCreate{ID: 7, Kind: econ.VCG, Bump: bump, Items: 4, MaxBids: 8, BidSlots: 100, Reserve: 1, Beneficiary: alice}
	d := append([]byte{0}, econ.Args(&p)...)
	return cAccountsFile(
		cAccount{key: cAlice, owner: cSystemID, lamports: 10_000_000_000, signer: true, writable: true},
		cAccount{key: abi.EncodeKey(addr), owner: cSystemID, writable: true},
		cAccount{key: cSystemID, owner: cNativeLdr, lamports: 1, executable: true},
	), hex.EncodeToString(d)
}

// TestShippedCExampleInputs makes the accounts files of the C examples
// that span several programs, from runs of the programs themselves, and
// checks the shipped files and the README's commands against them
// (AGORA_WRITE_EXAMPLES=1 rewrites the files). TestDocumentedCommands runs
// the commands.
func TestShippedCExampleInputs(t *testing.T) {
	type input struct{ accounts, data string }
	made := map[string]input{}
	for name, f := range map[string]func(*testing.T) (string, string){
		"ringreader": ringReaderInputs, "econagent": econAgentInputs, "econbase": econBaseInputs,
	} {
		a, d := f(t)
		made[name] = input{a, d}
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "examples", "c", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"econagent", "econbase", "ringreader"} {
		path := filepath.Join("..", "..", "examples", "c", name+".json")
		if os.Getenv("AGORA_WRITE_EXAMPLES") == "1" {
			if err := os.WriteFile(path, []byte(made[name].accounts), 0o644); err != nil {
				t.Fatal(err)
			}
		} else if got, err := os.ReadFile(path); err != nil || string(got) != made[name].accounts {
			t.Errorf("%s differs from what this test makes (AGORA_WRITE_EXAMPLES=1 rewrites it): %v", path, err)
		}
		cmd := fmt.Sprintf("agora run testdata/c/%s.so --accounts examples/c/%s.json --data %s\n", name, name, made[name].data)
		if !strings.Contains(string(readme), cmd) {
			t.Errorf("examples/c/README.md lacks the command\n%s", cmd)
		}
	}
}

// A program in the accounts file whose data is no ELF fails the CPI into
// it as Agave fails a program that does not load: UnsupportedProgramId.
func TestAccountsFileProgramThatDoesNotLoad(t *testing.T) {
	accounts, data := ringReaderInputs(t)
	bus := base64.StdEncoding.EncodeToString(mustRead(t, filepath.Join("..", "..", "testdata", "c", "ringbus.so")))
	bad := strings.Replace(accounts, bus, "AAAA", 1)
	if bad == accounts {
		t.Fatal("the file does not hold ringbus's ELF")
	}
	doc := filepath.Join(t.TempDir(), "accounts.json")
	if err := os.WriteFile(doc, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", "run", filepath.Join("..", "..", "testdata", "c", "ringreader.so"), "--accounts", doc, "--data", data, "--json")
	v := lastJSON(t, r.stdout)
	if r.code != 1 || v["ok"] != false || v["error"].(map[string]any)["kind"] != "UnsupportedProgramId" {
		t.Fatalf("exit %d: %s", r.code, r.stdout)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
