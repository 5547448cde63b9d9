package modules

import (
	"bytes"
	"errors"
	"testing"
)

func TestVersionsRoundTrip(t *testing.T) {
	v := &Versions{Program: [32]byte{7}, Active: 1, Prev: 0, Staged: -1, Reserve: 99,
		List:   []Version{{Slot: 3, Hash: [32]byte{1}, ELF: []byte("first")}, {Slot: 9, Hash: [32]byte{2}, ELF: []byte("second!")}},
		Upload: []byte("partial")}
	b := v.Encode()
	got, err := DecodeVersions(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Encode(), b) || got.Active != 1 || got.Prev != 0 || got.Staged != -1 || got.Reserve != 99 || string(got.List[1].ELF) != "second!" || string(got.Upload) != "partial" {
		t.Fatalf("round trip %+v", got)
	}
}

func TestDecodeVersionsErrors(t *testing.T) {
	good := (&Versions{Active: 0, Prev: -1, Staged: -1, List: []Version{{Slot: 1, ELF: []byte("x")}}}).Encode()
	corrupt := func(off int, b byte) []byte { c := bytes.Clone(good); c[off] = b; return c }
	for name, data := range map[string][]byte{
		"short":           good[:10],
		"magic":           corrupt(0, 0),
		"active index":    corrupt(36, 5),
		"staged index":    corrupt(44, 1),
		"version count":   corrupt(56, 200),
		"ELF length":      corrupt(versionsHeader+40, 9),
		"trailing bytes":  append(bytes.Clone(good), 1),
		"upload too long": corrupt(60, 3),
	} {
		if _, err := DecodeVersions(data); !errors.Is(err, ErrBadVersions) {
			t.Errorf("%s: %v, want BadVersionsAccount", name, err)
		}
	}
}

func FuzzDecodeVersions(f *testing.F) {
	f.Add((&Versions{Active: 0, Prev: -1, Staged: -1, List: []Version{{Slot: 1, ELF: []byte("x")}}}).Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeVersions(b)
		if err != nil {
			return
		}
		if !bytes.Equal(v.Encode(), b) {
			t.Fatal("decode then encode differs")
		}
	})
}
