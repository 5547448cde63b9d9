package debug

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/trace"
	"github.com/agora-vm/agora/vm"
)

func recordProgram(t testing.TB, prog *vm.Program, input []byte, budget, interval uint64, dbg trace.DebugInfo) *trace.Trace {
	t.Helper()
	ctx := syscalls.NewContext([32]byte{})
	rec := trace.NewRecorder(trace.Options{Interval: interval, Logs: ctx.Messages, Debug: dbg})
	reg, err := rec.Registry(syscalls.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	exe, err := vm.Interpreter{}.Prepare(prog, reg, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	_, tr := rec.Run(vm.NewMachine(), exe, vm.RunOptions{Input: input, Budget: budget, Context: ctx})
	return tr
}

func recordAsm(t testing.TB, src string, input []byte, interval uint64) *trace.Trace {
	t.Helper()
	p, err := asm.Assemble(src, sbpf.V0, nil)
	if err != nil {
		t.Fatal(err)
	}
	var syms []trace.Symbol
	for _, pc := range p.Functions {
		syms = append(syms, trace.Symbol{PC: pc, Name: p.DisasmOptions().Names[pc]})
	}
	return recordProgram(t, vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), input, 1<<20, interval,
		trace.DebugInfo{Kind: trace.DebugLines, Path: "prog.s", Data: trace.EncodeLines(p.Lines), Symbols: syms})
}

// overflowTrace records testdata/overflow.so with its DWARF object.
func overflowTrace(t *testing.T, price, qty uint64) *trace.Trace {
	t.Helper()
	so, err := os.ReadFile("testdata/overflow.so")
	if err != nil {
		t.Fatal(err)
	}
	obj, err := os.ReadFile("testdata/overflow.o")
	if err != nil {
		t.Fatal(err)
	}
	opts := elf.DefaultOptions()
	img, err := elf.LoadImage(so, syscalls.NewRegistry(), &opts)
	if err != nil {
		t.Fatal(err)
	}
	in := binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, price), qty)
	return recordProgram(t, img.Program, in, 1<<20, 0, trace.DebugInfo{Kind: trace.DebugDWARF, Path: "testdata/overflow.so", Data: obj})
}

func script(t *testing.T, d *Debugger, cmds string) string {
	t.Helper()
	var out bytes.Buffer
	r := &REPL{D: d, Out: &out}
	for _, c := range strings.Split(strings.TrimSpace(cmds), "\n") {
		fmt.Fprintf(&out, "(agora) %s\n", strings.TrimSpace(c))
		r.Exec(c)
	}
	return out.String()
}

