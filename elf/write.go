package elf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/vm"
)

// Object is a program as an assembler or compiler has it before it is
// laid out in a file: instruction slots, read-only data, the entry point,
// function names, and what each call and address constant refers to.
type Object struct {
	Version sbpf.Version

	// Text holds the instruction slots (a non-empty multiple of 8 bytes).
	Text []byte
	// ROData is the read-only data. For V3+ files a length that is not a
	// multiple of 8 is padded with zeros (the strict format requires it),
	// so the padding becomes readable.
	ROData []byte
	// Entry is the instruction index where execution starts.
	Entry int

	// Functions names functions: symbol name → instruction index. They
	// become .symtab entries (labels for debuggers). The name
	// "entrypoint", if present, must be Entry.
	Functions map[string]int

	// CallTargets resolves the immediates of V0-V2 `call` instructions
	// that are internal calls: key → target instruction index. It is
	// vm.Program.Functions of an assembled program. Unused for V3+, whose
	// calls are pc-relative.
	CallTargets map[uint32]int

	// SyscallName names the syscall whose hash a V0-V2 `call` carries
	// (vm.Registry.Name fits), so that the call can be written as a
	// relocation against that name. Calls whose immediate is a syscall take
	// precedence over CallTargets, as in the interpreter.
	SyscallName func(hash uint32) (string, bool)

	// Exports names functions of Functions to export: V0-V2 files list
	// each in .dynsym as a global function (Exports reads them back), so
	// that other programs can call it as a module. Strict V3+ files have
	// no dynamic symbol table and export nothing.
	Exports []string

	// AddrRefs lists the lddw instructions that load an address inside the
	// program's own text or read-only data. The writer sets each one's
	// constant for the layout it chooses (with a relocation in V0-V2).
	AddrRefs []AddrRef
}

// Section names a part of an Object that an address can point into.
type Section uint8

// Sections an AddrRef can refer to.
const (
	SectionROData Section = iota
	SectionText
)

func (s Section) String() string {
	if s == SectionText {
		return ".text"
	}
	return ".rodata"
}

// AddrRef says that the lddw at instruction PC loads the address of byte
// Offset of Section. The constant the lddw holds on input is ignored.
type AddrRef struct {
	PC      int
	Section Section
	Offset  uint64
}

// maxDynamicName is the longest dynamic symbol name the loaders resolve:
// they look for the NUL within 64 bytes.
const maxDynamicName = symbolNameMax - 1

// Write lays o out as an ELF shared object that Load and the reference
// loader accept: for V0-V2 a lenient-format file whose syscalls and
// internal calls are R_BPF_64_32 relocations and whose address constants
// are R_BPF_64_RELATIVE relocations; for V3+ a strict-format file with
// rodata at 0, text at the bytecode region and no relocations. The output
// is deterministic.
func Write(o *Object) ([]byte, error) {
	if o == nil {
		return nil, errors.New("elf: nil object")
	}
	if !o.Version.Valid() {
		return nil, fmt.Errorf("elf: unknown sBPF version %d", o.Version)
	}
	n := len(o.Text) / sbpf.InsnSize
	if len(o.Text) == 0 || len(o.Text)%sbpf.InsnSize != 0 {
		return nil, fmt.Errorf("elf: text of %d bytes is not a non-empty multiple of %d", len(o.Text), sbpf.InsnSize)
	}
	if len(o.Text)+len(o.ROData) > DefaultMaxFileSize/2 {
		return nil, fmt.Errorf("elf: program of %d bytes is too large", len(o.Text)+len(o.ROData))
	}
	if o.Entry < 0 || o.Entry >= n {
		return nil, fmt.Errorf("elf: entry %d is outside the %d instructions", o.Entry, n)
	}
	for name, pc := range o.Functions {
		if pc < 0 || pc >= n {
			return nil, fmt.Errorf("elf: function %q at %d is outside the %d instructions", name, pc, n)
		}
		if name == "" || bytes.IndexByte([]byte(name), 0) >= 0 {
			return nil, fmt.Errorf("elf: function name %q is empty or contains NUL", name)
		}
		if name == "entrypoint" && pc != o.Entry {
			return nil, fmt.Errorf("elf: function \"entrypoint\" at %d is not the entry %d", pc, o.Entry)
		}
	}
	seen := map[int]bool{}
	for _, r := range o.AddrRefs {
		if o.Version.DisableLDDW() {
			return nil, fmt.Errorf("elf: %s has no lddw for the address reference at %d", o.Version, r.PC)
		}
		if r.PC < 0 || r.PC+1 >= n || o.Text[r.PC*sbpf.InsnSize] != byte(sbpf.LdDwImm) {
			return nil, fmt.Errorf("elf: address reference at %d is not an lddw", r.PC)
		}
		if seen[r.PC] {
			return nil, fmt.Errorf("elf: two address references at %d", r.PC)
		}
		seen[r.PC] = true
		size := len(o.ROData)
		if r.Section == SectionText {
			size = len(o.Text)
		} else if r.Section != SectionROData {
			return nil, fmt.Errorf("elf: address reference at %d names unknown section %d", r.PC, r.Section)
		}
		if r.Offset > uint64(size) {
			return nil, fmt.Errorf("elf: address reference at %d points %d bytes into %s of %d", r.PC, r.Offset, r.Section, size)
		}
	}
	if o.Version.StrictELFHeaders() {
		return writeStrict(o)
	}
	return writeLenient(o)
}

