package asm

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/agora-vm/agora/sbpf"
)

// DisasmOptions tells Disassemble what it cannot learn from the bytes.
// The zero value (or nil) is valid.
type DisasmOptions struct {
	// Functions is the function registry, key -> pc, as Program.Functions
	// or an ELF loader builds it. Its pcs get function labels, and in
	// V0-V2 `call imm` is resolved through it (imm is a key there).
	Functions map[uint32]int

	// Names gives preferred label names by pc, e.g. from
	// Program.DisasmOptions or ELF symbols. A name that is not a valid
	// label (or is taken by a lower pc) is replaced by a generated one.
	Names map[int]string

	// SyscallName resolves a syscall hash to its name; calls it knows
	// print as `syscall NAME`. Names it returns must hash back to the
	// same value, or they are ignored.
	SyscallName func(hash uint32) (string, bool)

	// Relocatable says the text is an ELF's, as loaded, to be assembled
	// back into an ELF: V0-V2 internal calls, whose immediates the loader
	// turned into registry keys, print as `call LABEL` (the ELF writer
	// turns the label back into a relocation), and every function gets a
	// name the assembler registers (entrypoint or function_*).
	Relocatable bool

	// ROData is read-only data, printed after the text as a `.rodata`
	// section of `.byte` lines.
	ROData []byte

	// AddrRefs lists the lddw instructions that load the address of an
	// instruction or of a byte of ROData; they print as `lddw reg, LABEL`.
	// A target that no label can name (inside an instruction, beyond
	// the data) makes Disassemble fail.
	AddrRefs []AddrRef
}

// Operand display styles.
const (
	styleDec    = iota // signed decimal
	styleHex64         // lddw: 0x of the 64-bit two's complement
	styleOffset        // jump offset: +N / -N
)

// line is one disassembled instruction, or a raw slot.
type line struct {
	pc, slots int
	raw       bool
	value     uint64 // raw: the slot as a little-endian number
	st        statement
	style     []uint8 // per operand

	// An operand that may become a label: ops[labelOp] jumps or calls to
	// target.
	labelOp int // -1 if none
	target  int64
	call    bool // the target is a function

	// V0-V2 internal call through a registry key that is not the pc: it
	// is printed as `syscall imm` with a comment naming the target.
	viaKey bool
	note   string
}

type disassembler struct {
	v    sbpf.Version
	text []byte
	n    int // slots
	opts DisasmOptions
	enc  encoder
}

func newDisassembler(text []byte, v sbpf.Version, opts *DisasmOptions) (*disassembler, error) {
	if !v.Valid() {
		return nil, fmt.Errorf("asm: %w %s", ErrVersion, v)
	}
	if len(text)%sbpf.InsnSize != 0 {
		return nil, fmt.Errorf("asm: %w (%d bytes)", ErrTextLength, len(text))
	}
	d := &disassembler{v: v, text: text, n: len(text) / sbpf.InsnSize, enc: encoder{v: v}}
	if opts != nil {
		d.opts = *opts
	}
	return d, nil
}

