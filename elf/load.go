package elf

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// DefaultMaxFileSize is the largest ELF file Load accepts unless
// Options.MaxFileSize says otherwise. The reference has no such limit, but
// Solana accounts hold at most 10 MiB, so no deployable program comes
// near it; it bounds the memory a hostile file can make the loader use
// (about three times the file size).
const DefaultMaxFileSize = 64 << 20

// Options configures Load. They mirror the reference's loader Config
// fields that affect loading. A nil *Options means DefaultOptions(); a
// non-nil one is used as it is, so start from DefaultOptions().
type Options struct {
	// MinVersion and MaxVersion bound the sBPF versions accepted (the
	// reference's enabled_sbpf_versions); others fail with
	// UnsupportedSBPFVersion.
	MinVersion sbpf.Version
	MaxVersion sbpf.Version

	// RejectBrokenELFs is the reference's reject_broken_elfs: relocations
	// naming an unregistered syscall fail with UnresolvedSymbol, and
	// sections whose address differs from their file offset fail with
	// ValueOutOfBounds. Agave sets it when a program is deployed and clears
	// it when a deployed program is loaded for execution (where such a call
	// fails at run time with UnsupportedInstruction instead).
	RejectBrokenELFs bool

	// OptimizeRodata is the reference's optimize_rodata: the read-only
	// region spans only the read-only sections, from the lowest to the
	// highest, instead of starting at the bytecode region's base.
	OptimizeRodata bool

	// SymbolLabels is the reference's enable_symbol_and_section_labels:
	// function names from the symbol tables are collected into
	// Image.Labels. For V0-V2 it also registers every function symbol of
	// .symtab (which can fail the load as the reference does); for V3+ it
	// fills Program.Functions from .symtab.
	SymbolLabels bool

	// MaxFileSize caps the input; 0 means DefaultMaxFileSize. Larger files
	// fail with ValueOutOfBounds.
	MaxFileSize int
}

// DefaultOptions returns the reference's default loader configuration:
// versions V0 to V4, rodata optimisation on, broken ELFs tolerated, no
// labels.
func DefaultOptions() Options {
	return Options{MinVersion: sbpf.V0, MaxVersion: sbpf.LatestVersion, OptimizeRodata: true}
}

// RuntimeOptions returns the configuration Agave's program runtime loads
// programs with: DefaultOptions without the rodata optimisation, so that
// a V0-V2 program's read-only region starts at the bytecode region's base
// (0x1_0000_0000), zero-filled below .text and in the gaps between
// read-only sections.
func RuntimeOptions() Options {
	o := DefaultOptions()
	o.OptimizeRodata = false
	return o
}

// Image is a loaded ELF: the program and what the loader learned about it
// on the way.
type Image struct {
	Program *vm.Program

	// Labels names function keys (the keys of Program.Functions). V0-V2
	// programs always name "entrypoint"; other names appear only with
	// Options.SymbolLabels.
	Labels map[uint32]string

	// TextOffset is the file offset of the first instruction, for tools
	// that map instruction indexes back to the file.
	TextOffset uint64

	// SyscallNames names the syscalls a V0-V2 file's relocations call, by
	// hash, whether or not the registry knows them.
	SyscallNames map[uint32]string

	addrPCs    []int // V0-V2: lddw instructions a relocation gave an address
	dataRelocs int   // V0-V2: relocations applied outside .text
}

// Load parses, checks and relocates an sBPF ELF shared object exactly as
// the reference's Executable::load does, and returns the program ready
// for a vm.Engine's Prepare. Syscalls referenced by V0-V2 relocations are
// resolved against syscalls (which may be nil). Every failure is an
// *Error.
func Load(data []byte, syscalls *vm.Registry, opts *Options) (*vm.Program, error) {
	img, err := LoadImage(data, syscalls, opts)
	if err != nil {
		return nil, err
	}
	return img.Program, nil
}

