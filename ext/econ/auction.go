package econ

import (
	"crypto/sha256"
	"fmt"
	"math/bits"
)

// Commitment returns a sealed bid's commitment: sha256 of the value (u64,
// little-endian) followed by the 32-byte nonce.
func Commitment(value uint64, nonce [32]byte) [32]byte {
	var b [40]byte
	le.PutUint64(b[:], value)
	copy(b[8:], nonce[:])
	return sha256.Sum256(b[:])
}

// PriceAt is a Dutch auction's price at slot: StartPrice less Increment
// per slot since StartSlot, never below Reserve (the floor).
func (a *Auction) PriceAt(slot uint64) uint64 {
	if slot <= a.StartSlot || a.StartPrice <= a.Reserve {
		return max(a.StartPrice, a.Reserve)
	}
	hi, drop := bits.Mul64(slot-a.StartSlot, a.Increment)
	if hi != 0 || drop >= a.StartPrice-a.Reserve {
		return a.Reserve
	}
	return a.StartPrice - drop
}

// Leader returns the index of an English auction's current leader, or -1.
func (a *Auction) Leader() int {
	if a.Kind == English && len(a.Bids) == 1 {
		return 0
	}
	return -1
}

func (p *proc) loadAuction(i int) (*Auction, error) {
	if err := p.writable(i, "the auction"); err != nil {
		return nil, err
	}
	data, err := p.owned(i, "the auction")
	if err != nil {
		return nil, err
	}
	return DecodeAuction(data)
}

func (p *proc) auctionCreate(a *AuctionCreate) error {
	if err := p.charge(CostAuctionCreate); err != nil {
		return err
	}
	if err := p.accounts(2); err != nil {
		return err
	}
	if err := checkAuctionParams(a); err != nil {
		return err
	}
	end, ok := add(p.slot, a.BidSlots)
	revealEnd, ok2 := add(end, a.RevealSlots)
	if !ok || !ok2 {
		return fail(Overflow, "deadline beyond slot 2^64")
	}
	creator := p.h.Key(0)
	seeds, err := p.fresh(1, SeedAuction, creator, idSeed(a.ID), a.Bump)
	if err != nil {
		return err
	}
	st := &Auction{Kind: a.Kind, Bump: a.Bump, Items: a.Items, MaxBids: a.MaxBids, ID: a.ID, Creator: creator,
		Beneficiary: a.Beneficiary, StartSlot: p.slot, EndSlot: end, RevealEnd: revealEnd, Reserve: a.Reserve,
		Increment: a.Increment, StartPrice: a.StartPrice, Penalty: a.Penalty, Weights: a.Weights}
	data := st.Encode()
	need, err := p.rentFor(len(data), 0)
	if err != nil {
		return err
	}
	if err := p.payer(0, need, "the creator"); err != nil {
		return err
	}
	return p.create(0, 1, seeds, data, 0)
}

func checkAuctionParams(a *AuctionCreate) error {
	bad := func(format string, args ...any) error {
		return fail(InvalidParameter, "%s auction: %s", a.Kind, fmt.Sprintf(format, args...))
	}
	if a.BidSlots == 0 {
		return bad("bidding must last at least one slot")
	}
	if a.Beneficiary.IsZero() {
		return bad("no beneficiary")
	}
	if a.Kind.sealed() {
		if a.RevealSlots == 0 {
			return bad("revealing must last at least one slot")
		}
	} else if a.RevealSlots != 0 || a.Penalty != 0 {
		return bad("reveal slots and penalty are for sealed auctions")
	}
	switch a.Kind {
	case English, Dutch:
		if a.MaxBids != 1 {
			return bad("max_bids must be 1 (one leader, or one taker)")
		}
	default:
		if a.MaxBids == 0 || a.MaxBids > MaxBids {
			return bad("max_bids %d is outside 1..%d", a.MaxBids, MaxBids)
		}
	}
	switch a.Kind {
	case VCG:
		if a.Items == 0 || a.Items > MaxVCGItems {
			return bad("%d items, outside 1..%d", a.Items, MaxVCGItems)
		}
	case GSP:
		if a.Items == 0 || a.Items > MaxGSPSlots {
			return bad("%d slots, outside 1..%d", a.Items, MaxGSPSlots)
		}
	default:
		if a.Items != 0 {
			return bad("items are for VCG and GSP")
		}
	}
	for i, w := range a.Weights {
		switch {
		case a.Kind != GSP || i >= int(a.Items):
			if w != 0 {
				return bad("weight %d must be zero", i)
			}
		case w == 0:
			return bad("slot %d has weight 0", i)
		case i > 0 && w > a.Weights[i-1]:
			return bad("slot weights must not increase")
		}
	}
	if a.Kind == Dutch {
		if a.StartPrice == 0 || a.StartPrice < a.Reserve {
			return bad("start price %d below the floor %d", a.StartPrice, a.Reserve)
		}
	} else if a.StartPrice != 0 {
		return bad("a start price is for Dutch auctions")
	}
	if a.Kind != English && a.Kind != Dutch && a.Increment != 0 {
		return bad("an increment is for English and Dutch auctions")
	}
	return nil
}

