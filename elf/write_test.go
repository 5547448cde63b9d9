package elf

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/vm"
)

func ins(op sbpf.Opcode, dst, src uint8, off int16, imm int32) sbpf.Instruction {
	return sbpf.Instruction{Op: op, Dst: dst, Src: src, Off: off, Imm: imm}
}

func encode(insns ...sbpf.Instruction) []byte {
	var b []byte
	for _, i := range insns {
		b = sbpf.AppendEncoded(b, i)
	}
	return b
}

// sampleObject is a program that uses everything the writer relocates: a
// syscall, an internal call, a callx through an address constant into the
// text and loads through address constants into the rodata. It returns
// rodata[3] + 0x100 + 0x10000 in 13 instructions.
func sampleObject(v sbpf.Version) *Object {
	const f, g = 12, 14
	call := func(pc, target int) sbpf.Instruction {
		if v.StaticSyscalls() {
			return ins(sbpf.Call, 0, 1, 0, int32(target-pc-1))
		}
		return ins(sbpf.Call, 0, 0, 0, int32(sbpf.PCHash(uint64(target))))
	}
	callx := ins(sbpf.Callx, 0, 0, 0, 3)
	if v.CallxUsesDstReg() {
		callx = ins(sbpf.Callx, 3, 0, 0, 0)
	}
	text := encode(
		ins(sbpf.LdDwImm, 1, 0, 0, 0), ins(0, 0, 0, 0, 0), // 0: lddw r1, &rodata[0]
		ins(sbpf.Mov64Imm, 2, 0, 0, 4),                          // 2
		ins(sbpf.Call, 0, 0, 0, int32(sbpf.SyscallHash("log"))), // 3: log(rodata, 4)
		ins(sbpf.LdDwImm, 1, 0, 0, 0), ins(0, 0, 0, 0, 0),       // 4: lddw r1, &rodata[2]
		ins(sbpf.LdxB, 0, 1, 1, 0),                        // 6: r0 = rodata[3]
		call(7, f),                                        // 7
		ins(sbpf.LdDwImm, 3, 0, 0, 0), ins(0, 0, 0, 0, 0), // 8: lddw r3, &g
		callx,                                // 10
		ins(sbpf.Exit, 0, 0, 0, 0),           // 11
		ins(sbpf.Add64Imm, 0, 0, 0, 0x100),   // 12: f
		ins(sbpf.Exit, 0, 0, 0, 0),           // 13
		ins(sbpf.Add64Imm, 0, 0, 0, 0x10000), // 14: g
		ins(sbpf.Exit, 0, 0, 0, 0),           // 15
	)
	return &Object{
		Version:     v,
		Text:        text,
		ROData:      []byte("abcdefghij"),
		Entry:       0,
		Functions:   map[string]int{"f": f, "g": g, "entrypoint": 0},
		CallTargets: map[uint32]int{sbpf.PCHash(f): f, sbpf.PCHash(g): g},
		SyscallName: testSyscalls().Name,
		AddrRefs: []AddrRef{
			{PC: 0, Section: SectionROData, Offset: 0},
			{PC: 4, Section: SectionROData, Offset: 2},
			{PC: 8, Section: SectionText, Offset: g * 8},
		},
	}
}

// rawProgram lays o out in memory directly, the way the VM would see it
// without an ELF: V0-V2 text followed by rodata in the bytecode region,
// V3+ rodata at 0 and text in the bytecode region.
func rawProgram(o *Object) *vm.Program {
	text := bytes.Clone(o.Text)
	p := &vm.Program{Version: o.Version, TextVAddr: sbpf.BytecodeStart, Entry: o.Entry, Functions: o.CallTargets}
	roBase := sbpf.BytecodeStart + uint64(len(text))
	if o.Version.LowerRodataVaddr() {
		roBase = sbpf.RodataStart
		p.ROData, p.RODataVAddr = o.ROData, sbpf.RodataStart
	} else {
		p.RODataVAddr = sbpf.BytecodeStart
	}
	for _, r := range o.AddrRefs {
		addr := roBase + r.Offset
		if r.Section == SectionText {
			addr = sbpf.BytecodeStart + r.Offset
		}
		binary.LittleEndian.PutUint32(text[r.PC*8+4:], uint32(addr))
		binary.LittleEndian.PutUint32(text[r.PC*8+12:], uint32(addr>>32))
	}
	p.Text = text
	if !o.Version.LowerRodataVaddr() {
		p.ROData = append(bytes.Clone(text), o.ROData...)
	}
	if p.Functions == nil {
		p.Functions = map[uint32]int{}
	}
	return p
}

