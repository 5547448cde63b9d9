package verify

import (
	"errors"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
)

var allVersions = []sbpf.Version{sbpf.V0, sbpf.V1, sbpf.V2, sbpf.V3, sbpf.V4}

func TestProgramLength(t *testing.T) {
	var cases []verifyCase
	for _, v := range allVersions {
		cases = append(cases,
			verifyCase{name: v.String() + "/empty", v: v, text: nil, want: &Error{Kind: NoProgram, PC: -1}},
			verifyCase{name: v.String() + "/7", v: v, text: make([]byte, 7), want: &Error{Kind: ProgramLengthNotMultiple, PC: -1}},
			// The length is checked before any instruction.
			verifyCase{name: v.String() + "/9", v: v, text: append(encode(ins(0xff, 0, 0, 0, 0)), 0), want: &Error{Kind: ProgramLengthNotMultiple, PC: -1}},
			verifyCase{name: v.String() + "/exit", v: v, insns: []sbpf.Instruction{exit}},
		)
	}
	runCases(t, cases)
}

func TestDivisionByZero(t *testing.T) {
	div0 := func(op sbpf.Opcode) []sbpf.Instruction {
		return []sbpf.Instruction{ins(sbpf.Mov64Imm, 0, 0, 0, 1), ins(op, 0, 0, 0, 0), exit}
	}
	want := &Error{Kind: DivisionByZero, PC: 1}
	var cases []verifyCase
	for _, v := range []sbpf.Version{sbpf.V0, sbpf.V1, sbpf.V3, sbpf.V4} {
		for _, op := range []sbpf.Opcode{sbpf.Div32Imm, sbpf.Div64Imm, sbpf.Mod32Imm, sbpf.Mod64Imm} {
			cases = append(cases, verifyCase{name: v.String() + "/" + op.String(), v: v, insns: div0(op), want: want})
		}
		// The register forms divide by a run-time value: not checked.
		cases = append(cases, verifyCase{name: v.String() + "/div64_reg", v: v,
			insns: []sbpf.Instruction{ins(sbpf.Div64Reg, 0, 1, 0, 0), exit}})
	}
	for _, op := range []sbpf.Opcode{
		sbpf.Udiv32Imm, sbpf.Udiv64Imm, sbpf.Urem32Imm, sbpf.Urem64Imm,
		sbpf.Sdiv32Imm, sbpf.Sdiv64Imm, sbpf.Srem32Imm, sbpf.Srem64Imm,
	} {
		cases = append(cases, verifyCase{name: "v2/" + op.String(), v: sbpf.V2, insns: div0(op), want: want})
	}
	// Multiplications by zero are fine; div32 does not exist in V2.
	cases = append(cases,
		verifyCase{name: "v2/lmul64_imm_0", v: sbpf.V2, insns: div0(sbpf.Lmul64Imm)},
		verifyCase{name: "v2/uhmul64_imm_0", v: sbpf.V2, insns: div0(sbpf.Uhmul64Imm)},
		verifyCase{name: "v2/div32_imm_unknown", v: sbpf.V2, insns: div0(sbpf.Div32Imm),
			want: &Error{Kind: UnknownOpCode, PC: 1, Opcode: sbpf.Div32Imm}},
		// The divisor check precedes the register check.
		verifyCase{name: "v0/div_before_registers", v: sbpf.V0,
			insns: []sbpf.Instruction{ins(sbpf.Div64Imm, 11, 12, 0, 0), exit}, want: &Error{Kind: DivisionByZero, PC: 0}},
	)
	runCases(t, cases)
}

