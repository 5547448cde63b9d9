package exttest

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/ext"
	"github.com/agora-vm/agora/ext/ring"
	"github.com/agora-vm/agora/ext/txmem"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/sysvar"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/verify"
)

// state is an in-memory account store.
type state map[pubkey.Pubkey]account.Account

func (s state) Account(k pubkey.Pubkey) (account.Account, error) { return s[k].Clone(), nil }

func (s state) apply(ws []account.Keyed) {
	for _, w := range ws {
		if w.Account.Lamports == 0 {
			delete(s, w.Key)
			continue
		}
		s[w.Key] = w.Account.Clone()
	}
}

// chain is an executor with the extension families registered, a state
// and the block environment: what a node does for one block, here for
// one transaction at a time.
type chain struct {
	t     *testing.T
	ex    *svm.Executor
	st    state
	env   *svm.Env
	payer ed25519.PrivateKey
	hash  byte
}

func newChain(t *testing.T) *chain {
	ex, err := ext.NewExecutor()
	if err != nil {
		t.Fatal(err)
	}
	// The runtime registers the standard, crypto and extension syscalls.
	for _, name := range []string{"agora_tx_begin", "agora_ring_push"} {
		if !ex.Registry().HasSyscall(sbpf.SyscallHash(name)) {
			t.Fatalf("the runtime lacks %s", name)
		}
	}
	c := &chain{t: t, ex: ex, st: state{}, payer: key(1)}
	for _, k := range ex.NativePrograms() {
		c.st[k] = account.Account{Lamports: 1, Owner: pubkey.NativeLoader(), Executable: true}
	}
	s := sysvar.Set{Rent: sysvar.DefaultRent(), EpochSchedule: sysvar.DefaultEpochSchedule(), Clock: sysvar.Clock{Slot: 7}}
	for _, a := range s.Accounts() {
		c.st[a.Key] = account.Account{Lamports: 1_000_000, Data: a.Data, Owner: pubkey.SysvarOwner()}
	}
	c.env = &svm.Env{Slot: 7, Sysvars: s, Programs: svm.NewProgramCache(ex).Source(c.st)}
	c.st[txn.PubkeyOf(c.payer)] = account.Account{Lamports: 100_000_000_000}
	return c
}

func key(seed byte) ed25519.PrivateKey { return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32)) }

func addr(seed byte) pubkey.Pubkey { return txn.PubkeyOf(key(seed)) }

// deploy installs an ELF at id with the upgradeable loader, after
// checking that the transaction-pairing verifier gives the program the
// verdict expected (as `agora verify` would, against the runtime's
// syscalls).
func (c *chain) deploy(id pubkey.Pubkey, elfBytes []byte, want verify.PairingVerdict) {
	c.t.Helper()
	p, err := elf.Load(elfBytes, c.ex.Registry(), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	rep, err := verify.TxPairing(p.Text, p.Version, &verify.PairingOptions{Entry: p.Entry, Functions: p.Functions, Syscalls: c.ex.Registry()})
	if err != nil || rep.Verdict != want {
		c.t.Fatalf("pairing of %s: %v %v, want %s", id, rep, err, want)
	}
	r := sysvar.DefaultRent()
	prog, pd := svm.UpgradeableProgramAccounts(id, elfBytes, 0, nil, r.MinimumBalance)
	c.st[prog.Key], c.st[pd.Key] = prog.Account, pd.Account
}

func (c *chain) deployC(id pubkey.Pubkey, name string) {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "c", name+".so"))
	if err != nil {
		c.t.Fatal(err)
	}
	c.deploy(id, b, verify.PairingProven)
}

// deployAsm assembles src (V0, with the txmem mnemonics) into an ELF and
// deploys it.
func (c *chain) deployAsm(id pubkey.Pubkey, src string, want verify.PairingVerdict) {
	c.t.Helper()
	b, err := elf.Assemble(src, sbpf.V0, &asm.Options{Aliases: txmem.Aliases()}, c.ex.Registry().Name)
	if err != nil {
		c.t.Fatal(err)
	}
	c.deploy(id, b, want)
}

