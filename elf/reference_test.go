package elf

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/vm"
)

// TestReferenceExecution runs the reference's ELF test programs with the
// results and compute units its tests/execution.rs expects. As there, the
// budget is exactly the expected CU and the program must use all of it.
func TestReferenceExecution(t *testing.T) {
	noOpt := func(o *Options) *Options { o.OptimizeRodata = false; return o }
	tests := []struct {
		file   string
		opts   *Options
		log    bool
		input  []byte
		budget uint64
		r0     uint64
		kind   vm.ErrorKind
	}{
		{"relative_call_sbpfv0.so", versions(sbpf.V0, sbpf.V0), false, []byte{1}, 16, 3, vm.KindNone},
		{"relative_call.so", versions(sbpf.V3, sbpf.V4), false, []byte{1}, 16, 3, vm.KindNone},
		{"callx_unaligned.so", nil, false, nil, 129, 0, vm.CallDepthExceeded},
		{"syscall_static.so", versions(sbpf.V3, sbpf.V4), true, nil, 5, 0, vm.KindNone},
		{"syscall_reloc_64_32_sbpfv0.so", versions(sbpf.V0, sbpf.V0), true, nil, 5, 0, vm.KindNone},
		{"reloc_64_64_sbpfv0.so", nil, false, nil, 2, sbpf.BytecodeStart + 0x120, vm.KindNone},
		{"reloc_64_64.so", nil, false, nil, 2, sbpf.BytecodeStart, vm.KindNone},
		{"reloc_64_relative_sbpfv0.so", versions(sbpf.V0, sbpf.V0), false, nil, 2, sbpf.BytecodeStart + 0x138, vm.KindNone},
		{"reloc_64_relative.so", versions(sbpf.V3, sbpf.V4), false, nil, 2, sbpf.RodataStart, vm.KindNone},
		{"reloc_64_relative_data.so", versions(sbpf.V3, sbpf.V4), false, nil, 3, sbpf.RodataStart, vm.KindNone},
		{"reloc_64_relative_data_sbpfv0.so", versions(sbpf.V0, sbpf.V0), false, nil, 3, sbpf.BytecodeStart + 0x140, vm.KindNone},
		{"rodata_section_sbpfv0.so", noOpt(versions(sbpf.V0, sbpf.V0)), false, nil, 3, 42, vm.KindNone},
		{"rodata_section.so", noOpt(versions(sbpf.V3, sbpf.V4)), false, nil, 3, 42, vm.KindNone},
		{"struct_func_pointer_sbpfv0.so", versions(sbpf.V0, sbpf.V0), false, nil, 2, 0x102030405060708, vm.KindNone},
		{"strict_header.so", nil, false, nil, 5, 42, vm.KindNone},
		{"struct_func_pointer.so", versions(sbpf.V3, sbpf.V4), false, nil, 2, 0x102030405060708, vm.KindNone},
		// Not in the reference's suite: the same programs with the default
		// rodata optimisation must behave the same.
		{"rodata_section_sbpfv0.so", nil, false, nil, 3, 42, vm.KindNone},
		{"rodata_section.so", nil, false, nil, 3, 42, vm.KindNone},
	}
	for _, tt := range tests {
		name := tt.file
		if tt.opts != nil && !tt.opts.OptimizeRodata {
			name += "/no-optimize-rodata"
		}
		t.Run(name, func(t *testing.T) {
			data := refELF(t, tt.file)
			reg := vm.NewRegistry()
			if tt.log {
				reg.MustRegister("log", testSyscalls().Syscalls()[0].Fn)
			}
			p, err := Load(data, reg, tt.opts)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if err := verify.Requisite(p.Text, p.Version); err != nil {
				t.Fatalf("verify: %v", err)
			}
			res := runProgram(t, p, reg, tt.input, tt.budget)
			if k := vmKind(res.Err); k != tt.kind {
				t.Fatalf("got error %v, want kind %v", res.Err, tt.kind)
			}
			if tt.kind == vm.KindNone && res.R0 != tt.r0 {
				t.Fatalf("r0 = %#x, want %#x", res.R0, tt.r0)
			}
			if res.CU != tt.budget {
				t.Fatalf("used %d CU, want %d", res.CU, tt.budget)
			}
			// The reference reruns with a larger budget and expects the
			// same result and count.
			res2 := runProgram(t, p, reg, tt.input, 1024)
			if vmKind(res2.Err) != tt.kind || res2.R0 != res.R0 || res2.CU != tt.budget {
				t.Fatalf("with budget 1024: r0=%#x cu=%d err=%v", res2.R0, res2.CU, res2.Err)
			}
		})
	}
}

