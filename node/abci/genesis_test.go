package abci

import (
	"bytes"
	"errors"
	"testing"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

func TestAppStateRoundTrip(t *testing.T) {
	accs := []account.Keyed{
		{Key: txn.PubkeyOf(testKey(1)), Account: account.Account{Lamports: 5, Owner: pubkey.SystemProgram()}},
		{Key: txn.PubkeyOf(testKey(2)), Account: account.Account{Lamports: 7, Owner: pubkey.BPFLoaderUpgradeable(), Data: []byte{1, 2, 3}, Executable: true}},
	}
	got, err := DecodeAppState(EncodeAppState(accs))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(accs) {
		t.Fatalf("%d accounts, want %d", len(got), len(accs))
	}
	for i := range accs {
		if got[i].Key != accs[i].Key || got[i].Account.Lamports != accs[i].Account.Lamports || got[i].Account.Owner != accs[i].Account.Owner ||
			!bytes.Equal(got[i].Account.Data, accs[i].Account.Data) || got[i].Account.Executable != accs[i].Account.Executable {
			t.Fatalf("account %d: %+v, want %+v", i, got[i], accs[i])
		}
	}
	if got, err := DecodeAppState([]byte("  ")); err != nil || got != nil {
		t.Fatalf("empty app state: %v, %v", got, err)
	}
}

func TestAppStateErrors(t *testing.T) {
	k := txn.PubkeyOf(testKey(1)).String()
	for _, c := range []struct {
		name, in string
		account  int
		field    string
	}{
		{"not JSON", `{`, -1, ""},
		{"unknown field", `{"accounts":[],"x":1}`, -1, ""},
		{"trailing data", `{"accounts":[]} {}`, -1, ""},
		{"bad pubkey", `{"accounts":[{"pubkey":"0OIl","lamports":1}]}`, 0, "pubkey"},
		{"no lamports", `{"accounts":[{"pubkey":"` + k + `","lamports":0}]}`, 0, "lamports"},
		{"repeated", `{"accounts":[{"pubkey":"` + k + `","lamports":1},{"pubkey":"` + k + `","lamports":1}]}`, 1, "pubkey"},
		{"overflow", `{"accounts":[{"pubkey":"` + k + `","lamports":18446744073709551615},{"pubkey":"` + txn.PubkeyOf(testKey(2)).String() + `","lamports":1}]}`, 1, "lamports"},
		{"bad owner", `{"accounts":[{"pubkey":"` + k + `","lamports":1,"owner":"x"}]}`, 0, "owner"},
		{"bad data", `{"accounts":[{"pubkey":"` + k + `","lamports":1,"data":"!!"}]}`, 0, "data"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeAppState([]byte(c.in))
			var ae *AppStateError
			if !errors.As(err, &ae) || !errors.Is(err, ErrAppState) {
				t.Fatalf("error %v, want an *AppStateError", err)
			}
			if ae.Account != c.account || ae.Field != c.field {
				t.Fatalf("error at account %d field %q, want %d %q: %v", ae.Account, ae.Field, c.account, c.field, err)
			}
		})
	}
}

// FuzzDecodeAppState: any input decodes or gives an *AppStateError, never
// a panic; what decodes survives a round trip unchanged.
func FuzzDecodeAppState(f *testing.F) {
	f.Add(testAppState())
	f.Add([]byte(`{"accounts":[]}`))
	f.Add([]byte(`{"accounts":[{"pubkey":"11111111111111111111111111111111","lamports":1,"data":"AAE=","executable":true}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		accs, err := DecodeAppState(in)
		if err != nil {
			var ae *AppStateError
			if !errors.As(err, &ae) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		again, err := DecodeAppState(EncodeAppState(accs))
		if err != nil || len(again) != len(accs) {
			t.Fatalf("round trip: %v", err)
		}
		for i := range accs {
			if again[i].Key != accs[i].Key || again[i].Account.Lamports != accs[i].Account.Lamports || !bytes.Equal(again[i].Account.Data, accs[i].Account.Data) {
				t.Fatalf("round trip changed account %d", i)
			}
		}
	})
}
