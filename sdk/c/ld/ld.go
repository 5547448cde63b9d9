// Package ld links a BPF object file compiled by clang (clang -target bpf
// -c) into an sBPF V0 shared object that the elf package and the
// reference loader accept.
//
// Upstream LLVM can compile C for BPF but its linker, lld, has no BPF
// support (Solana's toolchain carries a fork). The object files clang
// writes are simple, though: one .text, read-only data, and REL
// relocations of three kinds, which map directly onto elf.Object:
//
//   - R_BPF_64_32 on a call to an undefined symbol: a syscall, written
//     as a relocation against its name (the loader resolves it by the
//     murmur3 hash of the name).
//   - R_BPF_64_32 on a call to a defined function, and pc-relative calls
//     to static functions (no relocation): internal calls.
//   - R_BPF_64_64 on an lddw of the address of read-only data or of a
//     function: an address constant, rebased by the loader.
//
// Link takes exactly one object (compile the program as one translation
// unit) and rejects what sBPF cannot load: writable data (.data, .bss),
// pointers stored in read-only data, calls to undefined symbols that are
// not syscalls, and instruction classes V0 lacks (JMP32 from -mcpu=v3,
// atomics). The output is a
// deterministic function of the object's code, data and symbol names:
// file names, debug sections and the order of local labels do not matter.
//
// This package never runs or verifies programs and keeps no global
// state.
package ld

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	agoraelf "github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/extnames"
	"github.com/agora-vm/agora/syscalls"
)

// BPF relocation types (llvm/BinaryFormat/ELFRelocs/BPF.def).
const (
	rBPFNone      = 0
	rBPF64_64     = 1
	rBPF64Abs64   = 2
	rBPF64Abs32   = 3
	rBPF64NoDyld  = 4
	rBPF64_32     = 10
	pseudoCallSrc = 1 // src register of a pc-relative call (BPF_PSEUDO_CALL)

	// maxProgramSize bounds the code and data taken from an object: the
	// elf writer's own limit, far above Solana's 10 MiB accounts.
	maxProgramSize = agoraelf.DefaultMaxFileSize / 2
)

// Options configures Link. The zero value links against the standard
// syscalls and any name starting with "sol_" or "agora_".
type Options struct {
	// IsSyscall says whether an undefined symbol names a syscall. Nil
	// means DefaultIsSyscall.
	IsSyscall func(name string) bool
}

// DefaultIsSyscall accepts the standard syscalls (package syscalls) and
// any name with the prefix "sol_" or "agora_" (Solana's other syscalls
// and Agora's extensions).
func DefaultIsSyscall(name string) bool {
	if strings.HasPrefix(name, "sol_") || strings.HasPrefix(name, extnames.Prefix) {
		return true
	}
	return slices.Contains(syscalls.Names(), name)
}

// Error is a link failure: what in the object cannot become an sBPF
// program.
type Error struct {
	Msg string
}

func (e *Error) Error() string { return "ld: " + e.Msg }

func errf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// Link turns a BPF relocatable object into the bytes of an sBPF V0
// shared object whose entry point is the function "entrypoint".
func Link(object []byte, opts *Options) ([]byte, error) {
	o, err := Object(object, opts)
	if err != nil {
		return nil, err
	}
	out, err := agoraelf.Write(o)
	if err != nil {
		return nil, errf("%v", err)
	}
	return out, nil
}

// piece is an input section placed in the output text or rodata.
type piece struct {
	sec  agoraelf.Section
	base uint64 // offset in the output text or rodata
}

