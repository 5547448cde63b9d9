package sim

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/agora-vm/agora/sched"
	"math/big"
	"slices"
	"strings"

	"github.com/agora-vm/agora/solana/pubkey"
)

// RoundStats is what one round did. Every field but the timings is a
// deterministic function of the scenario and the seed.
type RoundStats struct {
	Round int    `json:"round"`
	Kind  string `json:"kind"`
	Txs   int    `json:"txs"`
	// Failed counts transactions that failed (their fee still paid);
	// Dropped those left out of their block (rejected before the fee).
	Failed  int    `json:"failed"`
	Dropped int    `json:"dropped"`
	Blocks  int    `json:"blocks"`
	CU      uint64 `json:"cu"`
	// CUBy is the CU of the round's transactions by the primitive they
	// exercise.
	CUBy map[string]uint64 `json:"cu_by_primitive"`
	Fees uint64            `json:"fees"`
	// Welfare is the winners' true values; Revenue what the sellers got.
	Welfare      uint64 `json:"welfare"`
	Revenue      uint64 `json:"revenue"`
	ItemsSold    uint64 `json:"items_sold"`
	PricePerItem uint64 `json:"price_per_item"`
	// StrategyPayoff is, per strategy, the winners' true values less
	// what they paid, summed over its agents; StrategyWins counts wins.
	StrategyPayoff []int64 `json:"strategy_payoff"`
	StrategyWins   []int64 `json:"strategy_wins"`
	// StrategyScore is, per strategy, its agents' mean reputation after
	// the round, in thousandths (reputation scenario).
	StrategyScore []int64 `json:"strategy_score_milli,omitempty"`
	// Slashed is the stake slashed in the round.
	Slashed uint64 `json:"slashed"`
	// Counters are the scenario's own counts (jobs, disputes, slashes...).
	Counters map[string]int64 `json:"counters,omitempty"`
	// Gini is the Gini coefficient of the agents' lamports after the
	// round, in millionths.
	GiniMicro uint64 `json:"gini_micro"`
	// TotalLamports is the economy's lamports after the round: every
	// account the scenario's transactions can write, plus every fee
	// burned so far. Conservation means it never changes.
	TotalLamports uint64 `json:"total_lamports"`
	Conserved     bool   `json:"conserved"`
	// Lanes utilisation: the share of the round's wall time each lane
	// was busy, in percent (timing, not deterministic).
	LaneBusy []float64 `json:"lane_busy_percent,omitempty"`
	Seconds  float64   `json:"seconds"`
	TPS      float64   `json:"tps"`
}

// touchedAccounts lists every account a round can write: the agents, the
// scenario's own accounts and the state accounts of this round and the
// earlier ones, sorted. The list of the earlier rounds is kept sorted, so
// a round merges its own accounts in instead of sorting them all again.
func (r *run) touchedAccounts(state []pubkey.Pubkey) []pubkey.Pubkey {
	if r.known == nil {
		out := make([]pubkey.Pubkey, 0, len(r.agents.pub)+len(state))
		out = append(out, r.agents.pub...)
		if r.sellers != nil {
			out = append(out, r.sellers.pub...)
		}
		if r.keeper != nil {
			out = append(out, r.keeper.pub...)
		}
		slices.SortFunc(out, comparePubkeys)
		r.known = slices.Compact(out)
	}
	add := slices.SortedFunc(slices.Values(state), comparePubkeys)
	out := make([]pubkey.Pubkey, 0, len(r.known)+len(add))
	i, j := 0, 0
	for i < len(r.known) || j < len(add) {
		var k pubkey.Pubkey
		switch {
		case j == len(add) || (i < len(r.known) && comparePubkeys(r.known[i], add[j]) <= 0):
			k = r.known[i]
			i++
		default:
			k = add[j]
			j++
		}
		if n := len(out); n == 0 || out[n-1] != k {
			out = append(out, k)
		}
	}
	r.known = out
	return out
}

func comparePubkeys(a, b pubkey.Pubkey) int { return bytes.Compare(a[:], b[:]) }

// agentsByKey returns the agents' indices in the order of their keys,
// found once.
func (r *run) agentsByKey() []int {
	if r.byKey == nil {
		r.byKey = make([]int, len(r.agents.pub))
		for i := range r.byKey {
			r.byKey[i] = i
		}
		slices.SortFunc(r.byKey, func(a, b int) int { return comparePubkeys(r.agents.pub[a], r.agents.pub[b]) })
	}
	return r.byKey
}

// agentOf returns the index of the agent with key k.
func (r *run) agentOf(k pubkey.Pubkey) (int, bool) {
	byKey := r.agentsByKey()
	i, ok := slices.BinarySearchFunc(byKey, k, func(a int, k pubkey.Pubkey) int { return comparePubkeys(r.agents.pub[a], k) })
	if !ok {
		return 0, false
	}
	return byKey[i], true
}

