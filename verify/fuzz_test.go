package verify

import (
	"errors"
	"testing"

	"github.com/agora-vm/agora/sbpf"
)

// FuzzStructural checks that Structural never panics, that every rejection
// is an *Error naming a slot of the program, and that an admitted program
// is well formed: every instruction's opcode is valid for the version,
// every lddw has its second slot and every jump lands on an instruction.
func FuzzStructural(f *testing.F) {
	f.Add([]byte{}, uint8(0))
	f.Add(encode(exit), uint8(0))
	f.Add(encode(ins(sbpf.LdDwImm, 1, 0, 0, 5), zero, ins(sbpf.Ja, 0, 0, -3, 0), exit), uint8(0))
	f.Add(encode(ins(sbpf.Add64Imm, 10, 0, 0, -64), ins(sbpf.Stx8B, 10, 1, -8, 0), ins(sbpf.Hor64Imm, 1, 0, 0, 1), exit), uint8(2))
	f.Add(encode(ins(sbpf.Call, 0, 0, 0, 2), ins(sbpf.Call, 0, 1, 0, -1), ins(sbpf.Jeq32Imm, 1, 0, -3, 0), exit), uint8(3))
	f.Add(encode(ins(sbpf.Callx, 3, 0, 0, 0), ins(sbpf.Be, 1, 0, 0, 64), exit), uint8(4))
	f.Add([]byte{0x18, 0, 0, 0, 0, 0, 0, 0, 0}, uint8(1))

	// Even hashes count as registered syscalls, so both outcomes occur.
	even := SyscallFunc(func(h uint32) bool { return h%2 == 0 })

	f.Fuzz(func(t *testing.T, text []byte, ver uint8) {
		v := sbpf.Version(ver % (uint8(sbpf.LatestVersion) + 2)) // one unknown version too
		err := Structural(text, v, even)
		if !v.Valid() {
			var e *Error
			if err == nil || errors.As(err, &e) {
				t.Fatalf("unknown version %d: %v", ver, err)
			}
			return
		}
		n := len(text) / sbpf.InsnSize
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("not an *Error: %v", err)
			}
			if e.PC < -1 || e.PC >= n || (e.PC == -1) != (e.Kind == ProgramLengthNotMultiple || e.Kind == NoProgram) {
				t.Fatalf("%v: PC %d outside %d slots", e.Kind, e.PC, n)
			}
			if rerr := Requisite(text, v); rerr != nil && rerr.Error() != err.Error() {
				t.Fatalf("Structural %v, but Requisite %v", err, rerr)
			}
			return
		}
		if len(text) == 0 || len(text)%sbpf.InsnSize != 0 {
			t.Fatalf("admitted %d bytes", len(text))
		}
		starts := make([]bool, n) // instruction starts, not lddw second slots
		for pc := 0; pc < n; pc++ {
			starts[pc] = true
			insn := sbpf.Decode(text[pc*sbpf.InsnSize:])
			op := v.Lookup(insn.Op)
			if op == sbpf.OpInvalid {
				t.Fatalf("admitted unknown opcode %s at %d in %s", insn.Op, pc, v)
			}
			if insn.Src > 10 || insn.Dst > 10 {
				t.Fatalf("admitted register r%d/r%d at %d", insn.Dst, insn.Src, pc)
			}
			if op.Info().Format == sbpf.FmtLDDW {
				if pc+1 >= n || text[(pc+1)*sbpf.InsnSize] != 0 {
					t.Fatalf("admitted broken lddw at %d", pc)
				}
				pc++
			}
		}
		for pc := 0; pc < n; pc++ {
			if !starts[pc] {
				continue
			}
			insn := sbpf.Decode(text[pc*sbpf.InsnSize:])
			switch v.Lookup(insn.Op).Info().Format {
			case sbpf.FmtJa, sbpf.FmtJumpImm, sbpf.FmtJumpReg:
				target := pc + 1 + int(insn.Off)
				if target < 0 || target >= n || !starts[target] {
					t.Fatalf("admitted jump from %d to %d", pc, target)
				}
			}
		}
	})
}

// BenchmarkStructural measures the verifier on a large valid program,
// against a baseline loop that only decodes and looks up every slot.
func BenchmarkStructural(b *testing.B) {
	var insns []sbpf.Instruction
	for len(insns) < 60000 {
		insns = append(insns,
			ins(sbpf.LdDwImm, 1, 0, 0, 7), lddwHi(1),
			ins(sbpf.Add64Reg, 2, 1, 0, 0),
			ins(sbpf.Lsh64Imm, 2, 0, 0, 3),
			ins(sbpf.StxDW, 10, 2, -8, 0),
			ins(sbpf.JeqImm, 2, 0, 1, 0),
			ins(sbpf.Div64Imm, 2, 0, 0, 3),
			ins(sbpf.Call, 0, 0, 0, 5),
		)
	}
	insns = append(insns, exit)
	text := encode(insns...)
	b.Run("baseline-decode", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			var ops int
			for pc := 0; pc+sbpf.InsnSize <= len(text); pc += sbpf.InsnSize {
				if sbpf.V0.Lookup(sbpf.Decode(text[pc:]).Op) != sbpf.OpInvalid {
					ops++
				}
			}
			if ops == 0 {
				b.Fatal("no ops")
			}
		}
	})
	for _, v := range []sbpf.Version{sbpf.V0, sbpf.V3} {
		b.Run("structural-"+v.String(), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			set := SyscallFunc(func(uint32) bool { return true })
			for b.Loop() {
				if err := Structural(text, v, set); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
