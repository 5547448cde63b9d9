package abi

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

func key(b byte) [32]byte {
	var k [32]byte
	for i := range k {
		k[i] = b
	}
	return k
}

var programID = key(0xaa)

// TestSerializeOffsets checks the layout against offsets computed by hand
// from the aligned format.
func TestSerializeOffsets(t *testing.T) {
	type want struct {
		dup                                                 bool
		offset, key, owner, lamports, dataLen, data, rentEp int
	}
	tests := []struct {
		name      string
		accounts  []Account
		metas     []AccountMeta
		insnData  []byte
		entries   []want
		insnOff   int
		programID int
		size      int
	}{
		{
			// 8 count; entry at 8: 8 header, key 16, owner 48,
			// lamports 80, len 88, data 96 (= 8+8+32+32+8+8), 3 bytes
			// + 10240 + 5 padding = 10344 rent epoch; 10352 insn len;
			// 10360 insn data (2); 10362 program id; 10394 end.
			name:      "one account, 3 bytes of data",
			accounts:  []Account{{Key: key(1), Data: []byte{1, 2, 3}}},
			metas:     []AccountMeta{{Index: 0, Writable: true}},
			insnData:  []byte("hi"),
			entries:   []want{{offset: 8, key: 16, owner: 48, lamports: 80, dataLen: 88, data: 96, rentEp: 10344}},
			insnOff:   10360,
			programID: 10362,
			size:      10394,
		},
		{
			// A (no data) at 8: data 96, rent 96+10240 = 10336, end
			// 10344. B (8 bytes) at 10344: key 10352, owner 10384,
			// lamports 10416, len 10424, data 10432, rent 10432+8+10240
			// = 20680, end 20688. Dup of A at 20688, end 20696. insn len
			// 20696, insn data 20704 (empty), program id 20704, end 20736.
			name:     "two accounts and a duplicate",
			accounts: []Account{{Key: key(1)}, {Key: key(2), Data: make([]byte, 8)}},
			metas:    []AccountMeta{{Index: 0}, {Index: 1}, {Index: 0}},
			entries: []want{
				{offset: 8, key: 16, owner: 48, lamports: 80, dataLen: 88, data: 96, rentEp: 10336},
				{offset: 10344, key: 10352, owner: 10384, lamports: 10416, dataLen: 10424, data: 10432, rentEp: 20680},
				{dup: true, offset: 20688, key: 16, owner: 48, lamports: 80, dataLen: 88, data: 96, rentEp: 10336},
			},
			insnOff:   20704,
			programID: 20704,
			size:      20736,
		},
		{
			// 13 bytes of data: padding 3. data 96, rent 96+13+10240+3
			// = 10352, insn len 10360, data 10368, program id 10368.
			name:      "padding to 8",
			accounts:  []Account{{Key: key(1), Data: make([]byte, 13)}},
			metas:     []AccountMeta{{Index: 0}},
			entries:   []want{{offset: 8, key: 16, owner: 48, lamports: 80, dataLen: 88, data: 96, rentEp: 10352}},
			insnOff:   10368,
			programID: 10368,
			size:      10400,
		},
		{
			name:      "no accounts",
			insnData:  []byte{9},
			insnOff:   16,
			programID: 17,
			size:      49,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, l, err := Serialize(tc.accounts, &Instruction{ProgramID: programID, Accounts: tc.metas, Data: tc.insnData})
			if err != nil {
				t.Fatal(err)
			}
			if len(in) != tc.size || l.Size() != tc.size {
				t.Fatalf("size %d (layout %d), want %d", len(in), l.Size(), tc.size)
			}
			if got := binary.LittleEndian.Uint64(in); got != uint64(len(tc.metas)) {
				t.Errorf("count %d, want %d", got, len(tc.metas))
			}
			if l.NumEntries() != len(tc.entries) {
				t.Fatalf("%d entries, want %d", l.NumEntries(), len(tc.entries))
			}
			for i, w := range tc.entries {
				e := l.Entry(i)
				got := want{e.Duplicate, e.Offset, e.KeyOffset, e.OwnerOffset, e.LamportsOffset, e.DataLenOffset, e.DataOffset, e.RentEpochOffset}
				if got != w {
					t.Errorf("entry %d: %+v, want %+v", i, got, w)
				}
			}
			if l.InstructionDataOffset() != tc.insnOff || l.ProgramIDOffset() != tc.programID {
				t.Errorf("insn data at %d, program id at %d; want %d, %d", l.InstructionDataOffset(), l.ProgramIDOffset(), tc.insnOff, tc.programID)
			}
			if got := binary.LittleEndian.Uint64(in[tc.insnOff-8:]); got != uint64(len(tc.insnData)) {
				t.Errorf("insn data length %d", got)
			}
			if !bytes.Equal(in[tc.insnOff:tc.insnOff+len(tc.insnData)], tc.insnData) {
				t.Errorf("insn data %x", in[tc.insnOff:tc.insnOff+len(tc.insnData)])
			}
			if !bytes.Equal(in[tc.programID:], programID[:]) {
				t.Errorf("program id %x", in[tc.programID:])
			}
		})
	}
}

