package econ

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

// sim drives random sequences of operations — mostly plausible, some
// wrong on purpose — against a world, and checks after each one:
//
//   - lamports are conserved across every account the program touches;
//   - a failed operation leaves every account exactly as it was, and
//     fails with the program's typed error (or the budget's), never by
//     breaking a runtime rule;
//   - a successful operation was legal in the state and at the slot it
//     ran (no bid after the deadline, no second settlement, no release
//     after a refund, ...);
//   - every state account holds exactly its rent plus what it owes.
type sim struct {
	t      *testing.T
	r      *rand.Rand
	w      *world
	agents []pubkey.Pubkey
	oracle pubkey.Pubkey

	auctions   []pubkey.Pubkey
	escrows    []pubkey.Pubkey
	registries []pubkey.Pubkey
	stakes     []pubkey.Pubkey
	secrets    map[[2]pubkey.Pubkey]secret // (auction, bidder) -> the sealed bid
	sealed     [][2]pubkey.Pubkey          // the keys of secrets, in order

	ok, failed map[string]int
}

type secret struct {
	value uint64
	nonce [32]byte
}

func newSim(t *testing.T, seed uint64) *sim {
	s := &sim{t: t, r: rand.New(rand.NewPCG(seed, seed^0x9e37)), w: newWorld(), oracle: testKey("oracle"),
		secrets: map[[2]pubkey.Pubkey]secret{}, ok: map[string]int{}, failed: map[string]int{}}
	for i := range 6 {
		k := testKey("agent" + itoa(uint64(i)))
		s.agents = append(s.agents, k)
		s.w.fund(k, 100*sol)
	}
	s.w.fund(s.oracle, sol)
	s.w.get(s.oracle).owner = testKey("oracle program")
	s.w.get(s.oracle).data = u64le(100)
	return s
}

func (s *sim) fill(b []byte) {
	for i := range b {
		b[i] = byte(s.r.Uint32())
	}
}

func (s *sim) agent() pubkey.Pubkey { return s.agents[s.r.IntN(len(s.agents))] }
func (s *sim) small() uint64        { return uint64(s.r.IntN(4)) }
func (s *sim) pick(ks []pubkey.Pubkey) pubkey.Pubkey {
	if len(ks) == 0 || s.r.IntN(20) == 0 {
		return s.agent() // a wrong account now and then
	}
	if s.r.IntN(10) < 7 { // mostly the newest, which are still live
		return ks[max(0, len(ks)-1-s.r.IntN(3))]
	}
	return ks[s.r.IntN(len(ks))]
}

func (s *sim) step() {
	w := s.w
	if s.r.IntN(5) == 0 {
		w.slot += uint64(1 + s.r.IntN(2))
	}
	if s.r.IntN(10) == 0 {
		w.get(s.oracle).data = u64le(uint64(s.r.IntN(200)))
	}
	name, ix, check := s.op()
	before := w.snapshot()
	total := w.total()
	slot := w.slot
	w.budget = 0
	if s.r.IntN(25) == 0 {
		w.budget = uint64(s.r.IntN(400))
	}
	pre := s.states(ix)
	err := w.exec(ix)
	if w.total() != total {
		s.t.Fatalf("%s: lamports not conserved: %d -> %d (err %v)", name, total, w.total(), err)
	}
	if err != nil {
		s.failed[name]++
		if c, ok := CodeOf(err); ok {
			s.failed[name+"/"+c.String()]++
		}
		if errors.Is(err, errHostRule) {
			s.t.Fatalf("%s broke a runtime rule: %v", name, err)
		}
		if _, typed := CodeOf(err); !typed && err.Error() != "ComputationalBudgetExceeded" {
			s.t.Fatalf("%s: untyped error %v", name, err)
		}
		if d := w.diff(before); d != "" {
			s.t.Fatalf("%s failed (%v) but changed %s", name, err, d)
		}
		return
	}
	s.ok[name]++
	if check != nil {
		check(pre, slot)
	}
	s.solvent()
}

// states decodes the state accounts an instruction names, before it runs.
func (s *sim) states(ix txn.Instruction) map[pubkey.Pubkey][]byte {
	out := map[pubkey.Pubkey][]byte{}
	for _, m := range ix.Accounts {
		if a := s.w.get(m.Pubkey); a.owner == ProgramID() {
			out[m.Pubkey] = append([]byte(nil), a.data...)
		}
	}
	return out
}

