package elf

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strconv"
)

// ELF constants the loader and writer use.
const (
	ehdrSize = 64 // Elf64_Ehdr
	phdrSize = 56 // Elf64_Phdr
	shdrSize = 64 // Elf64_Shdr
	symSize  = 24 // Elf64_Sym
	relSize  = 16 // Elf64_Rel
	dynSize  = 16 // Elf64_Dyn

	// tableAlign is the alignment the reference demands of every table it
	// reads in place (its entries hold u64 fields and the file is loaded
	// into 16-byte aligned memory).
	tableAlign = 8

	elfClass64         = 2
	elfData2LSB        = 1
	evCurrent          = 1
	elfOSABINone       = 0
	emBPF              = 247
	emSBPF             = 263
	etDyn              = 3
	ptLoad             = 1
	ptDynamic          = 2
	pfX                = 1
	pfW                = 2
	pfR                = 4
	shtNull            = 0
	shtProgbits        = 1
	shtSymtab          = 2
	shtStrtab          = 3
	shtDynamic         = 6
	shtNobits          = 8
	shtRel             = 9
	shtDynsym          = 11
	shfWrite           = 1
	shfAlloc           = 2
	shfExecinstr       = 4
	stbGlobal          = 1
	sttNotype          = 0
	sttFunc            = 2
	dtNull             = 0
	dtStrtab           = 5
	dtSymtab           = 6
	dtStrsz            = 10
	dtSyment           = 11
	dtRel              = 17
	dtRelsz            = 18
	dtRelent           = 19
	dtTextrel          = 22
	dtFlags            = 30
	dtNum              = 35 // tags at or above are ignored
	dfTextrel          = 4
	rBPF64_64          = 1
	rBPF64Rel          = 8
	rBPF64_32          = 10
	shnUndef           = 0
	offEFlags          = 48 // offset of e_flags in the file header
	regionSize         = uint64(1) << 32
	stackStart         = regionSize * 2
	sectionNameMax     = 16  // the reference's SECTION_NAME_LENGTH_MAXIMUM
	symbolNameMax      = 64  // SYMBOL_NAME_LENGTH_MAXIMUM: dynamic symbols resolved by relocation
	debugSymbolNameMax = 255 // DEBUG_SYMBOL_NAME_LENGTH_MAXIMUM: labels
)

const elfMagic = "\x7fELF"

// span is a half-open byte range of the file.
type span struct{ start, end uint64 }

func (s span) len() uint64 {
	if s.end < s.start {
		return 0
	}
	return s.end - s.start
}

// overlaps reports whether a and b overlap as the reference judges it: an
// empty range strictly inside another counts as overlapping.
func overlaps(a, b span) bool { return !(a.end <= b.start || b.end <= a.start) }

// add returns a+b and whether it overflowed.
func add(a, b uint64) (uint64, bool) {
	s, c := bits.Add64(a, b, 0)
	return s, c != 0
}

// satAdd is a saturating addition.
func satAdd(a, b uint64) uint64 {
	s, c := bits.Add64(a, b, 0)
	if c != 0 {
		return ^uint64(0)
	}
	return s
}

// satSub is a saturating subtraction.
func satSub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

// get returns data[s.start:s.end], or false where Rust's slice::get would
// return None.
func get(data []byte, s span) ([]byte, bool) {
	if s.start > s.end || s.end > uint64(len(data)) {
		return nil, false
	}
	return data[s.start:s.end], true
}

type fileHeader struct {
	ident     [16]byte
	typ       uint16
	machine   uint16
	version   uint32
	entry     uint64
	phoff     uint64
	shoff     uint64
	flags     uint32
	ehsize    uint16
	phentsize uint16
	phnum     uint16
	shentsize uint16
	shnum     uint16
	shstrndx  uint16
}