func TestEndian(t *testing.T) {
	var cases []verifyCase
	for _, v := range allVersions {
		for _, width := range []int32{16, 32, 64} {
			cases = append(cases, verifyCase{name: v.String() + "/be_ok", v: v,
				insns: []sbpf.Instruction{ins(sbpf.Be, 1, 0, 0, width), exit}})
		}
		for _, width := range []int32{0, 8, 17, 128, -16} {
			cases = append(cases, verifyCase{name: v.String() + "/be_bad", v: v,
				insns: []sbpf.Instruction{exit, ins(sbpf.Be, 1, 0, 0, width), exit},
				want:  &Error{Kind: UnsupportedLEBEArgument, PC: 1}})
		}
		le := verifyCase{name: v.String() + "/le_8", v: v,
			insns: []sbpf.Instruction{ins(sbpf.Le, 10, 0, 0, 8), exit},
			want:  &Error{Kind: UnsupportedLEBEArgument, PC: 0}}
		if v == sbpf.V2 {
			le.want = &Error{Kind: UnknownOpCode, PC: 0, Opcode: sbpf.Le}
		}
		cases = append(cases, le)
	}
	runCases(t, cases)
}

func TestLDDW(t *testing.T) {
	var cases []verifyCase
	for _, v := range []sbpf.Version{sbpf.V0, sbpf.V1, sbpf.V3, sbpf.V4} {
		n := v.String()
		cases = append(cases,
			verifyCase{name: n + "/ok", v: v,
				insns: []sbpf.Instruction{ins(sbpf.LdDwImm, 1, 0, 0, -1), lddwHi(-1), exit}},
			// Only the second slot's opcode is checked.
			verifyCase{name: n + "/second_slot_fields_free", v: v,
				insns: []sbpf.Instruction{ins(sbpf.LdDwImm, 1, 0, 0, 0), ins(0, 15, 15, -1, 7), exit}},
			verifyCase{name: n + "/last", v: v,
				insns: []sbpf.Instruction{exit, ins(sbpf.LdDwImm, 1, 0, 0, 0)},
				want:  &Error{Kind: LDDWCannotBeLast, PC: 1}},
			verifyCase{name: n + "/incomplete", v: v,
				insns: []sbpf.Instruction{exit, ins(sbpf.LdDwImm, 1, 0, 0, 0), exit, exit},
				want:  &Error{Kind: IncompleteLDDW, PC: 1}},
			// The reference checks registers after stepping to the second
			// slot, so it names pc+1.
			verifyCase{name: n + "/r10_reported_at_second_slot", v: v,
				insns: []sbpf.Instruction{exit, ins(sbpf.LdDwImm, 10, 0, 0, 0), zero, exit},
				want:  &Error{Kind: CannotWriteR10, PC: 2}},
			verifyCase{name: n + "/bad_src_reported_at_second_slot", v: v,
				insns: []sbpf.Instruction{ins(sbpf.LdDwImm, 0, 11, 0, 0), zero, exit},
				want:  &Error{Kind: InvalidSourceRegister, PC: 1}},
			verifyCase{name: n + "/bad_dst_reported_at_second_slot", v: v,
				insns: []sbpf.Instruction{ins(sbpf.LdDwImm, 11, 0, 0, 0), zero, exit},
				want:  &Error{Kind: InvalidDestinationRegister, PC: 1}},
			// Slot-structure errors come before register errors.
			verifyCase{name: n + "/incomplete_before_registers", v: v,
				insns: []sbpf.Instruction{ins(sbpf.LdDwImm, 11, 11, 0, 0), exit},
				want:  &Error{Kind: IncompleteLDDW, PC: 0}},
		)
	}
	cases = append(cases,
		verifyCase{name: "v2/unknown", v: sbpf.V2,
			insns: []sbpf.Instruction{ins(sbpf.LdDwImm, 1, 0, 0, 0), zero, exit},
			want:  &Error{Kind: UnknownOpCode, PC: 0, Opcode: sbpf.LdDwImm}},
		// hor64 replaces lddw in V2.
		verifyCase{name: "v2/hor64", v: sbpf.V2,
			insns: []sbpf.Instruction{ins(sbpf.Mov32Imm, 1, 0, 0, 1), ins(sbpf.Hor64Imm, 1, 0, 0, 2), exit}},
	)
	runCases(t, cases)
}

