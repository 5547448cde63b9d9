package asm

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/agora-vm/agora/sbpf"
)

// maxSlots bounds the size of an assembled program (8 MiB of text), far
// above what any verifier accepts, so that a `.fill` cannot exhaust memory.
const maxSlots = 1 << 20

// Options adjusts Assemble. The zero value (or nil) is the reference
// assembler's behavior, with instructions the version lacks rejected.
type Options struct {
	// Aliases adds mnemonics that take no operands and assemble to a
	// syscall: Aliases["tx_begin"] = "agora_tx_begin" makes `tx_begin`
	// mean `syscall agora_tx_begin`. An alias may not shadow a built-in
	// mnemonic.
	Aliases map[string]string

	// AllowInvalid encodes instructions that the version lacks (mul64
	// in V2, lddw in V2, jeq32 before V3, ...) with the opcode the
	// reference assembler gives them, instead of failing. It exists to
	// build programs that a verifier must reject.
	AllowInvalid bool
}

// Program is an assembled program.
type Program struct {
	// Version is the sBPF version the program was assembled for.
	Version sbpf.Version

	// Text is the encoded instruction slots, 8 bytes each.
	Text []byte

	// Functions is the function registry the reference assembler builds:
	// registry key -> pc. Labels named entrypoint or function_* are
	// registered under their pc, in every version, as are the targets
	// of `call imm`. Without an entrypoint label, pc 0 is registered as
	// the entrypoint under murmur3("entrypoint") in V0-V2 and under 0
	// from V3 on.
	Functions map[uint32]int

	// Entry is the entry pc: the entrypoint label's pc if the reference
	// would find it in the registry, else 0.
	Entry int

	// Lines gives the 1-based source line of each slot; both slots of an
	// lddw carry the line of the instruction.
	Lines []int

	// Exports names the labels a `.globl NAME` (or `.global`) directive
	// exports, in source order: `agora asm` lists them in the ELF's
	// dynamic symbol table, where other programs find them as module
	// functions.
	Exports []string

	// Labels maps each label defined in the text section to its pc.
	Labels map[string]int

	// ROData is the read-only data of the `.rodata` section (empty if the
	// source has none). Only an ELF can carry it: see AddrRefs.
	ROData []byte

	// DataLabels maps each label defined in the `.rodata` section to its
	// byte offset there.
	DataLabels map[string]int

	// SyscallNames maps the hash of every syscall the source calls by
	// name (`syscall NAME` or an alias) to that name, so that an ELF
	// writer can relocate calls to syscalls it does not know.
	SyscallNames map[uint32]string

	// AddrRefs lists the `lddw reg, label` instructions: each loads the
	// address of a label, which only the ELF writer knows (the slots hold
	// the label's offset until then).
	AddrRefs []AddrRef
}

// AddrRef says that the lddw at PC loads the address of byte Offset of
// the text (ROData false) or of the read-only data (ROData true).
type AddrRef struct {
	PC     int
	ROData bool
	Offset uint64
}

