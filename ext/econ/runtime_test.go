package econ_test

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/agora-vm/agora/ext/econ"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/svm/bank"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// trampoline is an sBPF program that calls one econ syscall with what
// its instruction data says: u64 naccounts, u64 args_len, 64 bytes of
// account positions, then the arguments. It finds its instruction data
// by walking the serialized accounts. A nonzero r0 from the syscall
// becomes the program's return data (8 bytes); a zero r0 leaves the
// economics program's return data in place. It then exits with 0: a code
// in r0 is an answer, not a failure.
const trampoline = `
entrypoint:
    mov64 r9, r1
    ldxdw r8, [r9+0]
    add64 r9, 8
walk:
    jeq r8, 0, found
    ldxb r2, [r9+0]
    jne r2, 0xff, dup
    ldxdw r3, [r9+80]
    add64 r9, 88
    add64 r9, r3
    add64 r9, 10247
    and64 r9, -8
    add64 r9, 8
    ja next
dup:
    add64 r9, 8
next:
    sub64 r8, 1
    ja walk
found:
    add64 r9, 8
    ldxdw r2, [r9+0]
    ldxdw r4, [r9+8]
    mov64 r1, r9
    add64 r1, 16
    mov64 r3, r9
    add64 r3, 80
    mov64 r5, 0
    syscall NAME
    jeq r0, 0, out
    stxdw [r10-8], r0
    mov64 r1, r10
    sub64 r1, 8
    mov64 r2, 8
    syscall sol_set_return_data
out:
    mov64 r0, 0
    exit
`

// trampolines deploys one trampoline per econ syscall and returns their
// addresses by syscall name.
func (c *chain) trampolines() map[string]pubkey.Pubkey {
	out := map[string]pubkey.Pubkey{}
	for _, name := range econ.Names() {
		id := pk("trampoline " + name)
		c.deployAsm(id, strings.Replace(trampoline, "NAME", name, 1))
		out[name] = id
	}
	return out
}

// viaSyscall turns an econ instruction into a call of its syscall through
// the trampoline: the same accounts, in the same order, positions 0..n-1.
func viaSyscall(prog pubkey.Pubkey, ix txn.Instruction) txn.Instruction {
	n := len(ix.Accounts)
	data := binary.LittleEndian.AppendUint64(nil, uint64(n))
	data = binary.LittleEndian.AppendUint64(data, uint64(len(ix.Data)-1))
	pos := make([]byte, 64)
	for i := range n {
		pos[i] = byte(i)
	}
	data = append(append(data, pos...), ix.Data[1:]...)
	return txn.Instruction{ProgramID: prog, Accounts: ix.Accounts, Data: data}
}

var syscallOf = map[econ.Tag]string{
	econ.TagAuctionCreate: econ.NameAuctionCreate, econ.TagAuctionBid: econ.NameAuctionBid,
	econ.TagAuctionReveal: econ.NameAuctionReveal, econ.TagAuctionSettle: econ.NameAuctionSettle,
	econ.TagEscrowCreate: econ.NameEscrowCreate, econ.TagEscrowRelease: econ.NameEscrowRelease,
	econ.TagEscrowRefund: econ.NameEscrowRefund, econ.TagReputationUpdate: econ.NameReputationUpdate,
	econ.TagReputationQuery: econ.NameReputationQuery, econ.TagStakeLock: econ.NameStakeLock,
	econ.TagStakeSlash: econ.NameStakeSlash, econ.TagStakeRelease: econ.NameStakeRelease,
}

// driver runs econ instructions on a chain either directly or through the
// syscalls, and reports the program's code either way.
type driver struct {
	*chain
	tramp map[string]pubkey.Pubkey // nil: direct instructions
}

func newDriver(t *testing.T, viaSyscalls bool) *driver {
	d := &driver{chain: newChain(t)}
	tr := d.trampolines() // deployed either way, so that slots line up
	if viaSyscalls {
		d.tramp = tr
	}
	d.fund(100*sol, "creator", "beneficiary", "b1", "b2", "b3", "a", "b", "auth", "staker", "rater")
	return d
}

