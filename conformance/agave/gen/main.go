// Command gen writes seeded random sBPF programs for the Agave
// differential suite: one JSON object per line with the program's name,
// version, assembly and ELF (base64). Every program terminates: jumps go
// forward, loops count down a dedicated register, calls go to leaf
// functions. They exercise the ALU of both widths with edge values, every
// jump kind (32-bit ones from V3), loads and stores of every size on the
// stack and the input, call and callx, and sol_log_ / sol_log_64_.
//
// It must never be used for anything but generating test inputs: the
// programs mean nothing.
//
//	go run ./conformance/agave/gen -n 100 -seed 1 -version v0
package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

type program struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Asm     string `json:"asm"`
	ELF     string `json:"elf"`
}

func main() {
	n := flag.Int("n", 100, "number of programs")
	seed := flag.Uint64("seed", 1, "seed")
	version := flag.String("version", "v0", "sBPF version: v0 or v3")
	flag.Parse()
	v, err := sbpf.ParseVersion(*version)
	if err != nil || (v != sbpf.V0 && v != sbpf.V3) {
		fmt.Fprintln(os.Stderr, "gen: -version must be v0 or v3")
		os.Exit(2)
	}
	reg := syscalls.NewRegistry()
	enc := json.NewEncoder(os.Stdout)
	for i := range *n {
		r := rand.New(rand.NewPCG(*seed, uint64(i)))
		src, callxTargets := generate(r, v)
		b, err := build(src, v, reg, callxTargets)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gen: program %d: %v\n%s", i, err, src)
			os.Exit(1)
		}
		p := program{Name: fmt.Sprintf("prog-%s-%d-%d", v, *seed, i), Version: v.String(), Asm: src, ELF: base64.StdEncoding.EncodeToString(b)}
		if err := enc.Encode(p); err != nil {
			os.Exit(1)
		}
	}
}

// build assembles src into an ELF; the lddw at each callx target marker
// gets the target function's address.
func build(src string, v sbpf.Version, reg *vm.Registry, callx map[string]string) ([]byte, error) {
	p, err := asm.Assemble(src, v, nil)
	if err != nil {
		return nil, err
	}
	obj, err := elf.ObjectFromProgram(vm.NewRawProgram(p.Version, p.Text, p.Functions, p.Entry), reg.Name)
	if err != nil {
		return nil, err
	}
	obj.Functions = map[string]int{}
	for name, pc := range p.Labels {
		if name == "entrypoint" || strings.HasPrefix(name, "function_") {
			obj.Functions[name] = pc
		}
	}
	for marker, fn := range callx {
		pc, ok := p.Labels[marker]
		target, ok2 := p.Labels[fn]
		if !ok || !ok2 {
			return nil, fmt.Errorf("callx marker %s or target %s missing", marker, fn)
		}
		if v.StrictELFHeaders() {
			// Strict files map the text at the start of the bytecode
			// region: the address is a constant.
			binary.LittleEndian.PutUint32(p.Text[pc*8+4:], uint32(sbpf.BytecodeStart+uint64(target)*8))
			binary.LittleEndian.PutUint32(p.Text[pc*8+12:], uint32((sbpf.BytecodeStart+uint64(target)*8)>>32))
			obj.Text = p.Text
			continue
		}
		obj.AddrRefs = append(obj.AddrRefs, elf.AddrRef{PC: pc, Section: elf.SectionText, Offset: uint64(target) * 8})
	}
	return elf.Write(obj)
}

var edges = []uint64{0, 1, 2, 7, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
	0x100000000, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 0xfffffffffffffffe, 63, 64, 31, 32}

var aluOps = []string{"add", "sub", "mul", "div", "or", "and", "lsh", "rsh", "mod", "xor", "mov", "arsh"}
var jumpOps = []string{"jeq", "jgt", "jge", "jlt", "jle", "jset", "jne", "jsgt", "jsge", "jslt", "jsle"}

type gen struct {
	r     *rand.Rand
	v     sbpf.Version
	b     strings.Builder
	label int
	// callx maps the label of an lddw to the function whose address it
	// loads.
	callx map[string]string
}

func (g *gen) emit(format string, args ...any) { fmt.Fprintf(&g.b, "    "+format+"\n", args...) }

func (g *gen) newLabel() string { g.label++; return fmt.Sprintf("l%d", g.label) }

// reg picks a working register: r1 holds the input pointer and r9 the
// loop counter; r10 is the frame pointer.
func (g *gen) reg() int { return []int{0, 2, 3, 4, 5, 6, 7, 8}[g.r.IntN(8)] }

func (g *gen) imm() int64 {
	if g.r.IntN(2) == 0 {
		return int64(int32(uint32(edges[g.r.IntN(len(edges))])))
	}
	return int64(g.r.Int32N(2000) - 1000)
}

func (g *gen) alu() {
	op := aluOps[g.r.IntN(len(aluOps))]
	width := "64"
	if g.r.IntN(2) == 0 {
		width = "32"
	}
	d := g.reg()
	if (op == "div" || op == "mod") && g.r.IntN(8) != 0 {
		// Mostly a nonzero divisor; sometimes a register that may be zero.
		v := g.imm()
		if v == 0 {
			v = 3
		}
		g.emit("%s%s r%d, %d", op, width, d, v)
		return
	}
	if op == "lsh" || op == "rsh" || op == "arsh" {
		bits := 64
		if width == "32" {
			bits = 32
		}
		g.emit("%s%s r%d, %d", op, width, d, g.r.IntN(bits))
		return
	}
	if v := g.imm(); g.r.IntN(2) == 0 || (v == 0 && (op == "div" || op == "mod")) {
		g.emit("%s%s r%d, r%d", op, width, d, g.reg())
	} else {
		g.emit("%s%s r%d, %d", op, width, d, v)
	}
	if g.r.IntN(10) == 0 && !g.v.DisableNeg() {
		g.emit("neg%s r%d", width, d)
	}
}