func (p *proc) auctionBid(b *AuctionBid) error {
	if err := p.accounts(2); err != nil {
		return err
	}
	st, err := p.loadAuction(0)
	if err != nil {
		return err
	}
	if err := p.charge(CostAuctionBid + CostAuctionBidPerBid*uint64(len(st.Bids))); err != nil {
		return err
	}
	if st.Status != StatusOpen {
		return fail(Closed, "the auction is settled")
	}
	if p.slot >= st.EndSlot {
		return fail(TooLate, "bidding ended at slot %d (now %d)", st.EndSlot, p.slot)
	}
	bidder := p.h.Key(1)
	var zeroHash [32]byte
	fields := func(value, deposit, bundle, commitment bool) error {
		switch {
		case !value && b.Value != 0:
			return fail(InvalidInstruction, "a %s bid has no value", st.Kind)
		case !deposit && b.Deposit != 0:
			return fail(InvalidInstruction, "a %s bid has no deposit", st.Kind)
		case !bundle && b.Bundle != 0:
			return fail(InvalidInstruction, "a %s bid has no bundle", st.Kind)
		case !commitment && b.Commitment != zeroHash:
			return fail(InvalidInstruction, "a %s bid has no commitment", st.Kind)
		}
		return nil
	}
	dup := func() error {
		for i := range st.Bids {
			if st.Bids[i].Bidder == bidder {
				return fail(DuplicateBid, "%s already bid (bid %d)", bidder, i)
			}
			if st.Kind.sealed() && st.Bids[i].Commitment == b.Commitment {
				return fail(DuplicateBid, "commitment already used by bid %d", i)
			}
		}
		return nil
	}
	minBid := max(st.Reserve, 1)
	var lock uint64
	leader := st.Leader()
	nb := Bid{Bidder: bidder, Value: b.Value, Bundle: b.Bundle, Commitment: b.Commitment}
	switch st.Kind {
	case VCG:
		if err := fields(true, false, true, false); err != nil {
			return err
		}
		if b.Bundle == 0 || b.Bundle>>st.Items != 0 {
			return fail(InvalidInstruction, "bundle %#x is empty or names items beyond %d", b.Bundle, st.Items)
		}
		if b.Value < minBid {
			return fail(BidTooLow, "value %d is below the reserve %d", b.Value, minBid)
		}
		if err := dup(); err != nil {
			return err
		}
		lock = b.Value
	case GSP:
		if err := fields(true, false, false, false); err != nil {
			return err
		}
		if b.Value < minBid {
			return fail(BidTooLow, "bid %d is below the reserve %d", b.Value, minBid)
		}
		if err := dup(); err != nil {
			return err
		}
		var ok bool
		if lock, ok = mul(b.Value, st.Weights[0]); !ok {
			return fail(Overflow, "bid %d times the top slot's weight %d", b.Value, st.Weights[0])
		}
	case SealedFirst, SealedSecond:
		if err := fields(false, true, false, true); err != nil {
			return err
		}
		if b.Commitment == zeroHash {
			return fail(InvalidInstruction, "a sealed bid needs a commitment")
		}
		if need := max(minBid, st.Penalty); b.Deposit < need {
			return fail(BidTooLow, "deposit %d is below %d (the reserve and the penalty)", b.Deposit, need)
		}
		if err := dup(); err != nil {
			return err
		}
		lock, nb.Value = b.Deposit, 0
	case English:
		if err := fields(true, false, false, false); err != nil {
			return err
		}
		need := minBid
		if leader >= 0 {
			var ok bool
			if need, ok = add(st.Bids[leader].Value, max(st.Increment, 1)); !ok {
				return fail(Overflow, "the leading bid plus the increment")
			}
		}
		if b.Value < need {
			return fail(BidTooLow, "bid %d is below %d", b.Value, need)
		}
		if leader >= 0 {
			if err := p.accounts(3); err != nil {
				return err
			}
			if err := p.is(2, st.Bids[leader].Bidder, "the leader"); err != nil {
				return err
			}
			if err := p.writable(2, "the leader"); err != nil {
				return err
			}
		}
		lock = b.Value
	case Dutch:
		if err := fields(true, false, false, false); err != nil {
			return err
		}
		if len(st.Bids) > 0 {
			return fail(TooLate, "the auction was taken")
		}
		price := st.PriceAt(p.slot)
		if b.Value < price {
			return fail(BidTooLow, "the price at slot %d is %d, above %d", p.slot, price, b.Value)
		}
		lock, nb.Value = price, price
	}
	if leader < 0 && len(st.Bids) >= int(st.MaxBids) {
		return fail(TooManyBids, "the auction holds its %d bids", st.MaxBids)
	}
	if err := p.payer(1, lock, "the bidder"); err != nil {
		return err
	}
	nb.Locked = lock
	var refund uint64
	index := len(st.Bids)
	if leader >= 0 {
		// The new high bid replaces the leader, who gets its lock back.
		refund, index = st.Bids[leader].Locked, leader
		st.Bids[leader] = nb
	} else {
		st.Bids = append(st.Bids, nb)
	}
	if err := p.h.SystemTransfer(1, 0, lock); err != nil {
		return err
	}
	if refund > 0 {
		if err := p.h.Move(0, 2, refund); err != nil {
			return err
		}
	}
	if err := p.h.SetData(0, st.Encode()); err != nil {
		return err
	}
	p.h.SetReturnData(u64le(uint64(index), lock))
	return nil
}

