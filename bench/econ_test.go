package bench

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/ext"
	"github.com/agora-vm/agora/ext/econ"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/sysvar"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
)

// The proposal's table for economic primitives (part 3), reproduced
// honestly: each row is one job done three ways, as whole transactions
// through svm.Executor, measured in the same run:
//
//   - syscall: an sBPF program (econTrampoline) calls the agora_* syscall,
//     the proposal's "native primitive" inside an agent program;
//   - instruction: a transaction calls the economics program directly;
//   - bytecode: an ordinary sBPF program, examples/c/econbase.c (C, built
//     into testdata/c/econbase.so), does the same job over accounts it
//     owns, in the same layouts, with the same rules, calling the System
//     program by CPI where the native program calls it natively.
//
// The figures are the transaction's compute units and the wall time of
// Executor.Execute. The ratios are bytecode over syscall, quoted next to
// the proposal's claims. TestEconRowsAgree checks that the ways end in the
// same accounts.

// accountWalk skips the serialized accounts of the program input (Solana's
// aligned layout) and leaves r9 at the instruction data.
const accountWalk = `
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
`

// econTrampoline calls the syscall NAME with the instruction data's
// arguments (u64 naccounts, u64 args_len, 64 positions, args); see
// ext/econ's runtime tests. Its nonzero r0 fails the instruction.
const econTrampoline = accountWalk + `    ldxdw r2, [r9+0]
    ldxdw r4, [r9+8]
    mov64 r1, r9
    add64 r1, 16
    mov64 r3, r9
    add64 r3, 80
    mov64 r5, 0
    CALL
    exit
`

var (
	econBaseID  = pubkey.Pubkey(sha256.Sum256([]byte("econbase")))
	econTrampID = func(name string) pubkey.Pubkey { return pubkey.Pubkey(sha256.Sum256([]byte("trampoline " + name))) }
)

const econSol = 1_000_000_000

// econWorld is an in-memory state over which transactions run; Execute
// never changes it, so one transaction can be timed again and again.
type econWorld struct {
	ex    *svm.Executor
	st    map[pubkey.Pubkey]account.Account
	env   *svm.Env
	payer ed25519.PrivateKey
}

func (w *econWorld) Account(k pubkey.Pubkey) (account.Account, error) { return w.st[k].Clone(), nil }

func econKey(name string) ed25519.PrivateKey {
	s := sha256.Sum256([]byte(name))
	return ed25519.NewKeyFromSeed(s[:])
}

func econPK(name string) pubkey.Pubkey { return txn.PubkeyOf(econKey(name)) }

func newEconWorld(tb testing.TB) *econWorld {
	ex, err := ext.NewExecutor()
	if err != nil {
		tb.Fatal(err)
	}
	w := &econWorld{ex: ex, st: map[pubkey.Pubkey]account.Account{}, payer: econKey("payer")}
	for _, k := range ex.NativePrograms() {
		w.st[k] = account.Account{Lamports: 1, Owner: pubkey.NativeLoader(), Executable: true}
	}
	s := sysvar.Set{Rent: sysvar.DefaultRent(), EpochSchedule: sysvar.DefaultEpochSchedule(), Clock: sysvar.Clock{Slot: 1000}}
	for _, a := range s.Accounts() {
		w.st[a.Key] = account.Account{Lamports: 1_000_000, Data: a.Data, Owner: pubkey.SysvarOwner()}
	}
	w.env = &svm.Env{Slot: 1000, Sysvars: s, Programs: svm.NewProgramCache(ex).Source(w)}
	w.st[txn.PubkeyOf(w.payer)] = account.Account{Lamports: 1000 * econSol}
	base, err := os.ReadFile(filepath.Join("..", "testdata", "c", "econbase.so"))
	if err != nil {
		tb.Fatal(err)
	}
	w.deploy(tb, econBaseID, base)
	for _, name := range econ.Names() {
		w.deployAsm(tb, econTrampID(name), strings.Replace(econTrampoline, "CALL", "syscall "+name, 1))
	}
	// The same trampoline without the call, to time the syscall's own cost.
	w.deployAsm(tb, econTrampID("none"), strings.Replace(econTrampoline, "CALL", "mov64 r0, 0", 1))
	return w
}