func decodeFileHeader(b []byte) fileHeader {
	var h fileHeader
	copy(h.ident[:], b[:16])
	le := binary.LittleEndian
	h.typ = le.Uint16(b[16:])
	h.machine = le.Uint16(b[18:])
	h.version = le.Uint32(b[20:])
	h.entry = le.Uint64(b[24:])
	h.phoff = le.Uint64(b[32:])
	h.shoff = le.Uint64(b[40:])
	h.flags = le.Uint32(b[48:])
	h.ehsize = le.Uint16(b[52:])
	h.phentsize = le.Uint16(b[54:])
	h.phnum = le.Uint16(b[56:])
	h.shentsize = le.Uint16(b[58:])
	h.shnum = le.Uint16(b[60:])
	h.shstrndx = le.Uint16(b[62:])
	return h
}

func (h *fileHeader) class() byte      { return h.ident[4] }
func (h *fileHeader) dataEnc() byte    { return h.ident[5] }
func (h *fileHeader) identVer() byte   { return h.ident[6] }
func (h *fileHeader) osabi() byte      { return h.ident[7] }
func (h *fileHeader) abiVersion() byte { return h.ident[8] }
func (h *fileHeader) magicOK() bool    { return string(h.ident[:4]) == elfMagic }
func (h *fileHeader) padZero() bool {
	for _, c := range h.ident[9:16] {
		if c != 0 {
			return false
		}
	}
	return true
}

type progHeader struct {
	typ    uint32
	flags  uint32
	offset uint64
	vaddr  uint64
	paddr  uint64
	filesz uint64
	memsz  uint64
	align  uint64
}

func decodeProgHeader(b []byte) progHeader {
	le := binary.LittleEndian
	return progHeader{
		typ: le.Uint32(b[0:]), flags: le.Uint32(b[4:]), offset: le.Uint64(b[8:]),
		vaddr: le.Uint64(b[16:]), paddr: le.Uint64(b[24:]), filesz: le.Uint64(b[32:]),
		memsz: le.Uint64(b[40:]), align: le.Uint64(b[48:]),
	}
}

// fileRange is the reference's Elf64Phdr::file_range with its
// unwrap_or_default: empty unless the header is PT_LOAD.
func (p *progHeader) fileRange() span {
	if p.typ != ptLoad {
		return span{}
	}
	return span{p.offset, satAdd(p.offset, p.filesz)}
}

// vmContains reports whether addr lies in [p_vaddr, p_vaddr+p_memsz).
func (p *progHeader) vmContains(addr uint64) bool {
	return addr >= p.vaddr && addr < satAdd(p.vaddr, p.memsz)
}

type sectionHeader struct {
	name      uint32
	typ       uint32
	flags     uint64
	addr      uint64
	offset    uint64
	size      uint64
	link      uint32
	info      uint32
	addralign uint64
	entsize   uint64
}

func decodeSectionHeader(b []byte) sectionHeader {
	le := binary.LittleEndian
	return sectionHeader{
		name: le.Uint32(b[0:]), typ: le.Uint32(b[4:]), flags: le.Uint64(b[8:]),
		addr: le.Uint64(b[16:]), offset: le.Uint64(b[24:]), size: le.Uint64(b[32:]),
		link: le.Uint32(b[40:]), info: le.Uint32(b[44:]), addralign: le.Uint64(b[48:]),
		entsize: le.Uint64(b[56:]),
	}
}

func (s *sectionHeader) writable() bool { return s.flags&(shfAlloc|shfWrite) == shfAlloc|shfWrite }

// fileRange is the reference's Elf64Shdr::file_range with its
// unwrap_or_default: empty for SHT_NOBITS.
func (s *sectionHeader) fileRange() span {
	if s.typ == shtNobits {
		return span{}
	}
	return span{s.offset, satAdd(s.offset, s.size)}
}

// vmContains reports whether addr lies in [sh_addr, sh_addr+sh_size).
func (s *sectionHeader) vmContains(addr uint64) bool {
	return addr >= s.addr && addr < satAdd(s.addr, s.size)
}

type symbol struct {
	name  uint32
	info  uint8
	other uint8
	shndx uint16
	value uint64
	size  uint64
}

func decodeSymbol(b []byte) symbol {
	le := binary.LittleEndian
	return symbol{name: le.Uint32(b[0:]), info: b[4], other: b[5], shndx: le.Uint16(b[6:]),
		value: le.Uint64(b[8:]), size: le.Uint64(b[16:])}
}

