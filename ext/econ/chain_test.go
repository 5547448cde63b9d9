package econ_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/ext"
	"github.com/agora-vm/agora/ext/econ"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/svm/bank"
)

const sol = 1_000_000_000

// chain is a bank over an in-memory store: every send is one block, so
// one slot.
type chain struct {
	t     testing.TB
	st    *store.Store
	b     *bank.Bank
	payer ed25519.PrivateKey
	now   int64
}

func newChain(t testing.TB) *chain {
	c := &chain{t: t, st: store.NewMem(), payer: keyOf("payer"), now: 1_700_000_000}
	if _, err := bank.Genesis(c.st, ext.MustNewExecutor(), c.now, []bank.GenesisAccount{{Key: txn.PubkeyOf(c.payer), Account: account.Account{Lamports: 1_000_000 * sol}}}); err != nil {
		t.Fatal(err)
	}
	b, err := bank.Open(c.st, ext.MustNewExecutor())
	if err != nil {
		t.Fatal(err)
	}
	c.b = b
	return c
}

func keyOf(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte(name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func pk(name string) pubkey.Pubkey { return txn.PubkeyOf(keyOf(name)) }

func (c *chain) slot() uint64 { return c.b.Head().Height }

// send runs ixs in one transaction (paid by the payer, signed by signers
// too) in a new block.
func (c *chain) send(ixs []txn.Instruction, signers ...ed25519.PrivateKey) bank.TxResult {
	c.t.Helper()
	m, err := txn.Compile(txn.PubkeyOf(c.payer), ixs, c.b.LatestBlockhash())
	if err != nil {
		c.t.Fatal(err)
	}
	tx, err := txn.Sign(m, append([]ed25519.PrivateKey{c.payer}, signers...)...)
	if err != nil {
		c.t.Fatal(err)
	}
	c.now++
	r, err := c.b.ProcessBlock([]*txn.Transaction{tx}, c.now)
	if err != nil {
		c.t.Fatal(err)
	}
	return r.Txs[0]
}

func (c *chain) ok(r bank.TxResult) bank.TxResult {
	c.t.Helper()
	if r.Err != nil {
		c.t.Fatalf("%v\n%s", r.Err, strings.Join(r.Logs, "\n"))
	}
	return r
}

// failsWith checks that the transaction failed with econ's code.
func (c *chain) failsWith(r bank.TxResult, code econ.Code) {
	c.t.Helper()
	want := svm.NewInstructionFailure(0, &svm.InstructionError{Kind: svm.Custom, Code: uint32(code)})
	if r.Err == nil || !r.Err.Is(want) {
		c.t.Fatalf("got %v, want %s (%v)\n%s", r.Err, code, want, strings.Join(r.Logs, "\n"))
	}
}

// advance produces empty blocks until the slot is at least s.
func (c *chain) advance(s uint64) {
	for c.slot() < s {
		c.now++
		if _, err := c.b.ProcessBlock(nil, c.now); err != nil {
			c.t.Fatal(err)
		}
	}
}

func (c *chain) acct(k pubkey.Pubkey) account.Account {
	a, err := c.b.Account(k)
	if err != nil {
		c.t.Fatal(err)
	}
	return a
}

func (c *chain) lamports(k pubkey.Pubkey) uint64 { return c.acct(k).Lamports }

func (c *chain) fund(lamports uint64, names ...string) {
	var ixs []txn.Instruction
	for _, n := range names {
		ixs = append(ixs, system.Transfer(txn.PubkeyOf(c.payer), pk(n), lamports))
	}
	c.ok(c.send(ixs))
}

func (c *chain) auction(k pubkey.Pubkey) *econ.Auction {
	a, err := econ.DecodeAuction(c.acct(k).Data)
	if err != nil {
		c.t.Fatal(err)
	}
	return a
}

// deployAsm assembles V0 source (econ mnemonics available) and deploys it.
func (c *chain) deployAsm(id pubkey.Pubkey, src string) {
	c.t.Helper()
	b, err := elf.Assemble(src, sbpf.V0, &asm.Options{Aliases: econ.Mnemonics()}, c.b.Executor().Registry().Name)
	if err != nil {
		c.t.Fatal(err)
	}
	c.deploy(id, b)
}

func (c *chain) deploy(id pubkey.Pubkey, elfBytes []byte) {
	c.t.Helper()
	c.now++
	auth := txn.PubkeyOf(c.payer)
	if _, err := c.b.Deploy(id, elfBytes, &auth, c.now); err != nil {
		c.t.Fatal(err)
	}
}

// total sums the lamports of the given accounts.
func (c *chain) total(keys ...pubkey.Pubkey) uint64 {
	var s uint64
	for _, k := range keys {
		s += c.lamports(k)
	}
	return s
}

func sameBytes(t testing.TB, what string, a, b []byte) {
	t.Helper()
	if !bytes.Equal(a, b) {
		t.Fatalf("%s differ:\n%x\n%x", what, a, b)
	}
}