func (g *gen) memory() {
	sizes := []struct {
		suffix string
		n      int
	}{{"b", 1}, {"h", 2}, {"w", 4}, {"dw", 8}}
	s := sizes[g.r.IntN(4)]
	if g.r.IntN(2) == 0 {
		// The stack frame: [r10-64, r10).
		off := -8 * (1 + g.r.IntN(8))
		switch g.r.IntN(3) {
		case 0:
			g.emit("stx%s [r10%+d], r%d", s.suffix, off, g.reg())
		case 1:
			g.emit("st%s [r10%+d], %d", s.suffix, off, g.imm())
		default:
			g.emit("ldx%s r%d, [r10%+d]", s.suffix, g.reg(), off)
		}
		return
	}
	// The input: the first 96 bytes (account count, the first account's
	// header) are always there; writes to the header make the runtime
	// refuse the write-back, which is compared too.
	off := g.r.IntN(96 - s.n)
	if g.r.IntN(4) == 0 {
		g.emit("ldx%s r%d, [r1%+d]", s.suffix, g.reg(), off)
		return
	}
	g.emit("ldx%s r%d, [r1%+d]", s.suffix, g.reg(), off)
	if g.r.IntN(6) == 0 {
		g.emit("stx%s [r1%+d], r%d", s.suffix, off, g.reg())
	}
}

func (g *gen) jump(depth int) {
	op := jumpOps[g.r.IntN(len(jumpOps))]
	if g.v.JMP32() && g.r.IntN(2) == 0 {
		op += "32"
	}
	skip := g.newLabel()
	if g.r.IntN(2) == 0 {
		g.emit("%s r%d, r%d, %s", op, g.reg(), g.reg(), skip)
	} else {
		g.emit("%s r%d, %d, %s", op, g.reg(), g.imm(), skip)
	}
	g.block(depth+1, 1+g.r.IntN(4))
	fmt.Fprintf(&g.b, "%s:\n", skip)
}

func (g *gen) loop(depth int) {
	top := g.newLabel()
	g.emit("mov64 r9, %d", 1+g.r.IntN(5))
	fmt.Fprintf(&g.b, "%s:\n", top)
	g.block(depth+1, 1+g.r.IntN(4))
	g.emit("sub64 r9, 1")
	g.emit("jne r9, 0, %s", top)
}

func (g *gen) log64() {
	g.saveR1()
	g.emit("mov64 r1, r%d", g.reg())
	for i := 2; i <= 5; i++ {
		if g.r.IntN(2) == 0 {
			g.emit("mov64 r%d, r%d", i, []int{0, 6, 7, 8}[g.r.IntN(4)])
		}
	}
	g.emit("syscall sol_log_64_")
	g.restoreR1()
}

func (g *gen) logStack() {
	g.saveR1()
	g.emit("mov64 r1, r10")
	g.emit("sub64 r1, %d", 8*(1+g.r.IntN(8)))
	g.emit("mov64 r2, %d", g.r.IntN(9))
	g.emit("syscall sol_log_")
	g.restoreR1()
}

// saveR1 keeps the input pointer across a syscall in the last stack slot
// (the program's random stores use the slots above it).
func (g *gen) saveR1()    { g.emit("stxdw [r10-72], r1") }
func (g *gen) restoreR1() { g.emit("ldxdw r1, [r10-72]") }

func (g *gen) block(depth, n int) {
	for range n {
		k := g.r.IntN(20)
		switch {
		case k < 9:
			g.alu()
		case k < 13:
			g.memory()
		case k < 15 && depth < 3:
			g.jump(depth)
		case k == 15 && depth == 0:
			g.loop(depth)
		case k == 16:
			g.log64()
		case k == 17:
			g.logStack()
		case k == 18:
			g.saveR1()
			g.emit("call function_leaf%d", g.r.IntN(2))
			g.restoreR1()
		default:
			marker := g.newLabel()
			fn := fmt.Sprintf("function_leaf%d", g.r.IntN(2))
			g.saveR1()
			fmt.Fprintf(&g.b, "%s:\n", marker)
			g.emit("lddw r6, 0")
			g.callx[marker] = fn
			g.emit("callx r6")
			g.restoreR1()
		}
	}
}

func generate(r *rand.Rand, v sbpf.Version) (string, map[string]string) {
	g := &gen{r: r, v: v, callx: map[string]string{}}
	g.b.WriteString("entrypoint:\n")
	for _, d := range []int{0, 2, 3, 4, 5, 6, 7, 8} {
		g.emit("lddw r%d, %#x", d, edges[r.IntN(len(edges))])
	}
	g.block(0, 8+r.IntN(24))
	// Show every working register, then return 0 or a register: a
	// nonzero r0 fails the instruction with Custom(r0) or a named status.
	g.saveR1()
	g.emit("mov64 r1, r0")
	g.emit("mov64 r2, r2")
	g.emit("syscall sol_log_64_")
	g.emit("mov64 r1, r5")
	g.emit("mov64 r2, r6")
	g.emit("mov64 r3, r7")
	g.emit("mov64 r4, r8")
	g.emit("syscall sol_log_64_")
	if r.IntN(5) != 0 {
		g.emit("mov64 r0, 0")
	}
	g.emit("exit")
	for i := range 2 {
		fmt.Fprintf(&g.b, "\nfunction_leaf%d:\n", i)
		for range 1 + r.IntN(4) {
			g.alu()
		}
		g.emit("exit")
	}
	return g.b.String(), g.callx
}