func TestSerializeBytes(t *testing.T) {
	accounts := []Account{
		{Key: key(1), Owner: key(2), Lamports: 0x0102030405060708, Data: []byte{0xde, 0xad}, Executable: true, RentEpoch: 7},
		{Key: key(3), Owner: programID, Lamports: 5},
	}
	metas := []AccountMeta{{Index: 0, Signer: true}, {Index: 1, Writable: true}, {Index: 1, Signer: true}, {Index: 0, Writable: true}}
	in, l, err := Serialize(accounts, &Instruction{ProgramID: programID, Accounts: metas, Data: []byte{1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	// Entry 0: flags are the union of entries 0 and 3 (signer, writable).
	if got := in[8:16]; !bytes.Equal(got, []byte{0xff, 1, 1, 1, 0, 0, 0, 0}) {
		t.Errorf("entry 0 header % x", got)
	}
	e0 := l.Entry(0)
	if !bytes.Equal(in[e0.KeyOffset:e0.KeyOffset+32], accounts[0].Key[:]) || !bytes.Equal(in[e0.OwnerOffset:e0.OwnerOffset+32], accounts[0].Owner[:]) {
		t.Error("entry 0 key or owner")
	}
	if got := binary.LittleEndian.Uint64(in[e0.LamportsOffset:]); got != accounts[0].Lamports {
		t.Errorf("lamports %#x", got)
	}
	if got := binary.LittleEndian.Uint64(in[e0.DataLenOffset:]); got != 2 {
		t.Errorf("data len %d", got)
	}
	if !bytes.Equal(in[e0.DataOffset:e0.DataOffset+2], []byte{0xde, 0xad}) {
		t.Error("data")
	}
	for i := e0.DataOffset + 2; i < e0.RentEpochOffset; i++ {
		if in[i] != 0 {
			t.Fatalf("realloc space not zero at %d", i)
		}
	}
	if got := binary.LittleEndian.Uint64(in[e0.RentEpochOffset:]); got != math.MaxUint64 {
		t.Errorf("rent epoch %#x, want u64::MAX whatever the account holds", got)
	}
	// Entry 1: signer by entry 2, writable by entry 1; not executable.
	e1 := l.Entry(1)
	if got := in[e1.Offset : e1.Offset+8]; !bytes.Equal(got, []byte{0xff, 1, 1, 0, 0, 0, 0, 0}) {
		t.Errorf("entry 1 header % x", got)
	}
	// Entries 2 and 3 are duplicates of 1 and 0.
	for i, pos := range []int{1, 0} {
		e := l.Entry(2 + i)
		if !e.Duplicate || e.DupOf != pos {
			t.Errorf("entry %d: duplicate %v of %d", 2+i, e.Duplicate, e.DupOf)
		}
		if got := in[e.Offset : e.Offset+8]; !bytes.Equal(got, []byte{byte(pos), 0, 0, 0, 0, 0, 0, 0}) {
			t.Errorf("entry %d bytes % x", 2+i, got)
		}
	}
	// The input does not alias the accounts.
	in[e0.DataOffset] = 0
	if accounts[0].Data[0] != 0xde {
		t.Error("input aliases account data")
	}
}

func TestSerializeErrors(t *testing.T) {
	many := make([]AccountMeta, MaxAccountsPerInstruction+1)
	tests := []struct {
		name     string
		accounts []Account
		ix       *Instruction
		kind     ErrorKind
	}{
		{"nil instruction", nil, nil, InvalidArgument},
		{"too many accounts", []Account{{}}, &Instruction{Accounts: many}, MaxAccountsExceeded},
		{"index out of range", []Account{{}}, &Instruction{Accounts: []AccountMeta{{Index: 1}}}, MissingAccount},
		{"negative index", []Account{{}}, &Instruction{Accounts: []AccountMeta{{Index: -1}}}, MissingAccount},
		{"data too large", []Account{{Data: make([]byte, MaxPermittedDataLength+1)}}, &Instruction{Accounts: []AccountMeta{{}}}, InvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Serialize(tc.accounts, tc.ix)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("error %v, want %s", err, tc.kind)
			}
			var e *Error
			if !errors.As(err, &e) || e.KindName() != tc.kind.String() {
				t.Fatalf("error %#v", err)
			}
		})
	}
	// The maximum is allowed.
	if _, _, err := Serialize([]Account{{}}, &Instruction{Accounts: many[:MaxAccountsPerInstruction]}); err != nil {
		t.Fatal(err)
	}
}

// SerializeTo writes the same input as Serialize whatever the reused
// buffer held, for random account lists with duplicates and more than
// the small-list fast path's 16 accounts.
func TestSerializeToReusedBuffer(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	buf := make([]byte, 0, 1<<20)
	for i := range 200 {
		accounts := make([]Account, 1+rng.IntN(24))
		for j := range accounts {
			accounts[j] = Account{Key: key(byte(j)), Owner: key(byte(100 + j)), Lamports: rng.Uint64(), Executable: rng.IntN(4) == 0,
				Data: bytes.Repeat([]byte{byte(j + 1)}, rng.IntN(300))}
		}
		ix := &Instruction{ProgramID: key(200), Data: bytes.Repeat([]byte{7}, rng.IntN(40))}
		for range 1 + rng.IntN(30) {
			ix.Accounts = append(ix.Accounts, AccountMeta{Index: rng.IntN(len(accounts)), Signer: rng.IntN(2) == 0, Writable: rng.IntN(2) == 0})
		}
		want, wantLayout, err := Serialize(accounts, ix)
		if err != nil {
			t.Fatal(err)
		}
		buf = buf[:cap(buf)]
		for k := range buf {
			buf[k] = 0xa5
		}
		got, layout, err := SerializeTo(buf, accounts, ix)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) || &got[0] != &buf[0] {
			t.Fatalf("case %d: SerializeTo differs from Serialize (or did not reuse the buffer)", i)
		}
		if !reflect.DeepEqual(layout, wantLayout) {
			t.Fatalf("case %d: layouts differ", i)
		}
	}
	// A buffer too small is not used.
	small := make([]byte, 10)
	accounts := []Account{{Key: key(1)}}
	got, _, err := SerializeTo(small, accounts, &Instruction{Accounts: []AccountMeta{{Index: 0}}})
	if err != nil || len(got) <= 10 || &got[0] == &small[0] {
		t.Fatalf("small buffer: %d bytes, %v", len(got), err)
	}
}
