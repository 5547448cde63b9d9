package parse

import (
	"strings"
	"testing"
)

func TestParseForms(t *testing.T) {
	src := `; comment
(define-program p
  #| block
     comment |#
  (entrypoint (accounts data)
    (log :message "hi\n\x41\u{1F600}" :n -42 :big 0xFFFF_FFFF_FFFF_FFFF :d 0.95)
    [1 2 3] {:a 1} 'x))`
	forms, err := Parse([]byte(src), "t.ovsm")
	if err != nil {
		t.Fatal(err)
	}
	if len(forms) != 1 {
		t.Fatalf("got %d forms", len(forms))
	}
	got := forms[0].String()
	want := `(define-program p (entrypoint (accounts data) (log :message "hi\nA😀" :n -42 :big 0xFFFF_FFFF_FFFF_FFFF :d 0.95) [1 2 3] {:a 1} (quote x)))`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	ep := forms[0].Items[2]
	if ep.Pos.Line != 5 || ep.Pos.Col != 3 || ep.Head() != "entrypoint" {
		t.Fatalf("entrypoint at %v head %q", ep.Pos, ep.Head())
	}
	lg := ep.Items[2]
	n := lg.Items[4]
	if v, ok := n.Int64(); !ok || v != -42 {
		t.Fatalf("-42 parsed as %d %v", v, ok)
	}
	if big := lg.Items[6]; big.Uint != ^uint64(0) {
		t.Fatalf("big = %d", big.Uint)
	}
	if d := lg.Items[8]; d.Kind != Decimal || d.Text != "0.95" {
		t.Fatalf("decimal %v %q", d.Kind, d.Text)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ src, pos, msg string }{
		{"(a b", "1:1", "unclosed"},
		{"(a b]", "1:5", "mismatched"},
		{")", "1:1", "unexpected"},
		{`"abc`, "1:1", "unterminated string"},
		{`"\q"`, "1:2", "unknown escape"},
		{"(x 1e5)", "1:4", "malformed number"},
		{"99999999999999999999999", "1:1", "does not fit"},
		{"-9223372036854775809", "1:1", "below the smallest"},
		{"#| x", "1:1", "block comment"},
		{"::a", "1:1", "malformed keyword"},
		{"\n  (a\n   (b (c ]", "3:10", "mismatched"},
		{strings.Repeat("(", MaxDepth+1), "1:257", "nesting"},
	} {
		_, err := Parse([]byte(tc.src), "f.ovsm")
		e, ok := err.(*Error)
		if !ok {
			t.Errorf("%q: err = %v, want *Error", tc.src, err)
			continue
		}
		if e.Pos.String() != tc.pos || !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("%q: got %v %q, want %s %q", tc.src, e.Pos, e.Msg, tc.pos, tc.msg)
		}
		if !strings.HasPrefix(e.Error(), "f.ovsm:"+tc.pos+": ") {
			t.Errorf("%q: Error() = %q", tc.src, e.Error())
		}
	}
}

func TestMinInt(t *testing.T) {
	forms, err := Parse([]byte("-9223372036854775808 0 -0"), "")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := forms[0].Int64(); !ok || v != -9223372036854775808 {
		t.Fatalf("min int: %d %v", v, ok)
	}
	if forms[2].Neg {
		t.Fatal("-0 is negative")
	}
}
