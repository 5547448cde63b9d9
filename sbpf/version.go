package sbpf

import (
	"fmt"
	"strings"
)

// Version is an sBPF program version. The zero value is V0, the format of
// nearly every deployed program.
type Version uint8

// The sBPF versions, in order.
const (
	V0 Version = iota // legacy format
	V1                // SIMD-0166: dynamic stack frames
	V2                // SIMD-0173/0174: PQR class, moved memory classes, hor64
	V3                // SIMD-0178/0189/0377: static syscalls, strict ELF, rodata at 0, JMP32
	V4                // SIMD-0177: aligned memory mapping
)

// LatestVersion is the newest version this package knows.
const LatestVersion = V4

// String returns "v0".."v4".
func (v Version) String() string {
	if v <= LatestVersion {
		return fmt.Sprintf("v%d", uint8(v))
	}
	return fmt.Sprintf("Version(%d)", uint8(v))
}

// ParseVersion accepts "v0".."v4" (or "V0".."V4", or "0".."4").
func ParseVersion(s string) (Version, error) {
	t := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "v")
	if len(t) == 1 && t[0] >= '0' && t[0] <= '0'+byte(LatestVersion) {
		return Version(t[0] - '0'), nil
	}
	return 0, fmt.Errorf("unknown sBPF version %q (want v0, v1, v2, v3 or v4)", s)
}

// Valid reports whether v is a version this package knows.
func (v Version) Valid() bool { return v <= LatestVersion }

// DynamicFrames reports whether the program moves r10 itself with
// `add64 r10, imm` (SIMD-0166, V1 and V2).
func (v Version) DynamicFrames() bool { return v == V1 || v == V2 }

// StackFrameGaps reports whether consecutive stack frames are separated by
// an unmapped gap of one frame (V0 only).
func (v Version) StackFrameGaps() bool { return v == V0 }

// PQR reports whether the PQR class (lmul, uhmul, shmul, udiv, urem, sdiv,
// srem) replaces mul, div and mod (SIMD-0174, V2).
func (v Version) PQR() bool { return v == V2 }

// ExplicitSignExtension reports whether ALU32 results are zero-extended and
// only mov32 reg sign-extends (SIMD-0174, V2). In every other version
// add32, sub32 and mul32 results are sign-extended.
func (v Version) ExplicitSignExtension() bool { return v == V2 }

// SwapSubImmOperands reports whether `sub dst, imm` computes imm - dst (V2).
func (v Version) SwapSubImmOperands() bool { return v == V2 }

// DisableNeg reports whether neg32 and neg64 are removed (V2).
func (v Version) DisableNeg() bool { return v == V2 }

// CallxUsesSrcReg reports whether callx names its register in src (V2).
func (v Version) CallxUsesSrcReg() bool { return v == V2 }

// CallxUsesDstReg reports whether callx names its register in dst (V3+).
// When neither CallxUsesSrcReg nor CallxUsesDstReg holds, the register
// number is in imm.
func (v Version) CallxUsesDstReg() bool { return v >= V3 }

// DisableLDDW reports whether lddw is removed and hor64 added (V2).
func (v Version) DisableLDDW() bool { return v == V2 }

// DisableLE reports whether the le instruction is removed (V2).
func (v Version) DisableLE() bool { return v == V2 }

// MoveMemoryClasses reports whether loads and stores are encoded in the
// ALU classes (SIMD-0173, V2).
func (v Version) MoveMemoryClasses() bool { return v == V2 }

// StaticSyscalls reports whether syscalls are `call` with src=0 and imm the
// name hash, and internal calls are pc-relative with src=1 (SIMD-0178, V3+).
func (v Version) StaticSyscalls() bool { return v >= V3 }

// StrictELFHeaders reports whether the ELF loader uses the strict format
// (SIMD-0189, V3+).
func (v Version) StrictELFHeaders() bool { return v >= V3 }

// LowerRodataVaddr reports whether read-only data is mapped at 0 rather
// than in the bytecode region (SIMD-0189, V3+).
func (v Version) LowerRodataVaddr() bool { return v >= V3 }

// JMP32 reports whether the JMP32 class is available (SIMD-0377, V3+).
func (v Version) JMP32() bool { return v >= V3 }

// AlignedMemoryMapping reports whether regions are found by the upper 32
// bits of the address alone (SIMD-0177, V4).
func (v Version) AlignedMemoryMapping() bool { return v >= V4 }

// CallImmTarget returns the target pc of `call imm` at pc: pc+imm+1 with
// static syscalls, else imm itself (a registry key).
func (v Version) CallImmTarget(pc int, imm int32) int64 {
	if v.StaticSyscalls() {
		return int64(pc) + int64(imm) + 1
	}
	return int64(uint32(imm))
}
