package elf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// craft is a well-formed file from the writer, with helpers to break it.
type craft struct {
	t    *testing.T
	b    []byte
	e    *parsedELF
	name map[string]int // section index by name
}

func newCraft(t *testing.T, v sbpf.Version) *craft {
	t.Helper()
	b, err := Write(sampleObject(v))
	if err != nil {
		t.Fatal(err)
	}
	c := &craft{t: t, b: b, name: map[string]int{}}
	if !v.StrictELFHeaders() {
		e, perr := parseLenient(b)
		if perr != nil {
			t.Fatal(perr)
		}
		c.e = e
		for i := range e.shdrs {
			c.name[e.names[i]] = i
		}
	}
	return c
}

// shdr returns the file offset of field off of section name's header.
func (c *craft) shdr(name string, off int) int {
	i, ok := c.name[name]
	if !ok {
		c.t.Fatalf("no section %s", name)
	}
	return int(c.e.hdr.shoff) + i*shdrSize + off
}

func (c *craft) sec(name string) sectionHeader { return c.e.shdrs[c.name[name]] }

func (c *craft) put64(off int, v uint64) *craft {
	binary.LittleEndian.PutUint64(c.b[off:], v)
	return c
}
func (c *craft) put32(off int, v uint32) *craft {
	binary.LittleEndian.PutUint32(c.b[off:], v)
	return c
}
func (c *craft) put16(off int, v uint16) *craft {
	binary.LittleEndian.PutUint16(c.b[off:], v)
	return c
}

// rel returns the file offset of relocation i.
func (c *craft) rel(i int) int { return int(c.sec(".rel.dyn").offset) + i*relSize }

// dynEntry returns the file offset of the value of the dynamic entry tag.
func (c *craft) dynEntry(tag uint64) int {
	d := c.sec(".dynamic")
	for o := d.offset; o < d.offset+d.size; o += dynSize {
		if binary.LittleEndian.Uint64(c.b[o:]) == tag {
			return int(o) + 8
		}
	}
	c.t.Fatalf("no dynamic tag %d", tag)
	return 0
}

