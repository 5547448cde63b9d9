// Package computebudget is the Compute Budget program's instructions
// (borsh: a u8 tag and a little-endian value) and the limits a
// transaction's compute budget instructions set, derived as Agave's
// process_compute_budget_instructions derives them.
package computebudget

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

// ID is the Compute Budget program's address.
var ID = pubkey.ComputeBudgetProgram()

// Instruction tags.
const (
	TagRequestUnitsDeprecated         = 0
	TagRequestHeapFrame               = 1
	TagSetComputeUnitLimit            = 2
	TagSetComputeUnitPrice            = 3
	TagSetLoadedAccountsDataSizeLimit = 4
)

// Budget limits (Agave's compute-budget constants).
const (
	MaxComputeUnitLimit             = 1_400_000
	DefaultInstructionComputeUnits  = 200_000
	MaxBuiltinAllocationComputeUnit = 3_000
	MinHeapFrameBytes               = 32 * 1024
	MaxHeapFrameBytes               = 256 * 1024
	MaxLoadedAccountsDataSizeBytes  = 64 * 1024 * 1024
	// MicroLamportsPerLamport converts the compute-unit price.
	MicroLamportsPerLamport = 1_000_000
)

// SetComputeUnitLimit builds the instruction.
func SetComputeUnitLimit(units uint32) txn.Instruction {
	return txn.Instruction{ProgramID: ID, Data: binary.LittleEndian.AppendUint32([]byte{TagSetComputeUnitLimit}, units)}
}

// SetComputeUnitPrice builds the instruction (micro-lamports per CU).
func SetComputeUnitPrice(microLamports uint64) txn.Instruction {
	return txn.Instruction{ProgramID: ID, Data: binary.LittleEndian.AppendUint64([]byte{TagSetComputeUnitPrice}, microLamports)}
}

// RequestHeapFrame builds the instruction.
func RequestHeapFrame(bytes uint32) txn.Instruction {
	return txn.Instruction{ProgramID: ID, Data: binary.LittleEndian.AppendUint32([]byte{TagRequestHeapFrame}, bytes)}
}

// Limits is what a transaction's compute budget instructions set.
type Limits struct {
	ComputeUnitLimit uint64
	// ComputeUnitPrice is in micro-lamports per compute unit.
	ComputeUnitPrice      uint64
	HeapBytes             uint32
	LoadedAccountsDataMax uint32
}

// PrioritizationFee is Agave's get_prioritization_fee: the price times
// the limit in micro-lamports, rounded up to whole lamports, computed in
// 128 bits and saturating at the largest u64.
func (l Limits) PrioritizationFee() uint64 {
	return PrioritizationFee(l.ComputeUnitPrice, l.ComputeUnitLimit)
}

// PrioritizationFee is ceil(price · limit / 10^6) lamports, exact for
// every price and limit (saturating at the largest u64).
func PrioritizationFee(price, limit uint64) uint64 {
	hi, lo := bits.Mul64(price, limit)
	lo, c := bits.Add64(lo, MicroLamportsPerLamport-1, 0)
	hi += c // cannot wrap: hi < 2^64-1 whenever the product's high half carries
	if hi >= MicroLamportsPerLamport {
		return ^uint64(0) // the quotient needs more than 64 bits
	}
	q, _ := bits.Div64(hi, lo, MicroLamportsPerLamport)
	return q
}

// ComputeUnitPrice returns the price a message's SetComputeUnitPrice sets
// (0 without one), what getRecentPrioritizationFees reports for it. It
// fails as Process does for malformed compute budget instructions.
func ComputeUnitPrice(m *txn.Message) (uint64, error) {
	l, err := Process(m, nil)
	if err != nil {
		return 0, err
	}
	return l.ComputeUnitPrice, nil
}

// ErrorKind says why the compute budget instructions are rejected.
type ErrorKind uint8