// do runs ix, signed by signers, and returns the econ code (0: success).
func (d *driver) do(ix txn.Instruction, signers ...string) (econ.Code, bank.TxResult) {
	d.t.Helper()
	var keys []ed25519.PrivateKey
	for _, s := range signers {
		keys = append(keys, keyOf(s))
	}
	// A refused operation must leave every account it names unchanged.
	before := map[pubkey.Pubkey]string{}
	for _, m := range ix.Accounts {
		before[m.Pubkey] = d.fingerprint(m.Pubkey)
	}
	unchanged := func(code econ.Code, r bank.TxResult) (econ.Code, bank.TxResult) {
		for _, m := range ix.Accounts {
			if code != 0 && d.fingerprint(m.Pubkey) != before[m.Pubkey] {
				d.t.Fatalf("%s refused with %s but changed %s", econ.Tag(ix.Data[0]), code, m.Pubkey)
			}
		}
		return code, r
	}
	if ix.Data[0] == byte(econ.TagRegistryCreate) || d.tramp == nil {
		r := d.send([]txn.Instruction{ix}, keys...)
		if r.Err == nil {
			return 0, r
		}
		var ie *svm.InstructionError
		if errors.As(r.Err, &ie) && ie.Kind == svm.Custom {
			return unchanged(econ.Code(ie.Code), r)
		}
		d.t.Fatalf("%v\n%s", r.Err, strings.Join(r.Logs, "\n"))
	}
	prog := d.tramp[syscallOf[econ.Tag(ix.Data[0])]]
	r := d.ok(d.send([]txn.Instruction{viaSyscall(prog, ix)}, keys...))
	if r.ReturnProgram == prog {
		return unchanged(econ.Code(binary.LittleEndian.Uint64(r.ReturnData)), r)
	}
	return 0, r
}

// fingerprint is an account's lamports, owner and data.
func (c *chain) fingerprint(k pubkey.Pubkey) string {
	a := c.acct(k)
	return fmt.Sprintf("%d %s %x", a.Lamports, a.Owner, a.Data)
}