// Disassemble prints text, a sequence of 8-byte slots, as assembly for
// version v. Assemble(result, v, nil) reproduces text exactly, whatever
// the bytes: a slot with no instruction form in v, or with bits the
// instruction does not use, prints as `.fill 1, 0x…` (the slot as a
// little-endian number). Jump and call targets become labels (the
// names in opts, function_N for functions, lbb_N otherwise) where they
// fall on an instruction; other targets print as raw offsets.
func Disassemble(text []byte, v sbpf.Version, opts *DisasmOptions) (string, error) {
	d, err := newDisassembler(text, v, opts)
	if err != nil {
		return "", err
	}
	// Pass 1: find where instructions start and what they jump or call
	// to. Lines are rendered again in pass 2 rather than kept, so memory
	// stays a few bytes per slot for large texts.
	boundary := make([]bool, d.n+1)
	boundary[d.n] = true
	type ref struct {
		target int64
		call   bool
	}
	var refs []ref
	for pc := 0; pc < d.n; {
		l := d.render(pc)
		boundary[pc] = true
		if l.labelOp >= 0 {
			refs = append(refs, ref{l.target, l.call})
		}
		pc += l.slots
	}
	inRange := func(t int64) bool { return t >= 0 && t <= int64(d.n) && boundary[t] }

	// Which pcs get labels, and which of those are functions. Functions
	// and names label instructions only; the end of the text gets a
	// label only when something jumps there.
	labelled := make([]bool, d.n+1)
	isFunc := make([]bool, d.n+1)
	for _, r := range refs {
		if inRange(r.target) {
			labelled[r.target] = true
			isFunc[r.target] = isFunc[r.target] || r.call
		}
	}
	for _, pc := range d.opts.Functions {
		if pc < d.n && inRange(int64(pc)) {
			labelled[pc], isFunc[pc] = true, true
		}
	}
	for pc := range d.opts.Names {
		if pc < d.n && inRange(int64(pc)) {
			labelled[pc] = true
		}
	}
	addrRefs, dataNames, err := d.addrLabels(labelled, inRange)
	if err != nil {
		return "", err
	}
	preferred := d.opts.Names
	if d.opts.Relocatable {
		preferred = functionNames(isFunc, preferred)
	}
	names := assignNames(labelled, isFunc, preferred)
	taken := map[string]bool{}
	for _, n := range names {
		taken[n] = true
	}
	for off, n := range dataNames {
		for taken[n] {
			n += "_"
		}
		dataNames[off], taken[n] = n, true
	}

	var b strings.Builder
	writeLabel := func(pc int) {
		if !labelled[pc] {
			return
		}
		if isFunc[pc] && pc > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(names[pc])
		b.WriteString(":\n")
	}
	for pc := 0; pc < d.n; {
		writeLabel(pc)
		l := d.render(pc)
		if l.raw {
			// A run of identical raw slots with no label inside is one
			// .fill.
			count := 1
			for pc+count < d.n && !labelled[pc+count] {
				next := d.render(pc + count)
				if !next.raw || next.value != l.value {
					break
				}
				count++
			}
			fmt.Fprintf(&b, "    .fill %d, 0x%016x\n", count, l.value)
			pc += count
			continue
		}
		d.nameTarget(&l, func(t int64) (string, bool) {
			if !inRange(t) {
				return "", false
			}
			return names[t], true
		})
		if r, ok := addrRefs[pc]; ok {
			if l.slots != 2 {
				return "", fmt.Errorf("asm: the address reference at %d is not an lddw", pc)
			}
			name := dataNames[r.Offset]
			if !r.ROData {
				name = names[r.Offset/sbpf.InsnSize]
			}
			l.st.ops[1] = operand{kind: opLabel, name: name}
		}
		b.WriteString("    ")
		b.WriteString(l.String())
		b.WriteByte('\n')
		pc += l.slots
	}
	writeLabel(d.n)
	if len(d.opts.ROData) > 0 || len(dataNames) > 0 {
		writeData(&b, d.opts.ROData, dataNames)
	}
	return b.String(), nil
}

// addrLabels checks opts.AddrRefs against the text (after pass 1 has
// found the instruction boundaries), labels their text targets, and
// returns them by pc with the names of their data targets by offset.
func (d *disassembler) addrLabels(labelled []bool, inRange func(int64) bool) (map[int]AddrRef, map[uint64]string, error) {
	refs := map[int]AddrRef{}
	dataNames := map[uint64]string{}
	for _, r := range d.opts.AddrRefs {
		if r.PC < 0 || r.PC >= d.n || !inRange(int64(r.PC)) {
			return nil, nil, fmt.Errorf("asm: address reference at %d is not an instruction", r.PC)
		}
		if _, dup := refs[r.PC]; dup {
			return nil, nil, fmt.Errorf("asm: two address references at %d", r.PC)
		}
		if r.ROData {
			if r.Offset > uint64(len(d.opts.ROData)) {
				return nil, nil, fmt.Errorf("asm: the lddw at %d points %d bytes into read-only data of %d", r.PC, r.Offset, len(d.opts.ROData))
			}
			dataNames[r.Offset] = "data_" + strconv.FormatUint(r.Offset, 10)
		} else {
			t := r.Offset / sbpf.InsnSize
			if r.Offset%sbpf.InsnSize != 0 || t >= uint64(d.n) || !inRange(int64(t)) {
				return nil, nil, fmt.Errorf("asm: the lddw at %d loads the address of text byte %d, which is not the start of an instruction", r.PC, r.Offset)
			}
			labelled[t] = true
		}
		refs[r.PC] = r
	}
	return refs, dataNames, nil
}