// Assemble translates src into sBPF slots for version v. It returns an
// *Error for any problem in the source; it never panics. opts may be nil.
func Assemble(src string, v sbpf.Version, opts *Options) (*Program, error) {
	if opts == nil {
		opts = &Options{}
	}
	if !v.Valid() {
		return nil, &Error{Msg: fmt.Sprintf("unknown sBPF version %s", v)}
	}
	for _, alias := range slices.Sorted(maps.Keys(opts.Aliases)) {
		target := opts.Aliases[alias]
		if _, builtin := mnemonics[alias]; builtin {
			return nil, &Error{Msg: fmt.Sprintf("alias %q shadows a built-in mnemonic", alias)}
		}
		if !isMnemonicName(alias) {
			return nil, &Error{Msg: fmt.Sprintf("alias %q is not a valid mnemonic", alias)}
		}
		if target == "" {
			return nil, &Error{Msg: fmt.Sprintf("alias %q has an empty syscall name", alias)}
		}
	}
	lookup := func(name string) (mnemonic, bool) {
		if m, ok := mnemonics[name]; ok {
			return m, true
		}
		if t, ok := opts.Aliases[name]; ok {
			return mnemonic{kind: kAlias, target: t}, true
		}
		return mnemonic{}, false
	}
	isMnemonic := func(name string) bool { _, ok := lookup(name); return ok }

	// Pass 1: place labels and register functions by pc.
	reg := &registry{entries: map[uint32]registryEntry{}}
	type labelDef struct{ pc, line int }
	defs := map[string]labelDef{}
	dataDefs := map[string]labelDef{}
	pc, dataLen, inData := 0, 0, false
	type globl struct {
		name, directive string
		line, col       int
	}
	var exports []globl
	err := forEachStatement(src, isMnemonic, func(st *statement) error {
		switch st.kind {
		case stLabel:
			d, dup := defs[st.name]
			if !dup {
				d, dup = dataDefs[st.name]
			}
			if dup {
				return errAt(st, st.col, "label %q already defined at line %d", st.name, d.line)
			}
			if inData {
				dataDefs[st.name] = labelDef{dataLen, st.line}
				break
			}
			defs[st.name] = labelDef{pc, st.line}
			if strings.HasPrefix(st.name, "function_") || st.name == "entrypoint" {
				reg.register(uint32(pc), st.name, int64(pc))
			}
		case stDirective:
			if section, ok := sectionDirective(st); ok {
				if len(st.ops) != 0 {
					return errAt(st, st.col, ".%s takes no operands", st.name)
				}
				inData = section == sectionData
				break
			}
			if inData {
				n, err := byteDirective(st, nil)
				if err != nil {
					return err
				}
				if dataLen += n; dataLen > maxSlots*sbpf.InsnSize {
					return errAt(st, st.col, "read-only data exceeds %d bytes", maxSlots*sbpf.InsnSize)
				}
				break
			}
			if st.name == "byte" {
				return errAt(st, st.col, ".byte belongs in the .rodata section")
			}
			if st.name == "globl" || st.name == "global" {
				if shape(st.ops) != "L" {
					return errAt(st, st.col, ".%s takes one function label", st.name)
				}
				exports = append(exports, globl{st.ops[0].name, st.name, st.line, st.ops[0].col})
				break
			}
			n, _, err := fillDirective(st)
			if err != nil {
				return err
			}
			pc += n
		case stInstruction:
			if inData {
				return errAt(st, st.col, "instruction %q in the .rodata section (write .text before it)", st.name)
			}
			m, ok := lookup(st.name)
			if !ok {
				return errAt(st, st.col, "unknown mnemonic %q", st.name)
			}
			pc++
			if m.kind == kLDDW {
				pc++
			}
		}
		if pc > maxSlots {
			return errAt(st, st.col, "program exceeds %d slots", maxSlots)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	labels := make(map[string]int, len(defs))
	for name, d := range defs {
		labels[name] = d.pc
	}
	var exported []string
	for _, g := range exports {
		if _, ok := labels[g.name]; !ok {
			return nil, &Error{Line: g.line, Col: g.col, Msg: fmt.Sprintf(".%s %s: no such label in the text", g.directive, g.name)}
		}
		if !slices.Contains(exported, g.name) {
			exported = append(exported, g.name)
		}
	}
	dataLabels := make(map[string]int, len(dataDefs))
	for name, d := range dataDefs {
		dataLabels[name] = d.pc
	}

	// Pass 2: encode.
	enc := &encoder{v: v, allowInvalid: opts.AllowInvalid, labels: labels, dataLabels: dataLabels, reg: reg, syscalls: map[uint32]string{}}
	p := &Program{
		Version:      v,
		Text:         make([]byte, 0, pc*sbpf.InsnSize),
		Lines:        make([]int, 0, pc),
		Labels:       labels,
		DataLabels:   dataLabels,
		SyscallNames: enc.syscalls,
		Exports:      exported,
	}
	if dataLen > 0 {
		p.ROData = make([]byte, 0, dataLen)
	}
	pc, inData = 0, false
	err = forEachStatement(src, isMnemonic, func(st *statement) error {
		switch st.kind {
		case stDirective:
			if section, ok := sectionDirective(st); ok {
				inData = section == sectionData
				break
			}
			if inData {
				_, err := byteDirective(st, &p.ROData)
				return err
			}
			n, value, _ := fillDirective(st)
			for range n {
				p.Text = appendRaw(p.Text, uint64(value))
				p.Lines = append(p.Lines, st.line)
			}
			pc += n
		case stInstruction:
			m, _ := lookup(st.name)
			slots, n, err := enc.encode(st, m, pc)
			if err != nil {
				return err
			}
			if enc.ref != nil {
				p.AddrRefs = append(p.AddrRefs, *enc.ref)
				enc.ref = nil
			}
			for _, ins := range slots[:n] {
				p.Text = sbpf.AppendEncoded(p.Text, ins)
				p.Lines = append(p.Lines, st.line)
			}
			pc += n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	// The entrypoint, as Executable::new_from_text_bytes finds it.
	if entry, ok := reg.lookupByName("entrypoint"); ok {
		p.Entry = int(entry)
	} else {
		key := uint32(0)
		if !v.StaticSyscalls() {
			key = sbpf.SyscallHash("entrypoint")
		}
		if !reg.register(key, "entrypoint", 0) {
			return nil, &Error{Msg: fmt.Sprintf("function registry key %#x of the entrypoint is already taken", key)}
		}
	}
	p.Functions = make(map[uint32]int, len(reg.entries))
	for k, e := range reg.entries {
		p.Functions[k] = int(e.pc)
	}
	return p, nil
}

// fillDirective checks a text directive other than .globl: `.fill n,
// value` is the only one.
func fillDirective(st *statement) (n int, value int64, err error) {
	if st.name != "fill" {
		return 0, 0, errAt(st, st.col, "unknown directive .%s", st.name)
	}
	if shape(st.ops) != "II" {
		return 0, 0, errAt(st, st.col, ".fill takes a count and a 64-bit value")
	}
	if c := st.ops[0].val; c < 0 || c > maxSlots {
		return 0, 0, errAt(st, st.ops[0].col, ".fill count %d out of range (want 0 to %d)", c, maxSlots)
	}
	return int(st.ops[0].val), st.ops[1].val, nil
}

type section uint8

const (
	sectionText section = iota
	sectionData
)

// sectionDirective recognizes `.text` and `.rodata`.
func sectionDirective(st *statement) (section, bool) {
	switch st.name {
	case "text":
		return sectionText, true
	case "rodata":
		return sectionData, true
	}
	return 0, false
}

// byteDirective checks `.byte b, ...` (values 0 to 255, or -128 to -1
// for their two's complement) and appends the bytes to out if it is not
// nil. It returns the number of bytes.
func byteDirective(st *statement, out *[]byte) (int, error) {
	if st.name != "byte" {
		return 0, errAt(st, st.col, "unknown directive .%s in the .rodata section (want .byte)", st.name)
	}
	if len(st.ops) == 0 {
		return 0, errAt(st, st.col, ".byte takes one or more byte values")
	}
	for _, o := range st.ops {
		if o.kind != opInt || o.val < -128 || o.val > 255 {
			return 0, errAt(st, o.col, ".byte value out of range (want 0 to 255)")
		}
		if out != nil {
			*out = append(*out, byte(o.val))
		}
	}
	return len(st.ops), nil
}

// appendRaw appends a slot given as the little-endian 64-bit value of its
// bytes, which is what `.fill` writes.
func appendRaw(b []byte, v uint64) []byte {
	for i := range sbpf.InsnSize {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// isMnemonicName reports whether s lexes as a single identifier.
func isMnemonicName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !isIdentRune(r) {
			return false
		}
	}
	return true
}

// DisasmOptions returns options that let Disassemble name p's functions
// and labels as the source did, with the entry pc named entrypoint.
func (p *Program) DisasmOptions() *DisasmOptions {
	names := map[int]string{}
	rank := func(name string) int {
		switch {
		case name == "entrypoint":
			return 0
		case strings.HasPrefix(name, "function_"):
			return 1
		}
		return 2
	}
	better := func(a, b string) bool {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra < rb
		}
		return a < b
	}
	for name, pc := range p.Labels {
		if old, ok := names[pc]; !ok || better(name, old) {
			names[pc] = name
		}
	}
	if _, ok := p.Labels["entrypoint"]; !ok {
		names[p.Entry] = "entrypoint"
	}
	return &DisasmOptions{Functions: p.Functions, Names: names}
}