func TestJumps(t *testing.T) {
	var cases []verifyCase
	for _, v := range allVersions {
		n := v.String()
		cases = append(cases,
			verifyCase{name: n + "/ja_to_self", v: v,
				insns: []sbpf.Instruction{ins(sbpf.Ja, 0, 0, -1, 0), exit}},
			verifyCase{name: n + "/past_end", v: v,
				insns: []sbpf.Instruction{ins(sbpf.JeqImm, 1, 0, 1, 0), exit},
				want:  &Error{Kind: JumpOutOfCode, PC: 0, Target: 2}},
			verifyCase{name: n + "/before_start", v: v,
				insns: []sbpf.Instruction{exit, ins(sbpf.JneReg, 1, 2, -32768, 0), exit},
				want:  &Error{Kind: JumpOutOfCode, PC: 1, Target: -32766}},
			verifyCase{name: n + "/far_forward", v: v,
				insns: []sbpf.Instruction{ins(sbpf.JsleImm, 1, 0, 32767, 0), exit},
				want:  &Error{Kind: JumpOutOfCode, PC: 0, Target: 32768}},
			// Any slot with opcode 0 counts as the middle of an lddw, even
			// where no lddw precedes it (and in V2, which has no lddw). The
			// jump is reported before the zero slot itself is reached.
			verifyCase{name: n + "/to_zero_slot", v: v,
				insns: []sbpf.Instruction{ins(sbpf.Ja, 0, 0, 0, 0), zero, exit},
				want:  &Error{Kind: JumpToMiddleOfLDDW, PC: 0, Target: 1}},
			// The target check precedes the register check.
			verifyCase{name: n + "/target_before_registers", v: v,
				insns: []sbpf.Instruction{ins(sbpf.JeqReg, 11, 11, 5, 0), exit},
				want:  &Error{Kind: JumpOutOfCode, PC: 0, Target: 6}},
			// Jumps are not stores: the reference rejects dst r10 in them.
			verifyCase{name: n + "/compare_r10", v: v,
				insns: []sbpf.Instruction{ins(sbpf.JeqImm, 10, 0, 0, 0), exit},
				want:  &Error{Kind: CannotWriteR10, PC: 0}},
			verifyCase{name: n + "/compare_with_r10", v: v,
				insns: []sbpf.Instruction{ins(sbpf.JeqReg, 1, 10, 0, 0), exit}},
		)
		if v != sbpf.V2 {
			cases = append(cases, verifyCase{name: n + "/backward_into_lddw", v: v,
				insns: []sbpf.Instruction{ins(sbpf.LdDwImm, 1, 0, 0, 0), zero, ins(sbpf.Ja, 0, 0, -2, 0), exit},
				want:  &Error{Kind: JumpToMiddleOfLDDW, PC: 2, Target: 1}})
		}
		j32 := verifyCase{name: n + "/jmp32", v: v,
			insns: []sbpf.Instruction{ins(sbpf.Jeq32Imm, 1, 0, 5, 0), exit}}
		switch {
		case v.JMP32():
			j32.want = &Error{Kind: JumpOutOfCode, PC: 0, Target: 6}
		default:
			// 0x16 is unknown before V3 (PQR uses other numbers of class 6).
			j32.want = &Error{Kind: UnknownOpCode, PC: 0, Opcode: sbpf.Jeq32Imm}
		}
		cases = append(cases, j32)
		// 0x36 is uhmul64 imm in V2 (no target check) and jge32 imm in V3+.
		shared := verifyCase{name: n + "/0x36", v: v,
			insns: []sbpf.Instruction{ins(sbpf.Jge32Imm, 1, 0, 5, 0), exit}}
		switch {
		case v == sbpf.V2:
		case v.JMP32():
			shared.want = &Error{Kind: JumpOutOfCode, PC: 0, Target: 6}
		default:
			shared.want = &Error{Kind: UnknownOpCode, PC: 0, Opcode: 0x36}
		}
		cases = append(cases, shared)
	}
	runCases(t, cases)
}