// LoadImage is Load that also returns labels and the text's file offset.
func LoadImage(data []byte, syscalls *vm.Registry, opts *Options) (*Image, error) {
	o := DefaultOptions()
	if opts != nil {
		o = *opts
	}
	maxSize := o.MaxFileSize
	if maxSize <= 0 {
		maxSize = DefaultMaxFileSize
	}
	if len(data) > maxSize {
		return nil, errf(ValueOutOfBounds, "file of %d bytes exceeds the %d-byte limit", len(data), maxSize)
	}
	v, err := fileVersion(data)
	if err != nil {
		return nil, err
	}
	if v < o.MinVersion || v > o.MaxVersion {
		return nil, errAt(UnsupportedSBPFVersion, offEFlags, "e_flags selects %s; enabled are %s to %s", v, o.MinVersion, o.MaxVersion)
	}
	var img *Image
	var lerr *Error
	if v.StrictELFHeaders() {
		img, lerr = loadStrict(data, &o)
	} else {
		img, lerr = loadLenient(data, syscalls, &o)
	}
	if lerr != nil {
		return nil, lerr
	}
	img.Program.Version = v
	return img, nil
}

// Version returns the sBPF version an ELF file declares in e_flags (0 to
// 4), as the reference's get_sbpf_version reads it. Other values are
// reserved and fail with UnsupportedSBPFVersion.
func Version(data []byte) (sbpf.Version, error) {
	v, err := fileVersion(data)
	if err != nil {
		return 0, err
	}
	return v, nil
}

func fileVersion(data []byte) (sbpf.Version, *Error) {
	if len(data) < offEFlags+4 {
		return 0, parseError(OutOfBounds, offEFlags, true, "file of %d bytes ends before e_flags", len(data))
	}
	f := binary.LittleEndian.Uint32(data[offEFlags:])
	if f > uint32(sbpf.LatestVersion) {
		return 0, errAt(UnsupportedSBPFVersion, offEFlags, "e_flags %#x names a reserved sBPF version", f)
	}
	return sbpf.Version(f), nil
}

// funcRegistry is the reference's FunctionRegistry<usize>: keys to
// instruction indexes, with optional names.
type funcRegistry struct {
	pcs   map[uint32]int
	names map[uint32]string
}

func newFuncRegistry() *funcRegistry {
	return &funcRegistry{pcs: map[uint32]int{}, names: map[uint32]string{}}
}

// register adds key → pc; a key already bound to another pc is a
// SymbolHashCollision, the same pc is fine and keeps the first name.
func (r *funcRegistry) register(key uint32, name string, pc uint64) *Error {
	if old, ok := r.pcs[key]; ok {
		if uint64(old) != pc {
			return &Error{Kind: SymbolHashCollision, Value: uint64(key),
				Detail: fmt.Sprintf("key %#x names instruction %d and %d", key, old, pc)}
		}
		return nil
	}
	r.pcs[key] = int(pc)
	if name != "" {
		r.names[key] = name
	}
	return nil
}

// entrypointHash is murmur3-32 of "entrypoint", the key the entry point
// is registered under in V0-V2 (checked by a test).
const entrypointHash uint32 = 0x71e3cf81

// registerLegacy is the reference's register_function_hashed_legacy with
// hashing on: the key is the hash of "entrypoint" for that name and the
// PC hash otherwise, and must not collide with a syscall. The name is kept
// only with labels on, or for "entrypoint".
func (r *funcRegistry) registerLegacy(sys *vm.Registry, labels bool, name string, pc uint64) (uint32, *Error) {
	key := entrypointHash
	if name != "entrypoint" {
		key = sbpf.PCHash(pc)
	}
	if sys.HasSyscall(key) {
		n, _ := sys.Name(key)
		return 0, &Error{Kind: SymbolHashCollision, Value: uint64(key),
			Detail: fmt.Sprintf("function at instruction %d has the key of syscall %q", pc, n)}
	}
	if !labels && name != "entrypoint" {
		name = ""
	}
	return key, r.register(key, name, pc)
}

// lenient holds the state of one V0-V2 load.
type lenient struct {
	e      *parsedELF
	out    []byte // the relocated copy of the file
	sys    *vm.Registry
	opts   *Options
	text   sectionHeader
	textRg span
	reg    *funcRegistry

	addrPCs      []int             // lddw instructions that a relocation gave an address
	dataRelocs   int               // relocations applied outside .text
	syscallNames map[uint32]string // names of the syscalls relocations call
}

