package system

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
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