func (p *proc) auctionReveal(r *AuctionReveal) error {
	if err := p.accounts(2); err != nil {
		return err
	}
	st, err := p.loadAuction(0)
	if err != nil {
		return err
	}
	if err := p.charge(CostAuctionReveal + CostAuctionRevealPerBid*uint64(len(st.Bids))); err != nil {
		return err
	}
	if !st.Kind.sealed() {
		return fail(WrongKind, "a %s auction has nothing to reveal", st.Kind)
	}
	if st.Status != StatusOpen {
		return fail(Closed, "the auction is settled")
	}
	if p.slot < st.EndSlot {
		return fail(TooEarly, "reveals open at slot %d (now %d)", st.EndSlot, p.slot)
	}
	if p.slot >= st.RevealEnd {
		return fail(TooLate, "reveals closed at slot %d (now %d)", st.RevealEnd, p.slot)
	}
	bidder := p.h.Key(1)
	i := -1
	for j := range st.Bids {
		if st.Bids[j].Bidder == bidder {
			i = j
			break
		}
	}
	if i < 0 {
		return fail(NoSuchBid, "%s has no bid", bidder)
	}
	d := &st.Bids[i]
	if d.Flags&BidRevealed != 0 {
		return fail(AlreadyRevealed, "bid %d is revealed", i)
	}
	if Commitment(r.Value, r.Nonce) != d.Commitment {
		return fail(CommitmentMismatch, "sha256(value || nonce) is not bid %d's commitment", i)
	}
	if r.Value > d.Locked {
		return fail(CommitmentMismatch, "value %d exceeds the deposit %d", r.Value, d.Locked)
	}
	d.Value, d.Flags = r.Value, d.Flags|BidRevealed
	return p.h.SetData(0, st.Encode())
}

