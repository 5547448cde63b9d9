package trace

import (
	"bytes"
	"testing"
)

// FuzzDecode: no input makes the decoder panic, hang or return a trace
// that does not encode back to an equivalent one.
func FuzzDecode(f *testing.F) {
	for _, src := range []string{loopSrc, syscallSrc, faultSrc} {
		_, tr := record(f, src, make([]byte, 32), 1<<20, 500)
		var buf bytes.Buffer
		if err := tr.Encode(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
		var e encoder
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
			e.trace(tr)
			d2 := decoder{b: e.b}
			if d2.trace() == nil {
				t.Fatalf("re-encoded body does not decode: %v", d2.err)
			}
		}
	})
}
