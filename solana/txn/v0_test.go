package txn

import (
	"bytes"
	"errors"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
)

func pk(b byte) pubkey.Pubkey { var p pubkey.Pubkey; p[0] = b; p[31] = b; return p }

// sampleV0 builds a v0 transaction loading a writable and a read-only
// key from one table, and a program-only key statically.
func sampleV0(t testing.TB) (*Transaction, LookupTableAccount) {
	payer := key(1)
	prog := pk(0xee)
	table := LookupTableAccount{Key: pk(0x70), Addresses: []pubkey.Pubkey{pk(9), pk(0x20), prog, pk(0x10)}}
	m, err := CompileV0(PubkeyOf(payer), []Instruction{{
		ProgramID: prog,
		Accounts: []AccountMeta{
			{Pubkey: pk(0x10), IsWritable: true},
			{Pubkey: pk(0x20)},
			{Pubkey: pk(0x30), IsWritable: true}, // not in the table: static
			{Pubkey: PubkeyOf(payer), IsWritable: true},
		},
		Data: []byte{5},
	}}, []LookupTableAccount{{Key: pk(0x71), Addresses: []pubkey.Pubkey{pk(0x55)}}, table}, Hash{3})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := Sign(m, payer)
	if err != nil {
		t.Fatal(err)
	}
	return tx, table
}

func TestV0CompileRoundTrip(t *testing.T) {
	tx, table := sampleV0(t)
	m := &tx.Message
	if m.Version != V0 || len(m.AddressTableLookups) != 1 {
		t.Fatalf("version %v, lookups %+v", m.Version, m.AddressTableLookups)
	}
	l := m.AddressTableLookups[0]
	if l.AccountKey != table.Key || !bytes.Equal(l.WritableIndexes, []uint8{3}) || !bytes.Equal(l.ReadonlyIndexes, []uint8{1}) {
		t.Fatalf("lookup %+v", l)
	}
	// Static: payer, the writable key not in the table, the program.
	if len(m.AccountKeys) != 3 || m.AccountKeys[1] != pk(0x30) || m.AccountKeys[2] != pk(0xee) || m.Header != (Header{1, 0, 1}) {
		t.Fatalf("keys %v header %+v", m.AccountKeys, m.Header)
	}
	if !bytes.Equal(m.Instructions[0].Accounts, []uint8{3, 4, 1, 0}) {
		t.Fatalf("accounts %v", m.Instructions[0].Accounts)
	}
	b := tx.Encode()
	if b[1+64] != MessageVersionPrefix {
		t.Fatalf("no version prefix: %x", b[:70])
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Encode(), b) {
		t.Fatal("re-encoding differs")
	}
	if err := got.Sanitize(); err != nil {
		t.Fatal(err)
	}
	if err := got.Verify(); err != nil {
		t.Fatal(err)
	}
	dm, err := DecodeMessage(m.Encode())
	if err != nil || dm.Version != V0 || len(dm.AddressTableLookups) != 1 {
		t.Fatalf("DecodeMessage: %+v %v", dm, err)
	}
	// The legacy encoding of the same content has neither prefix nor lookups.
	legacy := *m
	legacy.Version, legacy.AddressTableLookups = Legacy, nil
	if enc := legacy.Encode(); enc[0] != 1 || !bytes.Equal(enc, m.Encode()[1:len(enc)+1]) {
		t.Fatal("legacy encoding is not the v0 body without prefix and lookups")
	}
}