// ObjectFromProgram describes p for Write. Calls are resolved with
// p.Functions and syscallName. A program whose code computes addresses
// into its own text or read-only data needs Object.AddrRefs, which a
// Program does not record: such addresses are not rebased. A V0-V2
// program with read-only data besides its text cannot be described and is
// an error.
func ObjectFromProgram(p *vm.Program, syscallName func(uint32) (string, bool)) (*Object, error) {
	if p == nil {
		return nil, errors.New("elf: nil program")
	}
	o := &Object{Version: p.Version, Text: p.Text, Entry: p.Entry, SyscallName: syscallName}
	if p.Version.LowerRodataVaddr() {
		if p.RODataVAddr != sbpf.RodataStart || p.TextVAddr != sbpf.BytecodeStart {
			return nil, fmt.Errorf("elf: %s program maps rodata at %#x and text at %#x", p.Version, p.RODataVAddr, p.TextVAddr)
		}
		o.ROData = p.ROData
		return o, nil
	}
	o.CallTargets = p.Functions
	if p.RODataVAddr != p.TextVAddr || !bytes.Equal(p.ROData, p.Text) {
		return nil, errors.New("elf: the program has read-only data besides its text; describe it as an Object with AddrRefs")
	}
	return o, nil
}

// strtab accumulates a string table.
type strtab struct {
	b   []byte
	off map[string]uint32
}

func newStrtab() *strtab { return &strtab{b: []byte{0}, off: map[string]uint32{"": 0}} }

func (s *strtab) add(name string) uint32 {
	if o, ok := s.off[name]; ok {
		return o
	}
	o := uint32(len(s.b))
	s.b = append(s.b, name...)
	s.b = append(s.b, 0)
	s.off[name] = o
	return o
}

// out is the file being written.
type out struct{ b []byte }

func (w *out) align(a int) {
	for len(w.b)%a != 0 {
		w.b = append(w.b, 0)
	}
}

func (w *out) put(data []byte, a int) uint64 {
	w.align(a)
	off := uint64(len(w.b))
	w.b = append(w.b, data...)
	return off
}

func (w *out) u16(off int, v uint16) { binary.LittleEndian.PutUint16(w.b[off:], v) }
func (w *out) u32(off int, v uint32) { binary.LittleEndian.PutUint32(w.b[off:], v) }
func (w *out) u64(off int, v uint64) { binary.LittleEndian.PutUint64(w.b[off:], v) }

func appendSym(b []byte, name uint32, info uint8, shndx uint16, value, size uint64) []byte {
	b = binary.LittleEndian.AppendUint32(b, name)
	b = append(b, info, 0)
	b = binary.LittleEndian.AppendUint16(b, shndx)
	b = binary.LittleEndian.AppendUint64(b, value)
	return binary.LittleEndian.AppendUint64(b, size)
}

// section is one section header to write.
type section struct {
	name      string
	typ       uint32
	flags     uint64
	addr      uint64
	off       uint64
	size      uint64
	link      uint32
	info      uint32
	addralign uint64
	entsize   uint64
}