func (s *symbol) isFunction() bool { return s.info&0xf == sttFunc }

// table is an in-place array of fixed-size entries in the file, read one
// entry at a time so crafted counts cost nothing until used.
type table struct {
	off   uint64
	count uint64
	size  uint64
	ok    bool // the table exists
}

func (t table) entry(data []byte, i uint64) []byte {
	o := t.off + i*t.size
	return data[o : o+t.size]
}

// tableAt checks that s holds whole entries of entSize bytes, lies in the
// file and is aligned, in the reference's order of checks.
func tableAt(data []byte, s span, entSize uint64) (table, ParseKind) {
	if s.len()%entSize != 0 {
		return table{}, InvalidSize
	}
	if _, ok := get(data, s); !ok {
		return table{}, OutOfBounds
	}
	if s.start%tableAlign != 0 {
		return table{}, InvalidAlignment
	}
	return table{off: s.start, count: s.len() / entSize, size: entSize, ok: true}, ParseNone
}

// stringAt reads the NUL-terminated string at off in the string table sh,
// looking at most max bytes ahead, as the reference's
// get_string_in_section does.
func stringAt(data []byte, sh *sectionHeader, off uint32, max uint64) ([]byte, *Error) {
	if sh.typ != shtStrtab {
		return nil, parseError(InvalidSectionHeader, sh.offset, true, "string table at file offset %#x has type %d, not SHT_STRTAB", sh.offset, sh.typ)
	}
	start, o1 := add(sh.offset, uint64(off))
	secEnd, o2 := add(sh.offset, sh.size)
	limit, o3 := add(start, max)
	if o1 || o2 || o3 {
		return nil, parseError(OutOfBounds, sh.offset, true, "string %d of the table at file offset %#x overflows", off, sh.offset)
	}
	b, ok := get(data, span{start, min(secEnd, limit)})
	if !ok {
		return nil, parseError(OutOfBounds, start, true, "string at file offset %#x lies outside its table or the file", start)
	}
	n := bytes.IndexByte(b, 0)
	if n < 0 {
		e := parseError(StringTooLong, start, true, "no NUL within %d bytes at file offset %#x", max, start)
		e.Name = string(b)
		e.Value = max
		return nil, e
	}
	return b[:n], nil
}

// parsedELF is the result of the reference's lenient structural parser
// (Elf64::parse): headers checked, named sections found, the dynamic table
// read.
type parsedELF struct {
	data     []byte
	hdr      fileHeader
	phdrs    []progHeader
	shdrs    []sectionHeader
	shstrtab int // index of the section name table, -1 if none
	symtab   int // .symtab, -1 if none
	strtab   int // .strtab
	dynstr   int // .dynstr
	dyn      [dtNum]uint64
	rels     table
	dynsyms  table
	names    []string // section names; valid where nameOK
	nameOK   []bool
	pht, sht span
	hdrRange span
}

