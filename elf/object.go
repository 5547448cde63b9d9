package elf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/agora-vm/agora/sbpf"
)

// ErrNotDescribable marks a loaded image that Image.Object cannot turn
// back into an Object without changing what the program does.
var ErrNotDescribable = errors.New("elf: the program cannot be described for rewriting")

// Object describes a loaded image for Write, so that a disassembler or
// a rewriting tool can produce a file that loads to the same program:
// the same instructions, read-only data and entry point, and internal
// calls and address constants that resolve to the same targets.
//
// For V0-V2 the read-only data is the read-only region without the
// text, and every lddw that a relocation filled becomes an AddrRef (its
// address rebased onto that data or the text). Text still holds the
// loaded immediates: call keys, which CallTargets resolves, and
// addresses, which Write replaces. An image whose relocations wrote
// addresses into data, or whose lddw addresses point outside the text
// and read-only data, is refused with ErrNotDescribable: Write could not
// reproduce it. For V3+ the layout is fixed, so text and read-only data
// carry over as they are.
//
// syscallName names the syscalls the text calls (vm.Registry.Name
// fits); SyscallNames fills in those it does not know. Function names
// come from Labels.
func (img *Image) Object(syscallName func(uint32) (string, bool)) (*Object, error) {
	p := img.Program
	if p == nil {
		return nil, errors.New("elf: image without a program")
	}
	o := &Object{
		Version:     p.Version,
		Text:        bytes.Clone(p.Text),
		Entry:       p.Entry,
		SyscallName: img.SyscallName(syscallName),
		Functions:   map[string]int{},
	}
	for _, key := range slices.Sorted(maps.Keys(img.Labels)) {
		name := img.Labels[key]
		pc, ok := p.Functions[key]
		if !ok || name == "" || (name == "entrypoint") != (pc == p.Entry) {
			continue
		}
		if _, dup := o.Functions[name]; !dup {
			o.Functions[name] = pc
		}
	}
	if p.Version.StrictELFHeaders() {
		if p.RODataVAddr != sbpf.RodataStart || p.TextVAddr != sbpf.BytecodeStart {
			return nil, fmt.Errorf("%w: %s program maps rodata at %#x and text at %#x", ErrNotDescribable, p.Version, p.RODataVAddr, p.TextVAddr)
		}
		o.ROData = bytes.Clone(p.ROData)
		return o, nil
	}
	if img.dataRelocs > 0 {
		return nil, fmt.Errorf("%w: %d relocations write addresses into data, which a rewritten file would move", ErrNotDescribable, img.dataRelocs)
	}
	o.CallTargets = p.Functions
	textStart := p.TextVAddr - p.RODataVAddr
	textEnd := textStart + uint64(len(p.Text))
	if p.TextVAddr < p.RODataVAddr || textEnd > uint64(len(p.ROData)) {
		return nil, fmt.Errorf("%w: the text lies outside the read-only region", ErrNotDescribable)
	}
	pre, post := p.ROData[:textStart], p.ROData[textEnd:]
	o.ROData = append(bytes.Clone(pre), post...)
	roEnd := p.RODataVAddr + uint64(len(p.ROData))
	for _, pc := range img.addrPCs {
		if pc+1 >= len(p.Text)/sbpf.InsnSize {
			return nil, fmt.Errorf("%w: the address at instruction %d is not an lddw", ErrNotDescribable, pc)
		}
		lo := binary.LittleEndian.Uint32(p.Text[pc*sbpf.InsnSize+4:])
		hi := binary.LittleEndian.Uint32(p.Text[(pc+1)*sbpf.InsnSize+4:])
		addr := uint64(hi)<<32 | uint64(lo)
		var r AddrRef
		switch tEnd := p.TextVAddr + uint64(len(p.Text)); {
		case addr >= p.TextVAddr && (addr < tEnd || addr == tEnd && len(post) == 0):
			r = AddrRef{PC: pc, Section: SectionText, Offset: addr - p.TextVAddr}
		case addr >= p.RODataVAddr && addr < p.TextVAddr:
			r = AddrRef{PC: pc, Section: SectionROData, Offset: addr - p.RODataVAddr}
		case addr >= tEnd && addr <= roEnd:
			r = AddrRef{PC: pc, Section: SectionROData, Offset: uint64(len(pre)) + addr - tEnd}
		default:
			return nil, fmt.Errorf("%w: the lddw at instruction %d loads %#x, outside the text and read-only data", ErrNotDescribable, pc, addr)
		}
		o.AddrRefs = append(o.AddrRefs, r)
	}
	return o, nil
}

// SyscallName returns a syscall namer that asks known first (it may be
// nil) and then the names the file's relocations used.
func (img *Image) SyscallName(known func(uint32) (string, bool)) func(uint32) (string, bool) {
	return func(h uint32) (string, bool) {
		if known != nil {
			if n, ok := known(h); ok {
				return n, true
			}
		}
		n, ok := img.SyscallNames[h]
		return n, ok
	}
}
