package verify

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/sbpf/extnames"
)

// laneAliases are the assembler mnemonics of ext/lanes.
var laneAliases = map[string]string{
	"parallel_spawn": SpawnName, "parallel_join": JoinName, "parallel_fence": FenceName,
	"atomic_store": extnames.AtomicStore, "atomic_cas": extnames.AtomicCAS, "atomic_load": extnames.AtomicLoad,
}

func lanesOf(t *testing.T, src string) *LaneReport {
	t.Helper()
	p, err := asm.Assemble(src, sbpf.V0, &asm.Options{Aliases: laneAliases})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := LanePairing(p.Text, sbpf.V0, &LaneOptions{
		Entry: p.Entry, Functions: p.Functions, Lines: p.Lines,
		Syscalls: hashSet(SpawnName, JoinName, FenceName, extnames.AtomicStore, extnames.AtomicCAS, extnames.AtomicLoad, "sol_log_", "sol_panic_", "abort"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func briefLanes(rep *LaneReport) (findings, overlaps string) {
	var fs, os []string
	for _, f := range rep.Findings {
		s := fmt.Sprintf("%s@%d", f.Kind, f.PC)
		if f.Verdict == PairingNotProvable {
			s += "?"
		}
		fs = append(fs, s)
	}
	for _, o := range rep.Overlaps {
		if o.Parent {
			os = append(os, fmt.Sprintf("%d/parent:%s", o.SpawnA, o.Verdict))
			continue
		}
		os = append(os, fmt.Sprintf("%d/%d:%s", o.SpawnA, o.SpawnB, o.Verdict))
	}
	return strings.Join(fs, " "), strings.Join(os, " ")
}

// The child functions the cases spawn, at fixed pcs after the parent's
// code (the parent jumps over them with `ja main`).
const laneChildren = `
    ja main
w0:                             # pc 1: writes heap word 0
    lddw r2, 0x300000000
    stxdw [r2+0], r1
    mov64 r0, 0
    exit
w8:                             # pc 6: writes heap word 8
    lddw r2, 0x300000000
    stxdw [r2+8], r1
    mov64 r0, 0
    exit
pure:                           # pc 11: reads its argument, writes only it and its stack
    ldxdw r0, [r1+0]
    stxdw [r1+0], r0
    stxdw [r10-8], r0
    exit
atom:                           # pc 15: updates heap word 0 atomically only
    lddw r1, 0x300000000
    mov64 r2, 1
    atomic_store
    exit
main:
`

func TestLanePairing(t *testing.T) {
	spawn := func(fn int) string {
		return fmt.Sprintf("    mov64 r1, %d\n    mov64 r2, r10\n    sub64 r2, 8\n    mov64 r3, 8\n    mov64 r4, 1000\n    parallel_spawn\n", fn)
	}
	for _, tc := range []struct {
		name, src          string
		verdict            PairingVerdict
		findings, overlaps string
	}{
		{"no lanes", "mov64 r0, 0\nexit", PairingProven, "", ""},
		{"spawn join", laneChildren + spawn(11) + "mov64 r1, r0\nparallel_join\nexit", PairingProven, "", ""},
		{"leak on one branch", laneChildren + spawn(11) + `
    mov64 r6, r0
    ldxdw r2, [r1+0]
    jeq r2, 0, skip
    mov64 r1, r6
    parallel_join
skip:
    mov64 r0, 0
    exit`, PairingViolation, "TaskLeak@32", ""},
		{"double join", laneChildren + spawn(11) + `
    mov64 r6, r0
    mov64 r1, r6
    parallel_join
    mov64 r1, r6
    parallel_join
    exit`, PairingViolation, "InvalidHandle@30", ""},
		{"fence then exit", laneChildren + spawn(1) + spawn(6) + "parallel_fence\nexit", PairingProven, "", "25/31:disjoint"},
		{"fence then join once", laneChildren + spawn(1) + "mov64 r6, r0\nparallel_fence\nmov64 r1, r6\nparallel_join\nexit", PairingProven, "", ""},
		{"fence then join twice", laneChildren + spawn(1) + "mov64 r6, r0\nparallel_fence\nmov64 r1, r6\nparallel_join\nmov64 r1, r6\nparallel_join\nexit", PairingViolation, "InvalidHandle@31", ""},
		{"same heap word", laneChildren + spawn(1) + "mov64 r6, r0\n" + spawn(1) + "mov64 r7, r0\nmov64 r1, r6\nparallel_join\nmov64 r1, r7\nparallel_join\nexit",
			PairingProven, "", "25/32:possible overlap"},
		{"disjoint heap words", laneChildren + spawn(1) + "mov64 r6, r0\n" + spawn(6) + "mov64 r7, r0\nmov64 r1, r6\nparallel_join\nmov64 r1, r7\nparallel_join\nexit",
			PairingProven, "", "25/32:disjoint"},
		{"atomics never conflict", laneChildren + spawn(15) + spawn(15) + "parallel_fence\nexit", PairingProven, "", "25/31:disjoint"},
		{"merged before the next spawn", laneChildren + spawn(1) + "mov64 r1, r0\nparallel_join\n" + spawn(1) + "mov64 r1, r0\nparallel_join\nexit",
			PairingProven, "", ""},
		{"join of the later merges the earlier", laneChildren + spawn(1) + "mov64 r6, r0\n" + spawn(6) + "mov64 r1, r0\nparallel_join\n" + spawn(1) + "parallel_fence\nexit",
			PairingProven, "", "25/32:disjoint"},
		{"spawn and join in a loop", laneChildren + `
    mov64 r6, 10
loop:
` + spawn(1) + `
    mov64 r1, r0
    parallel_join
    sub64 r6, 1
    jne r6, 0, loop
    exit`, PairingProven, "", ""},
		{"spawn in a loop, fence after", laneChildren + `
    mov64 r6, 4
loop:
` + spawn(1) + `
    sub64 r6, 1
    jne r6, 0, loop
    parallel_fence
    exit`, PairingProven, "", "26/26:possible overlap"},
		{"handle spilled to the stack", laneChildren + spawn(11) + `
    stxdw [r10-16], r0
    mov64 r0, 0
    ldxdw r1, [r10-16]
    parallel_join
    exit`, PairingProven, "", ""},
		{"handle through the heap is untraced", laneChildren + spawn(11) + `
    lddw r2, 0x300000000
    stxdw [r2+0], r0
    ldxdw r1, [r2+0]
    parallel_join
    exit`, PairingNotProvable, "UntrackedHandle@30? TaskLeak@31?", "25/parent:disjoint"},
		{"join in a local function", laneChildren + spawn(11) + `
    mov64 r1, r0
    call function_joiner
    exit
function_joiner:
    parallel_join
    exit`, PairingProven, "", ""},
		{"spawn in a local function, join in the caller", laneChildren + `
    call function_spawner
    mov64 r1, r0
    parallel_join
    exit
function_spawner:
` + spawn(11) + "exit", PairingProven, "", ""},
		{"leak in a local function's caller", laneChildren + `
    call function_spawner
    exit
function_spawner:
` + spawn(11) + "exit", PairingViolation, "TaskLeak@21", ""},
		{"child leaks its own child", `
    ja main
child:                          # pc 1
    mov64 r1, 5
    mov64 r3, 0
    parallel_spawn
    exit
grand:                          # pc 5
    exit
main:
    mov64 r1, 1
    mov64 r3, 0
    parallel_spawn
    mov64 r1, r0
    parallel_join
    exit`, PairingViolation, "TaskLeak@4", ""},
		{"unresolved child", laneChildren + `
    ldxdw r1, [r1+0]
    mov64 r3, 0
    parallel_spawn
    mov64 r6, r0
` + spawn(1) + `
    parallel_fence
    exit`, PairingNotProvable, "UnresolvedSpawn@22?", "22/29:unknown"},
		{"indirect call", laneChildren + spawn(11) + "mov64 r6, r0\ncallx r2\nmov64 r1, r6\nparallel_join\nexit", PairingNotProvable, "IndirectCall@27?", "25/parent:disjoint"},
		{"parent writes the child's heap word", laneChildren + spawn(1) + `
    mov64 r6, r0
    lddw r2, 0x300000000
    stdw [r2+0], 5
    mov64 r1, r6
    parallel_join
    exit`, PairingProven, "", "25/parent:possible overlap"},
		{"parent writes another heap word", laneChildren + spawn(1) + `
    mov64 r6, r0
    lddw r2, 0x300000000
    stdw [r2+8], 5
    mov64 r1, r6
    parallel_join
    stdw [r2+0], 5
    exit`, PairingProven, "", "25/parent:disjoint"},
		{"parent writes through an unknown pointer", laneChildren + spawn(1) + `
    mov64 r6, r0
    ldxdw r2, [r1+0]
    stdw [r2+0], 5
    mov64 r1, r6
    parallel_join
    exit`, PairingProven, "", "25/parent:unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := lanesOf(t, tc.src)
			fs, os := briefLanes(rep)
			if rep.Verdict != tc.verdict || fs != tc.findings || os != tc.overlaps {
				t.Errorf("got %s [%s] [%s], want %s [%s] [%s]\n%s", rep.Verdict, fs, os, tc.verdict, tc.findings, tc.overlaps, rep)
			}
		})
	}
}

// TestLanePairingExample checks the shipped example.
func TestLanePairingExample(t *testing.T) {
	src, err := os.ReadFile("../examples/asm/lanes.s")
	if err != nil {
		t.Fatal(err)
	}
	rep := lanesOf(t, string(src))
	fs, os := briefLanes(rep)
	if rep.Verdict != PairingProven || fs != "" || os != "6/11:disjoint" {
		t.Errorf("got %s [%s] [%s]\n%s", rep.Verdict, fs, os, rep)
	}
}

// FuzzLanePairing builds programs from a small alphabet rich in lane
// syscalls, handle moves and spills, and checks that LanePairing never
// panics, stays within its bounds and reports findings at real pcs.
func FuzzLanePairing(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6})
	f.Add([]byte{7, 0, 8, 9, 1, 10, 11, 2, 12})
	spawn, join, fence := sbpf.SyscallHash(SpawnName), sbpf.SyscallHash(JoinName), sbpf.SyscallHash(FenceName)
	f.Fuzz(func(t *testing.T, prog []byte) {
		if len(prog) > 64 {
			prog = prog[:64]
		}
		var insns []sbpf.Instruction
		n := len(prog) + 1
		for i, b := range prog {
			fwd := int16(int(b>>4) % max(1, n-i-1))
			switch b % 13 {
			case 0:
				insns = append(insns, ins(sbpf.Mov64Imm, 1, 0, 0, int32(b>>4)%int32(n)))
			case 1:
				insns = append(insns, ins(sbpf.Call, 0, 0, 0, int32(spawn)))
			case 2:
				insns = append(insns, ins(sbpf.Call, 0, 0, 0, int32(join)))
			case 3:
				insns = append(insns, ins(sbpf.Call, 0, 0, 0, int32(fence)))
			case 4:
				insns = append(insns, ins(sbpf.Mov64Reg, 6+b>>6, 0, 0, 0))
			case 5:
				insns = append(insns, ins(sbpf.Mov64Reg, 1, 6+b>>6, 0, 0))
			case 6:
				insns = append(insns, ins(sbpf.Stx8B, 10, b>>6, -8*int16(1+b>>6), 0))
			case 7:
				insns = append(insns, ins(sbpf.Ldx8B, 1, 10, -8*int16(1+b>>6), 0))
			case 8:
				insns = append(insns, ins(sbpf.JeqImm, 2, 0, fwd, 0))
			case 9:
				insns = append(insns, ins(sbpf.Ja, 0, 0, -int16(int(b>>4)%(i+1)), 0))
			case 10:
				insns = append(insns, exit)
			case 11:
				insns = append(insns, ins(sbpf.Call, 0, 1, 0, int32(fwd)))
			default:
				insns = append(insns, ins(sbpf.Callx, 0, 0, 0, 3))
			}
		}
		insns = append(insns, exit)
		text := encode(insns...)
		rep, err := LanePairing(text, sbpf.V3, &LaneOptions{MaxStates: 1 << 14})
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range rep.Findings {
			if fd.PC < -1 || fd.PC >= len(insns) {
				t.Fatalf("finding at pc %d outside %d slots", fd.PC, len(insns))
			}
			if fd.Verdict == PairingViolation && fd.Kind != PairTaskLeak && fd.Kind != PairInvalidHandle {
				t.Fatalf("%s with verdict %s", fd.Kind, fd.Verdict)
			}
		}
		for _, o := range rep.Overlaps {
			if o.SpawnA > o.SpawnB || o.Verdict < OverlapDisjoint || o.Verdict > OverlapUnknown {
				t.Fatalf("bad overlap %+v", o)
			}
		}
	})
}
