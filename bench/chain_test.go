package bench

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/agora-vm/agora/internal/testutil"
	"github.com/agora-vm/agora/vm"
	"github.com/agora-vm/agora/vm/jit"
)

func TestBenchChain(t *testing.T) {
	for _, dir := range []string{"", filepath.Join(t.TempDir(), "db")} {
		f, err := BenchChain(context.Background(), ChainOptions{Dir: dir, Blocks: 3, TxsPerBlock: 20, Accounts: 8})
		if err != nil {
			t.Fatal(err)
		}
		if f.Transactions != 60 || f.TPS <= 0 || f.VMShare <= 0 || f.StoreShare <= 0 || f.RuntimeShare <= 0 {
			t.Fatalf("%+v", f)
		}
		t.Logf("%+v", f)
	}
}

func BenchmarkChainTransfer(b *testing.B) {
	for b.Loop() {
		if _, err := BenchChain(context.Background(), ChainOptions{Blocks: 4, TxsPerBlock: 64}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBenchChainEngines(t *testing.T) {
	o := ChainEngineOptions{Blocks: 2, TxsPerBlock: 4, Rounds: 2, SPLTokenMissing: "no ELF in this test"}
	if path := os.Getenv(testutil.SPLTokenEnv); path != "" {
		o.SPLToken = testutil.SPLToken(t)
	}
	figs, err := BenchChainEngines(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != len(ChainEngineWorkloads) {
		t.Fatalf("%d figures, want %d", len(figs), len(ChainEngineWorkloads))
	}
	for i, f := range figs {
		t.Logf("%+v", f)
		if f.Workload != ChainEngineWorkloads[i] {
			t.Fatalf("figure %d is %q", i, f.Workload)
		}
		if f.Skipped != "" {
			if f.Workload != "spl-token-transfer" || o.SPLToken != nil || f.Identical {
				t.Fatalf("skipped %+v", f)
			}
			continue
		}
		if !f.Identical || !f.JITCompiled || f.Transactions != 8 || f.InterpUsPerTx <= 0 || f.JITUsPerTx <= 0 || f.CUPerTx == 0 {
			t.Fatalf("%+v", f)
		}
	}
	if figs[1].CUPerTx < 100_000 || figs[1].CUPerTx > 110_000 {
		t.Fatalf("compute workload: %d CU per transaction, want about 100k", figs[1].CUPerTx)
	}
}

// BenchmarkChainEngines times a compute-100k block through the bank on
// each engine, per transaction (the interpreter is the baseline of the same run).
func BenchmarkChainEngines(b *testing.B) {
	for _, e := range []struct {
		name   string
		engine vm.Engine
	}{{"interp", vm.Interpreter{}}, {"jit", jit.Engine{}}} {
		b.Run(e.name, func(b *testing.B) {
			w, err := newEngineWorld("compute-100k", 16, ChainEngineOptions{})
			if err != nil {
				b.Fatal(err)
			}
			var timed time.Duration
			var txs int
			for b.Loop() {
				r, err := w.round(context.Background(), e.engine, 1)
				if err != nil {
					b.Fatal(err)
				}
				timed += r.elapsed
				txs += r.txs
			}
			// ns/op includes building the chain; this is the timed block's.
			b.ReportMetric(float64(timed.Nanoseconds())/1e3/float64(max(txs, 1)), "us/tx")
		})
	}
}