// writeData prints read-only data as a .rodata section: .byte lines of
// up to 16 bytes, with the labels named by offset and the printable
// bytes in a comment.
func writeData(b *strings.Builder, data []byte, names map[uint64]string) {
	b.WriteString("\n.rodata\n")
	for off := 0; off <= len(data); {
		if n, ok := names[uint64(off)]; ok {
			b.WriteString(n)
			b.WriteString(":\n")
		}
		if off == len(data) {
			break
		}
		end := min(off+16, len(data))
		for i := off + 1; i < end; i++ {
			if _, ok := names[uint64(i)]; ok {
				end = i
				break
			}
		}
		b.WriteString("    .byte ")
		for i, c := range data[off:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "0x%02x", c)
		}
		b.WriteString(" # ")
		for _, c := range data[off:end] {
			if c < 0x20 || c > 0x7e {
				c = '.'
			}
			b.WriteByte(c)
		}
		b.WriteByte('\n')
		off = end
	}
}

// functionNames returns preferred names in which every function's name
// is one the assembler registers: entrypoint, or function_ in front.
func functionNames(isFunc []bool, preferred map[int]string) map[int]string {
	out := make(map[int]string, len(preferred))
	for pc, n := range preferred {
		if pc >= 0 && pc < len(isFunc) && isFunc[pc] && n != "entrypoint" && !strings.HasPrefix(n, "function_") {
			n = "function_" + n
		}
		out[pc] = n
	}
	return out
}

// DisassembleInstruction prints the instruction at slot pc of text, as
// Disassemble would, and returns how many slots it spans (2 for lddw).
// Targets are named without looking at the rest of the program, so a
// target inside an lddw still gets a label name; the result is meant
// for display, such as a debugger's current line.
func DisassembleInstruction(text []byte, pc int, v sbpf.Version, opts *DisasmOptions) (string, int, error) {
	d, err := newDisassembler(text, v, opts)
	if err != nil {
		return "", 0, err
	}
	if pc < 0 || pc >= d.n {
		return "", 0, fmt.Errorf("asm: pc %d outside the %d slots of the text", pc, d.n)
	}
	l := d.render(pc)
	if l.raw {
		return fmt.Sprintf(".fill 1, 0x%016x", l.value), 1, nil
	}
	d.nameTarget(&l, func(t int64) (string, bool) {
		if t < 0 || t > int64(d.n) {
			return "", false
		}
		if name := d.opts.Names[int(t)]; isLabelName(name) {
			return name, true
		}
		return defaultName(int(t), l.call || d.isFunction(int(t))), true
	})
	return l.String(), l.slots, nil
}

// isFunction reports whether pc is in the function registry.
func (d *disassembler) isFunction(pc int) bool {
	for _, f := range d.opts.Functions {
		if f == pc {
			return true
		}
	}
	return false
}

// nameTarget turns the target operand of l into a label when name
// knows the target.
func (d *disassembler) nameTarget(l *line, name func(int64) (string, bool)) {
	if l.labelOp < 0 {
		return
	}
	label, ok := name(l.target)
	if !ok {
		return
	}
	if l.viaKey {
		if d.opts.Relocatable && strings.HasPrefix(label, "function_") || label == "entrypoint" && d.opts.Relocatable {
			l.st.name = "call"
			l.st.ops[l.labelOp] = operand{kind: opLabel, name: label, resolved: true, target: l.target}
			return
		}
		l.note = "call " + label
		return
	}
	if !d.v.StaticSyscalls() && l.call {
		// V0-V2 `call label` stores the label's pc, which here equals
		// the registry key in imm.
		l.st.name = "call"
	}
	l.st.ops[l.labelOp] = operand{kind: opLabel, name: label, resolved: true, target: l.target}
}

