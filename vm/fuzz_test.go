package vm

import (
	"testing"

	"github.com/agora-vm/agora/sbpf"
)

// FuzzInterpreter runs arbitrary, unverified bytes: the run must end with
// a result or a typed error, never a panic or a hang, and never charge
// more than the budget.
func FuzzInterpreter(f *testing.F) {
	f.Add([]byte{0x95, 0, 0, 0, 0, 0, 0, 0}, uint8(0), uint16(100))
	f.Add(prog(I(sbpf.Mov64Imm, 0, 0, 0, 1), I(sbpf.Call, 0, 0, 0, -1), I(sbpf.Exit, 0, 0, 0, 0)), uint8(3), uint16(100))
	f.Add(prog(I(sbpf.Callx, 0, 0, 0, 1), I(sbpf.Exit, 0, 0, 0, 0)), uint8(0), uint16(100))
	f.Add(prog(I(sbpf.LdDwImm, 0, 0, 0, 1)), uint8(0), uint16(100))
	reg := NewRegistry()
	reg.MustRegister("fuzz_syscall", func(m *Machine, a, b, c, d, e uint64) (uint64, error) {
		if err := m.Consume(a & 0xff); err != nil {
			return 0, err
		}
		_, err := m.Translate(Store, b, c&0xff)
		return a, err
	})
	m := NewMachine()
	f.Fuzz(func(t *testing.T, text []byte, version uint8, budget uint16) {
		text = text[:len(text)/8*8]
		v := sbpf.Version(version % uint8(sbpf.LatestVersion+1))
		p := NewRawProgram(v, text, map[uint32]int{sbpf.PCHash(0): 0, 7: len(text) / 8}, 0)
		exe, err := newExecutable(p, reg, Config{HeapSize: 64})
		if err != nil {
			t.Fatal(err)
		}
		res := exe.Run(m, RunOptions{Budget: uint64(budget), Input: make([]byte, 32)})
		if res.CU > uint64(budget) {
			t.Fatalf("charged %d CU of a %d budget", res.CU, budget)
		}
		if res.Err != nil {
			if _, ok := res.Err.(*Error); !ok {
				t.Fatalf("untyped error %T: %v", res.Err, res.Err)
			}
		}
	})
}

type countingHook struct{ steps int }

func (h *countingHook) Step(m *Machine, pc int) { h.steps++ }

func TestHookSeesEveryInstruction(t *testing.T) {
	text := prog(I(sbpf.Mov64Imm, 1, 0, 0, 10), I(sbpf.Sub64Imm, 1, 0, 0, 1), I(sbpf.JneImm, 1, 0, -2, 0), I(sbpf.Exit, 0, 0, 0, 0))
	exe, err := newExecutable(NewRawProgram(sbpf.V0, text, nil, 0), nil, Config{})
	if err != nil {
		t.Fatal(err)
	}
	m := NewMachine()
	plain := exe.Run(m, RunOptions{Budget: 1000})
	h := &countingHook{}
	hooked := exe.Run(m, RunOptions{Budget: 1000, Hook: h})
	if plain != hooked {
		t.Fatalf("hook changed the result: %+v vs %+v", plain, hooked)
	}
	if uint64(h.steps) != plain.CU {
		t.Fatalf("hook saw %d steps, run charged %d CU", h.steps, plain.CU)
	}
	// Out of budget with a hook: same CU and error as without.
	short := exe.Run(m, RunOptions{Budget: 7})
	h2 := &countingHook{}
	shortHooked := exe.Run(m, RunOptions{Budget: 7, Hook: h2})
	if short.CU != shortHooked.CU || short.Err.Error() != shortHooked.Err.Error() || h2.steps != 7 {
		t.Fatalf("hooked budget exhaustion differs: %+v vs %+v (%d steps)", short, shortHooked, h2.steps)
	}
}

func TestMachinesRunConcurrently(t *testing.T) {
	text := prog(I(sbpf.Mov64Imm, 1, 0, 0, 1000), I(sbpf.Add64Reg, 0, 1, 0, 0), I(sbpf.StxDW, 10, 0, -8, 0), I(sbpf.Sub64Imm, 1, 0, 0, 1), I(sbpf.JneImm, 1, 0, -4, 0), I(sbpf.Exit, 0, 0, 0, 0))
	exe, err := newExecutable(NewRawProgram(sbpf.V0, text, nil, 0), nil, Config{})
	if err != nil {
		t.Fatal(err)
	}
	want := exe.Run(NewMachine(), RunOptions{Budget: 1 << 20})
	done := make(chan Result, 8)
	for range 8 {
		go func() { done <- exe.Run(NewMachine(), RunOptions{Budget: 1 << 20}) }()
	}
	for range 8 {
		if got := <-done; got != want {
			t.Fatalf("concurrent run differs: %+v vs %+v", got, want)
		}
	}
}
