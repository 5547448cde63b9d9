package elf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// fuzzSeeds are the writer's files for every version and, when present,
// the reference's test programs.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, v := range []sbpf.Version{sbpf.V0, sbpf.V1, sbpf.V3, sbpf.V4} {
		b, err := Write(sampleObject(v))
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	files, _ := filepath.Glob(filepath.Join(refELFDir(), "*.so"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			seeds = append(seeds, b)
		}
	}
	return seeds
}

// FuzzLoad feeds arbitrary bytes to the loader under several
// configurations: it must return a program or an *Error, never panic, and
// a program it returns must be accepted by the VM and run to completion
// within its budget.
func FuzzLoad(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	check := loadChecker()
	f.Fuzz(func(t *testing.T, data []byte) { check(t, data) })
}

// FuzzLoadFields patches fields of well-formed files: edits is a list of
// (2-byte offset, 1-byte width selector, 8-byte value) records. Random
// bytes rarely get past the file header; this reaches the relocation and
// section logic.
func FuzzLoadFields(f *testing.F) {
	seeds := fuzzSeeds(f)
	f.Add(uint8(0), []byte{})
	f.Add(uint8(1), []byte{0x30, 0, 2, 3, 0, 0, 0, 0, 0, 0, 0})
	f.Add(uint8(4), []byte{0x18, 0, 3, 1, 0, 0, 0, 0, 0, 0, 0})
	check := loadChecker()
	f.Fuzz(func(t *testing.T, which uint8, edits []byte) {
		data := bytes.Clone(seeds[int(which)%len(seeds)])
		for len(edits) >= 11 && len(data) > 0 {
			off := int(binary.LittleEndian.Uint16(edits)) % len(data)
			width := []int{1, 2, 4, 8}[edits[2]%4]
			v := binary.LittleEndian.Uint64(edits[3:])
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], v)
			copy(data[off:], b[:width])
			edits = edits[11:]
		}
		check(t, data)
	})
}

func loadChecker() func(t *testing.T, data []byte) {
	reg := testSyscalls()
	deploy := DefaultOptions()
	deploy.RejectBrokenELFs = true
	deploy.SymbolLabels = true
	noOpt := DefaultOptions()
	noOpt.OptimizeRodata = false
	m := vm.NewMachine()
	return func(t *testing.T, data []byte) {
		for _, o := range []*Options{nil, &deploy, &noOpt} {
			p, err := Load(data, reg, o)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Kind == KindNone {
					t.Fatalf("error %v is not a typed load error", err)
				}
				continue
			}
			if !p.Version.Valid() {
				t.Fatalf("version %d", p.Version)
			}
			if r := p.RODataVAddr >> 32; r > 1 {
				t.Fatalf("read-only data at %#x", p.RODataVAddr)
			}
			if len(p.ROData) > len(data) || len(p.Text) > len(data) {
				t.Fatalf("regions of %d and %d bytes from a file of %d", len(p.ROData), len(p.Text), len(data))
			}
			if len(p.Text)%sbpf.InsnSize != 0 {
				continue // the verifier rejects it, as in the reference
			}
			exe, err := vm.Interpreter{}.Prepare(p, reg, vm.Config{})
			if err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			const budget = 300
			res := exe.Run(m, vm.RunOptions{Input: make([]byte, 64), Budget: budget})
			if res.CU > budget {
				t.Fatalf("used %d CU of %d", res.CU, budget)
			}
		}
	}
}

// FuzzWriteLoad writes arbitrary text and rodata and requires that
// whatever the writer accepts, the loader accepts with the reference's
// deployment settings, with the same entry and instructions.
func FuzzWriteLoad(f *testing.F) {
	f.Add(uint8(0), sampleObject(sbpf.V3).Text, []byte("rodata"), uint16(0))
	f.Add(uint8(3), sampleObject(sbpf.V3).Text, []byte{}, uint16(3))
	reg := testSyscalls()
	deploy := DefaultOptions()
	deploy.RejectBrokenELFs = true
	deploy.SymbolLabels = true
	f.Fuzz(func(t *testing.T, version uint8, text, ro []byte, entry uint16) {
		o := &Object{
			Version:     sbpf.Version(version % 5),
			Text:        text,
			ROData:      ro,
			Entry:       int(entry),
			Functions:   map[string]int{"main": int(entry)},
			SyscallName: reg.Name,
		}
		data, err := Write(o)
		if err != nil {
			return
		}
		p, err := Load(data, reg, &deploy)
		if err != nil {
			t.Fatalf("Load of written file: %v", err)
		}
		if p.Entry != o.Entry || len(p.Text) != len(text) {
			t.Fatalf("entry %d, %d bytes of text", p.Entry, len(p.Text))
		}
		for pc := 0; pc < len(text)/sbpf.InsnSize; pc++ {
			a, b := text[pc*8:pc*8+8], p.Text[pc*8:pc*8+8]
			if a[0] == byte(sbpf.Call) && !o.Version.StaticSyscalls() {
				continue
			}
			if !bytes.Equal(a, b) {
				t.Fatalf("instruction %d: %x became %x", pc, a, b)
			}
		}
	})
}
