package conformance

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/agora-vm/agora/sbpf"
)

// EBPFTest is one file of the eBPF ISA conformance suite (bpf_conformance):
// a program, the memory r1 points at, and the r0 that plain eBPF (RFC 9669)
// gives.
type EBPFTest struct {
	Name   string
	Insns  []sbpf.Instruction // in eBPF's encoding, as the suite assembles it
	Mem    []byte
	Result uint64
	Error  string // the `-- error` section, if any
}

// ParseEBPFTest reads a .data file. Sections start with `-- name`; `#`
// starts a comment. The `raw` section (64-bit words, the opcode in the low
// byte) takes precedence over `asm`, as in the suite's own parser.
func ParseEBPFTest(name string, data []byte) (*EBPFTest, error) {
	t := &EBPFTest{Name: name}
	var asmSrc strings.Builder
	var raw, mem []string
	var result string
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if strings.HasPrefix(line, "--") {
			section = strings.TrimSpace(strings.TrimPrefix(line, "--"))
			switch section {
			case "asm", "raw", "mem", "result", "error", "c", "no register offset":
			default:
				return nil, fmt.Errorf("%s:%d: unknown section %q", name, n, section)
			}
			continue
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		switch section {
		case "asm":
			asmSrc.WriteString(line)
			asmSrc.WriteByte('\n')
		case "raw":
			raw = append(raw, strings.Fields(line)...)
		case "mem":
			mem = append(mem, strings.Fields(line)...)
		case "result":
			result = strings.TrimSpace(line)
		case "error":
			t.Error = strings.TrimSpace(line)
		default:
			// C source, free text, or text before the first section:
			// not part of the test.
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if result == "" && t.Error == "" {
		return nil, fmt.Errorf("%s: no result and no error", name)
	}
	if result != "" {
		r, err := strconv.ParseUint(result, 0, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: bad result %q", name, result)
		}
		t.Result = r
	}
	for _, b := range mem {
		x, err := strconv.ParseUint(b, 16, 8)
		if err != nil {
			return nil, fmt.Errorf("%s: bad memory byte %q", name, b)
		}
		t.Mem = append(t.Mem, byte(x))
	}
	if len(raw) > 0 {
		for _, w := range raw {
			x, err := strconv.ParseUint(w, 0, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: bad raw word %q", name, w)
			}
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], x)
			t.Insns = append(t.Insns, sbpf.Decode(b[:]))
		}
		return t, nil
	}
	insns, err := AssembleEBPF(asmSrc.String())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	t.Insns = insns
	return t, nil
}

// eBPF encoding constants (RFC 9669).
const (
	ebpfClsLD    = 0x00
	ebpfClsLDX   = 0x01
	ebpfClsST    = 0x02
	ebpfClsSTX   = 0x03
	ebpfClsALU   = 0x04
	ebpfClsJMP   = 0x05
	ebpfClsJMP32 = 0x06
	ebpfClsALU64 = 0x07
	ebpfSrcReg   = 0x08
	ebpfModeMem  = 0x60
	ebpfModeMSX  = 0x80
	ebpfModeAtom = 0xc0
	ebpfCall     = 0x85
	ebpfExit     = 0x95
	ebpfFetch    = 0x01
)

var ebpfSizes = map[string]uint8{"w": 0x00, "h": 0x08, "b": 0x10, "dw": 0x18}

var ebpfALUOps = map[string]uint8{
	"add": 0x0, "sub": 0x1, "mul": 0x2, "div": 0x3, "sdiv": 0x3, "or": 0x4, "and": 0x5,
	"lsh": 0x6, "rsh": 0x7, "neg": 0x8, "mod": 0x9, "smod": 0x9, "xor": 0xa, "mov": 0xb,
	"arsh": 0xc,
}

var ebpfJmpOps = map[string]uint8{
	"jeq": 0x1, "jgt": 0x2, "jge": 0x3, "jset": 0x4, "jne": 0x5, "jsgt": 0x6, "jsge": 0x7,
	"jlt": 0xa, "jle": 0xb, "jslt": 0xc, "jsle": 0xd,
}

var ebpfAtomicOps = map[string]int32{
	"add": 0x00, "or": 0x40, "and": 0x50, "xor": 0xa0, "xchg": 0xe0 | ebpfFetch, "cmpxchg": 0xf0 | ebpfFetch,
}

