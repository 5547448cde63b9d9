package sbpf

import (
	"encoding/binary"
	"fmt"
)

// Instruction is one decoded 8-byte slot:
//
//	byte 0: opcode, byte 1: dst (low nibble) | src (high nibble),
//	bytes 2-3: offset (i16, little-endian), bytes 4-7: immediate (i32).
//
// lddw spans two slots; its second slot holds the upper 32 bits of the
// constant in Imm and zero elsewhere.
type Instruction struct {
	Op  Opcode
	Dst uint8
	Src uint8
	Off int16
	Imm int32
}

// Decode reads the slot at b[0:8]. It panics if len(b) < 8, like indexing.
func Decode(b []byte) Instruction {
	_ = b[7]
	return Instruction{
		Op:  Opcode(b[0]),
		Dst: b[1] & 0x0f,
		Src: b[1] >> 4,
		Off: int16(binary.LittleEndian.Uint16(b[2:])),
		Imm: int32(binary.LittleEndian.Uint32(b[4:])),
	}
}

// DecodeAt reads slot pc of prog, reporting false when it is out of range.
func DecodeAt(prog []byte, pc int) (Instruction, bool) {
	if pc < 0 || (pc+1)*InsnSize > len(prog) {
		return Instruction{}, false
	}
	return Decode(prog[pc*InsnSize:]), true
}

// Encode writes the slot in its 8-byte form.
func (i Instruction) Encode() [InsnSize]byte {
	var b [InsnSize]byte
	i.Put(b[:])
	return b
}

// Put writes the slot into b[0:8].
func (i Instruction) Put(b []byte) {
	_ = b[7]
	b[0] = byte(i.Op)
	b[1] = i.Src<<4 | i.Dst&0x0f
	binary.LittleEndian.PutUint16(b[2:], uint16(i.Off))
	binary.LittleEndian.PutUint32(b[4:], uint32(i.Imm))
}

// AppendEncoded appends the 8-byte form of i to b.
func AppendEncoded(b []byte, i Instruction) []byte {
	e := i.Encode()
	return append(b, e[:]...)
}

// String shows the raw fields; use sbpf/asm for assembly syntax.
func (i Instruction) String() string {
	return fmt.Sprintf("{op: %s, dst: r%d, src: r%d, off: %d, imm: %d}", i.Op, i.Dst, i.Src, i.Off, i.Imm)
}

// LDDWImm joins the immediates of an lddw's two slots.
func LDDWImm(lo, hi Instruction) uint64 {
	return uint64(uint32(lo.Imm)) | uint64(uint32(hi.Imm))<<32
}
