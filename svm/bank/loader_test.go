package bank

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/agora-vm/agora/solana/loader"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
)

// writeBuffer creates a buffer for elf and fills it with Write
// transactions of at most loader.MaxWriteChunk bytes, one block each, as
// `solana program deploy` does. It returns the number of Writes.
func (c *chain) writeBuffer(bufKey, auth ed25519.PrivateKey, elf []byte) int {
	c.t.Helper()
	rent := c.bank.Rent()
	ok(c.t, c.call(loader.CreateBuffer(pk(c.payer), pk(bufKey), pk(auth), rent.MinimumBalance(uint64(loader.BufferHeaderSize+len(elf))), len(elf)), c.payer, bufKey))
	n := 0
	for off := 0; off < len(elf); off += loader.MaxWriteChunk {
		chunk := elf[off:min(off+loader.MaxWriteChunk, len(elf))]
		tx := c.tx([]txn.Instruction{loader.Write(pk(bufKey), pk(auth), uint32(off), chunk)}, c.payer, auth)
		if size := len(tx.Encode()); size > txn.PacketDataSize {
			c.t.Fatalf("a Write transaction of %d bytes", size)
		}
		ok(c.t, c.send(tx))
		n++
	}
	return n
}

func readELF(t *testing.T, name string) []byte {
	b, err := os.ReadFile("../../testdata/c/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func logs(r TxResult) string { return strings.Join(r.Logs, "\n") }

// TestUpgradeableDeployFlow deploys a program the way Solana's clients
// do, through the upgradeable loader's instructions: a buffer created
// through System, InitializeBuffer, several Writes, DeployWithMaxDataLen;
// the program runs from the next block; then Upgrade, SetAuthority and
// Close. The accounts match the bank's fast path exactly.
func TestUpgradeableDeployFlow(t *testing.T) {
	c := newChain(t)
	payer, auth := c.payer, key(60)
	progKey, bufKey := key(61), key(62)
	prog := pk(progKey)
	hello, counter := readELF(t, "hello.so"), readELF(t, "counter.so")
	rent := c.bank.Rent()

	if n := c.writeBuffer(bufKey, auth, hello); n < 2 {
		t.Fatalf("%d Writes", n)
	}
	if b := c.acct(pk(bufKey)); !bytes.Equal(b.Data[loader.BufferHeaderSize:], hello) {
		t.Fatal("the buffer does not hold the ELF")
	}
	deploy := loader.DeployWithMaxDataLen(pk(payer), prog, pk(bufKey), pk(auth), rent.MinimumBalance(loader.ProgramSize), uint64(2*len(hello)))
	r := c.call(deploy, payer, progKey, auth)
	ok(t, r)
	if !strings.Contains(logs(r), "Deployed program "+prog.String()) || !strings.Contains(logs(r), "Program 11111111111111111111111111111111 invoke [2]") {
		t.Fatalf("deploy logs:\n%s", logs(r))
	}
	deploySlot := c.bank.Head().Height
	pdKey := loader.ProgramDataAddress(prog)
	pd := c.acct(pdKey)
	meta, elf, err := svm.DecodeProgramData(pd.Data)
	if err != nil || meta.Slot != deploySlot || meta.Authority == nil || *meta.Authority != pk(auth) ||
		len(pd.Data) != loader.ProgramDataHeaderSize+2*len(hello) || !bytes.Equal(elf[:len(hello)], hello) ||
		pd.Lamports != rent.MinimumBalance(uint64(len(pd.Data))) || pd.Owner != loader.ID {
		t.Fatalf("ProgramData %+v %v", meta, err)
	}
	if p := c.acct(prog); !p.Executable || p.Owner != loader.ID || len(p.Data) != loader.ProgramSize {
		t.Fatalf("program account %+v", p)
	}
	if b := c.acct(pk(bufKey)); b.Exists() {
		t.Fatalf("the buffer still holds %d lamports", b.Lamports)
	}

	// The program runs from the next block.
	call := txn.Instruction{ProgramID: prog, Data: []byte{1, 2, 3}}
	r = c.call([]txn.Instruction{call}, payer)
	ok(t, r)
	if !strings.Contains(logs(r), "Program log: Hello from C!") {
		t.Fatalf("call logs:\n%s", logs(r))
	}

	// Upgrade to another ELF; the spill account gets the buffer's excess.
	buf2 := key(63)
	c.writeBuffer(buf2, auth, counter)
	spill := pk(key(64))
	bufLamports := c.acct(pk(buf2)).Lamports
	r = c.call([]txn.Instruction{loader.Upgrade(prog, pk(buf2), pk(auth), spill)}, payer, auth)
	ok(t, r)
	if got := c.acct(spill).Lamports; got != bufLamports {
		t.Fatalf("spill got %d, want %d", got, bufLamports)
	}
	_, elf, _ = svm.DecodeProgramData(c.acct(pdKey).Data)
	if !bytes.Equal(elf[:len(counter)], counter) || !isZero(elf[len(counter):]) {
		t.Fatal("the upgraded ProgramData does not hold the new ELF, zero-padded")
	}
	// Upgrading and calling in one block: the old version is gone, the
	// new one not yet visible.
	buf3 := key(65)
	c.writeBuffer(buf3, auth, hello)
	c.now++
	res, err := c.bank.ProcessBlock([]*txn.Transaction{
		c.tx([]txn.Instruction{loader.Upgrade(prog, pk(buf3), pk(auth), spill), call}, payer, auth),
	}, c.now)
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Txs[0]; !errors.Is(r.Err, svm.NewInstructionFailure(1, &svm.InstructionError{Kind: svm.UnsupportedProgramID})) || !strings.Contains(logs(r), "Program is not deployed") {
		t.Fatalf("calling in the upgrade's transaction: %v\n%s", r.Err, logs(r))
	}
	// A wrong authority cannot upgrade.
	r = c.call([]txn.Instruction{loader.Upgrade(prog, pk(buf3), pk(payer), spill)}, payer)
	if !errors.Is(r.Err, svm.NewInstructionFailure(0, &svm.InstructionError{Kind: svm.IncorrectAuthority})) {
		t.Fatalf("wrong authority: %v", r.Err)
	}

	// Hand the program to the payer, checked; then make it immutable.
	ok(t, c.call([]txn.Instruction{loader.SetAuthorityChecked(pdKey, pk(auth), pk(payer))}, payer, auth))
	ok(t, c.call([]txn.Instruction{loader.SetAuthority(pdKey, pk(payer), nil)}, payer))
	if m, _, _ := svm.DecodeProgramData(c.acct(pdKey).Data); m.Authority != nil {
		t.Fatal("still upgradeable")
	}
	r = c.call([]txn.Instruction{loader.CloseProgram(prog, pk(payer), pk(payer))}, payer)
	if !errors.Is(r.Err, svm.NewInstructionFailure(0, &svm.InstructionError{Kind: svm.Immutable})) {
		t.Fatalf("closing an immutable program: %v", r.Err)
	}
	// The buffer left over can be closed by its authority.
	before := c.acct(pk(payer)).Lamports
	bufLamports = c.acct(pk(buf3)).Lamports
	ok(t, c.call([]txn.Instruction{loader.CloseBuffer(pk(buf3), pk(payer), pk(auth))}, payer, auth))
	if got := c.acct(pk(payer)).Lamports; got != before+bufLamports-2*svm.DefaultFeePerSignature {
		t.Fatalf("close refunded %d of %d", got-before, bufLamports)
	}
}

// TestCloseProgram closes an upgradeable program: its ProgramData's
// lamports go to the recipient and it no longer runs.
func TestCloseProgram(t *testing.T) {
	c := newChain(t)
	payer := c.payer
	prog := pubkey.MustParse("He11o11111111111111111111111111111111111111")
	c.deploy(prog, "../../testdata/c/hello.so") // the fast path, authority payer
	call := txn.Instruction{ProgramID: prog}
	ok(t, c.call([]txn.Instruction{call}, payer))
	pdKey := loader.ProgramDataAddress(prog)
	pdLamports := c.acct(pdKey).Lamports
	to := pk(key(66))
	r := c.call([]txn.Instruction{loader.CloseProgram(prog, to, pk(payer))}, payer)
	ok(t, r)
	if !strings.Contains(logs(r), "Closed Program "+prog.String()) || c.acct(to).Lamports != pdLamports {
		t.Fatalf("close: %s", logs(r))
	}
	r = c.call([]txn.Instruction{call}, payer)
	if !errors.Is(r.Err, svm.NewInstructionFailure(0, &svm.InstructionError{Kind: svm.UnsupportedProgramID})) {
		t.Fatalf("calling a closed program: %v\n%s", r.Err, logs(r))
	}
}

// TestExtendProgram grows a program's ProgramData, the payer funding the
// rent, and the program still runs from the next block.
func TestExtendProgram(t *testing.T) {
	c := newChain(t)
	payer := c.payer
	prog := pubkey.MustParse("He11o11111111111111111111111111111111111111")
	c.deploy(prog, "../../testdata/c/hello.so")
	pdKey := loader.ProgramDataAddress(prog)
	before := len(c.acct(pdKey).Data)
	r := c.call([]txn.Instruction{loader.ExtendProgram(prog, pk(payer), 10240)}, payer)
	ok(t, r)
	rent := c.bank.Rent()
	if a := c.acct(pdKey); len(a.Data) != before+10240 || a.Lamports != rent.MinimumBalance(uint64(before+10240)) {
		t.Fatalf("extended ProgramData: %d bytes, %d lamports", len(a.Data), a.Lamports)
	}
	ok(t, c.call([]txn.Instruction{{ProgramID: prog}}, payer))
	// Less than 10 KiB at a time is refused.
	r = c.call([]txn.Instruction{loader.ExtendProgram(prog, pk(payer), 4096)}, payer)
	if !errors.Is(r.Err, svm.NewInstructionFailure(0, &svm.InstructionError{Kind: svm.InvalidArgument})) {
		t.Fatalf("small extension: %v", r.Err)
	}
}

// The bank's fast path (Bank.Deploy) and the instruction path lay the
// accounts out identically.
func TestDeployPathsAgree(t *testing.T) {
	hello := readELF(t, "hello.so")
	progKey := key(70)
	prog := pk(progKey)

	a := newChain(t)
	auth := pk(a.payer)
	a.now++
	if _, err := a.bank.Deploy(prog, hello, &auth, a.now); err != nil {
		t.Fatal(err)
	}
	b := newChain(t)
	bufKey := key(71)
	b.writeBuffer(bufKey, b.payer, hello)
	rent := b.bank.Rent()
	// The fast path's ProgramData holds exactly the ELF.
	ok(t, b.call(loader.DeployWithMaxDataLen(pk(b.payer), prog, pk(bufKey), auth, rent.MinimumBalance(loader.ProgramSize), uint64(len(hello))), b.payer, progKey))

	for _, k := range []pubkey.Pubkey{prog, loader.ProgramDataAddress(prog)} {
		x, y := a.acct(k), b.acct(k)
		if x.Lamports != y.Lamports || x.Owner != y.Owner || x.Executable != y.Executable || x.RentEpoch != y.RentEpoch {
			t.Fatalf("%s: fast path %d %s %v, instructions %d %s %v", k, x.Lamports, x.Owner, x.Executable, y.Lamports, y.Owner, y.Executable)
		}
		// The deployment slot differs (different chains); the rest must not.
		xd, yd := append([]byte(nil), x.Data...), append([]byte(nil), y.Data...)
		if len(xd) >= 12 && xd[0] == 3 {
			copy(xd[4:12], yd[4:12])
		}
		if !bytes.Equal(xd, yd) {
			t.Fatalf("%s: data differs", k)
		}
	}
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// Redeploying through the fast path leaves the ProgramData as Upgrade
// does: a larger account keeps its size, zero-padded after the ELF.
func TestFastRedeployMatchesUpgrade(t *testing.T) {
	hello, counter := readELF(t, "hello.so"), readELF(t, "counter.so")
	small, big := hello, counter
	if len(small) > len(big) {
		small, big = big, small
	}
	progKey := key(72)
	prog := pk(progKey)
	a, b := newChain(t), newChain(t)
	auth := pk(a.payer)
	a.now++
	if _, err := a.bank.Deploy(prog, big, &auth, a.now); err != nil {
		t.Fatal(err)
	}
	a.now++
	if _, err := a.bank.Deploy(prog, small, &auth, a.now); err != nil {
		t.Fatal(err)
	}

	b.now++
	if _, err := b.bank.Deploy(prog, big, &auth, b.now); err != nil {
		t.Fatal(err)
	}
	buf := key(73)
	b.writeBuffer(buf, b.payer, small)
	ok(t, b.call([]txn.Instruction{loader.Upgrade(prog, pk(buf), auth, auth)}, b.payer))

	pdKey := loader.ProgramDataAddress(prog)
	x, y := a.acct(pdKey), b.acct(pdKey)
	xd, yd := append([]byte(nil), x.Data...), append([]byte(nil), y.Data...)
	copy(xd[4:12], yd[4:12]) // the slots differ
	if x.Lamports != y.Lamports || !bytes.Equal(xd, yd) || x.RentEpoch != y.RentEpoch {
		t.Fatalf("fast redeploy %d bytes %d lamports, Upgrade %d bytes %d lamports", len(x.Data), x.Lamports, len(y.Data), y.Lamports)
	}
}
