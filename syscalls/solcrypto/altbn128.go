package solcrypto

import "github.com/agora-vm/agora/vm"

// altBN128OpPrice returns the price and output size of a group operation,
// or ok=false for a selector Agave does not serve. The feature gates are
// checked as Agave checks them: SIMD-0284's gate covers the little-endian
// G1 and pairing selectors (not the G2 ones), SIMD-0302's covers all four
// G2 selectors.
func (s *set) altBN128OpPrice(op, inputLen uint64) (cost, outLen uint64, ok bool) {
	const le = AltBN128LittleEndian
	switch {
	case s.opts.NoAltBN128LittleEndian && (op == AltBN128G1Add|le || op == AltBN128G1Mul|le || op == AltBN128Pairing|le):
		return 0, 0, false
	case s.opts.NoAltBN128G2 && (op&^le == AltBN128G2Add || op&^le == AltBN128G2Mul):
		return 0, 0, false
	}
	switch op &^ le {
	case AltBN128G1Add:
		return CostAltBN128G1Add, g1Size, true
	case AltBN128G1Mul:
		return CostAltBN128G1Mul, g1Size, true
	case AltBN128Pairing:
		return AltBN128PairingCost(inputLen), altBN128PairingOutput, true
	case AltBN128G2Add:
		return CostAltBN128G2Add, g2Size, true
	case AltBN128G2Mul:
		return CostAltBN128G2Mul, g2Size, true
	}
	return 0, 0, false
}

// sol_alt_bn128_group_op(op u64, input *u8, input_len u64, result *u8)
// -> 0, or 1 when the input is rejected. The result holds 64 bytes (G1),
// 128 (G2) or 32 (pairing); Agave maps it before reading the input, and
// writes it only on success.
func (s *set) altBN128GroupOp(m *vm.Machine, op, inputAddr, inputLen, resultAddr, _ uint64) (uint64, error) {
	cost, outLen, ok := s.altBN128OpPrice(op, inputLen)
	if !ok {
		return 0, newError(KindInvalidAttribute)
	}
	if err := m.Consume(cost); err != nil {
		return 0, err
	}
	result, err := translateBytes(m, vm.Store, resultAddr, outLen)
	if err != nil {
		return 0, err
	}
	input, err := translateBytes(m, vm.Load, inputAddr, inputLen)
	if err != nil {
		return 0, err
	}
	out, ok := altBN128GroupOp(op, input, s.opts.LegacyPairingLength)
	if !ok {
		return 1, nil
	}
	copy(result, out)
	return 0, nil
}

// sol_alt_bn128_compression(op u64, input *u8, input_len u64, result *u8)
// -> 0, or 1 when the input is rejected. Prices include the syscall base
// cost (100).
func (s *set) altBN128Compression(m *vm.Machine, op, inputAddr, inputLen, resultAddr, _ uint64) (uint64, error) {
	if op&AltBN128LittleEndian != 0 && s.opts.NoAltBN128LittleEndian {
		return 0, newError(KindInvalidAttribute)
	}
	var cost, outLen uint64
	switch op {
	case AltBN128G1Compress, AltBN128G1Compress | AltBN128LittleEndian:
		cost, outLen = CostAltBN128G1Compress, g1CompressedSize
	case AltBN128G1Decompress, AltBN128G1Decompress | AltBN128LittleEndian:
		cost, outLen = CostAltBN128G1Decompress, g1Size
	case AltBN128G2Compress, AltBN128G2Compress | AltBN128LittleEndian:
		cost, outLen = CostAltBN128G2Compress, g2CompressedSize
	case AltBN128G2Decompress, AltBN128G2Decompress | AltBN128LittleEndian:
		cost, outLen = CostAltBN128G2Decompress, g2Size
	default:
		return 0, newError(KindInvalidAttribute)
	}
	if err := m.Consume(CostSyscallBase + cost); err != nil {
		return 0, err
	}
	result, err := translateBytes(m, vm.Store, resultAddr, outLen)
	if err != nil {
		return 0, err
	}
	input, err := translateBytes(m, vm.Load, inputAddr, inputLen)
	if err != nil {
		return 0, err
	}
	out, ok := altBN128Compression(op, input)
	if !ok {
		return 1, nil
	}
	copy(result, out)
	return 0, nil
}