// TestCraftedErrors breaks a valid file in one place at a time and checks
// the error kind the reference reports for that defect.
func TestCraftedErrors(t *testing.T) {
	v0 := func() *craft { return newCraft(t, sbpf.V0) }
	reject := DefaultOptions()
	reject.RejectBrokenELFs = true
	entrypointSyscall := vm.NewRegistry()
	entrypointSyscall.MustRegister("entrypoint", func(*vm.Machine, uint64, uint64, uint64, uint64, uint64) (uint64, error) { return 0, nil })

	cases := []struct {
		name  string
		file  func() []byte
		reg   *vm.Registry
		opts  *Options
		kind  Kind
		parse ParseKind
	}{
		{"short", func() []byte { return v0().b[:60] }, nil, nil, ValueOutOfBounds, OutOfBounds},
		{"no e_flags", func() []byte { return v0().b[:40] }, nil, nil, ValueOutOfBounds, OutOfBounds},
		{"reserved version", func() []byte { return v0().put32(offEFlags, 5).b }, nil, nil, UnsupportedSBPFVersion, ParseNone},
		{"version not enabled", func() []byte { return newCraft(t, sbpf.V3).b }, nil, versions(sbpf.V0, sbpf.V2), UnsupportedSBPFVersion, ParseNone},
		{"magic", func() []byte { c := v0(); c.b[1] = 'X'; return c.b }, nil, nil, FailedToParse, InvalidFileHeader},
		{"shstrndx", func() []byte { return v0().put16(62, 200).b }, nil, nil, FailedToParse, InvalidFileHeader},
		{"program headers overlap header", func() []byte { return v0().put64(32, 8).b }, nil, nil, FailedToParse, Overlap},
		{"empty program header table inside header", func() []byte { return v0().put64(32, 10).put16(56, 0).b }, nil, nil, FailedToParse, Overlap},
		{"program headers past end", func() []byte { return v0().put16(56, 0x7fff).b }, nil, nil, ValueOutOfBounds, OutOfBounds},
		{"program headers overflow", func() []byte { return v0().put64(32, ^uint64(0)-8).b }, nil, nil, ValueOutOfBounds, OutOfBounds},
		{"section headers unaligned", func() []byte { c := v0(); return c.put64(40, c.e.hdr.shoff-4).b }, nil, nil, FailedToParse, InvalidAlignment},
		{"section headers overlap program headers", func() []byte { return v0().put64(40, 64).b }, nil, nil, FailedToParse, Overlap},
		{"section 0 not null", func() []byte { c := v0(); return c.put32(int(c.e.hdr.shoff)+4, shtProgbits).b }, nil, nil, FailedToParse, InvalidSectionHeader},
		{"PT_LOAD descending", func() []byte { return v0().put64(ehdrSize+phdrSize+16, 1).b }, nil, nil, InvalidProgramHeader, InvalidProgramHeaderParse},
		{"PT_LOAD past end", func() []byte { return v0().put64(ehdrSize+32, 1<<40).b }, nil, nil, ValueOutOfBounds, OutOfBounds},
		{"section overlaps header", func() []byte { c := v0(); return c.put64(c.shdr(".rodata", 24), 8).b }, nil, nil, FailedToParse, Overlap},
		{"section out of order", func() []byte { c := v0(); return c.put64(c.shdr(".rodata", 24), c.sec(".text").offset).b }, nil, nil, FailedToParse, SectionNotInOrder},
		{"section size overflows", func() []byte { c := v0(); return c.put64(c.shdr(".strtab", 32), ^uint64(0)).b }, nil, nil, ValueOutOfBounds, OutOfBounds},
		{"section runs into section headers", func() []byte { c := v0(); return c.put64(c.shdr(".shstrtab", 32), 1<<20).b }, nil, nil, FailedToParse, Overlap},
		{"no section names", func() []byte { return v0().put16(62, 0).b }, nil, nil, FailedToParse, NoSectionNameStringTable},
		{"section names not a string table", func() []byte { c := v0(); return c.put32(c.shdr(".shstrtab", 4), shtProgbits).b }, nil, nil, FailedToParse, InvalidSectionHeader},
		{"section name too long", func() []byte {
			c := v0()
			s := c.sec(".shstrtab")
			names := c.b[s.offset : s.offset+s.size]
			copy(names[1:], bytes.ReplaceAll(names[1:len(names)-1], []byte{0}, []byte{'_'}))
			return c.b
		}, nil, nil, FailedToParse, StringTooLong},
		{"section name outside table", func() []byte { c := v0(); return c.put32(c.shdr(".text", 0), 1<<20).b }, nil, nil, ValueOutOfBounds, OutOfBounds},
		{"two .dynstr", func() []byte { c := v0(); return c.put32(c.shdr(".strtab", 0), c.e.shdrs[c.name[".dynstr"]].name).b }, nil, nil, FailedToParse, InvalidSectionHeader},
		{"DT_RELENT", func() []byte { c := v0(); return c.put64(c.dynEntry(dtRelent), 8).b }, nil, nil, FailedToParse, InvalidDynamicSectionTable},
		{"DT_RELSZ zero", func() []byte { c := v0(); return c.put64(c.dynEntry(dtRelsz), 0).b }, nil, nil, FailedToParse, InvalidDynamicSectionTable},
		{"DT_RELSZ ragged", func() []byte { c := v0(); return c.put64(c.dynEntry(dtRelsz), 17).b }, nil, nil, FailedToParse, InvalidDynamicSectionTable},
		{"DT_REL nowhere", func() []byte { c := v0(); return c.put64(c.dynEntry(dtRel), 0x7777).b }, nil, nil, FailedToParse, InvalidDynamicSectionTable},
		{"DT_SYMTAB nowhere", func() []byte { c := v0(); return c.put64(c.dynEntry(dtSymtab), 0x7777).b }, nil, nil, FailedToParse, InvalidDynamicSectionTable},
		{"dynsym ragged", func() []byte { c := v0(); return c.put64(c.shdr(".dynsym", 32), c.sec(".dynsym").size-1).b }, nil, nil, FailedToParse, InvalidSize},
		{"dynsym wrong type", func() []byte { c := v0(); return c.put32(c.shdr(".dynsym", 4), shtProgbits).b }, nil, nil, FailedToParse, InvalidSectionHeader},
		{"PT_DYNAMIC unusable, section used", func() []byte { return v0().put64(ehdrSize+3*phdrSize+32, 15).b }, nil, nil, KindNone, ParseNone},
		{"dynamic table unusable", func() []byte {
			c := v0()
			return c.put64(ehdrSize+3*phdrSize+32, 15).put64(c.shdr(".dynamic", 32), 15).b
		}, nil, nil, FailedToParse, InvalidDynamicSectionTable},
		{"static file", func() []byte {
			c := v0()
			return c.put32(ehdrSize+3*phdrSize, 0).put32(c.shdr(".dynamic", 4), shtProgbits).b
		}, nil, nil, KindNone, ParseNone},
		{"ABI", func() []byte { c := v0(); c.b[7] = 3; return c.b }, nil, nil, WrongAbi, ParseNone},
		{"machine", func() []byte { return v0().put16(18, 62).b }, nil, nil, WrongMachine, ParseNone},
		{"type", func() []byte { return v0().put16(16, 2).b }, nil, nil, WrongType, ParseNone},
		{"no .text", func() []byte {
			c := v0()
			s := c.sec(".shstrtab")
			i := bytes.Index(c.b[s.offset:s.offset+s.size], []byte(".text"))
			c.b[int(s.offset)+i+4] = 'x'
			return c.b
		}, nil, nil, NotOneTextSection, ParseNone},
		{"two .text", func() []byte { c := v0(); return c.put32(c.shdr(".rodata", 0), c.e.shdrs[c.name[".text"]].name).b }, nil, nil, NotOneTextSection, ParseNone},
		{"writable .data", func() []byte {
			c := v0()
			s := c.sec(".shstrtab")
			i := bytes.Index(c.b[s.offset:s.offset+s.size], []byte(".rodata"))
			copy(c.b[int(s.offset)+i:], ".data\x00")
			return c.put64(c.shdr(".rodata", 8), shfAlloc|shfWrite).b
		}, nil, nil, WritableSectionNotSupported, ParseNone},
		{"nobits past end", func() []byte {
			c := v0()
			return c.put32(c.shdr(".strtab", 4), shtNobits).put64(c.shdr(".strtab", 32), 1<<20).b
		}, nil, nil, ValueOutOfBounds, ParseNone},
		{"entry outside text", func() []byte { return v0().put64(24, 8).b }, nil, nil, EntrypointOutOfBounds, ParseNone},
		{"entry misaligned", func() []byte { c := v0(); return c.put64(24, c.sec(".text").addr+3).b }, nil, nil, InvalidEntrypoint, ParseNone},
		{"text address not offset", func() []byte {
			c := v0()
			return c.put64(c.shdr(".text", 16), c.sec(".text").addr+8).put64(24, c.sec(".text").addr+8).b
		}, nil, &reject, ValueOutOfBounds, ParseNone},
		{"text beyond bytecode region", func() []byte { c := v0(); return c.put64(c.shdr(".text", 16), 1<<32).put64(24, 1<<32).b }, nil, nil, ValueOutOfBounds, ParseNone},
		{"relative call out of text", func() []byte { c := v0(); return c.put32(int(c.sec(".text").offset)+7*8+4, 1000).b }, nil, nil, RelativeJumpOutOfBounds, ParseNone},
		{"syscall named entrypoint", func() []byte { return v0().b }, entrypointSyscall, nil, SymbolHashCollision, ParseNone},
		{"two functions named entrypoint", func() []byte {
			c := v0()
			ds := c.sec(".dynsym")
			entryName := binary.LittleEndian.Uint32(c.b[ds.offset+symSize:])
			c.put32(int(ds.offset)+2*symSize, entryName) // f becomes "entrypoint"
			return c.put32(c.rel(1)+12, 1).b             // and the log call calls the real one
		}, nil, nil, SymbolHashCollision, ParseNone},
		{"unknown relocation", func() []byte { c := v0(); return c.put32(c.rel(0)+8, 2).b }, nil, nil, UnknownRelocation, ParseNone},
		{"unknown symbol", func() []byte { c := v0(); return c.put32(c.rel(1)+12, 99).b }, nil, nil, UnknownSymbol, ParseNone},
		{"symbol name unreadable", func() []byte {
			c := v0()
			ds := c.sec(".dynsym")
			return c.put32(int(ds.offset)+3*symSize, 1<<20).b
		}, nil, nil, UnknownSymbol, ParseNone},
		{"unresolved syscall", func() []byte { return v0().b }, vm.NewRegistry(), &reject, UnresolvedSymbol, ParseNone},
		{"relative address zero", func() []byte {
			c := v0()
			o := int(c.sec(".text").offset)
			return c.put32(o+4, 0).put32(o+12, 0).b
		}, nil, nil, InvalidVirtualAddress, ParseNone},
		{"relocation past end", func() []byte { c := v0(); return c.put32(c.rel(0)+8, rBPF64_64).put64(c.rel(0), 1<<30).b }, nil, nil, ValueOutOfBounds, ParseNone},
		{"64_32 target outside text", func() []byte {
			c := v0()
			ds := c.sec(".dynsym")
			return c.put64(int(ds.offset)+2*symSize+8, 8).b // f's value
		}, nil, nil, ValueOutOfBounds, ParseNone},
		{"strict header", func() []byte { return newCraft(t, sbpf.V3).put16(18, emSBPF).b }, nil, nil, FailedToParse, InvalidFileHeader},
		{"strict program header", func() []byte { return newCraft(t, sbpf.V3).put64(ehdrSize+16, 8).b }, nil, nil, InvalidProgramHeader, InvalidProgramHeaderParse},
		{"strict short", func() []byte { return newCraft(t, sbpf.V3).b[:60] }, nil, nil, ValueOutOfBounds, OutOfBounds},
		{"too large", func() []byte { return make([]byte, DefaultMaxFileSize+1) }, nil, nil, ValueOutOfBounds, ParseNone},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reg := c.reg
			if reg == nil {
				reg = testSyscalls()
			}
			_, err := Load(c.file(), reg, c.opts)
			k, p := kindOf(t, err)
			if k != c.kind || p != c.parse {
				t.Fatalf("got %v/%v (%v), want %v/%v", k, p, err, c.kind, c.parse)
			}
			if c.kind == KindNone {
				return
			}
			if !strings.HasPrefix(err.Error(), "elf: ") {
				t.Fatalf("message %q", err.Error())
			}
			if !errors.Is(err, &Error{Kind: c.kind}) || errors.Is(err, &Error{Kind: c.kind + 1}) {
				t.Fatal("errors.Is does not match on Kind")
			}
		})
	}
}

