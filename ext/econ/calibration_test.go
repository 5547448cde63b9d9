package econ

import (
	"fmt"
	"math"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

// dryHost runs an operation in full — decoding, checks, the computation,
// the encoding of the new state — without applying its effects, so a
// benchmark can repeat it on unchanged state. The effects' own cost is
// the runtime's (and the System program's 150 CU per call).
type dryHost struct {
	*memHost
	scratch []byte
}

func (h *dryHost) Consume(uint64) error                                   { return nil }
func (h *dryHost) CreateAccount(int, int, uint64, uint64, [][]byte) error { return nil }
func (h *dryHost) SystemTransfer(int, int, uint64) error                  { return nil }
func (h *dryHost) Move(int, int, uint64) error                            { return nil }
func (h *dryHost) SetData(_ int, d []byte) error {
	h.scratch = append(h.scratch[:0], d...)
	return nil
}

// clone copies the world, so that a dry run sees it as it is now.
func (w *world) clone() *world {
	c := *w
	c.accts = map[pubkey.Pubkey]*memAcct{}
	for k, a := range w.accts {
		c.accts[k] = &memAcct{a.lamports, a.owner, append([]byte(nil), a.data...)}
	}
	return &c
}

func dry(w *world, ix txn.Instruction) *dryHost {
	h := &memHost{w: w, data: ix.Data, budget: math.MaxUint64}
	for _, m := range ix.Accounts {
		h.keys = append(h.keys, m.Pubkey)
		h.signer = append(h.signer, m.IsSigner)
		h.writable = append(h.writable, m.IsWritable)
		w.get(m.Pubkey)
	}
	return &dryHost{memHost: h}
}

// calibration is one measured operation: the instruction on a prepared
// world, and the price the program charges for it.
type calibration struct {
	name  string
	price uint64
	host  *dryHost
}

// price runs ix on a metered copy and returns what it charges.
func priceOf(t testing.TB, w *world, ix txn.Instruction) uint64 {
	w.budget = 0
	snap := w.snapshot()
	err := w.exec(ix)
	cu := w.lastCU
	for k := range w.accts {
		if a, ok := snap[k]; ok {
			*w.accts[k] = memAcct{a.lamports, a.owner, append([]byte(nil), a.data...)}
		} else {
			delete(w.accts, k)
		}
	}
	if err != nil {
		t.Fatalf("calibration input fails: %v", err)
	}
	return cu
}

// auctionWith returns a world holding an auction of kind with n bids
// (sealed: revealed when reveal is set), and the slot moved to where
// settlement is open.
func auctionWith(t testing.TB, kind AuctionKind, items, n int, reveal bool) (*fixture, pubkey.Pubkey) {
	f := newFixture(n)
	p := AuctionCreate{ID: 1, Kind: kind, Items: uint8(items), MaxBids: MaxBids, BidSlots: 10}
	switch kind {
	case GSP:
		for i := range items {
			p.Weights[i] = uint64(100 - i)
		}
	case SealedFirst, SealedSecond:
		p.RevealSlots, p.Penalty = 10, 1
	case English, Dutch:
		p.MaxBids = 1
		if kind == Dutch {
			p.StartPrice = 1000
		}
	}
	a := f.create(t, p)
	for i := range n {
		var b AuctionBid
		switch kind {
		case VCG:
			// Bundles that overlap, so that the search has work to do.
			b = AuctionBid{Value: uint64(10 + i%7), Bundle: uint64(1+i*2654435761) & (1<<items - 1)}
			if b.Bundle == 0 {
				b.Bundle = 1
			}
		case SealedFirst, SealedSecond:
			b = AuctionBid{Deposit: 100, Commitment: Commitment(uint64(50+i), [32]byte{byte(i)})}
		default:
			b = AuctionBid{Value: uint64(10 + i)}
		}
		must(t, f.bid(a, i, b))
	}
	f.slot += 10
	if reveal {
		for i := range n {
			must(t, f.exec(NewAuctionReveal(a, f.bidders[i], uint64(50+i), [32]byte{byte(i)})))
		}
	}
	if kind.sealed() {
		f.slot += 10
	}
	return f, a
}

func calibrations(t testing.TB) []calibration {
	var out []calibration
	add := func(name string, w *world, ix txn.Instruction) {
		out = append(out, calibration{name, priceOf(t, w, ix), dry(w.clone(), ix)})
	}
	settle := func(f *fixture, a pubkey.Pubkey) txn.Instruction {
		var bs []pubkey.Pubkey
		for _, b := range f.auction(a).Bids {
			bs = append(bs, b.Bidder)
		}
		return NewAuctionSettle(a, f.beneficiary, bs)
	}

	f := newFixture(0)
	ix, _ := NewAuctionCreate(f.creator, AuctionCreate{ID: 9, Kind: GSP, Items: 8, MaxBids: MaxBids, BidSlots: 5, Beneficiary: f.beneficiary,
		Weights: [8]uint64{8, 7, 6, 5, 4, 3, 2, 1}})
	add("auction_create", f.world, ix)

	for _, n := range []int{0, 31} {
		f, a := auctionWith(t, SealedSecond, 0, n, false)
		f.slot -= 20
		k := testKey("extra bidder")
		f.fund(k, sol)
		add(fmt.Sprintf("auction_bid/sealed/bids=%d", n), f.world, NewAuctionBid(a, k, AuctionBid{Deposit: 100, Commitment: [32]byte{0xff}}, nil))
	}
	for _, n := range []int{1, 32} {
		f, a := auctionWith(t, SealedSecond, 0, n, false)
		f.slot -= 10
		add(fmt.Sprintf("auction_reveal/bids=%d", n), f.world, NewAuctionReveal(a, f.bidders[n-1], uint64(50+n-1), [32]byte{byte(n - 1)}))
	}
	for _, n := range []int{1, 32} {
		f, a := auctionWith(t, SealedSecond, 0, n, true)
		add(fmt.Sprintf("auction_settle/sealed/bids=%d", n), f.world, settle(f, a))
		f, a = auctionWith(t, GSP, 8, n, false)
		add(fmt.Sprintf("auction_settle/gsp/bids=%d", n), f.world, settle(f, a))
	}
	f, a := auctionWith(t, English, 0, 1, false)
	add("auction_settle/english/bids=1", f.world, settle(f, a))
	for _, c := range [][2]int{{1, 1}, {12, 32}} {
		f, a := auctionWith(t, VCG, c[0], c[1], false)
		add(fmt.Sprintf("auction_settle/vcg/items=%d/bids=%d", c[0], c[1]), f.world, settle(f, a))
	}

	w := newWorld()
	A, B, oracle := testKey("A"), testKey("B"), testKey("oracle")
	w.fund(A, 10*sol)
	w.fund(B, 10*sol)
	w.fund(oracle, sol)
	w.get(oracle).data = u64le(7, 200)
	var aps [8]pubkey.Pubkey
	for i := range aps {
		aps[i] = testKey("approver" + itoa(uint64(i)))
	}
	p := EscrowCreate{ID: 1, Conditions: condAll, OracleOp: OpGE, Oracle: oracle, OracleOffset: 8, Threshold: 150,
		LockSlots: 1, TimeoutSlots: 100, K: 8, N: 8, Approvers: aps, AmountA: sol, AmountB: sol}
	ix, esc := NewEscrowCreate(A, B, p)
	add("escrow_create", w, ix)
	must(t, w.exec(ix))
	w.slot += 2
	add("escrow_release/approvers=8", w, NewEscrowRelease(esc, A, B, &oracle, aps[:]))
	ix, esc2 := NewEscrowCreate(A, B, EscrowCreate{ID: 2, Conditions: CondTimeLock, LockSlots: 1, TimeoutSlots: 3, AmountA: 1, AmountB: 1})
	must(t, w.exec(ix))
	w.slot += 2
	add("escrow_release/approvers=0", w, NewEscrowRelease(esc2, A, B, nil, nil))
	w.slot += 5
	add("escrow_refund", w, NewEscrowRefund(esc2, A, B))

	raters := make([]Rater, MaxRaters)
	for i := range raters {
		raters[i] = Rater{testKey("rater" + itoa(uint64(i))), uint32(i + 1)}
		w.fund(raters[i].Key, sol)
	}
	ix, reg := NewRegistryCreate(A, RegistryCreate{ID: 1, DecayQ16: 65000, DecayPeriod: 1, MinRating: -9, MaxRating: 9,
		ScoreMin: -1 << 40, ScoreMax: 1 << 40, Raters: raters})
	add("registry_create", w, ix)
	must(t, w.exec(ix))
	agent := testKey("agent")
	last := raters[MaxRaters-1].Key
	add("reputation_update/first", w, NewReputationUpdate(reg, last, agent, 9))
	add("reputation_query/unrated", w, NewReputationQuery(reg, agent))
	must(t, w.exec(NewReputationUpdate(reg, last, agent, 9)))
	w.slot += 1 << 40 // the longest decay: 41 squarings
	add("reputation_update/decay=2^40", w, NewReputationUpdate(reg, last, agent, 9))
	add("reputation_query", w, NewReputationQuery(reg, agent))

	ix, st := NewStakeLock(A, StakeLock{ID: 1, Amount: sol, UnbondingSlots: 1, Authority: B, SlashTo: oracle})
	add("stake_lock", w, ix)
	must(t, w.exec(ix))
	add("stake_slash", w, NewStakeSlash(st, B, oracle, 5, [32]byte{1}))
	must(t, w.exec(NewStakeRelease(st, A, ReleaseUnbond)))
	w.slot += 2
	add("stake_release/withdraw", w, NewStakeRelease(st, A, ReleaseWithdraw))
	return out
}

// BenchmarkCalibration times the Go work of every priced operation (the
// program's own, effects excluded) and reports the price it charges and
// the time per CU that implies: at most 33 ns/CU while the prices are
// current (docs/costs.md). BenchmarkPDA times one program-address
// derivation, which CostPDA prices.
func BenchmarkCalibration(b *testing.B) {
	for _, c := range calibrations(b) {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if err := Process(c.host); err != nil {
					b.Fatal(err)
				}
			}
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(float64(c.price), "CU")
			b.ReportMetric(ns/float64(c.price), "ns/CU")
		})
	}
}

func BenchmarkPDA(b *testing.B) {
	k := testKey("k")
	seeds := [][]byte{[]byte(SeedAuction), k[:], idSeed(1), {0}}
	_, bump := AuctionAddress(k, 1)
	seeds[3][0] = bump
	for b.Loop() {
		if _, err := pubkey.CreateProgramAddress(seeds, ProgramID()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(CostPDA, "CU")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/CostPDA, "ns/CU")
}

// TestCalibrationInputsRun keeps the calibration inputs valid: every one
// succeeds, and a dry run leaves the world as it was.
func TestCalibrationInputsRun(t *testing.T) {
	for _, c := range calibrations(t) {
		before := c.host.w.snapshot()
		if err := Process(c.host); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if d := c.host.w.diff(before); d != "" {
			t.Fatalf("%s: the dry run changed %s", c.name, d)
		}
	}
}