// solvent checks that every state account holds its rent plus what it
// owes: the locks of an open auction, the deposits of a funded escrow,
// the stake.
func (s *sim) solvent() {
	for k, a := range s.w.accts {
		if a.owner != ProgramID() {
			continue
		}
		owed := uint64(0)
		switch a.data[0] {
		case AccountAuction:
			st, err := DecodeAuction(a.data)
			must(s.t, err)
			for _, b := range st.Bids {
				switch {
				case st.Status == StatusOpen:
					owed += b.Locked
				case st.Status == StatusSettling && b.Flags&BidPaidOut == 0:
					owed += b.Locked - b.Paid // a refund a payout still owes
				}
			}
			if st.Status == StatusSettling && owed == 0 {
				s.t.Fatalf("%s is settling with no refund pending", k)
			}
		case AccountEscrow:
			st, err := DecodeEscrow(a.data)
			must(s.t, err)
			if st.Status == EscrowFunded {
				owed = st.AmountA + st.AmountB
			}
		case AccountStake:
			st, err := DecodeStake(a.data)
			must(s.t, err)
			owed = st.Amount
		}
		if want := s.w.rent.MinimumBalance(uint64(len(a.data))) + owed; a.lamports != want {
			s.t.Fatalf("%s holds %d lamports, owes %d plus rent", k, a.lamports, owed)
		}
	}
}

type checkFn func(pre map[pubkey.Pubkey][]byte, slot uint64)