func TestOptionsAndVersion(t *testing.T) {
	b := newCraft(t, sbpf.V1).b
	if v, err := Version(b); err != nil || v != sbpf.V1 {
		t.Fatalf("Version = %v, %v", v, err)
	}
	if _, err := Version(b[:10]); err == nil {
		t.Fatal("Version of a stub")
	}
	// A zero Options enables V0 only.
	if _, err := Load(b, testSyscalls(), &Options{}); err == nil {
		t.Fatal("V1 loaded with V0 only")
	}
	o := DefaultOptions()
	o.MaxFileSize = 100
	_, err := Load(b, testSyscalls(), &o)
	wantKind(t, err, ValueOutOfBounds)
}

func TestKindNames(t *testing.T) {
	for k := FailedToParse; k <= InvalidProgramHeader; k++ {
		if s := k.String(); s == "" || strings.HasPrefix(s, "Kind(") {
			t.Errorf("kind %d has no name", k)
		}
		if msg := (&Error{Kind: k}).Error(); !strings.HasPrefix(msg, "elf: ") || len(msg) < 10 {
			t.Errorf("kind %v: message %q", k, msg)
		}
	}
	for p := InvalidFileHeader; p <= NoDynamicStringTable; p++ {
		if s := p.String(); strings.HasPrefix(s, "ParseKind(") {
			t.Errorf("parse kind %d has no name", p)
		}
	}
	if Kind(200).String() != "Kind(200)" || ParseKind(200).String() != "ParseKind(200)" {
		t.Error("unknown kinds")
	}
	e := &Error{Kind: FailedToParse, Parse: Overlap, Detail: "section 3"}
	if e.Error() != "elf: Failed to parse ELF file: values overlap (section 3)" {
		t.Errorf("message %q", e.Error())
	}
	if !errors.Is(e, &Error{Kind: FailedToParse, Parse: Overlap}) || errors.Is(e, &Error{Kind: FailedToParse, Parse: InvalidSize}) {
		t.Error("errors.Is on Parse")
	}
}

