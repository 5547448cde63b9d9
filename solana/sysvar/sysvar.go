// Package sysvar holds Solana's sysvars that programs read: Clock, Rent,
// EpochSchedule, LastRestartSlot and SlotHashes, in the bincode layout of their
// accounts and in the in-memory layout the sol_get_*_sysvar syscalls
// write, byte for byte as Agave produces them.
//
// Rent arithmetic is done in integers: the exemption threshold is 2.0 on
// every Solana cluster and here, so (128 + len) · 3480 · 2 is exact and
// no floating point enters a consensus path.
package sysvar

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/agora-vm/agora/solana/pubkey"
)

// ErrLayout is returned when account data is too short for a sysvar.
var ErrLayout = errors.New("sysvar: account data does not hold the sysvar")

// Clock is the Clock sysvar (40 bytes in both layouts).
type Clock struct {
	Slot                uint64
	EpochStartTimestamp int64
	Epoch               uint64
	LeaderScheduleEpoch uint64
	UnixTimestamp       int64
}

// ClockSize is the size of Clock.
const ClockSize = 40

// Encode returns the account data (and the in-memory layout: they are
// the same for Clock).
func (c *Clock) Encode() []byte {
	b := make([]byte, ClockSize)
	le := binary.LittleEndian
	le.PutUint64(b[0:], c.Slot)
	le.PutUint64(b[8:], uint64(c.EpochStartTimestamp))
	le.PutUint64(b[16:], c.Epoch)
	le.PutUint64(b[24:], c.LeaderScheduleEpoch)
	le.PutUint64(b[32:], uint64(c.UnixTimestamp))
	return b
}

// DecodeClock parses Clock account data.
func DecodeClock(b []byte) (Clock, error) {
	if len(b) < ClockSize {
		return Clock{}, ErrLayout
	}
	le := binary.LittleEndian
	return Clock{le.Uint64(b), int64(le.Uint64(b[8:])), le.Uint64(b[16:]), le.Uint64(b[24:]), int64(le.Uint64(b[32:]))}, nil
}

// Rent is the Rent sysvar.
type Rent struct {
	LamportsPerByteYear uint64
	// ExemptionThreshold is kept as the f64 bits the account holds; it
	// is 2.0 (0x4000000000000000) by default.
	ExemptionThresholdBits uint64
	BurnPercent            uint8
}

// Sizes of Rent: bincode (the account) and repr(C) (the syscall).
const (
	RentSize       = 17
	RentMemorySize = 24
)

// DefaultRent is Solana's: 3480 lamports per byte-year, exempt at two
// years, half of collected rent burnt.
func DefaultRent() Rent {
	return Rent{LamportsPerByteYear: 3480, ExemptionThresholdBits: math.Float64bits(2.0), BurnPercent: 50}
}

// AccountStorageOverhead is the bytes every account is charged for
// besides its data (ACCOUNT_STORAGE_OVERHEAD).
const AccountStorageOverhead = 128

// MinimumBalance returns the lamports that make an account of dataLen
// bytes rent exempt: (128 + dataLen) · lamports_per_byte_year ·
// threshold, with the threshold an integer number of years (saturating).
func (r *Rent) MinimumBalance(dataLen uint64) uint64 {
	years := uint64(math.Float64frombits(r.ExemptionThresholdBits)) // 2 on every cluster
	hi, lo := mul64(AccountStorageOverhead+dataLen, r.LamportsPerByteYear)
	if hi != 0 {
		return math.MaxUint64
	}
	hi, lo = mul64(lo, years)
	if hi != 0 {
		return math.MaxUint64
	}
	return lo
}

// IsExempt reports whether lamports make an account of dataLen bytes rent
// exempt.
func (r *Rent) IsExempt(lamports, dataLen uint64) bool {
	return lamports >= r.MinimumBalance(dataLen)
}

func mul64(a, b uint64) (hi, lo uint64) {
	if a == 0 || b == 0 {
		return 0, 0
	}
	lo = a * b
	if lo/b != a {
		return 1, lo
	}
	return 0, lo
}

// Encode returns the account data (bincode: u64, f64, u8).
func (r *Rent) Encode() []byte {
	b := make([]byte, RentSize)
	binary.LittleEndian.PutUint64(b, r.LamportsPerByteYear)
	binary.LittleEndian.PutUint64(b[8:], r.ExemptionThresholdBits)
	b[16] = r.BurnPercent
	return b
}

// EncodeMemory returns the repr(C) layout sol_get_rent_sysvar writes:
// the account layout padded with zeros to 24 bytes.
func (r *Rent) EncodeMemory() []byte {
	return append(r.Encode(), make([]byte, RentMemorySize-RentSize)...)
}

