package svm

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"math/big"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"golang.org/x/crypto/sha3"
)

// Secp256k1 precompile layout: a count byte, then count 11-byte records.
const (
	secp256k1OffsetsSize = 11
	secp256k1SigSize     = 64
	ethAddressSize       = 20
)

// Secp256k1Offsets is one signature's record in a Secp256k1 precompile
// instruction. Instruction indexes are positions in the transaction's
// instructions (the precompile's own included); there is no "this
// instruction" index.
type Secp256k1Offsets struct {
	SignatureOffset  uint16
	SignatureIx      uint8
	EthAddressOffset uint16
	EthAddressIx     uint8
	MessageOffset    uint16
	MessageSize      uint16
	MessageIx        uint8
}

// DecodeSecp256k1Offsets reads record i of a Secp256k1 precompile
// instruction's data (after the count byte; u16s little-endian). It fails
// with PrecompileInvalidInstructionDataSize when data is too short.
func DecodeSecp256k1Offsets(data []byte, i int) (Secp256k1Offsets, error) {
	start := 1 + i*secp256k1OffsetsSize
	if i < 0 || len(data) < start+secp256k1OffsetsSize {
		return Secp256k1Offsets{}, PrecompileInvalidInstructionDataSize
	}
	b := data[start:]
	u := func(k int) uint16 { return uint16(b[k]) | uint16(b[k+1])<<8 }
	return Secp256k1Offsets{u(0), b[2], u(3), b[5], u(6), u(8), b[10]}, nil
}

// secp256k1Slice is Agave's secp256k1 get_data_slice: a bad instruction
// index is InvalidDataOffsets, a range past the data InvalidSignature.
func secp256k1Slice(datas [][]byte, ix uint8, offset uint16, size int) ([]byte, error) {
	if int(ix) >= len(datas) {
		return nil, PrecompileInvalidDataOffsets
	}
	src := datas[ix]
	end := int(offset) + size
	if end > len(src) {
		return nil, PrecompileInvalidSignature
	}
	return src[offset:end], nil
}

// VerifySecp256k1 is Agave's secp256k1 precompile: each record names a
// 64-byte signature (r, s big-endian) followed by its recovery id, a
// 20-byte Ethereum address and a message; the key recovered from the
// signature over keccak256(message) must have that address
// (keccak256 of the uncompressed key, last 20 bytes). As libsecp256k1
// parses them, r and s must be below the group order (high s is
// accepted), the recovery id below 4.
func VerifySecp256k1(data []byte, datas [][]byte) error {
	if len(data) == 0 {
		return PrecompileInvalidInstructionDataSize
	}
	n := int(data[0])
	if n == 0 && len(data) > 1 {
		return PrecompileInvalidInstructionDataSize
	}
	if len(data) < 1+n*secp256k1OffsetsSize {
		return PrecompileInvalidInstructionDataSize
	}
	for i := range n {
		o, err := DecodeSecp256k1Offsets(data, i)
		if err != nil {
			return err
		}
		if int(o.SignatureIx) >= len(datas) {
			return PrecompileInvalidInstructionDataSize
		}
		sigIx := datas[o.SignatureIx]
		sigEnd := int(o.SignatureOffset) + secp256k1SigSize
		if sigEnd >= len(sigIx) {
			return PrecompileInvalidSignature
		}
		sig := sigIx[o.SignatureOffset:sigEnd]
		var r, s secp256k1.ModNScalar
		if r.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:]) {
			return PrecompileInvalidSignature
		}
		recID := sigIx[sigEnd]
		if recID > 3 {
			return PrecompileInvalidRecoveryID
		}
		eth, err := secp256k1Slice(datas, o.EthAddressIx, o.EthAddressOffset, ethAddressSize)
		if err != nil {
			return err
		}
		msg, err := secp256k1Slice(datas, o.MessageIx, o.MessageOffset, int(o.MessageSize))
		if err != nil {
			return err
		}
		var compact [65]byte
		compact[0] = 27 + recID // the compact format's header for an uncompressed key
		copy(compact[1:], sig)
		key, _, err := secpecdsa.RecoverCompact(compact[:], keccak256(msg))
		if err != nil {
			return PrecompileInvalidSignature
		}
		addr := keccak256(key.SerializeUncompressed()[1:])[12:]
		if !bytes.Equal(addr, eth) {
			return PrecompileInvalidSignature
		}
	}
	return nil
}

func keccak256(b []byte) []byte {
	h := sha3.NewLegacyKeccak256()
	h.Write(b)
	return h.Sum(nil)
}

// Secp256r1 precompile limits: at most 8 signatures, 33-byte compressed
// keys, 64-byte signatures (r, s big-endian).
const (
	secp256r1MaxSignatures = 8
	secp256r1PubkeySize    = 33
	secp256r1SigSize       = 64
)

// VerifySecp256r1 is Agave's secp256r1 precompile (SIMD-0075): records
// laid out as Ed25519's, at most 8, naming a 64-byte signature, a 33-byte
// compressed P-256 key and a message; the signature is ECDSA over
// SHA-256(message) with r in [1, n-1] and s in [1, (n-1)/2].
func VerifySecp256r1(data []byte, datas [][]byte) error {
	if len(data) < ed25519OffsetsStart {
		return PrecompileInvalidInstructionDataSize
	}
	n := int(data[0])
	if n == 0 || n > secp256r1MaxSignatures {
		return PrecompileInvalidInstructionDataSize
	}
	if len(data) < ed25519OffsetsStart+n*ed25519OffsetsSize {
		return PrecompileInvalidInstructionDataSize
	}
	curve := elliptic.P256()
	// Agave requires low S: s ≤ (n-1)/2, n being the group order.
	half := new(big.Int).Rsh(curve.Params().N, 1)
	for i := range n {
		o, err := DecodeEd25519Offsets(data, i)
		if err != nil {
			return err
		}
		sig, err := ed25519Slice(data, datas, o.SignatureIx, o.SignatureOffset, secp256r1SigSize)
		if err != nil {
			return err
		}
		pub, err := ed25519Slice(data, datas, o.PubkeyIx, o.PubkeyOffset, secp256r1PubkeySize)
		if err != nil {
			return err
		}
		msg, err := ed25519Slice(data, datas, o.MessageIx, o.MessageOffset, int(o.MessageSize))
		if err != nil {
			return err
		}
		r := new(big.Int).SetBytes(sig[:32])
		s := new(big.Int).SetBytes(sig[32:])
		if r.Sign() <= 0 || r.Cmp(curve.Params().N) >= 0 || s.Sign() <= 0 || s.Cmp(half) > 0 {
			return PrecompileInvalidSignature
		}
		x, y := elliptic.UnmarshalCompressed(curve, pub)
		if x == nil {
			return PrecompileInvalidPublicKey
		}
		h := sha256.Sum256(msg)
		if !ecdsa.Verify(&ecdsa.PublicKey{Curve: curve, X: x, Y: y}, h[:], r, s) {
			return PrecompileInvalidSignature
		}
	}
	return nil
}