// loadLenient is the reference's load_with_lenient_parser.
func loadLenient(data []byte, sys *vm.Registry, o *Options) (*Image, *Error) {
	e, err := parseLenient(data)
	if err != nil {
		return nil, err
	}
	l := &lenient{e: e, sys: sys, opts: o, reg: newFuncRegistry()}
	if err := l.validate(); err != nil {
		return nil, err
	}
	ti := e.findSection(".text")
	l.text = e.shdrs[ti]
	l.textRg = l.text.fileRange()
	textVAddr := satAdd(l.text.addr, regionSize)
	if o.RejectBrokenELFs && l.text.addr != l.text.offset {
		return nil, errAt(ValueOutOfBounds, l.text.offset, ".text address %#x differs from its file offset %#x", l.text.addr, l.text.offset)
	}
	if textVAddr >= stackStart {
		return nil, errAt(ValueOutOfBounds, l.text.offset, ".text address %#x lies beyond the bytecode region", l.text.addr)
	}

	l.out = bytes.Clone(data)
	if err := l.relocate(); err != nil {
		return nil, err
	}

	off := satSub(e.hdr.entry, l.text.addr)
	if off%sbpf.InsnSize != 0 {
		return nil, errAt(InvalidEntrypoint, 24, "e_entry %#x is %d bytes into .text, not at an instruction", e.hdr.entry, off)
	}
	entryPC := off / sbpf.InsnSize
	delete(l.reg.pcs, entrypointHash)
	delete(l.reg.names, entrypointHash)
	if _, err := l.reg.registerLegacy(sys, true, "entrypoint", entryPC); err != nil {
		return nil, err
	}

	ro, err := l.roSections()
	if err != nil {
		return nil, err
	}
	if o.OptimizeRodata && ro.vaddr>>32 != 1 {
		return nil, errf(ValueOutOfBounds, "read-only data would start at %#x, outside the bytecode region", ro.vaddr)
	}
	textOff := textVAddr - ro.vaddr
	textEnd, of := add(textOff, l.textRg.len())
	if textVAddr < ro.vaddr || of || textEnd > uint64(len(ro.data)) {
		return nil, errAt(ValueOutOfBounds, l.text.offset, ".text lies outside the read-only data")
	}
	prog := &vm.Program{
		Text:        ro.data[textOff:textEnd:textEnd],
		TextVAddr:   textVAddr,
		ROData:      ro.data,
		RODataVAddr: ro.vaddr,
		Entry:       int(entryPC),
		Functions:   l.reg.pcs,
	}
	return &Image{Program: prog, Labels: l.reg.names, TextOffset: l.textRg.start, SyscallNames: l.syscallNames, addrPCs: l.addrPCs, dataRelocs: l.dataRelocs}, nil
}

// validate is the reference's Executable::validate.
func (l *lenient) validate() *Error {
	e := l.e
	h := &e.hdr
	switch {
	case h.class() != elfClass64:
		return errAt(WrongClass, 4, "EI_CLASS is %d", h.class())
	case h.dataEnc() != elfData2LSB:
		return errAt(WrongEndianess, 5, "EI_DATA is %d", h.dataEnc())
	case h.osabi() != elfOSABINone:
		return errAt(WrongAbi, 7, "EI_OSABI is %d", h.osabi())
	case h.machine != emBPF && h.machine != emSBPF:
		return errAt(WrongMachine, 18, "e_machine is %d", h.machine)
	case h.typ != etDyn:
		return errAt(WrongType, 16, "e_type is %d, not ET_DYN", h.typ)
	}
	texts := 0
	for i := range e.shdrs {
		if n, ok := e.sectionName(i); ok && n == ".text" {
			texts++
		}
	}
	if texts != 1 {
		return errf(NotOneTextSection, "%d sections are named .text", texts)
	}
	for i := range e.shdrs {
		n, ok := e.sectionName(i)
		if !ok {
			continue
		}
		if strings.HasPrefix(n, ".bss") ||
			(e.shdrs[i].writable() && strings.HasPrefix(n, ".data") && !strings.HasPrefix(n, ".data.rel")) {
			return &Error{Kind: WritableSectionNotSupported, Name: n, Offset: e.shdrs[i].offset, HasOffset: true,
				Detail: fmt.Sprintf("section %d", i)}
		}
	}
	for i := range e.shdrs {
		s := &e.shdrs[i]
		end, of := add(s.offset, s.size)
		if of || end > uint64(len(e.data)) {
			return errAt(ValueOutOfBounds, s.offset, "section %d [%#x+%#x] exceeds the file (%#x bytes)", i, s.offset, s.size, len(e.data))
		}
	}
	text := &e.shdrs[e.findSection(".text")]
	if !text.vmContains(h.entry) {
		return errAt(EntrypointOutOfBounds, 24, "e_entry %#x is outside .text [%#x, %#x)", h.entry, text.addr, satAdd(text.addr, text.size))
	}
	return nil
}

