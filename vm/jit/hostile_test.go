package jit

import (
	"errors"
	"testing"
	"time"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

type I = sbpf.Instruction

// TestHostilePrograms runs programs written to break a compiler on both
// engines: each must end with the interpreter's fault (kind, pc and CU),
// and the host must survive.
func TestHostilePrograms(t *testing.T) {
	tests := []struct {
		name   string
		v      sbpf.Version
		text   []byte
		budget uint64
		funcs  map[uint32]int
		kind   vm.ErrorKind
	}{
		{"jump into the middle of an lddw", sbpf.V0, assemble(
			I{Op: sbpf.Ja, Off: 1},
			I{Op: sbpf.LdDwImm, Dst: 0, Imm: 1}, I{Imm: 0x95}, // second slot looks like exit
			I{Op: sbpf.Exit}), 100, nil, vm.UnsupportedInstruction},
		{"huge positive offset", sbpf.V0, assemble(
			I{Op: sbpf.LdxDW, Dst: 0, Src: 1, Off: 0x7fff}, I{Op: sbpf.Exit}), 100, nil, vm.AccessViolation},
		{"huge negative offset", sbpf.V0, assemble(
			I{Op: sbpf.StxDW, Dst: 1, Src: 1, Off: -0x8000}, I{Op: sbpf.Exit}), 100, nil, vm.AccessViolation},
		{"address wrapping past 2^64", sbpf.V0, assemble(
			I{Op: sbpf.Mov64Imm, Dst: 1, Imm: -1}, I{Op: sbpf.LdxB, Dst: 0, Src: 1, Off: 2}, I{Op: sbpf.Exit}), 100, nil, vm.AccessViolation},
		{"store into the program", sbpf.V0, assemble(
			I{Op: sbpf.LdDwImm, Dst: 1, Imm: 0}, I{Imm: 1}, I{Op: sbpf.StDWImm, Dst: 1, Imm: 7}, I{Op: sbpf.Exit}), 100, nil, vm.AccessViolation},
		{"stack gap", sbpf.V0, assemble(
			I{Op: sbpf.StxDW, Dst: 10, Src: 1, Off: 0}, I{Op: sbpf.Exit}), 100, nil, vm.StackAccessViolation},
		{"callx to a non-function address", sbpf.V0, assemble(
			I{Op: sbpf.Mov64Imm, Dst: 2, Imm: 3}, I{Op: sbpf.Callx, Imm: 2}, I{Op: sbpf.Exit}), 100, nil, vm.CallOutsideTextSegment},
		{"callx into an lddw's second slot", sbpf.V0, assemble(
			I{Op: sbpf.LdDwImm, Dst: 2, Imm: 8}, I{Imm: int32(sbpf.BytecodeStart >> 32)},
			I{Op: sbpf.Callx, Imm: 2}, I{Op: sbpf.Exit}), 100, nil, vm.UnsupportedInstruction},
		{"deep recursion", sbpf.V0, assemble(
			I{Op: sbpf.Call, Imm: int32(sbpf.PCHash(0))}, I{Op: sbpf.Exit}), 10_000, map[uint32]int{sbpf.PCHash(0): 0}, vm.CallDepthExceeded},
		{"deep recursion, dynamic frames", sbpf.V2, assemble(
			I{Op: sbpf.Call, Imm: int32(sbpf.PCHash(0))}, I{Op: sbpf.Exit}), 10_000, map[uint32]int{sbpf.PCHash(0): 0}, vm.CallDepthExceeded},
		{"budget exhaustion in a tight loop", sbpf.V0, assemble(I{Op: sbpf.Ja, Off: -1}), 1_000_003, nil, vm.ExceededMaxInstructions},
		{"budget exhaustion mid-block", sbpf.V3, assemble(
			I{Op: sbpf.Add64Imm, Dst: 0, Imm: 1}, I{Op: sbpf.Add64Imm, Dst: 0, Imm: 1}, I{Op: sbpf.Add64Imm, Dst: 0, Imm: 1},
			I{Op: sbpf.Ja, Off: -4}), 1_000, nil, vm.ExceededMaxInstructions},
		{"fall off the end", sbpf.V4, assemble(I{Op: sbpf.Mov64Imm, Dst: 0, Imm: 1}), 100, nil, vm.ExecutionOverrun},
		{"unknown register number", sbpf.V0, assemble(
			I{Op: sbpf.Mov64Imm, Dst: 12, Imm: 1}, I{Op: sbpf.Exit}), 100, nil, vm.KindNone},
	}
	p := newPair()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog := vm.NewRawProgram(tt.v, tt.text, tt.funcs, 0)
			p.check(t, prog, vm.Config{}, make([]byte, 16), tt.budget)
			r, err := quiet.PrepareJIT(prog, p.reg, vm.Config{})
			if err != nil {
				t.Fatal(err)
			}
			res := r.Run(nil, vm.RunOptions{Input: make([]byte, 16), Budget: tt.budget})
			var ve *vm.Error
			kind := vm.KindNone
			if errors.As(res.Err, &ve) {
				kind = ve.Kind
			}
			if kind != tt.kind {
				t.Fatalf("fault %v (%v), want %v", kind, res.Err, tt.kind)
			}
		})
	}
}

