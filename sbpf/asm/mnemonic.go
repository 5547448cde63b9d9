package asm

import (
	"strconv"
	"strings"

	"github.com/agora-vm/agora/sbpf"
)

// kind is the operand shape of a mnemonic.
type kind uint8

const (
	kALU      kind = iota + 1 // rD, imm | rD, rS
	kUnary                    // rD
	kLoad                     // rD, [rS+off]
	kStoreImm                 // [rD+off], imm
	kStoreReg                 // [rD+off], rS
	kEndian                   // rD (the width is in the mnemonic)
	kLDDW                     // rD, imm64
	kJa                       // target
	kJump                     // rD, imm|rS, target
	kCall                     // label | relative offset
	kSyscall                  // name | hash
	kCallx                    // rN
	kExit                     // no operands
	kAlias                    // no operands: syscall of Options.Aliases[name]
)

// mnemonic is what a mnemonic assembles to. For kALU and kJump, imm and
// reg are the two forms (either may be missing: hor64 has no register
// form); every other kind uses imm alone.
type mnemonic struct {
	kind     kind
	imm, reg sbpf.Op
	width    int32  // kEndian
	target   string // kAlias: the syscall name
}

// singleKinds maps the formats that have one operation per mnemonic.
var singleKinds = map[sbpf.Format]kind{
	sbpf.FmtNone: kExit, sbpf.FmtLDDW: kLDDW, sbpf.FmtLoad: kLoad,
	sbpf.FmtStoreImm: kStoreImm, sbpf.FmtStoreReg: kStoreReg,
	sbpf.FmtUnary: kUnary, sbpf.FmtJa: kJa, sbpf.FmtCallx: kCallx,
}

// mnemonics holds every mnemonic the reference assembler accepts that
// names an existing operation, built from the sbpf operation table so the
// two can never disagree. It is never written after initialization.
var mnemonics = func() map[string]mnemonic {
	m := map[string]mnemonic{}
	pair := func(name string, k kind, op sbpf.Op, isReg bool) {
		e := m[name]
		e.kind = k
		if isReg {
			e.reg = op
		} else {
			e.imm = op
		}
		m[name] = e
	}
	for op := sbpf.Op(1); op < sbpf.NumOps; op++ {
		info := op.Info()
		name := info.Mnemonic
		switch info.Format {
		case sbpf.FmtALUImm, sbpf.FmtALUReg:
			pair(name, kALU, op, info.Format == sbpf.FmtALUReg)
		case sbpf.FmtJumpImm, sbpf.FmtJumpReg:
			pair(name, kJump, op, info.Format == sbpf.FmtJumpReg)
		case sbpf.FmtEndian:
			for _, w := range []int32{16, 32, 64} {
				m[name+strconv.Itoa(int(w))] = mnemonic{kind: kEndian, imm: op, width: w}
			}
		case sbpf.FmtCall:
			m[name] = mnemonic{kind: kCall, imm: op}
			m["syscall"] = mnemonic{kind: kSyscall, imm: op}
		default:
			m[name] = mnemonic{kind: singleKinds[info.Format], imm: op}
		}
	}
	// The reference's shorthands: ALU names without a width are 64-bit
	// (add = add64, neg = neg64, lmul = lmul64, hor = hor64) and jumps
	// take an optional 64 suffix (jeq64 = jeq).
	extra := map[string]mnemonic{}
	for name, e := range m {
		switch {
		case (e.kind == kALU || e.kind == kUnary) && strings.HasSuffix(name, "64"):
			extra[strings.TrimSuffix(name, "64")] = e
		case e.kind == kJump && !strings.HasSuffix(name, "32"):
			extra[name+"64"] = e
		}
	}
	for name, e := range extra {
		m[name] = e
	}
	return m
}()

// usage describes the operands a kind takes, for error messages.
func (m mnemonic) usage() string {
	switch m.kind {
	case kALU:
		switch {
		case m.reg == 0:
			return "rD, imm"
		case m.imm == 0:
			return "rD, rS"
		}
		return "rD, imm or rD, rS"
	case kUnary, kEndian:
		return "rD"
	case kLoad:
		return "rD, [rS+off]"
	case kStoreImm:
		return "[rD+off], imm"
	case kStoreReg:
		return "[rD+off], rS"
	case kLDDW:
		return "rD, imm64"
	case kJa:
		return "a label or offset"
	case kJump:
		return "rD, imm or rS, and a label or offset"
	case kCall:
		return "a label or relative offset"
	case kSyscall:
		return "a syscall name or hash"
	case kCallx:
		return "rN"
	}
	return "no operands"
}
