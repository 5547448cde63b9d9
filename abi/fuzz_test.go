package abi

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// fuzzInstruction derives accounts and an instruction from fuzz bytes:
// up to 6 accounts with small data, up to 8 entries (so duplicates are
// common), owners drawn from the program and one other.
func fuzzInstruction(spec []byte) ([]Account, *Instruction) {
	next := func() byte {
		if len(spec) == 0 {
			return 0
		}
		b := spec[0]
		spec = spec[1:]
		return b
	}
	n := int(next()%6) + 1
	accounts := make([]Account, n)
	for i := range accounts {
		flags := next()
		accounts[i] = Account{
			Key:        key(byte(i + 1)),
			Owner:      programID,
			Lamports:   uint64(next()) << (next() % 57),
			Data:       bytes.Repeat([]byte{next() & 1}, int(next()%20)),
			Executable: flags&4 != 0,
		}
		if flags&1 != 0 {
			accounts[i].Owner = otherProgram
		}
	}
	ix := &Instruction{ProgramID: programID, Data: []byte{next()}}
	for range int(next()%8) + 1 {
		f := next()
		ix.Accounts = append(ix.Accounts, AccountMeta{Index: int(next()) % n, Signer: f&1 != 0, Writable: f&2 != 0})
	}
	return accounts, ix
}

// FuzzDeserialize serializes a fuzz-built instruction, lets the fuzzer
// overwrite bytes of the input as a program could (and truncate it), and
// checks that Deserialize never panics and that whatever it accepts obeys
// the rules: lamports conserved, read-only and foreign accounts' data
// unchanged, foreign accounts not debited, growth within the realloc
// space, owners changed only by the owner on zeroed writable accounts.
func FuzzDeserialize(f *testing.F) {
	f.Add([]byte{3, 0, 10, 1, 0, 4, 1, 5, 0, 0, 1, 2, 9, 0, 3, 2, 0, 2, 1, 3, 2}, []byte{80, 1, 0, 0, 0}, uint16(0))
	f.Add([]byte{2, 1, 200, 3, 1, 7}, []byte{88, 0, 0xff, 0xff, 0xff}, uint16(1))
	f.Fuzz(func(t *testing.T, spec, writes []byte, cut uint16) {
		accounts, ix := fuzzInstruction(spec)
		in, l, err := Serialize(accounts, ix)
		if err != nil {
			t.Fatal(err)
		}
		// writes: (offset u16, value) triples relative to the first
		// entries, where the interesting fields are.
		for len(writes) >= 3 {
			off := int(binary.LittleEndian.Uint16(writes)) % len(in)
			in[off] = writes[2]
			writes = writes[3:]
		}
		if cut%7 == 1 {
			in = in[:int(cut)%len(in)]
		}
		post, err := Deserialize(in, l)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Kind == KindNone {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		var sumPre, sumPost uint64
		var carryPre, carryPost uint64
		seen := map[int]bool{}
		for _, m := range ix.Accounts {
			if seen[m.Index] {
				continue
			}
			seen[m.Index] = true
			a, b := accounts[m.Index], post[m.Index]
			var c uint64
			sumPre, c = addCarry(sumPre, a.Lamports)
			carryPre += c
			sumPost, c = addCarry(sumPost, b.Lamports)
			carryPost += c
			owned := a.Owner == programID
			var writable bool
			for _, m2 := range ix.Accounts {
				writable = writable || (m2.Index == m.Index && m2.Writable)
			}
			if (!writable || !owned) && !bytes.Equal(a.Data, b.Data) {
				t.Fatalf("account %d: data changed (writable %v, owned %v)", m.Index, writable, owned)
			}
			if !writable && a.Lamports != b.Lamports {
				t.Fatalf("account %d: read-only lamports changed", m.Index)
			}
			if !owned && b.Lamports < a.Lamports {
				t.Fatalf("account %d: foreign account debited", m.Index)
			}
			if len(b.Data) > len(a.Data)+MaxPermittedDataIncrease {
				t.Fatalf("account %d: grew from %d to %d", m.Index, len(a.Data), len(b.Data))
			}
			if a.Owner != b.Owner && (!owned || !writable || !isZero(b.Data)) {
				t.Fatalf("account %d: owner changed illegally", m.Index)
			}
			if a.Key != b.Key || a.Executable != b.Executable || a.RentEpoch != b.RentEpoch {
				t.Fatalf("account %d: key, executable or rent epoch changed", m.Index)
			}
		}
		if sumPre != sumPost || carryPre != carryPost {
			t.Fatal("lamports not conserved")
		}
	})
}

func addCarry(a, b uint64) (uint64, uint64) {
	s := a + b
	if s < a {
		return s, 1
	}
	return s, 0
}

// FuzzParseAccountsJSON checks that any document parses or fails with a
// *JSONError, never panics, and that what parses builds and serializes.
func FuzzParseAccountsJSON(f *testing.F) {
	f.Add([]byte(`[{"key":"` + k1 + `","owner":"` + kp + `","lamports":5,"data_hex":"00ff","signer":true,"writable":true},{"key":"` + k1 + `"}]`))
	f.Add([]byte(`[{"key":"` + k2 + `","data_base64":"AAEC","executable":true}]`))
	f.Add([]byte(`[{"key":"11111111111111111111111111111111","lamports":"18446744073709551615"}]`))
	f.Add([]byte(`[null]`))
	f.Add([]byte(`{"key":1}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		inputs, err := ParseAccountsJSON(doc)
		if err != nil {
			var je *JSONError
			if !errors.As(err, &je) || je.Err == nil {
				t.Fatalf("untyped error %v", err)
			}
			_ = err.Error()
			return
		}
		if len(inputs) > MaxAccountsPerInstruction {
			t.Fatalf("%d entries", len(inputs))
		}
		accounts, ix, err := Build(programID, inputs, []byte{1})
		if err != nil {
			t.Fatalf("parsed document does not build: %v", err)
		}
		in, l, err := Serialize(accounts, ix)
		if err != nil {
			t.Fatalf("parsed document does not serialize: %v", err)
		}
		if _, err := Deserialize(in, l); err != nil {
			t.Fatalf("unchanged input does not deserialize: %v", err)
		}
	})
}
