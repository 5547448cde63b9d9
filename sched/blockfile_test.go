package sched_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

func TestBlockFile(t *testing.T) {
	u := key(7, 1)
	a := signed(t, u, system.Transfer(pk(u), pk(key(7, 2)), 1))
	b := signed(t, u, system.Transfer(pk(u), pk(key(7, 2)), 2))
	m, err := txn.CompileV0(pk(u), []txn.Instruction{system.Transfer(pk(u), pk(key(7, 2)), 3)},
		[]txn.LookupTableAccount{{Key: pk(key(7, 3)), Addresses: []pubkey.Pubkey{pk(key(7, 2))}}}, txn.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	v0, err := txn.Sign(m, u)
	if err != nil {
		t.Fatal(err)
	}
	good := sched.EncodeBlockFile([]*txn.Transaction{a, b, v0})
	txs, err := sched.DecodeBlockFile(good)
	if err != nil || len(txs) != 3 || txs[1].ID() != b.ID() || txs[2].Message.Version != txn.V0 {
		t.Fatalf("round trip: %v", err)
	}
	b64 := func(tx *txn.Transaction) string { return base64.StdEncoding.EncodeToString(tx.Encode()) }
	big := signed(t, u, txn.Instruction{ProgramID: pk(u), Data: make([]byte, 1300)})
	cases := []struct {
		name, file string
		tx         int
	}{
		{"not json", "{", -1},
		{"unknown field", `{"transactions":[],"x":1}`, -1},
		{"no list", `{}`, -1},
		{"trailing data", `{"transactions":[]} {}`, -1},
		{"not base64", `{"transactions":["` + b64(a) + `","!!"]}`, 1},
		{"truncated", `{"transactions":["` + base64.StdEncoding.EncodeToString(a.Encode()[:40]) + `"]}`, 0},
		{"oversized", `{"transactions":["` + b64(big) + `"]}`, 0},
		{"duplicated", `{"transactions":["` + b64(a) + `","` + b64(b) + `","` + b64(a) + `"]}`, 2},
		{"too many", `{"transactions":[` + strings.Repeat(`"",`, sched.MaxBlockTransactions) + `""]}`, -1},
	}
	for _, tc := range cases {
		_, err := sched.DecodeBlockFile([]byte(tc.file))
		var be *sched.BlockFileError
		if !errors.As(err, &be) || be.Tx != tc.tx {
			t.Errorf("%s: got %v, want an error at transaction %d", tc.name, err, tc.tx)
		}
	}
}

func FuzzDecodeBlockFile(f *testing.F) {
	u := key(7, 1)
	f.Add(sched.EncodeBlockFile([]*txn.Transaction{signed(f, u, system.Transfer(pk(u), pk(key(7, 2)), 1))}))
	f.Add([]byte(`{"transactions":[]}`))
	f.Add([]byte(`{"transactions":["AQID"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		txs, err := sched.DecodeBlockFile(data)
		if err != nil {
			var be *sched.BlockFileError
			if !errors.As(err, &be) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		// What decodes re-encodes to a file that decodes to the same.
		again, err := sched.DecodeBlockFile(sched.EncodeBlockFile(txs))
		if err != nil || len(again) != len(txs) {
			t.Fatalf("re-encoding: %v", err)
		}
		for i := range txs {
			if again[i].ID() != txs[i].ID() {
				t.Fatalf("tx %d changed", i)
			}
		}
	})
}
