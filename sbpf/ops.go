package sbpf

// Op is what an opcode means once the version is known. Several opcode
// numbers mean different operations in different versions (V2 moves the
// memory instructions into the ALU classes; class 6 is PQR in V2 and
// JMP32 in V3+), so tools that care about meaning work with Op and
// translate with Lookup and Version.Opcode.
type Op uint8

// Format is the operand shape of an Op, shared by the assembler,
// disassembler, verifier and interpreter.
type Format uint8

// Operand formats.
const (
	FmtNone     Format = iota // exit
	FmtLDDW                   // lddw rD, imm64 (two slots)
	FmtLoad                   // ldx* rD, [rS+off]
	FmtStoreImm               // st* [rD+off], imm
	FmtStoreReg               // stx* [rD+off], rS
	FmtALUImm                 // op rD, imm
	FmtALUReg                 // op rD, rS
	FmtUnary                  // neg rD
	FmtEndian                 // le16/be64 rD; imm holds the width
	FmtJa                     // ja off
	FmtJumpImm                // jcc rD, imm, off
	FmtJumpReg                // jcc rD, rS, off
	FmtCall                   // call imm
	FmtCallx                  // callx rN (register placement depends on version)
)

// OpInfo describes an Op.
type OpInfo struct {
	Mnemonic string // the reference assembler's mnemonic (le/be without width)
	Format   Format
	Opcode   Opcode
	Size     int  // memory access width in bytes for loads and stores, else 0
	Is32     bool // 32-bit ALU or JMP32
	valid    func(Version) bool
}

// ValidIn reports whether the operation exists in version v.
func (i OpInfo) ValidIn(v Version) bool { return i.valid == nil || i.valid(v) }

func always(Version) bool    { return true }
func oldMem(v Version) bool  { return !v.MoveMemoryClasses() }
func newMem(v Version) bool  { return v.MoveMemoryClasses() }
func noPQR(v Version) bool   { return !v.PQR() }
func pqr(v Version) bool     { return v.PQR() }
func hasNeg(v Version) bool  { return !v.DisableNeg() }
func hasLE(v Version) bool   { return !v.DisableLE() }
func hasLDDW(v Version) bool { return !v.DisableLDDW() }
func hasJ32(v Version) bool  { return v.JMP32() }

// The operations. Loads and stores are one Op each whatever their encoding.
const (
	OpInvalid Op = iota
	OpLDDW
	OpLdxB
	OpLdxH
	OpLdxW
	OpLdxDW
	OpStB
	OpStH
	OpStW
	OpStDW
	OpStxB
	OpStxH
	OpStxW
	OpStxDW
	OpAdd32Imm
	OpAdd32Reg
	OpSub32Imm
	OpSub32Reg
	OpMul32Imm
	OpMul32Reg
	OpDiv32Imm
	OpDiv32Reg
	OpOr32Imm
	OpOr32Reg
	OpAnd32Imm
	OpAnd32Reg
	OpLsh32Imm
	OpLsh32Reg
	OpRsh32Imm
	OpRsh32Reg
	OpNeg32
	OpMod32Imm
	OpMod32Reg
	OpXor32Imm
	OpXor32Reg
	OpMov32Imm
	OpMov32Reg
	OpArsh32Imm
	OpArsh32Reg
	OpLe
	OpBe
	OpAdd64Imm
	OpAdd64Reg
	OpSub64Imm
	OpSub64Reg
	OpMul64Imm
	OpMul64Reg
	OpDiv64Imm
	OpDiv64Reg
	OpOr64Imm
	OpOr64Reg
	OpAnd64Imm
	OpAnd64Reg
	OpLsh64Imm
	OpLsh64Reg
	OpRsh64Imm
	OpRsh64Reg
	OpNeg64
	OpMod64Imm
	OpMod64Reg
	OpXor64Imm
	OpXor64Reg
	OpMov64Imm
	OpMov64Reg
	OpArsh64Imm
	OpArsh64Reg
	OpHor64Imm
	OpLmul32Imm
	OpLmul32Reg
	OpUdiv32Imm
	OpUdiv32Reg
	OpUrem32Imm
	OpUrem32Reg
	OpSdiv32Imm
	OpSdiv32Reg
	OpSrem32Imm
	OpSrem32Reg
	OpLmul64Imm
	OpLmul64Reg
	OpUhmul64Imm
	OpUhmul64Reg
	OpUdiv64Imm
	OpUdiv64Reg
	OpUrem64Imm
	OpUrem64Reg
	OpShmul64Imm
	OpShmul64Reg
	OpSdiv64Imm
	OpSdiv64Reg
	OpSrem64Imm
	OpSrem64Reg
	OpJa
	OpJeqImm
	OpJeqReg
	OpJgtImm
	OpJgtReg
	OpJgeImm
	OpJgeReg
	OpJltImm
	OpJltReg
	OpJleImm
	OpJleReg
	OpJsetImm
	OpJsetReg
	OpJneImm
	OpJneReg
	OpJsgtImm
	OpJsgtReg
	OpJsgeImm
	OpJsgeReg
	OpJsltImm
	OpJsltReg
	OpJsleImm
	OpJsleReg
	OpJeq32Imm
	OpJeq32Reg
	OpJgt32Imm
	OpJgt32Reg
	OpJge32Imm
	OpJge32Reg
	OpJlt32Imm
	OpJlt32Reg
	OpJle32Imm
	OpJle32Reg
	OpJset32Imm
	OpJset32Reg
	OpJne32Imm
	OpJne32Reg
	OpJsgt32Imm
	OpJsgt32Reg
	OpJsge32Imm
	OpJsge32Reg
	OpJslt32Imm
	OpJslt32Reg
	OpJsle32Imm
	OpJsle32Reg
	OpCall
	OpCallx
	OpExit
	NumOps // number of Op values, for tables indexed by Op
)