func (w *out) header(v sbpf.Version, entry uint64, phnum int) {
	w.b = make([]byte, ehdrSize+phnum*phdrSize)
	copy(w.b, elfMagic)
	w.b[4], w.b[5], w.b[6], w.b[7] = elfClass64, elfData2LSB, evCurrent, elfOSABINone
	w.u16(16, etDyn)
	w.u16(18, emBPF)
	w.u32(20, evCurrent)
	w.u64(24, entry)
	w.u64(32, ehdrSize)
	w.u32(48, uint32(v))
	w.u16(52, ehdrSize)
	w.u16(54, phdrSize)
	w.u16(56, uint16(phnum))
	w.u16(58, shdrSize)
}

func (w *out) phdr(i int, typ, flags uint32, off, vaddr, size, align uint64) {
	o := ehdrSize + i*phdrSize
	w.u32(o, typ)
	w.u32(o+4, flags)
	w.u64(o+8, off)
	w.u64(o+16, vaddr)
	w.u64(o+24, vaddr)
	w.u64(o+32, size)
	w.u64(o+40, size)
	w.u64(o+48, align)
}

// finish appends .shstrtab and the section header table.
func (w *out) finish(secs []section) {
	names := newStrtab()
	nameOffs := make([]uint32, len(secs)+1)
	for i, s := range secs {
		nameOffs[i] = names.add(s.name)
	}
	nameOffs[len(secs)] = names.add(".shstrtab")
	shstr := w.put(names.b, 1)
	secs = append(secs, section{name: ".shstrtab", typ: shtStrtab, off: shstr, size: uint64(len(names.b)), addralign: 1})
	w.align(8)
	shoff := len(w.b)
	w.b = append(w.b, make([]byte, shdrSize)...) // SHT_NULL
	for i, s := range secs {
		o := len(w.b)
		w.b = append(w.b, make([]byte, shdrSize)...)
		w.u32(o, nameOffs[i])
		w.u32(o+4, s.typ)
		w.u64(o+8, s.flags)
		w.u64(o+16, s.addr)
		w.u64(o+24, s.off)
		w.u64(o+32, s.size)
		w.u32(o+40, s.link)
		w.u32(o+44, s.info)
		w.u64(o+48, s.addralign)
		w.u64(o+56, s.entsize)
	}
	w.u64(40, uint64(shoff))
	w.u16(60, uint16(len(secs)+1))
	w.u16(62, uint16(len(secs)))
}

// labelSymbols returns the .symtab symbols: every named function plus
// "entrypoint", sorted by instruction then name.
func labelSymbols(o *Object) []struct {
	name string
	pc   int
} {
	type fn = struct {
		name string
		pc   int
	}
	var fns []fn
	hasEntry := false
	for name, pc := range o.Functions {
		hasEntry = hasEntry || name == "entrypoint"
		fns = append(fns, fn{name, pc})
	}
	if !hasEntry {
		fns = append(fns, fn{"entrypoint", o.Entry})
	}
	sort.Slice(fns, func(i, j int) bool {
		if fns[i].pc != fns[j].pc {
			return fns[i].pc < fns[j].pc
		}
		return fns[i].name < fns[j].name
	})
	return fns
}

// symtab builds .symtab and .strtab for the label symbols, with values
// computed by addr.
func symtab(o *Object, shndx uint16, addr func(pc int) uint64) (syms, strs []byte) {
	st := newStrtab()
	syms = appendSym(nil, 0, 0, 0, 0, 0)
	for _, f := range labelSymbols(o) {
		syms = appendSym(syms, st.add(f.name), stbGlobal<<4|sttFunc, shndx, addr(f.pc), 0)
	}
	return syms, st.b
}