// render decodes slot pc into a line whose encoding has been checked
// against the encoder; anything the encoder would not reproduce is raw.
func (d *disassembler) render(pc int) line {
	slot := d.text[pc*sbpf.InsnSize:]
	raw := line{pc: pc, slots: 1, raw: true, value: binary.LittleEndian.Uint64(slot), labelOp: -1}
	ins := sbpf.Decode(slot)
	op := d.v.Lookup(ins.Op)
	if op == sbpf.OpInvalid {
		return raw
	}
	info := op.Info()
	l := line{pc: pc, slots: 1, labelOp: -1}
	name := info.Mnemonic
	reg := func(r uint8) operand { return operand{kind: opReg, reg: r} }
	num := func(v int64) operand { return operand{kind: opInt, val: v} }
	mem := func(r uint8, off int16) operand { return operand{kind: opMem, reg: r, val: int64(off)} }
	var ops []operand
	switch info.Format {
	case sbpf.FmtLDDW:
		if pc+1 >= d.n {
			return raw
		}
		hi := sbpf.Decode(d.text[(pc+1)*sbpf.InsnSize:])
		ops = []operand{reg(ins.Dst), num(int64(sbpf.LDDWImm(ins, hi)))}
		l.style = []uint8{styleDec, styleHex64}
		l.slots = 2
	case sbpf.FmtLoad:
		ops = []operand{reg(ins.Dst), mem(ins.Src, ins.Off)}
	case sbpf.FmtStoreImm:
		ops = []operand{mem(ins.Dst, ins.Off), num(int64(ins.Imm))}
	case sbpf.FmtStoreReg:
		ops = []operand{mem(ins.Dst, ins.Off), reg(ins.Src)}
	case sbpf.FmtALUImm:
		ops = []operand{reg(ins.Dst), num(int64(ins.Imm))}
	case sbpf.FmtALUReg:
		ops = []operand{reg(ins.Dst), reg(ins.Src)}
	case sbpf.FmtUnary:
		ops = []operand{reg(ins.Dst)}
	case sbpf.FmtEndian:
		if ins.Imm != 16 && ins.Imm != 32 && ins.Imm != 64 {
			return raw
		}
		name += strconv.Itoa(int(ins.Imm))
		ops = []operand{reg(ins.Dst)}
	case sbpf.FmtJa:
		ops = []operand{num(int64(ins.Off))}
		l.style = []uint8{styleOffset}
		l.labelOp, l.target = 0, int64(pc)+int64(ins.Off)+1
	case sbpf.FmtJumpImm, sbpf.FmtJumpReg:
		second := num(int64(ins.Imm))
		if info.Format == sbpf.FmtJumpReg {
			second = reg(ins.Src)
		}
		ops = []operand{reg(ins.Dst), second, num(int64(ins.Off))}
		l.style = []uint8{styleDec, styleDec, styleOffset}
		l.labelOp, l.target = 2, int64(pc)+int64(ins.Off)+1
	case sbpf.FmtCall:
		name, ops = d.renderCall(&l, ins)
	case sbpf.FmtCallx:
		r := int64(ins.Imm)
		switch {
		case d.v.CallxUsesSrcReg():
			r = int64(ins.Src)
		case d.v.CallxUsesDstReg():
			r = int64(ins.Dst)
		}
		if r < 0 || r > 15 {
			return raw
		}
		ops = []operand{reg(uint8(r))}
	case sbpf.FmtNone:
	default:
		return raw
	}
	l.st = statement{kind: stInstruction, name: name, ops: ops}
	m, ok := mnemonics[name]
	if !ok {
		return raw
	}
	slots, n, err := d.enc.encode(&l.st, m, pc)
	if err != nil || n != l.slots {
		return raw
	}
	for i, s := range slots[:n] {
		e := s.Encode()
		if string(e[:]) != string(d.text[(pc+i)*sbpf.InsnSize:(pc+i+1)*sbpf.InsnSize]) {
			return raw
		}
	}
	return l
}

