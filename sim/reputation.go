package sim

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/agora-vm/agora/ext/econ"
	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/computebudget"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm/bank"
)

// judges is how many platform keys rate, pay and slash, so that the
// platform's transactions do not all write one account.
const judges = 16

// Ratings the platform gives.
const (
	ratingRight = 2
	ratingWrong = -5
)

// reputationAccounts are the platform's: the judges (raters, payers),
// the stake authority and the treasury that slashed stake goes to.
func (r *run) reputationAccounts() []bank.GenesisAccount {
	r.keeper = newKeyring(r.sc.Seed, "judge", judges+2)
	out := make([]bank.GenesisAccount, len(r.keeper.pub))
	for i, k := range r.keeper.pub {
		out[i] = bank.GenesisAccount{Key: k, Account: account.Account{Lamports: sellerFunds * 100}}
	}
	return out
}

func (r *run) authority() int { return judges }
func (r *run) treasury() int  { return judges + 1 }

// registry is the platform's reputation registry.
func (r *run) registry() pubkey.Pubkey {
	addr, _ := econ.RegistryAddress(r.keeper.pub[r.authority()], 0)
	return addr
}

// reputationSetup opens the registry and has every agent's program lock
// its stake.
func (r *run) reputationSetup(stats *RoundStats) error {
	rp := r.sc.Reputation
	raters := make([]econ.Rater, judges)
	for i := range raters {
		raters[i] = econ.Rater{Key: r.keeper.pub[i], Weight: 1}
	}
	ix, _ := econ.NewRegistryCreate(r.keeper.pub[r.authority()], econ.RegistryCreate{ID: 0, DecayQ16: 65536, DecayPeriod: 1,
		MinRating: ratingWrong, MaxRating: ratingRight, ScoreMin: -1_000_000, ScoreMax: 1_000_000, Raters: raters})
	out, err := r.phase(stats, 1, primReputation, func(int) txSpec {
		return txSpec{ixs: []txn.Instruction{computebudget.SetComputeUnitLimit(5_000), ix}, signers: r.keeper.keys[r.authority() : r.authority()+1]}
	})
	if err != nil {
		return err
	}
	if o := out.txs[0]; o.failed || o.dropped {
		return fmt.Errorf("sim: creating the registry: %s", o.err)
	}
	_, err = r.phase(stats, r.sc.Agents, primStake, func(i int) txSpec {
		addr, bump := econ.StakeAddress(r.agents.pub[i], 0)
		data := make([]byte, 112)
		data[0], data[1] = 3, bump
		binary.LittleEndian.PutUint64(data[16:], rp.Stake)
		binary.LittleEndian.PutUint64(data[24:], 10)
		copy(data[48:], r.keeper.pub[r.authority()][:])
		copy(data[80:], r.keeper.pub[r.treasury()][:])
		return r.agentTx(i, data, signerW(r.agents.pub[i]), writable(addr))
	})
	return err
}

