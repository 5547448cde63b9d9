package debug

import (
	"testing"

	"github.com/agora-vm/agora/ext/lanes"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/trace"
	"github.com/agora-vm/agora/vm"
)

// lanesSrc spawns two children (pc 1) that each loop over a call and a
// sol_sha256 of their argument, so a child's timeline has calls, frames
// and syscall answers to step through and back over.
const lanesSrc = `
    ja main
child:
    mov64 r9, r1
    ldxdw r8, [r1+0]
    mov64 r7, 0
again:
    mov64 r1, r8
    call function_square
    add64 r7, r0
    stxdw [r10-16], r9
    mov64 r2, 8
    stxdw [r10-8], r2
    mov64 r1, r10
    sub64 r1, 16
    mov64 r2, 1
    mov64 r3, r10
    sub64 r3, 48
    syscall sol_sha256
    ldxdw r1, [r10-48]
    xor64 r7, r1
    sub64 r8, 1
    jne r8, 0, again
    mov64 r0, r7
    exit
function_square:
    mov64 r0, r1
    mul64 r0, r1
    stxdw [r10-8], r0
    exit
main:
    stdw [r10-8], 9
    mov64 r1, 1
    mov64 r2, r10
    sub64 r2, 8
    mov64 r3, 8
    mov64 r4, 100000
    syscall agora_parallel_spawn
    mov64 r6, r0
    stdw [r10-8], 13
    mov64 r1, 1
    mov64 r4, 100000
    syscall agora_parallel_spawn
    mov64 r7, r0
    mov64 r1, r6
    mov64 r3, 0
    syscall agora_parallel_join
    mov64 r8, r0
    mov64 r1, r7
    mov64 r3, 0
    syscall agora_parallel_join
    xor64 r0, r8
    exit
`

func recordLanes(t *testing.T, interval uint64) *trace.Trace {
	t.Helper()
	p, err := asm.Assemble(lanesSrc, sbpf.V0, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := syscalls.NewRegistry()
	if err := lanes.Register(reg); err != nil {
		t.Fatal(err)
	}
	var syms []trace.Symbol
	for _, pc := range p.Functions {
		syms = append(syms, trace.Symbol{PC: pc, Name: p.DisasmOptions().Names[pc]})
	}
	rec := trace.NewRecorder(trace.Options{Interval: interval, Debug: trace.DebugInfo{Kind: trace.DebugLines, Path: "lanes.s", Data: trace.EncodeLines(p.Lines), Symbols: syms}})
	wrapped, err := rec.Registry(reg)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), wrapped, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	res, tr := rec.Run(vm.NewMachine(), exe, vm.RunOptions{Budget: 1 << 20, Context: syscalls.NewContext([32]byte{})})
	if res.Err != nil || len(tr.Lanes) != 2 {
		t.Fatalf("run: %v, %d lanes", res.Err, len(tr.Lanes))
	}
	return tr
}

// TestReverseEqualsForwardInLanes is the exactness property inside child
// lanes: in each lane, walking backward one instruction at a time from
// the lane's end shows the state forward execution had; and breakpoints
// set on the program's debugger stop its lanes.
func TestReverseEqualsForwardInLanes(t *testing.T) {
	for _, interval := range []uint64{1, 1 << 20} {
		root, err := New(recordLanes(t, interval))
		if err != nil {
			t.Fatal(err)
		}
		for i := range root.Lanes() {
			d, err := root.Lane(i)
			if err != nil {
				t.Fatal(err)
			}
			if d.Root() != root || d.State().PC != 1 {
				t.Fatalf("lane %d opens at pc %d", i, d.State().PC)
			}
			var fwd []*vm.State
			for !d.AtEnd() {
				fwd = append(fwd, d.State())
				d.Step(1)
			}
			fwd = append(fwd, d.State())
			if len(fwd) < 100 || d.Result().Err != nil || d.Result().R0 != root.Lanes()[i].Outcome.R0 {
				t.Fatalf("lane %d: %d positions, result %+v", i, len(fwd), d.Result())
			}
			for p := len(fwd) - 1; p > 0; p-- {
				d.ReverseStep(1)
				if int(d.Pos()) != p-1 || !sameState(d.State(), fwd[p-1]) {
					t.Fatalf("lane %d: state at %d differs after reverse-step (at %d)", i, p-1, d.Pos())
				}
			}
		}
		// function_square's entry: a breakpoint on the program's debugger
		// stops a lane, and the program never reaches it.
		pc, ok := root.Src.Symbol("function_square")
		if !ok {
			t.Fatal("no function_square")
		}
		bp := root.Break(pc, "function_square")
		if s := root.Continue(); s.Reason == "breakpoint" {
			t.Fatalf("the program stopped in its children's code: %+v", s)
		}
		d, _ := root.Lane(1)
		d.Seek(0)
		if s := d.Continue(); s.Reason != "breakpoint" || s.Breakpoint != bp || d.State().Regs[1] != 13 {
			t.Fatalf("lane 2: %+v, r1 = %d", s, d.State().Regs[1])
		}
		root.Delete(bp.ID)
		if s := d.Continue(); !d.AtEnd() {
			t.Fatalf("lane 2 after delete: %+v", s)
		}
	}
}