func (w *econWorld) deploy(tb testing.TB, id pubkey.Pubkey, elfBytes []byte) {
	if err := w.ex.VerifyDeployment(elfBytes); err != nil {
		tb.Fatal(err)
	}
	r := sysvar.DefaultRent()
	prog, pd := svm.UpgradeableProgramAccounts(id, elfBytes, 0, nil, r.MinimumBalance)
	w.st[prog.Key], w.st[pd.Key] = prog.Account, pd.Account
}

func (w *econWorld) deployAsm(tb testing.TB, id pubkey.Pubkey, src string) {
	b, err := elf.Assemble(src, sbpf.V0, nil, w.ex.Registry().Name)
	if err != nil {
		tb.Fatal(err)
	}
	w.deploy(tb, id, b)
}

func (w *econWorld) fund(lamports uint64, names ...string) {
	for _, n := range names {
		w.st[econPK(n)] = account.Account{Lamports: lamports}
	}
}

func (w *econWorld) tx(tb testing.TB, ix txn.Instruction, signers ...string) *txn.Transaction {
	m, err := txn.Compile(txn.PubkeyOf(w.payer), []txn.Instruction{ix}, txn.Hash{1})
	if err != nil {
		tb.Fatal(err)
	}
	keys := []ed25519.PrivateKey{w.payer}
	for _, s := range signers {
		keys = append(keys, econKey(s))
	}
	tx, err := txn.Sign(m, keys...)
	if err != nil {
		tb.Fatal(err)
	}
	return tx
}

// viaTrampoline calls ix's syscall through its trampoline.
func viaTrampoline(name string, ix txn.Instruction) txn.Instruction {
	n := len(ix.Accounts)
	data := binary.LittleEndian.AppendUint64(nil, uint64(n))
	data = binary.LittleEndian.AppendUint64(data, uint64(len(ix.Data)-1))
	pos := make([]byte, 64)
	for i := range n {
		pos[i] = byte(i)
	}
	data = append(append(data, pos...), ix.Data[1:]...)
	return txn.Instruction{ProgramID: econTrampID(name), Accounts: ix.Accounts, Data: data}
}

// asBaseline turns an econ instruction into econbase's op, with extra
// accounts appended (the System program, for the ops that call it).
func asBaseline(op byte, ix txn.Instruction, extra ...txn.AccountMeta) txn.Instruction {
	data := append([]byte{op}, ix.Data[1:]...)
	return txn.Instruction{ProgramID: econBaseID, Accounts: append(append([]txn.AccountMeta(nil), ix.Accounts...), extra...), Data: data}
}

var systemMeta = txn.AccountMeta{Pubkey: pubkey.SystemProgram()}

// econRow is one row of the table: the job done natively (a syscall from
// a program, and a direct instruction) and in bytecode.
type econRow struct {
	name, claim string
	syscall     *txn.Transaction
	instruction *txn.Transaction
	bytecode    *txn.Transaction
	// state is where the row's job leaves its outcome, per way: the
	// accounts compared by TestEconRowsAgree (nil: the instruction and
	// syscall ways share the native one).
	native, base []pubkey.Pubkey
	// mask lists data bytes that legitimately differ (the PDA bump).
	mask []int
}

// stateAccount places an account owned by owner with data and rent plus
// locked lamports.
func (w *econWorld) stateAccount(k, owner pubkey.Pubkey, data []byte, locked uint64) {
	r := sysvar.DefaultRent()
	w.st[k] = account.Account{Lamports: r.MinimumBalance(uint64(len(data))) + locked, Owner: owner, Data: data}
}

