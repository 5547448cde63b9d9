package econ

import (
	"bytes"
	"math"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

// failsCleanly runs ix, expects code, and checks that nothing changed.
func failsCleanly(t *testing.T, w *world, ix txn.Instruction, code Code) {
	t.Helper()
	before := w.snapshot()
	err := w.exec(ix)
	wantCode(t, err, code)
	if d := w.diff(before); d != "" {
		t.Fatalf("failed with %v but changed %s", err, d)
	}
}

func TestMalformedInstructions(t *testing.T) {
	w := newWorld()
	k := testKey("k")
	w.fund(k, sol)
	accts := []txn.AccountMeta{{Pubkey: k, IsSigner: true, IsWritable: true}}
	cases := [][]byte{nil, {0}, {byte(lastTag)}, {0xff}}
	for tag := TagAuctionCreate; tag < lastTag; tag++ {
		n := ArgsSize(tag)
		cases = append(cases, append([]byte{byte(tag)}, make([]byte, n+1)...))
		if n > 0 {
			cases = append(cases, append([]byte{byte(tag)}, make([]byte, n-1)...))
		}
	}
	// Enumerations and padding.
	bad := func(ix Instruction, off int, v byte) []byte {
		b := Encode(ix)
		b[1+off] = v
		return b
	}
	cases = append(cases,
		bad(&AuctionCreate{Kind: VCG}, 8, 0), bad(&AuctionCreate{Kind: VCG}, 8, 7), bad(&AuctionCreate{Kind: VCG}, 12, 1),
		bad(&EscrowCreate{}, 9, 8), bad(&EscrowCreate{}, 10, 6), bad(&EscrowCreate{}, 12, 9), bad(&EscrowCreate{}, 13, 1),
		bad(&RegistryCreate{}, 9, 17), bad(&RegistryCreate{}, 56, 1), bad(&ReputationUpdate{}, 41, 1),
		bad(&ReputationQuery{}, 33, 1), bad(&StakeLock{}, 9, 1), bad(&StakeRelease{}, 0, 2), bad(&StakeRelease{}, 1, 1))
	for _, data := range cases {
		failsCleanly(t, w, txn.Instruction{ProgramID: ProgramID(), Accounts: accts, Data: data}, InvalidInstruction)
		if _, err := DecodeInstruction(data); err == nil {
			t.Fatalf("%x decoded", data)
		}
	}
}

func TestBadAccountsAndAmounts(t *testing.T) {
	f := newFixture(3)
	a := f.create(t, AuctionCreate{ID: 1, Kind: GSP, Items: 1, MaxBids: 2, BidSlots: 10, Weights: [8]uint64{1000}})
	bidIx := func(i int, v uint64) txn.Instruction {
		return NewAuctionBid(a, f.bidders[i], AuctionBid{Value: v}, nil)
	}

	// Missing signer.
	ix := bidIx(0, 5)
	ix.Accounts[1].IsSigner = false
	failsCleanly(t, f.world, ix, MissingSignature)
	// Read-only auction.
	ix = bidIx(0, 5)
	ix.Accounts[0].IsWritable = false
	failsCleanly(t, f.world, ix, NotWritable)
	// Too few accounts.
	ix = bidIx(0, 5)
	ix.Accounts = ix.Accounts[:1]
	failsCleanly(t, f.world, ix, NotEnoughAccounts)
	// A look-alike auction owned by another program.
	fake := testKey("fake auction")
	f.get(fake).owner, f.get(fake).data, f.get(fake).lamports = testKey("other program"), bytes.Clone(f.get(a).data), sol
	failsCleanly(t, f.world, NewAuctionBid(fake, f.bidders[0], AuctionBid{Value: 5}, nil), WrongOwner)
	// Corrupt state.
	f.get(fake).owner, f.get(fake).data[6] = ProgramID(), 200
	failsCleanly(t, f.world, NewAuctionBid(fake, f.bidders[0], AuctionBid{Value: 5}, nil), InvalidState)
	// A bidder that is not a System account.
	f.get(f.bidders[2]).owner = testKey("token program")
	failsCleanly(t, f.world, bidIx(2, 5), WrongOwner)
	f.get(f.bidders[2]).owner = pubkey.Pubkey{}
	// value × weight overflows.
	failsCleanly(t, f.world, bidIx(0, math.MaxUint64/10), Overflow)
	// More than the lamports held.
	failsCleanly(t, f.world, bidIx(0, 20*sol/1000), InsufficientFunds)
	// More bids than the auction holds.
	must(t, f.exec(bidIx(0, 5)))
	must(t, f.exec(bidIx(1, 6)))
	failsCleanly(t, f.world, bidIx(2, 7), TooManyBids)
	// Settlement with a bidder missing, out of order, or read-only.
	f.slot += 10
	failsCleanly(t, f.world, NewAuctionSettle(a, f.beneficiary, f.bidders[:1]), NotEnoughAccounts)
	failsCleanly(t, f.world, NewAuctionSettle(a, f.beneficiary, []pubkey.Pubkey{f.bidders[1], f.bidders[0]}), WrongAccount)
	failsCleanly(t, f.world, NewAuctionSettle(a, f.bidders[0], f.bidders[:2]), WrongAccount)
	ix = NewAuctionSettle(a, f.beneficiary, f.bidders[:2])
	ix.Accounts[3].IsWritable = false
	failsCleanly(t, f.world, ix, NotWritable)
	must(t, f.exec(NewAuctionSettle(a, f.beneficiary, f.bidders[:2])))
}

func TestCreationLimits(t *testing.T) {
	f := newFixture(1)
	try := func(p AuctionCreate, code Code) {
		t.Helper()
		p.Beneficiary = f.beneficiary
		ix, _ := NewAuctionCreate(f.creator, p)
		failsCleanly(t, f.world, ix, code)
	}
	try(AuctionCreate{Kind: VCG, Items: 13, MaxBids: 4, BidSlots: 1}, InvalidParameter)
	try(AuctionCreate{Kind: VCG, Items: 2, MaxBids: 33, BidSlots: 1}, InvalidParameter)
	try(AuctionCreate{Kind: VCG, Items: 2, MaxBids: 0, BidSlots: 1}, InvalidParameter)
	try(AuctionCreate{Kind: VCG, Items: 2, MaxBids: 4, BidSlots: 0}, InvalidParameter)
	try(AuctionCreate{Kind: GSP, Items: 2, MaxBids: 4, BidSlots: 1, Weights: [8]uint64{1, 2}}, InvalidParameter)
	try(AuctionCreate{Kind: GSP, Items: 9, MaxBids: 4, BidSlots: 1}, InvalidParameter)
	try(AuctionCreate{Kind: English, MaxBids: 2, BidSlots: 1}, InvalidParameter)
	try(AuctionCreate{Kind: Dutch, MaxBids: 1, BidSlots: 1, StartPrice: 5, Reserve: 6}, InvalidParameter)
	try(AuctionCreate{Kind: SealedFirst, MaxBids: 1, BidSlots: 1}, InvalidParameter)
	try(AuctionCreate{Kind: SealedFirst, MaxBids: 1, BidSlots: math.MaxUint64, RevealSlots: 1}, Overflow)
	// The wrong bump, the wrong address, an account in use, no signer.
	p := AuctionCreate{ID: 5, Kind: VCG, Items: 1, MaxBids: 1, BidSlots: 1, Beneficiary: f.beneficiary}
	ix, addr := NewAuctionCreate(f.creator, p)
	ix.Data[1+9]++
	failsCleanly(t, f.world, ix, WrongAccount)
	ix, _ = NewAuctionCreate(f.creator, p)
	ix.Accounts[0].IsSigner = false
	failsCleanly(t, f.world, ix, MissingSignature)
	ix, _ = NewAuctionCreate(f.creator, p)
	f.fund(addr, 1)
	failsCleanly(t, f.world, ix, AlreadyInitialized)
	f.get(addr).lamports = 0
	must(t, f.exec(ix))
	failsCleanly(t, f.world, ix, AlreadyInitialized)
	// A creator too poor for the rent.
	poor := testKey("poor")
	f.fund(poor, 1000)
	ix, _ = NewAuctionCreate(poor, p)
	failsCleanly(t, f.world, ix, InsufficientFunds)

	// Escrow: deposits that overflow, no condition, k > n, duplicate approvers.
	a, b := f.creator, f.bidders[0]
	esc := func(p EscrowCreate, code Code) {
		t.Helper()
		ix, _ := NewEscrowCreate(a, b, p)
		failsCleanly(t, f.world, ix, code)
	}
	esc(EscrowCreate{Conditions: CondTimeLock, AmountA: math.MaxUint64, AmountB: 2, TimeoutSlots: 5}, Overflow)
	esc(EscrowCreate{AmountA: 1, TimeoutSlots: 5}, InvalidParameter)
	esc(EscrowCreate{Conditions: CondApprovals, K: 2, N: 1, Approvers: [8]pubkey.Pubkey{a}, AmountA: 1, TimeoutSlots: 5}, InvalidParameter)
	esc(EscrowCreate{Conditions: CondApprovals, K: 1, N: 2, Approvers: [8]pubkey.Pubkey{a, a}, AmountA: 1, TimeoutSlots: 5}, InvalidParameter)
	esc(EscrowCreate{Conditions: CondTimeLock, LockSlots: 5, TimeoutSlots: 5, AmountA: 1}, InvalidParameter)
	esc(EscrowCreate{Conditions: CondOracle, AmountA: 1, TimeoutSlots: 5}, InvalidParameter)
	esc(EscrowCreate{Conditions: CondTimeLock, TimeoutSlots: math.MaxUint64, AmountA: 1}, Overflow)
	ix, _ = NewEscrowCreate(a, b, EscrowCreate{Conditions: CondTimeLock, TimeoutSlots: 5, AmountA: 1, AmountB: 1})
	ix.Accounts[2].IsSigner = false
	failsCleanly(t, f.world, ix, MissingSignature)
	ix, _ = NewEscrowCreate(a, a, EscrowCreate{Conditions: CondTimeLock, TimeoutSlots: 5, AmountA: 1})
	failsCleanly(t, f.world, ix, InvalidParameter)

	// Reputation: the rating's product overflows.
	ix, reg := NewRegistryCreate(a, RegistryCreate{ID: 1, DecayQ16: 1 << 16, DecayPeriod: 1, MinRating: math.MinInt64,
		MaxRating: math.MaxInt64, ScoreMin: math.MinInt64, ScoreMax: math.MaxInt64, Raters: []Rater{{b, 2}}})
	must(t, f.exec(ix))
	failsCleanly(t, f.world, NewReputationUpdate(reg, b, a, math.MaxInt64), Overflow)
	must(t, f.exec(NewReputationUpdate(reg, b, a, math.MaxInt64/2)))
	failsCleanly(t, f.world, NewReputationUpdate(reg, b, a, math.MaxInt64/2), Overflow)
	ix = NewReputationUpdate(reg, b, testKey("z"), 1)
	ix.Data[1+40]++ // the wrong bump
	failsCleanly(t, f.world, ix, WrongAccount)
}

func TestBudgetExhaustionChangesNothing(t *testing.T) {
	f := newFixture(2)
	a := f.create(t, AuctionCreate{ID: 1, Kind: VCG, Items: 4, MaxBids: 8, BidSlots: 2})
	for i := range 2 {
		must(t, f.bid(a, i, AuctionBid{Value: uint64(10 + i), Bundle: uint64(1 + i)}))
	}
	f.slot += 2
	// Enough for the base price, not for the search.
	f.budget = CostAuctionSettle + CostAuctionSettlePerBid*2 + 1
	before := f.snapshot()
	if err := f.settle(a); err == nil || err.Error() != "ComputationalBudgetExceeded" {
		t.Fatalf("settle under a tiny budget: %v", err)
	}
	if d := f.diff(before); d != "" {
		t.Fatal(d)
	}
	f.budget = 0
	must(t, f.settle(a))
}

func TestErrorsAndNames(t *testing.T) {
	for _, c := range Codes() {
		if !c.Valid() || c.String() == "" || c.String()[0] == 'C' && c.String()[1] == 'o' && c.String()[2] == 'd' {
			t.Fatalf("code %d: %q", c, c)
		}
		e := fail(c, "x")
		if !e.Is(c) || e.KindName() != c.String() {
			t.Fatalf("%v", e)
		}
	}
	if Code(1).Valid() || lastCode.Valid() {
		t.Fatal("codes outside the range are valid")
	}
	for tag := TagAuctionCreate; tag < lastTag; tag++ {
		if tag.String() == "" || ArgsSize(tag) < 0 {
			t.Fatal(tag)
		}
	}
	for k := VCG; k < lastAuctionKind; k++ {
		if got, ok := ParseAuctionKind(k.String()); !ok || got != k {
			t.Fatal(k)
		}
	}
	for o := OpEQ; o < lastOracleOp; o++ {
		if got, ok := ParseOracleOp(o.String()); !ok || got != o {
			t.Fatal(o)
		}
	}
}

func TestCostsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Costs() {
		seen[c.Syscall] = true
		if c.Formula == "" || (c.PerUnit != 0) != (c.Unit != "") {
			t.Fatalf("row %+v", c)
		}
		if want := fmtCU(c.Base); len(c.Formula) < len(want) || c.Formula[:len(want)] != want {
			t.Fatalf("row %+v: the formula does not start with the base", c)
		}
	}
	for _, n := range Names() {
		if !seen[n] {
			t.Fatalf("%s has no price", n)
		}
	}
	if fmtCU(1024) != "1,024" || fmtCU(5) != "5" || fmtCU(1234567) != "1,234,567" {
		t.Fatal(fmtCU(1234567))
	}
}
