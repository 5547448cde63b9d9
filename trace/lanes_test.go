package trace

import (
	"bytes"
	"strings"
	"testing"

	"github.com/agora-vm/agora/ext/lanes"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// lanesSrc spawns two children (pc 1) with arguments 100 and 200; the
// first spawns a grandchild with 50. Each child hashes its argument into
// the heap with sol_sha256, stores its argument at a shared heap word
// with an atomic store, and returns the hash's first word plus its own
// child's r0. The program returns the sum of its children's r0 and the
// shared word.
const lanesSrc = `
    ja main
child:
    mov64 r9, r1
    ldxdw r8, [r1+0]
    stxdw [r10-16], r9
    mov64 r2, 8
    stxdw [r10-8], r2
    mov64 r1, r10
    sub64 r1, 16
    mov64 r2, 1
    lddw r3, 0x300000000
    add64 r3, r8
    syscall sol_sha256
    ldxdw r6, [r3+0]
    lddw r1, 0x300000200
    mov64 r2, r8
    syscall agora_atomic_store
    mov64 r0, r6
    jne r8, 100, out
    stdw [r10-24], 50
    mov64 r1, 1
    mov64 r2, r10
    sub64 r2, 24
    mov64 r3, 8
    mov64 r4, 50000
    syscall agora_parallel_spawn
    mov64 r1, r0
    mov64 r3, 0
    syscall agora_parallel_join
    add64 r0, r6
out:
    exit
main:
    stdw [r10-8], 100
    mov64 r1, 1
    mov64 r2, r10
    sub64 r2, 8
    mov64 r3, 8
    mov64 r4, 100000
    syscall agora_parallel_spawn
    mov64 r6, r0
    stdw [r10-8], 200
    mov64 r1, 1
    mov64 r4, 100000
    syscall agora_parallel_spawn
    mov64 r7, r0
    mov64 r1, r6
    mov64 r2, r10
    sub64 r2, 16
    mov64 r3, 8
    syscall agora_parallel_join
    mov64 r8, r0
    mov64 r1, r7
    mov64 r3, 0
    syscall agora_parallel_join
    add64 r0, r8
    lddw r1, 0x300000200
    ldxdw r2, [r1+0]
    add64 r0, r2
    exit
`

func lanesRegistry(t testing.TB) *vm.Registry {
	t.Helper()
	reg := syscalls.NewRegistry()
	if err := lanes.Register(reg); err != nil {
		t.Fatal(err)
	}
	return reg
}

func lanesProgram(t testing.TB) *vm.Program {
	t.Helper()
	p, err := asm.Assemble(lanesSrc, sbpf.V0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry)
}

func recordLanesRun(t testing.TB) (vm.Result, *Trace) {
	t.Helper()
	rec := NewRecorder(Options{Interval: 8})
	reg, err := rec.Registry(lanesRegistry(t))
	if err != nil {
		t.Fatal(err)
	}
	exe, err := vm.Interpreter{}.Prepare(lanesProgram(t), reg, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return rec.Run(vm.NewMachine(), exe, vm.RunOptions{Budget: 1_000_000, Context: syscalls.NewContext([32]byte{})})
}

func recordLanes(t testing.TB) *Trace {
	_, tr := recordLanesRun(t)
	return tr
}

// TestRecordReplayLanes records a program whose children (and a
// grandchild) make syscalls: every child is recorded as a lane with its
// own answers, the recording changes nothing against a plain (parallel)
// run, and the replay re-executes every lane and matches.
func TestRecordReplayLanes(t *testing.T) {
	prog := lanesProgram(t)
	plainExe, err := vm.Interpreter{}.Prepare(prog, lanesRegistry(t), vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	want := plainExe.Run(vm.NewMachine(), vm.RunOptions{Budget: 1_000_000, Context: syscalls.NewContext([32]byte{})})
	if want.Err != nil {
		t.Fatal(want.Err)
	}

	res, tr := recordLanesRun(t)
	if res.Err != nil || res.R0 != want.R0 || res.CU != want.CU {
		t.Fatalf("recorded r0=%#x cu=%d err=%v, plain r0=%#x cu=%d", res.R0, res.CU, res.Err, want.R0, want.CU)
	}
	var paths []string
	for _, l := range tr.Lanes {
		paths = append(paths, LaneName(l.Path))
		if len(l.Events) < 2 || l.Outcome.Err != nil || l.Start.Remaining != l.Budget {
			t.Fatalf("lane %s: %d events, outcome %+v", LaneName(l.Path), len(l.Events), l.Outcome)
		}
	}
	if got := strings.Join(paths, ","); got != "1,1.1,2" {
		t.Fatalf("lanes %s, want 1,1.1,2", got)
	}
	got := roundTrip(t, tr)
	rep, err := Replay(got)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Divergence != nil || rep.Lanes != 3 || rep.Result.R0 != want.R0 {
		t.Fatalf("replay: %v, %d lanes, r0 %#x", rep.Divergence, rep.Lanes, rep.Result.R0)
	}

	// A lane's recorded answer that its re-execution contradicts is
	// found in that lane.
	bad := roundTrip(t, tr)
	ev := &bad.Lanes[1].Events[0]
	ev.Writes[0].Data = bytes.Repeat([]byte{0xaa}, len(ev.Writes[0].Data))
	rep, err = Replay(bad)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Divergence == nil || !strings.HasPrefix(rep.Divergence.What, "lane 1.1: ") {
		t.Fatalf("divergence %v, want one in lane 1.1", rep.Divergence)
	}
}