func TestRegisters(t *testing.T) {
	var cases []verifyCase
	for _, v := range allVersions {
		n := v.String()
		ldx, stx, st := sbpf.LdxDW, sbpf.StxDW, sbpf.StDWImm
		if v.MoveMemoryClasses() {
			ldx, stx, st = sbpf.Ldx8B, sbpf.Stx8B, sbpf.St8BImm
		}
		cases = append(cases,
			verifyCase{name: n + "/mov_r9", v: v, insns: []sbpf.Instruction{ins(sbpf.Mov64Reg, 9, 10, 0, 0), exit}},
			verifyCase{name: n + "/mov_r10", v: v,
				insns: []sbpf.Instruction{ins(sbpf.Mov64Reg, 10, 1, 0, 0), exit},
				want:  &Error{Kind: CannotWriteR10, PC: 0}},
			verifyCase{name: n + "/load_into_r10", v: v,
				insns: []sbpf.Instruction{ins(ldx, 10, 1, 0, 0), exit},
				want:  &Error{Kind: CannotWriteR10, PC: 0}},
			verifyCase{name: n + "/store_reg_via_r10", v: v, insns: []sbpf.Instruction{ins(stx, 10, 1, -8, 0), exit}},
			verifyCase{name: n + "/store_imm_via_r10", v: v, insns: []sbpf.Instruction{ins(st, 10, 0, -8, 1), exit}},
			verifyCase{name: n + "/store_via_r11", v: v,
				insns: []sbpf.Instruction{ins(stx, 11, 1, -8, 0), exit},
				want:  &Error{Kind: InvalidDestinationRegister, PC: 0}},
			verifyCase{name: n + "/store_from_r11", v: v,
				insns: []sbpf.Instruction{ins(stx, 1, 11, -8, 0), exit},
				want:  &Error{Kind: InvalidSourceRegister, PC: 0}},
			// The source register is checked first.
			verifyCase{name: n + "/src_before_dst", v: v,
				insns: []sbpf.Instruction{exit, ins(sbpf.Add64Reg, 15, 15, 0, 0), exit},
				want:  &Error{Kind: InvalidSourceRegister, PC: 1}},
			// Even instructions that ignore src and dst have them checked.
			verifyCase{name: n + "/exit_src_r11", v: v,
				insns: []sbpf.Instruction{ins(sbpf.Exit, 0, 11, 0, 0)},
				want:  &Error{Kind: InvalidSourceRegister, PC: 0}},
			verifyCase{name: n + "/exit_dst_r10", v: v,
				insns: []sbpf.Instruction{ins(sbpf.Exit, 10, 0, 0, 0)},
				want:  &Error{Kind: CannotWriteR10, PC: 0}},
			verifyCase{name: n + "/ja_dst_r12", v: v,
				insns: []sbpf.Instruction{ins(sbpf.Ja, 12, 0, 0, 0), exit},
				want:  &Error{Kind: InvalidDestinationRegister, PC: 0}},
			verifyCase{name: n + "/call_dst_r10", v: v,
				insns: []sbpf.Instruction{ins(sbpf.Call, 10, 1, 0, 0), exit},
				want:  &Error{Kind: CannotWriteR10, PC: 0}},
			verifyCase{name: n + "/add64_r11_imm", v: v,
				insns: []sbpf.Instruction{ins(sbpf.Add64Imm, 11, 0, 0, 64), exit},
				want:  &Error{Kind: InvalidDestinationRegister, PC: 0}},
			verifyCase{name: n + "/sub64_r10_imm", v: v,
				insns: []sbpf.Instruction{ins(sbpf.Sub64Imm, 10, 0, 0, 64), exit},
				want:  &Error{Kind: CannotWriteR10, PC: 0}},
			verifyCase{name: n + "/add64_r10_reg", v: v,
				insns: []sbpf.Instruction{ins(sbpf.Add64Reg, 10, 1, 0, 0), exit},
				want:  &Error{Kind: CannotWriteR10, PC: 0}},
		)
	}
	runCases(t, cases)
}