func read32(b []byte, off uint64) (uint32, bool) {
	s, ok := get(b, span{off, satAdd(off, 4)})
	if !ok {
		return 0, false
	}
	return binary.LittleEndian.Uint32(s), true
}

func write32(b []byte, off uint64, v uint32) bool {
	s, ok := get(b, span{off, satAdd(off, 4)})
	if ok {
		binary.LittleEndian.PutUint32(s, v)
	}
	return ok
}

// relocate is the reference's Executable::relocate: pc-relative calls
// become function keys, then each dynamic relocation is applied to the
// copy of the file.
func (l *lenient) relocate() *Error {
	e, out := l.e, l.out
	labels := l.opts.SymbolLabels
	text, ok := get(out, l.textRg)
	if !ok {
		return errAt(ValueOutOfBounds, l.text.offset, ".text [%#x, %#x) exceeds the file", l.textRg.start, l.textRg.end)
	}
	n := int64(len(text) / sbpf.InsnSize)
	for i := int64(0); i < n; i++ {
		slot := text[i*sbpf.InsnSize:]
		if slot[0] != byte(sbpf.Call) {
			continue
		}
		imm := int32(binary.LittleEndian.Uint32(slot[4:]))
		if imm == -1 {
			continue
		}
		target := i + 1 + int64(imm)
		if target < 0 || target >= n {
			return &Error{Kind: RelativeJumpOutOfBounds, Value: uint64(i), Offset: l.textRg.start + uint64(i)*sbpf.InsnSize, HasOffset: true,
				Detail: fmt.Sprintf("call to instruction %d of %d", target, n)}
		}
		name := ""
		if labels {
			name = fmt.Sprintf("function_%d", target)
		}
		key, err := l.reg.registerLegacy(l.sys, labels, name, uint64(target))
		if err != nil {
			return err
		}
		binary.LittleEndian.PutUint32(slot[4:], key)
	}

	for i := uint64(0); i < e.rels.count; i++ {
		ent := e.rels.entry(e.data, i)
		rOff := binary.LittleEndian.Uint64(ent)
		info := binary.LittleEndian.Uint64(ent[8:])
		if err := l.applyRelocation(rOff, uint32(info), uint32(info>>32)); err != nil {
			if !err.HasOffset {
				err.Offset, err.HasOffset = rOff, true
			}
			if err.Detail == "" {
				err.Detail = fmt.Sprintf("relocation %d at file offset %#x", i, rOff)
			} else {
				err.Detail = fmt.Sprintf("relocation %d at file offset %#x: %s", i, rOff, err.Detail)
			}
			return err
		}
		l.noteRelocation(rOff, uint32(info))
	}

	if labels && e.symtab >= 0 {
		t, err := e.symbolTable(e.symtab)
		if err != nil {
			return nil // the reference ignores an unreadable .symtab here
		}
		for i := uint64(0); i < t.count; i++ {
			sym := decodeSymbol(t.entry(e.data, i))
			if sym.info&0xef != sttFunc {
				continue
			}
			if !l.text.vmContains(sym.value) {
				return errf(ValueOutOfBounds, ".symtab function %d at %#x lies outside .text", i, sym.value)
			}
			target := (sym.value - l.text.addr) / sbpf.InsnSize
			if e.strtab < 0 {
				continue
			}
			name, nerr := stringAt(e.data, &e.shdrs[e.strtab], sym.name, debugSymbolNameMax)
			if nerr != nil {
				continue // a label we cannot read only costs that label
			}
			if _, err := l.reg.registerLegacy(l.sys, true, string(name), target); err != nil {
				return err
			}
		}
	}
	return nil
}

