package ovsm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/vm"
)

// Debug information: a side table that maps every instruction of a
// compiled program to the OVSM source line and column it came from, and
// names the function each instruction belongs to.
//
// It is kept out of the ELF (whose loaders accept only the sections
// Solana defines) and written next to it: for prog.so the CLI writes
// prog.so.dbg.json (see DebugInfoPath). The file is JSON:
//
//	{
//	  "format": "agora-ovsm-debug/1",
//	  "source": "swap.ovsm",
//	  "source_sha256": "<hex of the source's SHA-256>",
//	  "elf_sha256": "<hex of the ELF's SHA-256>",
//	  "sbpf_version": "v0",
//	  "functions": [{"name": "entrypoint", "pc": 0, "end": 57, "line": 3}, …],
//	  "lines": [{"pc": 0, "line": 3, "col": 3}, {"pc": 4, "line": 4, "col": 5, "runtime": true}, …]
//	}
//
// pc is an instruction index (slot) in the text, as vm.Machine.PC
// reports it; a lines entry covers every slot from its pc up to the
// next entry's (both slots of an lddw have the same line). Entries with
// "runtime": true point into the runtime library, not the program's own
// source (see RuntimeSource). functions are sorted by pc; end is
// exclusive.

// DebugFormat names the format version of DebugInfo.
const DebugFormat = "agora-ovsm-debug/1"

// runtimeFileName is the name the runtime library's positions carry.
const runtimeFileName = "<ovsm runtime>"

// DebugInfo is the line table of one compiled program.
type DebugInfo struct {
	Format       string      `json:"format"`
	Source       string      `json:"source"`
	SourceSHA256 string      `json:"source_sha256"`
	ELFSHA256    string      `json:"elf_sha256"`
	Version      string      `json:"sbpf_version"`
	Functions    []FuncRange `json:"functions"`
	Lines        []LineEntry `json:"lines"`
}

// FuncRange is the instructions of one compiled function.
type FuncRange struct {
	Name string `json:"name"`
	PC   int    `json:"pc"`
	End  int    `json:"end"`
	Line int    `json:"line"` // where it is defined (0 for the runtime library)
}

// LineEntry says that instructions from PC on come from Line:Col.
type LineEntry struct {
	PC      int  `json:"pc"`
	Line    int  `json:"line"`
	Col     int  `json:"col"`
	Runtime bool `json:"runtime,omitempty"`
}

// Location is the source of one instruction.
type Location struct {
	File     string
	Line     int
	Col      int
	Function string
}

// String renders file:line:col (function).
func (l Location) String() string {
	if l.Function != "" {
		return fmt.Sprintf("%s:%d:%d (%s)", l.File, l.Line, l.Col, l.Function)
	}
	return fmt.Sprintf("%s:%d:%d", l.File, l.Line, l.Col)
}

// Lookup returns the source location of instruction pc.
func (d *DebugInfo) Lookup(pc int) (Location, bool) {
	if d == nil || pc < 0 {
		return Location{}, false
	}
	i := sort.Search(len(d.Lines), func(i int) bool { return d.Lines[i].PC > pc }) - 1
	if i < 0 {
		return Location{}, false
	}
	e := d.Lines[i]
	loc := Location{File: d.Source, Line: e.Line, Col: e.Col}
	if e.Runtime {
		loc.File = runtimeFileName
	}
	if f, ok := d.FunctionAt(pc); ok {
		if pc >= f.End {
			return Location{}, false
		}
		loc.Function = f.Name
	}
	return loc, true
}

// FunctionAt returns the function containing instruction pc.
func (d *DebugInfo) FunctionAt(pc int) (FuncRange, bool) {
	if d == nil {
		return FuncRange{}, false
	}
	i := sort.Search(len(d.Functions), func(i int) bool { return d.Functions[i].PC > pc }) - 1
	if i < 0 || pc >= d.Functions[i].End {
		return FuncRange{}, false
	}
	return d.Functions[i], true
}

// PCsForLine returns the first instruction of every run of instructions
// generated for a source line (the places a debugger puts a breakpoint).
func (d *DebugInfo) PCsForLine(line int) []int {
	var out []int
	for _, e := range d.Lines {
		if e.Line == line && !e.Runtime {
			out = append(out, e.PC)
		}
	}
	return out
}

// Marshal returns the JSON form of the table.
func (d *DebugInfo) Marshal() ([]byte, error) { return json.MarshalIndent(d, "", " ") }