// outcome is a settlement: what each bid pays (penalties included) and
// gets back, and the winners.
type outcome struct {
	pay, refund []uint64
	winners     uint64 // bit i: bid i won
	welfare     uint64 // the winners' declared value
}

// settleable loads the auction for settling (Settle or Finalize): open,
// past its deadline, with the beneficiary writable at position 1. It
// charges the settlement's price.
func (p *proc) settleable() (*Auction, error) {
	if err := p.accounts(2); err != nil {
		return nil, err
	}
	st, err := p.loadAuction(0)
	if err != nil {
		return nil, err
	}
	n := len(st.Bids)
	if err := p.charge(CostAuctionSettle + CostAuctionSettlePerBid*uint64(n)); err != nil {
		return nil, err
	}
	switch st.Status {
	case StatusSettled:
		return nil, fail(Closed, "the auction is settled")
	case StatusSettling:
		return nil, fail(WrongStatus, "the auction is finalized; its refunds are paid by AuctionPayout")
	}
	switch {
	case st.Kind.sealed():
		if p.slot < st.RevealEnd {
			return nil, fail(TooEarly, "settlement opens at slot %d (now %d)", st.RevealEnd, p.slot)
		}
	case st.Kind == Dutch && n > 0:
	default:
		if p.slot < st.EndSlot {
			return nil, fail(TooEarly, "settlement opens at slot %d (now %d)", st.EndSlot, p.slot)
		}
	}
	if err := p.is(1, st.Beneficiary, "the beneficiary"); err != nil {
		return nil, err
	}
	if err := p.writable(1, "the beneficiary"); err != nil {
		return nil, err
	}
	return st, nil
}

// settlement computes the outcome of a settleable auction: what each bid
// pays and gets back (every lock exactly), the winners and the proceeds.
func (p *proc) settlement(st *Auction) (outcome, uint64, error) {
	n := len(st.Bids)
	o := outcome{pay: make([]uint64, n), refund: make([]uint64, n)}
	var err error
	switch st.Kind {
	case VCG:
		err = p.settleVCG(st, &o)
	case GSP:
		err = settleGSP(st, &o)
	case SealedFirst, SealedSecond:
		err = settleSealed(st, &o)
	default: // English, Dutch: the one bid (leader, taker) pays its lock
		if n == 1 {
			o.pay[0], o.winners, o.welfare = st.Bids[0].Locked, 1, st.Bids[0].Value
		}
	}
	if err != nil {
		return o, 0, err
	}
	// Every lock is paid out exactly: to the beneficiary or back.
	var proceeds uint64
	for i := range st.Bids {
		s, ok := add(o.pay[i], o.refund[i])
		if !ok || s != st.Bids[i].Locked {
			return o, 0, fail(InvalidState, "bid %d: payment %d and refund %d do not add up to its lock %d", i, o.pay[i], o.refund[i], st.Bids[i].Locked)
		}
		if proceeds, ok = add(proceeds, o.pay[i]); !ok {
			return o, 0, fail(Overflow, "proceeds")
		}
	}
	return o, proceeds, nil
}

// record writes the outcome into the bids and the header.
func (st *Auction) record(o *outcome, slot, proceeds uint64) {
	for i := range st.Bids {
		st.Bids[i].Paid = o.pay[i]
		if o.winners&(1<<i) != 0 {
			st.Bids[i].Flags |= BidWinner
		}
	}
	st.Status, st.SettledSlot, st.Proceeds = StatusSettled, slot, proceeds
}

