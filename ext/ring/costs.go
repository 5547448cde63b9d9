package ring

import "strconv"

// Prices in compute units, by the price rule of docs/costs.md: base +
// per_unit·n from the measured time of the Go implementation at 33 ns per
// CU; n is the message's length in bytes. The per-byte part is rounded up
// per started block of bytes, so any message pays at least one CU of it:
// that CU also covers the few nanoseconds by which a push or a read
// exceeds the one-CU base (so that a small message is not charged three
// times its time). See the package documentation for the measurement, and
// BenchmarkCalibration, which repeats it.
const (
	// NsPerCU is Agave's rate, which the prices are derived from.
	NsPerCU = 33

	CostCreate = 1 // agora_ring_create
	CostSize   = 1 // agora_ring_size

	// agora_ring_push: CostPushBase + ⌈n / PushBytesPerCU⌉, charged
	// before anything is read.
	CostPushBase   = 1
	PushBytesPerCU = 1024

	// agora_ring_pop and agora_ring_peek: CostReadBase first (all that
	// reading an empty ring costs), then CostReadMessage + ⌈n /
	// ReadBytesPerCU⌉ (at least 1) once the message's length is known.
	CostReadBase    = 1
	CostReadMessage = 0
	ReadBytesPerCU  = 512
)

// PushCost is the price of pushing an n-byte message.
func PushCost(n uint64) uint64 { return satAdd(CostPushBase, max(ceilDiv(n, PushBytesPerCU), 1)) }

// ReadCost is the price of popping or peeking an n-byte message (an
// empty ring costs CostReadBase).
func ReadCost(n uint64) uint64 { return CostReadBase + readMessageCost(n) }

func readMessageCost(n uint64) uint64 {
	return CostReadMessage + max(ceilDiv(n, ReadBytesPerCU), 1)
}

func ceilDiv(n, d uint64) uint64 { return n/d + min(n%d, 1) }

func satAdd(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return 1<<64 - 1
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
// stable order.
func Costs() []Cost {
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	perMsg := func(per uint64) string { return u(per) + " message bytes, rounded up" }
	read := u(CostReadBase+CostReadMessage) + " + max(⌈n/" + u(ReadBytesPerCU) + "⌉, 1), n = the message's length; " + u(CostReadBase) + " when the consumer has nothing pending"
	return []Cost{
		{NameCreate, "", CostCreate, 0, "", u(CostCreate)},
		{NamePush, "", CostPushBase, 1, perMsg(PushBytesPerCU), u(CostPushBase) + " + max(⌈n/" + u(PushBytesPerCU) + "⌉, 1), n = msg_len (charged first)"},
		{NamePop, "", CostReadBase + CostReadMessage, 1, perMsg(ReadBytesPerCU), read},
		{NamePeek, "", CostReadBase + CostReadMessage, 1, perMsg(ReadBytesPerCU), read},
		{NameSize, "", CostSize, 0, "", u(CostSize)},
	}
}