func TestResolvedPrivileges(t *testing.T) {
	tx, _ := sampleV0(t)
	r := tx.Message.Resolve(LoadedAddresses{Writable: []pubkey.Pubkey{pk(0x10)}, Readonly: []pubkey.Pubkey{pk(0x20)}})
	want := []pubkey.Pubkey{tx.Message.AccountKeys[0], pk(0x30), pk(0xee), pk(0x10), pk(0x20)}
	if len(r.Keys) != len(want) {
		t.Fatalf("keys %v", r.Keys)
	}
	for i := range want {
		if r.Keys[i] != want[i] {
			t.Fatalf("key %d = %s, want %s", i, r.Keys[i], want[i])
		}
	}
	wantW := []bool{true, true, false, true, false}
	wantS := []bool{true, false, false, false, false}
	for i := range want {
		if r.IsWritable(i) != wantW[i] || r.IsSigner(i) != wantS[i] {
			t.Errorf("key %d: writable %v signer %v", i, r.IsWritable(i), r.IsSigner(i))
		}
	}
	// A reserved key loaded writable is demoted.
	r = tx.Message.Resolve(LoadedAddresses{Writable: []pubkey.Pubkey{pubkey.SysvarClock()}, Readonly: []pubkey.Pubkey{pk(0x20)}})
	if !r.IsWritableIndex(3) || r.IsWritable(3) {
		t.Fatal("reserved loaded key not demoted")
	}
	// Legacy: Resolve with nothing loaded is the message itself.
	lt := sampleTx(t)
	lr := lt.Message.Resolve(LoadedAddresses{})
	for i := range lt.Message.AccountKeys {
		if lr.IsWritable(i) != lt.Message.IsWritable(i) || lr.IsSigner(i) != lt.Message.IsSigner(i) {
			t.Fatalf("legacy key %d differs", i)
		}
	}
}

func TestV0DecodeErrors(t *testing.T) {
	tx, _ := sampleV0(t)
	b := tx.Encode()
	for i := 0; i < len(b); i++ {
		if _, err := Decode(b[:i]); err == nil {
			t.Fatalf("prefix of %d bytes accepted", i)
		}
	}
	v1 := append([]byte{}, b...)
	v1[1+64] = 0x81
	if _, err := Decode(v1); !errors.Is(err, &DecodeError{Kind: ErrUnsupportedVersion}) {
		t.Fatalf("v1: %v", err)
	}
	if _, err := Decode(append(append([]byte{}, b...), 0)); !errors.Is(err, &DecodeError{Kind: ErrTrailingBytes}) {
		t.Fatalf("trailing: %v", err)
	}
}

func TestV0Sanitize(t *testing.T) {
	mutate := map[string]func(tx *Transaction){
		"empty lookup": func(tx *Transaction) {
			tx.Message.AddressTableLookups[0].WritableIndexes, tx.Message.AddressTableLookups[0].ReadonlyIndexes = nil, nil
		},
		"program from table":   func(tx *Transaction) { tx.Message.Instructions[0].ProgramIDIndex = 3 },
		"payer as program":     func(tx *Transaction) { tx.Message.Instructions[0].ProgramIDIndex = 0 },
		"account out of range": func(tx *Transaction) { tx.Message.Instructions[0].Accounts[0] = 5 },
		"no writable signer":   func(tx *Transaction) { tx.Message.Header.NumReadonlySignedAccounts = 1 },
		"header too big":       func(tx *Transaction) { tx.Message.Header.NumReadonlyUnsignedAccounts = 3 },
		"too many keys": func(tx *Transaction) {
			tx.Message.AddressTableLookups[0].ReadonlyIndexes = make([]uint8, 253)
		},
		"signature count": func(tx *Transaction) { tx.Signatures = append(tx.Signatures, Signature{}) },
	}
	for name, f := range mutate {
		tx, _ := sampleV0(t)
		f(tx)
		var se *SanitizeError
		if err := tx.Sanitize(); !errors.As(err, &se) {
			t.Errorf("%s: %v", name, err)
		} else if se.Duplicate {
			t.Errorf("%s: duplicate flag", name)
		}
	}
	// Duplicates wait for the resolved keys.
	dup, _ := sampleV0(t)
	dup.Message.AccountKeys[1] = dup.Message.AccountKeys[2]
	if err := dup.Sanitize(); err != nil {
		t.Fatalf("duplicate static key refused before resolution: %v", err)
	}
	var se *SanitizeError
	if err := CheckDuplicates(dup.Message.Resolve(LoadedAddresses{}).Keys); !errors.As(err, &se) || !se.Duplicate {
		t.Fatalf("CheckDuplicates: %v", err)
	}
	// 256 keys in all is the limit, not past it.
	tx, _ := sampleV0(t)
	tx.Message.AddressTableLookups[0].ReadonlyIndexes = make([]uint8, 252)
	if err := tx.Sanitize(); err != nil {
		t.Fatalf("256 keys: %v", err)
	}
}