func (p *proc) auctionSettle() error {
	st, err := p.settleable()
	if err != nil {
		return err
	}
	if err := p.accounts(2 + len(st.Bids)); err != nil {
		return err
	}
	for i := range st.Bids {
		if err := p.is(2+i, st.Bids[i].Bidder, fmt.Sprintf("bid %d's bidder", i)); err != nil {
			return err
		}
		if err := p.writable(2+i, "a bidder"); err != nil {
			return err
		}
	}
	o, proceeds, err := p.settlement(st)
	if err != nil {
		return err
	}
	if proceeds > 0 {
		if err := p.h.Move(0, 1, proceeds); err != nil {
			return err
		}
	}
	for i := range st.Bids {
		if o.refund[i] > 0 {
			if err := p.h.Move(0, 2+i, o.refund[i]); err != nil {
				return err
			}
		}
	}
	st.record(&o, p.slot, proceeds)
	if err := p.h.SetData(0, st.Encode()); err != nil {
		return err
	}
	p.h.Log(fmt.Sprintf("econ: %s auction settled: proceeds %d, winners %#x, welfare %d", st.Kind, proceeds, o.winners, o.welfare))
	p.h.SetReturnData(u64le(proceeds, o.winners, o.welfare))
	return nil
}

// auctionFinalize is the first step of a settlement in pieces: it
// computes and records the outcome and pays the beneficiary, keeping the
// refunds, which AuctionPayout pays.
func (p *proc) auctionFinalize() error {
	st, err := p.settleable()
	if err != nil {
		return err
	}
	o, proceeds, err := p.settlement(st)
	if err != nil {
		return err
	}
	if proceeds > 0 {
		if err := p.h.Move(0, 1, proceeds); err != nil {
			return err
		}
	}
	st.record(&o, p.slot, proceeds)
	pending := 0
	for i := range st.Bids {
		if o.refund[i] == 0 {
			st.Bids[i].Flags |= BidPaidOut // nothing to pay back
		} else {
			pending++
		}
	}
	if pending > 0 {
		st.Status = StatusSettling
	}
	if err := p.h.SetData(0, st.Encode()); err != nil {
		return err
	}
	p.h.Log(fmt.Sprintf("econ: %s auction finalized: proceeds %d, winners %#x, welfare %d, %d refunds pending", st.Kind, proceeds, o.winners, o.welfare, pending))
	p.h.SetReturnData(u64le(proceeds, o.winners, o.welfare))
	return nil
}

// auctionPayout pays the refunds of the bidders listed (accounts 1..) of
// a finalized auction, each once; the last one settles the auction.
func (p *proc) auctionPayout() error {
	if err := p.accounts(2); err != nil {
		return err
	}
	st, err := p.loadAuction(0)
	if err != nil {
		return err
	}
	n := len(st.Bids)
	if err := p.charge(CostAuctionSettle + CostAuctionSettlePerBid*uint64(n)); err != nil {
		return err
	}
	switch st.Status {
	case StatusOpen:
		return fail(WrongStatus, "the auction is not finalized (AuctionFinalize comes first)")
	case StatusSettled:
		return fail(Closed, "the auction is settled")
	}
	m := p.h.NumAccounts() - 1
	if m > n {
		return fail(WrongAccount, "%d accounts for %d bids", m, n)
	}
	which := make([]int, m) // account 1+j pays bid which[j]
	var paid uint64         // bit i: bid i is paid in this instruction
	for j := range which {
		key, found := p.h.Key(1+j), -1
		for i := range st.Bids {
			if st.Bids[i].Bidder == key {
				found = i
				break
			}
		}
		if found < 0 {
			return fail(WrongAccount, "account %d (%s) has no bid", 1+j, key)
		}
		if st.Bids[found].Flags&BidPaidOut != 0 || paid&(1<<found) != 0 {
			return fail(WrongStatus, "bid %d is already paid out", found)
		}
		if err := p.writable(1+j, "a bidder"); err != nil {
			return err
		}
		which[j], paid = found, paid|1<<found
	}
	var total uint64
	for j, i := range which {
		refund := st.Bids[i].Locked - st.Bids[i].Paid // Paid never exceeds Locked (settlement)
		if err := p.h.Move(0, 1+j, refund); err != nil {
			return err
		}
		st.Bids[i].Flags |= BidPaidOut
		total += refund
	}
	pending := 0
	for i := range st.Bids {
		if st.Bids[i].Flags&BidPaidOut == 0 {
			pending++
		}
	}
	if pending == 0 {
		st.Status = StatusSettled
	}
	if err := p.h.SetData(0, st.Encode()); err != nil {
		return err
	}
	p.h.Log(fmt.Sprintf("econ: %s auction paid %d refunds (%d lamports), %d pending", st.Kind, m, total, pending))
	p.h.SetReturnData(u64le(total, uint64(pending)))
	return nil
}

