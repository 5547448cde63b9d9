package verify

// The cases of the reference's tests/verifier.rs, one for one. The
// reference assembles most of them with its default loader, whose highest
// version (V4) is the one the assembler targets; there `add64 r10, imm`
// assembles to the no-op `or64 r0, 0`. The programs below are the bytes
// that assembler produces.

import (
	"errors"
	"testing"

	"github.com/agora-vm/agora/sbpf"
)

func TestReferenceVerifierCases(t *testing.T) {
	shift := func(op sbpf.Opcode, imm int32) []sbpf.Instruction {
		return []sbpf.Instruction{nop, ins(op, 0, 0, 0, imm), exit}
	}
	sdiv := func(v sbpf.Version, op sbpf.Opcode, src uint8, imm int32) []sbpf.Instruction {
		first := nop
		if v.DynamicFrames() {
			first = ins(sbpf.Add64Imm, 10, 0, 0, 0)
		}
		return []sbpf.Instruction{first, ins(op, 0, src, 0, imm), exit}
	}
	cases := []verifyCase{
		{name: "success", v: sbpf.V4,
			insns: []sbpf.Instruction{ins(sbpf.Mov32Imm, 0, 0, 0, 0xBEE), exit}},
		// test_verifier_fail uses a verifier that always answers NoProgram;
		// the real way to get it is an empty text.
		{name: "fail", v: sbpf.V4, text: []byte{},
			want: &Error{Kind: NoProgram, PC: -1}},
		{name: "err_div_by_zero_imm", v: sbpf.V4,
			insns: []sbpf.Instruction{nop, ins(sbpf.Mov32Imm, 0, 0, 0, 1), ins(sbpf.Div32Imm, 0, 0, 0, 0), exit},
			want:  &Error{Kind: DivisionByZero, PC: 2}},
		{name: "err_endian_size", v: sbpf.V2,
			text: []byte{
				0x07, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				0xdc, 0x01, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
				0xb7, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			},
			want: &Error{Kind: UnsupportedLEBEArgument, PC: 1}},
		{name: "err_incomplete_lddw", v: sbpf.V0,
			text: []byte{
				0x18, 0x00, 0x00, 0x00, 0x88, 0x77, 0x66, 0x55,
				0x85, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			},
			want: &Error{Kind: IncompleteLDDW, PC: 0}},
		{name: "err_lddw_cannot_be_last/v0", v: sbpf.V0,
			text: []byte{0x18, 0x00, 0x00, 0x00, 0x88, 0x77, 0x66, 0x55},
			want: &Error{Kind: LDDWCannotBeLast, PC: 0}},
		{name: "err_lddw_cannot_be_last/v4", v: sbpf.V4,
			text: []byte{0x18, 0x00, 0x00, 0x00, 0x88, 0x77, 0x66, 0x55},
			want: &Error{Kind: LDDWCannotBeLast, PC: 0}},
		{name: "err_invalid_reg_dst", v: sbpf.V4,
			insns: []sbpf.Instruction{ins(sbpf.Mov64Imm, 11, 0, 0, 1), exit},
			want:  &Error{Kind: InvalidDestinationRegister, PC: 0}},
		{name: "err_invalid_reg_src", v: sbpf.V4,
			insns: []sbpf.Instruction{ins(sbpf.Mov64Reg, 0, 11, 0, 0), exit},
			want:  &Error{Kind: InvalidSourceRegister, PC: 0}},
		{name: "resize_stack_ptr_success", v: sbpf.V4,
			insns: []sbpf.Instruction{nop, exit, nop, exit}},
		{name: "negative_unaligned_stack", v: sbpf.V1,
			insns: []sbpf.Instruction{ins(sbpf.Add64Imm, 10, 0, 0, -63), exit},
			want:  &Error{Kind: UnalignedImmediate, PC: 0}},
		{name: "positive_unaligned_stack", v: sbpf.V1,
			insns: []sbpf.Instruction{ins(sbpf.Add64Imm, 10, 0, 0, 63), exit},
			want:  &Error{Kind: UnalignedImmediate, PC: 0}},
		{name: "err_jmp_lddw", v: sbpf.V0,
			insns: []sbpf.Instruction{
				ins(sbpf.Ja, 0, 0, 1, 0),
				ins(sbpf.LdDwImm, 0, 0, 0, 0x55667788), lddwHi(0x11223344),
				exit,
			},
			want: &Error{Kind: JumpToMiddleOfLDDW, PC: 0, Target: 2}},
		// In V0 `call 1` at pc 0 is assembled with imm = target pc = 2, the
		// middle of the lddw; calls are not jump-checked.
		{name: "call_into_lddw", v: sbpf.V0,
			insns: []sbpf.Instruction{
				ins(sbpf.Call, 0, 0, 0, 2),
				ins(sbpf.LdDwImm, 0, 0, 0, 0x55667788), lddwHi(0x11223344),
				exit,
			}},
		{name: "err_callx_cannot_use_r10/v0", v: sbpf.V0,
			insns: []sbpf.Instruction{ins(sbpf.Callx, 0, 0, 0, 10), exit},
			want:  &Error{Kind: InvalidRegister, PC: 0}},
		{name: "err_callx_cannot_use_r10/v4", v: sbpf.V4,
			insns: []sbpf.Instruction{ins(sbpf.Callx, 10, 0, 0, 0), exit},
			want:  &Error{Kind: InvalidRegister, PC: 0}},
		{name: "err_jmp_out", v: sbpf.V4,
			insns: []sbpf.Instruction{nop, ins(sbpf.Ja, 0, 0, 2, 0), exit},
			want:  &Error{Kind: JumpOutOfCode, PC: 1, Target: 4}},
		// The reference reports target -1 wrapped: 18446744073709551615.
		{name: "err_jmp_out_start", v: sbpf.V4,
			insns: []sbpf.Instruction{nop, ins(sbpf.Ja, 0, 0, -3, 0), exit},
			want:  &Error{Kind: JumpOutOfCode, PC: 1, Target: -1}},
		{name: "known_syscall", v: sbpf.V4,
			text: []byte{
				0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				0x85, 0x00, 0x00, 0x00, 0xDD, 0x0C, 0x02, 0x91,
				0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			},
			syscalls: hashSet("gather_bytes")},
		{name: "err_add_r10", v: sbpf.V0,
			text: []byte{
				0x07, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			},
			want: &Error{Kind: CannotWriteR10, PC: 0}},
		{name: "err_write_r10", v: sbpf.V4,
			insns: []sbpf.Instruction{nop, ins(sbpf.Mov64Imm, 10, 0, 0, 1), exit},
			want:  &Error{Kind: CannotWriteR10, PC: 1}},

		// test_verifier_err_all_shift_overflows
		{name: "shift/lsh32_16", v: sbpf.V4, insns: shift(sbpf.Lsh32Imm, 16)},
		{name: "shift/lsh32_32", v: sbpf.V4, insns: shift(sbpf.Lsh32Imm, 32),
			want: &Error{Kind: ShiftWithOverflow, PC: 1, Shift: 32, Bits: 32}},
		{name: "shift/lsh32_64", v: sbpf.V4, insns: shift(sbpf.Lsh32Imm, 64),
			want: &Error{Kind: ShiftWithOverflow, PC: 1, Shift: 64, Bits: 32}},
		{name: "shift/rsh32_16", v: sbpf.V4, insns: shift(sbpf.Rsh32Imm, 16)},
		{name: "shift/rsh32_32", v: sbpf.V4, insns: shift(sbpf.Rsh32Imm, 32),
			want: &Error{Kind: ShiftWithOverflow, PC: 1, Shift: 32, Bits: 32}},
		{name: "shift/rsh32_64", v: sbpf.V4, insns: shift(sbpf.Rsh32Imm, 64),
			want: &Error{Kind: ShiftWithOverflow, PC: 1, Shift: 64, Bits: 32}},
		{name: "shift/arsh32_16", v: sbpf.V4, insns: shift(sbpf.Arsh32Imm, 16)},
		{name: "shift/arsh32_32", v: sbpf.V4, insns: shift(sbpf.Arsh32Imm, 32),
			want: &Error{Kind: ShiftWithOverflow, PC: 1, Shift: 32, Bits: 32}},
		{name: "shift/arsh32_64", v: sbpf.V4, insns: shift(sbpf.Arsh32Imm, 64),
			want: &Error{Kind: ShiftWithOverflow, PC: 1, Shift: 64, Bits: 32}},
		{name: "shift/lsh64_32", v: sbpf.V4, insns: shift(sbpf.Lsh64Imm, 32)},
		{name: "shift/lsh64_64", v: sbpf.V4, insns: shift(sbpf.Lsh64Imm, 64),
			want: &Error{Kind: ShiftWithOverflow, PC: 1, Shift: 64, Bits: 64}},
		{name: "shift/rsh64_32", v: sbpf.V4, insns: shift(sbpf.Rsh64Imm, 32)},
		{name: "shift/rsh64_64", v: sbpf.V4, insns: shift(sbpf.Rsh64Imm, 64),
			want: &Error{Kind: ShiftWithOverflow, PC: 1, Shift: 64, Bits: 64}},
		{name: "shift/arsh64_32", v: sbpf.V4, insns: shift(sbpf.Arsh64Imm, 32)},
		{name: "shift/arsh64_64", v: sbpf.V4, insns: shift(sbpf.Arsh64Imm, 64),
			want: &Error{Kind: ShiftWithOverflow, PC: 1, Shift: 64, Bits: 64}},

		// test_sdiv_disabled: the assembler targets V1 and V2 here, where
		// `add64 r10, 0` is a real instruction.
		{name: "sdiv_disabled/sdiv32_imm/v1", v: sbpf.V1, insns: sdiv(sbpf.V1, sbpf.Sdiv32Imm, 0, 2),
			want: &Error{Kind: UnknownOpCode, PC: 1, Opcode: sbpf.Sdiv32Imm}},
		{name: "sdiv_disabled/sdiv32_imm/v2", v: sbpf.V2, insns: sdiv(sbpf.V2, sbpf.Sdiv32Imm, 0, 2)},
		{name: "sdiv_disabled/sdiv32_reg/v1", v: sbpf.V1, insns: sdiv(sbpf.V1, sbpf.Sdiv32Reg, 1, 0),
			want: &Error{Kind: UnknownOpCode, PC: 1, Opcode: sbpf.Sdiv32Reg}},
		{name: "sdiv_disabled/sdiv32_reg/v2", v: sbpf.V2, insns: sdiv(sbpf.V2, sbpf.Sdiv32Reg, 1, 0)},
		{name: "sdiv_disabled/sdiv64_imm/v1", v: sbpf.V1, insns: sdiv(sbpf.V1, sbpf.Sdiv64Imm, 0, 4),
			want: &Error{Kind: UnknownOpCode, PC: 1, Opcode: sbpf.Sdiv64Imm}},
		{name: "sdiv_disabled/sdiv64_imm/v2", v: sbpf.V2, insns: sdiv(sbpf.V2, sbpf.Sdiv64Imm, 0, 4)},
		{name: "sdiv_disabled/sdiv64_reg/v1", v: sbpf.V1, insns: sdiv(sbpf.V1, sbpf.Sdiv64Reg, 1, 0),
			want: &Error{Kind: UnknownOpCode, PC: 1, Opcode: sbpf.Sdiv64Reg}},
		{name: "sdiv_disabled/sdiv64_reg/v2", v: sbpf.V2, insns: sdiv(sbpf.V2, sbpf.Sdiv64Reg, 1, 0)},

		{name: "exit", v: sbpf.V4,
			insns: []sbpf.Instruction{nop, ins(sbpf.Mov64Imm, 0, 0, 0, 2), exit}},

		// The local_verifier_* cases: V4, `call -1` is pc-relative with src=1.
		{name: "local_verifier_call_negative", v: sbpf.V4,
			insns: []sbpf.Instruction{
				nop,
				ins(sbpf.LdDwImm, 7, 0, 0, 0x8000), zero,
				ins(sbpf.Call, 0, 1, 0, -1),
				exit,
			},
			want: &Error{Kind: InvalidFunction, PC: 3}},
		{name: "local_verifier_invalid_syscall", v: sbpf.V4,
			insns: []sbpf.Instruction{
				nop,
				ins(sbpf.LdDwImm, 7, 0, 0, 0x8000), zero,
				ins(sbpf.Call, 0, 0, 0, 0x1bd193),
				exit,
			},
			want: &Error{Kind: InvalidSyscall, PC: 3, Syscall: 1823123}},
		{name: "local_verifier_valid_program", v: sbpf.V4,
			insns: []sbpf.Instruction{
				nop,
				ins(sbpf.LdDwImm, 7, 0, 0, 0x8000), zero,
				ins(sbpf.Call, 0, 0, 0, 0x6bf5c3fe),
				exit,
			},
			syscalls: hashSet("log")},
	}
	runCases(t, cases)
}