// AssembleEBPF assembles the suite's eBPF assembly (registers `%rN`,
// `lddw`, `ldxsb`, `movsx832`, `lock fetch add`, `call local label`, ...)
// into instructions in eBPF's encoding, as the suite's own assembler does:
// a jump or `call local` target is a label or a signed offset; the label
// `exit` means the first exit instruction.
func AssembleEBPF(src string) ([]sbpf.Instruction, error) {
	type fixup struct {
		slot  int
		label string
		line  int
		call  bool // the offset goes in imm
	}
	var out []sbpf.Instruction
	var fixups []fixup
	labels := map[string]int{}
	sawExit := false
	for n, line := range strings.Split(src, "\n") {
		n++
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		mn := fields[0]
		ops := fields[1:]
		for i, o := range ops {
			ops[i] = strings.TrimSuffix(o, ",")
		}
		bad := func(format string, args ...any) error {
			return fmt.Errorf("line %d: %s: %s", n, mn, fmt.Sprintf(format, args...))
		}
		if strings.HasSuffix(mn, ":") && len(ops) == 0 {
			l := strings.TrimSuffix(mn, ":")
			if _, dup := labels[l]; dup {
				return nil, bad("duplicate label")
			}
			labels[l] = len(out)
			continue
		}
		if mn == "exit" && !sawExit {
			sawExit = true
			if _, ok := labels["exit"]; !ok {
				labels["exit"] = len(out)
			}
		}
		target := func(slot int, o string, call bool) (int64, error) {
			if strings.HasPrefix(o, "+") || strings.HasPrefix(o, "-") {
				return parseEBPFInt(o)
			}
			fixups = append(fixups, fixup{slot, o, n, call})
			return 0, nil
		}
		ins := sbpf.Instruction{}
		var err error
		want := func(k int) error {
			if len(ops) != k {
				return bad("want %d operands, got %d", k, len(ops))
			}
			return nil
		}
		switch {
		case mn == "exit":
			if err := want(0); err != nil {
				return nil, err
			}
			ins.Op = ebpfExit
		case mn == "lddw":
			if err := want(2); err != nil {
				return nil, err
			}
			dst, err := ebpfReg(ops[0])
			if err != nil {
				return nil, bad("%v", err)
			}
			v, err := parseEBPFInt(ops[1])
			if err != nil {
				return nil, bad("%v", err)
			}
			out = append(out,
				sbpf.Instruction{Op: sbpf.Opcode(ebpfClsLD | ebpfSizes["dw"]), Dst: dst, Imm: int32(uint32(v))},
				sbpf.Instruction{Imm: int32(uint32(uint64(v) >> 32))})
			continue
		case strings.HasPrefix(mn, "ldx"):
			if err := want(2); err != nil {
				return nil, err
			}
			size, mode := strings.TrimPrefix(mn, "ldx"), uint8(ebpfModeMem)
			if strings.HasPrefix(size, "s") {
				size, mode = size[1:], ebpfModeMSX
			}
			sz, ok := ebpfSizes[size]
			if !ok {
				return nil, bad("unknown load")
			}
			ins.Op = sbpf.Opcode(ebpfClsLDX | mode | sz)
			if ins.Dst, err = ebpfReg(ops[0]); err == nil {
				ins.Src, ins.Off, err = ebpfMem(ops[1])
			}
		case strings.HasPrefix(mn, "stx"), strings.HasPrefix(mn, "st"):
			if err := want(2); err != nil {
				return nil, err
			}
			cls, size := uint8(ebpfClsST), strings.TrimPrefix(mn, "st")
			if strings.HasPrefix(mn, "stx") {
				cls, size = ebpfClsSTX, strings.TrimPrefix(mn, "stx")
			}
			sz, ok := ebpfSizes[size]
			if !ok {
				return nil, bad("unknown store")
			}
			ins.Op = sbpf.Opcode(cls | ebpfModeMem | sz)
			if ins.Dst, ins.Off, err = ebpfMem(ops[0]); err == nil {
				if cls == ebpfClsSTX {
					ins.Src, err = ebpfReg(ops[1])
				} else {
					ins.Imm, err = ebpfImm32(ops[1])
				}
			}
		case strings.HasPrefix(mn, "be"), strings.HasPrefix(mn, "le"),
			strings.HasPrefix(mn, "bswap"), strings.HasPrefix(mn, "swap"):
			if err := want(1); err != nil {
				return nil, err
			}
			var width string
			switch {
			case strings.HasPrefix(mn, "be"):
				ins.Op, width = ebpfClsALU|ebpfSrcReg|0xd0, mn[2:]
			case strings.HasPrefix(mn, "le"):
				ins.Op, width = ebpfClsALU|0xd0, mn[2:]
			case strings.HasPrefix(mn, "bswap"):
				ins.Op, width = ebpfClsALU64|0xd0, mn[5:]
			default:
				ins.Op, width = ebpfClsALU64|0xd0, mn[4:]
			}
			w, werr := strconv.Atoi(width)
			if werr != nil {
				return nil, bad("bad width")
			}
			ins.Imm = int32(w)
			ins.Dst, err = ebpfReg(ops[0])
		case mn == "ja" || mn == "ja32":
			if err := want(1); err != nil {
				return nil, err
			}
			var off int64
			if off, err = target(len(out), ops[0], mn == "ja32"); err == nil {
				if mn == "ja32" {
					ins.Op, ins.Imm = ebpfClsJMP32, int32(off)
				} else {
					ins.Op, ins.Off = ebpfClsJMP, int16(off)
				}
			}
		case mn == "call":
			ins.Op = ebpfCall
			mode, tgt := "helper", ""
			switch len(ops) {
			case 1:
				tgt = ops[0]
			case 2:
				mode, tgt = ops[0], ops[1]
			default:
				return nil, bad("want 1 or 2 operands")
			}
			switch mode {
			case "helper":
				if strings.HasPrefix(tgt, "%") {
					ins.Op |= ebpfSrcReg
					ins.Dst, err = ebpfReg(tgt)
				} else {
					ins.Imm, err = ebpfImm32(tgt)
				}
			case "local":
				ins.Src = 1
				var off int64
				off, err = target(len(out), tgt, true)
				ins.Imm = int32(off)
			case "runtime":
				ins.Src = 2
				ins.Imm, err = ebpfImm32(tgt)
			default:
				return nil, bad("unknown call mode %q", mode)
			}
		case mn == "lock":
			// lock [fetch] op [dst+off], src
			if len(ops) == 4 && ops[0] == "fetch" {
				ops = ops[1:]
				ins.Imm = ebpfFetch
			}
			if err := want(3); err != nil {
				return nil, err
			}
			op, width := ops[0], uint8(0x18)
			if strings.HasSuffix(op, "32") {
				op, width = strings.TrimSuffix(op, "32"), 0x00
			}
			code, ok := ebpfAtomicOps[op]
			if !ok {
				return nil, bad("unknown atomic %q", op)
			}
			ins.Op = sbpf.Opcode(ebpfClsSTX | ebpfModeAtom | width)
			ins.Imm |= code
			if ins.Dst, ins.Off, err = ebpfMem(ops[1]); err == nil {
				ins.Src, err = ebpfReg(ops[2])
			}
		default:
			base, cls := mn, uint8(ebpfClsALU64)
			// A "32" suffix selects the 32-bit class (movsx832: 8 to 32
			// bits); "64" or none the 64-bit one (movsx3264: 32 to 64).
			if strings.HasSuffix(base, "32") {
				base, cls = strings.TrimSuffix(base, "32"), ebpfClsALU
			} else if strings.HasSuffix(base, "64") {
				base = strings.TrimSuffix(base, "64")
			}
			if jop, ok := ebpfJmpOps[base]; ok {
				if err := want(3); err != nil {
					return nil, err
				}
				jcls := uint8(ebpfClsJMP)
				if cls == ebpfClsALU {
					jcls = ebpfClsJMP32
				}
				ins.Op = sbpf.Opcode(jcls | jop<<4)
				if ins.Dst, err = ebpfReg(ops[0]); err != nil {
					break
				}
				if strings.HasPrefix(ops[1], "%") {
					ins.Op |= ebpfSrcReg
					ins.Src, err = ebpfReg(ops[1])
				} else {
					ins.Imm, err = ebpfImm32(ops[1])
				}
				if err == nil {
					var off int64
					off, err = target(len(out), ops[2], false)
					ins.Off = int16(off)
				}
				break
			}
			if strings.HasPrefix(base, "movsx") {
				w, werr := strconv.Atoi(strings.TrimPrefix(base, "movsx"))
				if werr != nil {
					return nil, bad("bad movsx width")
				}
				ins.Off, base = int16(w), "mov"
			}
			aop, ok := ebpfALUOps[base]
			if !ok {
				return nil, bad("unknown mnemonic")
			}
			if base == "sdiv" || base == "smod" {
				ins.Off = 1
			}
			ins.Op = sbpf.Opcode(cls | aop<<4)
			if base == "neg" {
				if err := want(1); err != nil {
					return nil, err
				}
				ins.Dst, err = ebpfReg(ops[0])
				break
			}
			if err := want(2); err != nil {
				return nil, err
			}
			if ins.Dst, err = ebpfReg(ops[0]); err != nil {
				break
			}
			if strings.HasPrefix(ops[1], "%") {
				ins.Op |= ebpfSrcReg
				ins.Src, err = ebpfReg(ops[1])
			} else {
				ins.Imm, err = ebpfImm32(ops[1])
			}
		}
		if err != nil {
			return nil, bad("%v", err)
		}
		out = append(out, ins)
	}
	for _, f := range fixups {
		t, ok := labels[f.label]
		if !ok {
			return nil, fmt.Errorf("line %d: undefined label %q", f.line, f.label)
		}
		off := t - f.slot - 1
		if f.call {
			out[f.slot].Imm = int32(off)
		} else {
			out[f.slot].Off = int16(off)
		}
	}
	return out, nil
}