// opInfos is indexed by Op. Loads and stores list their pre-V2 encoding;
// Version.Opcode gives the V2 one.
var opInfos = [NumOps]OpInfo{
	OpLDDW:  {"lddw", FmtLDDW, LdDwImm, 0, false, hasLDDW},
	OpLdxB:  {"ldxb", FmtLoad, LdxB, 1, false, always},
	OpLdxH:  {"ldxh", FmtLoad, LdxH, 2, false, always},
	OpLdxW:  {"ldxw", FmtLoad, LdxW, 4, false, always},
	OpLdxDW: {"ldxdw", FmtLoad, LdxDW, 8, false, always},
	OpStB:   {"stb", FmtStoreImm, StBImm, 1, false, always},
	OpStH:   {"sth", FmtStoreImm, StHImm, 2, false, always},
	OpStW:   {"stw", FmtStoreImm, StWImm, 4, false, always},
	OpStDW:  {"stdw", FmtStoreImm, StDWImm, 8, false, always},
	OpStxB:  {"stxb", FmtStoreReg, StxB, 1, false, always},
	OpStxH:  {"stxh", FmtStoreReg, StxH, 2, false, always},
	OpStxW:  {"stxw", FmtStoreReg, StxW, 4, false, always},
	OpStxDW: {"stxdw", FmtStoreReg, StxDW, 8, false, always},

	OpAdd32Imm:  {"add32", FmtALUImm, Add32Imm, 0, true, always},
	OpAdd32Reg:  {"add32", FmtALUReg, Add32Reg, 0, true, always},
	OpSub32Imm:  {"sub32", FmtALUImm, Sub32Imm, 0, true, always},
	OpSub32Reg:  {"sub32", FmtALUReg, Sub32Reg, 0, true, always},
	OpMul32Imm:  {"mul32", FmtALUImm, Mul32Imm, 0, true, noPQR},
	OpMul32Reg:  {"mul32", FmtALUReg, Mul32Reg, 0, true, noPQR},
	OpDiv32Imm:  {"div32", FmtALUImm, Div32Imm, 0, true, noPQR},
	OpDiv32Reg:  {"div32", FmtALUReg, Div32Reg, 0, true, noPQR},
	OpOr32Imm:   {"or32", FmtALUImm, Or32Imm, 0, true, always},
	OpOr32Reg:   {"or32", FmtALUReg, Or32Reg, 0, true, always},
	OpAnd32Imm:  {"and32", FmtALUImm, And32Imm, 0, true, always},
	OpAnd32Reg:  {"and32", FmtALUReg, And32Reg, 0, true, always},
	OpLsh32Imm:  {"lsh32", FmtALUImm, Lsh32Imm, 0, true, always},
	OpLsh32Reg:  {"lsh32", FmtALUReg, Lsh32Reg, 0, true, always},
	OpRsh32Imm:  {"rsh32", FmtALUImm, Rsh32Imm, 0, true, always},
	OpRsh32Reg:  {"rsh32", FmtALUReg, Rsh32Reg, 0, true, always},
	OpNeg32:     {"neg32", FmtUnary, Neg32, 0, true, hasNeg},
	OpMod32Imm:  {"mod32", FmtALUImm, Mod32Imm, 0, true, noPQR},
	OpMod32Reg:  {"mod32", FmtALUReg, Mod32Reg, 0, true, noPQR},
	OpXor32Imm:  {"xor32", FmtALUImm, Xor32Imm, 0, true, always},
	OpXor32Reg:  {"xor32", FmtALUReg, Xor32Reg, 0, true, always},
	OpMov32Imm:  {"mov32", FmtALUImm, Mov32Imm, 0, true, always},
	OpMov32Reg:  {"mov32", FmtALUReg, Mov32Reg, 0, true, always},
	OpArsh32Imm: {"arsh32", FmtALUImm, Arsh32Imm, 0, true, always},
	OpArsh32Reg: {"arsh32", FmtALUReg, Arsh32Reg, 0, true, always},
	OpLe:        {"le", FmtEndian, Le, 0, false, hasLE},
	OpBe:        {"be", FmtEndian, Be, 0, false, always},

	OpAdd64Imm:  {"add64", FmtALUImm, Add64Imm, 0, false, always},
	OpAdd64Reg:  {"add64", FmtALUReg, Add64Reg, 0, false, always},
	OpSub64Imm:  {"sub64", FmtALUImm, Sub64Imm, 0, false, always},
	OpSub64Reg:  {"sub64", FmtALUReg, Sub64Reg, 0, false, always},
	OpMul64Imm:  {"mul64", FmtALUImm, Mul64Imm, 0, false, noPQR},
	OpMul64Reg:  {"mul64", FmtALUReg, Mul64Reg, 0, false, noPQR},
	OpDiv64Imm:  {"div64", FmtALUImm, Div64Imm, 0, false, noPQR},
	OpDiv64Reg:  {"div64", FmtALUReg, Div64Reg, 0, false, noPQR},
	OpOr64Imm:   {"or64", FmtALUImm, Or64Imm, 0, false, always},
	OpOr64Reg:   {"or64", FmtALUReg, Or64Reg, 0, false, always},
	OpAnd64Imm:  {"and64", FmtALUImm, And64Imm, 0, false, always},
	OpAnd64Reg:  {"and64", FmtALUReg, And64Reg, 0, false, always},
	OpLsh64Imm:  {"lsh64", FmtALUImm, Lsh64Imm, 0, false, always},
	OpLsh64Reg:  {"lsh64", FmtALUReg, Lsh64Reg, 0, false, always},
	OpRsh64Imm:  {"rsh64", FmtALUImm, Rsh64Imm, 0, false, always},
	OpRsh64Reg:  {"rsh64", FmtALUReg, Rsh64Reg, 0, false, always},
	OpNeg64:     {"neg64", FmtUnary, Neg64, 0, false, hasNeg},
	OpMod64Imm:  {"mod64", FmtALUImm, Mod64Imm, 0, false, noPQR},
	OpMod64Reg:  {"mod64", FmtALUReg, Mod64Reg, 0, false, noPQR},
	OpXor64Imm:  {"xor64", FmtALUImm, Xor64Imm, 0, false, always},
	OpXor64Reg:  {"xor64", FmtALUReg, Xor64Reg, 0, false, always},
	OpMov64Imm:  {"mov64", FmtALUImm, Mov64Imm, 0, false, always},
	OpMov64Reg:  {"mov64", FmtALUReg, Mov64Reg, 0, false, always},
	OpArsh64Imm: {"arsh64", FmtALUImm, Arsh64Imm, 0, false, always},
	OpArsh64Reg: {"arsh64", FmtALUReg, Arsh64Reg, 0, false, always},
	OpHor64Imm:  {"hor64", FmtALUImm, Hor64Imm, 0, false, func(v Version) bool { return v.DisableLDDW() }},

	OpLmul32Imm:  {"lmul32", FmtALUImm, Lmul32Imm, 0, true, pqr},
	OpLmul32Reg:  {"lmul32", FmtALUReg, Lmul32Reg, 0, true, pqr},
	OpUdiv32Imm:  {"udiv32", FmtALUImm, Udiv32Imm, 0, true, pqr},
	OpUdiv32Reg:  {"udiv32", FmtALUReg, Udiv32Reg, 0, true, pqr},
	OpUrem32Imm:  {"urem32", FmtALUImm, Urem32Imm, 0, true, pqr},
	OpUrem32Reg:  {"urem32", FmtALUReg, Urem32Reg, 0, true, pqr},
	OpSdiv32Imm:  {"sdiv32", FmtALUImm, Sdiv32Imm, 0, true, pqr},
	OpSdiv32Reg:  {"sdiv32", FmtALUReg, Sdiv32Reg, 0, true, pqr},
	OpSrem32Imm:  {"srem32", FmtALUImm, Srem32Imm, 0, true, pqr},
	OpSrem32Reg:  {"srem32", FmtALUReg, Srem32Reg, 0, true, pqr},
	OpLmul64Imm:  {"lmul64", FmtALUImm, Lmul64Imm, 0, false, pqr},
	OpLmul64Reg:  {"lmul64", FmtALUReg, Lmul64Reg, 0, false, pqr},
	OpUhmul64Imm: {"uhmul64", FmtALUImm, Uhmul64Imm, 0, false, pqr},
	OpUhmul64Reg: {"uhmul64", FmtALUReg, Uhmul64Reg, 0, false, pqr},
	OpUdiv64Imm:  {"udiv64", FmtALUImm, Udiv64Imm, 0, false, pqr},
	OpUdiv64Reg:  {"udiv64", FmtALUReg, Udiv64Reg, 0, false, pqr},
	OpUrem64Imm:  {"urem64", FmtALUImm, Urem64Imm, 0, false, pqr},
	OpUrem64Reg:  {"urem64", FmtALUReg, Urem64Reg, 0, false, pqr},
	OpShmul64Imm: {"shmul64", FmtALUImm, Shmul64Imm, 0, false, pqr},
	OpShmul64Reg: {"shmul64", FmtALUReg, Shmul64Reg, 0, false, pqr},
	OpSdiv64Imm:  {"sdiv64", FmtALUImm, Sdiv64Imm, 0, false, pqr},
	OpSdiv64Reg:  {"sdiv64", FmtALUReg, Sdiv64Reg, 0, false, pqr},
	OpSrem64Imm:  {"srem64", FmtALUImm, Srem64Imm, 0, false, pqr},
	OpSrem64Reg:  {"srem64", FmtALUReg, Srem64Reg, 0, false, pqr},

	OpJa:      {"ja", FmtJa, Ja, 0, false, always},
	OpJeqImm:  {"jeq", FmtJumpImm, JeqImm, 0, false, always},
	OpJeqReg:  {"jeq", FmtJumpReg, JeqReg, 0, false, always},
	OpJgtImm:  {"jgt", FmtJumpImm, JgtImm, 0, false, always},
	OpJgtReg:  {"jgt", FmtJumpReg, JgtReg, 0, false, always},
	OpJgeImm:  {"jge", FmtJumpImm, JgeImm, 0, false, always},
	OpJgeReg:  {"jge", FmtJumpReg, JgeReg, 0, false, always},
	OpJltImm:  {"jlt", FmtJumpImm, JltImm, 0, false, always},
	OpJltReg:  {"jlt", FmtJumpReg, JltReg, 0, false, always},
	OpJleImm:  {"jle", FmtJumpImm, JleImm, 0, false, always},
	OpJleReg:  {"jle", FmtJumpReg, JleReg, 0, false, always},
	OpJsetImm: {"jset", FmtJumpImm, JsetImm, 0, false, always},
	OpJsetReg: {"jset", FmtJumpReg, JsetReg, 0, false, always},
	OpJneImm:  {"jne", FmtJumpImm, JneImm, 0, false, always},
	OpJneReg:  {"jne", FmtJumpReg, JneReg, 0, false, always},
	OpJsgtImm: {"jsgt", FmtJumpImm, JsgtImm, 0, false, always},
	OpJsgtReg: {"jsgt", FmtJumpReg, JsgtReg, 0, false, always},
	OpJsgeImm: {"jsge", FmtJumpImm, JsgeImm, 0, false, always},
	OpJsgeReg: {"jsge", FmtJumpReg, JsgeReg, 0, false, always},
	OpJsltImm: {"jslt", FmtJumpImm, JsltImm, 0, false, always},
	OpJsltReg: {"jslt", FmtJumpReg, JsltReg, 0, false, always},
	OpJsleImm: {"jsle", FmtJumpImm, JsleImm, 0, false, always},
	OpJsleReg: {"jsle", FmtJumpReg, JsleReg, 0, false, always},

	OpJeq32Imm:  {"jeq32", FmtJumpImm, Jeq32Imm, 0, true, hasJ32},
	OpJeq32Reg:  {"jeq32", FmtJumpReg, Jeq32Reg, 0, true, hasJ32},
	OpJgt32Imm:  {"jgt32", FmtJumpImm, Jgt32Imm, 0, true, hasJ32},
	OpJgt32Reg:  {"jgt32", FmtJumpReg, Jgt32Reg, 0, true, hasJ32},
	OpJge32Imm:  {"jge32", FmtJumpImm, Jge32Imm, 0, true, hasJ32},
	OpJge32Reg:  {"jge32", FmtJumpReg, Jge32Reg, 0, true, hasJ32},
	OpJlt32Imm:  {"jlt32", FmtJumpImm, Jlt32Imm, 0, true, hasJ32},
	OpJlt32Reg:  {"jlt32", FmtJumpReg, Jlt32Reg, 0, true, hasJ32},
	OpJle32Imm:  {"jle32", FmtJumpImm, Jle32Imm, 0, true, hasJ32},
	OpJle32Reg:  {"jle32", FmtJumpReg, Jle32Reg, 0, true, hasJ32},
	OpJset32Imm: {"jset32", FmtJumpImm, Jset32Imm, 0, true, hasJ32},
	OpJset32Reg: {"jset32", FmtJumpReg, Jset32Reg, 0, true, hasJ32},
	OpJne32Imm:  {"jne32", FmtJumpImm, Jne32Imm, 0, true, hasJ32},
	OpJne32Reg:  {"jne32", FmtJumpReg, Jne32Reg, 0, true, hasJ32},
	OpJsgt32Imm: {"jsgt32", FmtJumpImm, Jsgt32Imm, 0, true, hasJ32},
	OpJsgt32Reg: {"jsgt32", FmtJumpReg, Jsgt32Reg, 0, true, hasJ32},
	OpJsge32Imm: {"jsge32", FmtJumpImm, Jsge32Imm, 0, true, hasJ32},
	OpJsge32Reg: {"jsge32", FmtJumpReg, Jsge32Reg, 0, true, hasJ32},
	OpJslt32Imm: {"jslt32", FmtJumpImm, Jslt32Imm, 0, true, hasJ32},
	OpJslt32Reg: {"jslt32", FmtJumpReg, Jslt32Reg, 0, true, hasJ32},
	OpJsle32Imm: {"jsle32", FmtJumpImm, Jsle32Imm, 0, true, hasJ32},
	OpJsle32Reg: {"jsle32", FmtJumpReg, Jsle32Reg, 0, true, hasJ32},

	OpCall:  {"call", FmtCall, Call, 0, false, always},
	OpCallx: {"callx", FmtCallx, Callx, 0, false, always},
	OpExit:  {"exit", FmtNone, Exit, 0, false, always},
}

