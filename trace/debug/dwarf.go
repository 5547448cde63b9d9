package debug

import (
	"bytes"
	"debug/dwarf"
	"debug/elf"
	"sort"
)

// readDWARF fills the map from the DWARF of an ELF built with clang -g
// (-gdwarf-4). The file is a BPF object or shared object whose .text is
// the program's text, so an address is a byte offset into the text. Go's
// debug/elf cannot apply BPF relocations, so the sections are read raw:
// BPF objects use REL relocations, whose addends sit in the section bytes,
// and the targets (.text, .debug_str, .debug_line) start at 0, so the raw
// bytes already hold the right offsets.
func (s *SourceMap) readDWARF(data []byte, n int) {
	defer func() {
		// debug/dwarf is not hardened against hostile input; a trace's
		// debug data is advisory, so a malformed one just yields no lines.
		_ = recover()
	}()
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return
	}
	sec := func(name string) []byte {
		sh := f.Section(name)
		if sh == nil || sh.Type == elf.SHT_NOBITS {
			return nil
		}
		b, _ := sh.Data()
		return b
	}
	d, err := dwarf.New(sec(".debug_abbrev"), nil, nil, sec(".debug_info"), sec(".debug_line"), nil, sec(".debug_ranges"), sec(".debug_str"))
	if err != nil {
		return
	}
	names := map[dwarf.Offset]string{}
	type inl struct {
		origin  dwarf.Offset
		lo, hi  int
		outerFn int
	}
	var inlined []inl
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			break
		}
		switch e.Tag {
		case dwarf.TagCompileUnit:
			lr, err := d.LineReader(e)
			if err != nil || lr == nil {
				continue
			}
			var le dwarf.LineEntry
			var prev *dwarf.LineEntry
			for lr.Next(&le) == nil {
				if prev != nil && !prev.EndSequence && prev.Line > 0 {
					for pc := int(prev.Address / 8); pc < int(le.Address/8) && pc < n; pc++ {
						s.set(pc, prev.File.Name, prev.Line)
					}
				}
				cp := le
				prev = &cp
			}
		case dwarf.TagSubprogram:
			name, _ := e.Val(dwarf.AttrName).(string)
			names[e.Offset] = name
			if lo, hi, ok := pcRange(e); ok && name != "" {
				s.funcs = append(s.funcs, Func{Name: name, PC: lo, End: min(hi, n)})
			}
		case dwarf.TagInlinedSubroutine:
			if lo, hi, ok := pcRange(e); ok {
				if o, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset); ok {
					inlined = append(inlined, inl{origin: o, lo: lo, hi: hi})
				}
			}
		}
	}
	// An inlined call gets its own (innermost) range named "f (inlined)",
	// so that a backtrace shows where the source line really is.
	for _, in := range inlined {
		if nm := names[in.origin]; nm != "" {
			s.inlined = append(s.inlined, Func{Name: nm + " (inlined)", PC: in.lo, End: min(in.hi, n)})
		}
	}
	sort.Slice(s.inlined, func(i, j int) bool { return s.inlined[i].PC < s.inlined[j].PC })
}

// pcRange reads a DIE's [low_pc, high_pc) as instruction indices.
func pcRange(e *dwarf.Entry) (int, int, bool) {
	lo, ok := e.Val(dwarf.AttrLowpc).(uint64)
	if !ok {
		return 0, 0, false
	}
	var hi uint64
	switch v := e.Val(dwarf.AttrHighpc).(type) {
	case uint64:
		hi = v
	case int64:
		hi = lo + uint64(v) // DWARF 4: a length
	default:
		return 0, 0, false
	}
	if hi <= lo || hi/8 > 1<<31 {
		return 0, 0, false
	}
	return int(lo / 8), int(hi / 8), true
}