// The reference's syscall tests name their syscalls by hash; make sure the
// names registered above hash to those values.
func TestReferenceSyscallHashes(t *testing.T) {
	for name, want := range map[string]uint32{"gather_bytes": 0x91020CDD, "log": 0x6bf5c3fe} {
		if got := sbpf.SyscallHash(name); got != want {
			t.Errorf("SyscallHash(%q) = %#x, want %#x", name, got, want)
		}
	}
}

// The reference runs its verifiers one at a time; Requisite and Local do
// the same for the cases that use them alone.
func TestReferenceSingleVerifiers(t *testing.T) {
	known := encode(ins(sbpf.Add64Imm, 0, 0, 0, 0), ins(sbpf.Call, 0, 0, 0, int32(sbpf.SyscallHash("gather_bytes"))), exit)
	if err := Requisite(known, sbpf.V4); err != nil {
		t.Errorf("Requisite(known_syscall) = %v", err)
	}
	negative := encode(nop, ins(sbpf.LdDwImm, 7, 0, 0, 0x8000), zero, ins(sbpf.Call, 0, 1, 0, -1), exit)
	if err := Requisite(negative, sbpf.V4); err != nil {
		t.Errorf("Requisite(call_negative) = %v", err)
	}
	checkOutcome(t, Local(negative, sbpf.V4, nil), &Error{Kind: InvalidFunction, PC: 3})
}