// ebpfReg parses %r0..%r15 (r11-r15 exist for negative tests).
func ebpfReg(s string) (uint8, error) {
	n, err := strconv.ParseUint(strings.TrimPrefix(s, "%r"), 10, 8)
	if !strings.HasPrefix(s, "%r") || err != nil || n > 15 {
		return 0, fmt.Errorf("bad register %q", s)
	}
	return uint8(n), nil
}

// ebpfMem parses [%rN], [%rN+off] or [%rN-off].
func ebpfMem(s string) (uint8, int16, error) {
	if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") {
		return 0, 0, fmt.Errorf("bad memory operand %q", s)
	}
	s = s[1 : len(s)-1]
	i := strings.IndexAny(s, "+-")
	if i < 0 {
		r, err := ebpfReg(s)
		return r, 0, err
	}
	r, err := ebpfReg(s[:i])
	if err != nil {
		return 0, 0, err
	}
	off, err := parseEBPFInt(s[i:])
	if err != nil || off < -1<<15 || off > 1<<16-1 {
		return 0, 0, fmt.Errorf("bad offset in %q", s)
	}
	return r, int16(off), nil
}

// ebpfImm32 accepts a signed 32-bit decimal or a 32-bit hex pattern.
func ebpfImm32(s string) (int32, error) {
	v, err := parseEBPFInt(s)
	if err != nil || v < -1<<31 || v > 1<<32-1 {
		return 0, fmt.Errorf("bad 32-bit immediate %q", s)
	}
	return int32(uint32(v)), nil
}