func TestStackFrameBump(t *testing.T) {
	var cases []verifyCase
	for _, v := range allVersions {
		n := v.String()
		for _, imm := range []int32{0, 64, -64, 4096, -4096, -1 << 31} {
			c := verifyCase{name: n + "/aligned", v: v,
				insns: []sbpf.Instruction{ins(sbpf.Add64Imm, 10, 0, 0, imm), exit}}
			if !v.DynamicFrames() {
				c.want = &Error{Kind: CannotWriteR10, PC: 0}
			}
			cases = append(cases, c)
		}
		for _, imm := range []int32{1, 32, -63, 63, 65, 1<<31 - 1} {
			c := verifyCase{name: n + "/unaligned", v: v,
				insns: []sbpf.Instruction{exit, ins(sbpf.Add64Imm, 10, 0, 0, imm), exit},
				want:  &Error{Kind: CannotWriteR10, PC: 1}}
			if v.DynamicFrames() {
				c.want = &Error{Kind: UnalignedImmediate, PC: 1}
			}
			cases = append(cases, c)
		}
		// Alignment is only asked of r10; its src is still checked after.
		c := verifyCase{name: n + "/src_r11", v: v,
			insns: []sbpf.Instruction{ins(sbpf.Add64Imm, 10, 11, 0, 64), exit},
			want:  &Error{Kind: InvalidSourceRegister, PC: 0}}
		cases = append(cases, c)
		cases = append(cases, verifyCase{name: n + "/other_reg_unaligned", v: v,
			insns: []sbpf.Instruction{ins(sbpf.Add64Imm, 1, 0, 0, 3), exit}})
	}
	runCases(t, cases)
}

func TestShifts(t *testing.T) {
	var cases []verifyCase
	for _, v := range allVersions {
		n := v.String()
		for _, s := range []struct {
			op   sbpf.Opcode
			bits int
		}{
			{sbpf.Lsh32Imm, 32}, {sbpf.Rsh32Imm, 32}, {sbpf.Arsh32Imm, 32},
			{sbpf.Lsh64Imm, 64}, {sbpf.Rsh64Imm, 64}, {sbpf.Arsh64Imm, 64},
		} {
			for _, imm := range []int32{0, int32(s.bits) - 1} {
				cases = append(cases, verifyCase{name: n + "/" + s.op.String() + "/ok", v: v,
					insns: []sbpf.Instruction{ins(s.op, 1, 0, 0, imm), exit}})
			}
			for _, imm := range []int32{int32(s.bits), -1, -1 << 31, 1<<31 - 1} {
				cases = append(cases, verifyCase{name: n + "/" + s.op.String() + "/overflow", v: v,
					insns: []sbpf.Instruction{ins(s.op, 11, 0, 0, imm), exit},
					want:  &Error{Kind: ShiftWithOverflow, PC: 0, Shift: int64(imm), Bits: s.bits}})
			}
		}
		// Shifts by a register are checked at run time.
		cases = append(cases, verifyCase{name: n + "/lsh64_reg", v: v,
			insns: []sbpf.Instruction{ins(sbpf.Lsh64Reg, 1, 2, 0, 99), exit}})
	}
	runCases(t, cases)
}