// noteRelocation records where an applied relocation wrote an address:
// into an lddw (which Image.Object describes as an AddrRef) or into data
// (which it cannot describe).
func (l *lenient) noteRelocation(rOff uint64, typ uint32) {
	inText := l.textRg.start <= rOff && rOff < l.textRg.end
	switch {
	case typ == rBPF64_32 && inText:
	case (typ == rBPF64_64 || typ == rBPF64Rel) && inText && (rOff-l.textRg.start)%sbpf.InsnSize == 0:
		l.addrPCs = append(l.addrPCs, int((rOff-l.textRg.start)/sbpf.InsnSize))
	default:
		l.dataRelocs++
	}
}

// dynamicSymbol returns dynamic symbol idx.
func (l *lenient) dynamicSymbol(idx uint32) (symbol, *Error) {
	t := l.e.dynsyms
	if !t.ok || uint64(idx) >= t.count {
		return symbol{}, &Error{Kind: UnknownSymbol, Value: uint64(idx)}
	}
	return decodeSymbol(t.entry(l.e.data, uint64(idx))), nil
}

func (l *lenient) applyRelocation(rOff uint64, typ, symIdx uint32) *Error {
	out := l.out
	immOff := satAdd(rOff, 4)
	oob := func(what string) *Error { return errf(ValueOutOfBounds, "%s lies outside the file", what) }
	switch typ {
	case rBPF64_64:
		lo, ok := read32(out, immOff)
		if !ok {
			return oob("the immediate")
		}
		sym, err := l.dynamicSymbol(symIdx)
		if err != nil {
			return err
		}
		addr := satAdd(sym.value, uint64(lo))
		if addr < regionSize {
			addr = satAdd(regionSize, addr)
		}
		if !write32(out, immOff, uint32(addr)) {
			return oob("the low immediate")
		}
		if !write32(out, satAdd(immOff, sbpf.InsnSize), uint32(addr>>32)) {
			return oob("the high immediate")
		}
	case rBPF64Rel:
		if l.textRg.start <= rOff && rOff < l.textRg.end {
			// an lddw: the address is split over the two slots' immediates
			hiOff := satAdd(satAdd(rOff, sbpf.InsnSize), 4)
			lo, ok1 := read32(out, immOff)
			if !ok1 {
				return oob("the low immediate")
			}
			hi, ok2 := read32(out, hiOff)
			if !ok2 {
				return oob("the high immediate")
			}
			addr := uint64(hi)<<32 | uint64(lo)
			if addr == 0 {
				return &Error{Kind: InvalidVirtualAddress, Value: 0}
			}
			if addr < regionSize {
				addr = satAdd(regionSize, addr)
			}
			if !write32(out, immOff, uint32(addr)) {
				return oob("the low immediate")
			}
			if !write32(out, hiOff, uint32(addr>>32)) {
				return oob("the high immediate")
			}
		} else {
			// Data outside .text: old toolchains stored only the low 32
			// bits of the address here, which the reference keeps
			// supporting.
			lo, ok := read32(out, immOff)
			if !ok {
				return oob("the addend")
			}
			s, ok := get(out, span{rOff, satAdd(rOff, 8)})
			if !ok {
				return oob("the relocated word")
			}
			binary.LittleEndian.PutUint64(s, regionSize+uint64(lo))
		}
	case rBPF64_32:
		sym, err := l.dynamicSymbol(symIdx)
		if err != nil {
			return err
		}
		e := l.e
		if e.dynstr < 0 {
			return &Error{Kind: UnknownSymbol, Value: uint64(sym.name), Detail: "no .dynstr"}
		}
		name, nerr := stringAt(e.data, &e.shdrs[e.dynstr], sym.name, symbolNameMax)
		if nerr != nil {
			// The reference reports the name's string table offset here.
			return &Error{Kind: UnknownSymbol, Value: uint64(sym.name),
				Detail: fmt.Sprintf("name of dynamic symbol %d: %s", symIdx, strings.TrimPrefix(nerr.Error(), "elf: "))}
		}
		var key uint32
		if sym.isFunction() && sym.value != 0 {
			if !l.text.vmContains(sym.value) {
				return errf(ValueOutOfBounds, "function %q at %#x lies outside .text", lossy(string(name)), sym.value)
			}
			target := (sym.value - l.text.addr) / sbpf.InsnSize
			key, err = l.reg.registerLegacy(l.sys, l.opts.SymbolLabels, string(name), target)
			if err != nil {
				return err
			}
		} else {
			key = sbpf.HashSymbol(name)
			if l.syscallNames == nil {
				l.syscallNames = map[uint32]string{}
			}
			l.syscallNames[key] = string(name)
			if l.opts.RejectBrokenELFs && !l.sys.HasSyscall(key) {
				return &Error{Kind: UnresolvedSymbol, Name: string(name), Value: rOff / sbpf.InsnSize, Offset: rOff, HasOffset: true,
					Detail: fmt.Sprintf("no syscall is registered under %#x", key)}
			}
		}
		if !write32(out, immOff, key) {
			return oob("the immediate")
		}
	default:
		return &Error{Kind: UnknownRelocation, Value: uint64(typ)}
	}
	return nil
}

