package elf

import (
	"bytes"
	stdelf "debug/elf"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// TestImageObjectRoundTrip writes every C example back from its loaded
// image and checks that the new file loads to the same program.
func TestImageObjectRoundTrip(t *testing.T) {
	files, err := filepath.Glob("../testdata/c/*.so")
	if err != nil || len(files) == 0 {
		t.Fatalf("no C examples: %v", err)
	}
	reg := vm.NewRegistry()
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			opts := DefaultOptions()
			opts.SymbolLabels = true
			img, err := LoadImage(data, reg, &opts)
			if err != nil {
				t.Fatal(err)
			}
			names := syscallNames(t, data, img.Program)
			o, err := img.Object(names)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Write(o)
			if err != nil {
				t.Fatal(err)
			}
			img2, err := LoadImage(out, reg, &opts)
			if err != nil {
				t.Fatal(err)
			}
			samePrograms(t, img.Program, img2.Program)
		})
	}
}

// syscallNames names every call immediate of p that is a dynamic
// symbol of the file and not a function (the test registry is empty).
func syscallNames(t *testing.T, data []byte, p *vm.Program) func(uint32) (string, bool) {
	f, err := stdelf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	syms, err := f.DynamicSymbols()
	if err != nil {
		t.Fatal(err)
	}
	known := map[uint32]string{}
	for _, s := range syms {
		known[sbpf.SyscallHash(s.Name)] = s.Name
	}
	return func(h uint32) (string, bool) {
		if _, fn := p.Functions[h]; fn {
			return "", false
		}
		n, ok := known[h]
		return n, ok
	}
}

func samePrograms(t *testing.T, a, b *vm.Program) {
	t.Helper()
	if !bytes.Equal(a.Text, b.Text) {
		t.Errorf("text differs")
	}
	if !bytes.Equal(a.ROData, b.ROData) || a.RODataVAddr != b.RODataVAddr || a.TextVAddr != b.TextVAddr {
		t.Errorf("read-only data differs: %#x+%d vs %#x+%d", a.RODataVAddr, len(a.ROData), b.RODataVAddr, len(b.ROData))
	}
	if a.Entry != b.Entry || !maps.Equal(a.Functions, b.Functions) {
		t.Errorf("entry or functions differ: %d %v vs %d %v", a.Entry, a.Functions, b.Entry, b.Functions)
	}
}

// TestImageObjectRefusesDataRelocations: an address written into data
// would move with a new layout, so the image is not described.
func TestImageObjectRefusesDataRelocations(t *testing.T) {
	img := &Image{Program: &vm.Program{Version: sbpf.V0, Text: make([]byte, 8), ROData: make([]byte, 8), TextVAddr: 1 << 32, RODataVAddr: 1 << 32}, dataRelocs: 1}
	if _, err := img.Object(nil); !errors.Is(err, ErrNotDescribable) {
		t.Fatalf("got %v, want ErrNotDescribable", err)
	}
}

// FuzzImageObject: whatever loads, Image.Object either refuses it or
// describes it so that Write produces a file that loads to the same
// instructions and read-only data; it never panics.
func FuzzImageObject(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	files, _ := filepath.Glob("../testdata/c/*.so")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	reg := vm.NewRegistry()
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := DefaultOptions()
		opts.SymbolLabels = true
		img, err := LoadImage(data, reg, &opts)
		if err != nil {
			return
		}
		o, err := img.Object(nil)
		if err != nil {
			return
		}
		out, err := Write(o)
		if err != nil {
			return // a call to a syscall or function Write cannot name
		}
		img2, err := LoadImage(out, reg, &opts)
		if err != nil {
			t.Fatalf("rewritten file does not load: %v", err)
		}
		if !bytes.Equal(img.Program.Text, img2.Program.Text) || !bytes.Equal(img.Program.ROData, img2.Program.ROData) {
			if img.Program.Version.StrictELFHeaders() {
				return // V3+ text and data carry over; padding may differ
			}
			if img.Program.TextVAddr == img2.Program.TextVAddr && img.Program.RODataVAddr == img2.Program.RODataVAddr {
				t.Fatalf("rewritten program differs in the same layout")
			}
		}
	})
}
