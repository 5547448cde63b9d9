package solcrypto

// Agave's prices, the defaults of SVMTransactionExecutionCost
// (program-runtime/src/execution_budget.rs), and the limits its syscalls
// enforce.
const (
	CostSyscallBase = 100 // syscall_base_cost: added to compression and big_mod_exp
	CostSHA256Base  = 85  // sha256_base_cost: added to every pairing

	CostSecp256k1Recover = 25_000

	CostPoseidonA = 61  // poseidon_cost_coefficient_a: times n²
	CostPoseidonC = 542 // poseidon_cost_coefficient_c

	CostAltBN128G1Add        = 334
	CostAltBN128G2Add        = 535
	CostAltBN128G1Mul        = 3_840
	CostAltBN128G2Mul        = 15_670
	CostAltBN128PairingFirst = 36_364
	CostAltBN128PairingOther = 12_121 // per pair after the first
	CostAltBN128G1Compress   = 30     // plus CostSyscallBase
	CostAltBN128G1Decompress = 398    // plus CostSyscallBase
	CostAltBN128G2Compress   = 86     // plus CostSyscallBase
	CostAltBN128G2Decompress = 13_610 // plus CostSyscallBase

	CostEdwardsValidate     = 159
	CostEdwardsAdd          = 473
	CostEdwardsSubtract     = 475
	CostEdwardsMultiply     = 2_177
	CostEdwardsMSMBase      = 2_273
	CostEdwardsMSMIncrement = 758 // per point after the first
	CostRistrettoValidate   = 169
	CostRistrettoAdd        = 521
	CostRistrettoSubtract   = 519
	CostRistrettoMultiply   = 2_208
	CostRistrettoMSMBase    = 2_303
	CostRistrettoMSMIncr    = 788 // per point after the first

	CostBigModExpBase    = 190 // big_modular_exponentiation_base_cost, plus CostSyscallBase
	CostBigModExpDivisor = 2   // big_modular_exponentiation_cost_divisor

	MaxPoseidonInputs = 12  // sol_poseidon aborts with InvalidLength above this
	MaxMSMPoints      = 512 // sol_curve_multiscalar_mul aborts with InvalidLength above this
	MaxBigModExpBytes = 512 // sol_big_mod_exp aborts with InvalidLength above this, per operand

	altBN128PairingElement = 192 // bytes of one (G1, G2) pair
	altBN128PairingOutput  = 32
)

// PoseidonCost is the price of hashing n inputs: 61·n² + 542. ok is false
// when it overflows (Agave then aborts with ArithmeticOverflow).
func PoseidonCost(n uint64) (cost uint64, ok bool) {
	if n > 1<<32-1 {
		return 0, false
	}
	sq := n * n
	if sq > (1<<64-1-CostPoseidonC)/CostPoseidonA {
		return 0, false
	}
	return CostPoseidonA*sq + CostPoseidonC, true
}

// AltBN128PairingCost is the price of a pairing over inputLen bytes, as
// Agave computes it with saturating arithmetic: 36,364 + 12,121·(k−1) +
// 85 + inputLen + 32, where k = inputLen/192 and k−1 stops at 0.
func AltBN128PairingCost(inputLen uint64) uint64 {
	k := inputLen / altBN128PairingElement
	c := satAdd(CostAltBN128PairingFirst, satMul(CostAltBN128PairingOther, satSub(k, 1)))
	c = satAdd(c, CostSHA256Base)
	c = satAdd(c, inputLen)
	return satAdd(c, altBN128PairingOutput)
}

// MultiscalarCost is the price of a multiscalar multiplication of n points
// on a curve whose base and per-point prices are given: base + incr·(n−1),
// with n−1 stopping at 0, saturating.
func MultiscalarCost(base, incr, n uint64) uint64 {
	return satAdd(base, satMul(incr, satSub(n, 1)))
}

// BigModExpCost is the price of sol_big_mod_exp whose longest operand is
// maxLen bytes: 100 + ⌊maxLen²/2⌋ + 190.
func BigModExpCost(maxLen uint64) uint64 {
	return satAdd(CostSyscallBase, satAdd(satMul(maxLen, maxLen)/CostBigModExpDivisor, CostBigModExpBase))
}