func TestCallx(t *testing.T) {
	type callx struct {
		dst, src uint8
		imm      int32
	}
	var cases []verifyCase
	for _, v := range allVersions {
		n := v.String()
		// place puts register r where this version looks for it.
		place := func(r uint8) callx {
			switch {
			case v.CallxUsesSrcReg():
				return callx{src: r}
			case v.CallxUsesDstReg():
				return callx{dst: r}
			}
			return callx{imm: int32(r)}
		}
		insn := func(c callx) []sbpf.Instruction {
			return []sbpf.Instruction{ins(sbpf.Callx, c.dst, c.src, 0, c.imm), exit}
		}
		for _, r := range []uint8{0, 9} {
			cases = append(cases, verifyCase{name: n + "/ok", v: v, insns: insn(place(r))})
		}
		for _, r := range []uint8{10, 11, 15} {
			cases = append(cases, verifyCase{name: n + "/bad", v: v, insns: insn(place(r)),
				want: &Error{Kind: InvalidRegister, PC: 0}})
		}
		if !v.CallxUsesSrcReg() && !v.CallxUsesDstReg() {
			cases = append(cases,
				verifyCase{name: n + "/imm_negative", v: v, insns: insn(callx{imm: -1}),
					want: &Error{Kind: InvalidRegister, PC: 0}},
				// Only imm names the register; dst is still register-checked.
				verifyCase{name: n + "/dst_r11", v: v, insns: insn(callx{dst: 11, imm: 1}),
					want: &Error{Kind: InvalidDestinationRegister, PC: 0}},
			)
		}
		if v.CallxUsesSrcReg() {
			cases = append(cases,
				verifyCase{name: n + "/imm_ignored", v: v, insns: insn(callx{src: 1, imm: 99})},
				verifyCase{name: n + "/dst_r10", v: v, insns: insn(callx{dst: 10, src: 1}),
					want: &Error{Kind: CannotWriteR10, PC: 0}},
			)
		}
		if v.CallxUsesDstReg() {
			cases = append(cases,
				verifyCase{name: n + "/imm_ignored", v: v, insns: insn(callx{dst: 1, imm: 99})},
				verifyCase{name: n + "/src_r11", v: v, insns: insn(callx{dst: 1, src: 11}),
					want: &Error{Kind: InvalidSourceRegister, PC: 0}},
			)
		}
	}
	runCases(t, cases)
}

func TestUnknownOpcodes(t *testing.T) {
	unknown := func(v sbpf.Version, op sbpf.Opcode) verifyCase {
		return verifyCase{name: v.String() + "/" + op.String(), v: v,
			insns: []sbpf.Instruction{exit, ins(op, 0, 0, 0, 1), exit},
			want:  &Error{Kind: UnknownOpCode, PC: 1, Opcode: op}}
	}
	var cases []verifyCase
	for _, v := range allVersions {
		cases = append(cases, unknown(v, 0x00), unknown(v, 0x06), unknown(v, 0x0e), unknown(v, 0xff))
		if v != sbpf.V2 {
			cases = append(cases, unknown(v, sbpf.Hor64Imm), unknown(v, sbpf.Lmul64Imm), unknown(v, sbpf.Srem32Imm), unknown(v, sbpf.Ldx4B))
		}
	}
	cases = append(cases,
		unknown(sbpf.V2, sbpf.Neg32), unknown(sbpf.V2, sbpf.LdxB), unknown(sbpf.V2, sbpf.StxDW),
		unknown(sbpf.V2, sbpf.StWImm), unknown(sbpf.V2, sbpf.Jeq32Imm),
		unknown(sbpf.V1, sbpf.Jeq32Reg), unknown(sbpf.V0, sbpf.Lmul32Imm),
		// An unknown opcode stops the verifier before any register check.
		verifyCase{name: "v0/opcode_before_registers", v: sbpf.V0,
			insns: []sbpf.Instruction{ins(0x06, 15, 15, 0, 0), exit},
			want:  &Error{Kind: UnknownOpCode, PC: 0, Opcode: 0x06}},
		// In V2 the moved opcodes mean loads and stores: 0x27 stores via r10.
		verifyCase{name: "v2/st1b_via_r10", v: sbpf.V2,
			insns: []sbpf.Instruction{ins(sbpf.St1BImm, 10, 0, -1, 7), exit}},
		verifyCase{name: "v0/mul64_into_r10", v: sbpf.V0,
			insns: []sbpf.Instruction{ins(sbpf.Mul64Imm, 10, 0, -1, 7), exit},
			want:  &Error{Kind: CannotWriteR10, PC: 0}},
		verifyCase{name: "v2/neg64_is_st4b", v: sbpf.V2,
			insns: []sbpf.Instruction{ins(sbpf.Neg64, 10, 0, 0, 0), exit}},
	)
	runCases(t, cases)
}