// scenario is the same sequence of operations, checked the same way,
// whichever path runs it; it returns the state accounts' data.
func scenario(t *testing.T, d *driver) [][]byte {
	creator, benef := pk("creator"), pk("beneficiary")
	bidders := []pubkey.Pubkey{pk("b1"), pk("b2"), pk("b3")}
	all := append([]pubkey.Pubkey{creator, benef}, bidders...)
	must := func(code econ.Code, r bank.TxResult) bank.TxResult {
		t.Helper()
		if code != 0 {
			t.Fatalf("code %s\n%s", code, strings.Join(r.Logs, "\n"))
		}
		return r
	}
	want := func(w econ.Code) func(econ.Code, bank.TxResult) {
		return func(code econ.Code, r bank.TxResult) {
			t.Helper()
			if code != w {
				t.Fatalf("code %s, want %s\n%s", code, w, strings.Join(r.Logs, "\n"))
			}
		}
	}

	// The VCG worked example.
	ix, auc := econ.NewAuctionCreate(creator, econ.AuctionCreate{ID: 1, Kind: econ.VCG, Items: 2, MaxBids: 3, BidSlots: 6, Beneficiary: benef})
	must(d.do(ix, "creator"))
	total := d.total(append(all, auc)...)
	for i, b := range []econ.AuctionBid{{Value: 10, Bundle: 1}, {Value: 8, Bundle: 2}, {Value: 15, Bundle: 3}} {
		must(d.do(econ.NewAuctionBid(auc, bidders[i], b, nil), []string{"b1", "b2", "b3"}[i]))
	}
	want(econ.TooManyBids)(d.do(econ.NewAuctionBid(auc, pk("a"), econ.AuctionBid{Value: 1, Bundle: 1}, nil), "a"))
	settle := econ.NewAuctionSettle(auc, benef, bidders)
	want(econ.TooEarly)(d.do(settle))
	d.advance(d.auction(auc).EndSlot)
	before := [3]uint64{d.lamports(bidders[0]), d.lamports(bidders[1]), d.lamports(bidders[2])}
	r := must(d.do(settle))
	if d.tramp == nil {
		if len(r.ReturnData) != 24 || binary.LittleEndian.Uint64(r.ReturnData) != 12 {
			t.Fatalf("return data %x", r.ReturnData)
		}
	}
	got := [3]uint64{d.lamports(bidders[0]) - before[0], d.lamports(bidders[1]) - before[1], d.lamports(bidders[2]) - before[2]}
	if got != [3]uint64{3, 3, 15} { // refunds: 10-7, 8-5, 15
		t.Fatalf("refunds %v", got)
	}
	if d.total(append(all, auc)...) != total {
		t.Fatal("lamports not conserved")
	}
	want(econ.Closed)(d.do(settle))

	// A sealed second-price round with one bidder silent.
	ix, sealed := econ.NewAuctionCreate(creator, econ.AuctionCreate{ID: 2, Kind: econ.SealedSecond, MaxBids: 3, BidSlots: 5,
		RevealSlots: 5, Reserve: 10, Penalty: 20, Beneficiary: benef})
	must(d.do(ix, "creator"))
	nonce := [32]byte{1, 2, 3}
	for i, v := range []uint64{50, 70, 90} {
		n := nonce
		n[31] = byte(i)
		must(d.do(econ.NewAuctionBid(sealed, bidders[i], econ.AuctionBid{Deposit: 100, Commitment: econ.Commitment(v, n)}, nil), []string{"b1", "b2", "b3"}[i]))
	}
	d.advance(d.auction(sealed).EndSlot)
	for i, v := range []uint64{50, 70} {
		n := nonce
		n[31] = byte(i)
		want(econ.CommitmentMismatch)(d.do(econ.NewAuctionReveal(sealed, bidders[i], v+1, n)))
		must(d.do(econ.NewAuctionReveal(sealed, bidders[i], v, n)))
	}
	d.advance(d.auction(sealed).RevealEnd)
	bb := d.lamports(benef)
	must(d.do(econ.NewAuctionSettle(sealed, benef, bidders)))
	if d.lamports(benef)-bb != 70 {
		t.Fatalf("beneficiary got %d, want 50 + the penalty of 20", d.lamports(benef)-bb)
	}

	// Escrow with a time lock and 1-of-1 approval, then a release.
	p := econ.EscrowCreate{ID: 1, Conditions: econ.CondTimeLock | econ.CondApprovals, LockSlots: 2, TimeoutSlots: 20,
		K: 1, N: 1, AmountA: sol, AmountB: sol / 2}
	p.Approvers[0] = pk("auth")
	ix, esc := econ.NewEscrowCreate(pk("a"), pk("b"), p)
	must(d.do(ix, "a", "b"))
	release := econ.NewEscrowRelease(esc, pk("a"), pk("b"), nil, []pubkey.Pubkey{pk("auth")})
	want(econ.TooEarly)(d.do(release, "auth"))
	d.advance(d.slot() + 2)
	must(d.do(release, "auth"))
	want(econ.Closed)(d.do(econ.NewEscrowRefund(esc, pk("a"), pk("b"))))

	// Stake: lock, slash with evidence, unbond, withdraw.
	ix, stake := econ.NewStakeLock(pk("staker"), econ.StakeLock{ID: 1, Amount: 3 * sol, UnbondingSlots: 3, Authority: pk("auth"), SlashTo: benef})
	must(d.do(ix, "staker"))
	must(d.do(econ.NewStakeSlash(stake, pk("auth"), benef, sol, [32]byte{9}), "auth"))
	must(d.do(econ.NewStakeRelease(stake, pk("staker"), econ.ReleaseUnbond), "staker"))
	want(econ.TooEarly)(d.do(econ.NewStakeRelease(stake, pk("staker"), econ.ReleaseWithdraw), "staker"))
	d.advance(d.slot() + 3)
	must(d.do(econ.NewStakeRelease(stake, pk("staker"), econ.ReleaseWithdraw), "staker"))

	// Reputation: a registry (an instruction only), a rating, a query.
	ix, reg := econ.NewRegistryCreate(pk("auth"), econ.RegistryCreate{ID: 1, DecayQ16: 1 << 15, DecayPeriod: 4, MinRating: -5, MaxRating: 5,
		ScoreMin: -100, ScoreMax: 100, Raters: []econ.Rater{{Key: pk("rater"), Weight: 4}}})
	must(d.do(ix, "auth"))
	must(d.do(econ.NewReputationUpdate(reg, pk("rater"), pk("b1"), 5), "rater"))
	want(econ.Unauthorized)(d.do(econ.NewReputationUpdate(reg, pk("b2"), pk("b1"), 5), "b2"))
	d.advance(d.slot() + 4)
	r = must(d.do(econ.NewReputationQuery(reg, pk("b1"))))
	if q, ok := econ.DecodeQueryResult(r.ReturnData); !ok || q.Score != 10 {
		t.Fatalf("query %x", r.ReturnData)
	}
	score, _ := econ.ScoreAddress(reg, pk("b1"))
	var out [][]byte
	for _, k := range []pubkey.Pubkey{auc, sealed, esc, stake, reg, score} {
		out = append(out, d.acct(k).Data)
	}
	return out
}