// TestREPLOverflowInC is the worked example: break on the C line with the
// multiplication, print its operands, step over it, see the product wrap,
// step back and see the operands again.
func TestREPLOverflowInC(t *testing.T) {
	tr := overflowTrace(t, 100000, 1<<50)
	d, err := New(tr)
	if err != nil {
		t.Fatal(err)
	}
	out := script(t, d, `
		break overflow.c:9
		run
		backtrace
		print r1
		print r2
		step
		print r1
		reverse-step
		print r1
		print [r10-8]u64
		continue
	`)
	t.Log("\n" + out)
	for _, want := range []string{
		"breakpoint 1 at pc 2 (overflow.c:9 in order_total (inlined))",
		"breakpoint 1 (overflow.c:9) hit",
		"#2 pc 2 (overflow.c:9 in order_total (inlined)): mul64 r1, r2",
		"#0 pc 2 (overflow.c:9 in order_total (inlined))",
		"r1 = 0x0004000000000000 (1125899906842624)",
		"r2 = 0x00000000000186a0 (100000)",
		"r1 = 0x1a80000000000000 (1909526242005090304)",
		"the run ended: exit with r0 = 0x0 (0)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// After the reverse step r1 is the operand again.
	tail := out[strings.Index(out, "(agora) reverse-step"):]
	if !strings.Contains(tail, "r1 = 0x0004000000000000 (1125899906842624)") {
		t.Errorf("reverse-step did not restore r1:\n%s", tail)
	}
}

const callSrc = `
entrypoint:
    mov64 r6, 0
    mov64 r7, 0
loop:
    mov64 r1, r6
    call function_square
    add64 r7, r0
    stxdw [r10-8], r7
    add64 r6, 1
    jlt r6, 50, loop
    mov64 r0, r7
    exit
function_square:
    mov64 r0, r1
    mul64 r0, r1
    stxdw [r10-16], r0
    exit
`

// TestReverseEqualsForward is the exactness property: walking backward
// one instruction at a time from the end shows, at every position, the
// state forward execution had there; so do random seeks.
func TestReverseEqualsForward(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, interval := range []uint64{1, 7, 64, 1 << 20} {
		tr := recordAsm(t, callSrc, nil, interval)
		d, err := New(tr)
		if err != nil {
			t.Fatal(err)
		}
		var fwd []*vm.State
		for !d.AtEnd() {
			fwd = append(fwd, d.State())
			d.Step(1)
		}
		fwd = append(fwd, d.State())
		if len(fwd) < 500 {
			t.Fatalf("only %d positions", len(fwd))
		}
		for p := len(fwd) - 1; p > 0; p-- {
			d.ReverseStep(1)
			if int(d.Pos()) != p-1 {
				t.Fatalf("interval %d: reverse-step from %d went to %d", interval, p, d.Pos())
			}
			if !sameState(d.State(), fwd[p-1]) {
				t.Fatalf("interval %d: state at %d differs after reverse-step", interval, p-1)
			}
		}
		for range 50 {
			p := r.IntN(len(fwd))
			d.Seek(uint64(p))
			if !sameState(d.State(), fwd[p]) {
				t.Fatalf("interval %d: seek to %d", interval, p)
			}
		}
	}
}

func sameState(a, b *vm.State) bool {
	return a.Regs == b.Regs && a.PC == b.PC && a.Remaining == b.Remaining && slices.Equal(a.Frames, b.Frames) &&
		bytes.Equal(trim(a.Stack), trim(b.Stack)) && bytes.Equal(trim(a.Heap), trim(b.Heap)) && bytes.Equal(a.Input, b.Input)
}

func trim(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}

func TestBreakWatchAndReverse(t *testing.T) {
	tr := recordAsm(t, callSrc, nil, 16)
	d, err := New(tr)
	if err != nil {
		t.Fatal(err)
	}
	out := script(t, d, `
		break function_square
		info breakpoints
		continue
		continue
		print r1
		step 2
		reverse-finish
		reverse-finish
		print r1
		reverse-continue
		print r1
		finish
		print r0
		delete
		watch r7
		continue
		continue
		print r7
		reverse-continue
		print r7
		goto 100
		info registers
		goto cu 10
		next
		next
		next
		reverse-next
		disasm
		list
		x/16B r10-16
		logs
		info accounts
		frobnicate
	`)
	t.Log("\n" + out)
	for _, want := range []string{
		"breakpoint 1 at pc 10 (prog.s:15 in function_square)",
		"(agora) reverse-finish\nbreakpoint 1 (function_square) hit\n#14 pc 10 (prog.s:15 in function_square): mov64 r0, r1\n(agora) reverse-finish\n#13 pc 3 (prog.s:7 in entrypoint): call function_square\n(agora) print r1\nr1 = 0x0000000000000001 (1)",
		"(agora) reverse-continue\nbreakpoint 1 (function_square) hit\n#4 pc 10",
		"(agora) finish\n#8 pc 4 (prog.s:8 in entrypoint): add64 r7, r0",
		"r1 = 0x0000000000000001 (1)",
		"call function_square",
		"watchpoint 2 (r7) changed: 0x0 (0) -> 0x1 (1)",
		"r7 = 0x0000000000000005 (5)",
		"#100 pc",
		"instruction 100 of",
		"error: unknown command \"frobnicate\"",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}
