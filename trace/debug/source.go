package debug

import (
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/agora-vm/agora/ovsm"
	"github.com/agora-vm/agora/trace"
)

// Location is where an instruction came from.
type Location struct {
	File     string
	Line     int
	Function string
}

// Func is a function's instructions [PC, End).
type Func struct {
	Name    string
	PC, End int
}

// SourceMap maps instructions to source lines and functions. It is built
// from the debug information a trace carries: an OVSM line table, DWARF
// from a C program built with clang -g, or the assembler's line per slot.
type SourceMap struct {
	files []string
	file  []int // file index per pc, -1 unknown
	line  []int // line per pc, 0 unknown
	funcs []Func
	// inlined are ranges of functions inlined into others (DWARF).
	inlined []Func
}

// NewSourceMap builds the map for t's program. Missing or unreadable
// debug information gives a map that knows only pcs.
func NewSourceMap(t *trace.Trace) *SourceMap {
	n := len(t.Program.Text) / 8
	s := &SourceMap{file: make([]int, n), line: make([]int, n)}
	for i := range s.file {
		s.file[i] = -1
	}
	switch t.Debug.Kind {
	case trace.DebugOVSM:
		d, err := ovsm.ParseDebugInfo(t.Debug.Data)
		if err != nil {
			break
		}
		for pc := range n {
			if loc, ok := d.Lookup(pc); ok && loc.Line > 0 {
				s.set(pc, loc.File, loc.Line)
			}
		}
		for _, f := range d.Functions {
			s.funcs = append(s.funcs, Func{Name: f.Name, PC: f.PC, End: f.End})
		}
		// The compiler names the source as written; prefer the path the
		// run was started with, so that list finds the file.
		if len(s.files) > 0 && strings.HasSuffix(strings.ToLower(t.Debug.Path), ".ovsm") {
			for i, f := range s.files {
				if f == d.Source {
					s.files[i] = t.Debug.Path
				}
			}
		}
	case trace.DebugLines:
		for pc, l := range trace.DecodeLines(t.Debug.Data) {
			if pc < n && l > 0 {
				s.set(pc, t.Debug.Path, l)
			}
		}
	case trace.DebugDWARF:
		s.readDWARF(t.Debug.Data, n)
	}
	if len(s.funcs) == 0 {
		// Name the functions the program registers by their entry pc,
		// with the trace's symbols where it has them.
		syms := map[int]string{}
		for _, sy := range t.Debug.Symbols {
			syms[sy.PC] = sy.Name
		}
		pcs := []int{t.Program.Entry}
		for _, pc := range t.Program.Functions {
			pcs = append(pcs, pc)
		}
		sort.Ints(pcs)
		for i, pc := range pcs {
			if i > 0 && pc == pcs[i-1] {
				continue
			}
			name := "fn_" + strconv.Itoa(pc)
			if n, ok := syms[pc]; ok {
				name = n
			} else if pc == t.Program.Entry {
				name = "entrypoint"
			}
			s.funcs = append(s.funcs, Func{Name: name, PC: pc, End: n})
		}
		for i := range s.funcs {
			if i+1 < len(s.funcs) {
				s.funcs[i].End = s.funcs[i+1].PC
			}
		}
	}
	sort.Slice(s.funcs, func(i, j int) bool { return s.funcs[i].PC < s.funcs[j].PC })
	return s
}

func (s *SourceMap) set(pc int, file string, line int) {
	fi := -1
	for i, f := range s.files {
		if f == file {
			fi = i
		}
	}
	if fi < 0 {
		fi = len(s.files)
		s.files = append(s.files, file)
	}
	s.file[pc], s.line[pc] = fi, line
}

// Lookup returns pc's source location; ok is false when neither a line
// nor a function is known.
func (s *SourceMap) Lookup(pc int) (Location, bool) {
	var loc Location
	if pc >= 0 && pc < len(s.line) && s.line[pc] > 0 {
		loc.File, loc.Line = s.files[s.file[pc]], s.line[pc]
	}
	if f, ok := s.FuncAt(pc); ok {
		loc.Function = f.Name
	}
	for _, f := range s.inlined {
		if pc >= f.PC && pc < f.End {
			loc.Function = f.Name
		}
	}
	return loc, loc.Line > 0 || loc.Function != ""
}

// FuncAt returns the function containing pc.
func (s *SourceMap) FuncAt(pc int) (Func, bool) {
	i := sort.Search(len(s.funcs), func(i int) bool { return s.funcs[i].PC > pc }) - 1
	if i < 0 || pc >= s.funcs[i].End {
		return Func{}, false
	}
	return s.funcs[i], true
}

// Symbol returns the entry pc of the function called name.
func (s *SourceMap) Symbol(name string) (int, bool) {
	for _, f := range s.funcs {
		if f.Name == name {
			return f.PC, true
		}
	}
	return 0, false
}

// LinePCs returns the first pc of each run of instructions for file:line
// (file matches by suffix, so "agent.ovsm" finds "examples/agent.ovsm").
func (s *SourceMap) LinePCs(file string, line int) []int {
	var out []int
	for pc := range s.line {
		if s.line[pc] != line || !sameFile(s.files[s.file[pc]], file) {
			continue
		}
		if pc > 0 && s.line[pc-1] == line && s.file[pc-1] == s.file[pc] {
			continue
		}
		out = append(out, pc)
	}
	return out
}

func sameFile(have, want string) bool {
	if have == want {
		return true
	}
	return strings.HasSuffix(filepath.ToSlash(have), "/"+filepath.ToSlash(want)) || filepath.Base(have) == want
}

// Files returns the source files the map knows.
func (s *SourceMap) Files() []string { return s.files }