// Error kinds: the TransactionError each becomes.
const (
	// InvalidInstructionData: InstructionError(Index, InvalidInstructionData).
	InvalidInstructionData ErrorKind = iota + 1
	// DuplicateInstruction: DuplicateInstruction(Index).
	DuplicateInstruction
	// InvalidLoadedAccountsDataSizeLimit: a zero limit.
	InvalidLoadedAccountsDataSizeLimit
)

// Error is a rejected compute budget instruction.
type Error struct {
	Kind  ErrorKind
	Index int // the instruction
}

func (e *Error) Error() string {
	switch e.Kind {
	case InvalidInstructionData:
		return fmt.Sprintf("computebudget: instruction %d: invalid instruction data", e.Index)
	case DuplicateInstruction:
		return fmt.Sprintf("computebudget: instruction %d duplicates an earlier one", e.Index)
	}
	return "computebudget: loaded accounts data size limit is zero"
}

// IsBuiltin reports whether a program id is a builtin that counts
// MaxBuiltinAllocationComputeUnit towards the default limit.
type IsBuiltin func(pubkey.Pubkey) bool

// Process reads the compute budget instructions of m and derives the
// limits: an explicit SetComputeUnitLimit (capped at 1.4M), else 200,000
// per instruction of a non-builtin program plus 3,000 per builtin one.
func Process(m *txn.Message, isBuiltin IsBuiltin) (Limits, error) {
	var (
		limit, price, heap, loaded  uint64
		hasLimit, hasPrice, hasHeap bool
		hasLoaded                   bool
		builtins, nonBuiltins, ixs  uint64
	)
	for i, ci := range m.Instructions {
		ixs++
		prog := m.AccountKeys[ci.ProgramIDIndex]
		if prog != ID {
			if isBuiltin != nil && isBuiltin(prog) {
				builtins++
			} else {
				nonBuiltins++
			}
			continue
		}
		builtins++
		d := ci.Data
		bad := &Error{Kind: InvalidInstructionData, Index: i}
		dup := &Error{Kind: DuplicateInstruction, Index: i}
		if len(d) == 0 {
			return Limits{}, bad
		}
		switch d[0] {
		case TagRequestHeapFrame:
			if len(d) < 5 {
				return Limits{}, bad
			}
			if hasHeap {
				return Limits{}, dup
			}
			hasHeap, heap = true, uint64(binary.LittleEndian.Uint32(d[1:]))
			if heap < MinHeapFrameBytes || heap > MaxHeapFrameBytes || heap%1024 != 0 {
				return Limits{}, bad
			}
		case TagSetComputeUnitLimit:
			if len(d) < 5 {
				return Limits{}, bad
			}
			if hasLimit {
				return Limits{}, dup
			}
			hasLimit, limit = true, uint64(binary.LittleEndian.Uint32(d[1:]))
		case TagSetComputeUnitPrice:
			if len(d) < 9 {
				return Limits{}, bad
			}
			if hasPrice {
				return Limits{}, dup
			}
			hasPrice, price = true, binary.LittleEndian.Uint64(d[1:])
		case TagSetLoadedAccountsDataSizeLimit:
			if len(d) < 5 {
				return Limits{}, bad
			}
			if hasLoaded {
				return Limits{}, dup
			}
			hasLoaded, loaded = true, uint64(binary.LittleEndian.Uint32(d[1:]))
		default:
			return Limits{}, bad
		}
	}
	_ = ixs
	if !hasLimit {
		limit = nonBuiltins*DefaultInstructionComputeUnits + builtins*MaxBuiltinAllocationComputeUnit
	}
	l := Limits{ComputeUnitLimit: min(limit, MaxComputeUnitLimit), ComputeUnitPrice: price, HeapBytes: MinHeapFrameBytes, LoadedAccountsDataMax: MaxLoadedAccountsDataSizeBytes}
	if hasHeap {
		l.HeapBytes = uint32(heap)
	}
	if hasLoaded {
		if loaded == 0 {
			return Limits{}, &Error{Kind: InvalidLoadedAccountsDataSizeLimit}
		}
		l.LoadedAccountsDataMax = uint32(min(loaded, MaxLoadedAccountsDataSizeBytes))
	}
	return l, nil
}
