// Opcode numbers, as the reference names them in src/ebpf.rs.

package sbpf

import "fmt"

// Opcode numbers. Several numbers have two meanings, chosen by the version:
// in V2 the memory instructions move into the ALU classes (Ldx1B is Mul32Reg's
// number) and the PQR class shares class 6 with JMP32 (V3+).
const (
	LdDwImm    Opcode = 0x18
	LdxB       Opcode = 0x71
	LdxH       Opcode = 0x69
	LdxW       Opcode = 0x61
	LdxDW      Opcode = 0x79
	StBImm     Opcode = 0x72
	StHImm     Opcode = 0x6a
	StWImm     Opcode = 0x62
	StDWImm    Opcode = 0x7a
	StxB       Opcode = 0x73
	StxH       Opcode = 0x6b
	StxW       Opcode = 0x63
	StxDW      Opcode = 0x7b
	Ldx1B      Opcode = 0x2c
	Ldx2B      Opcode = 0x3c
	Ldx4B      Opcode = 0x8c
	Ldx8B      Opcode = 0x9c
	St1BImm    Opcode = 0x27
	St2BImm    Opcode = 0x37
	St4BImm    Opcode = 0x87
	St8BImm    Opcode = 0x97
	Stx1B      Opcode = 0x2f
	Stx2B      Opcode = 0x3f
	Stx4B      Opcode = 0x8f
	Stx8B      Opcode = 0x9f
	Add32Imm   Opcode = 0x04
	Add32Reg   Opcode = 0x0c
	Sub32Imm   Opcode = 0x14
	Sub32Reg   Opcode = 0x1c
	Mul32Imm   Opcode = 0x24
	Mul32Reg   Opcode = 0x2c
	Div32Imm   Opcode = 0x34
	Div32Reg   Opcode = 0x3c
	Or32Imm    Opcode = 0x44
	Or32Reg    Opcode = 0x4c
	And32Imm   Opcode = 0x54
	And32Reg   Opcode = 0x5c
	Lsh32Imm   Opcode = 0x64
	Lsh32Reg   Opcode = 0x6c
	Rsh32Imm   Opcode = 0x74
	Rsh32Reg   Opcode = 0x7c
	Mod32Imm   Opcode = 0x94
	Mod32Reg   Opcode = 0x9c
	Xor32Imm   Opcode = 0xa4
	Xor32Reg   Opcode = 0xac
	Mov32Imm   Opcode = 0xb4
	Mov32Reg   Opcode = 0xbc
	Arsh32Imm  Opcode = 0xc4
	Arsh32Reg  Opcode = 0xcc
	Neg32      Opcode = 0x84
	Add64Imm   Opcode = 0x07
	Add64Reg   Opcode = 0x0f
	Sub64Imm   Opcode = 0x17
	Sub64Reg   Opcode = 0x1f
	Mul64Imm   Opcode = 0x27
	Mul64Reg   Opcode = 0x2f
	Div64Imm   Opcode = 0x37
	Div64Reg   Opcode = 0x3f
	Or64Imm    Opcode = 0x47
	Or64Reg    Opcode = 0x4f
	And64Imm   Opcode = 0x57
	And64Reg   Opcode = 0x5f
	Lsh64Imm   Opcode = 0x67
	Lsh64Reg   Opcode = 0x6f
	Rsh64Imm   Opcode = 0x77
	Rsh64Reg   Opcode = 0x7f
	Mod64Imm   Opcode = 0x97
	Mod64Reg   Opcode = 0x9f
	Xor64Imm   Opcode = 0xa7
	Xor64Reg   Opcode = 0xaf
	Mov64Imm   Opcode = 0xb7
	Mov64Reg   Opcode = 0xbf
	Arsh64Imm  Opcode = 0xc7
	Arsh64Reg  Opcode = 0xcf
	Neg64      Opcode = 0x87
	Le         Opcode = 0xd4
	Be         Opcode = 0xdc
	Hor64Imm   Opcode = 0xf7
	Lmul32Imm  Opcode = 0x86
	Lmul32Reg  Opcode = 0x8e
	Udiv32Imm  Opcode = 0x46
	Udiv32Reg  Opcode = 0x4e
	Urem32Imm  Opcode = 0x66
	Urem32Reg  Opcode = 0x6e
	Sdiv32Imm  Opcode = 0xc6
	Sdiv32Reg  Opcode = 0xce
	Srem32Imm  Opcode = 0xe6
	Srem32Reg  Opcode = 0xee
	Lmul64Imm  Opcode = 0x96
	Lmul64Reg  Opcode = 0x9e
	Uhmul64Imm Opcode = 0x36
	Uhmul64Reg Opcode = 0x3e
	Udiv64Imm  Opcode = 0x56
	Udiv64Reg  Opcode = 0x5e
	Urem64Imm  Opcode = 0x76
	Urem64Reg  Opcode = 0x7e
	Shmul64Imm Opcode = 0xb6
	Shmul64Reg Opcode = 0xbe
	Sdiv64Imm  Opcode = 0xd6
	Sdiv64Reg  Opcode = 0xde
	Srem64Imm  Opcode = 0xf6
	Srem64Reg  Opcode = 0xfe
	Ja         Opcode = 0x05
	JeqImm     Opcode = 0x15
	JeqReg     Opcode = 0x1d
	JgtImm     Opcode = 0x25
	JgtReg     Opcode = 0x2d
	JgeImm     Opcode = 0x35
	JgeReg     Opcode = 0x3d
	JsetImm    Opcode = 0x45
	JsetReg    Opcode = 0x4d
	JneImm     Opcode = 0x55
	JneReg     Opcode = 0x5d
	JsgtImm    Opcode = 0x65
	JsgtReg    Opcode = 0x6d
	JsgeImm    Opcode = 0x75
	JsgeReg    Opcode = 0x7d
	JltImm     Opcode = 0xa5
	JltReg     Opcode = 0xad
	JleImm     Opcode = 0xb5
	JleReg     Opcode = 0xbd
	JsltImm    Opcode = 0xc5
	JsltReg    Opcode = 0xcd
	JsleImm    Opcode = 0xd5
	JsleReg    Opcode = 0xdd
	Jeq32Imm   Opcode = 0x16
	Jeq32Reg   Opcode = 0x1e
	Jgt32Imm   Opcode = 0x26
	Jgt32Reg   Opcode = 0x2e
	Jge32Imm   Opcode = 0x36
	Jge32Reg   Opcode = 0x3e
	Jset32Imm  Opcode = 0x46
	Jset32Reg  Opcode = 0x4e
	Jne32Imm   Opcode = 0x56
	Jne32Reg   Opcode = 0x5e
	Jsgt32Imm  Opcode = 0x66
	Jsgt32Reg  Opcode = 0x6e
	Jsge32Imm  Opcode = 0x76
	Jsge32Reg  Opcode = 0x7e
	Jlt32Imm   Opcode = 0xa6
	Jlt32Reg   Opcode = 0xae
	Jle32Imm   Opcode = 0xb6
	Jle32Reg   Opcode = 0xbe
	Jslt32Imm  Opcode = 0xc6
	Jslt32Reg  Opcode = 0xce
	Jsle32Imm  Opcode = 0xd6
	Jsle32Reg  Opcode = 0xde
	Call       Opcode = 0x85
	Callx      Opcode = 0x8d
	Exit       Opcode = 0x95
)