func TestLocalVerifier(t *testing.T) {
	sol := int32(sbpf.SyscallHash("sol_log_"))
	logs := hashSet("sol_log_")
	var cases []verifyCase
	for _, v := range allVersions {
		n := v.String()
		static := v.StaticSyscalls()
		unregistered := verifyCase{name: n + "/unregistered", v: v, syscalls: logs,
			insns: []sbpf.Instruction{ins(sbpf.Call, 0, 0, 0, sol), ins(sbpf.Call, 0, 0, 0, 12345), exit}}
		nilSet := verifyCase{name: n + "/nil_set", v: v,
			insns: []sbpf.Instruction{ins(sbpf.Call, 0, 0, 0, sol), exit}}
		self := verifyCase{name: n + "/call_minus_one", v: v,
			insns: []sbpf.Instruction{exit, ins(sbpf.Call, 0, 1, 0, -1), exit}}
		if static {
			unregistered.want = &Error{Kind: InvalidSyscall, PC: 1, Syscall: 12345}
			nilSet.want = &Error{Kind: InvalidSyscall, PC: 0, Syscall: uint32(sol)}
			self.want = &Error{Kind: InvalidFunction, PC: 1}
		}
		cases = append(cases, unregistered, nilSet, self,
			verifyCase{name: n + "/registered", v: v, syscalls: logs,
				insns: []sbpf.Instruction{ins(sbpf.Call, 0, 0, 0, sol), exit}},
			// Other internal calls, and calls with other src values, are
			// not the LocalVerifier's concern.
			verifyCase{name: n + "/call_minus_two", v: v,
				insns: []sbpf.Instruction{exit, ins(sbpf.Call, 0, 1, 0, -2), exit}},
			verifyCase{name: n + "/call_src_2", v: v,
				insns: []sbpf.Instruction{ins(sbpf.Call, 0, 2, 0, -1), exit}},
		)
		if static {
			cases = append(cases,
				// The whole RequisiteVerifier runs first: its later error wins.
				verifyCase{name: n + "/requisite_first", v: v,
					insns: []sbpf.Instruction{ins(sbpf.Call, 0, 0, 0, 12345), ins(sbpf.Div64Imm, 0, 0, 0, 0), exit},
					want:  &Error{Kind: DivisionByZero, PC: 1}},
				// An lddw's second slot is skipped, whatever its bytes.
				verifyCase{name: n + "/lddw_skipped", v: v,
					insns: []sbpf.Instruction{ins(sbpf.LdDwImm, 1, 0, 0, 0), lddwHi(-1), exit}},
				// The first problem wins, whichever of the two it is.
				verifyCase{name: n + "/first_wins", v: v,
					insns: []sbpf.Instruction{ins(sbpf.Call, 0, 1, 0, -1), ins(sbpf.Call, 0, 0, 0, 7), exit},
					want:  &Error{Kind: InvalidFunction, PC: 0}},
			)
		}
	}
	runCases(t, cases)
}

