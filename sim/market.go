package sim

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"time"

	"github.com/agora-vm/agora/ext/econ"
	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/computebudget"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm/bank"
)

// sellerFunds is what each seller starts with: the rent of its auctions for hundreds of rounds.
const sellerFunds = 10_000_000_000

// scenarioAccounts are the genesis accounts a scenario needs beyond the
// agents.
func (r *run) scenarioAccounts() ([]bank.GenesisAccount, error) {
	switch r.sc.Kind {
	case Market:
		n := r.auctionsPerRound()
		sellers := newKeyring(r.sc.Seed, "seller", n)
		r.sellers = sellers
		out := make([]bank.GenesisAccount, n)
		for i, k := range sellers.pub {
			out[i] = bank.GenesisAccount{Key: k, Account: account.Account{Lamports: sellerFunds}}
		}
		return out, nil
	case Reputation:
		return r.reputationAccounts(), nil
	case Oracle:
		return r.oracleAccounts()
	case Escrow:
		r.keeper = newKeyring(r.sc.Seed, "keeper", 1)
		return []bank.GenesisAccount{{Key: r.keeper.pub[0], Account: account.Account{Lamports: sellerFunds}}}, nil
	}
	return nil, nil
}

func (r *run) auctionsPerRound() int {
	k := r.sc.Market.Bidders
	return (r.sc.Agents + k - 1) / k
}

// rng returns the deterministic generator of a round and a purpose.
func (r *run) rng(round int, purpose uint64) *rand.Rand {
	return rand.New(rand.NewPCG(r.sc.Seed^0x9e3779b97f4a7c15, uint64(round)<<8|purpose))
}

// marketBid is one agent's private draw in a round.
type marketBid struct {
	agent  int
	value  uint64 // its true value for the bundle
	bundle uint64
	noise  uint64
}

