package solcrypto

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/iden3/go-iden3-crypto/poseidon"

	"github.com/agora-vm/agora/vm"
)

// Arguments of sol_poseidon.
const (
	PoseidonBn254X5      = 0 // the only parameter set: BN254 scalar field, x^5 S-box, circom constants
	PoseidonBigEndian    = 0 // inputs and result are big-endian
	PoseidonLittleEndian = 1 // inputs and result are little-endian
)

// sol_poseidon(parameters u64, endianness u64, vals *[]VmSlice, vals_len u64,
// result *[32]u8) -> 0, or 1 when the inputs are rejected.
func (s *set) poseidon(m *vm.Machine, params, endianness, valsAddr, valsLen, resultAddr uint64) (uint64, error) {
	if params != PoseidonBn254X5 {
		return 0, newError(KindInvalidParameters)
	}
	if endianness != PoseidonBigEndian && endianness != PoseidonLittleEndian {
		return 0, newError(KindInvalidEndianness)
	}
	if valsLen > MaxPoseidonInputs {
		logLine(m, fmt.Sprintf("Poseidon hashing %d sequences is not supported", valsLen))
		return 0, newError(KindInvalidLength)
	}
	cost, ok := PoseidonCost(valsLen)
	if !ok {
		logLine(m, "Overflow while calculating the compute cost")
		return 0, newError(KindArithmeticOverflow)
	}
	if err := m.Consume(cost); err != nil {
		return 0, err
	}
	result, err := translateBytes(m, vm.Store, resultAddr, 32)
	if err != nil {
		return 0, err
	}
	slices, err := translateVMSlices(m, valsAddr, valsLen, checkAligned(m))
	if err != nil {
		return 0, err
	}
	inputs := make([][]byte, len(slices))
	for i, sl := range slices {
		if inputs[i], err = translateBytes(m, vm.Load, sl.Ptr, sl.Len); err != nil {
			return 0, err
		}
	}
	hash, ok := poseidonHash(endianness == PoseidonLittleEndian, inputs, s.opts.LegacyPoseidonPadding)
	if !ok {
		return 1, nil
	}
	copy(result, hash[:])
	return 0, nil
}

// bn254R is the order of the BN254 scalar field, Poseidon's field.
func bn254R() *big.Int { return fr.Modulus() }

// poseidonHash is light-poseidon's hash_bytes_be / hash_bytes_le with
// circom parameters for len(inputs) inputs, as solana-poseidon calls it:
// 1 to 12 inputs, each exactly 32 bytes (or, with legacy padding, 1 to 32
// bytes), each below the field modulus. ok is false when light-poseidon
// returns an error.
func poseidonHash(littleEndian bool, inputs [][]byte, legacyPadding bool) (out [32]byte, ok bool) {
	if len(inputs) == 0 || len(inputs) > MaxPoseidonInputs {
		return out, false
	}
	r := bn254R()
	vals := make([]*big.Int, len(inputs))
	for i, in := range inputs {
		if len(in) == 0 || len(in) > 32 || (!legacyPadding && len(in) != 32) {
			return out, false
		}
		b := in
		if littleEndian {
			b = reversed(in)
		}
		v := new(big.Int).SetBytes(b)
		if v.Cmp(r) >= 0 {
			return out, false
		}
		vals[i] = v
	}
	h, err := poseidon.Hash(vals)
	if err != nil {
		return out, false
	}
	h.FillBytes(out[:])
	if littleEndian {
		reverseInPlace(out[:])
	}
	return out, true
}

func reversed(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[len(b)-1-i] = c
	}
	return out
}

func reverseInPlace(b []byte) {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
}

// PoseidonHash is sol_poseidon's hash (BN254 x5, circom parameters) of 1
// to MaxPoseidonInputs big-endian 32-byte inputs, each below the field
// modulus; ok is false otherwise. Hardware offload batches it.
func PoseidonHash(inputs [][]byte) (out [32]byte, ok bool) {
	return poseidonHash(false, inputs, false)
}