// Local on its own behaves like the reference's LocalVerifier, which makes
// no assumption about the text.
func TestLocalAlone(t *testing.T) {
	text := append(encode(ins(sbpf.LdDwImm, 0, 0, 0, 0)), 0x85, 0, 0, 0) // lddw last, trailing bytes
	for _, v := range allVersions {
		if err := Local(text, v, nil); err != nil {
			t.Errorf("%s: %v", v, err)
		}
	}
	checkOutcome(t, Local(encode(ins(sbpf.Call, 0, 0, 0, 5)), sbpf.V3, SyscallFunc(func(h uint32) bool { return h == 6 })),
		&Error{Kind: InvalidSyscall, PC: 0, Syscall: 5})
}

func TestUnknownVersion(t *testing.T) {
	text := encode(exit)
	for _, err := range []error{
		Structural(text, sbpf.LatestVersion+1, nil),
		Requisite(text, 200),
		Local(text, 9, nil),
	} {
		var e *Error
		if err == nil || errors.As(err, &e) {
			t.Errorf("unknown version: got %v, want a plain error", err)
		}
	}
}

func TestKindString(t *testing.T) {
	want := []string{
		"ProgramLengthNotMultiple", "NoProgram", "DivisionByZero", "UnsupportedLEBEArgument",
		"LDDWCannotBeLast", "IncompleteLDDW", "JumpOutOfCode", "JumpToMiddleOfLDDW",
		"InvalidSourceRegister", "CannotWriteR10", "InvalidDestinationRegister", "UnknownOpCode",
		"ShiftWithOverflow", "InvalidRegister", "InvalidFunction", "InvalidSyscall", "UnalignedImmediate",
	}
	for i, w := range want {
		if got := Kind(i + 1).String(); got != w {
			t.Errorf("Kind(%d) = %q, want %q", i+1, got, w)
		}
	}
	for _, k := range []Kind{0, Kind(len(want) + 1), 255} {
		if got := k.String(); !strings.HasPrefix(got, "Kind(") {
			t.Errorf("Kind(%d) = %q", k, got)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Kind: ProgramLengthNotMultiple, PC: -1}, "program length must be a multiple of 8 octets"},
		{&Error{Kind: DivisionByZero, PC: 2}, "division by 0 (insn #2)"},
		{&Error{Kind: JumpOutOfCode, PC: 1, Target: -1}, "jump out of code to #-1 (insn #1)"},
		{&Error{Kind: JumpToMiddleOfLDDW, PC: 0, Target: 2}, "jump to middle of LD_DW at #2 (insn #0)"},
		{&Error{Kind: UnknownOpCode, PC: 3, Opcode: 0x06}, "unknown eBPF opcode 0x6 (insn #3)"},
		{&Error{Kind: ShiftWithOverflow, PC: 1, Shift: 64, Bits: 32}, "shift with overflow of 32-bit value by 64 (insn #1)"},
		{&Error{Kind: InvalidSyscall, PC: 3, Syscall: 1823123}, "invalid syscall code 1823123 (0x1bd193) (insn #3)"},
		{&Error{Kind: CannotWriteR10, PC: 4}, "cannot write into register r10 (insn #4)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.err.Kind, got, tt.want)
		}
	}
	// Every kind has its own message, naming the instruction where there is one.
	for k := ProgramLengthNotMultiple; k <= UnalignedImmediate; k++ {
		msg := (&Error{Kind: k, PC: 7}).Error()
		if strings.HasPrefix(msg, "verifier error") {
			t.Errorf("%s has no message", k)
		}
		if k != ProgramLengthNotMultiple && k != NoProgram && !strings.Contains(msg, "#7") {
			t.Errorf("%s: %q does not name the instruction", k, msg)
		}
	}
	// errors.As finds the *Error through wrapping.
	wrapped := errors.Join(errors.New("loading"), Structural(nil, sbpf.V0, nil))
	var e *Error
	if !errors.As(wrapped, &e) || e.Kind != NoProgram {
		t.Errorf("errors.As through wrapping: %v", wrapped)
	}
}