// roSection is the read-only region: its guest address and bytes.
type roSection struct {
	vaddr uint64
	data  []byte
}

func isROSectionName(n string) bool {
	return n == ".text" || n == ".rodata" || n == ".data.rel.ro" || n == ".eh_frame"
}

// namedSection is a section header with its name, as parseROSections
// sees it (ok is false where the name could not be read).
type namedSection struct {
	name string
	ok   bool
	hdr  sectionHeader
}

func (l *lenient) roSections() (roSection, *Error) {
	secs := make([]namedSection, len(l.e.shdrs))
	for i := range secs {
		secs[i].name, secs[i].ok = l.e.sectionName(i)
		secs[i].hdr = l.e.shdrs[i]
	}
	return parseROSections(l.opts, secs, l.out)
}

// parseROSections is the reference's parse_ro_sections: the read-only
// sections (.text included) become one region, borrowed from the file
// when they are contiguous and at their file offsets, else copied into a
// zero-filled buffer at their addresses.
func parseROSections(o *Options, secs []namedSection, out []byte) (roSection, *Error) {
	lowest, highest, fill := ^uint64(0), uint64(0), uint64(0)
	invalidOffsets := false
	first, last, count := 0, 0, 0
	type piece struct {
		addr uint64
		data []byte
	}
	var pieces []piece
	for i := range secs {
		n := secs[i].name
		if !secs[i].ok || !isROSectionName(n) {
			continue
		}
		if count == 0 {
			first = i
		}
		last = i
		count++
		s := &secs[i].hdr
		if !invalidOffsets && s.addr != s.offset {
			invalidOffsets = true
		}
		if o.RejectBrokenELFs && invalidOffsets {
			return roSection{}, errAt(ValueOutOfBounds, s.offset, "section %d %s: address %#x differs from its file offset %#x", i, n, s.addr, s.offset)
		}
		if satAdd(s.addr, regionSize) > stackStart {
			return roSection{}, errAt(ValueOutOfBounds, s.offset, "section %d %s at %#x lies beyond the bytecode region", i, n, s.addr)
		}
		d, ok := get(out, s.fileRange())
		if !ok {
			return roSection{}, errAt(ValueOutOfBounds, s.offset, "section %d %s exceeds the file", i, n)
		}
		lowest = min(lowest, s.addr)
		highest = max(highest, satAdd(s.addr, uint64(len(d))))
		fill = satAdd(fill, uint64(len(d)))
		if len(d) > 0 {
			pieces = append(pieces, piece{s.addr, d})
		}
	}
	if o.RejectBrokenELFs && satAdd(lowest, fill) > highest {
		return roSection{}, errf(ValueOutOfBounds, "read-only sections overlap")
	}
	base := func(a uint64) uint64 {
		if a >= regionSize {
			return a
		}
		return a + regionSize
	}
	canBorrow := !invalidOffsets && last+1-first == count
	if o.OptimizeRodata && canBorrow {
		d, ok := get(out, span{lowest, highest})
		if !ok {
			return roSection{}, errf(ValueOutOfBounds, "read-only data [%#x, %#x) exceeds the file", lowest, highest)
		}
		return roSection{vaddr: base(lowest), data: bytes.Clone(d)}, nil
	}
	if o.OptimizeRodata {
		highest = satSub(highest, lowest)
	} else {
		lowest = 0
	}
	bufLen := highest
	if bufLen > uint64(len(out)) {
		return roSection{}, errf(ValueOutOfBounds, "read-only data of %#x bytes is larger than the file", bufLen)
	}
	buf := make([]byte, bufLen)
	for _, p := range pieces {
		// Later sections overwrite earlier ones where they overlap, as in
		// the reference's build_owned_ro_section.
		copy(buf[satSub(p.addr, lowest):], p.data)
	}
	return roSection{vaddr: base(lowest), data: buf}, nil
}

