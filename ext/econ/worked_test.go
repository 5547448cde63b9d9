package econ

import (
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

const sol = 1_000_000_000

// fixture is a world with a funded creator, a beneficiary and bidders.
type fixture struct {
	*world
	creator, beneficiary pubkey.Pubkey
	bidders              []pubkey.Pubkey
}

func newFixture(nBidders int) *fixture {
	f := &fixture{world: newWorld(), creator: testKey("creator"), beneficiary: testKey("beneficiary")}
	f.fund(f.creator, 10*sol)
	f.fund(f.beneficiary, sol)
	for i := range nBidders {
		k := testKey("bidder" + itoa(uint64(i+1)))
		f.bidders = append(f.bidders, k)
		f.fund(k, 10*sol)
	}
	return f
}

func (f *fixture) create(t testing.TB, p AuctionCreate) pubkey.Pubkey {
	t.Helper()
	p.Beneficiary = f.beneficiary
	ix, addr := NewAuctionCreate(f.creator, p)
	must(t, f.exec(ix))
	return addr
}

func (f *fixture) bid(auction pubkey.Pubkey, i int, b AuctionBid) error {
	var leader *pubkey.Pubkey
	if a := f.auction(auction); a.Leader() >= 0 {
		l := a.Bids[a.Leader()].Bidder
		leader = &l
	}
	return f.exec(NewAuctionBid(auction, f.bidders[i], b, leader))
}

func (f *fixture) settle(auction pubkey.Pubkey) error {
	a := f.auction(auction)
	var bidders []pubkey.Pubkey
	for _, b := range a.Bids {
		bidders = append(bidders, b.Bidder)
	}
	return f.exec(NewAuctionSettle(auction, f.beneficiary, bidders))
}

// balances returns each bidder's change since the fixture funded it.
func (f *fixture) spent(i int) uint64 { return 10*sol - f.lamports(f.bidders[i]) }

func TestVCGWorkedExample(t *testing.T) {
	// Items {A, B}; bids 1:{A}=10, 2:{B}=8, 3:{A,B}=15. Bids 1 and 2 win
	// (welfare 18 > 15). Bid 1 pays 15 - (18-10) = 7; bid 2 pays
	// 15 - (18-8) = 5; bid 3 is refunded.
	f := newFixture(3)
	a := f.create(t, AuctionCreate{ID: 1, Kind: VCG, Items: 2, MaxBids: 3, BidSlots: 10})
	must(t, f.bid(a, 0, AuctionBid{Value: 10, Bundle: 0b01}))
	must(t, f.bid(a, 1, AuctionBid{Value: 8, Bundle: 0b10}))
	must(t, f.bid(a, 2, AuctionBid{Value: 15, Bundle: 0b11}))
	wantCode(t, f.settle(a), TooEarly)
	f.slot += 10
	benef := f.lamports(f.beneficiary)
	must(t, f.settle(a))
	if got := [3]uint64{f.spent(0), f.spent(1), f.spent(2)}; got != [3]uint64{7, 5, 0} {
		t.Fatalf("bidders paid %v, want [7 5 0]", got)
	}
	if d := f.lamports(f.beneficiary) - benef; d != 12 {
		t.Fatalf("beneficiary got %d, want 12", d)
	}
	st := f.auction(a)
	if st.Status != StatusSettled || st.Bids[0].Flags&BidWinner == 0 || st.Bids[1].Flags&BidWinner == 0 || st.Bids[2].Flags&BidWinner != 0 {
		t.Fatalf("settled state: %+v", st)
	}
	if r := f.lastReturn; len(r) != 24 || le.Uint64(r) != 12 || le.Uint64(r[8:]) != 0b011 || le.Uint64(r[16:]) != 18 {
		t.Fatalf("return data %x", r)
	}
	wantCode(t, f.settle(a), Closed)
}

func TestGSPThreeSlots(t *testing.T) {
	// Slots weighted 100, 60, 30 (say, expected clicks); bids per click
	// 10, 8, 5, 2. Slot 1 goes to 10 at the next bid, 8 (800); slot 2 to
	// 8 at 5 (300); slot 3 to 5 at 2 (60); the bid of 2 loses.
	f := newFixture(4)
	a := f.create(t, AuctionCreate{ID: 2, Kind: GSP, Items: 3, MaxBids: 8, BidSlots: 5, Reserve: 1,
		Weights: [8]uint64{100, 60, 30}})
	for i, v := range []uint64{8, 2, 10, 5} { // out of order on purpose
		must(t, f.bid(a, i, AuctionBid{Value: v}))
		if got := f.spent(i); got != v*100 {
			t.Fatalf("bid %d locked %d, want %d", i, got, v*100)
		}
	}
	f.slot += 5
	benef := f.lamports(f.beneficiary)
	must(t, f.settle(a))
	if got := [4]uint64{f.spent(0), f.spent(1), f.spent(2), f.spent(3)}; got != [4]uint64{300, 0, 800, 60} {
		t.Fatalf("paid %v, want [300 0 800 60]", got)
	}
	if d := f.lamports(f.beneficiary) - benef; d != 1160 {
		t.Fatalf("beneficiary got %d", d)
	}
	st := f.auction(a)
	if ranks := [4]uint8{st.Bids[0].Rank, st.Bids[1].Rank, st.Bids[2].Rank, st.Bids[3].Rank}; ranks != [4]uint8{2, 0, 1, 3} {
		t.Fatalf("ranks %v", ranks)
	}
}

func TestSecondPriceSealedOneUnrevealed(t *testing.T) {
	// Three sealed bids of 50, 70 and 90 with deposits of 100 and a
	// penalty of 20; the bidder of 90 never reveals. 70 wins and pays the
	// second revealed value, 50; the silent bidder forfeits 20.
	f := newFixture(3)
	a := f.create(t, AuctionCreate{ID: 3, Kind: SealedSecond, MaxBids: 4, BidSlots: 10, RevealSlots: 5, Reserve: 10, Penalty: 20})
	values := []uint64{50, 70, 90}
	nonce := func(i int) [32]byte { var n [32]byte; n[0], n[31] = byte(i), 0x5a; return n }
	for i, v := range values {
		must(t, f.bid(a, i, AuctionBid{Deposit: 100, Commitment: Commitment(v, nonce(i))}))
	}
	wantCode(t, f.bid(a, 0, AuctionBid{Deposit: 100, Commitment: Commitment(1, nonce(9))}), DuplicateBid)
	wantCode(t, f.exec(NewAuctionReveal(a, f.bidders[0], 50, nonce(0))), TooEarly)
	f.slot += 10
	wantCode(t, f.bid(a, 0, AuctionBid{Deposit: 100, Commitment: Commitment(1, nonce(8))}), TooLate)
	wantCode(t, f.exec(NewAuctionReveal(a, f.bidders[0], 51, nonce(0))), CommitmentMismatch)
	must(t, f.exec(NewAuctionReveal(a, f.bidders[0], 50, nonce(0))))
	wantCode(t, f.exec(NewAuctionReveal(a, f.bidders[0], 50, nonce(0))), AlreadyRevealed)
	must(t, f.exec(NewAuctionReveal(a, f.bidders[1], 70, nonce(1))))
	wantCode(t, f.settle(a), TooEarly)
	f.slot += 5
	wantCode(t, f.exec(NewAuctionReveal(a, f.bidders[2], 90, nonce(2))), TooLate)
	benef := f.lamports(f.beneficiary)
	must(t, f.settle(a))
	if got := [3]uint64{f.spent(0), f.spent(1), f.spent(2)}; got != [3]uint64{0, 50, 20} {
		t.Fatalf("paid %v, want [0 50 20]", got)
	}
	if d := f.lamports(f.beneficiary) - benef; d != 70 {
		t.Fatalf("beneficiary got %d", d)
	}
	if st := f.auction(a); st.Bids[2].Flags&BidForfeit == 0 || st.Bids[1].Flags&BidWinner == 0 {
		t.Fatalf("flags %+v", st.Bids)
	}
}

func TestFirstPriceSealed(t *testing.T) {
	f := newFixture(2)
	a := f.create(t, AuctionCreate{ID: 4, Kind: SealedFirst, MaxBids: 2, BidSlots: 1, RevealSlots: 1})
	n := [32]byte{7}
	must(t, f.bid(a, 0, AuctionBid{Deposit: 40, Commitment: Commitment(30, n)}))
	must(t, f.bid(a, 1, AuctionBid{Deposit: 40, Commitment: Commitment(35, [32]byte{8})}))
	f.slot++
	must(t, f.exec(NewAuctionReveal(a, f.bidders[0], 30, n)))
	must(t, f.exec(NewAuctionReveal(a, f.bidders[1], 35, [32]byte{8})))
	f.slot++
	must(t, f.settle(a))
	if f.spent(0) != 0 || f.spent(1) != 35 {
		t.Fatalf("paid %d %d", f.spent(0), f.spent(1))
	}
}

func TestDutchTakenAtTheRightSlot(t *testing.T) {
	// 100 at creation (slot 100), less 10 per slot, never below 20. A
	// taker willing to pay 65 can take it at slot 104, for 60.
	f := newFixture(2)
	a := f.create(t, AuctionCreate{ID: 5, Kind: Dutch, MaxBids: 1, BidSlots: 20, StartPrice: 100, Increment: 10, Reserve: 20})
	for s, want := range map[uint64]uint64{100: 100, 103: 70, 104: 60, 107: 30, 108: 20, 200: 20} {
		if got := f.auction(a).PriceAt(s); got != want {
			t.Fatalf("price at %d: %d, want %d", s, got, want)
		}
	}
	f.slot = 103
	wantCode(t, f.bid(a, 0, AuctionBid{Value: 65}), BidTooLow)
	f.slot = 104
	must(t, f.bid(a, 0, AuctionBid{Value: 65}))
	if f.spent(0) != 60 {
		t.Fatalf("taker locked %d, want 60", f.spent(0))
	}
	wantCode(t, f.bid(a, 1, AuctionBid{Value: 100}), TooLate)
	must(t, f.settle(a)) // a taken Dutch auction settles at once
	if f.spent(0) != 60 || f.auction(a).Proceeds != 60 {
		t.Fatalf("after settlement: spent %d, proceeds %d", f.spent(0), f.auction(a).Proceeds)
	}
}

func TestEnglishRefundsTheLeader(t *testing.T) {
	f := newFixture(3)
	a := f.create(t, AuctionCreate{ID: 6, Kind: English, MaxBids: 1, BidSlots: 10, Reserve: 10, Increment: 5})
	wantCode(t, f.bid(a, 0, AuctionBid{Value: 9}), BidTooLow)
	must(t, f.bid(a, 0, AuctionBid{Value: 10}))
	wantCode(t, f.bid(a, 1, AuctionBid{Value: 14}), BidTooLow)
	// The leader must be passed, and be the leader.
	wantCode(t, f.exec(NewAuctionBid(a, f.bidders[1], AuctionBid{Value: 15}, &f.bidders[2])), WrongAccount)
	wantCode(t, f.exec(NewAuctionBid(a, f.bidders[1], AuctionBid{Value: 15}, nil)), NotEnoughAccounts)
	must(t, f.bid(a, 1, AuctionBid{Value: 15}))
	if f.spent(0) != 0 || f.spent(1) != 15 {
		t.Fatalf("after the raise: %d %d", f.spent(0), f.spent(1))
	}
	must(t, f.bid(a, 2, AuctionBid{Value: 25}))
	must(t, f.bid(a, 1, AuctionBid{Value: 30})) // the same bidder may come back
	f.slot += 10
	wantCode(t, f.bid(a, 0, AuctionBid{Value: 100}), TooLate)
	benef := f.lamports(f.beneficiary)
	must(t, f.settle(a))
	if f.spent(0) != 0 || f.spent(1) != 30 || f.spent(2) != 0 || f.lamports(f.beneficiary)-benef != 30 {
		t.Fatalf("after settlement: %d %d %d", f.spent(0), f.spent(1), f.spent(2))
	}
}

func TestEscrowCombinedConditions(t *testing.T) {
	w := newWorld()
	a, b, oracle := testKey("A"), testKey("B"), testKey("oracle")
	apr := []pubkey.Pubkey{testKey("ap1"), testKey("ap2"), testKey("ap3")}
	w.fund(a, 10*sol)
	w.fund(b, 10*sol)
	w.fund(oracle, sol)
	w.get(oracle).data = u64le(0, 140) // the price is the u64 at offset 8
	p := EscrowCreate{ID: 9, Conditions: CondOracle | CondTimeLock | CondApprovals, OracleOp: OpGT, Oracle: oracle,
		OracleOffset: 8, Threshold: 150, LockSlots: 5, TimeoutSlots: 50, K: 2, N: 3,
		AmountA: sol, AmountB: 2 * sol}
	copy(p.Approvers[:], apr)
	ix, esc := NewEscrowCreate(a, b, p)
	must(t, w.exec(ix))
	if w.lamports(a) > 9*sol || w.lamports(b) != 8*sol {
		t.Fatalf("deposits not taken: %d %d", w.lamports(a), w.lamports(b))
	}
	release := func(approvers ...pubkey.Pubkey) error {
		return w.exec(NewEscrowRelease(esc, a, b, &oracle, approvers))
	}
	wantCode(t, release(apr[0], apr[1]), TooEarly) // time lock
	w.slot += 5
	wantCode(t, release(apr[0], apr[1]), ConditionNotMet) // 140 > 150 is false
	w.get(oracle).data = u64le(0, 151)
	wantCode(t, release(apr[0]), ConditionNotMet)               // 1 of 2
	wantCode(t, release(apr[0], apr[0]), ConditionNotMet)       // the same approver twice
	wantCode(t, release(apr[0], testKey("x")), ConditionNotMet) // not an approver
	wantCode(t, w.exec(NewEscrowRelease(esc, a, b, &apr[0], apr[:2])), WrongAccount)
	wantCode(t, w.exec(NewEscrowRefund(esc, a, b)), TooEarly)
	aBefore, bBefore := w.lamports(a), w.lamports(b)
	must(t, release(apr[2], apr[0]))
	if w.lamports(a)-aBefore != 2*sol || w.lamports(b)-bBefore != sol {
		t.Fatalf("release moved %d to A and %d to B", w.lamports(a)-aBefore, w.lamports(b)-bBefore)
	}
	wantCode(t, release(apr[2], apr[0]), Closed)
	w.slot += 100
	wantCode(t, w.exec(NewEscrowRefund(esc, a, b)), Closed)
}

func TestEscrowRefundAfterTimeout(t *testing.T) {
	w := newWorld()
	a, b := testKey("A"), testKey("B")
	w.fund(a, 10*sol)
	w.fund(b, sol)
	ix, esc := NewEscrowCreate(a, b, EscrowCreate{ID: 1, Conditions: CondTimeLock, LockSlots: 10, TimeoutSlots: 20, AmountA: sol})
	must(t, w.exec(ix))
	w.slot += 20
	wantCode(t, w.exec(NewEscrowRelease(esc, a, b, nil, nil)), TooLate)
	before := w.lamports(a)
	must(t, w.exec(NewEscrowRefund(esc, a, b)))
	if w.lamports(a)-before != sol {
		t.Fatal("A not refunded")
	}
	wantCode(t, w.exec(NewEscrowRefund(esc, a, b)), Closed)
	wantCode(t, w.exec(NewEscrowRelease(esc, a, b, nil, nil)), Closed)
}

func TestStakeLifecycle(t *testing.T) {
	w := newWorld()
	staker, auth, sink := testKey("staker"), testKey("authority"), testKey("treasury")
	w.fund(staker, 10*sol)
	w.fund(auth, sol)
	ix, st := NewStakeLock(staker, StakeLock{ID: 1, Amount: 5 * sol, UnbondingSlots: 10, Authority: auth, SlashTo: sink})
	must(t, w.exec(ix))
	ev := [32]byte{0xee}
	wantCode(t, w.exec(NewStakeSlash(st, staker, sink, sol, ev)), Unauthorized)
	wantCode(t, w.exec(NewStakeSlash(st, auth, sink, 6*sol, ev)), InsufficientFunds)
	wantCode(t, w.exec(NewStakeSlash(st, auth, sink, sol, [32]byte{})), InvalidInstruction)
	wantCode(t, w.exec(NewStakeSlash(st, auth, staker, sol, ev)), WrongAccount)
	must(t, w.exec(NewStakeSlash(st, auth, sink, sol, ev)))
	if w.lamports(sink) != sol {
		t.Fatal("slash destination not paid")
	}
	wantCode(t, w.exec(NewStakeRelease(st, staker, ReleaseWithdraw)), WrongStatus)
	must(t, w.exec(NewStakeRelease(st, staker, ReleaseUnbond)))
	wantCode(t, w.exec(NewStakeRelease(st, staker, ReleaseUnbond)), WrongStatus)
	w.slot += 9
	wantCode(t, w.exec(NewStakeRelease(st, staker, ReleaseWithdraw)), TooEarly)
	must(t, w.exec(NewStakeSlash(st, auth, sink, sol, [32]byte{0xef}))) // slashable while unbonding
	w.slot++
	before := w.lamports(staker)
	must(t, w.exec(NewStakeRelease(st, staker, ReleaseWithdraw)))
	if w.lamports(staker)-before != 3*sol {
		t.Fatalf("released %d", w.lamports(staker)-before)
	}
	s, err := DecodeStake(w.get(st).data)
	must(t, err)
	if s.Status != StakeReleased || s.SlashedTotal != 2*sol || s.Slashes != 2 || s.LastEvidence != [32]byte{0xef} {
		t.Fatalf("stake %+v", s)
	}
	wantCode(t, w.exec(NewStakeSlash(st, auth, sink, 1, ev)), Closed)
	wantCode(t, w.exec(NewStakeRelease(st, staker, ReleaseWithdraw)), Closed)
}

func TestReputationDecayAndBounds(t *testing.T) {
	w := newWorld()
	auth, r1, r2, agent := testKey("auth"), testKey("r1"), testKey("r2"), testKey("agent")
	for _, k := range []pubkey.Pubkey{auth, r1, r2} {
		w.fund(k, sol)
	}
	// Half kept every 10 slots; ratings -5..5; scores -100..1000.
	ix, reg := NewRegistryCreate(auth, RegistryCreate{ID: 1, DecayQ16: 1 << 15, DecayPeriod: 10, MinRating: -5, MaxRating: 5,
		ScoreMin: -100, ScoreMax: 1000, Raters: []Rater{{r1, 10}, {r2, 3}}})
	must(t, w.exec(ix))
	query := func() QueryResult {
		t.Helper()
		must(t, w.exec(NewReputationQuery(reg, agent)))
		q, ok := DecodeQueryResult(w.lastReturn)
		if !ok {
			t.Fatal("bad query result")
		}
		return q
	}
	if q := query(); q.Score != 0 || q.Updates != 0 {
		t.Fatalf("unrated agent: %+v", q)
	}
	must(t, w.exec(NewReputationUpdate(reg, r1, agent, 5))) // +50
	wantCode(t, w.exec(NewReputationUpdate(reg, testKey("intruder"), agent, 5)), Unauthorized)
	wantCode(t, w.exec(NewReputationUpdate(reg, r2, agent, 6)), OutOfBounds)
	w.slot += 9
	if q := query(); q.Score != 50 {
		t.Fatalf("before a whole period: %d", q.Score)
	}
	w.slot++ // one period: 25
	if q := query(); q.Score != 25 {
		t.Fatalf("after a period: %d", q.Score)
	}
	w.slot += 5
	must(t, w.exec(NewReputationUpdate(reg, r2, agent, -5))) // 25 - 15 = 10, anchor at 110
	w.slot += 5                                              // one period from the anchor: 5
	if q := query(); q.Score != 5 || q.Updates != 2 {
		t.Fatalf("after the update: %+v", q)
	}
	for range 40 {
		must(t, w.exec(NewReputationUpdate(reg, r1, agent, 5)))
	}
	if q := query(); q.Score != 1000 {
		t.Fatalf("not clamped: %d", q.Score)
	}
	if got := Decay(-101, 1, 1<<15); got != -50 {
		t.Fatalf("Decay(-101) = %d", got)
	}
}

var _ = txn.Instruction{}

// The worked VCG example settled in pieces ends exactly as one
// AuctionSettle does, and every transition out of order or twice is
// refused without effect.
func TestVCGSettledInPieces(t *testing.T) {
	f := newFixture(4)
	a := f.create(t, AuctionCreate{ID: 1, Kind: VCG, Items: 2, MaxBids: 4, BidSlots: 10})
	must(t, f.bid(a, 0, AuctionBid{Value: 10, Bundle: 0b01}))
	must(t, f.bid(a, 1, AuctionBid{Value: 8, Bundle: 0b10}))
	must(t, f.bid(a, 2, AuctionBid{Value: 15, Bundle: 0b11}))
	must(t, f.bid(a, 3, AuctionBid{Value: 3, Bundle: 0b01}))
	failsCleanly(t, f.world, NewAuctionFinalize(a, f.beneficiary), TooEarly)
	failsCleanly(t, f.world, NewAuctionPayout(a, f.bidders[2:3]), WrongStatus)
	f.slot += 10
	failsCleanly(t, f.world, NewAuctionFinalize(a, f.creator), WrongAccount)
	benef := f.lamports(f.beneficiary)
	must(t, f.exec(NewAuctionFinalize(a, f.beneficiary)))
	if r := f.lastReturn; len(r) != 24 || le.Uint64(r) != 12 || le.Uint64(r[8:]) != 0b011 || le.Uint64(r[16:]) != 18 {
		t.Fatalf("return data %x", r)
	}
	if d := f.lamports(f.beneficiary) - benef; d != 12 {
		t.Fatalf("beneficiary got %d, want 12", d)
	}
	st := f.auction(a)
	// The winners' payments are recorded; their change and the losers'
	// whole locks are pending.
	if st.Status != StatusSettling || st.Bids[0].Paid != 7 || st.Bids[1].Paid != 5 {
		t.Fatalf("finalized state: %+v", st)
	}
	failsCleanly(t, f.world, NewAuctionFinalize(a, f.beneficiary), WrongStatus)
	failsCleanly(t, f.world, NewAuctionSettle(a, f.beneficiary, f.bidders), WrongStatus)
	failsCleanly(t, f.world, NewAuctionPayout(a, []pubkey.Pubkey{f.bidders[2], f.bidders[2]}), WrongStatus)
	failsCleanly(t, f.world, NewAuctionPayout(a, []pubkey.Pubkey{f.bidders[2], f.creator}), WrongAccount)
	failsCleanly(t, f.world, NewAuctionPayout(a, nil), NotEnoughAccounts)
	must(t, f.exec(NewAuctionPayout(a, []pubkey.Pubkey{f.bidders[3], f.bidders[0]})))
	if r := f.lastReturn; le.Uint64(r) != 3+3 || le.Uint64(r[8:]) != 2 {
		t.Fatalf("payout return %x", r)
	}
	failsCleanly(t, f.world, NewAuctionPayout(a, f.bidders[0:1]), WrongStatus) // replayed
	must(t, f.exec(NewAuctionPayout(a, []pubkey.Pubkey{f.bidders[2], f.bidders[1]})))
	if got := [4]uint64{f.spent(0), f.spent(1), f.spent(2), f.spent(3)}; got != [4]uint64{7, 5, 0, 0} {
		t.Fatalf("bidders paid %v, want [7 5 0 0]", got)
	}
	st = f.auction(a)
	if st.Status != StatusSettled || st.Proceeds != 12 {
		t.Fatalf("settled state: %+v", st)
	}
	for i, b := range st.Bids {
		if b.Flags&BidPaidOut == 0 {
			t.Fatalf("bid %d not paid out", i)
		}
	}
	failsCleanly(t, f.world, NewAuctionPayout(a, f.bidders[3:4]), Closed)
	failsCleanly(t, f.world, NewAuctionFinalize(a, f.beneficiary), Closed)
	wantCode(t, f.settle(a), Closed)
}
