package abi

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// Keys of the JSON tests: base58 of key(1) and key(2).
var (
	k1 = EncodeKey(key(1))
	k2 = EncodeKey(key(2))
	kp = EncodeKey(programID)
)

func TestParseAccountsJSON(t *testing.T) {
	doc := `[
	  {"key": "` + k1 + `", "owner": "` + kp + `", "lamports": 18446744073709551615,
	   "data_hex": "0A0b0c", "signer": true, "writable": true},
	  {"key": "` + k2 + `", "data_base64": "AQID", "executable": true},
	  {"key": "` + k1 + `"},
	  {"key": "` + k2 + `", "data_base64": "AQID", "executable": true, "writable": true}
	]`
	got, err := ParseAccountsJSON([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []AccountInput{
		{Key: key(1), Owner: programID, Lamports: 1<<64 - 1, Data: []byte{10, 11, 12}, Signer: true, Writable: true},
		{Key: key(2), Data: []byte{1, 2, 3}, Executable: true},
		{Key: key(1), Owner: programID, Lamports: 1<<64 - 1, Data: []byte{10, 11, 12}},
		{Key: key(2), Data: []byte{1, 2, 3}, Executable: true, Writable: true},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries", len(got))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Key != w.Key || g.Owner != w.Owner || g.Lamports != w.Lamports || !bytes.Equal(g.Data, w.Data) ||
			g.Executable != w.Executable || g.Signer != w.Signer || g.Writable != w.Writable {
			t.Errorf("entry %d: %+v, want %+v", i, g, w)
		}
	}

	accounts, ix, err := Build(programID, got, []byte{7})
	if err != nil {
		t.Fatal(err)
	}
	if len(accounts) != 2 || accounts[0].Key != key(1) || accounts[1].Key != key(2) || accounts[0].RentEpoch != SerializedRentEpoch {
		t.Fatalf("accounts %+v", accounts)
	}
	wantMetas := []AccountMeta{{0, true, true}, {1, false, false}, {0, false, false}, {1, false, true}}
	for i, m := range ix.Accounts {
		if m != wantMetas[i] {
			t.Errorf("meta %d: %+v", i, m)
		}
	}
	if ix.ProgramID != programID || !bytes.Equal(ix.Data, []byte{7}) {
		t.Error("instruction")
	}
	in, l, err := Serialize(accounts, ix)
	if err != nil {
		t.Fatal(err)
	}
	// Entry 1 (key 2) is writable through entry 3.
	if e := l.Entry(1); !e.Writable || in[e.Offset+2] != 1 || !l.Entry(3).Duplicate {
		t.Errorf("entry 1: %+v", e)
	}
}

func TestParseAccountsJSONDefaults(t *testing.T) {
	got, err := ParseAccountsJSON([]byte(` [ {"key":"` + k1 + `"} ] `))
	if err != nil {
		t.Fatal(err)
	}
	a := got[0]
	if a.Owner != ([32]byte{}) || a.Lamports != 0 || a.Data == nil || len(a.Data) != 0 || a.Signer || a.Writable || a.Executable {
		t.Errorf("%+v", a)
	}
	if got, err := ParseAccountsJSON([]byte(`[]`)); err != nil || len(got) != 0 {
		t.Errorf("empty list: %v %v", got, err)
	}
	if k, err := ParseKey("11111111111111111111111111111111"); err != nil || k != ([32]byte{}) {
		t.Errorf("system program: %v", err)
	}
}

func TestParseAccountsJSONErrors(t *testing.T) {
	entry := func(fields string) string { return `[{"key":"` + k1 + `"` + fields + `}]` }
	tests := []struct {
		name, doc string
		err       error
		entry     int
		field     string
	}{
		{"not JSON", `{`, ErrJSONSyntax, -1, ""},
		{"not a list", `{"key":"` + k1 + `"}`, ErrJSONSyntax, -1, ""},
		{"null", `null`, ErrJSONSyntax, -1, ""},
		{"trailing data", `[] []`, ErrJSONSyntax, -1, ""},
		{"null entry", `[null]`, ErrJSONSyntax, 0, ""},
		{"number entry", `[1]`, ErrJSONSyntax, 0, ""},
		{"unknown field", entry(`,"data":"00"`), ErrJSONSyntax, 0, ""},
		{"wrong type", entry(`,"signer":"yes"`), ErrJSONSyntax, 0, ""},
		{"missing key", `[{"lamports":1}]`, ErrMissingKey, 0, "key"},
		{"short key", `[{"key":"` + EncodeKey(key(1))[:20] + `"}]`, ErrBadKey, 0, "key"},
		{"bad base58", `[{"key":"0OIl"}]`, ErrBadKey, 0, "key"},
		{"long key", `[{"key":"` + strings.Repeat("z", 45) + `"}]`, ErrBadKey, 0, "key"},
		{"empty key", `[{"key":""}]`, ErrBadKey, 0, "key"},
		{"33-byte key", `[{"key":"` + "1" + k1 + `"}]`, ErrBadKey, 0, "key"},
		{"bad owner", entry(`,"owner":"abc"`), ErrBadKey, 0, "owner"},
		{"negative lamports", entry(`,"lamports":-1`), ErrBadLamports, 0, "lamports"},
		{"fractional lamports", entry(`,"lamports":1.5`), ErrBadLamports, 0, "lamports"},
		{"exponent lamports", entry(`,"lamports":1e3`), ErrBadLamports, 0, "lamports"},
		{"lamports overflow", entry(`,"lamports":18446744073709551616`), ErrBadLamports, 0, "lamports"},
		{"string lamports not a number", entry(`,"lamports":"one"`), ErrJSONSyntax, 0, ""},
		{"odd hex", entry(`,"data_hex":"abc"`), ErrBadData, 0, "data_hex"},
		{"0x prefix", entry(`,"data_hex":"0x00"`), ErrBadData, 0, "data_hex"},
		{"bad base64", entry(`,"data_base64":"AQI"`), ErrBadData, 0, "data_base64"},
		{"both encodings", entry(`,"data_hex":"00","data_base64":"AA=="`), ErrBadData, 0, ""},
		{"data too large", entry(`,"data_hex":"` + strings.Repeat("00", MaxPermittedDataLength+1) + `"`), ErrDataTooLarge, 0, "data_hex"},
		{"duplicate differs", `[{"key":"` + k1 + `","lamports":1},{"key":"` + k1 + `","lamports":2}]`, ErrDuplicateMismatch, 1, ""},
		{"duplicate data differs", `[{"key":"` + k1 + `"},{"key":"` + k1 + `","data_hex":"00"}]`, ErrDuplicateMismatch, 1, ""},
		{"too many accounts", "[" + strings.Repeat(`{"key":"`+k1+`"},`, MaxAccountsPerInstruction) + `{"key":"` + k1 + `"}]`, ErrTooManyAccounts, -1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseAccountsJSON([]byte(tc.doc))
			var je *JSONError
			if !errors.Is(err, tc.err) || !errors.As(err, &je) || je.Entry != tc.entry || je.Field != tc.field {
				t.Fatalf("error %v (%+v), want %v at entry %d field %q", err, je, tc.err, tc.entry, tc.field)
			}
			if got != nil {
				t.Error("entries returned with an error")
			}
			if !strings.HasPrefix(err.Error(), "accounts") {
				t.Errorf("message %q", err)
			}
		})
	}
	big := make([]byte, MaxAccountsJSONSize+1)
	if _, err := ParseAccountsJSON(big); !errors.Is(err, ErrJSONTooLarge) {
		t.Errorf("large document: %v", err)
	}
}

func TestBuildErrors(t *testing.T) {
	in := []AccountInput{{Key: key(1), Lamports: 1}, {Key: key(1), Lamports: 2}}
	if _, _, err := Build(programID, in, nil); !errors.Is(err, ErrDuplicateMismatch) {
		t.Errorf("mismatch: %v", err)
	}
	if _, _, err := Build(programID, make([]AccountInput, MaxAccountsPerInstruction+1), nil); !errors.Is(err, ErrTooManyAccounts) {
		t.Errorf("too many: %v", err)
	}
	if _, _, err := Build(programID, []AccountInput{{Data: make([]byte, MaxPermittedDataLength+1)}}, nil); !errors.Is(err, ErrDataTooLarge) {
		t.Errorf("too large: %v", err)
	}
}

func TestDefaultProgramID(t *testing.T) {
	k, err := ParseKey(DefaultProgramID)
	if err != nil || EncodeKey(k) != DefaultProgramID {
		t.Fatalf("%v: %s", err, EncodeKey(k))
	}
}