// parseLenient runs the reference's Elf64::parse on data.
func parseLenient(data []byte) (*parsedELF, *Error) {
	if len(data) < ehdrSize {
		return nil, parseError(OutOfBounds, 0, true, "file of %d bytes is shorter than the %d-byte file header", len(data), ehdrSize)
	}
	e := &parsedELF{data: data, hdr: decodeFileHeader(data), shstrtab: -1, symtab: -1, strtab: -1, dynstr: -1}
	h := &e.hdr
	e.hdrRange = span{0, ehdrSize}
	switch {
	case !h.magicOK():
		return nil, parseError(InvalidFileHeader, 0, true, "bad magic % x", h.ident[:4])
	case h.class() != elfClass64:
		return nil, parseError(InvalidFileHeader, 4, true, "EI_CLASS is %d, not ELFCLASS64", h.class())
	case h.dataEnc() != elfData2LSB:
		return nil, parseError(InvalidFileHeader, 5, true, "EI_DATA is %d, not little-endian", h.dataEnc())
	case h.identVer() != evCurrent:
		return nil, parseError(InvalidFileHeader, 6, true, "EI_VERSION is %d", h.identVer())
	case h.version != evCurrent:
		return nil, parseError(InvalidFileHeader, 20, true, "e_version is %d", h.version)
	case h.ehsize != ehdrSize:
		return nil, parseError(InvalidFileHeader, 52, true, "e_ehsize is %d, not %d", h.ehsize, ehdrSize)
	case h.phentsize != phdrSize:
		return nil, parseError(InvalidFileHeader, 54, true, "e_phentsize is %d, not %d", h.phentsize, phdrSize)
	case h.shentsize != shdrSize:
		return nil, parseError(InvalidFileHeader, 58, true, "e_shentsize is %d, not %d", h.shentsize, shdrSize)
	case h.shstrndx >= h.shnum:
		return nil, parseError(InvalidFileHeader, 62, true, "e_shstrndx %d is not below e_shnum %d", h.shstrndx, h.shnum)
	}

	pht, perr := parseProgramHeaderTable(data, e.hdrRange, h)
	if perr != nil {
		return nil, perr
	}
	e.pht = pht
	for i := uint64(0); i < uint64(h.phnum); i++ {
		o := pht.start + i*phdrSize
		e.phdrs = append(e.phdrs, decodeProgHeader(data[o:o+phdrSize]))
	}
	sht, serr := parseSectionHeaderTable(data, e.hdrRange, h, pht)
	if serr != nil {
		return nil, serr
	}
	e.sht = sht
	e.shdrs = make([]sectionHeader, h.shnum)
	for i := range e.shdrs {
		o := sht.start + uint64(i)*shdrSize
		e.shdrs[i] = decodeSectionHeader(data[o : o+shdrSize])
	}
	if len(e.shdrs) == 0 || e.shdrs[0].typ != shtNull {
		return nil, parseError(InvalidSectionHeader, sht.start, true, "section header 0 is not SHT_NULL")
	}

	var vaddr uint64
	for i := range e.phdrs {
		p := &e.phdrs[i]
		if p.typ != ptLoad {
			continue
		}
		if p.vaddr < vaddr {
			return nil, parseError(InvalidProgramHeaderParse, pht.start+uint64(i)*phdrSize, true,
				"PT_LOAD program header %d has p_vaddr %#x below the previous %#x", i, p.vaddr, vaddr)
		}
		end, of := add(p.offset, p.filesz)
		if of || end > uint64(len(data)) {
			return nil, parseError(OutOfBounds, pht.start+uint64(i)*phdrSize, true,
				"program header %d: file range %#x+%#x exceeds the file (%#x bytes)", i, p.offset, p.filesz, len(data))
		}
		vaddr = p.vaddr
	}

	var offset uint64
	for i := range e.shdrs {
		s := &e.shdrs[i]
		if s.typ == shtNobits {
			continue
		}
		end, of := add(s.offset, s.size)
		if of {
			return nil, parseError(OutOfBounds, s.offset, true, "section %d: sh_offset %#x + sh_size %#x overflows", i, s.offset, s.size)
		}
		r := span{s.offset, end}
		if overlaps(r, e.hdrRange) || overlaps(r, pht) || overlaps(r, sht) {
			return nil, parseError(Overlap, s.offset, true, "section %d [%#x, %#x) overlaps the file header or a header table", i, r.start, r.end)
		}
		if r.start < offset {
			return nil, parseError(SectionNotInOrder, s.offset, true, "section %d starts at %#x, before the end %#x of the previous one", i, r.start, offset)
		}
		offset = r.end
		if offset > uint64(len(data)) {
			return nil, parseError(OutOfBounds, s.offset, true, "section %d [%#x, %#x) exceeds the file (%#x bytes)", i, r.start, r.end, len(data))
		}
	}

	if h.shstrndx != shnUndef {
		e.shstrtab = int(h.shstrndx)
	}
	if err := e.findSections(); err != nil {
		return nil, err
	}
	if err := e.parseDynamic(); err != nil {
		return nil, err
	}
	return e, nil
}