func TestInstructionAndSyscallPathsAgree(t *testing.T) {
	direct := scenario(t, newDriver(t, false))
	sys := scenario(t, newDriver(t, true))
	for i := range direct {
		sameBytes(t, "state account "+string(rune('0'+i)), direct[i], sys[i])
	}
}

func TestInstructionPathLogsAndBudget(t *testing.T) {
	c := newChain(t)
	c.fund(10*sol, "creator")
	ix, _ := econ.NewAuctionCreate(pk("creator"), econ.AuctionCreate{ID: 1, Kind: econ.VCG, Items: 2, MaxBids: 3, BidSlots: 6, Beneficiary: pk("creator")})
	r := c.ok(c.send([]txn.Instruction{ix}, keyOf("creator")))
	logs := strings.Join(r.Logs, "\n")
	for _, want := range []string{"Program Econ111111111111111111111111111111111111111 invoke [1]",
		"Program 11111111111111111111111111111111 invoke [2]", "Program Econ111111111111111111111111111111111111111 success"} {
		if !strings.Contains(logs, want) {
			t.Fatalf("logs lack %q:\n%s", want, logs)
		}
	}
	if want := uint64(econ.CostAuctionCreate + econ.CostPDA + 150); r.CU != want {
		t.Fatalf("CU %d, want %d", r.CU, want)
	}
	// A failure logs the program's reason and changes nothing.
	before := c.acct(pk("creator"))
	r = c.send([]txn.Instruction{ix}, keyOf("creator"))
	c.failsWith(r, econ.AlreadyInitialized)
	if !strings.Contains(strings.Join(r.Logs, "\n"), "econ: AlreadyInitialized") {
		t.Fatalf("logs: %v", r.Logs)
	}
	if after := c.acct(pk("creator")); after.Lamports != before.Lamports {
		t.Fatal("a failed instruction changed the creator")
	}
	// Missing signature: the builtin's own typed error, nothing written.
	ix2, _ := econ.NewAuctionCreate(pk("creator"), econ.AuctionCreate{ID: 2, Kind: econ.VCG, Items: 2, MaxBids: 3, BidSlots: 6, Beneficiary: pk("creator")})
	ix2.Accounts[0].IsSigner = false
	c.failsWith(c.send([]txn.Instruction{ix2}), econ.MissingSignature)
}