// run executes one transaction of ixs paid by the chain's payer and
// applies its writes.
func (c *chain) run(ixs ...txn.Instruction) *svm.Result {
	c.t.Helper()
	c.hash++
	m, err := txn.Compile(txn.PubkeyOf(c.payer), ixs, txn.Hash{c.hash})
	if err != nil {
		c.t.Fatal(err)
	}
	tx, err := txn.Sign(m, c.payer)
	if err != nil {
		c.t.Fatal(err)
	}
	if e := svm.Check(tx); e != nil {
		c.t.Fatal(e)
	}
	res := c.ex.Execute(tx, c.st, c.env)
	c.st.apply(res.Writes)
	return res
}

func (c *chain) mustRun(ixs ...txn.Instruction) *svm.Result {
	c.t.Helper()
	res := c.run(ixs...)
	if res.Err != nil {
		c.t.Fatalf("%v\n%s", res.Err, strings.Join(res.Logs, "\n"))
	}
	return res
}

func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func writable(k pubkey.Pubkey) txn.AccountMeta { return txn.AccountMeta{Pubkey: k, IsWritable: true} }

// TestAtomicSwap: the C program txswap moves lamports from A to B and
// tokens from B to A in one transaction; when B lacks the tokens, the
// lamports already moved are put back by tx_abort, and both accounts are
// untouched although the instruction succeeds.
func TestAtomicSwap(t *testing.T) {
	c := newChain(t)
	prog := addr(50)
	c.deployC(prog, "txswap")
	a, b := addr(2), addr(3)
	c.st[a] = account.Account{Lamports: 10_000_000, Owner: prog, Data: u64(5)}
	c.st[b] = account.Account{Lamports: 10_000_000, Owner: prog, Data: u64(50)}
	swap := func(lamports, tokens uint64) txn.Instruction {
		return txn.Instruction{ProgramID: prog, Accounts: []txn.AccountMeta{writable(a), writable(b)}, Data: append(u64(lamports), u64(tokens)...)}
	}
	tokens := func(k pubkey.Pubkey) uint64 { return binary.LittleEndian.Uint64(c.st[k].Data) }

	res := c.mustRun(swap(1_000_000, 20))
	swapCU := res.CU
	if c.st[a].Lamports != 9_000_000 || c.st[b].Lamports != 11_000_000 || tokens(a) != 25 || tokens(b) != 30 {
		t.Fatalf("after the swap: a %+v b %+v", c.st[a], c.st[b])
	}
	before := map[pubkey.Pubkey]account.Account{a: c.st[a].Clone(), b: c.st[b].Clone()}
	res = c.mustRun(swap(1_000_000, 31)) // B has 30 tokens
	if !strings.Contains(strings.Join(res.Logs, "\n"), "Program log: txswap: aborted") {
		t.Fatalf("logs %q", res.Logs)
	}
	for k, want := range before {
		if got := c.st[k]; got.Lamports != want.Lamports || !bytes.Equal(got.Data, want.Data) || got.Owner != want.Owner {
			t.Fatalf("aborted swap changed %s: %+v, was %+v", k, got, want)
		}
	}
	t.Logf("swap: %d CU; aborted swap: %d CU", swapCU, res.CU)
}

// The runtime's checks after an instruction see the memory as the
// transaction left it: an aborted write to an account the program may not
// change is no violation, and a program that exits with a transaction
// open fails with TransactionLeak, its writes undone. The verifier finds
// the leak (the program is deployed anyway, to show the run-time check).
func TestRuntimeSeesRestoredState(t *testing.T) {
	c := newChain(t)
	prog := addr(51)
	// Account 0's lamports are at input offset 8+8+32+32 = 80.
	c.deployAsm(prog, `
    ldxb r2, [r1+0x2870]        ; the instruction data's first byte
    tx_begin
    ldxdw r3, [r1+80]
    sub64 r3, 1000
    stxdw [r1+80], r3           ; spend lamports of an account not owned
    jeq r2, 1, leak
    tx_abort
    mov64 r0, 0
    exit
leak:
    mov64 r0, 0
    exit`, verify.PairingViolation)
	foreign := addr(4)
	c.st[foreign] = account.Account{Lamports: 5_000_000}
	ix := func(mode byte) txn.Instruction {
		return txn.Instruction{ProgramID: prog, Accounts: []txn.AccountMeta{writable(foreign)}, Data: []byte{mode}}
	}
	c.mustRun(ix(0))
	if c.st[foreign].Lamports != 5_000_000 {
		t.Fatal(c.st[foreign])
	}
	res := c.run(ix(1))
	logs := strings.Join(res.Logs, "\n")
	if res.Err == nil || !strings.Contains(logs, "TransactionLeak") || c.st[foreign].Lamports != 5_000_000 {
		t.Fatalf("leak: %v\n%s", res.Err, logs)
	}
}

