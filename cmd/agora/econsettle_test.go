package main

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/agora-vm/agora/ext/econ"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm/bank"
)

// worstAuction is an auction at its documented limits: the most bids, by
// as many bidders who are neither the fee payer nor the beneficiary.
type worstAuction struct {
	p    econ.AuctionCreate
	bids func(i int) econ.AuctionBid
	// reveal, for sealed auctions, says whether bid i is revealed.
	reveal func(i int) bool
}

func nonceOf(i int) [32]byte { return [32]byte{byte(i), 0xa5} }

var worstAuctions = map[econ.AuctionKind]worstAuction{
	econ.VCG: {p: econ.AuctionCreate{Items: econ.MaxVCGItems, MaxBids: econ.MaxBids, BidSlots: 3},
		bids: func(i int) econ.AuctionBid {
			return econ.AuctionBid{Value: uint64(100 + 7*i%31), Bundle: 1<<(i%12) | uint64(i/12)<<((i+5)%12)&(1<<12-1)}
		}},
	econ.GSP: {p: econ.AuctionCreate{Items: econ.MaxGSPSlots, MaxBids: econ.MaxBids, BidSlots: 3, Reserve: 3, Weights: [8]uint64{80, 70, 60, 50, 40, 30, 20, 10}},
		bids: func(i int) econ.AuctionBid { return econ.AuctionBid{Value: uint64(10 + 13*i%37)} }},
	econ.SealedFirst: {p: econ.AuctionCreate{MaxBids: econ.MaxBids, BidSlots: 3, RevealSlots: 3, Penalty: 50},
		bids: func(i int) econ.AuctionBid {
			return econ.AuctionBid{Deposit: 1000, Commitment: econ.Commitment(uint64(100+i), nonceOf(i))}
		}, reveal: func(i int) bool { return i%5 != 3 }},
	econ.SealedSecond: {p: econ.AuctionCreate{MaxBids: econ.MaxBids, BidSlots: 3, RevealSlots: 3, Penalty: 50},
		bids: func(i int) econ.AuctionBid {
			return econ.AuctionBid{Deposit: 1000, Commitment: econ.Commitment(uint64(900-i), nonceOf(i))}
		}, reveal: func(i int) bool { return i%7 != 0 }},
	econ.English: {p: econ.AuctionCreate{MaxBids: 1, BidSlots: 10, Increment: 5},
		bids: func(i int) econ.AuctionBid { return econ.AuctionBid{Value: uint64(100 + 10*i)} }},
	econ.Dutch: {p: econ.AuctionCreate{MaxBids: 1, BidSlots: 10, StartPrice: 1000, Increment: 10, Reserve: 100},
		bids: func(i int) econ.AuctionBid { return econ.AuctionBid{Value: 1000} }},
}

// TestEconSettleWorstCase settles every auction kind at its documented
// limits through `agora econ auction settle`: 32 outside bidders for the
// kinds that take 32 bids (one settle transaction would be 1,292 bytes),
// the single bid of English (after outbid leaders) and Dutch auctions.
// Every lock is paid out exactly and the auction ends settled.
func TestEconSettleWorstCase(t *testing.T) {
	for kind := econ.VCG; kind <= econ.Dutch; kind++ {
		t.Run(kind.String(), func(t *testing.T) { settleWorst(t, kind, worstAuctions[kind]) })
	}
}

