package abci

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm/bank"
)

var genesisTime = time.Unix(1_800_000_000, 0)

func testKey(seed byte) ed25519.PrivateKey { return bank.NewKeypair(bytes.Repeat([]byte{seed}, 32)) }

// funded are the keys the test genesis funds: 1..8 with 1,000 SOL, 9 with
// less than one signature's fee.
func testAppState() []byte {
	var accs []account.Keyed
	for s := byte(1); s <= 8; s++ {
		accs = append(accs, account.Keyed{Key: txn.PubkeyOf(testKey(s)), Account: account.Account{Lamports: 1_000_000_000_000}})
	}
	accs = append(accs, account.Keyed{Key: txn.PubkeyOf(testKey(9)), Account: account.Account{Lamports: 4_999}})
	return EncodeAppState(accs)
}

func newTestApp(t testing.TB, lanes int, limits sched.Limits) *App {
	t.Helper()
	a, err := newApp(store.NewMem(), Config{Lanes: lanes, Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.InitChain(context.Background(), &abcitypes.InitChainRequest{Time: genesisTime, ChainId: "test", AppStateBytes: testAppState(), InitialHeight: 1}); err != nil {
		t.Fatal(err)
	}
	return a
}

func transfer(t testing.TB, from ed25519.PrivateKey, to pubkey.Pubkey, lamports uint64, blockhash txn.Hash) []byte {
	t.Helper()
	m, err := txn.Compile(txn.PubkeyOf(from), []txn.Instruction{system.Transfer(txn.PubkeyOf(from), to, lamports)}, blockhash)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := txn.Sign(m, from)
	if err != nil {
		t.Fatal(err)
	}
	return tx.Encode()
}

// block finalizes and commits txs as the next block, one second after the
// last, and returns the response.
func block(t testing.TB, a *App, txs [][]byte) *abcitypes.FinalizeBlockResponse {
	t.Helper()
	h := int64(a.Bank().Head().Height) + 1
	res, err := a.FinalizeBlock(context.Background(), &abcitypes.FinalizeBlockRequest{Txs: txs, Height: h, Time: genesisTime.Add(time.Duration(h) * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Commit(context.Background(), &abcitypes.CommitRequest{}); err != nil {
		t.Fatal(err)
	}
	return res
}

func checkTx(t testing.TB, a *App, raw []byte, typ abcitypes.CheckTxType) *abcitypes.CheckTxResponse {
	t.Helper()
	res, err := a.CheckTx(context.Background(), &abcitypes.CheckTxRequest{Tx: raw, Type: typ})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestCheckTx(t *testing.T) {
	a := newTestApp(t, 1, sched.Limits{})
	bh := a.Bank().LatestBlockhash()
	to := txn.PubkeyOf(testKey(50))
	good := transfer(t, testKey(1), to, 1_000_000, bh)
	badSig := bytes.Clone(good)
	badSig[1] ^= 1 // the first signature's first byte
	for _, c := range []struct {
		name string
		tx   []byte
		code uint32
		log  string
	}{
		{"garbage", []byte{1, 2, 3}, CodeBadEncoding, ""},
		{"empty", nil, CodeBadEncoding, ""},
		{"bad signature", badSig, CodeRejected, "SignatureFailure"},
		{"unknown blockhash", transfer(t, testKey(1), to, 1_000, txn.Hash{7}), CodeRejected, "BlockhashNotFound"},
		{"payer does not exist", transfer(t, testKey(60), to, 1_000_000, bh), CodeRejected, "AccountNotFound"},
		{"payer cannot pay the fee", transfer(t, testKey(9), to, 1, bh), CodeRejected, "InsufficientFundsForFee"},
		{"good", good, CodeOK, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := checkTx(t, a, c.tx, abcitypes.CHECK_TX_TYPE_CHECK)
			if res.Code != c.code || !strings.Contains(res.Log, c.log) {
				t.Fatalf("code %d log %q; want code %d log containing %q", res.Code, res.Log, c.code, c.log)
			}
		})
	}
	// Once a block holds it, a recheck evicts it.
	if r := block(t, a, [][]byte{good}); r.TxResults[0].Code != CodeOK {
		t.Fatalf("block: %+v", r.TxResults[0])
	}
	if res := checkTx(t, a, good, abcitypes.CHECK_TX_TYPE_RECHECK); res.Code != CodeRejected || res.Log != "AlreadyProcessed" {
		t.Fatalf("recheck after inclusion: code %d log %q", res.Code, res.Log)
	}
}

// transferCost is the scheduler's estimated cost of one transfer.
func transferCost(t testing.TB, a *App, raw []byte) uint64 {
	tx, err := txn.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	return sched.EstimateCost(a.ex, tx).Sum()
}

func TestPrepareProposalLimits(t *testing.T) {
	probe := newTestApp(t, 1, sched.Limits{})
	bh := probe.Bank().LatestBlockhash()
	one := transferCost(t, probe, transfer(t, testKey(1), txn.PubkeyOf(testKey(50)), 1, bh))
	// Room for three transfers in the block, two per writable account.
	limits := sched.Limits{Block: 3 * one, Account: 2 * one}
	a := newTestApp(t, 1, limits)
	if a.Bank().LatestBlockhash() != bh {
		t.Fatal("the same genesis gave another blockhash")
	}
	to := func(i int) pubkey.Pubkey { return txn.PubkeyOf(testKey(byte(100 + i))) }
	t1 := transfer(t, testKey(1), to(1), 1_000_000, bh)
	t2 := transfer(t, testKey(1), to(2), 1_000_000, bh) // key 1's second: its account limit is full after it
	t3 := transfer(t, testKey(1), to(3), 1_000_000, bh) // key 1's third: over the account limit
	t4 := transfer(t, testKey(2), to(4), 1_000_000, bh)
	t5 := transfer(t, testKey(3), to(5), 1_000_000, bh) // over the block limit
	bad := bytes.Clone(t4)
	bad[5] ^= 1
	mempool := [][]byte{{0xff}, t1, t1, bad, t2, t3, t4, t5}
	ctx := context.Background()
	res, err := a.PrepareProposal(ctx, &abcitypes.PrepareProposalRequest{Txs: mempool, MaxTxBytes: 1 << 20, Height: 1, Time: genesisTime})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{t1, t2, t4}
	if len(res.Txs) != len(want) {
		t.Fatalf("proposal holds %d transactions, want %d", len(res.Txs), len(want))
	}
	for i := range want {
		if !bytes.Equal(res.Txs[i], want[i]) {
			t.Fatalf("proposal transaction %d is not the expected one", i)
		}
	}
	if err := a.CheckProposal(res.Txs); err != nil {
		t.Fatalf("CheckProposal refuses PrepareProposal's own block: %v", err)
	}
	fin := block(t, a, res.Txs)
	for i, r := range fin.TxResults {
		if r.Code != CodeOK || r.GasUsed <= 0 {
			t.Fatalf("transaction %d of the proposal: %+v", i, r)
		}
	}
	// CometBFT's byte limit: room for one transaction only.
	one1 := transfer(t, testKey(4), to(6), 1, a.Bank().LatestBlockhash())
	one2 := transfer(t, testKey(5), to(7), 1, a.Bank().LatestBlockhash())
	res, err = a.PrepareProposal(ctx, &abcitypes.PrepareProposalRequest{Txs: [][]byte{one1, one2}, MaxTxBytes: int64(len(one1) + 10), Height: 2, Time: genesisTime})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Txs) != 1 {
		t.Fatalf("byte limit: %d transactions", len(res.Txs))
	}
}

func TestProcessProposal(t *testing.T) {
	probe := newTestApp(t, 1, sched.Limits{})
	bh := probe.Bank().LatestBlockhash()
	one := transferCost(t, probe, transfer(t, testKey(1), txn.PubkeyOf(testKey(50)), 1, bh))
	a := newTestApp(t, 1, sched.Limits{Block: 2 * one})
	t1 := transfer(t, testKey(1), txn.PubkeyOf(testKey(51)), 1, bh)
	t2 := transfer(t, testKey(2), txn.PubkeyOf(testKey(52)), 1, bh)
	t3 := transfer(t, testKey(3), txn.PubkeyOf(testKey(53)), 1, bh)
	for _, c := range []struct {
		name   string
		txs    [][]byte
		accept bool
		at     int
	}{
		{"empty", nil, true, 0},
		{"within the limits", [][]byte{t1, t2}, true, 0},
		{"undecodable", [][]byte{t1, {1, 2}}, false, 1},
		{"repeated", [][]byte{t1, t1}, false, 1},
		{"over the block limit", [][]byte{t1, t2, t3}, false, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := a.ProcessProposal(context.Background(), &abcitypes.ProcessProposalRequest{Txs: c.txs, Height: 1, Time: genesisTime})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Status == abcitypes.PROCESS_PROPOSAL_STATUS_ACCEPT; got != c.accept {
				t.Fatalf("accepted %v, want %v", got, c.accept)
			}
			if !c.accept {
				pe, ok := a.CheckProposal(c.txs).(*ProposalError)
				if !ok || pe.Tx != c.at {
					t.Fatalf("CheckProposal: %v, want a *ProposalError at transaction %d", a.CheckProposal(c.txs), c.at)
				}
			}
		})
	}
}

// TestFinalizeBlockLanes runs the same blocks on one lane and on four:
// every result and every app hash must be equal. The blocks mix
// independent transfers, transfers that conflict on one account, a
// failing transfer, a transaction that does not decode and a repeat.
func TestFinalizeBlockLanes(t *testing.T) {
	serial, parallel := newTestApp(t, 1, sched.Limits{}), newTestApp(t, 4, sched.Limits{})
	hub := txn.PubkeyOf(testKey(40))
	for h := 0; h < 4; h++ {
		bh := serial.Bank().LatestBlockhash()
		if pb := parallel.Bank().LatestBlockhash(); pb != bh {
			t.Fatalf("block %d: blockhashes differ", h)
		}
		var txs [][]byte
		for s := byte(1); s <= 8; s++ {
			txs = append(txs, transfer(t, testKey(s), txn.PubkeyOf(testKey(s+20+byte(h))), uint64(1_000_000+h), bh))
			txs = append(txs, transfer(t, testKey(s), hub, uint64(s)*1_000_000, bh))
		}
		txs = append(txs, transfer(t, testKey(3), hub, 1<<62, bh), []byte("not a transaction"), txs[0])
		rs, rp := block(t, serial, txs), block(t, parallel, txs)
		if !bytes.Equal(rs.AppHash, rp.AppHash) {
			t.Fatalf("block %d: app hash %x on one lane, %x on four", h+1, rs.AppHash, rp.AppHash)
		}
		for i := range rs.TxResults {
			if rs.TxResults[i].String() != rp.TxResults[i].String() {
				t.Fatalf("block %d transaction %d: %v on one lane, %v on four", h+1, i, rs.TxResults[i], rp.TxResults[i])
			}
		}
		n := len(txs)
		if rs.TxResults[n-3].Code != CodeFailed || rs.TxResults[n-2].Code != CodeBadEncoding || rs.TxResults[n-1].Code != CodeRejected || rs.TxResults[0].Code != CodeOK {
			t.Fatalf("block %d: codes %d %d %d %d", h+1, rs.TxResults[0].Code, rs.TxResults[n-3].Code, rs.TxResults[n-2].Code, rs.TxResults[n-1].Code)
		}
	}
	hs, _ := serial.st.Head()
	if got := hex.EncodeToString(hs.StateRoot[:]); got == "" || hs.Height != 4 {
		t.Fatalf("head %+v", hs)
	}
}

// TestFinalizeWritesNothingUntilCommit: FinalizeBlock announces the app
// hash and Info still reports the previous block until Commit.
func TestFinalizeWritesNothingUntilCommit(t *testing.T) {
	a := newTestApp(t, 2, sched.Limits{})
	ctx := context.Background()
	info0, _ := a.Info(ctx, &abcitypes.InfoRequest{})
	if info0.LastBlockHeight != 0 || len(info0.LastBlockAppHash) != 32 {
		t.Fatalf("Info after InitChain: %+v", info0)
	}
	tx := transfer(t, testKey(1), txn.PubkeyOf(testKey(70)), 1_000_000, a.Bank().LatestBlockhash())
	if _, err := a.FinalizeBlock(ctx, &abcitypes.FinalizeBlockRequest{Height: 2, Time: genesisTime}); err == nil {
		t.Fatal("FinalizeBlock at height 2 over genesis: no error")
	}
	fin, err := a.FinalizeBlock(ctx, &abcitypes.FinalizeBlockRequest{Txs: [][]byte{tx}, Height: 1, Time: genesisTime.Add(time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := a.Info(ctx, &abcitypes.InfoRequest{}); info.LastBlockHeight != 0 || !bytes.Equal(info.LastBlockAppHash, info0.LastBlockAppHash) {
		t.Fatalf("Info after FinalizeBlock: %+v", info)
	}
	if acct, _ := a.Bank().Account(txn.PubkeyOf(testKey(70))); acct.Exists() {
		t.Fatal("FinalizeBlock wrote an account")
	}
	if _, err := a.Commit(ctx, &abcitypes.CommitRequest{}); err != nil {
		t.Fatal(err)
	}
	if info, _ := a.Info(ctx, &abcitypes.InfoRequest{}); info.LastBlockHeight != 1 || !bytes.Equal(info.LastBlockAppHash, fin.AppHash) {
		t.Fatalf("Info after Commit: %+v, want height 1 and %x", info, fin.AppHash)
	}
	if _, err := a.Commit(ctx, &abcitypes.CommitRequest{}); err == nil {
		t.Fatal("a second Commit: no error")
	}
}

// TestRestart reopens a Pebble ledger: Info reports the committed head,
// and InitChain over a ledger past genesis is refused.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(Config{Ledger: dir, Lanes: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	init := &abcitypes.InitChainRequest{Time: genesisTime, AppStateBytes: testAppState(), InitialHeight: 1}
	if _, err := a.InitChain(ctx, init); err != nil {
		t.Fatal(err)
	}
	fin := block(t, a, [][]byte{transfer(t, testKey(1), txn.PubkeyOf(testKey(71)), 1_000_000, a.Bank().LatestBlockhash())})
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := Open(Config{Ledger: dir, Lanes: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	info, _ := b.Info(ctx, &abcitypes.InfoRequest{})
	if info.LastBlockHeight != 1 || !bytes.Equal(info.LastBlockAppHash, fin.AppHash) {
		t.Fatalf("Info after restart: %+v", info)
	}
	if _, err := b.InitChain(ctx, init); err == nil {
		t.Fatal("InitChain over block 1: no error")
	}
}
