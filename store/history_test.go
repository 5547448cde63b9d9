package store

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
)

// txBlock returns block h holding n transactions; transaction i of block
// h touches key(0) (every one), key(h) and key(100+i).
func txBlock(h uint64, n int) *Block {
	b := block(h)
	b.Signatures = nil
	for i := 0; i < n; i++ {
		var sig [64]byte
		copy(sig[:], fmt.Sprintf("sig-%d-%d", h, i))
		r := TxRecord{
			Signature: sig, Logs: []string{fmt.Sprintf("Program log: %d.%d", h, i), "Program x success"},
			CU: 100*h + uint64(i), Fee: 5000, Accounts: []pubkey.Pubkey{key(0), key(int(h)), key(100 + i)},
			PreBalances: []uint64{10, 20, 30}, PostBalances: []uint64{5, 25, 30}, Transaction: []byte{1, 2, 3, byte(i)},
		}
		if i%2 == 1 {
			r.Err, r.ErrMessage, r.ReturnData = "InstructionError(0, Custom(1))", "Error processing Instruction 0: custom program error: 0x1", []byte("ret")
		}
		if h%2 == 0 { // a version 2 record
			r.Inner = [][]InnerInstruction{{}, {{ProgramIDIndex: 2, Accounts: []uint8{0, 1}, Data: []byte{9, 8}, StackHeight: 2}, {ProgramIDIndex: 1, StackHeight: 3}}}
			r.PreTokenBalances = []TokenBalance{{AccountIndex: 1, Mint: key(7), Owner: key(8), ProgramID: key(9), Amount: 5, Decimals: 6}}
			r.PostTokenBalances = []TokenBalance{}
		}
		b.Signatures = append(b.Signatures, sig)
		b.Txs = append(b.Txs, r)
	}
	return b
}

func exerciseHistory(t *testing.T, s *Store) {
	var all []TxRecord // oldest first, as committed
	for h := uint64(0); h < 6; h++ {
		b := txBlock(h, int(h%3))
		if _, err := s.Commit(b); err != nil {
			t.Fatal(err)
		}
		for i, r := range b.Txs {
			r.Slot, r.Index = h, uint32(i)
			all = append(all, r)
		}
	}
	for _, want := range all {
		got, err := s.Transaction(want.Signature)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("record\n got %+v\nwant %+v", got, want)
		}
	}
	if _, err := s.Transaction([64]byte{9}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown signature: %v", err)
	}
	// key(0) is in every transaction: newest first, and pages by before.
	refs, err := s.SignaturesForAddress(key(0), nil, 100)
	if err != nil || len(refs) != len(all) {
		t.Fatalf("%d refs, %v", len(refs), err)
	}
	for i, r := range refs {
		w := all[len(all)-1-i]
		if r.Signature != w.Signature || r.Slot != w.Slot || r.Index != w.Index {
			t.Fatalf("ref %d = %+v, want %+v", i, r, w)
		}
	}
	page, _ := s.SignaturesForAddress(key(0), &refs[1].Signature, 2)
	if len(page) != 2 || page[0] != refs[2] || page[1] != refs[3] {
		t.Fatalf("page before %v: %+v", refs[1], page)
	}
	// key(101) is only in the second transaction of blocks 2 and 5.
	refs, _ = s.SignaturesForAddress(key(101), nil, 10)
	if len(refs) != 2 || refs[0].Slot != 5 || refs[0].Index != 1 || refs[1].Slot != 2 {
		t.Fatalf("key(101): %+v", refs)
	}
	if refs, _ := s.SignaturesForAddress(key(999), nil, 10); len(refs) != 0 {
		t.Fatalf("unused key: %+v", refs)
	}
	recent, err := s.RecentTransactions(3)
	if err != nil || len(recent) != 3 || !reflect.DeepEqual(recent[0], all[len(all)-1]) || !reflect.DeepEqual(recent[2], all[len(all)-3]) {
		t.Fatalf("recent: %v %+v", err, recent)
	}
	// A block whose records do not match its signatures is refused whole.
	bad := txBlock(6, 2)
	bad.Txs[1].Signature[0]++
	if _, err := s.Commit(bad); err == nil {
		t.Fatal("mismatched records committed")
	}
	bad = txBlock(6, 2)
	bad.Txs = bad.Txs[:1]
	if _, err := s.Commit(bad); err == nil {
		t.Fatal("missing record committed")
	}
	if h, _ := s.Head(); h.Height != 5 {
		t.Fatalf("head %d after refused blocks", h.Height)
	}
}