// Cost is one row of the price list: a syscall, or one operation of it.
type Cost struct {
	Syscall string // syscall name
	Op      string // operation within the syscall ("" when it has one); with its selector value
	Base    uint64 // constant part of the price, in CU
	PerUnit uint64 // CU per Unit (0 for a flat price)
	Unit    string // what PerUnit counts
	Formula string // the whole price as Agave computes it
}

// Costs returns the price list of every syscall in this package, in a
// stable order.
func Costs() []Cost {
	return []Cost{
		{NameSecp256k1Recover, "", CostSecp256k1Recover, 0, "", "25,000"},
		{NamePoseidon, "", CostPoseidonC, CostPoseidonA, "n² for n inputs (n ≤ 12)", "61·n² + 542; n > 12 aborts before charging"},
		{NameAltBN128GroupOp, "g1_add (0, LE 0x80)", CostAltBN128G1Add, 0, "", "334"},
		{NameAltBN128GroupOp, "g1_mul (2, LE 0x82)", CostAltBN128G1Mul, 0, "", "3,840"},
		{NameAltBN128GroupOp, "pairing (3, LE 0x83)", CostAltBN128PairingFirst + CostSHA256Base + altBN128PairingOutput, CostAltBN128PairingOther,
			"pair after the first", "36,364 + 12,121·(k−1) + 85 + len + 32, k = len/192, saturating"},
		{NameAltBN128GroupOp, "g2_add (4, LE 0x84)", CostAltBN128G2Add, 0, "", "535"},
		{NameAltBN128GroupOp, "g2_mul (6, LE 0x86)", CostAltBN128G2Mul, 0, "", "15,670"},
		{NameAltBN128Compress, "g1_compress (0, LE 0x80)", CostSyscallBase + CostAltBN128G1Compress, 0, "", "100 + 30"},
		{NameAltBN128Compress, "g1_decompress (1, LE 0x81)", CostSyscallBase + CostAltBN128G1Decompress, 0, "", "100 + 398"},
		{NameAltBN128Compress, "g2_compress (2, LE 0x82)", CostSyscallBase + CostAltBN128G2Compress, 0, "", "100 + 86"},
		{NameAltBN128Compress, "g2_decompress (3, LE 0x83)", CostSyscallBase + CostAltBN128G2Decompress, 0, "", "100 + 13,610"},
		{NameCurveValidatePoint, "edwards (0)", CostEdwardsValidate, 0, "", "159"},
		{NameCurveValidatePoint, "ristretto (1)", CostRistrettoValidate, 0, "", "169"},
		{NameCurveGroupOp, "edwards add (0, 0)", CostEdwardsAdd, 0, "", "473"},
		{NameCurveGroupOp, "edwards sub (0, 1)", CostEdwardsSubtract, 0, "", "475"},
		{NameCurveGroupOp, "edwards mul (0, 2)", CostEdwardsMultiply, 0, "", "2,177"},
		{NameCurveGroupOp, "ristretto add (1, 0)", CostRistrettoAdd, 0, "", "521"},
		{NameCurveGroupOp, "ristretto sub (1, 1)", CostRistrettoSubtract, 0, "", "519"},
		{NameCurveGroupOp, "ristretto mul (1, 2)", CostRistrettoMultiply, 0, "", "2,208"},
		{NameCurveMultiscalar, "edwards (0)", CostEdwardsMSMBase, CostEdwardsMSMIncrement, "point after the first",
			"2,273 + 758·(n−1); n > 512 aborts before charging"},
		{NameCurveMultiscalar, "ristretto (1)", CostRistrettoMSMBase, CostRistrettoMSMIncr, "point after the first",
			"2,303 + 788·(n−1); n > 512 aborts before charging"},
		{NameBigModExp, "", CostSyscallBase + CostBigModExpBase, 1, "⌊L²/2⌋, L = longest operand in bytes (≤ 512)",
			"100 + ⌊L²/2⌋ + 190"},
	}
}