var opcodeNames = [...]string{
	0x04: "Add32Imm",
	0x05: "Ja",
	0x07: "Add64Imm",
	0x0c: "Add32Reg",
	0x0f: "Add64Reg",
	0x14: "Sub32Imm",
	0x15: "JeqImm",
	0x16: "Jeq32Imm",
	0x17: "Sub64Imm",
	0x18: "LdDwImm",
	0x1c: "Sub32Reg",
	0x1d: "JeqReg",
	0x1e: "Jeq32Reg",
	0x1f: "Sub64Reg",
	0x24: "Mul32Imm",
	0x25: "JgtImm",
	0x26: "Jgt32Imm",
	0x27: "St1BImm/Mul64Imm",
	0x2c: "Ldx1B/Mul32Reg",
	0x2d: "JgtReg",
	0x2e: "Jgt32Reg",
	0x2f: "Stx1B/Mul64Reg",
	0x34: "Div32Imm",
	0x35: "JgeImm",
	0x36: "Uhmul64Imm/Jge32Imm",
	0x37: "St2BImm/Div64Imm",
	0x3c: "Ldx2B/Div32Reg",
	0x3d: "JgeReg",
	0x3e: "Uhmul64Reg/Jge32Reg",
	0x3f: "Stx2B/Div64Reg",
	0x44: "Or32Imm",
	0x45: "JsetImm",
	0x46: "Udiv32Imm/Jset32Imm",
	0x47: "Or64Imm",
	0x4c: "Or32Reg",
	0x4d: "JsetReg",
	0x4e: "Udiv32Reg/Jset32Reg",
	0x4f: "Or64Reg",
	0x54: "And32Imm",
	0x55: "JneImm",
	0x56: "Udiv64Imm/Jne32Imm",
	0x57: "And64Imm",
	0x5c: "And32Reg",
	0x5d: "JneReg",
	0x5e: "Udiv64Reg/Jne32Reg",
	0x5f: "And64Reg",
	0x61: "LdxW",
	0x62: "StWImm",
	0x63: "StxW",
	0x64: "Lsh32Imm",
	0x65: "JsgtImm",
	0x66: "Urem32Imm/Jsgt32Imm",
	0x67: "Lsh64Imm",
	0x69: "LdxH",
	0x6a: "StHImm",
	0x6b: "StxH",
	0x6c: "Lsh32Reg",
	0x6d: "JsgtReg",
	0x6e: "Urem32Reg/Jsgt32Reg",
	0x6f: "Lsh64Reg",
	0x71: "LdxB",
	0x72: "StBImm",
	0x73: "StxB",
	0x74: "Rsh32Imm",
	0x75: "JsgeImm",
	0x76: "Urem64Imm/Jsge32Imm",
	0x77: "Rsh64Imm",
	0x79: "LdxDW",
	0x7a: "StDWImm",
	0x7b: "StxDW",
	0x7c: "Rsh32Reg",
	0x7d: "JsgeReg",
	0x7e: "Urem64Reg/Jsge32Reg",
	0x7f: "Rsh64Reg",
	0x84: "Neg32",
	0x85: "Call",
	0x86: "Lmul32Imm",
	0x87: "St4BImm/Neg64",
	0x8c: "Ldx4B",
	0x8d: "Callx",
	0x8e: "Lmul32Reg",
	0x8f: "Stx4B",
	0x94: "Mod32Imm",
	0x95: "Exit",
	0x96: "Lmul64Imm",
	0x97: "St8BImm/Mod64Imm",
	0x9c: "Ldx8B/Mod32Reg",
	0x9e: "Lmul64Reg",
	0x9f: "Stx8B/Mod64Reg",
	0xa4: "Xor32Imm",
	0xa5: "JltImm",
	0xa6: "Jlt32Imm",
	0xa7: "Xor64Imm",
	0xac: "Xor32Reg",
	0xad: "JltReg",
	0xae: "Jlt32Reg",
	0xaf: "Xor64Reg",
	0xb4: "Mov32Imm",
	0xb5: "JleImm",
	0xb6: "Shmul64Imm/Jle32Imm",
	0xb7: "Mov64Imm",
	0xbc: "Mov32Reg",
	0xbd: "JleReg",
	0xbe: "Shmul64Reg/Jle32Reg",
	0xbf: "Mov64Reg",
	0xc4: "Arsh32Imm",
	0xc5: "JsltImm",
	0xc6: "Sdiv32Imm/Jslt32Imm",
	0xc7: "Arsh64Imm",
	0xcc: "Arsh32Reg",
	0xcd: "JsltReg",
	0xce: "Sdiv32Reg/Jslt32Reg",
	0xcf: "Arsh64Reg",
	0xd4: "Le",
	0xd5: "JsleImm",
	0xd6: "Sdiv64Imm/Jsle32Imm",
	0xdc: "Be",
	0xdd: "JsleReg",
	0xde: "Sdiv64Reg/Jsle32Reg",
	0xe6: "Srem32Imm",
	0xee: "Srem32Reg",
	0xf6: "Srem64Imm",
	0xf7: "Hor64Imm",
	0xfe: "Srem64Reg",
}

// Opcode is the first byte of an instruction slot.
type Opcode uint8

// String names the opcode; numbers with a version-dependent meaning show
// every meaning, separated by "/" (e.g. "Mul32Reg/Ldx1B").
func (o Opcode) String() string {
	if int(o) < len(opcodeNames) && opcodeNames[o] != "" {
		return opcodeNames[o]
	}
	return fmt.Sprintf("Opcode(0x%02x)", uint8(o))
}

// Class returns the low three bits.
func (o Opcode) Class() uint8 { return uint8(o) & 0x07 }