// callTarget describes what a call slot does: a syscall name or an
// instruction index.
func callTarget(p *vm.Program, pc int, names func(uint32) (string, bool)) string {
	raw := sbpf.Decode(p.Text[pc*8:])
	if !p.Version.StaticSyscalls() || raw.Src == 0 {
		if n, ok := names(uint32(raw.Imm)); ok {
			return "syscall " + n
		}
	}
	if p.Version.StaticSyscalls() {
		return fmt.Sprint("pc ", int64(pc)+1+int64(raw.Imm))
	}
	if t, ok := p.Functions[uint32(raw.Imm)]; ok {
		return fmt.Sprint("pc ", t)
	}
	return "unresolved"
}

// checkRoundTrip writes o, loads it back with the reference's default and
// deployment settings, and checks that the program has the same entry,
// the same instructions (calls resolving to the same targets, address
// constants aside) and runs exactly like o laid out raw.
func checkRoundTrip(t *testing.T, o *Object, input []byte, wantR0, wantCU uint64) {
	t.Helper()
	data, err := Write(o)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	again, _ := Write(o)
	if !bytes.Equal(data, again) {
		t.Fatal("Write is not deterministic")
	}
	reg := testSyscalls()
	deploy := DefaultOptions()
	deploy.RejectBrokenELFs = true
	deploy.SymbolLabels = true
	noOpt := DefaultOptions()
	noOpt.OptimizeRodata = false
	for _, opts := range []*Options{nil, &deploy, &noOpt} {
		img, err := LoadImage(data, reg, opts)
		if err != nil {
			t.Fatalf("Load(%+v): %v", opts, err)
		}
		p := img.Program
		if p.Version != o.Version || p.Entry != o.Entry || len(p.Text) != len(o.Text) {
			t.Fatalf("loaded %s entry %d len %d, want %s entry %d len %d", p.Version, p.Entry, len(p.Text), o.Version, o.Entry, len(o.Text))
		}
		if err := verify.Requisite(p.Text, p.Version); err != nil {
			t.Fatalf("verify: %v", err)
		}
		raw := rawProgram(o)
		refs := map[int]bool{}
		for _, r := range o.AddrRefs {
			refs[r.PC], refs[r.PC+1] = true, true
		}
		for pc := 0; pc < len(o.Text)/8; pc++ {
			a, b := raw.Text[pc*8:pc*8+8], p.Text[pc*8:pc*8+8]
			switch {
			case refs[pc]:
				if !bytes.Equal(a[:4], b[:4]) {
					t.Fatalf("lddw at %d: %x became %x", pc, a, b)
				}
			case a[0] == byte(sbpf.Call):
				if ta, tb := callTarget(raw, pc, reg.Name), callTarget(p, pc, reg.Name); ta != tb || !bytes.Equal(a[:4], b[:4]) {
					t.Fatalf("call at %d: %s became %s", pc, ta, tb)
				}
			case !bytes.Equal(a, b):
				t.Fatalf("instruction %d: %x became %x", pc, a, b)
			}
		}
		if opts == &deploy {
			for name, pc := range o.Functions {
				found := false
				for key, n := range img.Labels {
					found = found || (n == name && p.Functions[key] == pc)
				}
				if !found && !p.Version.StaticSyscalls() {
					t.Errorf("label %q at %d missing: %v", name, pc, img.Labels)
				}
				if p.Version.StaticSyscalls() && img.Labels[uint32(pc)] == "" {
					t.Errorf("label %q at %d missing: %v", name, pc, img.Labels)
				}
			}
		}
		got := runProgram(t, p, reg, bytes.Clone(input), 1000)
		want := runProgram(t, raw, reg, bytes.Clone(input), 1000)
		if got.Err != nil || got.R0 != wantR0 || got.CU != wantCU {
			t.Fatalf("loaded program: r0=%#x cu=%d err=%v, want r0=%#x cu=%d", got.R0, got.CU, got.Err, wantR0, wantCU)
		}
		if want.Err != nil || want.R0 != got.R0 || want.CU != got.CU {
			t.Fatalf("raw program: r0=%#x cu=%d err=%v, loaded r0=%#x cu=%d", want.R0, want.CU, want.Err, got.R0, got.CU)
		}
	}
}

