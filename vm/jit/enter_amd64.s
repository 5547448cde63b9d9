#include "textflag.h"

// func enter(code uintptr, ctx unsafe.Pointer)
// Generated code uses AX, CX, DX, SI, DI, R8 and R9, never the stack
// beyond the return address, and returns with RET.
TEXT ·enter(SB), NOSPLIT, $0-16
	MOVQ code+0(FP), AX
	MOVQ ctx+8(FP), DI
	CALL AX
	RET