// Object resolves a BPF relocatable object into the elf.Object that Link
// writes, for tools that want to inspect or extend it.
func Object(object []byte, opts *Options) (o *agoraelf.Object, err error) {
	defer func() {
		// debug/elf is not hardened against hostile files; the input is
		// our compiler's output, but a bad file must still be an error.
		if r := recover(); r != nil {
			o, err = nil, errf("malformed object file: %v", r)
		}
	}()
	isSyscall := DefaultIsSyscall
	if opts != nil && opts.IsSyscall != nil {
		isSyscall = opts.IsSyscall
	}
	f, ferr := elf.NewFile(bytes.NewReader(object))
	if ferr != nil {
		return nil, errf("%v", ferr)
	}
	if f.Class != elf.ELFCLASS64 || f.Data != elf.ELFDATA2LSB || f.Machine != elf.EM_BPF || f.Type != elf.ET_REL {
		return nil, errf("not a little-endian 64-bit BPF relocatable object (class %v, data %v, machine %v, type %v)", f.Class, f.Data, f.Machine, f.Type)
	}

	var text, rodata []byte
	pieces := map[int]piece{} // section index -> placement
	for i, s := range f.Sections {
		if s.Flags&elf.SHF_ALLOC == 0 || s.Size == 0 {
			continue
		}
		if s.Size > maxProgramSize || uint64(len(text)+len(rodata))+s.Size > maxProgramSize {
			return nil, errf("section %s makes the program larger than %d bytes", s.Name, maxProgramSize)
		}
		switch {
		case s.Flags&elf.SHF_WRITE != 0:
			return nil, errf("section %s holds writable data (global or static variables); sBPF programs cannot have any", s.Name)
		case s.Flags&elf.SHF_EXECINSTR != 0:
			if s.Type != elf.SHT_PROGBITS || s.Size%sbpf.InsnSize != 0 {
				return nil, errf("code section %s is not a multiple of %d bytes", s.Name, sbpf.InsnSize)
			}
			b, err := s.Data()
			if err != nil {
				return nil, errf("section %s: %v", s.Name, err)
			}
			pieces[i] = piece{agoraelf.SectionText, uint64(len(text))}
			text = append(text, b...)
		default:
			var b []byte
			if s.Type == elf.SHT_NOBITS {
				b = make([]byte, s.Size)
			} else if b, err = s.Data(); err != nil {
				return nil, errf("section %s: %v", s.Name, err)
			}
			for a := max(min(s.Addralign, 8), 1); uint64(len(rodata))%a != 0; {
				rodata = append(rodata, 0)
			}
			pieces[i] = piece{agoraelf.SectionROData, uint64(len(rodata))}
			rodata = append(rodata, b...)
		}
	}
	if len(text) == 0 {
		return nil, errf("no code")
	}

	syms, serr := f.Symbols()
	if serr != nil && !errors.Is(serr, elf.ErrNoSymbols) {
		return nil, errf("symbols: %v", serr)
	}
	symAt := func(idx uint32) (elf.Symbol, error) {
		if idx == 0 || int(idx) > len(syms) {
			return elf.Symbol{}, errf("relocation names symbol %d of %d", idx, len(syms))
		}
		return syms[idx-1], nil // debug/elf drops the null symbol
	}

	o = &agoraelf.Object{
		Version:     sbpf.V0,
		Text:        text,
		ROData:      rodata,
		Entry:       -1,
		Functions:   map[string]int{},
		CallTargets: map[uint32]int{},
	}
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Name == "" {
			continue
		}
		p, ok := pieces[int(s.Section)]
		if !ok || p.sec != agoraelf.SectionText || s.Value%sbpf.InsnSize != 0 {
			continue
		}
		pc := int((p.base + s.Value) / sbpf.InsnSize)
		if _, dup := o.Functions[s.Name]; !dup {
			o.Functions[s.Name] = pc
		}
		if s.Name == "entrypoint" && elf.ST_BIND(s.Info) == elf.STB_GLOBAL {
			o.Entry = pc
		}
	}
	if o.Entry < 0 {
		return nil, errf("no global function named entrypoint")
	}

	syscallNames := map[uint32]string{}
	resolved := map[int]bool{} // call slots handled by a relocation
	callTo := func(pc, target int) {
		key := sbpf.PCHash(uint64(target))
		o.CallTargets[key] = target
		setCall(text, pc, key)
		resolved[pc] = true
	}
	for _, rs := range f.Sections {
		if rs.Type == elf.SHT_RELA {
			return nil, errf("RELA section %s: clang's BPF objects use REL", rs.Name)
		}
		if rs.Type != elf.SHT_REL {
			continue
		}
		target, placed := pieces[int(rs.Info)]
		if !placed {
			continue // relocations of debug or BTF sections
		}
		if target.sec != agoraelf.SectionText {
			return nil, errf("section %s relocates read-only data: pointers stored in constant data (e.g. a const table of strings) are not supported", rs.Name)
		}
		rel, err := rs.Data()
		if err != nil || len(rel)%16 != 0 {
			return nil, errf("relocation section %s is malformed", rs.Name)
		}
		for ; len(rel) > 0; rel = rel[16:] {
			off := binary.LittleEndian.Uint64(rel)
			info := binary.LittleEndian.Uint64(rel[8:])
			typ, symIdx := uint32(info), uint32(info>>32)
			if off%sbpf.InsnSize != 0 || off >= uint64(len(text))-target.base {
				return nil, errf("relocation at %#x of %s is outside the code", off, rs.Name)
			}
			pc := int((target.base + off) / sbpf.InsnSize)
			slot := text[pc*sbpf.InsnSize:]
			switch typ {
			case rBPFNone:
			case rBPF64_32:
				if slot[0] != byte(sbpf.Call) {
					return nil, errf("R_BPF_64_32 at instruction %d is not on a call", pc)
				}
				s, err := symAt(symIdx)
				if err != nil {
					return nil, err
				}
				if s.Section == elf.SHN_UNDEF {
					if !isSyscall(s.Name) {
						return nil, errf("call at instruction %d to undefined function %q, which is not a syscall", pc, s.Name)
					}
					h := sbpf.SyscallHash(s.Name)
					if prev, ok := syscallNames[h]; ok && prev != s.Name {
						return nil, errf("syscalls %q and %q have the same hash", prev, s.Name)
					}
					syscallNames[h] = s.Name
					setCall(text, pc, h)
					resolved[pc] = true
					continue
				}
				p, ok := pieces[int(s.Section)]
				if !ok || p.sec != agoraelf.SectionText {
					return nil, errf("call at instruction %d to %q, which is not code", pc, s.Name)
				}
				if imm := int32(binary.LittleEndian.Uint32(slot[4:])); imm != -1 {
					return nil, errf("call at instruction %d to %q carries an addend (%d)", pc, s.Name, imm)
				}
				if (p.base+s.Value)%sbpf.InsnSize != 0 {
					return nil, errf("call at instruction %d to a misaligned address", pc)
				}
				callTo(pc, int((p.base+s.Value)/sbpf.InsnSize))
			case rBPF64_64:
				if slot[0] != byte(sbpf.LdDwImm) || pc+1 >= len(text)/sbpf.InsnSize {
					return nil, errf("R_BPF_64_64 at instruction %d is not on an lddw", pc)
				}
				s, err := symAt(symIdx)
				if err != nil {
					return nil, err
				}
				if s.Section == elf.SHN_UNDEF {
					return nil, errf("lddw at instruction %d loads the address of undefined symbol %q", pc, s.Name)
				}
				p, ok := pieces[int(s.Section)]
				if !ok {
					return nil, errf("lddw at instruction %d loads the address of %q, which is not code or read-only data", pc, s.Name)
				}
				addend := uint64(binary.LittleEndian.Uint32(slot[4:])) | uint64(binary.LittleEndian.Uint32(slot[12:]))<<32
				o.AddrRefs = append(o.AddrRefs, agoraelf.AddrRef{PC: pc, Section: p.sec, Offset: p.base + s.Value + addend})
			case rBPF64Abs64, rBPF64Abs32, rBPF64NoDyld:
				return nil, errf("relocation type %d at instruction %d is for data, not code", typ, pc)
			default:
				return nil, errf("unknown relocation type %d at instruction %d", typ, pc)
			}
		}
	}

	// Remaining calls are pc-relative calls to static functions, and
	// every instruction must be one V0 has.
	n := len(text) / sbpf.InsnSize
	for pc := 0; pc < n; pc++ {
		slot := text[pc*sbpf.InsnSize:]
		op := slot[0]
		if op == byte(sbpf.LdDwImm) {
			pc++ // the second slot of lddw
			continue
		}
		if err := checkV0(op, pc); err != nil {
			return nil, err
		}
		if op != byte(sbpf.Call) || resolved[pc] {
			continue
		}
		imm := int64(int32(binary.LittleEndian.Uint32(slot[4:])))
		if slot[1]>>4 != pseudoCallSrc || imm == -1 {
			return nil, errf("call at instruction %d has no relocation", pc)
		}
		t := int64(pc) + 1 + imm
		if t < 0 || t >= int64(n) {
			return nil, errf("call at instruction %d jumps outside the code", pc)
		}
		callTo(pc, int(t))
	}
	o.SyscallName = func(h uint32) (string, bool) {
		name, ok := syscallNames[h]
		return name, ok
	}
	return o, nil
}

// setCall makes the call slot at pc a plain `call imm` (src 0), as the
// sBPF toolchain writes it; the writer replaces imm with a relocation.
func setCall(text []byte, pc int, imm uint32) {
	slot := text[pc*sbpf.InsnSize:]
	slot[1] &= 0x0f
	binary.LittleEndian.PutUint32(slot[4:], imm)
}

// checkV0 rejects the instruction classes sBPF V0 does not have: JMP32
// (clang -mcpu=v3) and atomics.
func checkV0(op byte, pc int) error {
	switch op & 0x07 {
	case 0x06: // BPF_JMP32
		return errf("instruction %d (opcode %#02x) is a 32-bit jump, which sBPF V0 lacks; compile with -mcpu=v2", pc, op)
	case 0x03: // BPF_STX: atomic modes
		if op&0xe0 == 0xc0 {
			return errf("instruction %d (opcode %#02x) is an atomic operation, which sBPF lacks", pc, op)
		}
	}
	return nil
}
