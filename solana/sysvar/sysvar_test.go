package sysvar

import "testing"

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
