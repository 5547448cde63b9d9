package crypto

// Prices in compute units. Each is base + per_unit·n, derived from the
// measured time of the Go implementation at Agave's rate of 33 ns per CU
// and rounded up (DESIGN §5.0); see the package documentation for how and
// where they were measured, and BenchmarkCalibration, which re-measures
// them.
const (
	// NsPerCU is Agave's rate, which the prices are derived from.
	NsPerCU = 33

	CostBLSVerify          = 25_835 // agora_bls_verify, plus CostBLSMessageBlock per block
	CostBLSMessageBlock    = 1      // per 64 bytes of message, rounded up (SHA-256 blocks of hash_to_curve)
	CostBLSAggSigBase      = 37     // agora_bls_aggregate of signatures
	CostBLSAggSigPer       = 1_779  // per signature
	CostBLSAggKeyBase      = 0      // agora_bls_aggregate of public keys
	CostBLSAggKeyPer       = 1_366  // per public key
	CostBLSFastAggBase     = 24_637 // agora_bls_fast_aggregate_verify, plus message blocks
	CostBLSFastAggPerKey   = 1_391  // per public key
	CostBLSAggVerifyBase   = 13_862 // agora_bls_aggregate_verify, plus message blocks
	CostBLSAggVerifyPerKey = 11_967 // per (public key, message) pair
	CostPedersenCommit     = 1_472  // agora_pedersen_commit
	CostPedersenVerify     = 1_577  // agora_pedersen_verify
	CostVRFEdwards         = 2_623  // agora_vrf_verify, ECVRF-EDWARDS25519-SHA512-TAI
	CostVRFRistretto       = 2_584  // agora_vrf_verify, ECVRF-RISTRETTO255-SHA512
	CostVRFAlphaBlock      = 5      // per 128 bytes of alpha, rounded up (SHA-512 blocks)

	blsMessageBlock = 64  // bytes per CostBLSMessageBlock
	vrfAlphaBlock   = 128 // bytes per CostVRFAlphaBlock
)

// BLSVerifyCost is the price of agora_bls_verify over a msgLen-byte
// message.
func BLSVerifyCost(msgLen uint64) uint64 {
	return satAdd(CostBLSVerify, satMul(CostBLSMessageBlock, blocks(msgLen, blsMessageBlock)))
}

// BLSAggregateCost is the price of agora_bls_aggregate of n elements of
// the given kind (a known kind).
func BLSAggregateCost(kind, n uint64) uint64 {
	if kind == BLSKindPublicKeys {
		return satAdd(CostBLSAggKeyBase, satMul(CostBLSAggKeyPer, n))
	}
	return satAdd(CostBLSAggSigBase, satMul(CostBLSAggSigPer, n))
}

// BLSFastAggregateVerifyCost is the price of
// agora_bls_fast_aggregate_verify with n keys and a msgLen-byte message.
func BLSFastAggregateVerifyCost(n, msgLen uint64) uint64 {
	c := satAdd(CostBLSFastAggBase, satMul(CostBLSFastAggPerKey, n))
	return satAdd(c, satMul(CostBLSMessageBlock, blocks(msgLen, blsMessageBlock)))
}

// BLSAggregateVerifyCost is the price of agora_bls_aggregate_verify with
// n pairs whose messages span msgBlocks 64-byte blocks in all (each
// message rounded up on its own). The syscall charges the n-dependent part
// first and the blocks once it has read the message descriptors.
func BLSAggregateVerifyCost(n, msgBlocks uint64) uint64 {
	c := satAdd(CostBLSAggVerifyBase, satMul(CostBLSAggVerifyPerKey, n))
	return satAdd(c, satMul(CostBLSMessageBlock, msgBlocks))
}

// VRFVerifyCost is the price of agora_vrf_verify in suite over an
// alphaLen-byte alpha; ok is false for an unknown suite.
func VRFVerifyCost(suite VRFSuite, alphaLen uint64) (cost uint64, ok bool) {
	var base uint64
	switch suite {
	case VRFEdwards25519TAI:
		base = CostVRFEdwards
	case VRFRistretto255:
		base = CostVRFRistretto
	default:
		return 0, false
	}
	return satAdd(base, satMul(CostVRFAlphaBlock, blocks(alphaLen, vrfAlphaBlock))), true
}

// Cost is one row of the price list: a syscall, or one operation of it.
type Cost struct {
	Syscall string // syscall name
	Op      string // operation within the syscall ("" when it has one), with its selector value
	Base    uint64 // constant part of the price, in CU
	PerUnit uint64 // CU per Unit (0 for a flat price)
	Unit    string // what PerUnit counts
	Formula string // the whole price
	// MeasuredNs is the Go time the price was derived from, for the
	// calibration run named in the package documentation: the base
	// operation, and per unit.
	MeasuredBaseNs, MeasuredPerUnitNs float64
}

// Costs returns the price list of every syscall in this package, in a
// stable order, with the Go times the prices were derived from.
func Costs() []Cost {
	return []Cost{
		{NameBLSVerify, "", CostBLSVerify, CostBLSMessageBlock, "64-byte message block, rounded up",
			"25,835 + ⌈len/64⌉", 852_538, 31.8},
		{NameBLSAggregate, "signatures (0)", CostBLSAggSigBase, CostBLSAggSigPer, "signature",
			"37 + 1,779·n, n ≤ 2048", 1_213, 58_704},
		{NameBLSAggregate, "public keys (1)", CostBLSAggKeyBase, CostBLSAggKeyPer, "public key",
			"1,366·n, n ≤ 2048", 0, 45_070},
		{NameBLSFastAggregateVerify, "", CostBLSFastAggBase, CostBLSFastAggPerKey, "public key",
			"24,637 + 1,391·n + ⌈len/64⌉, n ≤ 2048", 813_011, 45_902},
		{NameBLSAggregateVerify, "", CostBLSAggVerifyBase, CostBLSAggVerifyPerKey, "(public key, message) pair",
			"13,862 + 11,967·n + Σ⌈len_i/64⌉, n ≤ 2048", 457_420, 394_886},
		{NamePedersenCommit, "", CostPedersenCommit, 0, "", "1,472", 48_552, 0},
		{NamePedersenVerify, "", CostPedersenVerify, 0, "", "1,577", 52_018, 0},
		{NameVRFVerify, VRFEdwards25519TAI.String() + " (3)", CostVRFEdwards, CostVRFAlphaBlock, "128-byte alpha block, rounded up",
			"2,623 + 5·⌈len/128⌉", 86_528, 144.6},
		{NameVRFVerify, VRFRistretto255.String() + " (0xff)", CostVRFRistretto, CostVRFAlphaBlock, "128-byte alpha block, rounded up",
			"2,584 + 5·⌈len/128⌉", 85_258, 144.6},
	}
}