// TestRingAcrossTransactions: ringbus publishes price messages into a
// ring held in an account; two consumer programs (ringreader deployed
// twice, consumers 0 and 1) read them through ringbus, each at its own
// pace, in later transactions.
func TestRingAcrossTransactions(t *testing.T) {
	c := newChain(t)
	bus, readerA, readerB := addr(60), addr(61), addr(62)
	c.deployC(bus, "ringbus")
	c.deployC(readerA, "ringreader")
	c.deployC(readerB, "ringreader")
	const capacity = 4
	size, _ := ring.Size(capacity, 32)
	ringAcct, stateA, stateB := addr(5), addr(6), addr(7)
	rent := sysvar.DefaultRent()
	c.st[ringAcct] = account.Account{Lamports: rent.MinimumBalance(size), Owner: bus, Data: make([]byte, size)}
	c.st[stateA] = account.Account{Lamports: rent.MinimumBalance(32), Owner: readerA, Data: make([]byte, 32)}
	c.st[stateB] = account.Account{Lamports: rent.MinimumBalance(32), Owner: readerB, Data: make([]byte, 32)}

	busIx := func(data []byte) txn.Instruction {
		return txn.Instruction{ProgramID: bus, Accounts: []txn.AccountMeta{writable(ringAcct)}, Data: data}
	}
	publish := func(seq, price uint64) txn.Instruction {
		d := append([]byte{1}, u64(seq)...)
		d = append(d, u64(price)...)
		d = append(d, u64(7)...)
		return busIx(append(d, "SOL/USD\x00"...))
	}
	read := func(reader, st pubkey.Pubkey, consumer, max byte, flags ...byte) txn.Instruction {
		return txn.Instruction{ProgramID: reader, Accounts: []txn.AccountMeta{writable(ringAcct), writable(st), {Pubkey: bus}},
			Data: append([]byte{consumer, max}, flags...)}
	}
	stateOf := func(k pubkey.Pubkey) (count, lastSeq, lastPrice, sum uint64) {
		d := c.st[k].Data
		le := binary.LittleEndian
		return le.Uint64(d), le.Uint64(d[8:]), le.Uint64(d[16:]), le.Uint64(d[24:])
	}

	c.mustRun(busIx([]byte{0, capacity, 0, 0, 0}))
	for i := range uint64(3) {
		c.mustRun(publish(i, 100+i))
	}
	c.mustRun(read(readerA, stateA, 0, 2))
	if n, seq, price, sum := stateOf(stateA); n != 2 || seq != 1 || price != 101 || sum != 201 {
		t.Fatalf("reader A: %d %d %d %d", n, seq, price, sum)
	}
	c.mustRun(publish(3, 103))
	// Reader B is 4 behind: the ring is full.
	res := c.run(publish(4, 104))
	if res.Err == nil || !strings.Contains(strings.Join(res.Logs, "\n"), "ringbus: full") {
		t.Fatalf("publish into a full ring: %v %q", res.Err, res.Logs)
	}
	res = c.mustRun(read(readerB, stateB, 1, 10))
	if n, seq, price, sum := stateOf(stateB); n != 4 || seq != 3 || price != 103 || sum != 406 {
		t.Fatalf("reader B: %d %d %d %d", n, seq, price, sum)
	}
	t.Logf("reader B read 4 messages in %d CU", res.CU)
	c.mustRun(publish(4, 104))
	c.mustRun(read(readerA, stateA, 0, 10))
	if n, seq, price, sum := stateOf(stateA); n != 5 || seq != 4 || price != 104 || sum != 100+101+102+103+104 {
		t.Fatalf("reader A: %d %d %d %d", n, seq, price, sum)
	}
	// Consumer 0 is drained, consumer 1 has message 4 pending: the ring
	// account holds what package ring reads.
	for consumer, want := range []int{0, 1} {
		msgs, err := ring.Messages(c.st[ringAcct].Data, uint32(consumer))
		if err != nil || len(msgs) != want {
			t.Fatalf("consumer %d: %d pending, %v", consumer, len(msgs), err)
		}
	}

	// A cross-program invocation inside a transaction is refused.
	c.mustRun(publish(5, 105))
	res = c.run(read(readerA, stateA, 0, 1, 1))
	logs := strings.Join(res.Logs, "\n")
	if res.Err == nil {
		t.Fatalf("the runtime ran a CPI inside a transaction\n%s", logs)
	}
	if !strings.Contains(logs, "CPIInTransaction") {
		t.Fatalf("CPI in a transaction: %v\n%s", res.Err, logs)
	}
}

