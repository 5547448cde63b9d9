package offload

// Prices in compute units, by the project's rule: base + per_unit·n from
// the measured time of the Go implementation at 33 ns per CU (see
// docs/offload.md for the measurement; BenchmarkCalibration repeats it).
// The per-unit part is measured on one core, so a multicore backend
// never charges less than the serial work costs a validator.
const (
	NsPerCU = 33

	// MSMCUPerPoint is MSM_BN254's price per point.
	MSMCUPerPoint = 1000
	// MSMBLSBase and MSMBLSCUPerPoint price MSM_BLS12381: 1.38 ms for
	// one point (setup and subgroup check) and 78.5 µs per point at 64
	// (Calibration's MSM_BLS12381/1 and /64 on one worker), rounded up.
	MSMBLSBase       = 42_000
	MSMBLSCUPerPoint = 2_400
	// BLSVerifyCUPerSig prices one BATCH_VERIFY_BLS record: one BLS
	// verification (hash to G2 and a two-pairing product), the same work
	// and price as agora_bls_verify of a 32-byte message (32,294 + 1 CU);
	// Calibration's BATCH_VERIFY_BLS/8 measures 1.1-1.4 ms per record on
	// one worker of a loaded 2-core machine.
	BLSVerifyCUPerSig = 32_295

	CostQueryBase       = 1
	CostQueryPerBackend = 1
	CostSubmitBase      = 10 // charged before the request is read
	CostPollBase        = 1
	PollBytesPerCU      = 512 // result bytes copied per CU on a done poll
	CostCancel          = 1

	// LatencyDiv: a task is pending until the program has consumed
	// ⌈work/LatencyDiv⌉ CU after submitting it (work = the operation's
	// price less nothing: Price.Cost of its units).
	LatencyDiv = 8
	// RefundDiv: cancelling a pending task returns ⌊work/RefundDiv⌋ CU.
	RefundDiv = 2
)

// Latency is the CU a program must consume after submitting work CU of
// offloaded work before the task is done.
func Latency(work uint64) uint64 { return ceilDiv(work, LatencyDiv) }

// CancelRefund is the CU returned when a pending task of price work is
// cancelled.
func CancelRefund(work uint64) uint64 { return work / RefundDiv }

// CPUPrices is the CPU backend's price table: Price.Cost(units) CU.
func CPUPrices() []Price {
	return []Price{
		// Measured on one worker (BenchmarkCalibration, a shared 2-core
		// machine): 3.0-3.1, 6.5-9.0, 21-24, 3.5-4.1 and 6.6-7.1 ns per
		// unit; UnitsPerCU = ⌊33 / the slower figure⌋.
		{OpMatMulI8, 4, 10, 0},
		{OpMatMulFx64, 4, 3, 0},
		{OpReLU, 2, 1, 0},
		{OpArgMax, 2, 8, 0},
		{OpConv1D, 2, 4, 0},
		// One ed25519 verification, measured at 45-60 µs on one worker:
		// ⌈60,000 / 33⌉ CU per signature.
		{OpBatchVerifyEd25519, 4, 0, 1819},
		// BN254 G1 multi-exponentiation, one task: 313 µs for one point
		// (the setup, in Base) and 30 µs per point at 64 points
		// (Calibration's MSM_BN254/1 and /64), rounded up.
		{OpMSMBN254, 9_500, 0, MSMCUPerPoint},
		// Units are sol_poseidon's price per hash (61·k² + 542, Agave's);
		// the Go hash measured 77-80 ns per such unit on one worker
		// (Calibration's POSEIDON_MANY/16x2), so 3 CU each.
		{OpPoseidonMany, 4, 0, 3},
		{OpMSMBLS12381, MSMBLSBase, 0, MSMBLSCUPerPoint},
		{OpBatchVerifyBLS, 4, 0, BLSVerifyCUPerSig},
	}
}
