package abci

import (
	"context"
	"fmt"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
)

// BenchmarkCheckTx is the mempool's admission of a transfer, against its
// signature check alone (svm.Check, most of the work) in the same run.
func BenchmarkCheckTx(b *testing.B) {
	a := newTestApp(b, 1, sched.Limits{})
	raw := transfer(b, testKey(1), txn.PubkeyOf(testKey(50)), 1_000_000, a.Bank().LatestBlockhash())
	ctx := context.Background()
	b.Run("svm.Check", func(b *testing.B) {
		for b.Loop() {
			tx, _ := txn.Decode(raw)
			if svm.Check(tx) != nil {
				b.Fatal("rejected")
			}
		}
	})
	b.Run("CheckTx", func(b *testing.B) {
		for b.Loop() {
			if r, _ := a.CheckTx(ctx, &abcitypes.CheckTxRequest{Tx: raw, Type: abcitypes.CHECK_TX_TYPE_CHECK}); r.Code != CodeOK {
				b.Fatal(r.Log)
			}
		}
	})
}

// BenchmarkFinalizeBlock executes a block of 256 independent transfers
// (without committing it) on one lane and on four.
func BenchmarkFinalizeBlock(b *testing.B) {
	for _, lanes := range []int{1, 4} {
		b.Run(fmt.Sprintf("lanes=%d", lanes), func(b *testing.B) {
			a := newTestApp(b, lanes, sched.Limits{})
			bh := a.Bank().LatestBlockhash()
			var txs [][]byte
			for i := range 256 {
				txs = append(txs, transfer(b, testKey(byte(1+i%8)), txn.PubkeyOf(testKey(byte(100+i%100))), 1_000_000+uint64(i), bh))
			}
			req := &abcitypes.FinalizeBlockRequest{Txs: txs, Height: 1, Time: genesisTime.Add(time.Second)}
			for b.Loop() {
				if _, err := a.FinalizeBlock(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(txs))*float64(b.N)/b.Elapsed().Seconds(), "tx/s")
		})
	}
}
