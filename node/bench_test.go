package node

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
)

// BenchmarkSendTransaction times sendTransaction's whole path (decoding,
// signature check, history lookup, preflight simulation, queueing) next
// to its baseline in the same run: signing and checking the same
// transaction (svm.Check) alone.
func BenchmarkSendTransaction(b *testing.B) {
	e := newEnv(b, Config{MempoolSize: 1 << 30})
	alice := txn.PubkeyOf(e.alice)
	h := e.bank.LatestBlockhash()
	next := 0
	sign := func() *txn.Transaction {
		next++
		m, _ := txn.Compile(alice, []txn.Instruction{system.Transfer(alice, e.bob, uint64(next))}, h)
		tx, _ := txn.Sign(m, e.alice)
		return tx
	}
	b.Run("baseline=sign+check", func(b *testing.B) {
		for b.Loop() {
			if err := svm.Check(sign()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sendTransaction", func(b *testing.B) {
		for b.Loop() {
			tx := sign()
			body := `{"jsonrpc":"2.0","id":1,"method":"sendTransaction","params":["` + base64.StdEncoding.EncodeToString(tx.Encode()) + `",{"encoding":"base64"}]}`
			var r rpcReply
			if err := json.Unmarshal(e.srv.HandleBody([]byte(body)), &r); err != nil || r.Error != nil {
				b.Fatal(err, r.Error)
			}
		}
	})
	b.Run("getBalance", func(b *testing.B) {
		body := []byte(`{"jsonrpc":"2.0","id":1,"method":"getBalance","params":["` + alice.String() + `"]}`)
		for b.Loop() {
			if out := e.srv.HandleBody(body); len(out) == 0 {
				b.Fatal("no answer")
			}
		}
	})
}
