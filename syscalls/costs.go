package syscalls

import "fmt"

// Costs holds Agave's compute-unit prices (the defaults of
// SVMTransactionExecutionCost in program-runtime/src/execution_budget.rs)
// and the budget limits the standard syscalls enforce
// (SVMTransactionExecutionBudget, solana_cpi::MAX_RETURN_DATA). Only the
// first group is charged by this package; the rest are listed so that the
// crypto, CPI and sysvar families and `agora bench costs` share one table.
type Costs struct {
	// Charged by this package.
	SyscallBase     uint64 // syscall_base_cost: a syscall doing no work; the floor of sol_log_
	Log64           uint64 // log_64_units: sol_log_64_
	LogPubkey       uint64 // log_pubkey_units: sol_log_pubkey
	MemOpBase       uint64 // mem_op_base_cost: the floor of the mem ops and of each hashed slice
	CPIBytesPerUnit uint64 // cpi_bytes_per_unit: bytes per CU for mem ops and return data
	SHA256Base      uint64 // sha256_base_cost: sol_sha256, sol_keccak256, sol_blake3
	SHA256Byte      uint64 // sha256_byte_cost: per two bytes hashed
	SHA256MaxSlices uint64 // sha256_max_slices: slices one hash syscall may take
	MaxReturnData   uint64 // MAX_RETURN_DATA: bytes of return data

	// Other Agave prices, for the families built on this table.
	CreateProgramAddress          uint64 // create_program_address_units
	Invoke                        uint64 // invoke_units: CPI, plus bytes/CPIBytesPerUnit
	SysvarBase                    uint64 // sysvar_base_cost
	Secp256k1Recover              uint64 // secp256k1_recover_cost
	Curve25519EdwardsValidate     uint64 // curve25519_edwards_validate_point_cost
	Curve25519EdwardsAdd          uint64 // curve25519_edwards_add_cost
	Curve25519EdwardsSubtract     uint64 // curve25519_edwards_subtract_cost
	Curve25519EdwardsMultiply     uint64 // curve25519_edwards_multiply_cost
	Curve25519EdwardsMSMBase      uint64 // curve25519_edwards_msm_base_cost
	Curve25519EdwardsMSMIncrement uint64 // curve25519_edwards_msm_incremental_cost, per point after the first
	Curve25519RistrettoValidate   uint64 // curve25519_ristretto_validate_point_cost
	Curve25519RistrettoAdd        uint64 // curve25519_ristretto_add_cost
	Curve25519RistrettoSubtract   uint64 // curve25519_ristretto_subtract_cost
	Curve25519RistrettoMultiply   uint64 // curve25519_ristretto_multiply_cost
	Curve25519RistrettoMSMBase    uint64 // curve25519_ristretto_msm_base_cost
	Curve25519RistrettoMSMIncr    uint64 // curve25519_ristretto_msm_incremental_cost, per point after the first
	HeapCost                      uint64 // heap_cost: per 32 KiB of heap above the default
	AltBN128Addition              uint64 // alt_bn128_addition_cost (G1)
	AltBN128Multiplication        uint64 // alt_bn128_multiplication_cost (G1)
	AltBN128PairingFirst          uint64 // alt_bn128_pairing_one_pair_cost_first
	AltBN128PairingOther          uint64 // alt_bn128_pairing_one_pair_cost_other, per pair after the first
	AltBN128G1Compress            uint64 // alt_bn128_g1_compress (plus SyscallBase)
	AltBN128G1Decompress          uint64 // alt_bn128_g1_decompress (plus SyscallBase)
	AltBN128G2Compress            uint64 // alt_bn128_g2_compress (plus SyscallBase)
	AltBN128G2Decompress          uint64 // alt_bn128_g2_decompress (plus SyscallBase)
	BigModExpBase                 uint64 // big_modular_exponentiation_base_cost
	BigModExpDivisor              uint64 // big_modular_exponentiation_cost_divisor
	PoseidonA                     uint64 // poseidon_cost_coefficient_a: a·n² + c
	PoseidonC                     uint64 // poseidon_cost_coefficient_c
	GetRemainingComputeUnits      uint64 // get_remaining_compute_units_cost (Agave charges SyscallBase)

	// Budget limits.
	ComputeUnitLimit uint64 // MAX_COMPUTE_UNIT_LIMIT: CU per transaction
}

