package sim

import (
	"context"
	"testing"
)

// BenchmarkMarketRound times one market round of 2,000 agents on the
// Pebble store, per transaction.
func BenchmarkMarketRound(b *testing.B) {
	sc, err := LoadScenario("../examples/sim/market.yaml")
	if err != nil {
		b.Fatal(err)
	}
	var txs int
	for b.Loop() {
		s, err := Run(context.Background(), sc, Options{Agents: 2000, Rounds: 1, StoreDir: b.TempDir(), SigVerify: true})
		if err != nil {
			b.Fatal(err)
		}
		txs += s.Txs
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(txs), "ns/tx")
}
