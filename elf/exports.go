package elf

import (
	"fmt"
	"sort"

	"github.com/agora-vm/agora/sbpf"
)

// Export is a function a program exports: a defined global function
// symbol of its dynamic symbol table.
type Export struct {
	Name string
	// Hash is murmur3-32 of the name (sbpf.HashSymbol), the key callers
	// name the function by.
	Hash uint32
	// PC is the function's instruction index in .text.
	PC int
}

// MaxExports bounds the exports Exports reads, so that a crafted symbol
// count costs nothing.
const MaxExports = 1024

// Exports returns the functions data exports, sorted by name: the
// defined, global STT_FUNC entries of .dynsym that point at an
// instruction of .text. Files without a dynamic symbol table (the strict
// V3+ layout) export nothing. Two names with the same hash are an error
// (SymbolHashCollision), as in a function registry. It never panics.
func Exports(data []byte) ([]Export, error) {
	e, perr := parseLenient(data)
	if perr != nil {
		return nil, perr
	}
	if !e.dynsyms.ok || e.dynstr < 0 {
		return nil, nil
	}
	ti := e.findSection(".text")
	if ti < 0 {
		return nil, &Error{Kind: UnknownSymbol, Detail: "no .text section for the exports to point into"}
	}
	text := e.shdrs[ti]
	var out []Export
	byHash := map[uint32]string{}
	for i := uint64(1); i < e.dynsyms.count; i++ {
		sym := decodeSymbol(e.dynsyms.entry(data, i))
		if sym.info&0xf != sttFunc || sym.info>>4 != stbGlobal || sym.shndx == shnUndef {
			continue
		}
		if !text.vmContains(sym.value) || (sym.value-text.addr)%sbpf.InsnSize != 0 {
			continue
		}
		if len(out) == MaxExports {
			return nil, &Error{Kind: UnknownSymbol, Value: i, Detail: fmt.Sprintf("more than %d exported functions", MaxExports)}
		}
		name, serr := stringAt(data, &e.shdrs[e.dynstr], sym.name, debugSymbolNameMax)
		if serr != nil {
			return nil, serr
		}
		h := sbpf.HashSymbol(name)
		if prev, dup := byHash[h]; dup {
			if prev == string(name) {
				continue
			}
			return nil, &Error{Kind: SymbolHashCollision, Value: uint64(h), Name: string(name), Detail: "exports " + prev + " and " + string(name) + " hash alike"}
		}
		byHash[h] = string(name)
		out = append(out, Export{Name: string(name), Hash: h, PC: int((sym.value - text.addr) / sbpf.InsnSize)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
