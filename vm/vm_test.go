package vm

import (
	"errors"
	"testing"

	"github.com/agora-vm/agora/sbpf"
)

func prog(insns ...sbpf.Instruction) []byte {
	var b []byte
	for _, i := range insns {
		b = sbpf.AppendEncoded(b, i)
	}
	return b
}

func I(op sbpf.Opcode, dst, src uint8, off int16, imm int32) sbpf.Instruction {
	return sbpf.Instruction{Op: op, Dst: dst, Src: src, Off: off, Imm: imm}
}

func run(t *testing.T, v sbpf.Version, text []byte, input []byte, budget uint64, reg *Registry) Result {
	t.Helper()
	exe, err := newExecutable(NewRawProgram(v, text, nil, 0), reg, Config{})
	if err != nil {
		t.Fatal(err)
	}
	return exe.Run(NewMachine(), RunOptions{Input: input, Budget: budget})
}

func TestBasicPrograms(t *testing.T) {
	tests := []struct {
		name   string
		v      sbpf.Version
		text   []byte
		input  []byte
		budget uint64
		r0     uint64
		cu     uint64
		kind   ErrorKind
	}{
		{"mov exit", sbpf.V0, prog(I(sbpf.Mov64Imm, 0, 0, 0, 7), I(sbpf.Exit, 0, 0, 0, 0)), nil, 10, 7, 2, KindNone},
		{"add32 sign-extends in v0", sbpf.V0, prog(I(sbpf.Mov64Imm, 0, 0, 0, 0x7fffffff), I(sbpf.Add32Imm, 0, 0, 0, 1), I(sbpf.Exit, 0, 0, 0, 0)), nil, 10, 0xffffffff80000000, 3, KindNone},
		{"add32 zero-extends in v2", sbpf.V2, prog(I(sbpf.Mov64Imm, 0, 0, 0, 0x7fffffff), I(sbpf.Add32Imm, 0, 0, 0, 1), I(sbpf.Exit, 0, 0, 0, 0)), nil, 10, 0x80000000, 3, KindNone},
		{"sub imm swapped in v2", sbpf.V2, prog(I(sbpf.Mov64Imm, 0, 0, 0, 3), I(sbpf.Sub64Imm, 0, 0, 0, 10), I(sbpf.Exit, 0, 0, 0, 0)), nil, 10, 7, 3, KindNone},
		{"div by zero reg", sbpf.V0, prog(I(sbpf.Mov64Imm, 0, 0, 0, 3), I(sbpf.Div64Reg, 0, 2, 0, 0), I(sbpf.Exit, 0, 0, 0, 0)), nil, 10, 3, 2, DivideByZero},
		{"out of budget", sbpf.V0, prog(I(sbpf.Ja, 0, 0, -1, 0)), nil, 5, 0, 5, ExceededMaxInstructions},
		{"fall off the end", sbpf.V0, prog(I(sbpf.Mov64Imm, 0, 0, 0, 1)), nil, 10, 1, 2, ExecutionOverrun},
		{"load input", sbpf.V0, prog(I(sbpf.LdxW, 0, 1, 0, 0), I(sbpf.Exit, 0, 0, 0, 0)), []byte{1, 2, 3, 4}, 10, 0x04030201, 2, KindNone},
		{"load past input", sbpf.V0, prog(I(sbpf.LdxW, 0, 1, 1, 0), I(sbpf.Exit, 0, 0, 0, 0)), []byte{1, 2, 3, 4}, 10, 0, 1, AccessViolation},
		{"stack gap", sbpf.V0, prog(I(sbpf.StxDW, 10, 1, 0, 0), I(sbpf.Exit, 0, 0, 0, 0)), nil, 10, 0, 1, StackAccessViolation},
		{"store to program", sbpf.V0, prog(I(sbpf.LdDwImm, 1, 0, 0, 0), I(0, 0, 0, 0, 1), I(sbpf.StDWImm, 1, 0, 0, 0), I(sbpf.Exit, 0, 0, 0, 0)), nil, 10, 0, 2, AccessViolation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, tt.v, tt.text, tt.input, tt.budget, nil)
			var kind ErrorKind
			var ve *Error
			if errors.As(res.Err, &ve) {
				kind = ve.Kind
			}
			if kind != tt.kind || res.CU != tt.cu || (tt.kind == KindNone && res.R0 != tt.r0) {
				t.Fatalf("got r0=%#x cu=%d err=%v, want r0=%#x cu=%d kind=%v", res.R0, res.CU, res.Err, tt.r0, tt.cu, tt.kind)
			}
		})
	}
}

func TestRejectsMisplacedROData(t *testing.T) {
	p := NewRawProgram(sbpf.V0, prog(I(sbpf.Exit, 0, 0, 0, 0)), nil, 0)
	p.RODataVAddr = sbpf.StackStart
	if _, err := newExecutable(p, nil, Config{}); err == nil {
		t.Fatal("rodata in the stack region was accepted")
	}
}
