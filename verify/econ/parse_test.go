package econ

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	ok := []string{
		"sum(lamports) == old(sum(lamports))",
		"u64(acct[1].data[8..16]) <= old(u64(acct[1].data[8..16])) + 100",
		"acct[0].lamports + acct[1].lamports == old(acct[0].lamports + acct[1].lamports)",
		"2 * acct[0].lamports >= 3 && !(u8(acct[0].data[0..1]) == 7) || acct[1].lamports < 0x10",
		"-acct[0].lamports <= (acct[0].lamports * 4)",
	}
	for _, s := range ok {
		e, err := Parse(s)
		if err != nil {
			t.Errorf("%q: %v", s, err)
			continue
		}
		if !e.IsBool() {
			t.Errorf("%q: not a boolean", s)
		}
	}
	bad := []struct {
		src string
		pos int
	}{
		{"", 0},
		{"sum(lamports)", 0},
		{"sum(lamports) == ", 17},
		{"acct[0].lamports * acct[1].lamports == 0", 17},
		{"u64(acct[0].data[0..4]) == 1", 4},
		{"acct[0].data == 1", 8},
		{"lamports == 1", 0},
		{"old(old(acct[0].lamports)) == 1", 0},
		{"acct[300].lamports == 1", 5},
		{"acct[0].lamports == 1 )", 22},
		{"(acct[0].lamports == 1", 22},
		{"acct[0].lamports == 99999999999999999999", 20},
		{"acct[0].lamports == 1 + (2 == 3)", 22},
	}
	for _, c := range bad {
		_, err := Parse(c.src)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%q: %v, want a *ParseError", c.src, err)
			continue
		}
		if pe.Pos != c.pos {
			t.Errorf("%q: position %d (%v), want %d", c.src, pe.Pos, err, c.pos)
		}
	}
}

func TestCheck(t *testing.T) {
	e, err := Parse("u64(acct[1].data[8..16]) == acct[0].lamports")
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(e, []int{0, 16}); err != nil {
		t.Fatal(err)
	}
	if err := Check(e, []int{0, 12}); err == nil {
		t.Fatal("a range past the data accepted")
	}
	if err := Check(e, []int{0}); err == nil {
		t.Fatal("a missing account accepted")
	}
}

func FuzzParse(f *testing.F) {
	f.Add("sum(lamports) == old(sum(lamports))")
	f.Add("u64(acct[1].data[8..16]) <= 3")
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Pos < 0 || pe.Pos > len(s) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if !e.IsBool() {
			t.Fatalf("%q: not a boolean", s)
		}
	})
}