// writeLenient writes the V0-V2 shared-object layout: .text, .rodata,
// .dynamic, .dynsym, .dynstr, .rel.dyn, .symtab, .strtab, .shstrtab. Every
// section's address equals its file offset, as the reference's
// reject_broken_elfs demands.
func writeLenient(o *Object) ([]byte, error) {
	text := bytes.Clone(o.Text)
	n := len(text) / sbpf.InsnSize

	// Classify call sites first: the loader rewrites every `call` slot
	// whose immediate is not -1 as a pc-relative call, so each call is
	// written as -1 with a relocation.
	type callSite struct {
		pc      int
		syscall string // set for syscalls
		target  int    // for internal calls
	}
	var calls []callSite
	targets := map[int]bool{}
	syscalls := map[string]bool{}
	for pc := 0; pc < n; pc++ {
		slot := text[pc*sbpf.InsnSize:]
		if slot[0] != byte(sbpf.Call) {
			continue
		}
		imm := binary.LittleEndian.Uint32(slot[4:])
		if o.SyscallName != nil {
			if name, ok := o.SyscallName(imm); ok {
				if sbpf.SyscallHash(name) != imm {
					return nil, fmt.Errorf("elf: call at %d: syscall %q does not hash to %#x", pc, name, imm)
				}
				if len(name) > maxDynamicName || name == "" || bytes.IndexByte([]byte(name), 0) >= 0 {
					return nil, fmt.Errorf("elf: call at %d: syscall name %q cannot be relocated (at most %d bytes, no NUL)", pc, name, maxDynamicName)
				}
				calls = append(calls, callSite{pc: pc, syscall: name})
				syscalls[name] = true
				continue
			}
		}
		t, ok := o.CallTargets[imm]
		if !ok {
			return nil, fmt.Errorf("elf: call at %d: immediate %#x is neither a known syscall nor a function", pc, imm)
		}
		if t < 0 || t >= n {
			return nil, fmt.Errorf("elf: call at %d: target %d is outside the %d instructions", pc, t, n)
		}
		calls = append(calls, callSite{pc: pc, target: t})
		targets[t] = true
	}

	hasRO := len(o.ROData) > 0
	phnum := 3
	if hasRO {
		phnum = 4
	}
	w := &out{}
	w.header(o.Version, 0, phnum)
	textOff := w.put(text, 8)
	var roOff uint64
	if hasRO {
		roOff = w.put(o.ROData, 8)
	}
	secAddr := func(s Section) uint64 {
		if s == SectionText {
			return textOff
		}
		return roOff
	}
	insnAddr := func(pc int) uint64 { return textOff + uint64(pc)*sbpf.InsnSize }

	// Dynamic symbols: null, defined call targets (and entrypoint) by pc,
	// then the syscalls by name.
	dynstr := newStrtab()
	dynsym := appendSym(nil, 0, 0, 0, 0, 0)
	symIndex := map[int]uint32{}
	symNames := map[int][]string{}
	for name, pc := range o.Functions {
		symNames[pc] = append(symNames[pc], name)
	}
	targets[o.Entry] = true
	tpcs := make([]int, 0, len(targets))
	for pc := range targets {
		tpcs = append(tpcs, pc)
	}
	sort.Ints(tpcs)
	for _, pc := range tpcs {
		symIndex[pc] = uint32(len(dynsym) / symSize)
		dynsym = appendSym(dynsym, dynstr.add(dynamicFuncName(o, pc, symNames[pc])), stbGlobal<<4|sttFunc, 1, insnAddr(pc), 0)
	}
	exports := append([]string(nil), o.Exports...)
	sort.Strings(exports)
	for i, name := range exports {
		pc, ok := o.Functions[name]
		if !ok {
			return nil, fmt.Errorf("elf: export %q is not one of the object's functions", name)
		}
		if pc < 0 || pc >= n || len(name) > maxDynamicName || name == "" {
			return nil, fmt.Errorf("elf: export %q: pc %d of %d instructions, name of at most %d bytes", name, pc, n, maxDynamicName)
		}
		if i > 0 && exports[i-1] == name {
			continue
		}
		if _, listed := symIndex[pc]; listed && dynamicFuncName(o, pc, symNames[pc]) == name {
			continue // already in .dynsym under this name
		}
		dynsym = appendSym(dynsym, dynstr.add(name), stbGlobal<<4|sttFunc, 1, insnAddr(pc), 0)
	}
	names := make([]string, 0, len(syscalls))
	for s := range syscalls {
		names = append(names, s)
	}
	sort.Strings(names)
	sysIndex := map[string]uint32{}
	for _, s := range names {
		sysIndex[s] = uint32(len(dynsym) / symSize)
		dynsym = appendSym(dynsym, dynstr.add(s), stbGlobal<<4|sttNotype, shnUndef, 0, 0)
	}

	// Relocations, in file order.
	type rel struct {
		off  uint64
		info uint64
	}
	var rels []rel
	refs := map[int]AddrRef{}
	for _, r := range o.AddrRefs {
		refs[r.PC] = r
	}
	for pc := 0; pc < n; pc++ {
		if r, ok := refs[pc]; ok {
			addr := secAddr(r.Section) + r.Offset
			slot := text[pc*sbpf.InsnSize:]
			binary.LittleEndian.PutUint32(slot[4:], uint32(addr))
			binary.LittleEndian.PutUint32(slot[sbpf.InsnSize+4:], uint32(addr>>32))
			rels = append(rels, rel{insnAddr(pc), rBPF64Rel})
		}
	}
	for _, c := range calls {
		binary.LittleEndian.PutUint32(text[c.pc*sbpf.InsnSize+4:], 0xffffffff)
		idx := symIndex[c.target]
		if c.syscall != "" {
			idx = sysIndex[c.syscall]
		}
		rels = append(rels, rel{insnAddr(c.pc), uint64(idx)<<32 | rBPF64_32})
	}
	sort.SliceStable(rels, func(i, j int) bool { return rels[i].off < rels[j].off })
	copy(w.b[textOff:], text)

	// .dynamic is sized before its contents are known.
	ndyn := 9
	if len(rels) > 0 {
		ndyn += 3
	}
	dynOff := w.put(make([]byte, ndyn*dynSize), 8)
	dynsymOff := w.put(dynsym, 8)
	dynstrOff := w.put(dynstr.b, 1)
	var relOff uint64
	var relBytes []byte
	for _, r := range rels {
		relBytes = binary.LittleEndian.AppendUint64(relBytes, r.off)
		relBytes = binary.LittleEndian.AppendUint64(relBytes, r.info)
	}
	if len(rels) > 0 {
		relOff = w.put(relBytes, 8)
	}
	loadEnd := uint64(len(w.b))

	dyn := []uint64{
		dtSymtab, dynsymOff, dtSyment, symSize, dtStrtab, dynstrOff, dtStrsz, uint64(len(dynstr.b)),
	}
	if len(rels) > 0 {
		dyn = append(dyn, dtRel, relOff, dtRelsz, uint64(len(relBytes)), dtRelent, relSize)
	}
	dyn = append(dyn, dtTextrel, 0, dtFlags, dfTextrel)
	for i, v := range dyn {
		w.u64(int(dynOff)+i*8, v)
	}

	syms, strs := symtab(o, 1, insnAddr)
	symOff := w.put(syms, 8)
	strOff := w.put(strs, 1)

	secs := []section{
		{name: ".text", typ: shtProgbits, flags: shfAlloc | shfExecinstr, addr: textOff, off: textOff, size: uint64(len(text)), addralign: 8},
	}
	dynstrIdx := uint32(4)
	if hasRO {
		secs = append(secs, section{name: ".rodata", typ: shtProgbits, flags: shfAlloc, addr: roOff, off: roOff, size: uint64(len(o.ROData)), addralign: 8})
		dynstrIdx = 5
	}
	secs = append(secs,
		section{name: ".dynamic", typ: shtDynamic, flags: shfAlloc | shfWrite, addr: dynOff, off: dynOff, size: uint64(ndyn * dynSize), link: dynstrIdx, addralign: 8, entsize: dynSize},
		section{name: ".dynsym", typ: shtDynsym, flags: shfAlloc, addr: dynsymOff, off: dynsymOff, size: uint64(len(dynsym)), link: dynstrIdx, info: 1, addralign: 8, entsize: symSize},
		section{name: ".dynstr", typ: shtStrtab, flags: shfAlloc, addr: dynstrOff, off: dynstrOff, size: uint64(len(dynstr.b)), addralign: 1},
	)
	if len(rels) > 0 {
		secs = append(secs, section{name: ".rel.dyn", typ: shtRel, flags: shfAlloc, addr: relOff, off: relOff, size: uint64(len(relBytes)), link: dynstrIdx - 1, addralign: 8, entsize: relSize})
	}
	strtabIdx := uint32(len(secs) + 2)
	secs = append(secs,
		section{name: ".symtab", typ: shtSymtab, off: symOff, size: uint64(len(syms)), link: strtabIdx, info: 1, addralign: 8, entsize: symSize},
		section{name: ".strtab", typ: shtStrtab, off: strOff, size: uint64(len(strs)), addralign: 1},
	)

	w.u64(24, insnAddr(o.Entry))
	p := 0
	w.phdr(p, ptLoad, pfR|pfX, textOff, textOff, uint64(len(text)), 8)
	p++
	if hasRO {
		w.phdr(p, ptLoad, pfR, roOff, roOff, uint64(len(o.ROData)), 8)
		p++
	}
	w.phdr(p, ptLoad, pfR, dynsymOff, dynsymOff, loadEnd-dynsymOff, 8)
	w.phdr(p+1, ptDynamic, pfR|pfW, dynOff, dynOff, uint64(ndyn*dynSize), 8)
	w.finish(secs)
	return w.b, nil
}

