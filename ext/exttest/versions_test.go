package exttest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/ext"
	"github.com/agora-vm/agora/ext/modules"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/svm/bank"
)

// buildModule assembles a V0 program, exporting its .globl labels.
func buildModule(t *testing.T, src string) []byte {
	t.Helper()
	p, err := asm.Assemble(src, sbpf.V0, &asm.Options{Aliases: ext.Aliases()})
	if err != nil {
		t.Fatal(err)
	}
	obj := &elf.Object{Version: sbpf.V0, Text: p.Text, ROData: p.ROData, Entry: p.Entry, CallTargets: p.Functions,
		Functions: map[string]int{"entrypoint": p.Entry}, Exports: p.Exports,
		SyscallName: func(h uint32) (string, bool) { n, ok := p.SyscallNames[h]; return n, ok }}
	for _, x := range p.Exports {
		obj.Functions[x] = p.Labels[x]
	}
	b, err := elf.Write(obj)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// target returns a version of the upgraded program: its entrypoint
// returns tag as return data, its exported value returns tag in r0.
func target(t *testing.T, tag int) []byte {
	return buildModule(t, fmt.Sprintf(`
.globl value
entrypoint:
    stdw [r10-8], %d
    mov64 r1, r10
    add64 r1, -8
    mov64 r2, 8
    syscall sol_set_return_data
    mov64 r0, 0
    exit
value:
    mov64 r0, %d
    exit
`, tag, tag))
}

// pinCaller calls the target block in its instruction data (its one
// account is the callee's program account) and returns the callee's r0
// as return data.
func pinCaller(t *testing.T) []byte {
	var prog account.Account
	prog.Data = make([]byte, svm.ProgramAccountSize)
	_, layout, err := abi.Serialize([]abi.Account{{Data: prog.Data, Executable: true}}, &abi.Instruction{Accounts: []abi.AccountMeta{{Index: 0}}, Data: make([]byte, modules.TargetSize)})
	if err != nil {
		t.Fatal(err)
	}
	return buildModule(t, fmt.Sprintf(`
entrypoint:
    mov64 r1, r1
    add64 r1, %d
    mov64 r2, r1
    mov64 r3, 0
    mov64 r4, r10
    add64 r4, -8
    mov64 r5, 8
    module_call
    stxdw [r10-16], r0
    mov64 r1, r10
    add64 r1, -16
    mov64 r2, 8
    syscall sol_set_return_data
    mov64 r0, 0
    exit
`, layout.InstructionDataOffset()))
}

type versionChain struct {
	t                    *testing.T
	b                    *bank.Bank
	payer, auth, mallory ed25519.PrivateKey
	program, caller      pubkey.Pubkey
	time                 int64
}

func newVersionChain(t *testing.T) *versionChain {
	st := store.NewMem()
	t.Cleanup(func() { st.Close() })
	c := &versionChain{t: t, payer: key(1), auth: key(2), mallory: key(3), program: addr(40), caller: addr(41), time: 1_700_000_000}
	ex := ext.MustNewExecutor()
	var gen []bank.GenesisAccount
	for _, k := range []ed25519.PrivateKey{c.payer, c.auth, c.mallory} {
		gen = append(gen, bank.GenesisAccount{Key: txn.PubkeyOf(k), Account: account.Account{Lamports: 1_000_000_000_000}})
	}
	if _, err := bank.Genesis(st, ex, c.time, gen); err != nil {
		t.Fatal(err)
	}
	b, err := bank.Open(st, ex)
	if err != nil {
		t.Fatal(err)
	}
	c.b = b
	auth := txn.PubkeyOf(c.auth)
	for _, d := range []struct {
		id  pubkey.Pubkey
		elf []byte
	}{{c.program, target(t, 0xA)}, {c.caller, pinCaller(t)}} {
		c.time++
		if _, err := b.Deploy(d.id, d.elf, &auth, c.time); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// block runs one block of transactions, each of one instruction and
// signed by the payer and signers[i] when given.
func (c *versionChain) block(ixs []txn.Instruction, signers ...ed25519.PrivateKey) []bank.TxResult {
	c.t.Helper()
	var txs []*txn.Transaction
	for i, ix := range ixs {
		m, err := txn.Compile(txn.PubkeyOf(c.payer), []txn.Instruction{ix}, c.b.LatestBlockhash())
		if err != nil {
			c.t.Fatal(err)
		}
		keys := []ed25519.PrivateKey{c.payer}
		if i < len(signers) && signers[i] != nil {
			keys = append(keys, signers[i])
		}
		tx, err := txn.Sign(m, keys...)
		if err != nil {
			c.t.Fatal(err)
		}
		txs = append(txs, tx)
	}
	c.time++
	res, err := c.b.ProcessBlock(txs, c.time)
	if err != nil {
		c.t.Fatal(err)
	}
	return res.Txs
}

// callTarget calls the program; n only tells transactions apart.
func (c *versionChain) callTarget(n byte) txn.Instruction {
	return txn.Instruction{ProgramID: c.program, Data: []byte{n}}
}

func (c *versionChain) callPinned(version uint64) txn.Instruction {
	tb := make([]byte, modules.TargetSize)
	copy(tb, c.program[:])
	binary.LittleEndian.PutUint32(tb[32:], sbpf.HashSymbol([]byte("value")))
	binary.LittleEndian.PutUint64(tb[40:], version)
	return txn.Instruction{ProgramID: c.caller, Accounts: []txn.AccountMeta{{Pubkey: c.program}}, Data: tb}
}

func returned(t *testing.T, r bank.TxResult) uint64 {
	t.Helper()
	if r.Err != nil {
		t.Fatalf("%v\n%s", r.Err, strings.Join(r.Logs, "\n"))
	}
	if len(r.ReturnData) != 8 {
		t.Fatalf("return data %x", r.ReturnData)
	}
	return binary.LittleEndian.Uint64(r.ReturnData)
}

func (c *versionChain) versions() *modules.Versions {
	c.t.Helper()
	k, _ := modules.VersionsAddress(c.program)
	a, err := c.b.Account(k)
	if err != nil {
		c.t.Fatal(err)
	}
	v, err := modules.DecodeVersions(a.Data)
	if err != nil {
		c.t.Fatal(err)
	}
	return v
}

func (c *versionChain) versionsData() []byte {
	k, _ := modules.VersionsAddress(c.program)
	a, _ := c.b.Account(k)
	return a.Data
}

func (c *versionChain) upload(elfBytes []byte) {
	c.t.Helper()
	ixs := modules.WriteInstructions(txn.PubkeyOf(c.payer), c.program, txn.PubkeyOf(c.auth), elfBytes, 700)
	signers := make([]ed25519.PrivateKey, len(ixs))
	for i := range signers {
		signers[i] = c.auth
	}
	for i, r := range c.block(ixs, signers...) {
		if r.Err != nil {
			c.t.Fatalf("write %d: %v\n%s", i, r.Err, strings.Join(r.Logs, "\n"))
		}
	}
}

func failedWith(r bank.TxResult, kind string) bool {
	return r.Err != nil && strings.Contains(strings.Join(r.Logs, "\n"), kind)
}

// TestHotSwap: an upgrade staged in a block is invisible to every
// transaction of that block (before and after the staging transaction)
// and active from the next; a caller pinned to the old version then
// fails cleanly; rollback restores the old version under its old name;
// a wrong authority and an unverified ELF change nothing.
func TestHotSwap(t *testing.T) {
	c := newVersionChain(t)
	payer, auth := txn.PubkeyOf(c.payer), txn.PubkeyOf(c.auth)
	if r := c.block([]txn.Instruction{modules.InitInstruction(payer, c.program)}); r[0].Err != nil {
		t.Fatalf("init: %v %q", r[0].Err, r[0].Logs)
	}
	v0 := c.versions()
	slotA := v0.List[0].Slot
	if len(v0.List) != 1 || v0.List[0].Hash != sha256.Sum256(target(t, 0xA)) || v0.Active != 0 {
		t.Fatalf("after init: %+v", v0)
	}
	// Pinned to version A: the call works.
	if got := returned(t, c.block([]txn.Instruction{c.callPinned(slotA)})[0]); got != 0xA {
		t.Fatalf("pinned call = %#x", got)
	}

	elfB := target(t, 0xB)
	c.upload(elfB)

	// The wrong authority: refused, nothing changed.
	before := c.versionsData()
	wrong := modules.StageInstruction(payer, c.program, txn.PubkeyOf(c.mallory))
	if r := c.block([]txn.Instruction{wrong}, c.mallory); !failedWith(r[0], "WrongUpgradeAuthority") {
		t.Fatalf("wrong authority: %v %q", r[0].Err, r[0].Logs)
	}
	if !bytes.Equal(before, c.versionsData()) {
		t.Fatal("a refused upgrade changed the versions account")
	}

	// The upgrade races transactions of its own block: all see A.
	rs := c.block([]txn.Instruction{c.callTarget(1), modules.StageInstruction(payer, c.program, auth), c.callTarget(2), c.callPinned(slotA)}, nil, c.auth)
	if rs[1].Err != nil {
		t.Fatalf("stage: %v %q", rs[1].Err, rs[1].Logs)
	}
	stageSlot := c.b.Head().Height
	for _, i := range []int{0, 2} {
		if got := returned(t, rs[i]); got != 0xA {
			t.Fatalf("transaction %d of the staging block saw %#x", i, got)
		}
	}
	if got := returned(t, rs[3]); got != 0xA {
		t.Fatalf("pinned module call in the staging block = %#x", got)
	}
	// The next block sees B; the caller pinned to A fails cleanly.
	rs = c.block([]txn.Instruction{c.callTarget(0), c.callPinned(slotA), c.callPinned(0), c.callPinned(stageSlot)})
	if got := returned(t, rs[0]); got != 0xB {
		t.Fatalf("after the upgrade: %#x", got)
	}
	if !failedWith(rs[1], "ModuleVersionMismatch") {
		t.Fatalf("pinned to the old version: %v %q", rs[1].Err, rs[1].Logs)
	}
	if returned(t, rs[2]) != 0xB || returned(t, rs[3]) != 0xB {
		t.Fatal("unpinned or newly pinned calls do not see B")
	}
	v := c.versions()
	if len(v.List) != 2 || v.Active != 1 || v.Prev != 0 || v.Staged != -1 || v.List[1].Hash != sha256.Sum256(elfB) || v.List[1].Slot != stageSlot {
		t.Fatalf("history %+v", v)
	}

	// An ELF the verifier rejects (an invalid opcode) is never staged.
	bad := append([]byte(nil), elfB...)
	text := bytes.Index(bad, []byte{0x7a, 0x0a, 0xf8, 0xff})
	if text < 0 { // stdw [r10-8], imm
		t.Fatal("cannot find the store to corrupt")
	}
	bad[text] = 0xff
	c.upload(bad)
	before = c.versionsData()
	if r := c.block([]txn.Instruction{modules.StageInstruction(payer, c.program, auth)}, c.auth); !failedWith(r[0], "UnverifiedModule") {
		t.Fatalf("unverified: %v %q", r[0].Err, r[0].Logs)
	}
	if !bytes.Equal(before, c.versionsData()) {
		t.Fatal("a refused stage changed the versions account")
	}

	// Rollback: A again, under its old name, from the next block.
	if r := c.block([]txn.Instruction{modules.RollbackInstruction(payer, c.program, auth)}, c.auth); r[0].Err != nil {
		t.Fatalf("rollback: %v %q", r[0].Err, r[0].Logs)
	}
	rs = c.block([]txn.Instruction{c.callTarget(0), c.callPinned(slotA)})
	if returned(t, rs[0]) != 0xA || returned(t, rs[1]) != 0xA {
		t.Fatal("rollback did not restore A")
	}
	if v := c.versions(); v.Active != 0 || v.Prev != 1 || len(v.List) != 2 {
		t.Fatalf("after rollback %+v", v)
	}
}
