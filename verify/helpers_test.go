package verify

import (
	"errors"
	"testing"

	"github.com/agora-vm/agora/sbpf"
)

// ins builds one slot.
func ins(op sbpf.Opcode, dst, src uint8, off int16, imm int32) sbpf.Instruction {
	return sbpf.Instruction{Op: op, Dst: dst, Src: src, Off: off, Imm: imm}
}

var (
	exit = ins(sbpf.Exit, 0, 0, 0, 0)
	// nop is what the reference assembler emits for `add64 r10, imm` in
	// versions without dynamic frames (V0, V3, V4): `or64 r0, 0`.
	nop = ins(sbpf.Or64Imm, 0, 0, 0, 0)
	// zero is an all-zero slot: the second half of an lddw.
	zero = sbpf.Instruction{}
)

// lddwHi is the second slot of an lddw carrying the upper 32 bits.
func lddwHi(imm int32) sbpf.Instruction { return sbpf.Instruction{Imm: imm} }

func encode(insns ...sbpf.Instruction) []byte {
	b := make([]byte, 0, len(insns)*sbpf.InsnSize)
	for _, i := range insns {
		b = sbpf.AppendEncoded(b, i)
	}
	return b
}

// hashSet is a SyscallSet of the hashes of the given names.
func hashSet(names ...string) SyscallSet {
	m := make(map[uint32]bool, len(names))
	for _, n := range names {
		m[sbpf.SyscallHash(n)] = true
	}
	return SyscallFunc(func(h uint32) bool { return m[h] })
}

// verifyCase is one program and the outcome the reference gives it.
type verifyCase struct {
	name     string
	v        sbpf.Version
	text     []byte // used when insns is nil
	insns    []sbpf.Instruction
	syscalls SyscallSet
	want     *Error // nil: admitted
}

func (c verifyCase) program() []byte {
	if c.insns != nil {
		return encode(c.insns...)
	}
	return c.text
}

func runCases(t *testing.T, cases []verifyCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkOutcome(t, Structural(c.program(), c.v, c.syscalls), c.want)
		})
	}
}

func checkOutcome(t *testing.T, err error, want *Error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("rejected: %v", err)
		}
		return
	}
	var got *Error
	if !errors.As(err, &got) {
		t.Fatalf("got %v, want %s %+v", err, want.Kind, *want)
	}
	if *got != *want {
		t.Fatalf("got %s %+v (%v)\nwant %s %+v", got.Kind, *got, got, want.Kind, *want)
	}
}
