//go:build amd64 && linux

#include "textflag.h"

// func enter(code uintptr, ctx unsafe.Pointer)
//
// enter calls the generated prologue at code with DI = ctx and SI = the top
// of a private stack area: the low 1024 bytes of this frame. The generated
// code keeps sBPF registers in BX, SI, DX, R8-R14 and BP and its meter in
// R15, so every register Go may expect to survive (BX, BP, R12-R15) is
// saved here and restored after. It switches SP to the private area
// (native calls push their return addresses there) and restores SP
// before it returns.
TEXT ·enter(SB), 0, $1088-16
	MOVQ BX, 1024(SP)
	MOVQ BP, 1032(SP)
	MOVQ R12, 1040(SP)
	MOVQ R13, 1048(SP)
	MOVQ R14, 1056(SP)
	MOVQ R15, 1064(SP)
	MOVQ code+0(FP), AX
	MOVQ ctx+8(FP), DI
	LEAQ 1024(SP), SI
	CALL AX
	MOVQ 1024(SP), BX
	MOVQ 1032(SP), BP
	MOVQ 1040(SP), R12
	MOVQ 1048(SP), R13
	MOVQ 1056(SP), R14
	MOVQ 1064(SP), R15
	RET
