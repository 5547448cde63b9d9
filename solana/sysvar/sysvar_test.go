package sysvar

import (
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
)

func TestRentMinimumBalance(t *testing.T) {
	r := DefaultRent()
	// Values Solana reports: 0 bytes 890,880; a token account (165) 2,039,280;
	// a mint (82) 1,461,600.
	for _, c := range []struct{ n, want uint64 }{{0, 890_880}, {165, 2_039_280}, {82, 1_461_600}} {
		if got := r.MinimumBalance(c.n); got != c.want {
			t.Errorf("MinimumBalance(%d) = %d, want %d", c.n, got, c.want)
		}
	}
	if r.MinimumBalance(^uint64(0)-200) != ^uint64(0) {
		t.Error("no saturation")
	}
	d, err := DecodeRent(r.Encode())
	if err != nil || d != r || len(r.EncodeMemory()) != RentMemorySize {
		t.Fatalf("rent round trip %+v %v", d, err)
	}
}

func TestLayouts(t *testing.T) {
	c := Clock{1, 2, 3, 4, -5}
	if d, err := DecodeClock(c.Encode()); err != nil || d != c {
		t.Fatalf("clock %+v %v", d, err)
	}
	e := EpochSchedule{32, 32, true, 14, 524256}
	if d, err := DecodeEpochSchedule(e.Encode()); err != nil || d != e {
		t.Fatalf("epoch schedule %+v %v", d, err)
	}
	m := e.EncodeMemory()
	if len(m) != 40 || m[16] != 1 || m[24] != 14 {
		t.Fatalf("memory layout %x", m)
	}
	if _, err := DecodeClock(nil); err == nil {
		t.Fatal("short clock accepted")
	}
}

func TestSlotHashes(t *testing.T) {
	var s SlotHashes
	for slot := uint64(0); slot < MaxSlotHashes+10; slot++ {
		s = s.Push(slot, [32]byte{byte(slot)})
	}
	if len(s) != MaxSlotHashes || s[0].Slot != MaxSlotHashes+9 || s[len(s)-1].Slot != 10 {
		t.Fatalf("len %d, newest %d, oldest %d", len(s), s[0].Slot, s[len(s)-1].Slot)
	}
	if p, ok := s.Position(MaxSlotHashes + 9); !ok || p != 0 {
		t.Fatalf("newest at %d %v", p, ok)
	}
	if p, ok := s.Position(10); !ok || p != MaxSlotHashes-1 {
		t.Fatalf("oldest at %d %v", p, ok)
	}
	if _, ok := s.Position(9); ok {
		t.Fatal("evicted slot found")
	}
	b := s.Encode()
	if len(b) != SlotHashesSize {
		t.Fatalf("size %d", len(b))
	}
	d, err := DecodeSlotHashes(b)
	if err != nil || len(d) != len(s) || d[3] != s[3] {
		t.Fatalf("decode: %v", err)
	}
	if e := SlotHashes(nil).Encode(); len(e) != SlotHashesSize {
		t.Fatalf("empty size %d", len(e))
	}
	if _, err := DecodeSlotHashes([]byte{2, 0, 0, 0, 0, 0, 0, 0, 1}); err == nil {
		t.Fatal("short data accepted")
	}
	var set Set
	set.SlotHashes = s[:2]
	if data, ok := set.Data(pubkey.SysvarSlotHashes()); !ok || len(data) != SlotHashesSize {
		t.Fatal("Set.Data")
	}
}

func FuzzDecodeSysvars(f *testing.F) {
	f.Add(SlotHashes{{Slot: 3}}.Encode()[:48])
	f.Add(EncodeInstructions(nil))
	f.Add([]byte{1, 0, 4, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, err := DecodeSlotHashes(b); err == nil {
			_, _ = s.Position(3)
		}
		for i := range 3 {
			_, _ = DecodeInstruction(b, i)
		}
		c := append([]byte(nil), b...)
		if StoreCurrentIndex(c, 7) == nil && (c[len(c)-2] != 7 || c[len(c)-1] != 0) {
			t.Fatal("index not stored")
		}
	})
}
