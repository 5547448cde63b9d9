package svm

import (
	"encoding/binary"
	"fmt"

	"filippo.io/edwards25519"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/sigverify"
)

// Solana's precompiles verify signatures that an instruction's data
// describes, reading the signature, key and message from that data or
// from other instructions of the transaction. Agave runs them inside the
// SVM as top-level instructions (feature move_precompile_verification_to_svm,
// long active): no invoke or outcome log lines, no compute units, the
// return data untouched; a failure is InstructionError::Custom with a
// PrecompileError code. The transaction pays for every signature they
// claim (Fee), and the cost model charges their verification.

// PrecompileError is Agave's PrecompileError; a failed precompile
// instruction fails with InstructionError Custom(code).
type PrecompileError uint32

// Agave's PrecompileError values.
const (
	PrecompileInvalidPublicKey PrecompileError = iota
	PrecompileInvalidRecoveryID
	PrecompileInvalidSignature
	PrecompileInvalidDataOffsets
	PrecompileInvalidInstructionDataSize
)

var precompileErrorNames = [...]string{"InvalidPublicKey", "InvalidRecoveryId", "InvalidSignature", "InvalidDataOffsets", "InvalidInstructionDataSize"}

func (e PrecompileError) Error() string {
	if int(e) < len(precompileErrorNames) {
		return "precompile: " + precompileErrorNames[e]
	}
	return fmt.Sprintf("precompile: error %d", uint32(e))
}

// precompileVerify checks one precompile instruction: data is its data,
// datas the data of every top-level instruction of the transaction (the
// Instructions sysvar's view), in order.
type precompileVerify func(data []byte, datas [][]byte) error

// precompileFor returns the verifier of program id, or nil when id is no
// precompile. Secp256r1 was gated by enable_secp256r1_precompile; the
// Agave version Agora follows has retired the gate (the precompile is
// always enabled), and so has Agora.
func precompileFor(id pubkey.Pubkey) precompileVerify {
	switch id {
	case pubkey.Ed25519Program():
		return VerifyEd25519
	case pubkey.Secp256k1Program():
		return VerifySecp256k1
	case pubkey.Secp256r1Program():
		return VerifySecp256r1
	}
	return nil
}

// IsPrecompile reports whether id is one of the precompiles.
func IsPrecompile(id pubkey.Pubkey) bool { return precompileFor(id) != nil }

// precompileNatives are the precompiles as native programs: they have
// accounts (the native loader's) and count as builtins for the default
// compute budget, except secp256r1, which Agave's budget counts as a
// program. Their instructions never reach Process: processPrecompile
// runs the top-level ones, and invocations from programs or plug-ins
// are refused, as Agave refuses them.
func precompileNatives() []Native {
	unreachable := func(*Invocation) *InstructionError { return ierr(UnsupportedProgramID) }
	return []Native{
		{ID: pubkey.Secp256k1Program(), Name: "secp256k1", Process: unreachable},
		{ID: pubkey.Ed25519Program(), Name: "ed25519", Process: unreachable},
		{ID: pubkey.Secp256r1Program(), Name: "secp256r1", Process: unreachable, ProgramBudget: true},
	}
}

func precompileResult(err error) *InstructionError {
	if err == nil {
		return nil
	}
	if pe, ok := err.(PrecompileError); ok {
		return customErr(uint32(pe))
	}
	return customErr(uint32(PrecompileInvalidSignature))
}

// processPrecompile runs a top-level precompile instruction as Agave's
// process_precompile: it takes a place in the instruction trace, then
// verifies; nothing is logged or charged.
func (tc *txContext) processPrecompile(v precompileVerify, data []byte) *InstructionError {
	if tc.traceLen >= MaxInstructionTraceLength {
		return ierr(MaxInstructionTraceLengthExceeded)
	}
	tc.traceLen++
	return precompileResult(v(data, tc.instructionDatas()))
}

// instructionDatas is the data of the transaction's top-level
// instructions.
func (tc *txContext) instructionDatas() [][]byte { return tc.ixDatas }

// Ed25519 precompile layout: a 2-byte header {count u8, padding u8},
// then count 14-byte offset records.
const (
	ed25519OffsetsStart = 2
	ed25519OffsetsSize  = 14
	ed25519PubkeySize   = 32
	ed25519SigSize      = 64
)

// Ed25519Offsets is one signature's record in an Ed25519 (or
// Secp256r1) precompile instruction: where its signature, public key and
// message lie. An instruction index of 0xFFFF is the precompile
// instruction itself.
type Ed25519Offsets struct {
	SignatureOffset, SignatureIx uint16
	PubkeyOffset, PubkeyIx       uint16
	MessageOffset, MessageSize   uint16
	MessageIx                    uint16
}

// DecodeEd25519Offsets reads record i of an Ed25519 or Secp256r1
// precompile instruction's data (little-endian u16s after the 2-byte
// header). It fails with PrecompileInvalidInstructionDataSize when data
// is too short for it.
func DecodeEd25519Offsets(data []byte, i int) (Ed25519Offsets, error) {
	start := ed25519OffsetsStart + i*ed25519OffsetsSize
	if i < 0 || len(data) < start+ed25519OffsetsSize {
		return Ed25519Offsets{}, PrecompileInvalidInstructionDataSize
	}
	u := func(k int) uint16 { return binary.LittleEndian.Uint16(data[start+2*k:]) }
	return Ed25519Offsets{u(0), u(1), u(2), u(3), u(4), u(5), u(6)}, nil
}

// ed25519Slice is Agave's ed25519 get_data_slice: size bytes at offset
// of instruction ix (0xFFFF: this one); out of range is
// InvalidDataOffsets.
func ed25519Slice(data []byte, datas [][]byte, ix, offset uint16, size int) ([]byte, error) {
	src := data
	if ix != 0xFFFF {
		if int(ix) >= len(datas) {
			return nil, PrecompileInvalidDataOffsets
		}
		src = datas[ix]
	}
	end := int(offset) + size
	if end > len(src) {
		return nil, PrecompileInvalidDataOffsets
	}
	return src[offset:end], nil
}

// VerifyEd25519 is Agave's ed25519 precompile: data is the instruction's
// data, datas every top-level instruction's. Each signature is checked
// with ed25519-dalek's verify_strict rules (package solana/sigverify).
func VerifyEd25519(data []byte, datas [][]byte) error {
	if len(data) < ed25519OffsetsStart {
		return PrecompileInvalidInstructionDataSize
	}
	n := int(data[0])
	if n == 0 && len(data) > ed25519OffsetsStart {
		return PrecompileInvalidInstructionDataSize
	}
	if len(data) < ed25519OffsetsStart+n*ed25519OffsetsSize {
		return PrecompileInvalidInstructionDataSize
	}
	for i := range n {
		o, err := DecodeEd25519Offsets(data, i)
		if err != nil {
			return err
		}
		sig, err := ed25519Slice(data, datas, o.SignatureIx, o.SignatureOffset, ed25519SigSize)
		if err != nil {
			return err
		}
		pub, err := ed25519Slice(data, datas, o.PubkeyIx, o.PubkeyOffset, ed25519PubkeySize)
		if err != nil {
			return err
		}
		if _, err := new(edwards25519.Point).SetBytes(pub); err != nil {
			return PrecompileInvalidPublicKey
		}
		msg, err := ed25519Slice(data, datas, o.MessageIx, o.MessageOffset, int(o.MessageSize))
		if err != nil {
			return err
		}
		if !sigverify.Verify(pub, msg, sig) {
			return PrecompileInvalidSignature
		}
	}
	return nil
}
