package bench

import (
	"context"
	"path/filepath"
	"testing"
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
