package elf

import (
	"errors"
	"testing"

	"github.com/agora-vm/agora/sbpf"
)

// exportObject is three functions: entrypoint at 0, double at 2, triple
// at 4 (each `mov r0, ...; exit`).
func exportObject(exports ...string) *Object {
	text := make([]byte, 6*sbpf.InsnSize)
	for pc := 0; pc < 6; pc += 2 {
		text[pc*8] = 0xb7 // mov64 r0, imm
		text[pc*8+4] = byte(pc)
		text[(pc+1)*8] = 0x95 // exit
	}
	return &Object{Version: sbpf.V0, Text: text, Entry: 0,
		Functions: map[string]int{"entrypoint": 0, "double": 2, "triple": 4}, Exports: exports}
}

func TestExportsRoundTrip(t *testing.T) {
	data, err := Write(exportObject("triple", "double"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Exports(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []Export{{"double", sbpf.HashSymbol([]byte("double")), 2}, {"entrypoint", sbpf.HashSymbol([]byte("entrypoint")), 0}, {"triple", sbpf.HashSymbol([]byte("triple")), 4}}
	if len(got) != len(want) {
		t.Fatalf("exports %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("export %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// The file still loads as before.
	if _, err := Load(data, nil, nil); err != nil {
		t.Fatalf("load: %v", err)
	}
	// Without exports only the entrypoint is listed.
	plain, _ := Write(exportObject())
	if got, _ := Exports(plain); len(got) != 1 || got[0].Name != "entrypoint" {
		t.Fatalf("plain exports %+v", got)
	}
}

func TestExportsErrors(t *testing.T) {
	if _, err := Write(exportObject("missing")); err == nil {
		t.Fatal("export of an unknown function written")
	}
	if _, err := Exports([]byte("not an elf")); err == nil {
		t.Fatal("garbage parsed")
	}
	var e *Error
	if _, err := Exports(make([]byte, 10)); !errors.As(err, &e) {
		t.Fatalf("short file: %v, want *Error", err)
	}
}

func FuzzExports(f *testing.F) {
	if data, err := Write(exportObject("double")); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		exps, err := Exports(data)
		if err != nil {
			return
		}
		for _, x := range exps {
			if x.PC < 0 || x.Hash != sbpf.HashSymbol([]byte(x.Name)) {
				t.Fatalf("bad export %+v", x)
			}
		}
	})
}