func parseProgramHeaderTable(data []byte, hdrRange span, h *fileHeader) (span, *Error) {
	end, of := add(h.phoff, uint64(h.phnum)*phdrSize)
	if of {
		return span{}, parseError(OutOfBounds, 32, true, "program header table at %#x overflows", h.phoff)
	}
	r := span{h.phoff, end}
	if overlaps(hdrRange, r) {
		return span{}, parseError(Overlap, h.phoff, true, "program header table [%#x, %#x) overlaps the file header", r.start, r.end)
	}
	if _, p := tableAt(data, r, phdrSize); p != ParseNone {
		return span{}, parseError(p, h.phoff, true, "program header table [%#x, %#x) in a file of %#x bytes", r.start, r.end, len(data))
	}
	return r, nil
}

func parseSectionHeaderTable(data []byte, hdrRange span, h *fileHeader, pht span) (span, *Error) {
	end, of := add(h.shoff, uint64(h.shnum)*shdrSize)
	if of {
		return span{}, parseError(OutOfBounds, 40, true, "section header table at %#x overflows", h.shoff)
	}
	r := span{h.shoff, end}
	if overlaps(hdrRange, r) || overlaps(pht, r) {
		return span{}, parseError(Overlap, h.shoff, true, "section header table [%#x, %#x) overlaps the file header or the program header table", r.start, r.end)
	}
	if _, p := tableAt(data, r, shdrSize); p != ParseNone {
		return span{}, parseError(p, h.shoff, true, "section header table [%#x, %#x) in a file of %#x bytes", r.start, r.end, len(data))
	}
	return r, nil
}

// findSections reads every section name and notes .symtab, .strtab and
// .dynstr (the reference's parse_sections).
func (e *parsedELF) findSections() *Error {
	if e.shstrtab < 0 {
		return parseError(NoSectionNameStringTable, 62, true, "e_shstrndx is SHN_UNDEF")
	}
	names := &e.shdrs[e.shstrtab]
	e.names = make([]string, len(e.shdrs))
	e.nameOK = make([]bool, len(e.shdrs))
	for i := range e.shdrs {
		n, err := stringAt(e.data, names, e.shdrs[i].name, sectionNameMax)
		if err != nil {
			err.Detail = "name of section " + strconv.Itoa(i) + ": " + err.Detail
			return err
		}
		e.names[i], e.nameOK[i] = string(n), true
		var slot *int
		switch e.names[i] {
		case ".symtab":
			slot = &e.symtab
		case ".strtab":
			slot = &e.strtab
		case ".dynstr":
			slot = &e.dynstr
		default:
			continue
		}
		if *slot >= 0 {
			return parseError(InvalidSectionHeader, e.sht.start+uint64(i)*shdrSize, true, "second %s section (%d)", e.names[i], i)
		}
		*slot = i
	}
	return nil
}

// parseDynamic reads the dynamic table, the relocation table and the
// dynamic symbol table (the reference's parse_dynamic).
func (e *parsedELF) parseDynamic() *Error {
	var dyn table
	for i := range e.phdrs {
		p := &e.phdrs[i]
		if p.typ != ptDynamic {
			continue
		}
		// An unusable PT_DYNAMIC falls back to the section, as in the
		// reference (some old toolchains wrote broken ones).
		if end, of := add(p.offset, p.filesz); !of {
			if t, pk := tableAt(e.data, span{p.offset, end}, dynSize); pk == ParseNone {
				dyn = t
			}
		}
		break
	}
	if !dyn.ok {
		for i := range e.shdrs {
			s := &e.shdrs[i]
			if s.typ != shtDynamic {
				continue
			}
			end, of := add(s.offset, s.size)
			var pk ParseKind = OutOfBounds
			if !of {
				dyn, pk = tableAt(e.data, span{s.offset, end}, dynSize)
			}
			if pk != ParseNone {
				return parseError(InvalidDynamicSectionTable, s.offset, true, "SHT_DYNAMIC section %d [%#x+%#x]: %s", i, s.offset, s.size, pk)
			}
			break
		}
	}
	if !dyn.ok {
		return nil
	}
	for i := uint64(0); i < dyn.count; i++ {
		b := dyn.entry(e.data, i)
		tag := binary.LittleEndian.Uint64(b)
		if tag == dtNull {
			break
		}
		if tag >= dtNum {
			continue
		}
		e.dyn[tag] = binary.LittleEndian.Uint64(b[8:])
	}
	if err := e.parseRelocations(); err != nil {
		return err
	}
	return e.parseDynamicSymbols()
}

