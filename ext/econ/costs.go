package econ

// Prices in compute units, charged by the program itself (the builtin
// instruction and the syscall alike). Each is base + per_unit·n, derived
// from the measured time of the Go implementation at Agave's rate of 33 ns
// per CU and rounded up (docs/costs.md); the package documentation says how
// they were measured, and BenchmarkCalibration re-measures them. Inner
// System program invocations (creating a state account, taking a bidder's
// lock) are charged by the System program, 150 CU each, on top.
const (
	// NsPerCU is Agave's rate, which the prices are derived from.
	NsPerCU = 33

	CostInvalid = 10 // instruction data that does not decode
	// CostPDA is charged for each program address the program derives:
	// creating a state account, and reaching a score account that does
	// not exist yet (an agent's first rating, a query of an unrated one).
	CostPDA = 80

	CostAuctionCreate       = 47 // plus CostPDA
	CostAuctionBid          = 40 // plus CostAuctionBidPerBid per bid held
	CostAuctionBidPerBid    = 3  // the duplicate scan, the record's encoding
	CostAuctionReveal       = 49 // plus per bid held; one sha256
	CostAuctionRevealPerBid = 1
	CostAuctionSettle       = 46 // plus per bid; VCG adds its search
	CostAuctionSettlePerBid = 5
	// CostVCGPerKStep is the price of 1,024 steps of VCG winner
	// determination (table cells; see SolveVCG), rounded up per phase.
	CostVCGPerKStep = 30

	CostEscrowCreate            = 19 // plus CostPDA
	CostEscrowRelease           = 11 // plus per account after the parties
	CostEscrowReleasePerAccount = 1
	CostEscrowRefund            = 12

	CostRegistryCreate   = 29 // plus CostPDA
	CostReputationUpdate = 19 // plus CostPDA for an agent's first rating; decay is at most 64 squarings
	CostReputationQuery  = 16 // plus CostPDA for an agent never rated

	CostStakeLock    = 9 // plus CostPDA
	CostStakeSlash   = 7
	CostStakeRelease = 6

	// CostSyscall is what an agora_* syscall of this package charges for
	// itself (translating its arguments, syncing the caller's accounts)
	// before the program's own price, plus CostSyscallPerAccount per
	// account it passes.
	CostSyscall           = 55
	CostSyscallPerAccount = 8
)

// Cost is one row of the price list: a syscall (or instruction), or one
// operation of it.
type Cost struct {
	Syscall string // syscall name (the instruction of the same operation costs the same, less CostSyscall)
	Op      string // operation within the syscall ("" when it has one)
	Base    uint64 // constant part of the price, in CU
	PerUnit uint64 // CU per Unit (0 for a flat price)
	Unit    string // what PerUnit counts
	Formula string // the whole price
}

// Costs returns the price list of the program's operations, in a stable
// order. Each row is the program's own price, the same for the
// instruction and the syscall; the syscall adds the last row, and each
// inner System invocation adds 150 (the System program's price).
func Costs() []Cost {
	pda := " + " + fmtCU(CostPDA) + " (PDA)"
	flat := func(name, op string, base uint64, suffix string) Cost {
		return Cost{name, op, base, 0, "", fmtCU(base) + suffix}
	}
	perUnit := func(name, op string, base, per uint64, unit, n string) Cost {
		return Cost{name, op, base, per, unit, fmtCU(base) + " + " + fmtCU(per) + "·" + n}
	}
	return []Cost{
		flat(NameAuctionCreate, "", CostAuctionCreate, pda),
		perUnit(NameAuctionBid, "", CostAuctionBid, CostAuctionBidPerBid, "bid already held", "bids"),
		perUnit(NameAuctionReveal, "", CostAuctionReveal, CostAuctionRevealPerBid, "bid held", "bids"),
		perUnit(NameAuctionSettle, "GSP, sealed, English, Dutch", CostAuctionSettle, CostAuctionSettlePerBid, "bid", "bids"),
		{NameAuctionSettle, "VCG", CostAuctionSettle, CostVCGPerKStep, "1,024 search steps, rounded up per phase",
			fmtCU(CostAuctionSettle) + " + " + fmtCU(CostAuctionSettlePerBid) + "·n + " + fmtCU(CostVCGPerKStep) +
				"·(⌈n·2^m/1024⌉ + ⌈w·(n−1)·2^m/1024⌉); m items ≤ 12, n bids ≤ 32, w winners"},
		flat(NameEscrowCreate, "", CostEscrowCreate, pda),
		perUnit(NameEscrowRelease, "", CostEscrowRelease, CostEscrowReleasePerAccount, "account after the parties", "accounts"),
		flat(NameEscrowRefund, "", CostEscrowRefund, ""),
		flat("", "RegistryCreate (instruction only)", CostRegistryCreate, pda),
		flat(NameReputationUpdate, "", CostReputationUpdate, " (+ "+fmtCU(CostPDA)+" on an agent's first rating)"),
		flat(NameReputationQuery, "", CostReputationQuery, " (+ "+fmtCU(CostPDA)+" for an agent never rated)"),
		flat(NameStakeLock, "", CostStakeLock, pda),
		flat(NameStakeSlash, "", CostStakeSlash, ""),
		flat(NameStakeRelease, "", CostStakeRelease, ""),
		flat("", "program address derivation (PDA)", CostPDA, ""),
		flat("", "undecodable instruction", CostInvalid, ""),
		perUnit("agora_* (econ)", "the syscall itself", CostSyscall, CostSyscallPerAccount, "account position passed", "accounts"),
	}
}

// fmtCU formats n with thousands separators ("1,024").
func fmtCU(n uint64) string {
	s := itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