// ParseDebugInfo reads a table written by Marshal, checking its format.
func ParseDebugInfo(data []byte) (*DebugInfo, error) {
	var d DebugInfo
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("ovsm: debug info: %w", err)
	}
	if d.Format != DebugFormat {
		return nil, fmt.Errorf("ovsm: debug info format %q, want %q", d.Format, DebugFormat)
	}
	if !sort.SliceIsSorted(d.Lines, func(i, j int) bool { return d.Lines[i].PC < d.Lines[j].PC }) ||
		!sort.SliceIsSorted(d.Functions, func(i, j int) bool { return d.Functions[i].PC < d.Functions[j].PC }) {
		return nil, fmt.Errorf("ovsm: debug info entries are not sorted by pc")
	}
	return &d, nil
}

// Matches reports whether the table describes this ELF file.
func (d *DebugInfo) Matches(elfFile []byte) bool {
	s := sha256.Sum256(elfFile)
	return d != nil && d.ELFSHA256 == hex.EncodeToString(s[:])
}

// DebugInfoPath is where the debug table of the ELF file at soPath is
// kept.
func DebugInfoPath(soPath string) string { return soPath + ".dbg.json" }

func (c *compiler) debugInfo(insts []*instance, pos []srcPos) *DebugInfo {
	s := sha256.Sum256(c.src)
	d := &DebugInfo{Format: DebugFormat, Source: c.file, SourceSHA256: hex.EncodeToString(s[:]), Version: c.opts.Version.String()}
	for _, ins := range insts {
		line := 0
		if ins.decl != nil && ins.decl.file == 0 {
			line = ins.decl.node.Pos.Line
		} else if ins.lambda != nil && ins.lambda.node != nil {
			line = ins.lambda.node.Pos.Line
		} else if ins.entry && c.entry != nil {
			line = c.entry.Pos.Line
		}
		d.Functions = append(d.Functions, FuncRange{Name: ins.name, PC: ins.pc, End: ins.pc + len(ins.mc.slots), Line: line})
	}
	sort.Slice(d.Functions, func(i, j int) bool { return d.Functions[i].PC < d.Functions[j].PC })
	var last srcPos
	for pc, p := range pos {
		if pc > 0 && p == last {
			continue
		}
		last = p
		d.Lines = append(d.Lines, LineEntry{PC: pc, Line: int(p.line), Col: int(p.col), Runtime: p.file == 1})
	}
	return d
}

// writeELF writes obj, loads it back, and patches the pointers that
// read-only objects hold to each other once the load shows where the
// read-only data lands.
func (c *compiler) writeELF(obj *elf.Object) ([]byte, *vm.Program, error) {
	internal := func(err error) error {
		return Diagnostics{{Kind: InternalError, File: c.file, Line: 1, Col: 1, Message: "internal error: " + err.Error()}}
	}
	out, err := elf.Write(obj)
	if err != nil {
		return nil, nil, internal(err)
	}
	prog, err := elf.Load(out, nil, nil)
	if err != nil {
		return nil, nil, internal(err)
	}
	if len(c.ro.ptrs) > 0 {
		base, ok := rodataBase(obj, prog)
		if !ok {
			// no code refers to read-only data, so no object is reachable
			return out, prog, nil
		}
		for _, p := range c.ro.ptrs {
			putU64(obj.ROData[p.at:], base+uint64(p.target))
		}
		if out, err = elf.Write(obj); err != nil {
			return nil, nil, internal(err)
		}
		if prog, err = elf.Load(out, nil, nil); err != nil {
			return nil, nil, internal(err)
		}
	}
	return out, prog, nil
}

// rodataBase finds the address of rodata offset 0 from any lddw that
// loads a rodata address.
func rodataBase(obj *elf.Object, prog *vm.Program) (uint64, bool) {
	for _, r := range obj.AddrRefs {
		if r.Section != elf.SectionROData {
			continue
		}
		lo := getU32(prog.Text[r.PC*8+4:])
		hi := getU32(prog.Text[r.PC*8+12:])
		return (uint64(hi)<<32 | uint64(lo)) - r.Offset, true
	}
	return 0, false
}

func putU64(b []byte, v uint64) {
	for i := 0; i < 8; i++ {
		b[i] = byte(v >> (8 * i))
	}
}

func getU32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}
