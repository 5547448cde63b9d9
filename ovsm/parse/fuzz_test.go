package parse

import "testing"

// FuzzParse checks that no input panics or loops, and that what parses
// prints back to text that parses to the same tree.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"(define-program p (entrypoint (a d) (+ 1 2)))",
		`(log :message "x\u{41}" [1 2] {:k v} 'q 0.5 -0x10 #| c |# ; c`,
		"((((", "]", `"\x4`, "#|", "1_000 0b101 :k nil true",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		forms, err := Parse(src, "fuzz.ovsm")
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		for _, n := range forms {
			text := n.String()
			again, err := Parse([]byte(text), "")
			if err != nil || len(again) != 1 {
				t.Fatalf("%q printed as %q, which reparses with %v", src, text, err)
			}
			if again[0].String() != text {
				t.Fatalf("round trip %q -> %q", text, again[0].String())
			}
		}
	})
}