// TestLoadedProgramShape checks the layout the lenient loader gives the
// writer's V0 file, against values computed by hand.
func TestLoadedProgramShape(t *testing.T) {
	c := newCraft(t, sbpf.V0)
	p, err := Load(c.b, testSyscalls(), nil)
	if err != nil {
		t.Fatal(err)
	}
	text, ro := c.sec(".text"), c.sec(".rodata")
	if p.TextVAddr != sbpf.BytecodeStart+text.addr || p.RODataVAddr != sbpf.BytecodeStart+text.addr {
		t.Fatalf("text at %#x, rodata at %#x", p.TextVAddr, p.RODataVAddr)
	}
	if uint64(len(p.ROData)) != ro.addr+ro.size-text.addr {
		t.Fatalf("rodata of %d bytes", len(p.ROData))
	}
	if got := sbpf.LDDWImm(sbpf.Decode(p.Text), sbpf.Decode(p.Text[8:])); got != sbpf.BytecodeStart+ro.addr {
		t.Fatalf("lddw loads %#x, want %#x", got, sbpf.BytecodeStart+ro.addr)
	}
	if p.Functions[sbpf.PCHash(12)] != 12 || p.Functions[entrypointHash] != 0 {
		t.Fatalf("functions %v", p.Functions)
	}
	// Without the optimisation the region starts at the bytecode base.
	o := DefaultOptions()
	o.OptimizeRodata = false
	q, err := Load(c.b, testSyscalls(), &o)
	if err != nil {
		t.Fatal(err)
	}
	if q.RODataVAddr != sbpf.BytecodeStart || uint64(len(q.ROData)) != ro.addr+ro.size || !bytes.Equal(q.ROData[text.addr:], p.ROData) {
		t.Fatalf("unoptimised rodata at %#x, %d bytes", q.RODataVAddr, len(q.ROData))
	}
}

func TestEntrypointHash(t *testing.T) {
	if h := sbpf.SyscallHash("entrypoint"); h != entrypointHash {
		t.Fatalf("hash of entrypoint is %#x, constant says %#x", h, entrypointHash)
	}
}
