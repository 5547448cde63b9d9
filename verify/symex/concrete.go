package symex

import (
	"math/bits"

	"github.com/agora-vm/agora/sbpf"
)

// Wraps reports whether insn, executed with dst and src (the register
// values before it; src is ignored for immediates), wraps around as the
// overflow check defines it: unsigned carry or borrow for add and sub
// (an add of a negative immediate is a subtract), an unsigned product
// that does not fit, set bits shifted out to the left, and negation of
// the most negative value. It is the concrete counterpart of the
// symbolic check, for replaying counterexamples.
func Wraps(v sbpf.Version, insn sbpf.Instruction, dst, src uint64) bool {
	op := v.Lookup(insn.Op)
	info := op.Info()
	if info.Format == sbpf.FmtALUImm {
		src = uint64(int64(insn.Imm))
	}
	neg := info.Format == sbpf.FmtALUImm && insn.Imm < 0
	mag := uint64(-int64(insn.Imm))
	d32, s32 := dst&0xffffffff, src&0xffffffff
	if v.SwapSubImmOperands() {
		switch op {
		case sbpf.OpSub64Imm: // imm - dst
			return src < dst
		case sbpf.OpSub32Imm:
			return s32 < d32
		case sbpf.OpSub32Reg:
			return d32 < s32
		}
	}
	switch op {
	case sbpf.OpLmul64Imm, sbpf.OpLmul64Reg:
		hi, _ := bits.Mul64(dst, src)
		return hi != 0
	case sbpf.OpLmul32Imm, sbpf.OpLmul32Reg:
		return d32*s32 > 0xffffffff
	case sbpf.OpAdd64Imm, sbpf.OpAdd64Reg:
		if neg {
			return dst < mag
		}
		_, c := bits.Add64(dst, src, 0)
		return c != 0
	case sbpf.OpSub64Imm, sbpf.OpSub64Reg:
		if neg {
			_, c := bits.Add64(dst, mag, 0)
			return c != 0
		}
		return dst < src
	case sbpf.OpMul64Imm, sbpf.OpMul64Reg:
		hi, _ := bits.Mul64(dst, src)
		return hi != 0
	case sbpf.OpLsh64Imm, sbpf.OpLsh64Reg:
		s := src & 63
		return s != 0 && dst>>(64-s) != 0
	case sbpf.OpNeg64:
		return dst == 1<<63
	case sbpf.OpAdd32Imm, sbpf.OpAdd32Reg:
		if neg {
			return d32 < uint64(uint32(-insn.Imm))
		}
		return d32+s32 > 0xffffffff
	case sbpf.OpSub32Imm, sbpf.OpSub32Reg:
		return !neg && d32 < s32
	case sbpf.OpMul32Imm, sbpf.OpMul32Reg:
		return d32*s32 > 0xffffffff
	case sbpf.OpLsh32Imm, sbpf.OpLsh32Reg:
		s := src & 31
		return s != 0 && d32>>(32-s) != 0
	case sbpf.OpNeg32:
		return d32 == 1<<31
	}
	return false
}