// recorder is a write watcher that keeps every old value it is shown.
type recorder struct{ writes []uint64 }

func (r *recorder) BeforeWrite(addr uint64, old []byte) { r.writes = append(r.writes, addr) }
func (r *recorder) AtExit(*vm.Machine) error            { return nil }

// TestWatchersSeeCompiledStores installs a watcher from a syscall: the
// compiled stores after it must be reported exactly as the interpreter
// reports them.
func TestWatchersSeeCompiledStores(t *testing.T) {
	reg := vm.NewRegistry()
	var rec *recorder
	reg.MustRegister("watch", func(m *vm.Machine, _, _, _, _, _ uint64) (uint64, error) {
		m.WatchWrites(rec)
		return 0, nil
	})
	text := assemble(
		I{Op: sbpf.StDWImm, Dst: 1, Off: 0, Imm: 1}, // before the watcher: not reported
		I{Op: sbpf.Call, Imm: int32(sbpf.SyscallHash("watch"))},
		I{Op: sbpf.StDWImm, Dst: 1, Off: 8, Imm: 2},
		I{Op: sbpf.StxB, Dst: 1, Src: 1, Off: 3},
		I{Op: sbpf.StxDW, Dst: 10, Src: 1, Off: -8}, // the stack is not watched
		I{Op: sbpf.Exit},
	)
	prog := vm.NewRawProgram(sbpf.V0, text, nil, 0)
	var got [2][]uint64
	for i, e := range []vm.Engine{vm.Interpreter{}, quiet} {
		rec = &recorder{}
		r, err := e.Prepare(prog, reg, vm.Config{})
		if err != nil {
			t.Fatal(err)
		}
		if res := r.Run(nil, vm.RunOptions{Input: make([]byte, 16), Budget: 100}); res.Err != nil {
			t.Fatal(res.Err)
		}
		got[i] = rec.writes
	}
	if len(got[0]) != 2 || len(got[1]) != len(got[0]) || got[0][0] != got[1][0] || got[0][1] != got[1][1] {
		t.Fatalf("interpreter saw %#x, jit saw %#x", got[0], got[1])
	}
}

// TestTieredCompilesHotPrograms runs a program until the auto engine
// switches to machine code; every run gives the interpreter's result.
func TestTieredCompilesHotPrograms(t *testing.T) {
	text := assemble(I{Op: sbpf.Mov64Imm, Dst: 0, Imm: 5}, I{Op: sbpf.Add64Imm, Dst: 0, Imm: 1}, I{Op: sbpf.Exit})
	prog := vm.NewRawProgram(sbpf.V0, text, nil, 0)
	tier := &Tiered{Threshold: 3, Compiler: quiet}
	r, err := tier.Prepare(prog, nil, vm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	m := vm.NewMachine()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res := r.Run(m, vm.RunOptions{Budget: 10})
		if res.Err != nil || res.R0 != 6 || res.CU != 3 {
			t.Fatalf("r0=%d cu=%d err=%v", res.R0, res.CU, res.Err)
		}
		if r.(*tieredRunnable).code.Load() != nil || !wantCompiled() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the program was never compiled")
		}
		time.Sleep(time.Millisecond)
	}
	// A second Prepare of the same program finds the cached code.
	r2, _ := tier.Prepare(prog, nil, vm.Config{})
	if wantCompiled() && (r2.(*tieredRunnable).entry == nil || tier.Compiled() != 1) {
		t.Fatal("the compiled program was not cached")
	}
}