// parseEBPFInt reads [+-]decimal or [+-]0xhex; a 64-bit hex pattern is
// returned as its two's complement value.
func parseEBPFInt(s string) (int64, error) {
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	u, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("bad number %q", s)
	}
	if neg {
		return -int64(u), nil
	}
	return int64(u), nil
}

// LowerEBPF turns eBPF-encoded instructions into the sBPF program for
// version v that means the same, where sBPF has the instruction at all:
// in V0-V2 a local call (`call` with src=1 and a relative imm) becomes a
// call of a registered function key, as the reference assembler encodes
// it, and callx takes its register in imm (src in V2) instead of dst. It
// returns the text and the function registry. Everything else is copied
// bit for bit, so that what sBPF lacks stays visible to its verifier.
func LowerEBPF(insns []sbpf.Instruction, v sbpf.Version) ([]byte, map[uint32]int) {
	funcs := map[uint32]int{}
	var text []byte
	for pc, ins := range insns {
		switch {
		case ins.Op == ebpfCall && ins.Src == 1 && !v.StaticSyscalls():
			target := pc + 1 + int(ins.Imm)
			ins.Src, ins.Imm = 0, int32(target)
			funcs[uint32(target)] = target
		case ins.Op == ebpfCall|ebpfSrcReg && v.CallxUsesSrcReg():
			ins.Src, ins.Dst = ins.Dst, 0
		case ins.Op == ebpfCall|ebpfSrcReg && !v.CallxUsesDstReg():
			ins.Imm, ins.Dst = int32(ins.Dst), 0
		}
		text = sbpf.AppendEncoded(text, ins)
	}
	return text, funcs
}