// marketRound runs one round of the market: every seller opens an
// auction, every agent bids through its strategy program in the auction
// it was drawn into, and every auction settles.
func (r *run) marketRound(round int) error {
	sc, mp := r.sc, r.sc.Market
	kind := mp.Auctions[round%len(mp.Auctions)]
	nAuctions := r.auctionsPerRound()
	perBlock := sc.TxsBlock
	createBlocks := (nAuctions + perBlock - 1) / perBlock
	bidBlocks := (sc.Agents + perBlock - 1) / perBlock
	// Bids close some slots after the last bid block is expected, with
	// room for transactions a block's cost limits push to the next; the
	// round then waits for the deadline. A sealed auction takes reveals
	// as long.
	window := uint64(createBlocks + 2*bidBlocks + 4)
	sealed := kind == "sealed-second"

	// The draws: who bids where, for what, with which value.
	perm := r.rng(round, 1).Perm(sc.Agents)
	draws := make([]marketBid, sc.Agents)
	g := r.rng(round, 2)
	for i := range draws {
		agent := perm[i]
		bundle := uint64(1)
		if mp.Items > 1 && !sealed {
			bundle = 1 + g.Uint64N(1<<mp.Items-1)
		}
		perItem := mp.ValueMin + g.Uint64N(mp.ValueMax-mp.ValueMin+1)
		draws[i] = marketBid{agent: agent, value: perItem * uint64(bits.OnesCount64(bundle)), bundle: bundle, noise: g.Uint64()}
	}

	// Pre-round balances of everything the round can write.
	addrs := make([]pubkey.Pubkey, nAuctions)
	creates := make([]txSpec, nAuctions)
	// An auction's address is a program address (a search for a point
	// off the curve): find them on all cores.
	parallelFor(nAuctions, func(j int) {
		p := econ.AuctionCreate{ID: uint64(round), Kind: econ.VCG, Items: uint8(mp.Items), MaxBids: uint8(mp.Bidders),
			Beneficiary: r.sellers.pub[j], BidSlots: window, Reserve: 1}
		if sealed {
			p.Kind, p.Items = econ.SealedSecond, 0
			p.RevealSlots, p.Penalty = window, mp.ValueMin
		}
		ix, addr := econ.NewAuctionCreate(r.sellers.pub[j], p)
		addrs[j] = addr
		creates[j] = txSpec{ixs: []txn.Instruction{computebudget.SetComputeUnitLimit(createCU), ix}, signers: r.sellers.keys[j : j+1]}
	})
	touched := r.touchedAccounts(addrs)
	before, err := r.balances(touched)
	if err != nil {
		return err
	}

	r.progress.startRound(round, sc.Rounds, kind)
	stats := RoundStats{Round: round, Kind: kind}
	tr := sched.NewTrace()
	r.schedule(tr)
	defer r.schedule(nil)
	created, err := r.phase(&stats, nAuctions, primAuction, func(j int) txSpec { return creates[j] })
	if err != nil {
		return err
	}
	for i, o := range created.txs {
		if o.failed || o.dropped {
			return fmt.Errorf("sim: round %d: creating auction %d: %s", round, i, o.err)
		}
	}

	strategyTx := func(mode byte) func(i int) txSpec {
		return func(i int) txSpec {
			d := draws[i]
			data := make([]byte, 25)
			binary.LittleEndian.PutUint64(data, d.value)
			binary.LittleEndian.PutUint64(data[8:], d.bundle)
			binary.LittleEndian.PutUint64(data[16:], d.noise)
			data[24] = mode
			prog := r.programs[r.strategyOf[d.agent]]
			ix := txn.Instruction{ProgramID: prog, Data: data, Accounts: []txn.AccountMeta{
				{Pubkey: addrs[i/mp.Bidders], IsWritable: true},
				{Pubkey: r.agents.pub[d.agent], IsSigner: true, IsWritable: true},
			}}
			return txSpec{ixs: []txn.Instruction{computebudget.SetComputeUnitLimit(sc.CULimit), ix},
				signers: r.agents.keys[d.agent : d.agent+1]}
		}
	}
	mode := byte(0)
	if sealed {
		mode = 1
	}
	// Every auction closes at the same slot or later, the last created
	// last; the round waits for the last one's deadline.
	last, err := r.auction(addrs[len(addrs)-1])
	if err != nil {
		return err
	}
	if _, err := r.phase(&stats, sc.Agents, primBytecode, strategyTx(mode)); err != nil {
		return err
	}
	if err := waitUntil(r.chain, &r.clock, last.EndSlot); err != nil {
		return err
	}
	if sealed {
		if _, err := r.phase(&stats, sc.Agents, primBytecode, strategyTx(2)); err != nil {
			return err
		}
		if err := waitUntil(r.chain, &r.clock, last.RevealEnd); err != nil {
			return err
		}
	}

	if err := r.settleAuctions(&stats, addrs); err != nil {
		return err
	}

	// Outcomes, from the settled auctions' records. drawOf finds a
	// bidder's draw: its agent by key, then the agent's draw.
	drawIndex := make([]int, len(draws))
	for i, d := range draws {
		drawIndex[d.agent] = i
	}
	drawOf := func(k pubkey.Pubkey) (marketBid, bool) {
		a, ok := r.agentOf(k)
		if !ok {
			return marketBid{}, false
		}
		return draws[drawIndex[a]], true
	}
	auctions, err := r.auctions(addrs)
	if err != nil {
		return err
	}
	payoff := make([]int64, len(sc.Strategies))
	won := make([]int64, len(sc.Strategies))
	var itemsSold uint64
	for j, addr := range addrs {
		a := auctions[j]
		stats.Revenue += a.Proceeds
		for _, b := range a.Bids {
			d, ok := drawOf(b.Bidder)
			if !ok {
				return fmt.Errorf("sim: auction %s holds a bid from %s, who is no agent of this round", addr, b.Bidder)
			}
			s := r.strategyOf[d.agent]
			payoff[s] -= int64(b.Paid)
			if b.Flags&econ.BidWinner != 0 {
				stats.Welfare += d.value
				itemsSold += uint64(max(1, bits.OnesCount64(b.Bundle)))
				payoff[s] += int64(d.value)
				won[s]++
			}
		}
	}
	if itemsSold > 0 {
		stats.PricePerItem = stats.Revenue / itemsSold
	}
	stats.ItemsSold = itemsSold
	stats.StrategyPayoff = payoff
	stats.StrategyWins = won
	stats.LaneBusy = laneBusy(tr, r.lanes, time.Duration(stats.Seconds*float64(time.Second)))
	r.time.addTrace(tr)
	return r.closeRound(&stats, touched, before)
}