func econRows(tb testing.TB, w *econWorld) []econRow {
	var rows []econRow
	creator, benef := econPK("creator"), econPK("beneficiary")
	w.fund(100*econSol, "creator", "beneficiary", "A", "B", "rater", "ap0", "ap1", "ap2")

	// 1. VCG auction creation: 4 items, up to 8 bids.
	p := econ.AuctionCreate{ID: 7, Kind: econ.VCG, Items: 4, MaxBids: 8, BidSlots: 100, Reserve: 1, Beneficiary: benef}
	nix, naddr := econ.NewAuctionCreate(creator, p)
	baddr, bbump, _ := pubkey.FindProgramAddress([][]byte{[]byte("auction"), creator[:], binary.LittleEndian.AppendUint64(nil, 7)}, econBaseID)
	bp := p
	bp.Bump = bbump
	bix := nix
	bix.Data = econ.Encode(&bp)
	bix.Accounts = []txn.AccountMeta{nix.Accounts[0], {Pubkey: baddr, IsWritable: true}}
	rows = append(rows, econRow{name: "VCG auction creation", claim: "50×",
		syscall: w.tx(tb, viaTrampoline(econ.NameAuctionCreate, nix), "creator"), instruction: w.tx(tb, nix, "creator"),
		bytecode: w.tx(tb, asBaseline(0, bix, systemMeta), "creator"),
		native:   []pubkey.Pubkey{naddr, creator}, base: []pubkey.Pubkey{baddr, creator}, mask: []int{4}})

	// 2. VCG settlement: 4 items, 6 bids on overlapping bundles.
	vcgBids := []econ.Bid{}
	for i, b := range []struct{ bundle, value uint64 }{{0b0011, 30}, {0b0100, 12}, {0b1100, 25}, {0b0001, 18}, {0b0010, 14}, {0b1000, 9}} {
		k := econPK(fmt.Sprintf("vcg bidder %d", i))
		w.fund(econSol, fmt.Sprintf("vcg bidder %d", i))
		vcgBids = append(vcgBids, econ.Bid{Bidder: k, Value: b.value, Locked: b.value, Bundle: b.bundle})
	}
	rows = append(rows, settleRow(tb, w, "VCG settlement", "40×", &econ.Auction{Kind: econ.VCG, Items: 4, MaxBids: 8, ID: 1, Creator: creator,
		Beneficiary: benef, StartSlot: 1, EndSlot: 10, RevealEnd: 10, Reserve: 1, Bids: vcgBids}, 1))

	// 3. Sealed-bid settlement, second price: 6 bids, one never revealed.
	sealedBids := []econ.Bid{}
	for i, v := range []uint64{50, 70, 90, 40, 65, 0} {
		k := econPK(fmt.Sprintf("sealed bidder %d", i))
		w.fund(econSol, fmt.Sprintf("sealed bidder %d", i))
		b := econ.Bid{Bidder: k, Value: v, Locked: 100, Commitment: [32]byte{byte(i + 1)}, Flags: econ.BidRevealed}
		if v == 0 {
			b.Flags = 0
		}
		sealedBids = append(sealedBids, b)
	}
	rows = append(rows, settleRow(tb, w, "sealed-bid settlement (2nd price)", "—", &econ.Auction{Kind: econ.SealedSecond, MaxBids: 8, ID: 2,
		Creator: creator, Beneficiary: benef, StartSlot: 1, EndSlot: 10, RevealEnd: 20, Reserve: 10, Penalty: 20, Bids: sealedBids}, 2))

	// 4. Escrow creation: oracle, time lock and 2-of-3 approvals, both deposit.
	oracle := econPK("oracle")
	w.st[oracle] = account.Account{Lamports: econSol, Owner: econPK("oracle program"), Data: binary.LittleEndian.AppendUint64(make([]byte, 8), 160)}
	ep := econ.EscrowCreate{ID: 3, Conditions: econ.CondOracle | econ.CondTimeLock | econ.CondApprovals, OracleOp: econ.OpGE,
		Oracle: oracle, OracleOffset: 8, Threshold: 150, LockSlots: 10, TimeoutSlots: 500, K: 2, N: 3, AmountA: econSol, AmountB: econSol / 2}
	ep.Approvers = [8]pubkey.Pubkey{econPK("ap0"), econPK("ap1"), econPK("ap2")}
	A, B := econPK("A"), econPK("B")
	nix, naddr = econ.NewEscrowCreate(A, B, ep)
	baddr, bbump, _ = pubkey.FindProgramAddress([][]byte{[]byte("escrow"), A[:], binary.LittleEndian.AppendUint64(nil, 3)}, econBaseID)
	bep := ep
	bep.Bump = bbump
	bix = nix
	bix.Data = econ.Encode(&bep)
	bix.Accounts = []txn.AccountMeta{nix.Accounts[0], {Pubkey: baddr, IsWritable: true}, nix.Accounts[2]}
	rows = append(rows, econRow{name: "escrow creation", claim: "20×",
		syscall: w.tx(tb, viaTrampoline(econ.NameEscrowCreate, nix), "A", "B"), instruction: w.tx(tb, nix, "A", "B"),
		bytecode: w.tx(tb, asBaseline(3, bix, systemMeta), "A", "B"),
		native:   []pubkey.Pubkey{naddr, A, B}, base: []pubkey.Pubkey{baddr, A, B}, mask: []int{3}})

	// 5. Escrow release: the same conditions, two approvers sign.
	est := &econ.Escrow{Conditions: ep.Conditions, OracleOp: econ.OpGE, K: 2, N: 3, ID: 4, A: A, B: B, AmountA: econSol, AmountB: econSol / 2,
		Oracle: oracle, OracleOffset: 8, Threshold: 150, UnlockSlot: 100, TimeoutSlot: 5000, CreatedSlot: 90, Approvers: ep.Approvers}
	nEsc, bEsc := econPK("native escrow"), econPK("bytecode escrow")
	w.stateAccount(nEsc, econ.ProgramID(), est.Encode(), est.AmountA+est.AmountB)
	w.stateAccount(bEsc, econBaseID, est.Encode(), est.AmountA+est.AmountB)
	rel := func(k pubkey.Pubkey) txn.Instruction {
		return econ.NewEscrowRelease(k, A, B, &oracle, []pubkey.Pubkey{econPK("ap2"), econPK("ap0")})
	}
	rows = append(rows, econRow{name: "escrow release", claim: "25×",
		syscall: w.tx(tb, viaTrampoline(econ.NameEscrowRelease, rel(nEsc)), "ap2", "ap0"), instruction: w.tx(tb, rel(nEsc), "ap2", "ap0"),
		bytecode: w.tx(tb, asBaseline(4, rel(bEsc)), "ap2", "ap0"),
		native:   []pubkey.Pubkey{nEsc, A, B}, base: []pubkey.Pubkey{bEsc, A, B}})

	// 6. Reputation update: an agent already rated, decayed over 37 periods.
	raters := []econ.Rater{{Key: econPK("r0"), Weight: 1}, {Key: econPK("r1"), Weight: 2}, {Key: econPK("r2"), Weight: 3}, {Key: econPK("rater"), Weight: 5}}
	reg := &econ.Registry{ID: 1, Authority: creator, DecayQ16: 60000, DecayPeriod: 25, MinRating: -10, MaxRating: 10, ScoreMin: -1000, ScoreMax: 1000, Raters: raters}
	nReg, bReg, agent := econPK("native registry"), econPK("bytecode registry"), econPK("agent")
	nScore, bScore := econPK("native score"), econPK("bytecode score")
	w.stateAccount(nReg, econ.ProgramID(), reg.Encode(), 0)
	w.stateAccount(bReg, econBaseID, reg.Encode(), 0)
	w.stateAccount(nScore, econ.ProgramID(), (&econ.Score{Registry: nReg, Agent: agent, Value: 640, Anchor: 75, UpdatedSlot: 75, Updates: 9}).Encode(), 0)
	w.stateAccount(bScore, econBaseID, (&econ.Score{Registry: bReg, Agent: agent, Value: 640, Anchor: 75, UpdatedSlot: 75, Updates: 9}).Encode(), 0)
	upd := func(r, s pubkey.Pubkey) txn.Instruction {
		ix := econ.NewReputationUpdate(r, econPK("rater"), agent, 7)
		ix.Accounts[2].Pubkey = s
		return ix
	}
	rows = append(rows, econRow{name: "reputation update", claim: "20×",
		syscall: w.tx(tb, viaTrampoline(econ.NameReputationUpdate, upd(nReg, nScore)), "rater"), instruction: w.tx(tb, upd(nReg, nScore), "rater"),
		bytecode: w.tx(tb, asBaseline(5, upd(bReg, bScore)), "rater"),
		native:   []pubkey.Pubkey{nScore}, base: []pubkey.Pubkey{bScore}, mask: []int{8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
			24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39}}) // the registry's address
	return rows
}

