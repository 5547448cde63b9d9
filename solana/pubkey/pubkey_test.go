package pubkey

import (
	"bytes"
	"errors"
	"testing"
)

// Vectors from solana-address's own tests.
func TestCreateProgramAddress(t *testing.T) {
	program := BPFLoaderUpgradeable()
	seedKey := MustParse("SeedPubey1111111111111111111111111111111111")
	cases := []struct {
		seeds [][]byte
		want  string
	}{
		{[][]byte{{}, {1}}, "BwqrghZA2htAcqq8dzP1WDAhTXYTYWj7CHxF5j7TDBAe"},
		{[][]byte{[]byte("☉"), {0}}, "13yWmRpaTR4r5nAktwLqMpRNr28tnVUZw26rTvPSSB19"},
		{[][]byte{[]byte("Talking"), []byte("Squirrels")}, "2fnQrngrQT4SeLcdToJAD96phoEjNL2man2kfRLCASVk"},
		{[][]byte{seedKey[:], {1}}, "976ymqVnfE32QFe6NfGDctSvVa36LWnvYxhU6G2232YL"},
	}
	for _, c := range cases {
		got, err := CreateProgramAddress(c.seeds, program)
		if err != nil || got.String() != c.want {
			t.Errorf("CreateProgramAddress(%q) = %v, %v; want %s", c.seeds, got, err, c.want)
		}
	}
	if _, err := CreateProgramAddress([][]byte{bytes.Repeat([]byte{127}, 33)}, program); !errors.Is(err, ErrMaxSeedLengthExceeded) {
		t.Errorf("long seed: %v", err)
	}
	many := make([][]byte, 17)
	for i := range many {
		many[i] = []byte{byte(i)}
	}
	if _, err := CreateProgramAddress(many, program); !errors.Is(err, ErrMaxSeedLengthExceeded) {
		t.Errorf("17 seeds: %v", err)
	}
	if _, err := CreateProgramAddress(many[:16], program); err != nil {
		t.Errorf("16 seeds: %v", err)
	}
}

func TestFindProgramAddress(t *testing.T) {
	program := MustParse("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
	for i := range 50 {
		seeds := [][]byte{[]byte("seed"), {byte(i)}}
		addr, bump, ok := FindProgramAddress(seeds, program)
		if !ok {
			t.Fatalf("no address for %d", i)
		}
		again, err := CreateProgramAddress(append(seeds, []byte{bump}), program)
		if err != nil || again != addr {
			t.Fatalf("bump %d does not recreate %s: %v %v", bump, addr, again, err)
		}
		if IsOnCurve(addr) {
			t.Fatalf("%s is on the curve", addr)
		}
	}
}

func TestCreateWithSeed(t *testing.T) {
	got, err := CreateWithSeed(Pubkey{}, "limber chicken: 4/45", Pubkey{})
	if err != nil || got.String() != "9h1HyLCW5dZnBVap8C5egQ9Z6pHyjsh5MNy83iPqqRuq" {
		t.Fatalf("got %v %v", got, err)
	}
	if _, err := CreateWithSeed(Pubkey{}, string(bytes.Repeat([]byte{'a'}, 33)), Pubkey{}); err != ErrMaxSeedLengthExceeded {
		t.Fatalf("long seed: %v", err)
	}
	var owner Pubkey
	copy(owner[Size-len(pdaMarker):], pdaMarker)
	if _, err := CreateWithSeed(Pubkey{}, "x", owner); err != ErrIllegalOwner {
		t.Fatalf("PDA-marker owner: %v", err)
	}
}

func TestParse(t *testing.T) {
	for _, s := range []string{"", "0", "11111111111111111111111111111111111111111111111", "1111"} {
		if _, err := Parse(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) = %v", s, err)
		}
	}
	if SystemProgram().String() != "11111111111111111111111111111111" {
		t.Fatalf("system = %s", SystemProgram())
	}
	if !IsReserved(SysvarClock()) || IsReserved(MustParse("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")) {
		t.Fatal("reserved keys")
	}
}
