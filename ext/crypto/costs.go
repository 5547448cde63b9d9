package crypto

// Prices in compute units. Each is base + per_unit·n, derived from the
// measured time of the Go implementation at Agave's rate of 33 ns per CU
// and rounded up (docs/costs.md, "The extension price rule"); see the
// package documentation for how and where they were measured, and
// BenchmarkCalibration, which re-measures them. The BLS prices carry a
// margin of 1.25 over the minimum measured time: priced at the minimum,
// a loaded machine measured them at up to twice their price, while the
// other prices here measured within 1.5.
const (
	// NsPerCU is Agave's rate, which the prices are derived from.
	NsPerCU = 33

	CostBLSVerify          = 32_294 // agora_bls_verify, plus CostBLSMessageBlock per block
	CostBLSMessageBlock    = 1      // per 64 bytes of message, rounded up (SHA-256 blocks of hash_to_curve)
	CostBLSAggSigBase      = 46     // agora_bls_aggregate of signatures
	CostBLSAggSigPer       = 2_224  // per signature
	CostBLSAggKeyBase      = 0      // agora_bls_aggregate of public keys
	CostBLSAggKeyPer       = 1_708  // per public key
	CostBLSFastAggBase     = 30_796 // agora_bls_fast_aggregate_verify, plus message blocks
	CostBLSFastAggPerKey   = 1_739  // per public key
	CostBLSAggVerifyBase   = 17_327 // agora_bls_aggregate_verify, plus message blocks
	CostBLSAggVerifyPerKey = 14_958 // per (public key, message) pair
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
	// Margin multiplies the measured times before they become CU (1 for
	// none): BLS prices carry 1.25, see the constants.
	Margin float64
}

// Costs returns the price list of every syscall in this package, in a
// stable order, with the Go times the prices were derived from.
func Costs() []Cost {
	return []Cost{
		{NameBLSVerify, "", CostBLSVerify, CostBLSMessageBlock, "64-byte message block, rounded up",
			"32,294 + ⌈len/64⌉", 852_538, 31.8, 1.25},
		{NameBLSAggregate, "signatures (0)", CostBLSAggSigBase, CostBLSAggSigPer, "signature",
			"46 + 2,224·n, n ≤ 2048", 1_213, 58_704, 1.25},
		{NameBLSAggregate, "public keys (1)", CostBLSAggKeyBase, CostBLSAggKeyPer, "public key",
			"1,708·n, n ≤ 2048", 0, 45_070, 1.25},
		{NameBLSFastAggregateVerify, "", CostBLSFastAggBase, CostBLSFastAggPerKey, "public key",
			"30,796 + 1,739·n + ⌈len/64⌉, n ≤ 2048", 813_011, 45_902, 1.25},
		{NameBLSAggregateVerify, "", CostBLSAggVerifyBase, CostBLSAggVerifyPerKey, "(public key, message) pair",
			"17,327 + 14,958·n + Σ⌈len_i/64⌉, n ≤ 2048", 457_420, 394_886, 1.25},
		{NamePedersenCommit, "", CostPedersenCommit, 0, "", "1,472", 48_552, 0, 1},
		{NamePedersenVerify, "", CostPedersenVerify, 0, "", "1,577", 52_018, 0, 1},
		{NameVRFVerify, VRFEdwards25519TAI.String() + " (3)", CostVRFEdwards, CostVRFAlphaBlock, "128-byte alpha block, rounded up",
			"2,623 + 5·⌈len/128⌉", 86_528, 144.6, 1},
		{NameVRFVerify, VRFRistretto255.String() + " (0xff)", CostVRFRistretto, CostVRFAlphaBlock, "128-byte alpha block, rounded up",
			"2,584 + 5·⌈len/128⌉", 85_258, 144.6, 1},
	}
}