func TestHistoryMem(t *testing.T) { exerciseHistory(t, NewMem()) }

// History is in the same atomic write as the block and survives a
// restart.
func TestHistoryPebble(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	exerciseHistory(t, s)
	s.Close()
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.Transaction(txBlock(5, 2).Signatures[1])
	if err != nil || r.Slot != 5 || r.Index != 1 || r.OK() {
		t.Fatalf("after restart: %+v %v", r, err)
	}
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
}

func TestTxRecordRoundTrip(t *testing.T) {
	for _, r := range append(txBlock(4, 2).Txs, TxRecord{}) {
		r.Slot, r.Index = 77, 3
		enc := r.encode()
		if cap(enc) > r.sizeBound() || len(enc) > r.sizeBound() {
			t.Fatalf("encoding of %d bytes (capacity %d) over its bound %d: it was regrown", len(enc), cap(enc), r.sizeBound())
		}
		got, err := decodeTxRecord(enc)
		if err != nil {
			t.Fatal(err)
		}
		want := r
		if want.ReturnData == nil {
			want.ReturnData = []byte{}
		}
		if got.ReturnData == nil {
			got.ReturnData = []byte{}
		}
		if len(want.Transaction) == 0 {
			want.Transaction, got.Transaction = nil, nil
		}
		for _, rr := range []*TxRecord{&want, &got} {
			for _, l := range rr.Inner {
				for i := range l {
					if len(l[i].Accounts) == 0 {
						l[i].Accounts = nil
					}
					if len(l[i].Data) == 0 {
						l[i].Data = nil
					}
				}
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v\nwant %+v", got, want)
		}
	}
}

// A record without inner instructions or token balances is stored as
// version 1, the form records had before those were kept; it decodes
// with both absent, and a version 2 record announcing neither is refused.
func TestTxRecordVersions(t *testing.T) {
	v1 := txBlock(3, 2).Txs[1]
	enc := v1.encode()
	if enc[0] != txRecordV1 {
		t.Fatalf("version %d, want 1", enc[0])
	}
	got, err := decodeTxRecord(enc)
	if err != nil || got.Inner != nil || got.PreTokenBalances != nil || got.PostTokenBalances != nil {
		t.Fatalf("v1: %+v %v", got, err)
	}
	v2 := txBlock(4, 2).Txs[1]
	enc = v2.encode()
	if enc[0] != txRecordV2 {
		t.Fatalf("version %d, want 2", enc[0])
	}
	got, err = decodeTxRecord(enc)
	if err != nil || len(got.Inner) != 2 || len(got.Inner[0]) != 0 || got.Inner[1][0].StackHeight != 2 || got.PostTokenBalances == nil || got.PreTokenBalances[0].Amount != 5 {
		t.Fatalf("v2: %+v %v", got, err)
	}
	onlyInner := v1
	onlyInner.Inner = [][]InnerInstruction{}
	if got, err := decodeTxRecord(onlyInner.encode()); err != nil || got.Inner == nil || got.PreTokenBalances != nil {
		t.Fatalf("inner only: %+v %v", got, err)
	}
	empty := append(v1.encode(), 0)
	empty[0] = txRecordV2
	var re *RecordError
	if _, err := decodeTxRecord(empty); !errors.As(err, &re) || re.Field != "flags" {
		t.Fatalf("v2 without flags: %v", err)
	}
	bad := append(v1.encode(), 4)
	bad[0] = txRecordV2
	if _, err := decodeTxRecord(bad); !errors.As(err, &re) || re.Field != "flags" {
		t.Fatalf("v2 with unknown flags: %v", err)
	}
}

// Every truncation and many byte flips of a record decode to a typed
// error or to a record, never a panic.
func TestTxRecordDamage(t *testing.T) {
	enc := txBlock(4, 2).Txs[1].encode()
	for n := 0; n < len(enc); n++ {
		_, err := decodeTxRecord(enc[:n])
		var re *RecordError
		if !errors.As(err, &re) || !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d: %v", n, err)
		}
	}
	if _, err := decodeTxRecord(append(bytes.Clone(enc), 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
}

func FuzzDecodeTxRecord(f *testing.F) {
	for _, r := range txBlock(4, 2).Txs {
		f.Add(r.encode())
	}
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeTxRecord(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if !bytes.Equal(r.encode(), b) {
			t.Fatal("a record that decodes must re-encode to the same bytes")
		}
	})
}