func TestWriteRoundTrip(t *testing.T) {
	for _, v := range []sbpf.Version{sbpf.V0, sbpf.V1, sbpf.V3, sbpf.V4} {
		t.Run(v.String(), func(t *testing.T) {
			checkRoundTrip(t, sampleObject(v), nil, 'd'+0x100+0x10000, 13)
		})
	}
	// V2 has no lddw: calls and a syscall only.
	t.Run("v2", func(t *testing.T) {
		o := &Object{
			Version: sbpf.V2,
			Text: encode(
				ins(sbpf.Call, 0, 0, 0, int32(sbpf.PCHash(4))),
				ins(sbpf.Call, 0, 0, 0, int32(sbpf.SyscallHash("log_64"))),
				ins(sbpf.Add64Imm, 0, 0, 0, 5),
				ins(sbpf.Exit, 0, 0, 0, 0),
				ins(sbpf.Mov64Imm, 0, 0, 0, 7), // 4
				ins(sbpf.Exit, 0, 0, 0, 0),
			),
			CallTargets: map[uint32]int{sbpf.PCHash(4): 4},
			SyscallName: testSyscalls().Name,
		}
		checkRoundTrip(t, o, nil, 5, 6)
	})
	// A V0 call to itself would be written as imm -1 by a pc-relative
	// encoding; the relocation keeps it a call.
	t.Run("self call", func(t *testing.T) {
		o := &Object{
			Version: sbpf.V0,
			Text: encode(
				ins(sbpf.Mov64Imm, 0, 0, 0, 1),
				ins(sbpf.JeqImm, 1, 0, 2, 0), // r1 = input address (never 0)
				ins(sbpf.Mov64Imm, 1, 0, 0, 0),
				ins(sbpf.Call, 0, 0, 0, int32(sbpf.PCHash(0))), // calls the entry
				ins(sbpf.Exit, 0, 0, 0, 0),
			),
			CallTargets: map[uint32]int{sbpf.PCHash(0): 0},
		}
		checkRoundTrip(t, o, nil, 1, 8)
	})
}

// TestWriteFromProgram writes raw programs as an assembler would hand them
// over.
func TestWriteFromProgram(t *testing.T) {
	reg := testSyscalls()
	for _, v := range []sbpf.Version{sbpf.V0, sbpf.V3} {
		callF := ins(sbpf.Call, 0, 0, 0, int32(sbpf.PCHash(3)))
		funcs := map[uint32]int{sbpf.PCHash(3): 3}
		if v.StaticSyscalls() {
			callF = ins(sbpf.Call, 0, 1, 0, 2)
			funcs = nil
		}
		text := encode(
			callF,
			ins(sbpf.Call, 0, 0, 0, int32(sbpf.SyscallHash("log_64"))),
			ins(sbpf.Exit, 0, 0, 0, 0),
			ins(sbpf.Mov64Imm, 0, 0, 0, 9), // 3
			ins(sbpf.Exit, 0, 0, 0, 0),
		)
		p := vm.NewRawProgram(v, text, funcs, 0)
		o, err := ObjectFromProgram(p, reg.Name)
		if err != nil {
			t.Fatal(err)
		}
		data, err := Write(o)
		if err != nil {
			t.Fatal(err)
		}
		q, err := Load(data, reg, nil)
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		a, b := runProgram(t, p, reg, nil, 100), runProgram(t, q, reg, nil, 100)
		if a.Err != nil || a != b || a.R0 != 0 || a.CU != 5 {
			t.Fatalf("%s: raw %+v, loaded %+v", v, a, b)
		}
	}
	// V0 read-only data besides the text cannot be described.
	p := vm.NewRawProgram(sbpf.V0, encode(ins(sbpf.Exit, 0, 0, 0, 0)), nil, 0)
	p.ROData = append(bytes.Clone(p.Text), 1, 2, 3)
	if _, err := ObjectFromProgram(p, nil); err == nil {
		t.Fatal("accepted rodata")
	}
}

