package system

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

func TestRoundTrip(t *testing.T) {
	k := pubkey.MustParse("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
	for _, ix := range []Instruction{
		{Tag: TagCreateAccount, Lamports: 1, Space: 2, Owner: k},
		{Tag: TagAssign, Owner: k},
		{Tag: TagTransfer, Lamports: 7},
		{Tag: TagCreateAccountWithSeed, Base: k, Seed: "seed", Lamports: 3, Space: 4, Owner: k},
		{Tag: TagAllocate, Space: 9},
		{Tag: TagAllocateWithSeed, Base: k, Seed: "s", Space: 5, Owner: k},
		{Tag: TagAssignWithSeed, Base: k, Seed: "s", Owner: k},
		{Tag: TagTransferWithSeed, Lamports: 6, Seed: "x", FromOwner: k},
	} {
		got, err := Decode(append(ix.Encode(), 0xaa)) // trailing bytes are allowed
		if err != nil || got != ix {
			t.Errorf("%s: %+v %v", ix.Tag, got, err)
		}
	}
	// Transfer of 1 lamport as the Solana SDK encodes it.
	if h := hex.EncodeToString((&Instruction{Tag: TagTransfer, Lamports: 1}).Encode()); h != "020000000100000000000000" {
		t.Fatalf("transfer = %s", h)
	}
	bad := [][]byte{nil, {2, 0, 0}, {2, 0, 0, 0, 1}, {99, 0, 0, 0},
		append((&Instruction{Tag: TagAssignWithSeed, Seed: "ab"}).Encode()[:40], 0xff, 0xfe)}
	for _, b := range bad {
		if _, err := Decode(b); !errors.Is(err, ErrInvalid) {
			t.Errorf("Decode(%x) = %v", b, err)
		}
	}
	ix := (&Instruction{Tag: TagAssignWithSeed, Seed: "ab"}).Encode()
	ix[4+32+8] = 0xff // invalid UTF-8 in the seed
	if _, err := Decode(ix); !errors.Is(err, ErrInvalid) {
		t.Error("invalid UTF-8 seed accepted")
	}
	if !bytes.Equal(Transfer(k, k, 1).Data, (&Instruction{Tag: TagTransfer, Lamports: 1}).Encode()) {
		t.Fatal("builder")
	}
}

func TestNonceStateRoundTrip(t *testing.T) {
	auth := pubkey.Pubkey{7}
	for _, st := range []NonceState{
		{Version: NonceVersionCurrent},
		{Version: NonceVersionLegacy},
		{Version: NonceVersionCurrent, Initialized: true, Authority: auth, Nonce: DurableNonce(txn.Hash{1}), LamportsPerSignature: 5000},
		{Version: NonceVersionLegacy, Initialized: true, Authority: auth, Nonce: txn.Hash{2}, LamportsPerSignature: 1},
	} {
		enc := st.Encode()
		want := 8
		if st.Initialized {
			want = NonceAccountSize
		}
		if len(enc) != want {
			t.Fatalf("%+v: %d bytes", st, len(enc))
		}
		got, err := DecodeNonce(append(enc, 9, 9)) // trailing bytes are ignored
		if err != nil || got != st {
			t.Fatalf("round trip: %+v -> %+v, %v", st, got, err)
		}
	}
	for _, bad := range [][]byte{nil, {1, 0, 0, 0}, {2, 0, 0, 0, 0, 0, 0, 0}, {1, 0, 0, 0, 2, 0, 0, 0}, append([]byte{1, 0, 0, 0, 1, 0, 0, 0}, make([]byte, 71)...)} {
		if _, err := DecodeNonce(bad); err == nil {
			t.Fatalf("DecodeNonce(%x) accepted", bad)
		}
	}
}

// The durable nonce is sha256("DURABLE_NONCE" || blockhash).
func TestDurableNonceKnown(t *testing.T) {
	h := sha256.Sum256(append([]byte("DURABLE_NONCE"), make([]byte, 32)...))
	if got := DurableNonce(txn.Hash{}); got != txn.Hash(h) {
		t.Fatalf("DurableNonce(0) = %x", got)
	}
}

func FuzzDecodeNonce(f *testing.F) {
	st := NonceState{Version: 1, Initialized: true, LamportsPerSignature: 5000}
	f.Add(st.Encode())
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := DecodeNonce(b)
		if err != nil {
			return
		}
		enc := st.Encode()
		if len(enc) > len(b) || string(b[:len(enc)]) != string(enc) {
			t.Fatalf("re-encoding %x gives %x", b, enc)
		}
	})
}
