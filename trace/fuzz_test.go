package trace

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// FuzzDecode: no input makes the decoder panic, hang or return a trace
// that does not encode back to an equivalent one.
func FuzzDecode(f *testing.F) {
	var traces []*Trace
	for _, src := range []string{loopSrc, syscallSrc, faultSrc} {
		_, tr := record(f, src, make([]byte, 32), 1<<20, 500)
		traces = append(traces, tr)
	}
	traces = append(traces, recordLanes(f))
	for _, tr := range traces {
		var buf bytes.Buffer
		if err := tr.Encode(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
		var e encoder
		e.program(tr.Program)
		e.trace(tr)
		f.Add(e.b) // a raw body, for decodeBody
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if tr, err := Decode(data); err == nil {
			var buf bytes.Buffer
			if err := tr.Encode(&buf); err != nil {
				t.Fatal(err)
			}
			if _, err := Decode(buf.Bytes()); err != nil {
				t.Fatalf("re-encoded trace does not decode: %v", err)
			}
		}
		// The body parser on its own, past the checksum.
		d := decoder{b: data}
		if tr := d.trace(); tr != nil {
			var e encoder
			e.program(tr.Program)
			e.trace(tr)
			d2 := decoder{b: e.b}
			if d2.trace() == nil {
				t.Fatalf("re-encoded body does not decode: %v", d2.err)
			}
		}
	})
}

// TestDecodeMutations runs the fuzz target's checks over seeded random
// corruptions of real traces and bodies, so every test run covers them.
func TestDecodeMutations(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var traces []*Trace
	for _, src := range []string{loopSrc, syscallSrc, faultSrc} {
		_, tr := record(t, src, make([]byte, 32), 1<<20, 500)
		traces = append(traces, tr)
	}
	traces = append(traces, recordLanes(t))
	for _, tr := range traces {
		var buf bytes.Buffer
		if err := tr.Encode(&buf); err != nil {
			t.Fatal(err)
		}
		var e encoder
		e.program(tr.Program)
		e.trace(tr)
		for _, good := range [][]byte{buf.Bytes(), e.b} {
			for range 300 {
				b := bytes.Clone(good)
				for range 1 + r.IntN(3) {
					b[r.IntN(len(b))] = byte(r.IntN(256))
				}
				if r.IntN(4) == 0 {
					b = b[:r.IntN(len(b))]
				}
				if tr, err := Decode(b); err == nil {
					var out bytes.Buffer
					if err := tr.Encode(&out); err != nil {
						t.Fatal(err)
					}
				} else if _, ok := err.(*FormatError); !ok {
					t.Fatalf("error %T: %v", err, err)
				}
				d := decoder{b: b}
				got := d.trace()
				if got == nil && d.err == nil {
					t.Fatal("no trace and no error")
				}
				// A forged trace that decodes must replay without a
				// panic (a divergence or an error is fine).
				if got != nil && got.Budget <= 1<<20 {
					_, _ = Replay(got)
				}
			}
		}
	}
}