// renderCall chooses how a `call imm` prints. The canonical check in
// render rejects any form that does not encode back to the slot.
func (d *disassembler) renderCall(l *line, ins sbpf.Instruction) (string, []operand) {
	imm := ins.Imm
	byName := func() (string, []operand) {
		if d.opts.SyscallName != nil {
			if name, ok := d.opts.SyscallName(uint32(imm)); ok && isLabelName(name) && sbpf.SyscallHash(name) == uint32(imm) {
				return "syscall", []operand{{kind: opLabel, name: name}}
			}
		}
		return "syscall", []operand{{kind: opInt, val: int64(imm)}}
	}
	if d.v.StaticSyscalls() {
		if ins.Src != 1 {
			return byName()
		}
		l.labelOp, l.target, l.call = 0, int64(l.pc)+int64(imm)+1, true
		return "call", []operand{{kind: opInt, val: int64(imm)}}
	}
	// V0-V2: the interpreter tries the syscall registry first, then the
	// function registry, both keyed by imm.
	name, ops := byName()
	if ops[0].kind == opLabel {
		return name, ops
	}
	if pc, ok := d.opts.Functions[uint32(imm)]; ok {
		l.labelOp, l.target, l.call = 0, int64(pc), true
		l.viaKey = int64(pc) != int64(imm)
	}
	return name, ops
}

// String formats the line's statement.
func (l *line) String() string {
	var b strings.Builder
	b.WriteString(l.st.name)
	for i, o := range l.st.ops {
		if i == 0 {
			b.WriteByte(' ')
		} else {
			b.WriteString(", ")
		}
		style := uint8(styleDec)
		if i < len(l.style) {
			style = l.style[i]
		}
		switch o.kind {
		case opReg:
			fmt.Fprintf(&b, "r%d", o.reg)
		case opMem:
			if o.val < 0 {
				fmt.Fprintf(&b, "[r%d-0x%x]", o.reg, -o.val)
			} else {
				fmt.Fprintf(&b, "[r%d+0x%x]", o.reg, o.val)
			}
		case opLabel:
			b.WriteString(o.name)
		case opInt:
			switch {
			case style == styleHex64:
				fmt.Fprintf(&b, "0x%x", uint64(o.val))
			case style == styleOffset && o.val >= 0:
				fmt.Fprintf(&b, "+%d", o.val)
			default:
				fmt.Fprintf(&b, "%d", o.val)
			}
		}
	}
	if l.note != "" {
		b.WriteString(" # ")
		b.WriteString(l.note)
	}
	return b.String()
}

func defaultName(pc int, function bool) string {
	if function {
		return "function_" + strconv.Itoa(pc)
	}
	return "lbb_" + strconv.Itoa(pc)
}

// isLabelName reports whether name reads back as a label reference: an
// identifier that is neither a number nor a register.
func isLabelName(name string) bool {
	if !isMnemonicName(name) || isDigit(name[0]) {
		return false
	}
	_, isReg, _ := parseRegister(name)
	return !isReg
}

// assignNames gives every labelled pc a unique name: the preferred name
// where it is valid and free (lower pcs first), else a generated one.
func assignNames(labelled, isFunc []bool, preferred map[int]string) []string {
	names := make([]string, len(labelled))
	used := map[string]bool{} // preferred names, and generated ones that had to change
	pcs := make([]int, 0, len(preferred))
	for pc := range preferred {
		if pc >= 0 && pc < len(labelled) && labelled[pc] && isLabelName(preferred[pc]) {
			pcs = append(pcs, pc)
		}
	}
	slices.Sort(pcs)
	for _, pc := range pcs {
		if name := preferred[pc]; !used[name] {
			names[pc], used[name] = name, true
		}
	}
	for pc, ok := range labelled {
		if !ok || names[pc] != "" {
			continue
		}
		// Generated names differ from each other by construction; they
		// only need to dodge the preferred ones.
		name := defaultName(pc, isFunc[pc])
		if used[name] {
			for used[name] {
				name += "_"
			}
			used[name] = true
		}
		names[pc] = name
	}
	return names
}