func (e *parsedELF) parseRelocations() *Error {
	vaddr := e.dyn[dtRel]
	if vaddr == 0 {
		return nil
	}
	if e.dyn[dtRelent] != relSize {
		return parseError(InvalidDynamicSectionTable, 0, false, "DT_RELENT is %d, not %d", e.dyn[dtRelent], relSize)
	}
	size := e.dyn[dtRelsz]
	if size == 0 {
		return parseError(InvalidDynamicSectionTable, 0, false, "DT_RELSZ is 0")
	}
	var offset uint64
	found := false
	for i := range e.phdrs {
		p := &e.phdrs[i]
		end, of := add(p.vaddr, p.memsz)
		if of {
			return parseError(OutOfBounds, e.pht.start+uint64(i)*phdrSize, true, "program header %d: p_vaddr %#x + p_memsz %#x overflows", i, p.vaddr, p.memsz)
		}
		if vaddr >= p.vaddr && vaddr < end {
			o, of := add(vaddr-p.vaddr, p.offset)
			if of {
				return parseError(OutOfBounds, e.pht.start+uint64(i)*phdrSize, true, "DT_REL %#x maps past the end of the address space", vaddr)
			}
			offset, found = o, true
			break
		}
	}
	if !found {
		// Old toolchains wrote a DT_REL outside every segment; the
		// reference then finds the section at that address.
		for i := range e.shdrs {
			if e.shdrs[i].addr == vaddr {
				offset, found = e.shdrs[i].offset, true
				break
			}
		}
		if !found {
			return parseError(InvalidDynamicSectionTable, 0, false, "no segment or section holds DT_REL %#x", vaddr)
		}
	}
	end, of := add(offset, size)
	if of {
		return parseError(OutOfBounds, offset, true, "relocation table at %#x of %#x bytes overflows", offset, size)
	}
	t, pk := tableAt(e.data, span{offset, end}, relSize)
	if pk != ParseNone {
		return parseError(InvalidDynamicSectionTable, offset, true, "relocation table [%#x, %#x): %s", offset, end, pk)
	}
	e.rels = t
	return nil
}

func (e *parsedELF) parseDynamicSymbols() *Error {
	vaddr := e.dyn[dtSymtab]
	if vaddr == 0 {
		return nil
	}
	idx := -1
	for i := range e.shdrs {
		if e.shdrs[i].addr == vaddr {
			idx = i
			break
		}
	}
	if idx < 0 {
		return parseError(InvalidDynamicSectionTable, 0, false, "no section at DT_SYMTAB %#x", vaddr)
	}
	t, err := e.symbolTable(idx)
	if err != nil {
		return err
	}
	e.dynsyms = t
	return nil
}

// symbolTable returns the entries of section i, which must be SHT_SYMTAB
// or SHT_DYNSYM.
func (e *parsedELF) symbolTable(i int) (table, *Error) {
	s := &e.shdrs[i]
	if s.typ != shtSymtab && s.typ != shtDynsym {
		return table{}, parseError(InvalidSectionHeader, s.offset, true, "symbol table section %d has type %d", i, s.typ)
	}
	end, of := add(s.offset, s.size)
	if of {
		return table{}, parseError(OutOfBounds, s.offset, true, "symbol table section %d overflows", i)
	}
	t, pk := tableAt(e.data, span{s.offset, end}, symSize)
	if pk != ParseNone {
		return table{}, parseError(pk, s.offset, true, "symbol table section %d [%#x, %#x)", i, s.offset, end)
	}
	return t, nil
}

// sectionName returns the name of section i as the reference's
// section_name does; parseLenient has already read them all.
func (e *parsedELF) sectionName(i int) (string, bool) { return e.names[i], e.nameOK[i] }

// findSection returns the index of the first section called name.
func (e *parsedELF) findSection(name string) int {
	for i := range e.shdrs {
		if n, ok := e.sectionName(i); ok && n == name {
			return i
		}
	}
	return -1
}