func settleWorst(t *testing.T, kind econ.AuctionKind, w worstAuction) {
	dir := filepath.Join(t.TempDir(), "chain")
	if r := runEcon(t, "chain", "init", "--dir", dir); r.code != 0 {
		t.Fatal(r.stderr)
	}
	st, b, err := openChain(dir)
	if err != nil {
		t.Fatal(err)
	}
	payer, _, _ := readKey(dir, "payer")
	now := b.Head().Timestamp
	block := func(txs ...*txn.Transaction) {
		t.Helper()
		now++
		res, err := b.ProcessBlock(txs, now)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res.Txs {
			if r.Err != nil || !r.Charged {
				t.Fatalf("block %d tx %d: %v %v", res.Header.Height, i, r.Err, r.Logs)
			}
		}
	}
	sign := func(ixs []txn.Instruction, signers ...ed25519.PrivateKey) *txn.Transaction {
		m, err := txn.Compile(txn.PubkeyOf(payer), ixs, b.LatestBlockhash())
		if err != nil {
			t.Fatal(err)
		}
		tx, err := txn.Sign(m, append([]ed25519.PrivateKey{payer}, signers...)...)
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	n := int(w.p.MaxBids)
	if kind == econ.English {
		n = 4 // successive leaders, each refunded when outbid
	}
	const funding = 1_000_000_000
	beneficiary := bank.NewKeypair(bytes.Repeat([]byte{0xbe}, 32))
	var bidders []ed25519.PrivateKey
	var fund []txn.Instruction
	for i := range n {
		bidders = append(bidders, bank.NewKeypair(bytes.Repeat([]byte{byte(i + 1)}, 32)))
		fund = append(fund, system.Transfer(txn.PubkeyOf(payer), txn.PubkeyOf(bidders[i]), funding))
	}
	fund = append(fund, system.Transfer(txn.PubkeyOf(payer), txn.PubkeyOf(beneficiary), funding))
	var txs []*txn.Transaction
	for i := 0; i < len(fund); i += 8 {
		txs = append(txs, sign(fund[i:min(i+8, len(fund))]))
	}
	block(txs...)
	p := w.p
	p.Kind, p.ID, p.Beneficiary = kind, 1, txn.PubkeyOf(beneficiary)
	ix, auc := econ.NewAuctionCreate(txn.PubkeyOf(payer), p)
	block(sign([]txn.Instruction{ix}))
	if kind == econ.English {
		for i := range n {
			var leader *pubkey.Pubkey
			if i > 0 {
				l := txn.PubkeyOf(bidders[i-1])
				leader = &l
			}
			block(sign([]txn.Instruction{econ.NewAuctionBid(auc, txn.PubkeyOf(bidders[i]), w.bids(i), leader)}, bidders[i]))
		}
	} else {
		txs = nil
		for i := range n {
			txs = append(txs, sign([]txn.Instruction{econ.NewAuctionBid(auc, txn.PubkeyOf(bidders[i]), w.bids(i), nil)}, bidders[i]))
		}
		block(txs...)
	}
	a := readAuction(t, b, auc)
	if len(a.Bids) != int(p.MaxBids) {
		t.Fatalf("%d bids, want the limit %d", len(a.Bids), p.MaxBids)
	}
	for b.Head().Height < a.EndSlot {
		block()
	}
	if w.reveal != nil {
		txs = nil
		for i := range n {
			if w.reveal(i) {
				value := uint64(100 + i)
				if kind == econ.SealedSecond {
					value = uint64(900 - i)
				}
				txs = append(txs, sign([]txn.Instruction{econ.NewAuctionReveal(auc, txn.PubkeyOf(bidders[i]), value, nonceOf(i))}))
			}
		}
		block(txs...)
		for b.Head().Height < a.RevealEnd {
			block()
		}
	}
	a = readAuction(t, b, auc)
	var locked uint64
	for _, bid := range a.Bids {
		locked += bid.Locked
	}
	aucAcct, _ := b.Account(auc)
	rentMin := aucAcct.Lamports - locked
	st.Close()

	// The one transaction that lists every bidder does not fit.
	var keys []pubkey.Pubkey
	for _, bid := range a.Bids {
		keys = append(keys, bid.Bidder)
	}
	m, _ := txn.Compile(txn.PubkeyOf(payer), []txn.Instruction{econ.NewAuctionSettle(auc, a.Beneficiary, keys)}, [32]byte{})
	tx, _ := txn.Sign(m, payer)
	oneFits := len(tx.Encode()) <= txn.PacketDataSize

	r := runEcon(t, "econ", "auction", "settle", "--dir", dir, "--json", auc.String())
	if r.code != 0 {
		t.Fatalf("settle: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	rep := lastJSON(t, r.stdout)
	sent := int(rep["transactions"].(float64))
	if oneFits != (sent == 1) || rep["result"] == nil {
		t.Fatalf("one settle fits: %v, but %d transactions were sent (%v)", oneFits, sent, rep)
	}
	if p.MaxBids == econ.MaxBids && oneFits {
		t.Fatal("32 outside bidders fit one settle transaction: the worst case is not the worst")
	}

	st, b, err = openChain(dir)
	if err != nil {
		t.Fatal(err)
	}
	a = readAuction(t, b, auc)
	if a.Status != econ.StatusSettled {
		t.Fatalf("status %d after settle", a.Status)
	}
	var paid uint64
	for i, bid := range a.Bids {
		if (sent > 1 && bid.Flags&econ.BidPaidOut == 0) || bid.Paid > bid.Locked {
			t.Fatalf("bid %d: flags %#x, paid %d of %d", i, bid.Flags, bid.Paid, bid.Locked)
		}
		paid += bid.Paid
		who := -1
		for j := range bidders {
			if txn.PubkeyOf(bidders[j]) == bid.Bidder {
				who = j
			}
		}
		if acct, _ := b.Account(bid.Bidder); acct.Lamports != funding-bid.Paid {
			t.Fatalf("bidder %d holds %d, want %d - %d", who, acct.Lamports, uint64(funding), bid.Paid)
		}
	}
	if kind == econ.English {
		for i := 0; i < n-1; i++ { // outbid leaders got their locks back
			if acct, _ := b.Account(txn.PubkeyOf(bidders[i])); acct.Lamports != funding {
				t.Fatalf("outbid leader %d holds %d", i, acct.Lamports)
			}
		}
	}
	if paid != a.Proceeds || paid == 0 || rep["result"].(map[string]any)["proceeds"].(float64) != float64(paid) {
		t.Fatalf("proceeds %d, paid %d, reported %v", a.Proceeds, paid, rep["result"])
	}
	if acct, _ := b.Account(txn.PubkeyOf(beneficiary)); acct.Lamports != funding+paid {
		t.Fatalf("beneficiary holds %d, want %d", acct.Lamports, funding+paid)
	}
	if acct, _ := b.Account(auc); acct.Lamports != rentMin {
		t.Fatalf("the auction holds %d after settlement, its rent is %d", acct.Lamports, rentMin)
	}
	st.Close()
	// Settling again is refused by the program.
	if r := runEcon(t, "econ", "auction", "settle", "--dir", dir, "--json", auc.String()); r.code != exitFault {
		t.Fatalf("second settle: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	t.Logf("%s: %d bids settled in %d transaction(s), proceeds %d, %s", kind, len(a.Bids), sent, paid, fmt.Sprint(rep["cu"]))
}

func readAuction(t *testing.T, b *bank.Bank, k pubkey.Pubkey) *econ.Auction {
	t.Helper()
	acct, err := b.Account(k)
	if err != nil {
		t.Fatal(err)
	}
	a, err := econ.DecodeAuction(acct.Data)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