func TestWriteErrors(t *testing.T) {
	exit := encode(ins(sbpf.Exit, 0, 0, 0, 0))
	long := strings.Repeat("x", 64)
	longReg := vm.NewRegistry()
	longReg.MustRegister(long, func(*vm.Machine, uint64, uint64, uint64, uint64, uint64) (uint64, error) { return 0, nil })
	cases := []struct {
		name string
		o    *Object
		want string
	}{
		{"nil", nil, "nil object"},
		{"version", &Object{Version: 9, Text: exit}, "unknown sBPF version"},
		{"empty text", &Object{}, "non-empty multiple"},
		{"ragged text", &Object{Text: []byte{1, 2, 3}}, "non-empty multiple"},
		{"entry", &Object{Text: exit, Entry: 1}, "entry 1"},
		{"function pc", &Object{Text: exit, Functions: map[string]int{"f": 3}}, "function \"f\""},
		{"entrypoint name", &Object{Text: encode(ins(sbpf.Exit, 0, 0, 0, 0), ins(sbpf.Exit, 0, 0, 0, 0)), Functions: map[string]int{"entrypoint": 1}}, "not the entry"},
		{"unknown call", &Object{Text: encode(ins(sbpf.Call, 0, 0, 0, 77), ins(sbpf.Exit, 0, 0, 0, 0))}, "neither a known syscall"},
		{"call target", &Object{Text: encode(ins(sbpf.Call, 0, 0, 0, 77)), CallTargets: map[uint32]int{77: 5}}, "outside"},
		{"long syscall", &Object{Text: encode(ins(sbpf.Call, 0, 0, 0, int32(sbpf.SyscallHash(long)))), SyscallName: longReg.Name}, "cannot be relocated"},
		{"lying resolver", &Object{Text: encode(ins(sbpf.Call, 0, 0, 0, 5)), SyscallName: func(uint32) (string, bool) { return "log", true }}, "does not hash"},
		{"ref not lddw", &Object{Text: encode(ins(sbpf.Exit, 0, 0, 0, 0), ins(sbpf.Exit, 0, 0, 0, 0)), AddrRefs: []AddrRef{{PC: 0}}}, "not an lddw"},
		{"ref offset", &Object{Text: encode(ins(sbpf.LdDwImm, 0, 0, 0, 0), ins(0, 0, 0, 0, 0)), AddrRefs: []AddrRef{{PC: 0, Offset: 1}}}, "points 1 bytes"},
		{"ref in v2", &Object{Version: sbpf.V2, Text: encode(ins(sbpf.LdDwImm, 0, 0, 0, 0), ins(0, 0, 0, 0, 0)), AddrRefs: []AddrRef{{PC: 0}}}, "no lddw"},
		{"ref twice", &Object{Text: encode(ins(sbpf.LdDwImm, 0, 0, 0, 0), ins(0, 0, 0, 0, 0)), AddrRefs: []AddrRef{{PC: 0}, {PC: 0}}}, "two address references"},
	}
	for _, c := range cases {
		_, err := Write(c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}