// DefaultCosts returns Agave's published defaults.
func DefaultCosts() Costs {
	return Costs{
		SyscallBase:     100,
		Log64:           100,
		LogPubkey:       100,
		MemOpBase:       10,
		CPIBytesPerUnit: 250,
		SHA256Base:      85,
		SHA256Byte:      1,
		SHA256MaxSlices: 20_000,
		MaxReturnData:   1024,

		CreateProgramAddress:          1500,
		Invoke:                        1000,
		SysvarBase:                    100,
		Secp256k1Recover:              25_000,
		Curve25519EdwardsValidate:     159,
		Curve25519EdwardsAdd:          473,
		Curve25519EdwardsSubtract:     475,
		Curve25519EdwardsMultiply:     2_177,
		Curve25519EdwardsMSMBase:      2_273,
		Curve25519EdwardsMSMIncrement: 758,
		Curve25519RistrettoValidate:   169,
		Curve25519RistrettoAdd:        521,
		Curve25519RistrettoSubtract:   519,
		Curve25519RistrettoMultiply:   2_208,
		Curve25519RistrettoMSMBase:    2_303,
		Curve25519RistrettoMSMIncr:    788,
		HeapCost:                      8,
		AltBN128Addition:              334,
		AltBN128Multiplication:        3_840,
		AltBN128PairingFirst:          36_364,
		AltBN128PairingOther:          12_121,
		AltBN128G1Compress:            30,
		AltBN128G1Decompress:          398,
		AltBN128G2Compress:            86,
		AltBN128G2Decompress:          13_610,
		BigModExpBase:                 190,
		BigModExpDivisor:              2,
		PoseidonA:                     61,
		PoseidonC:                     542,
		GetRemainingComputeUnits:      100,

		ComputeUnitLimit: 1_400_000,
	}
}

// CostEntry is one row of the cost table: Agave's field name and its value.
type CostEntry struct {
	Name  string // Agave's name, e.g. "syscall_base_cost"
	Value uint64
}

// Table lists every entry of c under Agave's names, in a fixed order.
func (c Costs) Table() []CostEntry {
	return []CostEntry{
		{"syscall_base_cost", c.SyscallBase},
		{"log_64_units", c.Log64},
		{"log_pubkey_units", c.LogPubkey},
		{"mem_op_base_cost", c.MemOpBase},
		{"cpi_bytes_per_unit", c.CPIBytesPerUnit},
		{"sha256_base_cost", c.SHA256Base},
		{"sha256_byte_cost", c.SHA256Byte},
		{"sha256_max_slices", c.SHA256MaxSlices},
		{"max_return_data", c.MaxReturnData},
		{"create_program_address_units", c.CreateProgramAddress},
		{"invoke_units", c.Invoke},
		{"sysvar_base_cost", c.SysvarBase},
		{"secp256k1_recover_cost", c.Secp256k1Recover},
		{"curve25519_edwards_validate_point_cost", c.Curve25519EdwardsValidate},
		{"curve25519_edwards_add_cost", c.Curve25519EdwardsAdd},
		{"curve25519_edwards_subtract_cost", c.Curve25519EdwardsSubtract},
		{"curve25519_edwards_multiply_cost", c.Curve25519EdwardsMultiply},
		{"curve25519_edwards_msm_base_cost", c.Curve25519EdwardsMSMBase},
		{"curve25519_edwards_msm_incremental_cost", c.Curve25519EdwardsMSMIncrement},
		{"curve25519_ristretto_validate_point_cost", c.Curve25519RistrettoValidate},
		{"curve25519_ristretto_add_cost", c.Curve25519RistrettoAdd},
		{"curve25519_ristretto_subtract_cost", c.Curve25519RistrettoSubtract},
		{"curve25519_ristretto_multiply_cost", c.Curve25519RistrettoMultiply},
		{"curve25519_ristretto_msm_base_cost", c.Curve25519RistrettoMSMBase},
		{"curve25519_ristretto_msm_incremental_cost", c.Curve25519RistrettoMSMIncr},
		{"heap_cost", c.HeapCost},
		{"alt_bn128_addition_cost", c.AltBN128Addition},
		{"alt_bn128_multiplication_cost", c.AltBN128Multiplication},
		{"alt_bn128_pairing_one_pair_cost_first", c.AltBN128PairingFirst},
		{"alt_bn128_pairing_one_pair_cost_other", c.AltBN128PairingOther},
		{"alt_bn128_g1_compress", c.AltBN128G1Compress},
		{"alt_bn128_g1_decompress", c.AltBN128G1Decompress},
		{"alt_bn128_g2_compress", c.AltBN128G2Compress},
		{"alt_bn128_g2_decompress", c.AltBN128G2Decompress},
		{"big_modular_exponentiation_base_cost", c.BigModExpBase},
		{"big_modular_exponentiation_cost_divisor", c.BigModExpDivisor},
		{"poseidon_cost_coefficient_a", c.PoseidonA},
		{"poseidon_cost_coefficient_c", c.PoseidonC},
		{"get_remaining_compute_units_cost", c.GetRemainingComputeUnits},
		{"compute_unit_limit", c.ComputeUnitLimit},
	}
}