// reputationRound runs one round: the platform matches jobs to the agents
// of highest reputation (ties at random), each matched agent's program
// does its job or fakes it, and the platform checks every result, rates
// the agent, pays it for right work and slashes its stake for wrong work.
func (r *run) reputationRound(round int) error {
	sc, rp := r.sc, r.sc.Reputation
	r.progress.startRound(round, sc.Rounds, "reputation")
	stats := RoundStats{Round: round, Kind: "reputation", Counters: map[string]int64{}}
	tr := sched.NewTrace()
	r.schedule(tr)
	defer r.schedule(nil)

	stakes := make([]pubkey.Pubkey, sc.Agents)
	for i := range stakes {
		stakes[i], _ = econ.StakeAddress(r.agents.pub[i], 0)
	}
	scoreKeys := make([]pubkey.Pubkey, sc.Agents)
	for i := range scoreKeys {
		scoreKeys[i], _ = econ.ScoreAddress(r.registry(), r.agents.pub[i])
	}
	var state []pubkey.Pubkey
	if round == 0 {
		reg := r.registry()
		state = append(append(append(state, reg), stakes...), scoreKeys...)
	}
	touched := r.touchedAccounts(state)
	before, err := r.balances(touched)
	if err != nil {
		return err
	}
	if round == 0 {
		if err := r.reputationSetup(&stats); err != nil {
			return err
		}
	}

	// Matching: rank by score, ties in a random order of the round.
	scores, err := r.scores(scoreKeys)
	if err != nil {
		return err
	}
	order := r.rng(round, 1).Perm(sc.Agents)
	rank := make([]int, sc.Agents)
	for pos, a := range order {
		rank[a] = pos
	}
	byRep := make([]int, sc.Agents)
	for i := range byRep {
		byRep[i] = i
	}
	slices.SortFunc(byRep, func(a, b int) int {
		if c := cmp.Compare(scores[b], scores[a]); c != 0 {
			return c
		}
		return cmp.Compare(rank[a], rank[b])
	})
	jobs := max(1, sc.Agents*rp.MatchShare/100)
	workers := byRep[:jobs]
	g := r.rng(round, 2)
	tasks := make([][32]byte, jobs)
	noise := make([]uint64, jobs)
	for i := range tasks {
		for w := 0; w < 32; w += 8 {
			binary.LittleEndian.PutUint64(tasks[i][w:], g.Uint64())
		}
		noise[i] = g.Uint64()
	}
	work, err := r.phase(&stats, jobs, primBytecode, func(i int) txSpec {
		a := workers[i]
		data := make([]byte, 56)
		data[0] = 1
		binary.LittleEndian.PutUint64(data[8:], rp.Iterations)
		copy(data[16:], tasks[i][:])
		binary.LittleEndian.PutUint64(data[48:], noise[i])
		return r.agentTx(a, data, signerW(r.agents.pub[a]))
	})
	if err != nil {
		return err
	}
	right := make([]bool, jobs)
	parallelFor(jobs, func(i int) {
		want := jobResult(tasks[i], rp.Iterations)
		right[i] = len(work.txs[i].ret) == 32 && [32]byte(work.txs[i].ret) == want
	})
	// The platform's verdicts: rate, then pay or slash.
	slash := make([]uint64, jobs)
	for i, a := range workers {
		if right[i] {
			continue
		}
		acct, err := r.chain.Account(stakes[a])
		if err != nil {
			return err
		}
		if acct.Exists() {
			st, err := econ.DecodeStake(acct.Data)
			if err != nil {
				return fmt.Errorf("sim: stake of agent %d: %w", a, err)
			}
			slash[i] = min(rp.Slash, st.Amount)
		}
	}
	if _, err := r.phase(&stats, jobs, primReputation, func(i int) txSpec {
		a, judge := workers[i], i%judges
		ixs := []txn.Instruction{computebudget.SetComputeUnitLimit(5_000)}
		if right[i] {
			ixs = append(ixs, econ.NewReputationUpdate(r.registry(), r.keeper.pub[judge], r.agents.pub[a], ratingRight),
				system.Transfer(r.keeper.pub[judge], r.agents.pub[a], rp.Pay))
		} else {
			ixs = append(ixs, econ.NewReputationUpdate(r.registry(), r.keeper.pub[judge], r.agents.pub[a], ratingWrong))
			if slash[i] > 0 {
				evidence := sha256.Sum256(work.txs[i].ret)
				ixs = append(ixs, econ.NewStakeSlash(stakes[a], r.keeper.pub[r.authority()], r.keeper.pub[r.treasury()], slash[i], evidence))
			}
		}
		signers := r.keeper.keys[judge : judge+1]
		if !right[i] && slash[i] > 0 {
			signers = append(signers[:1:1], r.keeper.keys[r.authority()])
		}
		return txSpec{ixs: ixs, signers: signers}
	}); err != nil {
		return err
	}

	// Outcomes.
	payoff := make([]int64, len(sc.Strategies))
	won := make([]int64, len(sc.Strategies))
	for i, a := range workers {
		s := r.strategyOf[a]
		stats.Counters["jobs"]++
		if right[i] {
			stats.Counters["right"]++
			stats.Welfare += rp.Value
			stats.Revenue += rp.Pay
			stats.ItemsSold++
			payoff[s] += int64(rp.Pay)
			won[s]++
		} else {
			stats.Counters["wrong"]++
			stats.Slashed += slash[i]
			payoff[s] -= int64(slash[i])
		}
	}
	stats.Counters["slashed_lamports"] = int64(stats.Slashed)
	if stats.ItemsSold > 0 {
		stats.PricePerItem = stats.Revenue / stats.ItemsSold
	}
	after, err := r.scores(scoreKeys)
	if err != nil {
		return err
	}
	stats.StrategyScore = make([]int64, len(sc.Strategies))
	count := make([]int64, len(sc.Strategies))
	for a, v := range after {
		stats.StrategyScore[r.strategyOf[a]] += v
		count[r.strategyOf[a]]++
	}
	for s := range count {
		if count[s] > 0 {
			stats.StrategyScore[s] = stats.StrategyScore[s] * 1000 / count[s]
		}
	}
	stats.StrategyPayoff, stats.StrategyWins = payoff, won
	stats.LaneBusy = laneBusy(tr, r.lanes, time.Duration(stats.Seconds*float64(time.Second)))
	r.time.addTrace(tr)
	return r.closeRound(&stats, touched, before)
}

// scores reads every agent's reputation (0 when never rated).
func (r *run) scores(keys []pubkey.Pubkey) ([]int64, error) {
	out := make([]int64, len(keys))
	for i, k := range keys {
		acct, err := r.chain.Account(k)
		if err != nil {
			return nil, err
		}
		if !acct.Exists() {
			continue
		}
		s, err := econ.DecodeScore(acct.Data)
		if err != nil {
			return nil, fmt.Errorf("sim: score %s: %w", k, err)
		}
		out[i] = s.Value
	}
	return out, nil
}

// agentTx is a transaction of agent's strategy program, with the
// scenario's compute-unit limit.
func (r *run) agentTx(agent int, data []byte, accts ...txn.AccountMeta) txSpec {
	ix := txn.Instruction{ProgramID: r.programs[r.strategyOf[agent]], Data: data, Accounts: accts}
	return txSpec{ixs: []txn.Instruction{computebudget.SetComputeUnitLimit(r.sc.CULimit), ix}, signers: r.agents.keys[agent : agent+1]}
}

func signerW(k pubkey.Pubkey) txn.AccountMeta {
	return txn.AccountMeta{Pubkey: k, IsSigner: true, IsWritable: true}
}
func writable(k pubkey.Pubkey) txn.AccountMeta { return txn.AccountMeta{Pubkey: k, IsWritable: true} }
