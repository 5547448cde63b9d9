package solcrypto

import (
	"encoding/binary"
	"math/big"

	"github.com/agora-vm/agora/vm"
)

// bigModExpParamsSize is the size of Agave's BigModExpParams: six u64
// (base, base_len, exponent, exponent_len, modulus, modulus_len), 8-aligned.
const bigModExpParamsSize = 48

// sol_big_mod_exp(params *BigModExpParams, result *u8) -> 0.
//
// The operands are big-endian unsigned integers, as in EIP-198. The result
// is base^exponent mod modulus, left-padded with zeros to modulus_len
// bytes; a modulus of 0 or 1 gives modulus_len zero bytes. Agave maps the
// parameters, rejects an operand over 512 bytes (InvalidLength), charges
// 100 + ⌊L²/2⌋ + 190 for the longest operand length L, maps base, exponent
// and modulus, computes, and only then maps the result.
//
// This is the syscall as Agave implements it behind enable_big_mod_exp_syscall
// (never activated on mainnet). SIMD-0529 proposes a different one
// (little-endian operands, an odd modulus, EIP-198-style pricing); it is not
// implemented here.
func (s *set) bigModExp(m *vm.Machine, paramsAddr, resultAddr, _, _, _ uint64) (uint64, error) {
	raw, err := translateSlice(m, vm.Load, paramsAddr, 1, bigModExpParamsSize, 8, checkAligned(m))
	if err != nil {
		return 0, err
	}
	var p [6]uint64
	for i := range p {
		p[i] = binary.LittleEndian.Uint64(raw[i*8:])
	}
	baseAddr, baseLen, expAddr, expLen, modAddr, modLen := p[0], p[1], p[2], p[3], p[4], p[5]
	if baseLen > MaxBigModExpBytes || expLen > MaxBigModExpBytes || modLen > MaxBigModExpBytes {
		return 0, newError(KindInvalidLength)
	}
	if err := m.Consume(BigModExpCost(max(baseLen, expLen, modLen))); err != nil {
		return 0, err
	}
	base, err := translateBytes(m, vm.Load, baseAddr, baseLen)
	if err != nil {
		return 0, err
	}
	exp, err := translateBytes(m, vm.Load, expAddr, expLen)
	if err != nil {
		return 0, err
	}
	mod, err := translateBytes(m, vm.Load, modAddr, modLen)
	if err != nil {
		return 0, err
	}
	value := bigModExp(base, exp, mod)
	result, err := translateBytes(m, vm.Store, resultAddr, modLen)
	if err != nil {
		return 0, err
	}
	copy(result, value)
	return 0, nil
}

// bigModExp is solana-big-mod-exp's big_mod_exp (before SIMD-0529):
// big-endian operands, a result of exactly len(modulus) bytes.
func bigModExp(base, exponent, modulus []byte) []byte {
	out := make([]byte, len(modulus))
	mod := new(big.Int).SetBytes(modulus)
	if mod.Sign() == 0 || mod.Cmp(big.NewInt(1)) == 0 {
		return out
	}
	b := new(big.Int).SetBytes(base)
	e := new(big.Int).SetBytes(exponent)
	b.Exp(b, e, mod)
	b.FillBytes(out)
	return out
}