// TestReferenceStrictHeader follows the reference's test_strict_header.
func TestReferenceStrictHeader(t *testing.T) {
	elf := refELF(t, "strict_header.so")
	labels := DefaultOptions()
	labels.SymbolLabels = true
	img, err := LoadImage(elf, testSyscalls(), &labels)
	if err != nil {
		t.Fatal(err)
	}
	if img.Labels[4] != "entrypoint" {
		t.Fatalf("label of key 4 is %q, want entrypoint (labels %v)", img.Labels[4], img.Labels)
	}

	bad := clone(elf)
	bad[0x30] = 0xff
	_, err = Load(bad, testSyscalls(), nil)
	wantKind(t, err, UnsupportedSBPFVersion)

	o := DefaultOptions()
	_, serr := loadStrict(nil, &o)
	wantParse(t, asError(serr), OutOfBounds)

	strict := func(b []byte) (ParseKind, bool) {
		_, e := loadStrict(b, &o)
		if e == nil {
			return ParseNone, true
		}
		return e.Parse, false
	}
	// Break the file header one byte at a time.
	for off := 0; off < ehdrSize; off++ {
		want := InvalidFileHeader
		if (off >= 16 && off < 18) || (off >= 40 && off < 52) || off >= 58 {
			want = ParseNone
		}
		b := clone(elf)
		b[off] = 0xaf
		if got, _ := strict(b); got != want {
			t.Errorf("file header byte %#x: got %v, want %v", off, got, want)
		}
	}
	// Break the first two program headers one byte at a time.
	for h := 0; h < 2; h++ {
		for i := 0; i < phdrSize; i++ {
			off := ehdrSize + h*phdrSize + i
			want := InvalidProgramHeaderParse
			if i >= 48 {
				want = ParseNone
			}
			b := clone(elf)
			b[off] = 0xaf
			if got, _ := strict(b); got != want {
				t.Errorf("program header %d byte %d: got %v, want %v", h, i, got, want)
			}
		}
	}
	// Skipping the rodata header without the bytecode one first fails...
	b := clone(elf)
	b[56] = 1 // e_phnum
	b[ehdrSize+8] = 0x40
	if got, _ := strict(b); got != InvalidFileHeader {
		t.Fatalf("one read-only header: got %v", got)
	}
	// ...and succeeds when the bytecode header comes first.
	copy(b[ehdrSize:ehdrSize+phdrSize], elf[ehdrSize+phdrSize:ehdrSize+2*phdrSize])
	b[ehdrSize+8] = 0x78
	if got, ok := strict(b); !ok {
		t.Fatalf("bytecode header only: got %v", got)
	}
	// An unaligned program header size fails.
	b = clone(elf)
	b[0x98] = 0x29
	b[0xa0] = 0x29
	if got, _ := strict(b); got != InvalidProgramHeaderParse {
		t.Fatalf("unaligned size: got %v", got)
	}
}

// TestReferenceValidate follows test_validate: header fields that the
// lenient loader checks after parsing.
func TestReferenceValidate(t *testing.T) {
	elf := refELF(t, "relative_call_sbpfv0.so")
	if _, err := Load(elf, testSyscalls(), nil); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		off   int
		val   []byte
		kind  Kind
		parse ParseKind
	}{
		{4, []byte{1}, FailedToParse, InvalidFileHeader}, // ELFCLASS32
		{5, []byte{2}, FailedToParse, InvalidFileHeader}, // big endian
		{7, []byte{1}, WrongAbi, ParseNone},
		{18, []byte{42, 0}, WrongMachine, ParseNone},
		{18, []byte{247, 0}, KindNone, ParseNone}, // EM_BPF is fine too
		{16, []byte{1, 0}, WrongType, ParseNone},  // ET_REL
	}
	for _, c := range cases {
		b := clone(elf)
		copy(b[c.off:], c.val)
		_, err := Load(b, testSyscalls(), nil)
		k, p := kindOf(t, err)
		if k != c.kind || p != c.parse {
			t.Errorf("byte %d = %v: got %v/%v (%v), want %v/%v", c.off, c.val, k, p, err, c.kind, c.parse)
		}
	}
}

