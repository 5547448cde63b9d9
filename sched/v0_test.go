package sched_test

import (
	"context"
	"testing"

	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/alt"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

// TestV0LocksFromLoadedKeys: transactions that write one account only
// through a lookup table conflict on it, so every lane count gives the
// serial result and no credit is lost (run it under -race too).
func TestV0LocksFromLoadedKeys(t *testing.T) {
	state := mapState{}
	ex, env := plainEnv(t, state)
	sink := pk(key(7, 0))
	other := pk(key(7, 1))
	state[sink] = account.Account{Lamports: 1_000_000_000}
	state[other] = account.Account{Lamports: 1_000_000_000}
	table := pk(key(8, 0))
	tb := alt.Table{Meta: alt.NewMeta(table), Addresses: []pubkey.Pubkey{other, sink}}
	state[table] = account.Account{Lamports: 1_000_000_000, Owner: alt.ID(), Data: tb.Encode()}

	var txs []*txn.Transaction
	for i := range 40 {
		payer := key(9, i)
		state[pk(payer)] = account.Account{Lamports: 10_000_000_000}
		ixs := []txn.Instruction{system.Transfer(pk(payer), sink, 1000)}
		var tx *txn.Transaction
		if i%5 == 4 {
			tx = signed(t, payer, ixs...) // a legacy one names it statically
		} else {
			m, err := txn.CompileV0(pk(payer), ixs, []txn.LookupTableAccount{{Key: table, Addresses: tb.Addresses}}, txn.Hash{})
			if err != nil {
				t.Fatal(err)
			}
			if len(m.AccountKeys) != 2 || len(m.AddressTableLookups) != 1 {
				t.Fatalf("sink not loaded from the table: %v", m.AccountKeys)
			}
			if tx, err = txn.Sign(m, payer); err != nil {
				t.Fatal(err)
			}
		}
		txs = append(txs, tx)
	}
	var want []uint64
	for _, lanes := range []int{1, 4} {
		out, err := sched.New(ex, sched.Config{Lanes: lanes}).Execute(context.Background(), &sched.Block{Txs: txs, State: state, Env: env})
		if err != nil {
			t.Fatal(err)
		}
		var got []uint64
		for i, r := range out.Results {
			if r.Err != nil {
				t.Fatalf("%d lanes, tx %d: %v", lanes, i, r.Err)
			}
			got = append(got, r.CU)
		}
		var final uint64
		for _, w := range out.Writes {
			if w.Key == sink {
				final = w.Account.Lamports
			}
		}
		if final != 1_000_000_000+40*1000 {
			t.Fatalf("%d lanes: sink holds %d", lanes, final)
		}
		if want == nil {
			want = got
		} else if len(got) != len(want) {
			t.Fatalf("%d lanes: %d results", lanes, len(got))
		}
	}
}
