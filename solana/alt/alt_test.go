package alt

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/sysvar"
)

func TestInstructionRoundTrip(t *testing.T) {
	k := pubkey.MustParse("AgoraProgram1111111111111111111111111111111")
	for _, ix := range []Instruction{
		{Tag: TagCreate, RecentSlot: 77, BumpSeed: 254},
		{Tag: TagFreeze}, {Tag: TagDeactivate}, {Tag: TagClose},
		{Tag: TagExtend, NewAddresses: []pubkey.Pubkey{k, {}}},
	} {
		got, err := DecodeInstruction(ix.Encode())
		if err != nil || got.Tag != ix.Tag || got.RecentSlot != ix.RecentSlot || got.BumpSeed != ix.BumpSeed || len(got.NewAddresses) != len(ix.NewAddresses) {
			t.Errorf("%+v: %+v %v", ix, got, err)
		}
	}
	// Create's data: tag 0, the slot, the bump (13 bytes), as web3.js
	// encodes it.
	if b := (&Instruction{Tag: TagCreate, RecentSlot: 1, BumpSeed: 2}).Encode(); !bytes.Equal(b, []byte{0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2}) {
		t.Fatalf("create %x", b)
	}
	for _, bad := range [][]byte{nil, {5, 0, 0, 0}, {0, 0, 0, 0, 1}, {2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}} {
		if _, err := DecodeInstruction(bad); !errors.Is(err, ErrInstruction) {
			t.Errorf("%x: %v", bad, err)
		}
	}
}

func TestStatusAndActiveLen(t *testing.T) {
	var hashes sysvar.SlotHashes
	for s := uint64(0); s < 20; s++ {
		hashes = hashes.Push(s, [32]byte{})
	}
	m := Meta{DeactivationSlot: math.MaxUint64}
	if s, _ := m.Status(20, hashes); s != Activated {
		t.Fatal("active")
	}
	m.DeactivationSlot = 20
	if s, left := m.Status(20, hashes); s != Deactivating || left != sysvar.MaxSlotHashes+1 {
		t.Fatalf("same slot: %d %d", s, left)
	}
	m.DeactivationSlot = 17
	if s, left := m.Status(20, hashes); s != Deactivating || left != sysvar.MaxSlotHashes-2 {
		t.Fatalf("recent: %d %d", s, left)
	}
	m.DeactivationSlot = 100
	if s, _ := m.Status(200, hashes); s != Deactivated {
		t.Fatal("old")
	}
	tb := Table{Meta: Meta{DeactivationSlot: math.MaxUint64, LastExtendedSlot: 20, LastExtendedSlotStartIndex: 1}, Addresses: make([]pubkey.Pubkey, 3)}
	if n, _ := tb.ActiveLen(20, hashes); n != 1 {
		t.Fatalf("same slot active %d", n)
	}
	if n, _ := tb.ActiveLen(21, hashes); n != 3 {
		t.Fatalf("next slot active %d", n)
	}
	if _, err := tb.Lookup(20, []uint8{1}, hashes); !errors.Is(err, ErrIndex) {
		t.Fatalf("lookup past active: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	k := pubkey.MustParse("AgoraProgram1111111111111111111111111111111")
	f.Add((&Table{Meta: NewMeta(k), Addresses: []pubkey.Pubkey{k}}).Encode())
	f.Add((&Instruction{Tag: TagExtend, NewAddresses: []pubkey.Pubkey{k}}).Encode())
	f.Add([]byte{0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if tb, err := Decode(b); err == nil {
			if !bytes.Equal(tb.Encode()[MetaSize:], b[MetaSize:]) {
				t.Fatal("addresses do not re-encode")
			}
			for s := range uint64(3) {
				_, _ = tb.Lookup(s, []uint8{0, 255, tb.Meta.LastExtendedSlotStartIndex}, nil)
			}
		} else if !errors.Is(err, ErrInvalidData) && !errors.Is(err, ErrUninitialized) {
			t.Fatalf("untyped error %v", err)
		}
		if ix, err := DecodeInstruction(b); err == nil {
			if got, err := DecodeInstruction(ix.Encode()); err != nil || got.Tag != ix.Tag || len(got.NewAddresses) != len(ix.NewAddresses) {
				t.Fatal("instruction does not re-encode")
			}
		}
	})
}
