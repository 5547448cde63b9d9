package vm

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/agora-vm/agora/sbpf"
)

// loopProgram counts r6 to 100, storing r7 += r6 to the stack and the
// input, and calls "poke" every iteration.
func loopProgram(t *testing.T) *Executable {
	t.Helper()
	reg := NewRegistry()
	reg.MustRegister("poke", func(m *Machine, a, _, _, _, _ uint64) (uint64, error) {
		b, err := m.Translate(Store, a, 1)
		if err != nil {
			return 0, err
		}
		b[0]++
		return 0, m.Consume(3)
	})
	text := prog(
		I(sbpf.Mov64Imm, 6, 0, 0, 0),
		I(sbpf.Mov64Imm, 7, 0, 0, 0),
		I(sbpf.Mov64Reg, 8, 1, 0, 0),
		I(sbpf.Add64Reg, 7, 6, 0, 0), // loop:
		I(sbpf.StxDW, 10, 7, -8, 0),
		I(sbpf.StxDW, 8, 7, 0, 0),
		I(sbpf.Mov64Reg, 1, 8, 0, 0),
		I(sbpf.Add64Imm, 1, 0, 0, 8),
		I(sbpf.Call, 0, 0, 0, int32(sbpf.SyscallHash("poke"))),
		I(sbpf.Add64Imm, 6, 0, 0, 1),
		I(sbpf.JltImm, 6, 0, -8, 100),
		I(sbpf.Mov64Reg, 0, 7, 0, 0),
		I(sbpf.Exit, 0, 0, 0, 0),
	)
	exe, err := newExecutable(NewRawProgram(sbpf.V0, text, nil, 0), reg, Config{})
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

type recordingHook struct {
	calls  []int
	pauseN int
	snap   *State
}

func (h *recordingHook) Step(m *Machine, pc int) {
	h.calls = append(h.calls, pc)
	if len(h.calls) == h.pauseN {
		h.snap = m.Snapshot()
		m.Pause()
	}
}

func TestHookStride(t *testing.T) {
	exe := loopProgram(t)
	plain := exe.Run(NewMachine(), RunOptions{Budget: 10000, Input: make([]byte, 16)})
	every, strided := &recordingHook{}, &recordingHook{}
	r1 := exe.Run(NewMachine(), RunOptions{Budget: 10000, Input: make([]byte, 16), Hook: every})
	r2 := exe.Run(NewMachine(), RunOptions{Budget: 10000, Input: make([]byte, 16), Hook: strided, HookStride: 50})
	if r1 != plain || r2 != plain {
		t.Fatalf("results differ: %+v %+v %+v", plain, r1, r2)
	}
	// Every instruction without a stride; with one, every 50th and the
	// first after each of the 100 syscalls.
	if uint64(len(every.calls)) != plain.CU-300 || len(strided.calls) < 100 || len(strided.calls) > 130 {
		t.Fatalf("%d and %d hook calls for %d instructions", len(every.calls), len(strided.calls), plain.CU-300)
	}
	// Out of budget behaves the same under a stride.
	short := exe.Run(NewMachine(), RunOptions{Budget: 777, Input: make([]byte, 16)})
	shortS := exe.Run(NewMachine(), RunOptions{Budget: 777, Input: make([]byte, 16), Hook: &recordingHook{}, HookStride: 64})
	if short.CU != shortS.CU || ErrorKindOf(short.Err) != ErrorKindOf(shortS.Err) {
		t.Fatalf("%+v vs %+v", short, shortS)
	}
}

// TestPauseSnapshotResume pauses a run at every tenth position, resumes it
// from the snapshot, and gets the plain run's result and memory.
func TestPauseSnapshotResume(t *testing.T) {
	exe := loopProgram(t)
	in := make([]byte, 16)
	plain := exe.Run(NewMachine(), RunOptions{Budget: 10000, Input: in})
	for n := 1; n < 700; n += 10 {
		h := &recordingHook{pauseN: n}
		m := NewMachine()
		in2 := make([]byte, 16)
		res := exe.Run(m, RunOptions{Budget: 10000, Input: in2, Hook: h})
		if !errors.Is(res.Err, ErrPaused) {
			t.Fatalf("pause %d: %v", n, res.Err)
		}
		after := m.Snapshot()
		if !reflect.DeepEqual(after, h.snap) {
			t.Fatalf("pause %d: state after the pause differs from the hook's snapshot", n)
		}
		in3 := make([]byte, 16)
		got := NewMachine().Resume(exe, RunOptions{Budget: 10000, Input: in3}, h.snap)
		if got != plain || !bytes.Equal(in3, in) {
			t.Fatalf("pause %d: resumed %+v %x, plain %+v %x", n, got, in3, plain, in)
		}
	}
	if res := NewMachine().Resume(exe, RunOptions{Budget: 10, Input: make([]byte, 3)}, &State{Input: make([]byte, 16)}); res.Err == nil {
		t.Fatal("a state that does not fit was resumed")
	}
}

func TestObserveStores(t *testing.T) {
	exe := loopProgram(t)
	var ranges []uint64
	reg := NewRegistry()
	reg.MustRegister("poke", func(m *Machine, a, _, _, _, _ uint64) (uint64, error) {
		m.ObserveStores(func(addr uint64, b []byte) { ranges = append(ranges, addr, uint64(len(b))) })
		defer m.ObserveStores(nil)
		for _, s := range exe.Registry().Syscalls() {
			return s.Fn(m, a, 0, 0, 0, 0)
		}
		return 0, nil
	})
	wrapped, err := newExecutable(exe.Program(), reg, Config{})
	if err != nil {
		t.Fatal(err)
	}
	wrapped.Run(NewMachine(), RunOptions{Budget: 10000, Input: make([]byte, 16)})
	if len(ranges) != 200 || ranges[0] != sbpf.InputStart+8 || ranges[1] != 1 {
		t.Fatalf("observed %v", ranges[:min(len(ranges), 6)])
	}
}

// TestViewAndInputWritten checks that View is Snapshot without copies,
// that InputWritten bounds the input bytes a run changed, and that
// Resume from a state whose input is the run's input buffer itself
// resumes the same run.
func TestViewAndInputWritten(t *testing.T) {
	exe := loopProgram(t)
	m := NewMachine()
	in := make([]byte, 64)
	for i := range in {
		in[i] = byte(i)
	}
	orig := bytes.Clone(in)
	plain := exe.Run(m, RunOptions{Budget: 10000, Input: in})
	v := &State{}
	m.View(v)
	if !reflect.DeepEqual(v, m.Snapshot()) {
		t.Fatal("View and Snapshot differ")
	}
	if &v.Input[0] != &in[0] {
		t.Fatal("View copied the input")
	}
	// The program writes input bytes 0-8 (the 8-byte store and the poke
	// at offset 8, one byte).
	if w := m.InputWritten(); w != 9 || !bytes.Equal(in[w:], orig[w:]) {
		t.Fatalf("InputWritten %d; input %x", w, in)
	}
	empty := exe.Run(m, RunOptions{Budget: 2, Input: in})
	if empty.Err == nil || m.InputWritten() != 0 {
		t.Fatalf("a run that stores nothing: %v, InputWritten %d", empty.Err, m.InputWritten())
	}

	// Pause at the 20th hook call, then resume with the state's input
	// already in place (aliased): the run ends as the plain one did.
	h := &recordingHook{pauseN: 20}
	in2 := bytes.Clone(orig)
	if res := exe.Run(m, RunOptions{Budget: 10000, Input: in2, Hook: h}); !errors.Is(res.Err, ErrPaused) {
		t.Fatal(res.Err)
	}
	st := *h.snap
	copy(in2, st.Input)
	st.Input = in2
	if got := NewMachine().Resume(exe, RunOptions{Budget: 10000, Input: in2}, &st); got != plain || !bytes.Equal(in2, in) {
		t.Fatalf("aliased resume %+v %x, plain %+v %x", got, in2, plain, in)
	}
}