// TestCollectCPIversusTransaction measures, in the runtime, the two ways
// of an all-or-nothing update of n accounts that the proposal's part 1
// compares: n-1 System-program transfers by CPI (testdata/c/cpicollect),
// and the same debits and credit made directly inside a transaction by a
// program that owns the accounts. It checks both and logs their compute
// units (bench/ext.go measures the VM-level rows).
func TestCollectCPIversusTransaction(t *testing.T) {
	for _, n := range []int{2, 10} {
		c := newChain(t)
		cpiProg, txProg := addr(70), addr(71)
		c.deployC(cpiProg, "cpicollect")
		// Accounts with no data are 10,336 bytes apart in the input;
		// account 0's lamports are at 80.
		c.deployAsm(txProg, fmt.Sprintf(`
    tx_begin
    mov64 r2, r1
    add64 r2, 80
    mov64 r3, %d
    mov64 r4, 0
pay:
    ldxdw r5, [r2+0]
    jlt r5, 1000, short
    sub64 r5, 1000
    stxdw [r2+0], r5
    add64 r4, 1000
    add64 r2, 10336
    sub64 r3, 1
    jne r3, 0, pay
    ldxdw r5, [r2+0]
    add64 r5, r4
    stxdw [r2+0], r5
    tx_commit
    mov64 r0, 0
    exit
short:
    tx_abort
    mov64 r0, 1
    exit`, n-1), verify.PairingProven)
		var signers []ed25519.PrivateKey
		var cpiMetas, txMetas []txn.AccountMeta
		for i := range n - 1 {
			k := key(byte(100 + i))
			signers = append(signers, k)
			c.st[txn.PubkeyOf(k)] = account.Account{Lamports: 10_000_000}
			cpiMetas = append(cpiMetas, txn.AccountMeta{Pubkey: txn.PubkeyOf(k), IsSigner: true, IsWritable: true})
			owned := addr(byte(150 + i))
			c.st[owned] = account.Account{Lamports: 10_000_000, Owner: txProg}
			txMetas = append(txMetas, writable(owned))
		}
		payee, ownedPayee := addr(90), addr(91)
		c.st[payee] = account.Account{Lamports: 10_000_000}
		c.st[ownedPayee] = account.Account{Lamports: 10_000_000, Owner: txProg}
		cpiMetas = append(cpiMetas, writable(payee), txn.AccountMeta{Pubkey: pubkey.SystemProgram()})
		txMetas = append(txMetas, writable(ownedPayee))

		cpiRes := c.runSigned(signers, txn.Instruction{ProgramID: cpiProg, Accounts: cpiMetas, Data: u64(1000)})
		txRes := c.mustRun(txn.Instruction{ProgramID: txProg, Accounts: txMetas})
		want := 10_000_000 + uint64(n-1)*1000
		if c.st[payee].Lamports != want || c.st[ownedPayee].Lamports != want {
			t.Fatalf("n=%d: payees %d and %d, want %d", n, c.st[payee].Lamports, c.st[ownedPayee].Lamports, want)
		}
		t.Logf("%d accounts: %d CU by CPI, %d CU in a transaction (×%.1f)", n, cpiRes.CU, txRes.CU, float64(cpiRes.CU)/float64(txRes.CU))
	}
}

// runSigned is mustRun for a transaction that the given keys also sign.
func (c *chain) runSigned(signers []ed25519.PrivateKey, ixs ...txn.Instruction) *svm.Result {
	c.t.Helper()
	c.hash++
	m, err := txn.Compile(txn.PubkeyOf(c.payer), ixs, txn.Hash{c.hash})
	if err != nil {
		c.t.Fatal(err)
	}
	tx, err := txn.Sign(m, append(signers, c.payer)...)
	if err != nil {
		c.t.Fatal(err)
	}
	res := c.ex.Execute(tx, c.st, c.env)
	c.st.apply(res.Writes)
	if res.Err != nil {
		c.t.Fatalf("%v\n%s", res.Err, strings.Join(res.Logs, "\n"))
	}
	return res
}