// Info describes op. The zero OpInfo describes OpInvalid.
func (op Op) Info() OpInfo {
	if op < NumOps {
		return opInfos[op]
	}
	return OpInfo{}
}

// String returns the mnemonic with an Imm/Reg suffix where both forms exist.
func (op Op) String() string {
	i := op.Info()
	switch i.Format {
	case FmtALUImm, FmtJumpImm:
		return i.Mnemonic + "_imm"
	case FmtALUReg, FmtJumpReg:
		return i.Mnemonic + "_reg"
	}
	if i.Mnemonic == "" {
		return "invalid"
	}
	return i.Mnemonic
}

// v2MemoryOpcodes maps loads and stores to their V2 (SIMD-0173) numbers.
var v2MemoryOpcodes = [...]struct {
	op   Op
	code Opcode
}{
	{OpLdxB, Ldx1B}, {OpLdxH, Ldx2B}, {OpLdxW, Ldx4B}, {OpLdxDW, Ldx8B},
	{OpStB, St1BImm}, {OpStH, St2BImm}, {OpStW, St4BImm}, {OpStDW, St8BImm},
	{OpStxB, Stx1B}, {OpStxH, Stx2B}, {OpStxW, Stx4B}, {OpStxDW, Stx8B},
}

// Opcode returns the number that encodes op in version v, and false when op
// does not exist in v.
func (v Version) Opcode(op Op) (Opcode, bool) {
	info := op.Info()
	if info.Mnemonic == "" || !info.ValidIn(v) {
		return 0, false
	}
	if info.Size != 0 && v.MoveMemoryClasses() {
		for _, m := range v2MemoryOpcodes {
			if m.op == op {
				return m.code, true
			}
		}
	}
	return info.Opcode, true
}

// Lookup returns what opcode o means in version v, or OpInvalid when the
// verifier of that version rejects it as unknown.
func (v Version) Lookup(o Opcode) Op {
	if !v.Valid() {
		return OpInvalid
	}
	return decodeTables[v][o]
}

// decodeTables[v][o] is the Op of opcode o in version v; built from opInfos
// so the two directions can never disagree.
var decodeTables = func() (t [LatestVersion + 1][256]Op) {
	for v := V0; v <= LatestVersion; v++ {
		for op := Op(1); op < NumOps; op++ {
			if code, ok := v.Opcode(op); ok {
				t[v][code] = op
			}
		}
	}
	return t
}()