// dynamicFuncName picks the dynamic symbol name of the function at pc: the
// entry is "entrypoint" (which the loader keys by that name's hash), any
// other function keeps a name of its own if it has a usable one, else
// function_<pc>. "entrypoint" is never used for another pc, since the
// loader would key it like the entry.
func dynamicFuncName(o *Object, pc int, names []string) string {
	if pc == o.Entry {
		return "entrypoint"
	}
	sort.Strings(names)
	for _, n := range names {
		if n != "entrypoint" && len(n) <= maxDynamicName {
			return n
		}
	}
	return "function_" + strconv.Itoa(pc)
}

// writeStrict writes the V3+ layout: the file header, the read-only and
// bytecode program headers, the rodata and the text back to back, then
// .symtab, .strtab, .shstrtab and the section headers for tools.
func writeStrict(o *Object) ([]byte, error) {
	text := bytes.Clone(o.Text)
	ro := bytes.Clone(o.ROData)
	for len(ro)%sbpf.InsnSize != 0 {
		ro = append(ro, 0)
	}
	for _, r := range o.AddrRefs {
		base := sbpf.RodataStart
		if r.Section == SectionText {
			base = sbpf.BytecodeStart
		}
		addr := base + r.Offset
		slot := text[r.PC*sbpf.InsnSize:]
		binary.LittleEndian.PutUint32(slot[4:], uint32(addr))
		binary.LittleEndian.PutUint32(slot[sbpf.InsnSize+4:], uint32(addr>>32))
	}
	hasRO := len(ro) > 0
	phnum := 1
	if hasRO {
		phnum = 2
	}
	insnAddr := func(pc int) uint64 { return sbpf.BytecodeStart + uint64(pc)*sbpf.InsnSize }
	w := &out{}
	w.header(o.Version, insnAddr(o.Entry), phnum)
	var secs []section
	p := 0
	if hasRO {
		roOff := w.put(ro, 8)
		w.phdr(p, ptLoad, pfR, roOff, sbpf.RodataStart, uint64(len(ro)), 8)
		p++
		secs = append(secs, section{name: ".rodata", typ: shtProgbits, flags: shfAlloc, addr: sbpf.RodataStart, off: roOff, size: uint64(len(ro)), addralign: 8})
	}
	textOff := w.put(text, 8)
	w.phdr(p, ptLoad, pfX, textOff, sbpf.BytecodeStart, uint64(len(text)), 8)
	textIdx := uint16(len(secs) + 1)
	secs = append(secs, section{name: ".text", typ: shtProgbits, flags: shfAlloc | shfExecinstr, addr: sbpf.BytecodeStart, off: textOff, size: uint64(len(text)), addralign: 8})
	syms, strs := symtab(o, textIdx, insnAddr)
	symOff := w.put(syms, 8)
	strOff := w.put(strs, 1)
	strtabIdx := uint32(len(secs) + 2)
	secs = append(secs,
		section{name: ".symtab", typ: shtSymtab, off: symOff, size: uint64(len(syms)), link: strtabIdx, info: 1, addralign: 8, entsize: symSize},
		section{name: ".strtab", typ: shtStrtab, off: strOff, size: uint64(len(strs)), addralign: 1},
	)
	w.finish(secs)
	return w.b, nil
}

// Assemble assembles src for version v (package sbpf/asm, with opts) and
// writes it as an ELF, its syscalls named by syscallName; nil names none,
// for a program that makes no syscalls.
func Assemble(src string, v sbpf.Version, opts *asm.Options, syscallName func(uint32) (string, bool)) ([]byte, error) {
	p, err := asm.Assemble(src, v, opts)
	if err != nil {
		return nil, err
	}
	if syscallName == nil {
		syscallName = func(uint32) (string, bool) { return "", false }
	}
	obj, err := ObjectFromProgram(vm.NewRawProgram(p.Version, p.Text, p.Functions, p.Entry), syscallName)
	if err != nil {
		return nil, err
	}
	return Write(obj)
}