// referenceArm says which arm of the reference RequisiteVerifier's opcode
// match accepts opc in version v, and whether that arm marks a store. It
// spells the opcodes the way src/ebpf.rs composes them (class | source |
// operation) rather than using package sbpf's table, so that the two are
// checked against each other. The cases are tried in order, with the same
// guards as the reference's match arms.
func referenceArm(v sbpf.Version, opc uint8) (known, store bool) {
	const (
		ld, ldx, st, stx, alu32, jmp64, jmp32, pqr, alu64 = 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x06, 0x07
		w, h, b, dw, b1, b2, b4, b8                       = 0x00, 0x08, 0x10, 0x18, 0x20, 0x30, 0x80, 0x90
		imm, mem, k, x                                    = 0x00, 0x60, 0x00, 0x08
	)
	const (
		add, sub, mul, div, or, and, lsh, rsh, neg, mod, xor, mov, arsh, end, hor  = 0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0, 0xf0
		uhmul, udiv, urem, lmul, shmul, sdiv, srem                                 = 0x20, 0x40, 0x60, 0x80, 0xa0, 0xc0, 0xe0
		ja, jeq, jgt, jge, jset, jne, jsgt, jsge, call, exit, jlt, jle, jslt, jsle = 0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0
	)
	// The version predicates of src/program.rs.
	isV2 := v == sbpf.V2
	manualBump, enablePQR, disableNeg, disableLDDW, disableLE, moveMem := isV2 || v == sbpf.V1, isV2, isV2, isV2, isV2, isV2
	enableJMP32 := v >= sbpf.V3
	_ = manualBump // only changes the checks inside an arm, not which arm

	in := func(ops ...uint8) bool {
		for _, o := range ops {
			if opc == o {
				return true
			}
		}
		return false
	}
	switch {
	case opc == ld|imm|dw && !disableLDDW:
	case in(ldx|mem|b, ldx|mem|h, ldx|mem|w, ldx|mem|dw) && !moveMem:
	case in(st|mem|b, st|mem|h, st|mem|w, st|mem|dw) && !moveMem:
		return true, true
	case in(stx|mem|b, stx|mem|h, stx|mem|w, stx|mem|dw) && !moveMem:
		return true, true

	case in(alu32|k|add, alu32|x|add, alu32|k|sub, alu32|x|sub):
	case in(alu32|k|mul, alu32|x|mul) && !enablePQR:
	case opc == alu32|x|b1 && moveMem:
	case in(alu32|k|div, alu32|x|div) && !enablePQR:
	case opc == alu32|x|b2 && moveMem:
	case in(alu32|k|or, alu32|x|or, alu32|k|and, alu32|x|and, alu32|k|lsh, alu32|x|lsh, alu32|k|rsh, alu32|x|rsh):
	case opc == alu32|neg && !disableNeg:
	case opc == alu32|x|b4 && moveMem:
	case in(alu32|k|mod, alu32|x|mod) && !enablePQR:
	case opc == alu32|x|b8 && moveMem:
	case in(alu32|k|xor, alu32|x|xor, alu32|k|mov, alu32|x|mov, alu32|k|arsh, alu32|x|arsh):
	case opc == alu32|k|end && !disableLE:
	case opc == alu32|x|end:

	case in(alu64|k|add, alu64|x|add, alu64|k|sub, alu64|x|sub):
	case in(alu64|k|mul) && !enablePQR:
	case opc == alu64|k|b1 && moveMem:
		return true, true
	case in(alu64|x|mul) && !enablePQR:
	case opc == alu64|x|b1 && moveMem:
		return true, true
	case in(alu64|k|div) && !enablePQR:
	case opc == alu64|k|b2 && moveMem:
		return true, true
	case in(alu64|x|div) && !enablePQR:
	case opc == alu64|x|b2 && moveMem:
		return true, true
	case in(alu64|k|or, alu64|x|or, alu64|k|and, alu64|x|and, alu64|k|lsh, alu64|x|lsh, alu64|k|rsh, alu64|x|rsh):
	case opc == alu64|k|b4 && moveMem:
		return true, true
	case opc == alu64|neg && !disableNeg:
	case opc == alu64|x|b4 && moveMem:
		return true, true
	case in(alu64|k|mod) && !enablePQR:
	case opc == alu64|k|b8 && moveMem:
		return true, true
	case in(alu64|x|mod) && !enablePQR:
	case opc == alu64|x|b8 && moveMem:
		return true, true
	case in(alu64|k|xor, alu64|x|xor, alu64|k|mov, alu64|x|mov, alu64|k|arsh, alu64|x|arsh):
	case opc == alu64|k|hor && disableLDDW:

	case in(pqr|k|lmul, pqr|x|lmul, pqr|b|k|lmul, pqr|b|x|lmul,
		pqr|b|k|uhmul, pqr|b|x|uhmul, pqr|b|k|shmul, pqr|b|x|shmul,
		pqr|k|udiv, pqr|x|udiv, pqr|b|k|udiv, pqr|b|x|udiv,
		pqr|k|urem, pqr|x|urem, pqr|b|k|urem, pqr|b|x|urem,
		pqr|k|sdiv, pqr|x|sdiv, pqr|b|k|sdiv, pqr|b|x|sdiv,
		pqr|k|srem, pqr|x|srem, pqr|b|k|srem, pqr|b|x|srem) && enablePQR:

	case in(jmp32|k|jeq, jmp32|x|jeq, jmp32|k|jgt, jmp32|x|jgt, jmp32|k|jge, jmp32|x|jge,
		jmp32|k|jlt, jmp32|x|jlt, jmp32|k|jle, jmp32|x|jle, jmp32|k|jset, jmp32|x|jset,
		jmp32|k|jne, jmp32|x|jne, jmp32|k|jsgt, jmp32|x|jsgt, jmp32|k|jsge, jmp32|x|jsge,
		jmp32|k|jslt, jmp32|x|jslt, jmp32|k|jsle, jmp32|x|jsle) && enableJMP32:

	case in(jmp64|ja, jmp64|k|jeq, jmp64|x|jeq, jmp64|k|jgt, jmp64|x|jgt, jmp64|k|jge, jmp64|x|jge,
		jmp64|k|jlt, jmp64|x|jlt, jmp64|k|jle, jmp64|x|jle, jmp64|k|jset, jmp64|x|jset,
		jmp64|k|jne, jmp64|x|jne, jmp64|k|jsgt, jmp64|x|jsgt, jmp64|k|jsge, jmp64|x|jsge,
		jmp64|k|jslt, jmp64|x|jslt, jmp64|k|jsle, jmp64|x|jsle):
	case in(jmp64|call, jmp64|x|call, jmp64|exit):
	default:
		return false, false
	}
	return true, false
}

