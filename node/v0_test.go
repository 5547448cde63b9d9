package node

import (
	"testing"

	"github.com/agora-vm/agora/solana/alt"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

// TestV0ThroughRPC: a v0 transaction with a lookup table goes through
// sendTransaction and simulateTransaction, and getTransaction reports it
// as version 0 with its loaded addresses, only to clients that ask for
// version 0 (-32015 otherwise, as Agave answers).
func TestV0ThroughRPC(t *testing.T) {
	e := newEnv(t, Config{})
	alice := txn.PubkeyOf(e.alice)
	send := func(ixs ...txn.Instruction) {
		t.Helper()
		m, err := txn.Compile(alice, ixs, e.bank.LatestBlockhash())
		if err != nil {
			t.Fatal(err)
		}
		tx, _ := txn.Sign(m, e.alice)
		e.ok(nil, "sendTransaction", b64(tx), map[string]any{"encoding": "base64"})
		e.produce()
	}
	e.produce()
	create, table := alt.Create(alice, alice, e.bank.Head().Height)
	send(create)
	dests := []pubkey.Pubkey{{0xd1}, {0xd2}}
	send(alt.Extend(table, alice, alice, dests))
	e.produce() // the extension is usable from the next slot

	m, err := txn.CompileV0(alice, []txn.Instruction{system.Transfer(alice, dests[0], 2_000_000), system.Transfer(alice, dests[1], 3_000_000)},
		[]txn.LookupTableAccount{{Key: table, Addresses: dests}}, e.bank.LatestBlockhash())
	if err != nil {
		t.Fatal(err)
	}
	tx, _ := txn.Sign(m, e.alice)
	var sim withContext[struct {
		Err      any              `json:"err"`
		Accounts []map[string]any `json:"accounts"`
	}]
	e.ok(&sim, "simulateTransaction", b64(tx), map[string]any{"encoding": "base64", "accounts": map[string]any{"addresses": []string{dests[1].String()}}})
	if sim.Value.Err != nil || sim.Value.Accounts[0]["lamports"].(float64) != 3_000_000 {
		t.Fatalf("simulated v0: %+v", sim.Value)
	}
	e.ok(nil, "sendTransaction", b64(tx), map[string]any{"encoding": "base64"})
	e.produce()

	var got struct {
		Version     any `json:"version"`
		Transaction struct {
			Message struct {
				AddressTableLookups []struct {
					AccountKey      string `json:"accountKey"`
					WritableIndexes []int  `json:"writableIndexes"`
				} `json:"addressTableLookups"`
			} `json:"message"`
		} `json:"transaction"`
		Meta struct {
			LoadedAddresses struct {
				Writable []string `json:"writable"`
				Readonly []string `json:"readonly"`
			} `json:"loadedAddresses"`
			PostBalances []uint64 `json:"postBalances"`
		} `json:"meta"`
	}
	e.ok(&got, "getTransaction", tx.ID().String(), map[string]any{"maxSupportedTransactionVersion": 0})
	l := got.Meta.LoadedAddresses
	if got.Version != float64(0) || len(l.Writable) != 2 || l.Writable[1] != dests[1].String() || len(l.Readonly) != 0 ||
		got.Transaction.Message.AddressTableLookups[0].AccountKey != table.String() || got.Meta.PostBalances[len(got.Meta.PostBalances)-1] != 3_000_000 {
		t.Fatalf("getTransaction v0: %+v", got)
	}
	rerr := e.fails(CodeUnsupportedTransactionVersion, "getTransaction", tx.ID().String())
	if rerr.Message == "" {
		t.Fatal("no message")
	}
	e.fails(CodeUnsupportedTransactionVersion, "getBlock", e.bank.Head().Height)
	var blk map[string]any
	e.ok(&blk, "getBlock", e.bank.Head().Height, map[string]any{"maxSupportedTransactionVersion": 0})
	if txs := blk["transactions"].([]any); len(txs) != 1 || txs[0].(map[string]any)["version"] != float64(0) {
		t.Fatalf("getBlock v0: %v", blk)
	}
}