func (s *sim) op() (string, txn.Instruction, checkFn) {
	w := s.w
	switch s.r.IntN(24) {
	case 0, 15:
		kind := AuctionKind(1 + s.r.IntN(6))
		p := AuctionCreate{ID: s.small(), Kind: kind, MaxBids: uint8(1 + s.r.IntN(5)), BidSlots: uint64(1 + s.r.IntN(8)),
			Reserve: uint64(s.r.IntN(5)), Beneficiary: s.agent()}
		switch kind {
		case VCG:
			p.Items = uint8(1 + s.r.IntN(4))
		case GSP:
			p.Items = uint8(1 + s.r.IntN(3))
			for i := range int(p.Items) {
				p.Weights[i] = uint64(10 - 3*i)
			}
		case SealedFirst, SealedSecond:
			p.RevealSlots, p.Penalty = uint64(1+s.r.IntN(10)), uint64(s.r.IntN(10))
		case English:
			p.MaxBids, p.Increment = 1, uint64(s.r.IntN(5))
		case Dutch:
			p.MaxBids, p.StartPrice, p.Increment = 1, uint64(50+s.r.IntN(50)), uint64(s.r.IntN(10))
		}
		if s.r.IntN(15) == 0 {
			p.MaxBids = 40 // beyond the limit
		}
		ix, addr := NewAuctionCreate(s.agent(), p)
		s.auctions = append(s.auctions, addr)
		return "auction_create", ix, nil
	case 1, 2, 3, 16, 17, 18:
		a := s.pick(s.auctions)
		bidder := s.agent()
		b := AuctionBid{Value: uint64(1 + s.r.IntN(120))}
		var leader *pubkey.Pubkey
		if st, err := DecodeAuction(w.get(a).data); err == nil {
			switch st.Kind {
			case VCG:
				b.Bundle = 1 + s.r.Uint64N(1<<st.Items-1)
				if s.r.IntN(15) == 0 {
					b.Bundle = 1 << st.Items
				}
			case SealedFirst, SealedSecond:
				sec := secret{value: b.Value}
				s.fill(sec.nonce[:])
				b = AuctionBid{Deposit: b.Value + uint64(s.r.IntN(30)), Commitment: Commitment(sec.value, sec.nonce)}
				s.secrets[[2]pubkey.Pubkey{a, bidder}] = sec
				s.sealed = append(s.sealed, [2]pubkey.Pubkey{a, bidder})
			case English:
				if l := st.Leader(); l >= 0 {
					k := st.Bids[l].Bidder
					leader = &k
					b.Value = st.Bids[l].Value + uint64(s.r.IntN(12))
				}
			}
		}
		ix := NewAuctionBid(a, bidder, b, leader)
		return "auction_bid", ix, func(pre map[pubkey.Pubkey][]byte, slot uint64) {
			st, err := DecodeAuction(pre[a])
			must(s.t, err)
			if st.Status != StatusOpen || slot >= st.EndSlot {
				s.t.Fatalf("a bid succeeded at slot %d in an auction ending at %d (status %d)", slot, st.EndSlot, st.Status)
			}
		}
	case 4, 19, 20:
		a, bidder := s.pick(s.auctions), s.agent()
		if len(s.sealed) > 0 && s.r.IntN(4) > 0 {
			k := s.sealed[max(0, len(s.sealed)-1-s.r.IntN(4))]
			a, bidder = k[0], k[1]
		}
		sec, ok := s.secrets[[2]pubkey.Pubkey{a, bidder}]
		if !ok || s.r.IntN(8) == 0 {
			sec.value++
		}
		return "auction_reveal", NewAuctionReveal(a, bidder, sec.value, sec.nonce), func(pre map[pubkey.Pubkey][]byte, slot uint64) {
			st, err := DecodeAuction(pre[a])
			must(s.t, err)
			if !st.Kind.sealed() || st.Status != StatusOpen || slot < st.EndSlot || slot >= st.RevealEnd {
				s.t.Fatalf("a reveal succeeded at slot %d outside [%d, %d)", slot, st.EndSlot, st.RevealEnd)
			}
		}
	case 5:
		a := s.pick(s.auctions)
		var bidders []pubkey.Pubkey
		benef := s.agent()
		if st, err := DecodeAuction(w.get(a).data); err == nil {
			benef = st.Beneficiary
			for _, b := range st.Bids {
				bidders = append(bidders, b.Bidder)
			}
			if s.r.IntN(10) == 0 && len(bidders) > 1 {
				bidders[0], bidders[1] = bidders[1], bidders[0]
			}
		}
		return "auction_settle", NewAuctionSettle(a, benef, bidders), func(pre map[pubkey.Pubkey][]byte, slot uint64) {
			st, err := DecodeAuction(pre[a])
			must(s.t, err)
			end := st.EndSlot
			if st.Kind.sealed() {
				end = st.RevealEnd
			}
			if st.Kind == Dutch && len(st.Bids) > 0 {
				end = 0
			}
			if st.Status != StatusOpen || slot < end {
				s.t.Fatalf("a settlement succeeded at slot %d (opens %d, status %d)", slot, end, st.Status)
			}
			post, err := DecodeAuction(w.get(a).data)
			must(s.t, err)
			for i, b := range post.Bids {
				if b.Paid > b.Locked || (st.Kind == VCG && b.Paid > b.Value) {
					s.t.Fatalf("bid %d paid %d of %d locked", i, b.Paid, b.Locked)
				}
			}
		}
	case 21:
		a := s.pick(s.auctions)
		benef := s.agent()
		if st, err := DecodeAuction(w.get(a).data); err == nil && s.r.IntN(10) > 0 {
			benef = st.Beneficiary
		}
		return "auction_finalize", NewAuctionFinalize(a, benef), func(pre map[pubkey.Pubkey][]byte, slot uint64) {
			st, err := DecodeAuction(pre[a])
			must(s.t, err)
			end := st.EndSlot
			if st.Kind.sealed() {
				end = st.RevealEnd
			}
			if st.Kind == Dutch && len(st.Bids) > 0 {
				end = 0
			}
			if st.Status != StatusOpen || slot < end {
				s.t.Fatalf("a finalization succeeded at slot %d (opens %d, status %d)", slot, end, st.Status)
			}
			post, err := DecodeAuction(w.get(a).data)
			must(s.t, err)
			for i, b := range post.Bids {
				if b.Paid > b.Locked || (st.Kind == VCG && b.Paid > b.Value) || (b.Flags&BidPaidOut != 0) != (b.Paid == b.Locked) {
					s.t.Fatalf("bid %d paid %d of %d locked (flags %#x)", i, b.Paid, b.Locked, b.Flags)
				}
			}
		}
	case 22:
		a := s.pick(s.auctions)
		var bidders []pubkey.Pubkey
		if st, err := DecodeAuction(w.get(a).data); err == nil {
			for _, b := range st.Bids {
				if b.Flags&BidPaidOut == 0 || s.r.IntN(8) == 0 {
					if s.r.IntN(3) > 0 {
						bidders = append(bidders, b.Bidder)
					}
				}
			}
			if s.r.IntN(10) == 0 && len(bidders) > 0 {
				bidders = append(bidders, bidders[0]) // twice in one payout
			}
		}
		if len(bidders) == 0 || s.r.IntN(15) == 0 {
			bidders = append(bidders, s.agent())
		}
		return "auction_payout", NewAuctionPayout(a, bidders), func(pre map[pubkey.Pubkey][]byte, slot uint64) {
			st, err := DecodeAuction(pre[a])
			must(s.t, err)
			post, err := DecodeAuction(w.get(a).data)
			must(s.t, err)
			if st.Status != StatusSettling {
				s.t.Fatalf("a payout succeeded in status %d", st.Status)
			}
			for _, k := range bidders {
				for i, b := range st.Bids {
					if b.Bidder == k && (b.Flags&BidPaidOut != 0 || post.Bids[i].Flags&BidPaidOut == 0) {
						s.t.Fatalf("bid %d paid out twice, or not at all", i)
					}
				}
			}
			pending := 0
			for i, b := range post.Bids {
				if b.Flags&BidPaidOut == 0 {
					pending++
				}
				if b.Paid != st.Bids[i].Paid || b.Value != st.Bids[i].Value {
					s.t.Fatalf("a payout changed bid %d's outcome", i)
				}
			}
			if (pending == 0) != (post.Status == StatusSettled) {
				s.t.Fatalf("%d refunds pending in status %d", pending, post.Status)
			}
		}
	case 6, 7:
		a, b := s.agent(), s.agent()
		p := EscrowCreate{ID: s.small(), AmountA: uint64(s.r.IntN(3)) * sol, AmountB: uint64(s.r.IntN(2)) * sol,
			TimeoutSlots: uint64(1 + s.r.IntN(12))}
		p.Conditions = uint8(1 + s.r.IntN(7))
		if p.Conditions&CondOracle != 0 {
			p.Oracle, p.OracleOp, p.Threshold = s.oracle, OracleOp(s.r.IntN(6)), uint64(s.r.IntN(200))
		}
		if p.Conditions&CondTimeLock != 0 {
			p.LockSlots = uint64(s.r.IntN(int(p.TimeoutSlots)))
		}
		if p.Conditions&CondApprovals != 0 {
			p.N = uint8(1 + s.r.IntN(3))
			p.K = uint8(1 + s.r.IntN(int(p.N)))
			for i := range int(p.N) {
				p.Approvers[i] = s.agents[i]
			}
		}
		ix, addr := NewEscrowCreate(a, b, p)
		s.escrows = append(s.escrows, addr)
		return "escrow_create", ix, nil
	case 8, 9:
		e := s.pick(s.escrows)
		a, b := s.agent(), s.agent()
		var oracle *pubkey.Pubkey
		var approvers []pubkey.Pubkey
		if st, err := DecodeEscrow(w.get(e).data); err == nil {
			a, b = st.A, st.B
			if st.Conditions&CondOracle != 0 {
				oracle = &s.oracle
			}
			for range s.r.IntN(4) {
				approvers = append(approvers, s.agents[s.r.IntN(4)])
			}
		}
		if s.r.IntN(2) == 0 {
			return "escrow_refund", NewEscrowRefund(e, a, b), func(pre map[pubkey.Pubkey][]byte, slot uint64) {
				st, err := DecodeEscrow(pre[e])
				must(s.t, err)
				if st.Status != EscrowFunded || slot < st.TimeoutSlot {
					s.t.Fatalf("a refund succeeded at slot %d (timeout %d, status %d)", slot, st.TimeoutSlot, st.Status)
				}
			}
		}
		return "escrow_release", NewEscrowRelease(e, a, b, oracle, dedupe(approvers)), func(pre map[pubkey.Pubkey][]byte, slot uint64) {
			st, err := DecodeEscrow(pre[e])
			must(s.t, err)
			if st.Status != EscrowFunded || slot >= st.TimeoutSlot || (st.Conditions&CondTimeLock != 0 && slot < st.UnlockSlot) {
				s.t.Fatalf("a release succeeded at slot %d (unlock %d, timeout %d, status %d)", slot, st.UnlockSlot, st.TimeoutSlot, st.Status)
			}
		}
	case 10:
		raters := []Rater{{s.agents[0], 3}, {s.agents[1], 1}}
		ix, addr := NewRegistryCreate(s.agent(), RegistryCreate{ID: s.small(), DecayQ16: uint32(1 + s.r.IntN(1<<16)),
			DecayPeriod: uint64(1 + s.r.IntN(5)), MinRating: -3, MaxRating: 3, ScoreMin: -20, ScoreMax: 20, Raters: raters})
		s.registries = append(s.registries, addr)
		return "registry_create", ix, nil
	case 11:
		if s.r.IntN(3) == 0 {
			return "reputation_query", NewReputationQuery(s.pick(s.registries), s.agent()), nil
		}
		return "reputation_update", NewReputationUpdate(s.pick(s.registries), s.agent(), s.agent(), int64(s.r.IntN(9)-4)), nil
	case 12:
		ix, addr := NewStakeLock(s.agent(), StakeLock{ID: s.small(), Amount: uint64(s.r.IntN(3)) * sol,
			UnbondingSlots: uint64(1 + s.r.IntN(6)), Authority: s.agents[0], SlashTo: s.agents[1]})
		s.stakes = append(s.stakes, addr)
		return "stake_lock", ix, nil
	case 13:
		st := s.pick(s.stakes)
		return "stake_slash", NewStakeSlash(st, s.agents[s.r.IntN(2)], s.agents[1], uint64(s.r.IntN(3))*sol/2, [32]byte{1}),
			func(pre map[pubkey.Pubkey][]byte, slot uint64) {
				if x, _ := DecodeStake(pre[st]); x == nil || x.Status == StakeReleased {
					s.t.Fatal("a released stake was slashed")
				}
			}
	case 14:
		st := s.pick(s.stakes)
		staker := s.agent()
		if x, err := DecodeStake(w.get(st).data); err == nil && s.r.IntN(5) > 0 {
			staker = x.Staker
		}
		mode := uint8(s.r.IntN(2))
		return "stake_release", NewStakeRelease(st, staker, mode), func(pre map[pubkey.Pubkey][]byte, slot uint64) {
			x, err := DecodeStake(pre[st])
			must(s.t, err)
			if mode == ReleaseWithdraw && (x.Status != StakeUnbonding || slot < x.UnbondSlot+x.UnbondingSlots) {
				s.t.Fatalf("a withdrawal succeeded at slot %d (status %d, unbonding from %d for %d)", slot, x.Status, x.UnbondSlot, x.UnbondingSlots)
			}
			if mode == ReleaseUnbond && x.Status != StakeLocked {
				s.t.Fatal("unbonded twice")
			}
		}
	}
	// Garbage: random data over random accounts, some of them state.
	data := make([]byte, s.r.IntN(200))
	s.fill(data)
	if len(data) > 0 && s.r.IntN(2) == 0 {
		data[0] = byte(1 + s.r.IntN(int(lastTag)-1))
	}
	ix := txn.Instruction{ProgramID: ProgramID(), Data: data}
	pool := append(append(append([]pubkey.Pubkey{}, s.agents...), s.auctions...), s.escrows...)
	for range s.r.IntN(6) {
		ix.Accounts = append(ix.Accounts, txn.AccountMeta{Pubkey: pool[s.r.IntN(len(pool))], IsSigner: s.r.IntN(2) == 0, IsWritable: s.r.IntN(2) == 0})
	}
	return "garbage", ix, nil
}

func dedupe(ks []pubkey.Pubkey) []pubkey.Pubkey {
	var out []pubkey.Pubkey
	for _, k := range ks {
		seen := false
		for _, o := range out {
			seen = seen || o == k
		}
		if !seen {
			out = append(out, k)
		}
	}
	return out
}

func TestPropertiesRandomOperations(t *testing.T) {
	ok, failed := map[string]int{}, map[string]int{}
	for seed := range uint64(200) {
		s := newSim(t, seed)
		for range 150 {
			s.step()
		}
		for k, v := range s.ok {
			ok[k] += v
		}
		for k, v := range s.failed {
			failed[k] += v
		}
	}
	// The generator must reach success and failure of every operation.
	for _, name := range []string{"auction_create", "auction_bid", "auction_reveal", "auction_settle", "auction_finalize", "auction_payout", "escrow_create",
		"escrow_release", "escrow_refund", "registry_create", "reputation_update", "reputation_query", "stake_lock",
		"stake_slash", "stake_release"} {
		if ok[name] == 0 || failed[name] == 0 {
			t.Errorf("%s: %d successes, %d failures", name, ok[name], failed[name])
		}
	}
	t.Logf("successes %v", ok)
	t.Logf("failures %v", failed)
}
