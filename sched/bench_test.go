package sched_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

// BenchmarkExecute executes one block of 256 transfers (admission with
// signature checks, packing, execution; no store) at 1 lane, the serial
// baseline, and at 2 and 4: independent transfers, and transfers that
// all write one account.
func BenchmarkExecute(b *testing.B) {
	state := mapState{}
	hot := pk(key(8, 0))
	state[hot] = account.Account{Lamports: 1_000_000_000}
	blocks := map[string][]*txn.Transaction{}
	for i := range 256 {
		u := key(7, i)
		state[pk(u)] = account.Account{Lamports: 1_000_000_000}
		blocks["independent"] = append(blocks["independent"], signed(b, u, system.Transfer(pk(u), pk(key(6, i)), 1_000_000)))
		blocks["hot-account"] = append(blocks["hot-account"], signed(b, u, system.Transfer(pk(u), hot, 1_000_000)))
	}
	ex, env := plainEnv(b, state)
	for _, name := range []string{"independent", "hot-account"} {
		for _, lanes := range []int{1, 2, 4} {
			s := sched.New(ex, sched.Config{Lanes: lanes})
			blk := &sched.Block{Txs: blocks[name], State: state, Env: env}
			b.Run(fmt.Sprintf("%s/lanes=%d", name, lanes), func(b *testing.B) {
				for b.Loop() {
					out, err := s.Execute(context.Background(), blk)
					if err != nil || len(out.Signatures) != 256 {
						b.Fatalf("%v", err)
					}
				}
				b.ReportMetric(float64(256*b.N)/b.Elapsed().Seconds(), "tx/s")
			})
		}
	}
}
