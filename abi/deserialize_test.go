package abi

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

// Positions of the fixture's accounts.
const (
	ownedW  = iota // owned by the program, writable
	ownedR         // owned, read-only
	extW           // owned by another program, writable
	extR           // another program's, read-only
	zeroedW        // owned, writable, data all zeros
)

var otherProgram = key(0xbb)

func fixture() ([]Account, *Instruction) {
	accounts := []Account{
		{Key: key(1), Owner: programID, Lamports: 100, Data: []byte{1, 2, 3, 4}},
		{Key: key(2), Owner: programID, Lamports: 50, Data: []byte{5}},
		{Key: key(3), Owner: otherProgram, Lamports: 30, Data: []byte{6, 7}},
		{Key: key(4), Owner: otherProgram, Lamports: 20},
		{Key: key(5), Owner: programID, Lamports: 10, Data: make([]byte, 4)},
	}
	ix := &Instruction{ProgramID: programID, Accounts: []AccountMeta{
		{Index: 0, Writable: true, Signer: true}, {Index: 1}, {Index: 2, Writable: true}, {Index: 3}, {Index: 4, Writable: true},
	}}
	return accounts, ix
}

// Mutations of a serialized input, as a program would make them.
func addLamports(pos int, d int64) func([]byte, *Layout) {
	return func(in []byte, l *Layout) {
		off := l.Entry(pos).LamportsOffset
		binary.LittleEndian.PutUint64(in[off:], uint64(int64(binary.LittleEndian.Uint64(in[off:]))+d))
	}
}

func setDataLen(pos int, n uint64) func([]byte, *Layout) {
	return func(in []byte, l *Layout) { binary.LittleEndian.PutUint64(in[l.Entry(pos).DataLenOffset:], n) }
}

func setData(pos int, data []byte) func([]byte, *Layout) {
	return func(in []byte, l *Layout) {
		e := l.Entry(pos)
		binary.LittleEndian.PutUint64(in[e.DataLenOffset:], uint64(len(data)))
		copy(in[e.DataOffset:], data)
	}
}

func setOwner(pos int, owner [32]byte) func([]byte, *Layout) {
	return func(in []byte, l *Layout) { copy(in[l.Entry(pos).OwnerOffset:], owner[:]) }
}

func setByte(off func(AccountLayout) int, pos int, v byte) func([]byte, *Layout) {
	return func(in []byte, l *Layout) { in[off(l.Entry(pos))] = v }
}