// loadStrict is the reference's load_with_strict_parser (V3+): the file
// header and the first two program headers are checked strictly, rodata is
// mapped at 0 and the text at the bytecode region, nothing is relocated.
func loadStrict(data []byte, o *Options) (*Image, *Error) {
	if len(data) < ehdrSize {
		return nil, parseError(OutOfBounds, 0, true, "file of %d bytes is shorter than the %d-byte file header", len(data), ehdrSize)
	}
	h := decodeFileHeader(data)
	phtEnd := uint64(ehdrSize) + uint64(h.phnum)*phdrSize
	bad := func(off uint64, what string, args ...any) *Error {
		return parseError(InvalidFileHeader, off, true, what, args...)
	}
	switch {
	case !h.magicOK():
		return nil, bad(0, "bad magic")
	case h.class() != elfClass64:
		return nil, bad(4, "EI_CLASS is %d", h.class())
	case h.dataEnc() != elfData2LSB:
		return nil, bad(5, "EI_DATA is %d", h.dataEnc())
	case h.identVer() != evCurrent:
		return nil, bad(6, "EI_VERSION is %d", h.identVer())
	case h.osabi() != elfOSABINone:
		return nil, bad(7, "EI_OSABI is %d", h.osabi())
	case h.abiVersion() != 0:
		return nil, bad(8, "EI_ABIVERSION is %d", h.abiVersion())
	case !h.padZero():
		return nil, bad(9, "EI_PAD is not zero")
	case h.machine != emBPF:
		return nil, bad(18, "e_machine is %d, not EM_BPF", h.machine)
	case h.version != evCurrent:
		return nil, bad(20, "e_version is %d", h.version)
	case h.phoff != ehdrSize:
		return nil, bad(32, "e_phoff is %#x, not %#x", h.phoff, ehdrSize)
	case h.ehsize != ehdrSize:
		return nil, bad(52, "e_ehsize is %d", h.ehsize)
	case h.phentsize != phdrSize:
		return nil, bad(54, "e_phentsize is %d", h.phentsize)
	case h.phnum == 0:
		return nil, bad(56, "no program headers")
	case phtEnd > uint64(len(data)):
		return nil, bad(56, "%d program headers end at %#x, past the file (%#x bytes)", h.phnum, phtEnd, len(data))
	}
	ph := func(i int) progHeader {
		o := ehdrSize + i*phdrSize
		return decodeProgHeader(data[o : o+phdrSize])
	}
	type want struct {
		flags uint32
		vaddr uint64
	}
	expected := []want{{pfR, sbpf.RodataStart}, {pfX, sbpf.BytecodeStart}}
	skipRodata := ph(0).flags != pfR
	if skipRodata {
		expected = expected[1:]
	} else if h.phnum < 2 {
		return nil, bad(56, "a read-only program header needs a bytecode one after it")
	}
	expOff := phtEnd
	n := min(len(expected), int(h.phnum))
	hdrs := make([]progHeader, n)
	for i := 0; i < n; i++ {
		p := ph(i)
		hdrs[i] = p
		w := expected[i]
		var why string
		switch {
		case p.typ != ptLoad:
			why = fmt.Sprintf("p_type is %d, not PT_LOAD", p.typ)
		case p.flags != w.flags:
			why = fmt.Sprintf("p_flags is %#x, want %#x", p.flags, w.flags)
		case p.offset != expOff:
			why = fmt.Sprintf("p_offset is %#x, want %#x", p.offset, expOff)
		case p.offset >= uint64(len(data)):
			why = fmt.Sprintf("p_offset %#x is not inside the file", p.offset)
		case p.offset%sbpf.InsnSize != 0:
			why = fmt.Sprintf("p_offset %#x is not 8-byte aligned", p.offset)
		case p.vaddr != w.vaddr:
			why = fmt.Sprintf("p_vaddr is %#x, want %#x", p.vaddr, w.vaddr)
		case p.paddr != w.vaddr:
			why = fmt.Sprintf("p_paddr is %#x, want %#x", p.paddr, w.vaddr)
		case p.filesz != p.memsz:
			why = fmt.Sprintf("p_filesz %#x differs from p_memsz %#x", p.filesz, p.memsz)
		case p.filesz > satSub(uint64(len(data)), p.offset):
			why = fmt.Sprintf("p_filesz %#x runs past the end of the file", p.filesz)
		case p.filesz%sbpf.InsnSize != 0:
			why = fmt.Sprintf("p_filesz %#x is not a multiple of 8", p.filesz)
		case p.memsz >= regionSize:
			why = fmt.Sprintf("p_memsz %#x fills a whole region", p.memsz)
		}
		if why != "" {
			return nil, parseError(InvalidProgramHeaderParse, uint64(ehdrSize+i*phdrSize), true, "program header %d: %s", i, why)
		}
		expOff = satAdd(expOff, p.filesz)
	}
	var roRg span
	var bc progHeader
	if skipRodata {
		roRg = span{phtEnd, phtEnd}
		bc = hdrs[0]
	} else {
		roRg = hdrs[0].fileRange()
		bc = hdrs[1]
	}
	if !bc.vmContains(satSub(satAdd(h.entry, sbpf.InsnSize), 1)) || h.entry%sbpf.InsnSize != 0 {
		return nil, bad(24, "e_entry %#x is not an instruction of the bytecode segment", h.entry)
	}
	entryPC := satSub(h.entry, bc.vaddr) / sbpf.InsnSize
	textRg := bc.fileRange()

	funcs, labels := map[uint32]int{}, map[uint32]string{}
	if o.SymbolLabels {
		funcs, labels = strictLabels(data, &h, span{ehdrSize, phtEnd}, &bc)
	}
	ro, _ := get(data, roRg)
	text, _ := get(data, textRg)
	prog := &vm.Program{
		Text:        bytes.Clone(text),
		TextVAddr:   bc.vaddr,
		ROData:      bytes.Clone(ro),
		RODataVAddr: sbpf.RodataStart,
		Entry:       int(entryPC),
		Functions:   funcs,
	}
	return &Image{Program: prog, Labels: labels, TextOffset: textRg.start}, nil
}

