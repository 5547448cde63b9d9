package svm

import (
	"bytes"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
)

func TestLoaderStateRoundTrip(t *testing.T) {
	k := pubkey.Pubkey{9}
	for _, s := range []loaderState{
		{tag: loaderStateUninitialized},
		{tag: loaderStateBuffer},
		{tag: loaderStateBuffer, authority: &k},
		{tag: loaderStateProgram, programData: k},
		{tag: loaderStateProgramData, slot: 77},
		{tag: loaderStateProgramData, slot: 78, authority: &k},
	} {
		enc := s.encode()
		got, ok := decodeLoaderState(append(enc, 1, 2, 3))
		if !ok || got.tag != s.tag || got.slot != s.slot || got.programData != s.programData || !sameKey(got.authority, s.authority) {
			t.Fatalf("%+v: decoded %+v %v", s, got, ok)
		}
	}
	// The sizes Agave's clients allocate.
	full := loaderState{tag: loaderStateProgramData, authority: &k}
	if n := len(full.encode()); n != ProgramDataHeaderSize {
		t.Fatalf("ProgramData metadata %d bytes", n)
	}
	buf := loaderState{tag: loaderStateBuffer, authority: &k}
	if n := len(buf.encode()); n != BufferHeaderSize {
		t.Fatalf("Buffer metadata %d bytes", n)
	}
	for _, bad := range [][]byte{nil, {1, 0, 0}, {4, 0, 0, 0}, {1, 0, 0, 0, 2}, {1, 0, 0, 0, 1, 5}, {3, 0, 0, 0, 1, 0}} {
		if _, ok := decodeLoaderState(bad); ok {
			t.Fatalf("decoded %x", bad)
		}
	}
}

func TestDecodeLoaderInstruction(t *testing.T) {
	w := []byte{1, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 7, 8, 9}
	ix, ok := decodeLoaderInstruction(w)
	if !ok || ix.tag != loaderWrite || ix.offset != 5 || !bytes.Equal(ix.bytes, []byte{7, 8, 9}) {
		t.Fatalf("write %+v %v", ix, ok)
	}
	for _, bad := range [][]byte{nil, {1, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 7}, {2, 0, 0, 0, 1}, {6, 0, 0, 0}, {10, 0, 0, 0}} {
		if _, ok := decodeLoaderInstruction(bad); ok {
			t.Fatalf("decoded %x", bad)
		}
	}
}

func FuzzDecodeLoaderState(f *testing.F) {
	k := pubkey.Pubkey{1}
	s := loaderState{tag: loaderStateProgramData, slot: 5, authority: &k}
	f.Add(s.encode())
	f.Add([]byte{1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, ok := decodeLoaderState(b)
		if !ok {
			return
		}
		enc := s.encode()
		if len(enc) > len(b) || !bytes.Equal(enc, b[:len(enc)]) {
			t.Fatalf("%x re-encodes as %x", b, enc)
		}
	})
}

func FuzzDecodeLoaderInstruction(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 7, 8, 9})
	f.Add([]byte{2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ix, ok := decodeLoaderInstruction(b)
		if ok && ix.tag == loaderWrite && len(ix.bytes) > len(b) {
			t.Fatal("write bytes beyond the data")
		}
	})
}
