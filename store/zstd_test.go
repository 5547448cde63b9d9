package store

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/sstable"
)

// TestZstdTablesRoundTrip writes zstd-compressed tables through Pebble and
// reads them back. Agora's build replaces Pebble's cgo zstd (DataDog/zstd)
// with a pure-Go stand-in (internal/ddzstd); this exercises it where Pebble
// uses it, with compressible and incompressible blocks.
func TestZstdTablesRoundTrip(t *testing.T) {
	opts := &pebble.Options{Logger: quietLogger{}}
	for i := range opts.Levels {
		opts.Levels[i].Compression = func() *sstable.CompressionProfile { return sstable.ZstdCompression }
	}
	dir := t.TempDir()
	db, err := pebble.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	value := func(i int) []byte {
		if i%2 == 0 {
			return bytes.Repeat([]byte{byte(i)}, 300) // compressible
		}
		v := make([]byte, 300) // incompressible: a xorshift stream
		x := uint64(i)*0x9e3779b97f4a7c15 + 1
		for j := range v {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			v[j] = byte(x)
		}
		return v
	}
	const n = 5000
	for i := range n {
		if err := db.Set([]byte(fmt.Sprintf("k%06d", i)), value(i), pebble.NoSync); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = pebble.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range n {
		got, closer, err := db.Get([]byte(fmt.Sprintf("k%06d", i)))
		if err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
		if !bytes.Equal(got, value(i)) {
			t.Fatalf("key %d: value differs after a zstd round trip", i)
		}
		closer.Close()
	}
}