// settleRow places the auction twice (owned natively and by econbase)
// and builds its settlement.
func settleRow(tb testing.TB, w *econWorld, name, claim string, a *econ.Auction, op byte) econRow {
	var locked uint64
	var bidders []pubkey.Pubkey
	for _, b := range a.Bids {
		locked += b.Locked
		bidders = append(bidders, b.Bidder)
	}
	nk, bk := econPK("native "+name), econPK("bytecode "+name)
	w.stateAccount(nk, econ.ProgramID(), a.Encode(), locked)
	w.stateAccount(bk, econBaseID, a.Encode(), locked)
	nix := econ.NewAuctionSettle(nk, a.Beneficiary, bidders)
	return econRow{name: name, claim: claim,
		syscall: w.tx(tb, viaTrampoline(econ.NameAuctionSettle, nix), ""), instruction: w.tx(tb, nix),
		bytecode: w.tx(tb, asBaseline(op, econ.NewAuctionSettle(bk, a.Beneficiary, bidders))),
		native:   append([]pubkey.Pubkey{nk, a.Beneficiary}, bidders...), base: append([]pubkey.Pubkey{bk, a.Beneficiary}, bidders...)}
}

func (w *econWorld) run(tb testing.TB, tx *txn.Transaction) *svm.Result {
	r := w.ex.Execute(tx, w, w.env)
	if r.Err != nil {
		tb.Fatalf("%v\n%s", r.Err, strings.Join(r.Logs, "\n"))
	}
	return r
}