func TestDeserialize(t *testing.T) {
	type mut = func([]byte, *Layout)
	tests := []struct {
		name  string
		muts  []mut
		kind  ErrorKind
		pos   int                             // the instruction account the error names
		check func(t *testing.T, a []Account) // on success
	}{
		{name: "no change"},
		{name: "transfer between owned accounts", muts: []mut{addLamports(ownedW, -40), addLamports(zeroedW, 40)},
			check: func(t *testing.T, a []Account) {
				if a[ownedW].Lamports != 60 || a[zeroedW].Lamports != 50 {
					t.Errorf("lamports %d, %d", a[ownedW].Lamports, a[zeroedW].Lamports)
				}
			}},
		{name: "credit to another program's writable account", muts: []mut{addLamports(ownedW, -5), addLamports(extW, 5)}},
		{name: "debit from another program's account", muts: []mut{addLamports(extW, -5), addLamports(ownedW, 5)}, kind: ExternalAccountLamportSpend, pos: extW},
		{name: "debit from another program's read-only account", muts: []mut{addLamports(extR, -5), addLamports(ownedW, 5)}, kind: ExternalAccountLamportSpend, pos: extR},
		{name: "credit to a read-only account", muts: []mut{addLamports(ownedW, -5), addLamports(extR, 5)}, kind: ReadonlyLamportChange, pos: extR},
		{name: "debit from an owned read-only account", muts: []mut{addLamports(ownedR, -5), addLamports(ownedW, 5)}, kind: ReadonlyLamportChange, pos: ownedR},
		{name: "lamports created", muts: []mut{addLamports(ownedW, 1)}, kind: UnbalancedInstruction, pos: -1},
		{name: "lamports destroyed", muts: []mut{addLamports(ownedW, -1)}, kind: UnbalancedInstruction, pos: -1},
		{name: "first violation wins", muts: []mut{addLamports(ownedR, 1), addLamports(extW, -1)}, kind: ReadonlyLamportChange, pos: ownedR},

		{name: "data written", muts: []mut{setData(ownedW, []byte{9, 9, 9, 9})},
			check: func(t *testing.T, a []Account) {
				if !bytes.Equal(a[ownedW].Data, []byte{9, 9, 9, 9}) {
					t.Errorf("data %x", a[ownedW].Data)
				}
			}},
		{name: "read-only data written", muts: []mut{setData(ownedR, []byte{6})}, kind: ReadonlyDataModified, pos: ownedR},
		{name: "read-only data rewritten unchanged", muts: []mut{setData(ownedR, []byte{5})}},
		{name: "another program's data written", muts: []mut{setData(extW, []byte{0, 7})}, kind: ExternalAccountDataModified, pos: extW},
		{name: "grow by the maximum", muts: []mut{setData(ownedW, bytes.Repeat([]byte{7}, 4+MaxPermittedDataIncrease))},
			check: func(t *testing.T, a []Account) {
				if len(a[ownedW].Data) != 4+MaxPermittedDataIncrease || a[ownedW].Data[4+MaxPermittedDataIncrease-1] != 7 {
					t.Errorf("data length %d", len(a[ownedW].Data))
				}
			}},
		{name: "grow into zeroed realloc space", muts: []mut{setDataLen(ownedW, 6)},
			check: func(t *testing.T, a []Account) {
				if !bytes.Equal(a[ownedW].Data, []byte{1, 2, 3, 4, 0, 0}) {
					t.Errorf("data %x", a[ownedW].Data)
				}
			}},
		{name: "grow past the realloc space", muts: []mut{setDataLen(ownedW, 4+MaxPermittedDataIncrease+1)}, kind: InvalidRealloc, pos: ownedW},
		{name: "length beyond any account", muts: []mut{setDataLen(ownedW, math.MaxUint64)}, kind: InvalidRealloc, pos: ownedW},
		{name: "realloc checked after lamports", muts: []mut{setDataLen(ownedW, math.MaxUint64), addLamports(ownedW, 1)}, kind: InvalidRealloc, pos: ownedW},
		{name: "shrink", muts: []mut{setDataLen(ownedW, 1)},
			check: func(t *testing.T, a []Account) {
				if !bytes.Equal(a[ownedW].Data, []byte{1}) {
					t.Errorf("data %x", a[ownedW].Data)
				}
			}},
		{name: "shrink to nothing", muts: []mut{setDataLen(ownedW, 0)},
			check: func(t *testing.T, a []Account) {
				if len(a[ownedW].Data) != 0 {
					t.Errorf("data %x", a[ownedW].Data)
				}
			}},
		{name: "another program's account resized", muts: []mut{setDataLen(extW, 1)}, kind: AccountDataSizeChanged, pos: extW},
		{name: "another program's read-only account resized", muts: []mut{setDataLen(extR, 1)}, kind: AccountDataSizeChanged, pos: extR},
		{name: "owned read-only account resized", muts: []mut{setDataLen(ownedR, 0)}, kind: ReadonlyDataModified, pos: ownedR},

		{name: "owner assigned", muts: []mut{setOwner(zeroedW, otherProgram)},
			check: func(t *testing.T, a []Account) {
				if a[zeroedW].Owner != otherProgram {
					t.Error("owner not written back")
				}
			}},
		{name: "owner assigned with data", muts: []mut{setOwner(ownedW, otherProgram)}, kind: ModifiedProgramId, pos: ownedW},
		{name: "owner assigned after zeroing the data", muts: []mut{setData(ownedW, make([]byte, 4)), setOwner(ownedW, otherProgram)},
			check: func(t *testing.T, a []Account) {
				if a[ownedW].Owner != otherProgram {
					t.Error("owner not written back")
				}
			}},
		{name: "owner assigned after truncating the data", muts: []mut{setDataLen(ownedW, 0), setOwner(ownedW, otherProgram)}},
		{name: "owner of a read-only account", muts: []mut{setOwner(ownedR, otherProgram), setData(ownedR, []byte{5})}, kind: ModifiedProgramId, pos: ownedR},
		{name: "another program's account reassigned", muts: []mut{setOwner(extR, programID)}, kind: ModifiedProgramId, pos: extR},
		{name: "data checked before owner", muts: []mut{setOwner(extW, programID), setData(extW, []byte{0, 0})}, kind: ExternalAccountDataModified, pos: extW},

		{name: "key, flags and rent epoch are not read back", muts: []mut{
			setByte(func(e AccountLayout) int { return e.KeyOffset }, extR, 0xee),
			setByte(func(e AccountLayout) int { return e.Offset + 1 }, extR, 1),
			setByte(func(e AccountLayout) int { return e.Offset + 2 }, extR, 1),
			setByte(func(e AccountLayout) int { return e.Offset + 3 }, extR, 1),
			setByte(func(e AccountLayout) int { return e.RentEpochOffset }, extR, 0),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			accounts, ix := fixture()
			in, l, err := Serialize(accounts, ix)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range tc.muts {
				m(in, l)
			}
			got, err := Deserialize(in, l)
			if tc.kind != KindNone {
				var e *Error
				if !errors.As(err, &e) || e.Kind != tc.kind || e.Account != tc.pos {
					t.Fatalf("error %v, want %s at account %d", err, tc.kind, tc.pos)
				}
				if got != nil {
					t.Error("accounts returned with an error")
				}
				if tc.pos >= 0 && e.Key != accounts[ix.Accounts[tc.pos].Index].Key {
					t.Errorf("error names key %x", e.Key)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(accounts) {
				t.Fatalf("%d accounts", len(got))
			}
			if tc.check != nil {
				tc.check(t, got)
			}
			if len(tc.muts) == 0 {
				for i := range got {
					if !sameAccount(got[i], accounts[i]) {
						t.Errorf("account %d changed: %+v", i, got[i])
					}
				}
				if d := Diff(accounts, got); len(d) != 0 {
					t.Errorf("diff %+v", d)
				}
			}
			// The result does not alias the input.
			for i := range in {
				in[i] = 0x5a
			}
			if tc.check != nil {
				tc.check(t, got)
			}
		})
	}
}

func sameAccount(a, b Account) bool {
	return a.Key == b.Key && a.Owner == b.Owner && a.Lamports == b.Lamports && bytes.Equal(a.Data, b.Data) &&
		a.Executable == b.Executable && a.RentEpoch == b.RentEpoch
}

func TestDeserializeDuplicates(t *testing.T) {
	// Listed read-only first and writable second: the account is writable,
	// and changes made through either entry (the same memory) count once.
	accounts := []Account{{Key: key(1), Owner: programID, Lamports: 10, Data: []byte{1}}, {Key: key(2), Owner: programID, Lamports: 0}}
	ix := &Instruction{ProgramID: programID, Accounts: []AccountMeta{{Index: 0}, {Index: 1, Writable: true}, {Index: 0, Writable: true}}}
	in, l, err := Serialize(accounts, ix)
	if err != nil {
		t.Fatal(err)
	}
	e := l.Entry(2)
	if !e.Duplicate || e.DupOf != 0 || !e.Writable {
		t.Fatalf("entry 2: %+v", e)
	}
	binary.LittleEndian.PutUint64(in[e.LamportsOffset:], 4)
	binary.LittleEndian.PutUint64(in[l.Entry(1).LamportsOffset:], 6)
	in[e.DataOffset] = 2
	got, err := Deserialize(in, l)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Lamports != 4 || got[1].Lamports != 6 || got[0].Data[0] != 2 {
		t.Fatalf("accounts %+v", got)
	}
	d := Diff(accounts, got)
	if len(d) != 2 || !d[0].LamportsChanged() || !d[0].DataChanged() || d[0].OwnerChanged() || d[1].DataChanged() {
		t.Fatalf("diff %+v", d)
	}
}

func TestDeserializeBadCalls(t *testing.T) {
	accounts, ix := fixture()
	in, l, err := Serialize(accounts, ix)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Deserialize(in, nil); !errors.Is(err, InvalidArgument) {
		t.Errorf("nil layout: %v", err)
	}
	if _, err := Deserialize(in[:len(in)-1], l); !errors.Is(err, InvalidArgument) {
		t.Errorf("short input: %v", err)
	}
	// Deserialize does not consume the layout.
	for range 2 {
		if _, err := Deserialize(in, l); err != nil {
			t.Fatal(err)
		}
	}
	// Nor does Serialize keep references to the caller's accounts.
	accounts[0].Data[0] = 0xff
	got, err := Deserialize(in, l)
	if err != nil || got[0].Data[0] != 1 || l.Accounts()[0].Data[0] != 1 {
		t.Fatalf("layout aliases the accounts: %v", err)
	}
}

func TestErrorText(t *testing.T) {
	e := &Error{Kind: InvalidRealloc, Account: 2, Key: [32]byte{}, Detail: "data length 1 -> 20000"}
	want := "abi: InvalidRealloc: Failed to reallocate account data (instruction account 2, 11111111111111111111111111111111): data length 1 -> 20000"
	if e.Error() != want {
		t.Errorf("got %q", e.Error())
	}
	if got := errf(UnbalancedInstruction, "x").Error(); got != "abi: UnbalancedInstruction: sum of account balances before and after instruction do not match: x" {
		t.Errorf("got %q", got)
	}
	if ErrorKind(200).String() != "ErrorKind(200)" {
		t.Error(ErrorKind(200).String())
	}
	if u128String(1, 0) != "18446744073709551616" || u128String(0, 7) != "7" {
		t.Error("u128String")
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		code       uint64
		kind, text string
	}{
		{1, "Custom", "custom program error: 0x1"},
		{0xffffffff, "Custom", "custom program error: 0xffffffff"},
		{1 << 32, "Custom", "custom program error: 0x0"},
		{2 << 32, "InvalidArgument", "invalid program argument"},
		{3 << 32, "InvalidInstructionData", "invalid instruction data"},
		{6 << 32, "InsufficientFunds", "insufficient funds for instruction"},
		{20 << 32, "InvalidRealloc", "Failed to reallocate account data"},
		{26 << 32, "IncorrectAuthority", "Incorrect authority provided"},
		{27 << 32, "InvalidError", "program returned invalid error code"},
		{2<<32 | 1, "InvalidError", "program returned invalid error code"},
		{math.MaxUint64, "InvalidError", "program returned invalid error code"},
	}
	for _, tc := range tests {
		err := Status(tc.code)
		var se *StatusError
		if !errors.As(err, &se) || se.KindName() != tc.kind || se.Error() != tc.text {
			t.Errorf("%#x: %v (%s), want %s %q", tc.code, err, se.KindName(), tc.kind, tc.text)
		}
	}
	if Status(0) != nil {
		t.Error("0 is success")
	}
	if n, ok := (&StatusError{Code: 7}).Custom(); !ok || n != 7 {
		t.Error("Custom(7)")
	}
	if _, ok := (&StatusError{Code: 2 << 32}).Custom(); ok {
		t.Error("InvalidArgument is not custom")
	}
}

func TestDeserializeCurrent(t *testing.T) {
	prog := [32]byte{9}
	other := [32]byte{7}
	accounts := []Account{{Key: [32]byte{1}, Owner: other, Lamports: 100}, {Key: [32]byte{2}, Owner: prog, Lamports: 5}}
	ix := &Instruction{ProgramID: prog, Accounts: []AccountMeta{{Index: 0, Signer: true, Writable: true}, {Index: 1, Writable: true}}}
	input, layout, err := Serialize(accounts, ix)
	if err != nil {
		t.Fatal(err)
	}
	// A callee moved 40 lamports out of account 0 and into account 1 and
	// the runtime copied that into the input, as CPI does.
	current := []Account{accounts[0], accounts[1]}
	current[0].Lamports, current[1].Lamports = 60, 45
	binary.LittleEndian.PutUint64(input[layout.Entry(0).LamportsOffset:], 60)
	binary.LittleEndian.PutUint64(input[layout.Entry(1).LamportsOffset:], 45)
	if _, err := Deserialize(input, layout); err == nil {
		t.Fatal("Deserialize against the serialized state should see an external spend")
	}
	post, err := DeserializeCurrent(input, layout, current)
	if err != nil || post[0].Lamports != 60 || post[1].Lamports != 45 {
		t.Fatalf("DeserializeCurrent: %+v %v", post, err)
	}
	if _, err := DeserializeCurrent(input, layout, current[:1]); err == nil {
		t.Fatal("length mismatch accepted")
	}
}
