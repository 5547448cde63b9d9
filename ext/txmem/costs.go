package txmem

import "strconv"

// Prices in compute units, by the extension price rule of docs/costs.md:
// base + per_unit·n from the measured time of the Go implementation at 33
// ns per CU, each part rounded up. See the package documentation for the
// measurements, and BenchmarkCalibration, which repeats them.
//
// While a transaction is open every write to the heap or the input — a
// store instruction, or a syscall writing guest memory — leaves the
// interpreter's fast path and passes through the undo log, which saves
// the bytes it overwrites for the first time. A store instruction cannot
// charge more than its 1 CU as it executes, so that work is charged when
// the transaction closes: tx_commit and tx_abort charge for the writes w
// made since tx_begin and for the distinct bytes b saved (Log.Writes,
// Log.Bytes). One CU per two writes covers the slow store path and the
// bitmap test of every write, and the logging of a small one (a watched
// eight-byte store measured 12–16 ns, so one CU per write charged twice
// its time); the per-byte term covers large syscall writes.
const (
	// NsPerCU is Agave's rate, which the prices are derived from.
	NsPerCU = 33

	CostBegin = 1 // agora_tx_begin
	CostTest  = 1 // agora_tx_test

	// Writes per CU, at tx_commit and tx_abort, rounded up.
	WritesPerCU = 2

	// agora_tx_commit: CostCommitBase + ⌈w / WritesPerCU⌉ +
	// ⌈b / CommitBytesPerCU⌉.
	CostCommitBase   = 1
	CommitBytesPerCU = 256

	// agora_tx_abort: CostAbortBase + ⌈w / WritesPerCU⌉ +
	// ⌈b / AbortBytesPerCU⌉ (the saved bytes are also written back).
	CostAbortBase   = 1
	AbortBytesPerCU = 128
)

// CommitCost is the price of agora_tx_commit after writes writes that
// saved bytes distinct bytes. It saturates.
func CommitCost(writes, bytes uint64) uint64 {
	return closeCost(CostCommitBase, writes, bytes, CommitBytesPerCU)
}

// AbortCost is the price of agora_tx_abort after writes writes that saved
// bytes distinct bytes. It saturates.
func AbortCost(writes, bytes uint64) uint64 {
	return closeCost(CostAbortBase, writes, bytes, AbortBytesPerCU)
}

// costOf is the price of closing l's transaction with the given base and
// bytes per CU.
func (l *Log) costOf(base, bytesPerCU uint64) uint64 {
	return closeCost(base, l.writes, uint64(len(l.saved)), bytesPerCU)
}

func closeCost(base, writes, bytes, bytesPerCU uint64) uint64 {
	c := satAdd(base, writes/WritesPerCU+min(writes%WritesPerCU, 1))
	return satAdd(c, bytes/bytesPerCU+min(bytes%bytesPerCU, 1))
}

func satAdd(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return 1<<64 - 1
}

func satMul(a, b uint64) uint64 {
	if a != 0 && b > (1<<64-1)/a {
		return 1<<64 - 1
	}
	return a * b
}

// Cost is one row of the price list. The fields are those of
// syscalls/solcrypto.Cost, so tools print every family alike.
type Cost struct {
	Syscall string // syscall name
	Op      string // operation within the syscall ("" when it has one)
	Base    uint64 // constant part of the price, in CU
	PerUnit uint64 // CU per Unit (0 for a flat price)
	Unit    string // what PerUnit counts
	Formula string // the whole price
}

// Costs returns the price list of every syscall in this package, in a
// stable order: for tx_commit and tx_abort, one row per term.
func Costs() []Cost {
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	formula := func(base, per uint64) string {
		return u(base) + " + ⌈w/" + u(WritesPerCU) + "⌉ + ⌈b/" + u(per) + "⌉"
	}
	commit, abort := formula(CostCommitBase, CommitBytesPerCU), formula(CostAbortBase, AbortBytesPerCU)
	w := u(WritesPerCU) + " writes to the heap or input since tx_begin, rounded up (w)"
	return []Cost{
		{NameBegin, "", CostBegin, 0, "", u(CostBegin)},
		{NameCommit, "", CostCommitBase, 1, w, commit},
		{NameCommit, "bytes", 0, 1, u(CommitBytesPerCU) + " distinct bytes saved, rounded up (b)", commit},
		{NameAbort, "", CostAbortBase, 1, w, abort},
		{NameAbort, "bytes", 0, 1, u(AbortBytesPerCU) + " distinct bytes saved and restored, rounded up (b)", abort},
		{NameTest, "", CostTest, 0, "", u(CostTest)},
	}
}