func written(r *svm.Result, k pubkey.Pubkey) account.Account {
	for _, wr := range r.Writes {
		if wr.Key == k {
			return wr.Account
		}
	}
	return account.Account{}
}

// Every way of doing a row's job succeeds and leaves the same accounts:
// the same data (but for the PDA bump, or the registry's address) and the
// same lamports.
func TestEconRowsAgree(t *testing.T) {
	w := newEconWorld(t)
	for _, row := range econRows(t, w) {
		ways := []*svm.Result{w.run(t, row.syscall), w.run(t, row.instruction), w.run(t, row.bytecode)}
		for i := range row.native {
			want := written(ways[0], row.native[i])
			if want.Lamports == 0 {
				t.Fatalf("%s: account %d not written", row.name, i)
			}
			for j, r := range ways {
				k := row.native[i]
				if j == 2 {
					k = row.base[i]
				}
				got := written(r, k)
				a, b := bytes.Clone(want.Data), bytes.Clone(got.Data)
				for _, m := range row.mask {
					if m < len(a) && m < len(b) {
						a[m], b[m] = 0, 0
					}
				}
				if got.Lamports != want.Lamports || !bytes.Equal(a, b) {
					t.Fatalf("%s: way %d leaves account %d as %d lamports %x, the syscall %d %x\n%s", row.name, j, i, got.Lamports, got.Data, want.Lamports, want.Data, strings.Join(r.Logs, "\n"))
				}
			}
		}
	}
}

// BenchmarkEcon times each row's three ways (go test -bench Econ ./bench)
// and logs the table: compute units and wall time per transaction, and
// bytecode over syscall, next to the proposal's claimed speedup. A fourth
// transaction, the trampoline without its call over the same accounts,
// measures what every way pays to run a transaction at all (fee,
// loading, serializing the accounts); "job" times subtract it.
func BenchmarkEcon(b *testing.B) {
	w := newEconWorld(b)
	var table []string
	for _, row := range econRows(b, w) {
		cu := map[string]uint64{}
		ns := map[string]float64{}
		empty := row.syscall.Message.Instructions[0]
		emptyTx := *row.syscall
		emptyTx.Message.Instructions = []txn.CompiledInstruction{empty}
		emptyTx.Message.AccountKeys = append([]pubkey.Pubkey(nil), row.syscall.Message.AccountKeys...)
		emptyTx.Message.AccountKeys[empty.ProgramIDIndex] = econTrampID("none")
		w.run(b, &emptyTx)
		for _, way := range []struct {
			name string
			tx   *txn.Transaction
		}{{"syscall", row.syscall}, {"instruction", row.instruction}, {"bytecode", row.bytecode}, {"empty", &emptyTx}} {
			r := w.run(b, way.tx)
			cu[way.name] = r.CU
			b.Run(strings.ReplaceAll(row.name, " ", "_")+"/"+way.name, func(b *testing.B) {
				for b.Loop() {
					w.ex.Execute(way.tx, w, w.env)
				}
				ns[way.name] = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
				b.ReportMetric(float64(r.CU), "CU")
			})
		}
		job := func(way string) float64 { return ns[way] - ns["empty"] }
		jobRatio := "n/a"
		if job("bytecode") > 0 && job("syscall") > 0 {
			jobRatio = fmt.Sprintf("%.1f×", job("bytecode")/job("syscall"))
		}
		table = append(table, fmt.Sprintf("%-34s claimed %-4s| CU: bytecode %5d, syscall %4d, instruction %4d -> %5.1f× (%5.1f×) | tx time: bytecode %6.0f ns, syscall %6.0f ns, instruction %6.0f ns, empty %6.0f ns -> %4.2f× (%4.2f×), job %s",
			row.name, row.claim, cu["bytecode"], cu["syscall"], cu["instruction"], float64(cu["bytecode"])/float64(cu["syscall"]),
			float64(cu["bytecode"])/float64(cu["instruction"]), ns["bytecode"], ns["syscall"], ns["instruction"], ns["empty"],
			ns["bytecode"]/ns["syscall"], ns["bytecode"]/ns["instruction"], jobRatio))
	}
	b.Log("\nratios are bytecode / syscall (bytecode / instruction in parentheses); job = tx time less the empty transaction's\n" + strings.Join(table, "\n"))
}

