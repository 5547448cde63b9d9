package abci

import (
	"path/filepath"
	"testing"

	dbm "github.com/cometbft/cometbft-db"
)

// A Pebble database read after Close panics; through closableDB the read
// finds nothing, and closing twice is harmless.
func TestClosableDBReadAfterClose(t *testing.T) {
	raw, err := dbm.NewPebbleDB("blockstore", filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	db := &closableDB{DB: raw}
	if err := db.Set([]byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Get([]byte("k")); err != nil || string(v) != "v" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Get([]byte("k")); err != nil || v != nil {
		t.Fatalf("Get after Close = %q, %v", v, err)
	}
	if ok, err := db.Has([]byte("k")); err != nil || ok {
		t.Fatalf("Has after Close = %v, %v", ok, err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