// TestOpcodeGatingMatchesReference runs every opcode of every version and
// checks that it is unknown exactly when no arm of the reference's match
// accepts it, and that only the store arms let it name r10 as dst.
func TestOpcodeGatingMatchesReference(t *testing.T) {
	for v := sbpf.V0; v <= sbpf.LatestVersion; v++ {
		for c := 0; c < 256; c++ {
			opc := uint8(c)
			known, store := referenceArm(v, opc)

			// off=1 jumps over the zero slot; imm=16 passes every immediate
			// check except callx's register.
			probe := encode(ins(sbpf.Opcode(opc), 0, 0, 1, 16), zero, exit)
			var e *Error
			err := Requisite(probe, v)
			gotUnknown := errors.As(err, &e) && e.Kind == UnknownOpCode && e.PC == 0
			if gotUnknown == known {
				t.Errorf("%s opcode %#02x: unknown=%v, reference arm known=%v (%v)", v, opc, gotUnknown, known, err)
				continue
			}
			if !known {
				continue
			}

			// With dst=r10 a non-store is rejected at its own slot (the
			// lddw's second slot for lddw); a store passes and the verifier
			// stops at the unknown opcode 0 in slot 1.
			// imm=64 keeps a V1/V2 `add64 r10, imm` aligned.
			imm := int32(16)
			if opc == 0x07 {
				imm = 64
			}
			err = Requisite(encode(ins(sbpf.Opcode(opc), 10, 0, 1, imm), zero, exit), v)
			if !errors.As(err, &e) {
				t.Errorf("%s opcode %#02x with dst r10: admitted", v, opc)
				continue
			}
			switch e.Kind {
			case CannotWriteR10:
				if store {
					t.Errorf("%s store %#02x: %v", v, opc, err)
				}
			case UnknownOpCode:
				if e.PC != 1 || !(store || (opc == 0x07 && v.DynamicFrames())) {
					t.Errorf("%s non-store %#02x accepted r10: %v", v, opc, err)
				}
			case InvalidRegister: // callx in V3+ names r10 in dst
			default:
				t.Errorf("%s opcode %#02x with dst r10: unexpected %v", v, opc, err)
			}
		}
	}
}