// DecodeRent parses Rent account data.
func DecodeRent(b []byte) (Rent, error) {
	if len(b) < RentSize {
		return Rent{}, ErrLayout
	}
	return Rent{binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:]), b[16]}, nil
}

// EpochSchedule is the EpochSchedule sysvar.
type EpochSchedule struct {
	SlotsPerEpoch            uint64
	LeaderScheduleSlotOffset uint64
	Warmup                   bool
	FirstNormalEpoch         uint64
	FirstNormalSlot          uint64
}

// Sizes of EpochSchedule: bincode and repr(C).
const (
	EpochScheduleSize       = 33
	EpochScheduleMemorySize = 40
)

// DefaultEpochSchedule is mainnet's: 432,000 slots per epoch, no warmup.
func DefaultEpochSchedule() EpochSchedule {
	return EpochSchedule{SlotsPerEpoch: 432_000, LeaderScheduleSlotOffset: 432_000}
}

// Epoch returns the epoch of slot (without warmup).
func (e *EpochSchedule) Epoch(slot uint64) uint64 {
	if e.SlotsPerEpoch == 0 {
		return 0
	}
	if e.Warmup && slot < e.FirstNormalSlot {
		return 0 // a local chain never uses warmup epochs
	}
	return e.FirstNormalEpoch + (slot-e.FirstNormalSlot)/e.SlotsPerEpoch
}

// Encode returns the account data.
func (e *EpochSchedule) Encode() []byte {
	b := make([]byte, EpochScheduleSize)
	le := binary.LittleEndian
	le.PutUint64(b, e.SlotsPerEpoch)
	le.PutUint64(b[8:], e.LeaderScheduleSlotOffset)
	if e.Warmup {
		b[16] = 1
	}
	le.PutUint64(b[17:], e.FirstNormalEpoch)
	le.PutUint64(b[25:], e.FirstNormalSlot)
	return b
}

// EncodeMemory returns the repr(C) layout: the bool padded to 8 bytes.
func (e *EpochSchedule) EncodeMemory() []byte {
	b := make([]byte, EpochScheduleMemorySize)
	le := binary.LittleEndian
	le.PutUint64(b, e.SlotsPerEpoch)
	le.PutUint64(b[8:], e.LeaderScheduleSlotOffset)
	if e.Warmup {
		b[16] = 1
	}
	le.PutUint64(b[24:], e.FirstNormalEpoch)
	le.PutUint64(b[32:], e.FirstNormalSlot)
	return b
}

// DecodeEpochSchedule parses EpochSchedule account data.
func DecodeEpochSchedule(b []byte) (EpochSchedule, error) {
	if len(b) < EpochScheduleSize || b[16] > 1 {
		return EpochSchedule{}, ErrLayout
	}
	le := binary.LittleEndian
	return EpochSchedule{le.Uint64(b), le.Uint64(b[8:]), b[16] == 1, le.Uint64(b[17:]), le.Uint64(b[25:])}, nil
}

// LastRestartSlot is the LastRestartSlot sysvar (8 bytes).
type LastRestartSlot struct{ Slot uint64 }

// Encode returns the account data.
func (l *LastRestartSlot) Encode() []byte { return binary.LittleEndian.AppendUint64(nil, l.Slot) }

// Set is the sysvars of one block.
type Set struct {
	Clock           Clock
	Rent            Rent
	EpochSchedule   EpochSchedule
	LastRestartSlot LastRestartSlot
	// SlotHashes are the recent slots before this one (the Address
	// Lookup Table program's clock).
	SlotHashes SlotHashes
}

// Accounts returns the address and account data of each sysvar in s, in
// a fixed order.
func (s *Set) Accounts() []struct {
	Key  pubkey.Pubkey
	Data []byte
} {
	return []struct {
		Key  pubkey.Pubkey
		Data []byte
	}{
		{pubkey.SysvarClock(), s.Clock.Encode()},
		{pubkey.SysvarRent(), s.Rent.Encode()},
		{pubkey.SysvarEpochSchedule(), s.EpochSchedule.Encode()},
		{pubkey.SysvarLastRestartSlot(), s.LastRestartSlot.Encode()},
		{pubkey.SysvarSlotHashes(), s.SlotHashes.Encode()},
	}
}

// Data returns the account data of the sysvar at key, or ok=false.
func (s *Set) Data(key pubkey.Pubkey) ([]byte, bool) {
	switch key {
	case pubkey.SysvarClock():
		return s.Clock.Encode(), true
	case pubkey.SysvarRent():
		return s.Rent.Encode(), true
	case pubkey.SysvarEpochSchedule():
		return s.EpochSchedule.Encode(), true
	case pubkey.SysvarLastRestartSlot():
		return s.LastRestartSlot.Encode(), true
	case pubkey.SysvarSlotHashes():
		return s.SlotHashes.Encode(), true
	}
	return nil, false
}