// Price describes what one syscall of this package charges.
type Price struct {
	Syscall string
	Formula string // e.g. "max(100, len)", with c's numbers filled in
}

// Prices describes the price of every syscall Register adds, in
// registration order, with c's numbers.
func (c Costs) Prices() []Price {
	memop := fmt.Sprintf("max(%d, n/%d)", c.MemOpBase, c.CPIBytesPerUnit)
	hash := fmt.Sprintf("%d + Σ max(%d, %d·len/2) over at most %d slices", c.SHA256Base, c.MemOpBase, c.SHA256Byte, c.SHA256MaxSlices)
	return []Price{
		{NameAbort, "0"},
		{NamePanic, "len"},
		{NameLog, fmt.Sprintf("max(%d, len)", c.SyscallBase)},
		{NameLog64, fmt.Sprint(c.Log64)},
		{NameLogComputeUnits, fmt.Sprint(c.SyscallBase)},
		{NameLogPubkey, fmt.Sprint(c.LogPubkey)},
		{NameLogData, fmt.Sprintf("%d + %d·fields + Σ len", c.SyscallBase, c.SyscallBase)},
		{NameMemcpy, memop},
		{NameMemmove, memop},
		{NameMemset, memop},
		{NameMemcmp, memop},
		{NameSHA256, hash},
		{NameKeccak256, hash},
		{NameBlake3, hash},
		{NameSetReturnData, fmt.Sprintf("%d + len/%d", c.SyscallBase, c.CPIBytesPerUnit)},
		{NameGetReturnData, fmt.Sprintf("%d + (min(len, returned) + 32)/%d when that length is non-zero", c.SyscallBase, c.CPIBytesPerUnit)},
		{NameRemainingComputeUnits, fmt.Sprint(c.SyscallBase)},
		{NameAllocFree, "0"},
	}
}

// MemOp is the price of a memory syscall (sol_memcpy_, sol_memmove_,
// sol_memset_, sol_memcmp_) over n bytes: Agave's mem_op_consume.
func (c *Costs) MemOp(n uint64) uint64 {
	return max(c.MemOpBase, divOrMax(n, c.CPIBytesPerUnit))
}

// Log is sol_log_'s price for a message of n bytes.
func (c *Costs) Log(n uint64) uint64 { return max(c.SyscallBase, n) }

// SetReturnData is sol_set_return_data's price for n bytes.
func (c *Costs) SetReturnData(n uint64) uint64 {
	return satAdd(divOrMax(n, c.CPIBytesPerUnit), c.SyscallBase)
}

// HashSlice is the price of one slice of n bytes given to sol_sha256,
// sol_keccak256 or sol_blake3; a hash costs SHA256Base plus the prices
// of its slices.
func (c *Costs) HashSlice(n uint64) uint64 {
	return max(c.MemOpBase, satMul(c.SHA256Byte, n/2))
}

// divOrMax is Rust's checked_div(..).unwrap_or(u64::MAX).
func divOrMax(a, b uint64) uint64 {
	if b == 0 {
		return ^uint64(0)
	}
	return a / b
}

func satAdd(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return ^uint64(0)
}

func satMul(a, b uint64) uint64 {
	if a != 0 && b > ^uint64(0)/a {
		return ^uint64(0)
	}
	return a * b
}