// settleAuctions settles every auction. One AuctionSettle lists every
// bidder in bid order; an auction whose bidders do not fit one
// transaction (over txn.PacketDataSize, from about 28 bidders) settles in
// pieces instead: AuctionFinalize, then AuctionPayout transactions that
// each list as many of the bidders still owed a refund as fit.
func (r *run) settleAuctions(stats *RoundStats, addrs []pubkey.Pubkey) error {
	// Each auction's settlement is built, and its size checked, on all
	// cores; the lists keep the auctions' order.
	auctions, err := r.auctions(addrs)
	if err != nil {
		return err
	}
	one := make([]txSpec, len(addrs))
	fit := make([]bool, len(addrs))
	errs := make([]error, len(addrs))
	parallelFor(len(addrs), func(j int) {
		a := auctions[j]
		bidders := make([]pubkey.Pubkey, len(a.Bids))
		for i, b := range a.Bids {
			bidders[i] = b.Bidder
		}
		one[j] = txSpec{ixs: []txn.Instruction{computebudget.SetComputeUnitLimit(settleCU(a)), econ.NewAuctionSettle(addrs[j], r.sellers.pub[j], bidders)}, signers: r.sellers.keys[j : j+1]}
		fit[j], errs[j] = one[j].fits()
	})
	var settles, finals []txSpec
	var pieces []int // auctions settled in pieces
	for j, addr := range addrs {
		if errs[j] != nil {
			return errs[j]
		}
		if fit[j] {
			settles = append(settles, one[j])
			continue
		}
		a := auctions[j]
		signers := r.sellers.keys[j : j+1]
		pieces = append(pieces, j)
		finals = append(finals, txSpec{ixs: []txn.Instruction{computebudget.SetComputeUnitLimit(settleCU(a)), econ.NewAuctionFinalize(addr, r.sellers.pub[j])}, signers: signers})
	}
	if _, err := r.phase(stats, len(settles), primAuction, func(i int) txSpec { return settles[i] }); err != nil {
		return err
	}
	if len(pieces) == 0 {
		return nil
	}
	if _, err := r.phase(stats, len(finals), primAuction, func(i int) txSpec { return finals[i] }); err != nil {
		return err
	}
	var payouts []txSpec
	for _, j := range pieces {
		a, err := r.auction(addrs[j])
		if err != nil {
			return err
		}
		var owed []pubkey.Pubkey
		for _, b := range a.Bids {
			if b.Flags&econ.BidPaidOut == 0 {
				owed = append(owed, b.Bidder)
			}
		}
		for len(owed) > 0 {
			k := len(owed)
			var spec txSpec
			for ; k > 0; k-- {
				spec = txSpec{ixs: []txn.Instruction{computebudget.SetComputeUnitLimit(payoutCU(a, k)), econ.NewAuctionPayout(addrs[j], owed[:k])},
					signers: r.sellers.keys[j : j+1]}
				fits, err := spec.fits()
				if err != nil {
					return err
				}
				if fits {
					break
				}
			}
			if k == 0 {
				return fmt.Errorf("sim: auction %s: a payout to one bidder does not fit a transaction", addrs[j])
			}
			payouts = append(payouts, spec)
			owed = owed[k:]
		}
	}
	_, err = r.phase(stats, len(payouts), primAuction, func(i int) txSpec { return payouts[i] })
	return err
}

// payoutCU bounds an AuctionPayout of k refunds: the program's price per
// bid and one System transfer per refund.
func payoutCU(a *econ.Auction, k int) uint32 {
	return uint32(1_000 + econ.CostAuctionSettle + econ.CostAuctionSettlePerBid*uint64(len(a.Bids)) + 200*uint64(k))
}

// createCU is what an auction's creation may take: the program's price
// with its address, one System call and the Compute Budget instruction.
const createCU = 2_000

// settleCU bounds a settlement's CU: the program's price per bid, the
// VCG search at its published rate, one System transfer per bid.
func settleCU(a *econ.Auction) uint32 {
	n := uint64(len(a.Bids))
	cells := (n + 1) << a.Items * (1 + n)
	return uint32(min(1_400_000, 1_000+(econ.CostAuctionSettle+econ.CostAuctionSettlePerBid*n)+econ.CostVCGPerKStep*(cells/1024+2)+200*n))
}

// auctions reads and decodes auction accounts, on all cores; an error
// is the first address's in order.
func (r *run) auctions(addrs []pubkey.Pubkey) ([]*econ.Auction, error) {
	out := make([]*econ.Auction, len(addrs))
	errs := make([]error, len(addrs))
	parallelFor(len(addrs), func(j int) { out[j], errs[j] = r.auction(addrs[j]) })
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// auction reads and decodes an auction account.
func (r *run) auction(addr pubkey.Pubkey) (*econ.Auction, error) {
	acct, err := r.chain.Account(addr)
	if err != nil {
		return nil, err
	}
	a, err := econ.DecodeAuction(acct.Data)
	if err != nil {
		return nil, fmt.Errorf("sim: auction %s: %w", addr, err)
	}
	return a, nil
}