// balances reads the lamports of keys (sorted), in order, on all cores.
// The lamports of a key the last call read, at the same head, are taken
// from that call: a round starts where the last one's check ended.
func (r *run) balances(keys []pubkey.Pubkey) ([]uint64, error) {
	out := make([]uint64, len(keys))
	errs := make([]error, len(keys))
	head := r.chain.Head()
	known := make([]bool, len(keys))
	if last := &r.lastBalances; last.keys != nil && last.head == head.Hash {
		j := 0
		for i, k := range keys {
			for j < len(last.keys) && slices.Compare(last.keys[j][:], k[:]) < 0 {
				j++
			}
			if j < len(last.keys) && last.keys[j] == k {
				out[i], known[i] = last.lamports[j], true
			}
		}
	}
	parallelFor(len(keys), func(i int) {
		if !known[i] {
			a, err := r.chain.Account(keys[i])
			out[i], errs[i] = a.Lamports, err
		}
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	r.lastBalances = balanceSet{head: head.Hash, keys: keys, lamports: out}
	return out, nil
}

// balanceSet is what balances last read: keys (sorted) and their
// lamports at the block with hash head.
type balanceSet struct {
	head     [32]byte
	keys     []pubkey.Pubkey
	lamports []uint64
}

// phase runs n transactions built by build, in blocks, and books their
// CU, fees and counts under the primitive tag.
func (r *run) phase(stats *RoundStats, n int, tag primitive, build func(i int) txSpec) (*phaseOutcome, error) {
	out, err := runPhase(r.chain, &r.clock, n, build, r.sc.TxsBlock, r.progress.blockDone)
	if err != nil {
		return nil, err
	}
	if stats.CUBy == nil {
		stats.CUBy = map[string]uint64{}
	}
	for _, o := range out.txs {
		stats.Txs++
		switch {
		case o.dropped:
			stats.Dropped++
			continue
		case o.failed:
			stats.Failed++
		}
		stats.CU += o.cu
		stats.CUBy[tag.String()] += o.cu
		stats.Fees += o.fee
	}
	stats.Blocks += out.blocks
	stats.Seconds += out.wall.Seconds()
	r.time.vm += out.vm
	r.time.store += out.store
	r.time.build += out.build
	r.time.phases += out.wall
	return out, nil
}

// closeRound checks conservation over the accounts the round could write
// and records the round.
func (r *run) closeRound(stats *RoundStats, touched []pubkey.Pubkey, before []uint64) error {
	after, err := r.balances(touched)
	if err != nil {
		return err
	}
	var pre, post uint64
	for i := range touched {
		pre += before[i]
		post += after[i]
	}
	r.fees += stats.Fees
	stats.Conserved = pre == post+stats.Fees
	if !stats.Conserved {
		r.conserved = false
	}
	if len(r.rounds) == 0 {
		r.economy = pre + r.fees - stats.Fees
	}
	stats.TotalLamports = r.economy + post - pre + stats.Fees
	r.economy = stats.TotalLamports
	// The agents are among the accounts just read: walk both in key
	// order (the Gini coefficient does not depend on the order).
	agents := make([]uint64, 0, len(r.agents.pub))
	i := 0
	for _, a := range r.agentsByKey() {
		k := r.agents.pub[a]
		for i < len(touched) && comparePubkeys(touched[i], k) < 0 {
			i++
		}
		if i == len(touched) || touched[i] != k {
			return fmt.Errorf("sim: agent %s is not among the round's accounts", k)
		}
		agents = append(agents, after[i])
	}
	stats.GiniMicro = giniMicro(agents)
	if stats.Seconds > 0 {
		stats.TPS = float64(stats.Txs) / stats.Seconds
	}
	r.txs += stats.Txs
	r.failedTxs += stats.Failed
	r.droppedTxs += stats.Dropped
	r.rounds = append(r.rounds, *stats)
	return nil
}

// giniMicro is the Gini coefficient of xs in millionths, in integers:
// G = Σ_i (2i − n − 1)·x_(i) / (n·Σx), over xs sorted ascending.
func giniMicro(xs []uint64) uint64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := int64(len(s))
	if n == 0 {
		return 0
	}
	num, sum, t := new(big.Int), new(big.Int), new(big.Int)
	for i, x := range s {
		t.SetUint64(x)
		sum.Add(sum, t)
		t.Mul(t, big.NewInt(2*int64(i+1)-n-1))
		num.Add(num, t)
	}
	if sum.Sign() == 0 {
		return 0
	}
	num.Mul(num, big.NewInt(1_000_000))
	sum.Mul(sum, big.NewInt(n))
	return num.Quo(num, sum).Uint64()
}

// Summary is a run's result: its last line with --json.
type Summary struct {
	Scenario string `json:"scenario"`
	Kind     Kind   `json:"kind"`
	Agents   int    `json:"agents"`
	Rounds   int    `json:"rounds"`
	Seed     uint64 `json:"seed"`
	Lanes    int    `json:"lanes"`
	// SigVerify says whether signatures were verified.
	SigVerify bool `json:"sigverify"`
	Txs       int  `json:"txs"`
	Failed    int  `json:"failed_txs"`
	Dropped   int  `json:"dropped_txs"`
	// Commitment is the final state commitment (the store's LtHash
	// checksum), hex.
	Commitment        string            `json:"commitment"`
	LamportsConserved bool              `json:"lamports_conserved"`
	TotalLamports     uint64            `json:"total_lamports"`
	CUBy              map[string]uint64 `json:"cu_by_primitive"`
	Welfare           uint64            `json:"welfare"`
	Revenue           uint64            `json:"revenue"`
	Strategies        []StrategySummary `json:"strategies"`
	SetupSeconds      float64           `json:"setup_seconds"`
	RoundsSeconds     float64           `json:"rounds_seconds"`
	TPS               float64           `json:"tps"`
	// TimeShare says where the rounds' time went, in percent: "vm"
	// (running programs), "store" (committing blocks), "sign" (waiting
	// for the agents to build and sign their transactions: a block's
	// signing overlaps the last block's commit), "verify" and
	// "execute" (the scheduler's admission and execution lanes, less the
	// VM, summed over lanes and scaled to the wall time), "other".
	TimeShare  map[string]float64 `json:"time_share_percent"`
	Report     string             `json:"report,omitempty"`
	RoundStats []RoundStats       `json:"-"`
}

// timeShareOrder is the order time shares are shown in.
var timeShareOrder = [...]string{"verify", "sign", "execute", "vm", "store", "other"}

// TimeShareText says where the rounds' time went, as "verify 30%, sign
// 20%, ..." in a fixed order; empty when nothing was timed.
func (s *Summary) TimeShareText() string {
	if len(s.TimeShare) == 0 {
		return ""
	}
	var b strings.Builder
	for i, k := range timeShareOrder {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %.0f%%", k, s.TimeShare[k])
	}
	return b.String()
}

// StrategySummary is a strategy's share and result.
type StrategySummary struct {
	Name   string `json:"name"`
	Agents int    `json:"agents"`
	Payoff int64  `json:"payoff"`
	Wins   int64  `json:"wins"`
}

func (r *run) summary() *Summary {
	h := r.chain.Head()
	s := &Summary{Scenario: r.sc.Name, Kind: r.sc.Kind, Agents: r.sc.Agents, Rounds: r.sc.Rounds, Seed: r.sc.Seed,
		Lanes: r.lanes, SigVerify: r.sigverify, Txs: r.txs, Failed: r.failedTxs, Dropped: r.droppedTxs,
		Commitment: fmt.Sprintf("%x", h.StateRoot), LamportsConserved: r.conserved,
		CUBy: map[string]uint64{}, SetupSeconds: r.setupTime.Seconds(), RoundsSeconds: r.roundsTime.Seconds(),
		RoundStats: r.rounds}
	for i, st := range r.sc.Strategies {
		ss := StrategySummary{Name: st.Name}
		for _, a := range r.strategyOf {
			if int(a) == i {
				ss.Agents++
			}
		}
		for _, rs := range r.rounds {
			if i < len(rs.StrategyPayoff) {
				ss.Payoff += rs.StrategyPayoff[i]
				ss.Wins += rs.StrategyWins[i]
			}
		}
		s.Strategies = append(s.Strategies, ss)
	}
	for _, rs := range r.rounds {
		for k, v := range rs.CUBy {
			s.CUBy[k] += v
		}
		s.Welfare += rs.Welfare
		s.Revenue += rs.Revenue
		s.TotalLamports = rs.TotalLamports
	}
	if r.roundsTime > 0 {
		s.TPS = float64(r.txs) / r.roundsTime.Seconds()
	}
	s.TimeShare = r.time.shares(r.roundsTime, r.lanes)
	return s
}

// timeBook adds up where a run's time goes.
type timeBook struct {
	vm, store, build, phases time.Duration
	// verify and execute are lane time, summed over lanes.
	verify, execute time.Duration
}

func (t *timeBook) addTrace(tr *sched.Trace) {
	tr.Each(func(s sched.Slice) {
		switch s.Phase {
		case "verify":
			t.verify += s.Dur
		case "execute":
			t.execute += s.Dur
		}
	})
}

func (t *timeBook) shares(total time.Duration, lanes int) map[string]float64 {
	if total <= 0 {
		return nil
	}
	pct := func(d time.Duration) float64 { return 100 * d.Seconds() / total.Seconds() }
	// Lane time is spread over the lanes; the wall time it took is about
	// its sum over the number of lanes.
	n := time.Duration(max(1, lanes))
	exec := max(0, t.execute-t.vm) / n
	out := map[string]float64{
		"vm":      pct(t.vm / n),
		"store":   pct(t.store),
		"sign":    pct(t.build),
		"verify":  pct(t.verify / n),
		"execute": pct(exec),
	}
	rest := total - t.vm/n - t.store - t.build - t.verify/n - exec
	out["other"] = pct(max(0, rest))
	return out
}