func TestSyscallFaults(t *testing.T) {
	c := newChain(t)
	c.fund(10*sol, "creator")
	tr := c.trampolines()
	prog := tr[econ.NameAuctionCreate]
	ix, auc := econ.NewAuctionCreate(pk("creator"), econ.AuctionCreate{ID: 1, Kind: econ.Dutch, MaxBids: 1, BidSlots: 6, StartPrice: 9, Beneficiary: pk("creator")})
	call := viaSyscall(prog, ix)

	// A position beyond the instruction's accounts aborts the program.
	bad := call
	bad.Data = append([]byte(nil), call.Data...)
	bad.Data[16+1] = 7
	r := c.send([]txn.Instruction{bad}, keyOf("creator"))
	if r.Err == nil || !strings.Contains(r.Err.String(), "NotEnoughAccountKeys") {
		t.Fatalf("bad position: %v", r.Err)
	}
	// Arguments of the wrong length abort it with InvalidLength.
	bad.Data = append([]byte(nil), call.Data...)
	binary.LittleEndian.PutUint64(bad.Data[8:], 3)
	r = c.send([]txn.Instruction{bad}, keyOf("creator"))
	if r.Err == nil || !strings.Contains(strings.Join(r.Logs, "\n"), "InvalidLength") {
		t.Fatalf("bad length: %v %v", r.Err, r.Logs)
	}
	// Escalating a privilege through the syscall is impossible: the
	// creator does not sign this transaction, so the program's own check
	// answers MissingSignature in r0, and the program goes on.
	nosig := call
	nosig.Accounts = append([]txn.AccountMeta(nil), call.Accounts...)
	nosig.Accounts[0].IsSigner = false
	r = c.ok(c.send([]txn.Instruction{nosig}))
	if r.ReturnProgram != prog || econ.Code(binary.LittleEndian.Uint64(r.ReturnData)) != econ.MissingSignature {
		t.Fatalf("return %s %x", r.ReturnProgram, r.ReturnData)
	}
	if c.lamports(auc) != 0 {
		t.Fatal("the auction exists")
	}
	// The real thing works, and charges the syscall's price on top.
	r = c.ok(c.send([]txn.Instruction{call}, keyOf("creator")))
	if c.lamports(auc) == 0 || r.CU <= econ.CostSyscall+econ.CostAuctionCreate {
		t.Fatalf("CU %d", r.CU)
	}
	// Inside a transactional-memory transaction the syscall, an
	// invocation, is refused as a CPI is.
	inTx := pk("in tx")
	c.deployAsm(inTx, "syscall agora_tx_begin\nmov64 r1, 0\nmov64 r2, 0\nmov64 r3, 0\nmov64 r4, 0\nmov64 r5, 0\nsyscall agora_auction_settle\nexit")
	r = c.send([]txn.Instruction{{ProgramID: inTx}})
	if r.Err == nil || !strings.Contains(strings.Join(r.Logs, "\n"), "CPIInTransaction") {
		t.Fatalf("econ syscall in a txmem transaction: %v %v", r.Err, r.Logs)
	}
	// Outside a transaction (a raw VM run) the syscall has no svm.
	_, err := runRaw(t, "mov64 r1, 0\nmov64 r2, 0\nmov64 r3, 0\nmov64 r4, 0\nmov64 r5, 0\nsyscall agora_auction_settle\nexit")
	if vm.ErrorKindOf(err) != "MissingContext" {
		t.Fatalf("raw run: %v", err)
	}
}

// runRaw runs assembly in a bare VM (no runtime) with the econ syscalls.
func runRaw(t *testing.T, src string) (uint64, error) {
	t.Helper()
	p, err := asm.Assemble(src, sbpf.V0, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := vm.NewRegistry()
	if err := econ.Register(reg); err != nil {
		t.Fatal(err)
	}
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), reg, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	res := exe.Run(vm.NewMachine(), vm.RunOptions{Budget: 10_000, Context: syscalls.NewContext([32]byte{})})
	return res.R0, res.Err
}
