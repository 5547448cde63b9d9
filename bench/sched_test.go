package bench

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkSched runs each scheduler workload at 1 lane (the serial
// baseline) and at 2 and 4, reporting transactions per second.
func BenchmarkSched(b *testing.B) {
	for _, name := range SchedWorkloads {
		w, err := newSchedWorld(name, 256)
		if err != nil {
			b.Fatal(err)
		}
		for _, lanes := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("%s/lanes=%d", name, lanes), func(b *testing.B) {
				var total time.Duration
				var txs int
				for b.Loop() {
					d, _, n, _, err := w.round(context.Background(), name, lanes, 4, 256)
					if err != nil {
						b.Fatal(err)
					}
					total += d
					txs += n
				}
				b.ReportMetric(float64(txs)/total.Seconds(), "tx/s")
			})
		}
	}
}

// TestBenchSchedRuns keeps the benchmark's workloads working: every
// transaction succeeds and the figures are positive.
func TestBenchSchedRuns(t *testing.T) {
	figs, err := BenchSched(context.Background(), SchedOptions{Lanes: []int{2}, Blocks: 1, TxsPerBlock: 16})
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 2*len(SchedWorkloads) {
		t.Fatalf("%d figures", len(figs))
	}
	for _, f := range figs {
		if f.TPS <= 0 || f.Speedup <= 0 || (f.Lanes == 1 && f.Speedup != 1) {
			t.Fatalf("bad figure %+v", f)
		}
		if f.Name == "compute" && (f.CUPerTx < 95_000 || f.CUPerTx > 105_000) {
			t.Fatalf("compute transactions take %d CU, want about 100k", f.CUPerTx)
		}
	}
}