// strictLabels is the reference's parse_debug_labels: function symbols of
// .symtab, keyed by instruction index. Labels are debug information, so
// anything unreadable yields no labels rather than an error.
func strictLabels(data []byte, h *fileHeader, pht span, bc *progHeader) (map[uint32]int, map[uint32]string) {
	reg := newFuncRegistry()
	sht, err := parseSectionHeaderTable(data, span{0, ehdrSize}, h, pht)
	if err != nil || h.shstrndx == shnUndef || h.shstrndx >= h.shnum {
		return reg.pcs, reg.names
	}
	shdr := func(i int) sectionHeader {
		o := sht.start + uint64(i)*shdrSize
		return decodeSectionHeader(data[o : o+shdrSize])
	}
	names := shdr(int(h.shstrndx))
	var strtab, symtab sectionHeader
	haveStr, haveSym := false, false
	for i := 0; i < int(h.shnum); i++ {
		s := shdr(i)
		n, err := stringAt(data, &names, s.name, sectionNameMax)
		if err != nil {
			continue
		}
		switch string(n) {
		case ".strtab":
			strtab, haveStr = s, true
		case ".symtab":
			symtab, haveSym = s, true
		}
	}
	if !haveStr || !haveSym {
		return reg.pcs, reg.names
	}
	end, of := add(symtab.offset, symtab.size)
	if of {
		return reg.pcs, reg.names
	}
	t, pk := tableAt(data, span{symtab.offset, end}, symSize)
	if pk != ParseNone {
		return reg.pcs, reg.names
	}
	for i := uint64(0); i < t.count; i++ {
		sym := decodeSymbol(t.entry(data, i))
		if sym.info&sttFunc == 0 {
			continue
		}
		target := satSub(sym.value, bc.vaddr) / sbpf.InsnSize
		name, err := stringAt(data, &strtab, sym.name, debugSymbolNameMax)
		if err != nil {
			continue
		}
		_ = reg.register(uint32(target), string(name), target)
	}
	return reg.pcs, reg.names
}
