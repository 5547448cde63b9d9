package econ_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-vm/agora/ext/econ"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

// agentIx builds an instruction of examples/c/econagent.c.
func agentIx(agent pubkey.Pubkey, data []byte, accounts ...txn.AccountMeta) txn.Instruction {
	return txn.Instruction{ProgramID: agent, Accounts: accounts, Data: data}
}

func w(k pubkey.Pubkey) txn.AccountMeta { return txn.AccountMeta{Pubkey: k, IsWritable: true} }
func sw(k pubkey.Pubkey) txn.AccountMeta {
	return txn.AccountMeta{Pubkey: k, IsSigner: true, IsWritable: true}
}

// TestCAgentRunsAnAuction runs examples/c/econagent.c (testdata/c/econagent.so):
// the agent creates a VCG auction, three bidders bid through it (one more
// bid is refused and the agent carries on), and it settles the auction:
// the worked example, through the syscalls from a C program.
func TestCAgentRunsAnAuction(t *testing.T) {
	elfBytes, err := os.ReadFile(filepath.Join("..", "..", "testdata", "c", "econagent.so"))
	if err != nil {
		t.Fatal(err)
	}
	c := newChain(t)
	agent := pk("econagent")
	c.deploy(agent, elfBytes)
	c.fund(10*sol, "creator", "b1", "b2", "b3", "late")
	creator := pk("creator")

	const id = 42
	auc, bump := econ.AuctionAddress(creator, id)
	create := []byte{0, bump, 2}
	create = binary.LittleEndian.AppendUint64(create, id)
	create = binary.LittleEndian.AppendUint64(create, 5) // bid slots
	c.ok(c.send([]txn.Instruction{agentIx(agent, create, sw(creator), w(auc))}, keyOf("creator")))
	st := c.auction(auc)
	if st.Kind != econ.VCG || st.Items != 2 || st.Beneficiary != creator || st.Creator != creator {
		t.Fatalf("auction %+v", st)
	}

	bid := func(bidder string, bundle, value uint64) string {
		d := binary.LittleEndian.AppendUint64([]byte{1}, bundle)
		d = binary.LittleEndian.AppendUint64(d, value)
		r := c.ok(c.send([]txn.Instruction{agentIx(agent, d, w(auc), sw(pk(bidder)))}, keyOf(bidder)))
		return strings.Join(r.Logs, "\n")
	}
	bid("b1", 0b01, 10)
	bid("b2", 0b10, 8)
	bid("b3", 0b11, 15)
	if logs := bid("late", 0b01, 0); !strings.Contains(logs, "econagent: bid refused") ||
		!strings.Contains(logs, "Program log: 0x1, 0x0, 0xec10, 0x0, 0x0") {
		t.Fatalf("a zero bid: %s", logs)
	}
	if logs := bid("late", 0b100, 5); !strings.Contains(logs, "econagent: not bidding") {
		t.Fatalf("a bid on a missing item: %s", logs)
	}
	if n := len(c.auction(auc).Bids); n != 3 {
		t.Fatalf("%d bids", n)
	}

	c.advance(st.EndSlot)
	before := [3]uint64{c.lamports(pk("b1")), c.lamports(pk("b2")), c.lamports(pk("b3"))}
	benef := c.lamports(creator)
	r := c.ok(c.send([]txn.Instruction{agentIx(agent, []byte{2}, w(auc), w(creator), w(pk("b1")), w(pk("b2")), w(pk("b3")))}))
	if r.ReturnProgram != agent || len(r.ReturnData) != 24 || binary.LittleEndian.Uint64(r.ReturnData) != 12 ||
		binary.LittleEndian.Uint64(r.ReturnData[8:]) != 0b011 || binary.LittleEndian.Uint64(r.ReturnData[16:]) != 18 {
		t.Fatalf("return %s %x\n%s", r.ReturnProgram, r.ReturnData, strings.Join(r.Logs, "\n"))
	}
	refunds := [3]uint64{c.lamports(pk("b1")) - before[0], c.lamports(pk("b2")) - before[1], c.lamports(pk("b3")) - before[2]}
	if refunds != [3]uint64{3, 3, 15} || c.lamports(creator)-benef != 12 {
		t.Fatalf("refunds %v, proceeds %d", refunds, c.lamports(creator)-benef)
	}
	// Settling again is refused, and the agent fails with the code.
	c.failsWith(c.send([]txn.Instruction{agentIx(agent, []byte{2}, w(auc), w(creator), w(pk("b1")), w(pk("b2")), w(pk("b3")))}), econ.Closed)
}

// TestCAgentBidsFromItsVault: the agent bids from a System account at its
// own PDA, signing for it with seeds passed to the syscall.
func TestCAgentBidsFromItsVault(t *testing.T) {
	elfBytes, err := os.ReadFile(filepath.Join("..", "..", "testdata", "c", "econagent.so"))
	if err != nil {
		t.Fatal(err)
	}
	c := newChain(t)
	agent := pk("econagent")
	c.deploy(agent, elfBytes)
	c.fund(10*sol, "creator")
	vault, vbump, _ := pubkey.FindProgramAddress([][]byte{[]byte("vault")}, agent)
	c.ok(c.send([]txn.Instruction{system.Transfer(txn.PubkeyOf(c.payer), vault, sol)}))

	ix, auc := econ.NewAuctionCreate(pk("creator"), econ.AuctionCreate{ID: 1, Kind: econ.VCG, Items: 1, MaxBids: 2, BidSlots: 5, Beneficiary: pk("creator")})
	c.ok(c.send([]txn.Instruction{ix}, keyOf("creator")))
	d := binary.LittleEndian.AppendUint64([]byte{3}, 1)
	d = binary.LittleEndian.AppendUint64(d, 1234)
	wrong := append(append([]byte(nil), d...), vbump-1)
	// The wrong bump derives another address: the vault does not sign.
	r := c.ok(c.send([]txn.Instruction{agentIx(agent, wrong, w(auc), w(vault))}))
	if !strings.Contains(strings.Join(r.Logs, "\n"), "econagent: bid refused") {
		t.Fatalf("%s", strings.Join(r.Logs, "\n"))
	}
	c.ok(c.send([]txn.Instruction{agentIx(agent, append(d, vbump), w(auc), w(vault))}))
	if c.lamports(vault) != sol-1234 || c.auction(auc).Bids[0].Bidder != vault {
		t.Fatalf("vault %d, bids %+v", c.lamports(vault), c.auction(auc).Bids)
	}
}
