package jit

import (
	"slices"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// TestStoreReusesLoad covers stores that reuse the address of a load in
// the same block (the smallest access group), and groups at several
// offsets, with and without a write watcher: different widths, read-only regions, the gapped stack,
// writes to the base register or the scratch registers in between, an
// lddw in between, a watched store after one, and a callx into the middle
// of one (the run re-enters machine code inside the reuse). Every
// budget must give the interpreter's result, and the watcher must see the
// same writes.
func TestStoreReusesLoad(t *testing.T) {
	var rec *recorder
	reg := testRegistry()
	reg.MustRegister("watch", func(m *vm.Machine, _, _, _, _, _ uint64) (uint64, error) {
		m.WatchWrites(rec)
		return 0, nil
	})
	watch := I{Op: sbpf.Call, Imm: int32(sbpf.SyscallHash("watch"))}
	ro := int32(sbpf.BytecodeStart >> 32)
	tests := []struct {
		name   string
		reuses bool // whether a store reuses a load's address
		text   []byte
	}{
		{"loop over the input", true, assemble(
			I{Op: sbpf.Mov64Reg, Dst: 2, Src: 1},
			I{Op: sbpf.Mov64Imm, Dst: 3, Imm: 4},
			I{Op: sbpf.LdxDW, Dst: 4, Src: 2, Off: 8},
			I{Op: sbpf.Add64Reg, Dst: 0, Src: 4},
			I{Op: sbpf.Add64Imm, Dst: 4, Imm: 1},
			I{Op: sbpf.StxW, Dst: 2, Src: 4, Off: 8},
			I{Op: sbpf.LdxH, Dst: 5, Src: 2, Off: 2},
			I{Op: sbpf.Xor64Imm, Dst: 5, Imm: 0x1ff},
			I{Op: sbpf.StxB, Dst: 2, Src: 5, Off: 2},
			I{Op: sbpf.LdxB, Dst: 6, Src: 2, Off: 5},
			I{Op: sbpf.StDWImm, Dst: 2, Off: 5, Imm: -2},
			I{Op: sbpf.Add64Imm, Dst: 2, Imm: 8},
			I{Op: sbpf.Sub64Imm, Dst: 3, Imm: 1},
			I{Op: sbpf.JneImm, Dst: 3, Imm: 0, Off: -12},
			I{Op: sbpf.Exit})},
		{"store into the program after a load", true, assemble(
			I{Op: sbpf.LdDwImm, Dst: 2, Imm: 0}, I{Imm: ro},
			I{Op: sbpf.LdxDW, Dst: 4, Src: 2, Off: 0},
			I{Op: sbpf.Add64Imm, Dst: 4, Imm: 1},
			I{Op: sbpf.StxDW, Dst: 2, Src: 4, Off: 0},
			I{Op: sbpf.Exit})},
		{"gapped stack, second frame", true, assemble(
			I{Op: sbpf.Mov64Reg, Dst: 2, Src: 10},
			I{Op: sbpf.Add64Imm, Dst: 2, Imm: 4096 + 16},
			I{Op: sbpf.LdxDW, Dst: 4, Src: 2, Off: 0},
			I{Op: sbpf.Add64Imm, Dst: 4, Imm: 5},
			I{Op: sbpf.StxDW, Dst: 2, Src: 4, Off: 0},
			I{Op: sbpf.LdxDW, Dst: 0, Src: 2, Off: 0},
			I{Op: sbpf.Exit})},
		{"store at the end of the stack", true, assemble(
			I{Op: sbpf.Mov64Reg, Dst: 2, Src: 10},
			I{Op: sbpf.LdxB, Dst: 4, Src: 2, Off: -1},
			I{Op: sbpf.StxDW, Dst: 2, Src: 4, Off: -1},
			I{Op: sbpf.Exit})},
		{"base written in between", false, assemble(
			I{Op: sbpf.LdxDW, Dst: 4, Src: 1, Off: 0},
			I{Op: sbpf.Add64Imm, Dst: 1, Imm: 60},
			I{Op: sbpf.StxDW, Dst: 1, Src: 4, Off: 0},
			I{Op: sbpf.Exit})},
		{"load into its own base", false, assemble(
			I{Op: sbpf.LdxDW, Dst: 1, Src: 1, Off: 0},
			I{Op: sbpf.StxDW, Dst: 1, Src: 4, Off: 0},
			I{Op: sbpf.Exit})},
		{"scratch registers used in between", false, assemble(
			I{Op: sbpf.Mov64Imm, Dst: 5, Imm: 3},
			I{Op: sbpf.LdxDW, Dst: 4, Src: 1, Off: 8},
			I{Op: sbpf.Lsh64Reg, Dst: 4, Src: 5},
			I{Op: sbpf.Rsh32Reg, Dst: 6, Src: 5},
			I{Op: sbpf.StxDW, Dst: 1, Src: 4, Off: 8},
			I{Op: sbpf.Exit})},
		{"lddw in between", false, assemble(
			I{Op: sbpf.LdxDW, Dst: 4, Src: 1, Off: 8},
			I{Op: sbpf.LdDwImm, Dst: 6, Imm: 9}, I{Imm: 1},
			I{Op: sbpf.StxDW, Dst: 1, Src: 4, Off: 8},
			I{Op: sbpf.Exit})},
		{"watched store after a reusing store", true, assemble(
			watch,
			I{Op: sbpf.LdxDW, Dst: 4, Src: 1, Off: 0},
			I{Op: sbpf.Add64Imm, Dst: 4, Imm: 7},
			I{Op: sbpf.StxDW, Dst: 1, Src: 4, Off: 0},
			I{Op: sbpf.StxDW, Dst: 1, Src: 4, Off: 16},
			I{Op: sbpf.LdxDW, Dst: 0, Src: 1, Off: 0},
			I{Op: sbpf.Exit})},
		{"group at several offsets", true, assemble(
			I{Op: sbpf.LdxDW, Dst: 4, Src: 1, Off: 0},
			I{Op: sbpf.StxW, Dst: 1, Src: 4, Off: 12},
			I{Op: sbpf.Add64Imm, Dst: 4, Imm: 3},
			I{Op: sbpf.LdxB, Dst: 5, Src: 1, Off: 7},
			I{Op: sbpf.StDWImm, Dst: 1, Off: 40, Imm: -9},
			I{Op: sbpf.LdxH, Dst: 0, Src: 1, Off: 13},
			I{Op: sbpf.Add64Reg, Dst: 0, Src: 5},
			I{Op: sbpf.Exit})},
		{"watched group", true, assemble(
			watch,
			I{Op: sbpf.LdxDW, Dst: 4, Src: 1, Off: 8},
			I{Op: sbpf.StxDW, Dst: 1, Src: 4, Off: 0},
			I{Op: sbpf.StxB, Dst: 1, Src: 4, Off: 20},
			I{Op: sbpf.LdxDW, Dst: 0, Src: 1, Off: 16},
			I{Op: sbpf.Exit})},
		{"callx into the reuse", true, assemble(
			I{Op: sbpf.LdDwImm, Dst: 5, Imm: 3 * 8}, I{Imm: ro}, // pc 3
			I{Op: sbpf.LdxDW, Dst: 4, Src: 1, Off: 0},
			I{Op: sbpf.Add64Imm, Dst: 4, Imm: 7},
			I{Op: sbpf.StxDW, Dst: 1, Src: 4, Off: 0},
			I{Op: sbpf.JeqImm, Dst: 0, Imm: 1, Off: 2},
			I{Op: sbpf.Mov64Imm, Dst: 0, Imm: 1},
			I{Op: sbpf.Callx, Imm: 5},
			I{Op: sbpf.Exit})},
	}
	p := newPair()
	p.reg = reg
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog := vm.NewRawProgram(sbpf.V0, tt.text, nil, 0)
			if wantCompiled() {
				r, err := quiet.PrepareJIT(prog, reg, vm.Config{})
				if err != nil {
					t.Fatal(err)
				}
				if reuses := reusesLoad(r); reuses != tt.reuses {
					t.Fatalf("a store reuses a load's address: %v, want %v", reuses, tt.reuses)
				}
			}
			for b := uint64(0); b < 80; b++ {
				input := make([]byte, 64)
				for i := range input {
					input[i] = byte(i * 37)
				}
				rec = &recorder{}
				p.check(t, prog, vm.Config{}, input, b)
			}
			var seen [2][]uint64
			for i, e := range []vm.Engine{vm.Interpreter{}, quiet} {
				rec = &recorder{}
				r, err := e.Prepare(prog, reg, vm.Config{})
				if err != nil {
					t.Fatal(err)
				}
				r.Run(nil, vm.RunOptions{Input: make([]byte, 64), Budget: 1000})
				seen[i] = rec.writes
			}
			if !slices.Equal(seen[0], seen[1]) {
				t.Fatalf("watcher: interpreter saw %#x, jit saw %#x", seen[0], seen[1])
			}
		})
	}
}
