package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/agora-vm/agora/ext/econ"
	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/computebudget"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

// escrowJob is one client hiring one provider in a round.
type escrowJob struct {
	client, provider int
	value            uint64 // what the work is worth to the client
	task             [32]byte
	noise            uint64
	escrow           pubkey.Pubkey
	bump             uint8
	claimed          [32]byte // the provider's result
	done             bool     // the result is right
}

// escrowRound runs one round of the escrow scenario: agents are paired
// as client and provider; the client deposits the price in an escrow
// (its program calls agora_escrow_create), the provider does the job or
// not (sha256 iterations, in its program), the client's program checks
// the result and releases, or disputes; escrows not released are
// refunded after their timeout.
func (r *run) escrowRound(round int) error {
	sc, ep := r.sc, r.sc.Escrow
	pairs := sc.Agents / 2
	perBlock := sc.TxsBlock
	blocks := (pairs + perBlock - 1) / perBlock
	timeout := uint64(4*blocks + 6)

	perm := r.rng(round, 1).Perm(sc.Agents)
	g := r.rng(round, 2)
	jobs := make([]escrowJob, pairs)
	var keys []pubkey.Pubkey
	for i := range jobs {
		j := &jobs[i]
		j.client, j.provider = perm[2*i], perm[2*i+1]
		j.value = ep.Price + g.Uint64N(ep.Price+1)
		binary.LittleEndian.PutUint64(j.task[:], g.Uint64())
		binary.LittleEndian.PutUint64(j.task[8:], g.Uint64())
		binary.LittleEndian.PutUint64(j.task[16:], g.Uint64())
		binary.LittleEndian.PutUint64(j.task[24:], g.Uint64())
		j.noise = g.Uint64()
		j.escrow, j.bump = econ.EscrowAddress(r.agents.pub[j.client], uint64(round))
		keys = append(keys, j.escrow)
	}
	touched := r.touchedAccounts(keys)
	before, err := r.balances(touched)
	if err != nil {
		return err
	}
	r.progress.startRound(round, sc.Rounds, "escrow")
	stats := RoundStats{Round: round, Kind: "escrow", Counters: map[string]int64{}}
	tr := sched.NewTrace()
	r.schedule(tr)
	defer r.schedule(nil)

	agentTx := func(agent int, data []byte, accts ...txn.AccountMeta) txSpec {
		ix := txn.Instruction{ProgramID: r.programs[r.strategyOf[agent]], Data: data, Accounts: accts}
		return txSpec{ixs: []txn.Instruction{computebudget.SetComputeUnitLimit(sc.CULimit), ix}, signers: r.agents.keys[agent : agent+1]}
	}
	signerW := func(k pubkey.Pubkey) txn.AccountMeta {
		return txn.AccountMeta{Pubkey: k, IsSigner: true, IsWritable: true}
	}
	w := func(k pubkey.Pubkey) txn.AccountMeta { return txn.AccountMeta{Pubkey: k, IsWritable: true} }

	// Hire.
	hired, err := r.phase(&stats, pairs, primEscrow, func(i int) txSpec {
		j := &jobs[i]
		data := make([]byte, 56) // the program reads a task at 16..48 in every mode
		data[1] = j.bump
		binary.LittleEndian.PutUint64(data[8:], uint64(round))
		binary.LittleEndian.PutUint64(data[16:], ep.Price)
		binary.LittleEndian.PutUint64(data[24:], timeout)
		return agentTx(j.client, data, signerW(r.agents.pub[j.client]), w(j.escrow), w(r.agents.pub[j.provider]))
	})
	if err != nil {
		return err
	}
	// Work: the provider's program returns its result.
	work, err := r.phase(&stats, pairs, primBytecode, func(i int) txSpec {
		j := &jobs[i]
		data := make([]byte, 56)
		data[0] = 1
		binary.LittleEndian.PutUint64(data[8:], ep.Iterations)
		copy(data[16:], j.task[:])
		binary.LittleEndian.PutUint64(data[48:], j.noise)
		return agentTx(j.provider, data, signerW(r.agents.pub[j.provider]))
	})
	if err != nil {
		return err
	}
	want := make([][32]byte, pairs)
	parallelFor(pairs, func(i int) { want[i] = jobResult(jobs[i].task, ep.Iterations) })
	for i := range jobs {
		copy(jobs[i].claimed[:], work.txs[i].ret)
		jobs[i].done = jobs[i].claimed == want[i]
	}
	// Judge: the client's program checks the result and releases.
	if _, err := r.phase(&stats, pairs, primEscrow, func(i int) txSpec {
		j := &jobs[i]
		data := make([]byte, 80)
		data[0] = 2
		binary.LittleEndian.PutUint64(data[8:], ep.Iterations)
		copy(data[16:], j.task[:])
		copy(data[48:], j.claimed[:])
		return agentTx(j.client, data, w(j.escrow), signerW(r.agents.pub[j.client]), w(r.agents.pub[j.provider]))
	}); err != nil {
		return err
	}
	// Refunds: every escrow still open, after its timeout, by the keeper.
	// A hire the economics program refused (the client cannot pay) left
	// no escrow.
	exists := make([]bool, pairs)
	var open []int
	for i, j := range jobs {
		if hired.txs[i].failed {
			continue
		}
		acct, err := r.chain.Account(j.escrow)
		if err != nil {
			return err
		}
		if exists[i] = acct.Exists(); !exists[i] {
			continue
		}
		e, err := r.escrow(j.escrow)
		if err != nil {
			return err
		}
		if e.Status == econ.EscrowFunded {
			open = append(open, i)
		}
		if err := waitUntil(r.chain, &r.clock, e.TimeoutSlot); err != nil {
			return err
		}
	}
	if _, err := r.phase(&stats, len(open), primEscrow, func(k int) txSpec {
		j := &jobs[open[k]]
		return txSpec{ixs: []txn.Instruction{computebudget.SetComputeUnitLimit(2_000),
			econ.NewEscrowRefund(j.escrow, r.agents.pub[j.client], r.agents.pub[j.provider])}, signers: r.keeper.keys[:1]}
	}); err != nil {
		return err
	}

	// Outcomes.
	payoff := make([]int64, len(sc.Strategies))
	won := make([]int64, len(sc.Strategies))
	for i, j := range jobs {
		if !exists[i] {
			stats.Counters["hire_refused"]++
			continue
		}
		stats.Counters["jobs"]++
		e, err := r.escrow(j.escrow)
		if err != nil {
			return err
		}
		cs, ps := r.strategyOf[j.client], r.strategyOf[j.provider]
		if j.done {
			stats.Counters["delivered"]++
			stats.Welfare += j.value
			payoff[cs] += int64(j.value)
		}
		switch e.Status {
		case econ.EscrowReleased:
			stats.Counters["released"]++
			stats.Revenue += e.AmountA
			stats.ItemsSold++
			payoff[cs] -= int64(e.AmountA)
			payoff[ps] += int64(e.AmountA)
			won[ps]++
		case econ.EscrowRefunded:
			stats.Counters["refunded"]++
			if j.done {
				stats.Counters["disputed"]++
			}
		}
	}
	if stats.ItemsSold > 0 {
		stats.PricePerItem = stats.Revenue / stats.ItemsSold
	}
	stats.StrategyPayoff, stats.StrategyWins = payoff, won
	stats.LaneBusy = laneBusy(tr, r.lanes, time.Duration(stats.Seconds*float64(time.Second)))
	r.time.addTrace(tr)
	return r.closeRound(&stats, touched, before)
}

// jobResult is the right answer to a job: sha256 applied n times.
func jobResult(task [32]byte, n uint64) [32]byte {
	h := task
	for range n {
		h = sha256.Sum256(h[:])
	}
	return h
}

// escrow reads and decodes an escrow account.
func (r *run) escrow(addr pubkey.Pubkey) (*econ.Escrow, error) {
	acct, err := r.chain.Account(addr)
	if err != nil {
		return nil, err
	}
	e, err := econ.DecodeEscrow(acct.Data)
	if err != nil {
		return nil, fmt.Errorf("sim: escrow %s: %w", addr, err)
	}
	return e, nil
}