func (p *proc) settleVCG(st *Auction, o *outcome) error {
	bids := make([]VCGBid, len(st.Bids))
	for i, b := range st.Bids {
		bids[i] = VCGBid{Bundle: b.Bundle, Value: b.Value}
	}
	res, err := SolveVCG(int(st.Items), bids, func(steps uint64) error {
		return p.charge(CostVCGPerKStep * ((steps + 1023) / 1024))
	})
	if err != nil {
		return err
	}
	o.winners, o.welfare = res.Winners, res.Welfare
	for i := range st.Bids {
		o.pay[i] = res.Payments[i]
		o.refund[i] = st.Bids[i].Locked - res.Payments[i] // Payments never exceed the value locked
	}
	return nil
}

// rankBids returns the indexes of bids with a value of at least min,
// highest value first, earlier bids first among equal values.
func rankBids(bids []Bid, min uint64, eligible func(*Bid) bool) []int {
	var order []int
	for i := range bids {
		if bids[i].Value >= min && eligible(&bids[i]) {
			order = append(order, i)
		}
	}
	// Insertion sort: stable, deterministic, n <= MaxBids.
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && bids[order[j]].Value > bids[order[j-1]].Value; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	return order
}

func settleGSP(st *Auction, o *outcome) error {
	order := rankBids(st.Bids, max(st.Reserve, 1), func(*Bid) bool { return true })
	for i := range st.Bids {
		o.refund[i] = st.Bids[i].Locked
	}
	for r := 0; r < len(order) && r < int(st.Items); r++ {
		i := order[r]
		next := st.Reserve
		if r+1 < len(order) {
			next = max(next, st.Bids[order[r+1]].Value)
		}
		pay, ok := mul(next, st.Weights[r])
		w, ok2 := mul(st.Bids[i].Value, st.Weights[r])
		if !ok || !ok2 || pay > st.Bids[i].Locked {
			return fail(Overflow, "slot %d's payment", r+1)
		}
		o.pay[i], o.refund[i] = pay, st.Bids[i].Locked-pay
		o.winners |= 1 << i
		st.Bids[i].Rank = uint8(r + 1)
		var ok3 bool
		if o.welfare, ok3 = add(o.welfare, w); !ok3 {
			return fail(Overflow, "welfare")
		}
	}
	return nil
}

func settleSealed(st *Auction, o *outcome) error {
	order := rankBids(st.Bids, max(st.Reserve, 1), func(b *Bid) bool { return b.Flags&BidRevealed != 0 })
	for i := range st.Bids {
		d := &st.Bids[i]
		o.refund[i] = d.Locked
		if d.Flags&BidRevealed == 0 {
			// Never revealed (or revealed wrongly): the penalty, at most
			// the deposit, goes to the beneficiary.
			pen := min(st.Penalty, d.Locked)
			o.pay[i], o.refund[i] = pen, d.Locked-pen
			d.Flags |= BidForfeit
		}
	}
	if len(order) == 0 {
		return nil
	}
	w := order[0]
	price := st.Bids[w].Value
	if st.Kind == SealedSecond {
		price = st.Reserve
		if len(order) > 1 {
			price = max(price, st.Bids[order[1]].Value)
		}
	}
	o.pay[w], o.refund[w] = price, st.Bids[w].Locked-price
	o.winners, o.welfare = 1<<w, st.Bids[w].Value
	return nil
}