// TestReferenceLoad covers test_load, test_load_unaligned and
// test_entrypoint.
func TestReferenceLoad(t *testing.T) {
	elf := refELF(t, "relative_call_sbpfv0.so")
	p, err := Load(elf, testSyscalls(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Entry != 4 {
		t.Fatalf("entry %d, want 4", p.Entry)
	}
	if p.Functions[entrypointHash] != 4 {
		t.Fatalf("entrypoint registered at %d", p.Functions[entrypointHash])
	}
	// Unaligned input memory is irrelevant to this loader, but check it.
	shifted := append([]byte{0}, elf...)
	if _, err := Load(shifted[1:], testSyscalls(), nil); err != nil {
		t.Fatal(err)
	}
	entry := binary.LittleEndian.Uint64(elf[24:])
	withEntry := func(e uint64) []byte {
		b := clone(elf)
		binary.LittleEndian.PutUint64(b[24:], e)
		return b
	}
	p, err = Load(withEntry(entry+8), testSyscalls(), nil)
	if err != nil || p.Entry != 5 {
		t.Fatalf("entry+8: %v, %v", p, err)
	}
	_, err = Load(withEntry(1), testSyscalls(), nil)
	wantKind(t, err, EntrypointOutOfBounds)
	_, err = Load(withEntry(^uint64(0)), testSyscalls(), nil)
	wantKind(t, err, EntrypointOutOfBounds)
	_, err = Load(withEntry(entry+9), testSyscalls(), nil)
	wantKind(t, err, InvalidEntrypoint)
}

// TestReferenceTextAtRegionBoundary follows
// test_text_section_at_region_boundary.
func TestReferenceTextAtRegionBoundary(t *testing.T) {
	elf := refELF(t, "relative_call_sbpfv0.so")
	e, perr := parseLenient(elf)
	if perr != nil {
		t.Fatal(perr)
	}
	ti := e.findSection(".text")
	text := e.shdrs[ti]
	b := clone(elf)
	shOff := int(e.hdr.shoff) + ti*shdrSize
	binary.LittleEndian.PutUint64(b[shOff+16:], regionSize) // sh_addr
	binary.LittleEndian.PutUint64(b[24:], regionSize+(e.hdr.entry-text.addr))
	_, err := Load(b, testSyscalls(), nil)
	wantKind(t, err, ValueOutOfBounds)
}

func TestReferenceWritableSections(t *testing.T) {
	for _, c := range []struct{ file, name string }{
		{"data_section_sbpfv0.so", ".data"},
		{"bss_section_sbpfv0.so", ".bss"},
	} {
		_, err := Load(refELF(t, c.file), testSyscalls(), nil)
		if e := wantKind(t, err, WritableSectionNotSupported); e.Name != c.name {
			t.Errorf("%s: section %q, want %q", c.file, e.Name, c.name)
		}
	}
}

func TestReferenceProgramHeadersOverflow(t *testing.T) {
	_, err := Load(refELF(t, "program_headers_overflow.so"), testSyscalls(), nil)
	wantKind(t, err, InvalidProgramHeader)
}

func TestReferenceRelativeCallOutOfBounds(t *testing.T) {
	elf := refELF(t, "relative_call_sbpfv0.so")
	for _, c := range []struct {
		off  int
		imm  int32
		insn uint64
	}{{0x164, -11, 8}, {0x17c, 5, 11}} {
		b := clone(elf)
		binary.LittleEndian.PutUint32(b[c.off:], uint32(c.imm))
		_, err := Load(b, testSyscalls(), nil)
		if e := wantKind(t, err, RelativeJumpOutOfBounds); e.Value != c.insn {
			t.Errorf("imm %d: instruction %d, want %d", c.imm, e.Value, c.insn)
		}
	}
}

func TestReferenceUnresolvedSyscall(t *testing.T) {
	elf := refELF(t, "syscall_reloc_64_32_sbpfv0.so")
	o := versions(sbpf.V0, sbpf.V0)
	o.RejectBrokenELFs = true
	_, err := Load(elf, vm.NewRegistry(), o)
	e := wantKind(t, err, UnresolvedSymbol)
	if e.Name != "log" || e.Value != 39 || e.Offset != 312 {
		t.Fatalf("UnresolvedSymbol(%q, %d, %d), want (\"log\", 39, 312)", e.Name, e.Value, e.Offset)
	}
	if !strings.Contains(e.Error(), "Unresolved symbol (log) at instruction #39 (ELF file offset 0x138)") {
		t.Fatalf("message %q", e.Error())
	}
	// Without reject_broken_elfs the load succeeds and the call fails when
	// it runs.
	p, err := Load(elf, vm.NewRegistry(), versions(sbpf.V0, sbpf.V0))
	if err != nil {
		t.Fatal(err)
	}
	res := runProgram(t, p, vm.NewRegistry(), nil, 100)
	if vmKind(res.Err) != vm.UnsupportedInstruction {
		t.Fatalf("run: %v", res.Err)
	}
}

func TestReferenceLongSectionName(t *testing.T) {
	_, err := parseLenient(refELF(t, "long_section_name.so"))
	if err == nil {
		t.Fatal("parsed")
	}
	if err.Parse != StringTooLong || err.Name != ".bss.__rust_no_a" || err.Value != sectionNameMax {
		t.Fatalf("got %v (%q, %d)", err, err.Name, err.Value)
	}
	_, lerr := Load(refELF(t, "long_section_name.so"), testSyscalls(), nil)
	wantParse(t, lerr, StringTooLong)
	if !strings.Contains(lerr.Error(), "Section or symbol name `.bss.__rust_no_a` is longer than `16` bytes") {
		t.Fatalf("message %q", lerr.Error())
	}
}

func TestReferenceLongSymbolNames(t *testing.T) {
	labels := DefaultOptions()
	labels.SymbolLabels = true
	for _, f := range []string{"long_symbol_name_sbpfv0.so", "long_symbol_name.so"} {
		img, err := LoadImage(refELF(t, f), testSyscalls(), &labels)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		found, long := false, false
		for _, n := range img.Labels {
			found = found || n == "entrypoint"
			long = long || len(n) > symbolNameMax
			if len(n) > debugSymbolNameMax {
				t.Errorf("%s: label of %d bytes", f, len(n))
			}
		}
		if !found || !long {
			t.Errorf("%s: entrypoint %v, long label %v: %v", f, found, long, img.Labels)
		}
	}
	// A stripped file (empty .strtab, no .symtab) loads with labels.
	if _, err := LoadImage(refELF(t, "relative_call.so"), testSyscalls(), &labels); err != nil {
		t.Fatal(err)
	}
	// Relocation resolves dynamic names under the 64-byte limit.
	elf := refELF(t, "long_dynamic_symbol_name_sbpfv0.so")
	_, err := Load(elf, testSyscalls(), nil)
	wantKind(t, err, UnknownSymbol)
	_, err = Load(elf, testSyscalls(), &labels)
	wantKind(t, err, UnknownSymbol)
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

// asError turns a typed nil into an untyped one.
func asError(e *Error) error {
	if e == nil {
		return nil
	}
	return e
}

// newSection mirrors the reference tests' helper: a section at sh_addr
// whose file offset is the same address less the bytecode region base.
func newSection(addr, size uint64) sectionHeader {
	off := addr
	if addr >= regionSize {
		off = addr - regionSize
	}
	return sectionHeader{addr: addr, offset: off, size: size, typ: shtProgbits}
}

func named(pairs ...any) []namedSection {
	var out []namedSection
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, namedSection{name: pairs[i].(string), ok: true, hdr: pairs[i+1].(sectionHeader)})
	}
	return out
}

// TestReferenceROSections follows the reference's parse_ro_sections tests
// (owned and borrowed regions, gaps, offsets).
func TestReferenceROSections(t *testing.T) {
	file := make([]byte, 512)
	def := DefaultOptions()
	noOpt := DefaultOptions()
	noOpt.OptimizeRodata = false
	reject := versions(sbpf.V0, sbpf.V0)
	reject.RejectBrokenELFs = true

	type want struct {
		vaddr  uint64
		length int
		kind   Kind
	}
	s := func(a, n uint64) sectionHeader { return newSection(a, n) }
	withOffset := func(h sectionHeader, off uint64) sectionHeader { h.offset = off; return h }
	cases := []struct {
		name string
		opts *Options
		secs []namedSection
		want want
	}{
		{"owned not contiguous", &def, named(".text", s(10, 10), ".dynamic", s(20, 10), ".rodata", s(30, 10)), want{regionSize + 10, 30, KindNone}},
		{"owned with sh_offset", &def, named(".text", s(10, 10), ".rodata", withOffset(s(20, 10), 30)), want{regionSize + 10, 20, KindNone}},
		{"sh_offset same as vaddr", reject, named(".text", s(10, 10)), want{regionSize + 10, 10, KindNone}},
		{"sh_offset not same as vaddr", reject, named(".text", withOffset(s(10, 10), 0)), want{kind: ValueOutOfBounds}},
		{"owned no initial gap", &def, named(".text", s(0, 10), ".dynamic", s(10, 10), ".rodata", s(20, 10)), want{regionSize, 30, KindNone}},
		{"owned initial gap mappable", &noOpt, named(".text", s(10, 10), ".dynamic", s(20, 10), ".rodata", s(30, 10)), want{regionSize, 40, KindNone}},
		{"owned initial gap unmapped", &def, named(".text", s(10, 10), ".dynamic", s(20, 10), ".rodata", s(30, 10)), want{regionSize + 10, 30, KindNone}},
		{"borrowing disabled", &noOpt, named(".text", s(0, 10), ".rodata", s(10, 10)), want{regionSize, 20, KindNone}},
		{"borrowed", &def, named(".dynsym", s(0, 10), ".text", s(20, 10), ".rodata", s(40, 10), ".dynamic", s(50, 10)), want{regionSize + 20, 30, KindNone}},
		{"borrowed no initial gap", &def, named(".text", s(0, 10), ".rodata", s(10, 10), ".dynamic", s(20, 10)), want{regionSize, 20, KindNone}},
		{"borrowed initial gap", &def, named(".dynamic", s(0, 10), ".text", s(10, 10), ".rodata", s(20, 10)), want{regionSize + 10, 20, KindNone}},
	}
	for _, c := range cases {
		ro, err := parseROSections(c.opts, c.secs, file)
		if c.want.kind != KindNone {
			wantKind(t, asError(err), c.want.kind)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if ro.vaddr != c.want.vaddr || len(ro.data) != c.want.length {
			t.Errorf("%s: region at %#x of %d bytes, want %#x of %d", c.name, ro.vaddr, len(ro.data), c.want.vaddr, c.want.length)
		}
	}
}

// TestBuildOwnedROSection follows the reference's test of how overlapping
// and out-of-order sections fill the owned buffer.
func TestBuildOwnedROSection(t *testing.T) {
	noOpt := DefaultOptions()
	noOpt.OptimizeRodata = false
	// Sections are copied in header order; later ones win where they
	// overlap. Offsets differ from addresses, so the buffer is owned.
	file := []byte{1, 1, 1, 1, 3, 3, 3, 3, 9, 9, 9, 0, 0, 0, 0, 0}
	sec := func(addr, off, size uint64) sectionHeader {
		return sectionHeader{addr: addr, offset: off, size: size, typ: shtProgbits}
	}
	ro, err := parseROSections(&noOpt, named(".text", sec(2, 4, 4), ".rodata", sec(0, 0, 4), ".eh_frame", sec(3, 8, 3)), file)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ro.data, []byte{1, 1, 1, 9, 9, 9}; string(got) != string(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
