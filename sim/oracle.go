package sim

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/agora-vm/agora/ext/ring"
	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/sysvar"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm/bank"
)

// A publisher's ring: one consumer, a few slots of one integer message.
const (
	ringCapacity = 8
	ringMaxMsg   = 16
	// makers is how many market makers the traders buy from.
	makers = 16
)

// oracleAccounts are the publishers' rings (owned by their strategy
// programs), the traders' vaults (likewise) and the market makers.
func (r *run) oracleAccounts() ([]bank.GenesisAccount, error) {
	sc, op := r.sc, r.sc.Oracle
	rent := sysvar.DefaultRent()
	size, ok := ring.Size(ringCapacity, ringMaxMsg)
	if !ok {
		return nil, fmt.Errorf("sim: ring of %d messages of %d bytes", ringCapacity, ringMaxMsg)
	}
	r.keeper = newKeyring(sc.Seed, "maker", makers)
	var out []bank.GenesisAccount
	for _, k := range r.keeper.pub {
		out = append(out, bank.GenesisAccount{Key: k, Account: account.Account{Lamports: sellerFunds}})
	}
	r.rings = make([]pubkey.Pubkey, op.Publishers)
	for i := range op.Publishers {
		data := make([]byte, size)
		if _, err := ring.Format(data, ringCapacity, ringMaxMsg, 1); err != nil {
			return nil, err
		}
		r.rings[i] = keyFor(sc.Seed, "ring", i).pub
		out = append(out, bank.GenesisAccount{Key: r.rings[i], Account: account.Account{
			Lamports: rent.MinimumBalance(size), Data: data, Owner: r.programs[r.strategyOf[i]]}})
	}
	r.vaults = make([]pubkey.Pubkey, sc.Agents)
	for i := op.Publishers; i < sc.Agents; i++ {
		r.vaults[i] = keyFor(sc.Seed, "vault", i).pub
		out = append(out, bank.GenesisAccount{Key: r.vaults[i], Account: account.Account{
			Lamports: sc.Budget, Owner: r.programs[r.strategyOf[i]]}})
	}
	return out, nil
}

// oracleRound runs one round: the true price moves; every publisher's
// program publishes its price to its ring; every trader's program reads
// the latest prices of a few publishers (peeking their rings), estimates
// the price and buys a unit from a market maker at its estimate when the
// unit is worth more to it.
func (r *run) oracleRound(round int) error {
	sc, op := r.sc, r.sc.Oracle
	g := r.rng(round, 1)
	if round == 0 {
		r.truePrice = op.PriceStart
	} else {
		step := r.truePrice * op.Volatility / 100
		r.truePrice = r.truePrice - step + g.Uint64N(2*step+1)
	}
	price := r.truePrice
	traders := sc.Agents - op.Publishers
	sources := make([][]int, traders)
	values := make([]uint64, traders)
	for i := range traders {
		sources[i] = g.Perm(op.Publishers)[:op.Sources]
		values[i] = price/2 + g.Uint64N(price+1) // worth half to one and a half the price
	}
	noise := make([]uint64, op.Publishers)
	for i := range noise {
		noise[i] = g.Uint64()
	}
	var state []pubkey.Pubkey
	if round == 0 {
		state = append(append(state, r.rings...), r.vaults[op.Publishers:]...)
	}
	touched := r.touchedAccounts(state)
	before, err := r.balances(touched)
	if err != nil {
		return err
	}
	r.progress.startRound(round, sc.Rounds, "oracle")
	stats := RoundStats{Round: round, Kind: "oracle", Counters: map[string]int64{"true_price": int64(price)}}
	tr := sched.NewTrace()
	r.schedule(tr)
	defer r.schedule(nil)

	if _, err := r.phase(&stats, op.Publishers, primRing, func(i int) txSpec {
		data := make([]byte, 24)
		binary.LittleEndian.PutUint64(data[8:], price)
		binary.LittleEndian.PutUint64(data[16:], noise[i])
		return r.agentTx(i, data, signerW(r.agents.pub[i]), writable(r.rings[i]))
	}); err != nil {
		return err
	}
	trades, err := r.phase(&stats, traders, primRing, func(i int) txSpec {
		a := op.Publishers + i
		data := make([]byte, 24)
		data[0] = 1
		binary.LittleEndian.PutUint64(data[8:], values[i])
		binary.LittleEndian.PutUint64(data[16:], uint64(op.Sources))
		accts := []txn.AccountMeta{signerW(r.agents.pub[a]), writable(r.vaults[a]), writable(r.keeper.pub[i%makers])}
		for _, p := range sources[i] {
			accts = append(accts, txn.AccountMeta{Pubkey: r.rings[p]})
		}
		return r.agentTx(a, data, accts...)
	})
	if err != nil {
		return err
	}
	payoff := make([]int64, len(sc.Strategies))
	won := make([]int64, len(sc.Strategies))
	for i, o := range trades.txs {
		if o.failed || o.dropped || len(o.ret) < 8 {
			continue
		}
		paid := binary.LittleEndian.Uint64(o.ret)
		if paid == 0 {
			continue
		}
		s := r.strategyOf[op.Publishers+i]
		stats.ItemsSold++
		stats.Revenue += paid
		stats.Welfare += values[i] - min(values[i], price)
		payoff[s] += int64(values[i]) - int64(paid)
		won[s]++
		if paid > price {
			stats.Counters["overpaid"]++
			stats.Counters["overpaid_lamports"] += int64(paid - price)
		}
	}
	stats.Counters["trades"] = int64(stats.ItemsSold)
	if stats.ItemsSold > 0 {
		stats.PricePerItem = stats.Revenue / stats.ItemsSold
	}
	stats.StrategyPayoff, stats.StrategyWins = payoff, won
	stats.LaneBusy = laneBusy(tr, r.lanes, time.Duration(stats.Seconds*float64(time.Second)))
	r.time.addTrace(tr)
	return r.closeRound(&stats, touched, before)
}
