package ovsm

import (
	"strings"
	"testing"
)

// TestRuntimeConversions: int, u64 and decimal convert values of type
// any (here read from instruction data) as they convert values whose type
// is known when compiling: decimals truncate toward zero, integers are
// checked, anything else is a type error at run time.
func TestRuntimeConversions(t *testing.T) {
	data, err := EncodeData([]byte(`{"d": {"$decimal": "2.75"}, "nd": {"$decimal": "-2.75"}, "small": {"$decimal": "-0.5"},
		"i": 7, "n": -3, "u": {"$u64": "18446744073709551615"}, "u5": {"$u64": "5"}, "t": true, "f": false, "s": "x",
		"huge": 9223372036854775807}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		src  string
		want int64
		err  string
	}{
		// int: decimals truncate, booleans are 1 and 0, u64 checked.
		{`(int (get instruction-data "d"))`, 2, ""},
		{`(int (get instruction-data "nd"))`, -2, ""},
		{`(i64 (get instruction-data "d"))`, 2, ""},
		{`(int (get instruction-data "i"))`, 7, ""},
		{`(int (get instruction-data "u5"))`, 5, ""},
		{`(int (get instruction-data "t"))`, 1, ""},
		{`(int (get instruction-data "f"))`, 0, ""},
		{`(int (get instruction-data "u")) 0`, 0, "u64 value too large for an int"},
		{`(int (get instruction-data "s")) 0`, 0, "type error"},
		{`(int (get instruction-data "missing")) 0`, 0, "type error"},
		// u64: decimals truncate, then the sign is checked.
		{`(u64 (get instruction-data "d"))`, 2, ""},
		{`(uint (get instruction-data "small"))`, 0, ""},
		{`(u64 (get instruction-data "i"))`, 7, ""},
		{`(if (= (u64 (get instruction-data "u")) 18446744073709551615) 1 0)`, 1, ""},
		{`(u64 (get instruction-data "nd")) 0`, 0, "negative value"},
		{`(u64 (get instruction-data "n")) 0`, 0, "negative value"},
		{`(u64 (get instruction-data "s")) 0`, 0, "type error"},
		// decimal: integers scale (checked), decimals stay.
		{`(if (= (decimal (get instruction-data "d")) 2.75) 1 0)`, 1, ""},
		{`(if (= (decimal (get instruction-data "i")) 7.0) 1 0)`, 1, ""},
		{`(if (= (decimal (get instruction-data "n")) -3.0) 1 0)`, 1, ""},
		{`(if (= (decimal (get instruction-data "u5")) 5.0) 1 0)`, 1, ""},
		{`(decimal (get instruction-data "huge")) 0`, 0, "overflow"},
		{`(decimal (get instruction-data "s")) 0`, 0, "type error"},
		// and the same conversions on values known at compile time
		{`(u64 2.75)`, 2, ""},
		{`(int -2.75)`, -2, ""},
	}
	for _, tc := range cases {
		t.Run(tc.src, func(t *testing.T) {
			r := run(t, program(tc.src), runOpts{data: data})
			if tc.err != "" {
				if r.Err == nil || !strings.Contains(strings.Join(r.Logs, " "), tc.err) {
					t.Fatalf("err %v logs %q, want %q", r.Err, r.Logs, tc.err)
				}
				return
			}
			if r.Err != nil || int64(r.R0) != tc.want {
				t.Fatalf("r0=%d err=%v logs=%q, want %d", int64(r.R0), r.Err, r.Logs, tc.want)
			}
		})
	}
}