// econLoop calls the syscall NAME (or does nothing for CALL = mov64)
// econLoopCalls times over the trampoline's arguments, ignoring r0.
const econLoop = accountWalk + `    mov64 r6, 50
loop:
    ldxdw r2, [r9+0]
    ldxdw r4, [r9+8]
    mov64 r1, r9
    add64 r1, 16
    mov64 r3, r9
    add64 r3, 80
    mov64 r5, 0
    CALL
    sub64 r6, 1
    jne r6, 0, loop
    mov64 r0, 0
    exit
`

const econLoopCalls = 50 // under the instruction trace limit of 64

// BenchmarkEconSyscallOverhead times what an econ syscall costs beyond
// the program's own work: a program calls agora_escrow_refund 50 times
// on an escrow that is not due (the program answers TooEarly after its
// checks, changing nothing), against the same loop without the call, for
// 3 and for 34 account positions. The difference per call, less the
// program's own time (ext/econ BenchmarkCalibration: escrow_refund), is
// what CostSyscall + CostSyscallPerAccount·n prices.
func BenchmarkEconSyscallOverhead(b *testing.B) {
	w := newEconWorld(b)
	withID, withoutID := econTrampID("loop call"), econTrampID("loop none")
	w.deployAsm(b, withID, strings.Replace(econLoop, "CALL", "syscall "+econ.NameEscrowRefund, 1))
	w.deployAsm(b, withoutID, strings.Replace(econLoop, "CALL", "mov64 r0, 0", 1))
	A, B := econPK("A"), econPK("B")
	w.fund(econSol, "A", "B")
	est := &econ.Escrow{Conditions: econ.CondTimeLock, ID: 1, A: A, B: B, AmountA: 1, AmountB: 1, UnlockSlot: 1, TimeoutSlot: 1 << 40}
	k := econPK("escrow")
	w.stateAccount(k, econ.ProgramID(), est.Encode(), 2)
	for _, n := range []int{3, 34} {
		ix := econ.NewEscrowRefund(k, A, B)
		for i := 3; i < n; i++ {
			name := fmt.Sprintf("extra %d", i)
			w.fund(1, name)
			ix.Accounts = append(ix.Accounts, txn.AccountMeta{Pubkey: econPK(name)})
		}
		with := viaTrampoline(econ.NameEscrowRefund, ix)
		with.ProgramID = withID
		without := with
		without.ProgramID = withoutID
		var times [2]float64
		for i, tx := range []*txn.Transaction{w.tx(b, with), w.tx(b, without)} {
			w.run(b, tx)
			b.Run(fmt.Sprintf("accounts=%d/%s", n, []string{"call", "no-call"}[i]), func(b *testing.B) {
				for b.Loop() {
					w.ex.Execute(tx, w, w.env)
				}
				times[i] = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			})
		}
		per := (times[0] - times[1]) / econLoopCalls
		b.Logf("accounts=%d: one call costs %.0f ns (%.1f CU at 33 ns/CU); priced %d + %d·%d = %d CU, plus the program's %d",
			n, per, per/33, econ.CostSyscall, econ.CostSyscallPerAccount, n,
			econ.CostSyscall+econ.CostSyscallPerAccount*uint64(n), econ.CostEscrowRefund)
	}
}
