// Package econtest runs the OVSM examples that call the economics
// syscalls (examples/ovsm/vcg-auction-agent.ovsm, escrow-agent.ovsm) as
// programs deployed on a bank, in transactions against the economics
// program: ext/econ's syscalls run only inside the runtime, which package
// ovsm must not import.
package econtest_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-vm/agora/ext"
	"github.com/agora-vm/agora/ext/econ"
	"github.com/agora-vm/agora/ovsm"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm/bank"
)

const sol = 1_000_000_000

// chain is a bank over an in-memory store: every send is one block, so
// one slot.
type chain struct {
	t     *testing.T
	b     *bank.Bank
	payer ed25519.PrivateKey
	now   int64
}

func newChain(t *testing.T, extra ...bank.GenesisAccount) *chain {
	st := store.NewMem()
	c := &chain{t: t, payer: keyOf("payer"), now: 1_700_000_000}
	genesis := append([]bank.GenesisAccount{{Key: txn.PubkeyOf(c.payer), Account: account.Account{Lamports: 1_000_000 * sol}}}, extra...)
	if _, err := bank.Genesis(st, ext.MustNewExecutor(), c.now, genesis); err != nil {
		t.Fatal(err)
	}
	b, err := bank.Open(st, ext.MustNewExecutor())
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

func (c *chain) send(ixs []txn.Instruction, signers ...string) bank.TxResult {
	c.t.Helper()
	m, err := txn.Compile(txn.PubkeyOf(c.payer), ixs, c.b.LatestBlockhash())
	if err != nil {
		c.t.Fatal(err)
	}
	keys := []ed25519.PrivateKey{c.payer}
	for _, s := range signers {
		keys = append(keys, keyOf(s))
	}
	tx, err := txn.Sign(m, keys...)
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

// deployExample compiles examples/ovsm/<name>.ovsm and deploys it.
func (c *chain) deployExample(name string) pubkey.Pubkey {
	c.t.Helper()
	path := filepath.Join("..", "..", "examples", "ovsm", name+".ovsm")
	src, err := os.ReadFile(path)
	if err != nil {
		c.t.Fatal(err)
	}
	out, err := ovsm.Compile(src, path, ovsm.Options{})
	if err != nil {
		c.t.Fatal(err)
	}
	id := pk(name)
	c.now++
	auth := txn.PubkeyOf(c.payer)
	if _, err := c.b.Deploy(id, out.ELF, &auth, c.now); err != nil {
		c.t.Fatal(err)
	}
	return id
}

// data is instruction data in OVSM's data encoding, from JSON.
func data(t *testing.T, jsonDoc string) []byte {
	t.Helper()
	b, err := ovsm.EncodeData([]byte(jsonDoc))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func w(k pubkey.Pubkey) txn.AccountMeta { return txn.AccountMeta{Pubkey: k, IsWritable: true} }
func sw(k pubkey.Pubkey) txn.AccountMeta {
	return txn.AccountMeta{Pubkey: k, IsSigner: true, IsWritable: true}
}

func ix(prog pubkey.Pubkey, d []byte, accounts ...txn.AccountMeta) txn.Instruction {
	return txn.Instruction{ProgramID: prog, Accounts: accounts, Data: d}
}

func logs(r bank.TxResult) string { return strings.Join(r.Logs, "\n") }

// cuWithin checks a transaction's compute units.
func cuWithin(t *testing.T, what string, r bank.TxResult, lo, hi uint64) {
	t.Helper()
	t.Logf("%s: %d CU", what, r.CU)
	if r.CU < lo || r.CU > hi {
		t.Errorf("%s took %d CU, expected %d..%d", what, r.CU, lo, hi)
	}
}

// TestVCGAuctionAgent runs examples/ovsm/vcg-auction-agent.ovsm: it
// creates a VCG auction on three items, four agents bid through it, and
// it settles: econ's exact winner determination and Clarke payments,
// the lamports they move, and the result map the example logs.
func TestVCGAuctionAgent(t *testing.T) {
	c := newChain(t)
	agent := c.deployExample("vcg-auction-agent")
	c.fund(10*sol, "creator", "b1", "b2", "b3", "b4")
	creator := pk("creator")

	id := c.slot() + 1 // the auction id is the slot of its creation
	auc, _ := econ.AuctionAddress(creator, id)
	r := c.ok(c.send([]txn.Instruction{ix(agent, data(t, `{"action": "create-auction"}`), sw(creator), w(auc))}, "creator"))
	if !strings.Contains(logs(r), "VCG auction created id="+itoa(id)) {
		t.Fatalf("create: %s", logs(r))
	}
	cuWithin(t, "create-auction", r, 6_000, 10_000)
	st, err := econ.DecodeAuction(c.acct(auc).Data)
	if err != nil {
		t.Fatal(err)
	}
	if st.Kind != econ.VCG || st.ID != id || st.Items != 3 || st.MaxBids != 32 || st.Beneficiary != creator ||
		st.Creator != creator || st.EndSlot != id+100 {
		t.Fatalf("auction %+v", st)
	}

	bids := []struct {
		bidder string
		items  string
		value  uint64
		bundle uint64
	}{
		{"b1", `["Raydium-access"]`, 10, 0b001},
		{"b2", `["Orca-access"]`, 8, 0b010},
		{"b3", `["Raydium-access", "Orca-access"]`, 15, 0b011},
		{"b4", `["Saber-access"]`, 5, 0b100},
	}
	for _, b := range bids {
		d := data(t, `{"action": "submit-bid", "auction-id": `+itoa(id)+`, "items": `+b.items+`, "value": `+itoa(b.value)+`}`)
		before := c.lamports(pk(b.bidder))
		r := c.ok(c.send([]txn.Instruction{ix(agent, d, w(auc), sw(pk(b.bidder)))}, b.bidder))
		cuWithin(t, "submit-bid "+b.bidder, r, 3_500, 6_500)
		if locked := before - c.lamports(pk(b.bidder)); locked != b.value {
			t.Fatalf("%s locked %d, bid %d", b.bidder, locked, b.value)
		}
	}
	st, _ = econ.DecodeAuction(c.acct(auc).Data)
	for i, b := range bids {
		if st.Bids[i].Bidder != pk(b.bidder) || st.Bids[i].Bundle != b.bundle || st.Bids[i].Value != b.value {
			t.Fatalf("bid %d: %+v", i, st.Bids[i])
		}
	}
	// an unknown item fails the program before econ is called
	bad := data(t, `{"action": "submit-bid", "auction-id": `+itoa(id)+`, "items": ["Curve-access"], "value": 3}`)
	c.fund(sol, "late")
	if r := c.send([]txn.Instruction{ix(agent, bad, w(auc), sw(pk("late")))}, "late"); r.Err == nil || !strings.Contains(logs(r), "no such item: Curve-access") {
		t.Fatalf("a bid on an unknown item: %v\n%s", r.Err, logs(r))
	}

	// settlement opens at the deadline: b1, b2 and b4 win (welfare 23
	// against 20 for b3 and b4); b1 pays 20-13 = 7, b2 20-15 = 5, b4
	// 18-18 = 0; b3 is refunded.
	settle := []txn.Instruction{ix(agent, data(t, `{"action": "settle-auction", "auction-id": `+itoa(id)+`}`),
		w(auc), w(creator), w(pk("b1")), w(pk("b2")), w(pk("b3")), w(pk("b4")))}
	if r := c.send(settle); r.Err == nil || !strings.Contains(logs(r), "auction-settle refused by the economics program: code "+itoa(uint64(econ.TooEarly))) {
		t.Fatalf("an early settlement: %v\n%s", r.Err, logs(r))
	}
	c.advance(st.EndSlot)
	var before [4]uint64
	for i, b := range bids {
		before[i] = c.lamports(pk(b.bidder))
	}
	benef := c.lamports(creator)
	r = c.ok(c.send(settle))
	cuWithin(t, "settle-auction", r, 2_500, 4_500)
	if !strings.Contains(logs(r), "Auction settled winners=[0 1 3] total-welfare=23") {
		t.Fatalf("settle: %s", logs(r))
	}
	var refunds [4]uint64
	for i, b := range bids {
		refunds[i] = c.lamports(pk(b.bidder)) - before[i]
	}
	if refunds != [4]uint64{3, 3, 15, 5} || c.lamports(creator)-benef != 12 {
		t.Fatalf("refunds %v, proceeds %d", refunds, c.lamports(creator)-benef)
	}
	st, _ = econ.DecodeAuction(c.acct(auc).Data)
	paid := []uint64{st.Bids[0].Paid, st.Bids[1].Paid, st.Bids[2].Paid, st.Bids[3].Paid}
	if st.Status != econ.StatusSettled || st.Proceeds != 12 || paid[0] != 7 || paid[1] != 5 || paid[2] != 0 || paid[3] != 0 {
		t.Fatalf("settled auction %+v", st)
	}
	// settling again is refused by econ (Closed), and the program fails
	if r := c.send(settle); r.Err == nil || !strings.Contains(logs(r), "code "+itoa(uint64(econ.Closed))) {
		t.Fatalf("a second settlement: %v\n%s", r.Err, logs(r))
	}
}

func itoa(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestEscrowAgent runs examples/ovsm/escrow-agent.ovsm: A and B each
// deposit 1 SOL into an escrow released when the oracle's price is above
// 150. With the oracle at 200 the release swaps the deposits; at 150 econ
// refuses it (ConditionNotMet) and nothing moves.
func TestEscrowAgent(t *testing.T) {
	for _, price := range []uint64{200, 150} {
		t.Run("price="+itoa(price), func(t *testing.T) { escrowAt(t, price) })
	}
}

func escrowAt(t *testing.T, price uint64) {
	oracle := pubkey.Pubkey(sha256.Sum256([]byte("Oracle"))) // the example's oracle-account
	c := newChain(t, bank.GenesisAccount{Key: oracle, Account: account.Account{Lamports: sol, Data: binary.LittleEndian.AppendUint64(nil, price)}})
	agent := c.deployExample("escrow-agent")
	c.fund(10*sol, "a", "b")
	a, b := pk("a"), pk("b")

	id := c.slot() + 1 // the escrow id is the slot of its creation
	esc, _ := econ.EscrowAddress(a, id)
	a0, b0 := c.lamports(a), c.lamports(b)
	r := c.ok(c.send([]txn.Instruction{ix(agent, data(t, `{"action": "create-escrow"}`), w(esc), sw(a), sw(b))}, "a", "b"))
	if !strings.Contains(logs(r), "Escrow created id="+itoa(id)) {
		t.Fatalf("create: %s", logs(r))
	}
	cuWithin(t, "create-escrow", r, 8_000, 13_000)
	e, err := econ.DecodeEscrow(c.acct(esc).Data)
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != econ.EscrowFunded || e.ID != id || e.A != a || e.B != b || e.AmountA != sol || e.AmountB != sol ||
		e.Conditions != 1 || e.OracleOp != econ.OpGT || e.Threshold != 150 || e.Oracle != oracle ||
		e.OracleOffset != 0 || e.TimeoutSlot != id+14400 {
		t.Fatalf("escrow %+v", e)
	}
	rent := c.lamports(esc) - 2*sol
	if a0-c.lamports(a) != sol+rent || b0-c.lamports(b) != sol {
		t.Fatalf("deposits: A %d, B %d (rent %d)", a0-c.lamports(a), b0-c.lamports(b), rent)
	}

	a1, b1 := c.lamports(a), c.lamports(b)
	release := []txn.Instruction{ix(agent, data(t, `{"action": "release-escrow", "escrow-id": `+itoa(id)+`}`), w(esc), w(a), w(b), txn.AccountMeta{Pubkey: oracle})}
	r = c.send(release)
	if price <= 150 {
		if r.Err == nil || !strings.Contains(logs(r), "escrow-release refused by the economics program: code "+itoa(uint64(econ.ConditionNotMet))) {
			t.Fatalf("a release below the threshold: %v\n%s", r.Err, logs(r))
		}
		if c.lamports(a) != a1 || c.lamports(b) != b1 || c.lamports(esc) != 2*sol+rent {
			t.Fatal("a refused release moved lamports")
		}
		return
	}
	c.ok(r)
	cuWithin(t, "release-escrow", r, 1_000, 2_000)
	if !strings.Contains(logs(r), "Escrow released id="+itoa(id)) {
		t.Fatalf("release: %s", logs(r))
	}
	// A's deposit went to B, B's to A; the escrow keeps its rent
	if c.lamports(a)-a1 != sol || c.lamports(b)-b1 != sol || c.lamports(esc) != rent {
		t.Fatalf("release moved A +%d, B +%d, escrow left %d", c.lamports(a)-a1, c.lamports(b)-b1, c.lamports(esc))
	}
	if e, _ := econ.DecodeEscrow(c.acct(esc).Data); e.Status != econ.EscrowReleased {
		t.Fatalf("escrow after release %+v", e)
	}
	// a second release is refused (Closed)
	if r := c.send(release); r.Err == nil || !strings.Contains(logs(r), "code "+itoa(uint64(econ.Closed))) {
		t.Fatalf("a second release: %v\n%s", r.Err, logs(r))
	}
}
