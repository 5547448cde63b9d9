package abi

import (
	"encoding/binary"
	"math"
	"strconv"

	"github.com/mr-tron/base58"
)

// Limits and markers of the aligned input ABI, as Solana defines them.
const (
	// MaxPermittedDataIncrease is the realloc space after each account's
	// data: a program may grow an account by at most this many bytes per
	// instruction (MAX_PERMITTED_DATA_INCREASE).
	MaxPermittedDataIncrease = 10 * 1024
	// MaxPermittedDataLength is the largest account data
	// (MAX_PERMITTED_DATA_LENGTH).
	MaxPermittedDataLength = 10 * 1024 * 1024
	// MaxAccountsPerInstruction is the most accounts one instruction may
	// list, duplicates included (MAX_ACCOUNTS_PER_INSTRUCTION): a
	// duplicate marker is one byte and 0xff is NonDupMarker.
	MaxAccountsPerInstruction = 255
	// NonDupMarker is the first byte of an account entry that is not a
	// duplicate (NON_DUP_MARKER).
	NonDupMarker = 0xff
	// DataAlign is the alignment the data region of each account is
	// padded to (BPF_ALIGN_OF_U128).
	DataAlign = 8
	// SerializedRentEpoch is the rent epoch Agave writes for every
	// account, whatever Account.RentEpoch holds (rent collection is gone;
	// u64::MAX is RENT_EXEMPT_RENT_EPOCH).
	SerializedRentEpoch = math.MaxUint64
)

// Sizes of the fixed parts of the layout.
const (
	accountHeaderSize = 1 + 1 + 1 + 1 + 4 // dup marker, signer, writable, executable, padding
	dupEntrySize      = 8                 // dup marker (the position) and 7 bytes of padding
	keySize           = 32
)

// Account is the state of an account: what the instruction sees and what
// the write-back produces.
type Account struct {
	Key        [32]byte
	Owner      [32]byte
	Lamports   uint64
	Data       []byte
	Executable bool
	// RentEpoch is carried through unchanged. It is not what the program
	// sees: the input holds SerializedRentEpoch, as in Agave.
	RentEpoch uint64
}

// AccountMeta is one entry of an instruction's account list.
type AccountMeta struct {
	// Index is the account's index in the accounts slice given to
	// Serialize. The same index listed twice is a duplicate: the input
	// holds the account once and a duplicate marker for later entries.
	Index int
	// Signer and Writable are the privileges the instruction grants. As
	// in a compiled transaction message, an account's privileges are the
	// union over all its entries.
	Signer   bool
	Writable bool
}

// Instruction is what Serialize lays out besides the accounts.
type Instruction struct {
	// ProgramID is the program being invoked: it owns the accounts it may
	// modify.
	ProgramID [32]byte
	// Accounts lists the instruction's accounts in order.
	Accounts []AccountMeta
	// Data is the instruction data.
	Data []byte
}

// AccountLayout says where one entry of the instruction's account list
// lies in the input. Offsets are from the start of the input; the guest
// address of offset o is sbpf.InputStart + o.
type AccountLayout struct {
	// Index is the account's index in the accounts slice.
	Index int
	// Offset is where the entry starts (its dup marker byte).
	Offset int
	// Duplicate says the entry is a duplicate marker naming the earlier
	// entry DupOf; the field offsets below are then that entry's.
	Duplicate bool
	DupOf     int

	// Signer, Writable and Executable are the flags serialized.
	Signer, Writable, Executable bool

	KeyOffset       int
	OwnerOffset     int
	LamportsOffset  int
	DataLenOffset   int
	DataOffset      int
	RentEpochOffset int
	// DataLen is the data length at serialization; the data region holds
	// DataLen + MaxPermittedDataIncrease bytes plus alignment padding.
	DataLen int
}

// Layout describes a serialized input and remembers the accounts as they
// were, which Deserialize needs to apply the write-back rules. It is
// immutable: Deserialize can be called with it any number of times.
type Layout struct {
	programID  [32]byte
	pre        []Account // deep copies of every account given to Serialize
	entries    []AccountLayout
	signer     []bool // per account: the union of its entries' privileges
	writable   []bool
	insnData   int
	insnLen    int
	programOff int
	size       int
}

// NumEntries returns the number of entries in the instruction's account
// list (Instruction.Accounts), duplicates included.
func (l *Layout) NumEntries() int { return len(l.entries) }

// Entry returns the layout of entry i (0 <= i < NumEntries()) of the
// instruction's account list.
func (l *Layout) Entry(i int) AccountLayout { return l.entries[i] }

// InstructionDataOffset returns where the instruction data starts (its
// length is the u64 just before).
func (l *Layout) InstructionDataOffset() int { return l.insnData }

// ProgramIDOffset returns where the program id starts.
func (l *Layout) ProgramIDOffset() int { return l.programOff }

// Size returns the length of the serialized input.
func (l *Layout) Size() int { return l.size }

// ProgramID returns the program id the input was serialized for.
func (l *Layout) ProgramID() [32]byte { return l.programID }

// Accounts returns copies of all the accounts given to Serialize, as they
// were.
func (l *Layout) Accounts() []Account { return cloneAccounts(l.pre) }

// alignPad is the padding that brings n to a multiple of DataAlign
// (Rust's (n as *const u8).align_offset(BPF_ALIGN_OF_U128)).
func alignPad(n int) int { return (DataAlign - n%DataAlign) % DataAlign }

// Serialize lays out the instruction for the program: the entry count,
// each entry, the instruction data and the program id, in Agave's aligned
// format (serialize_parameters_aligned, for programs of BPF loader v2 and
// v3). For an account that is not a duplicate the entry is
//
//	u8 NonDupMarker, u8 is_signer, u8 is_writable, u8 executable,
//	4 bytes of padding, key [32], owner [32], u64 lamports, u64 data_len,
//	data, MaxPermittedDataIncrease zero bytes, zero padding to DataAlign,
//	u64 rent_epoch
//
// and for a later entry naming the same account it is the position of
// the first entry as a u8 and 7 bytes of padding. Integers are little
// endian. The input is to be mapped writable at sbpf.InputStart.
//
// The accounts are not modified and the input does not alias them; the
// Layout keeps copies for Deserialize.
func Serialize(accounts []Account, ix *Instruction) (input []byte, layout *Layout, err error) {
	return SerializeTo(nil, accounts, ix)
}

// SerializeTo is Serialize writing into buf's storage when its capacity
// is enough (and into a new slice otherwise), so that a runtime can
// reuse one input buffer across instructions. Every byte of the input is
// written, the padding and the realloc space with zeros, whatever buf
// held.
func SerializeTo(buf []byte, accounts []Account, ix *Instruction) (input []byte, layout *Layout, err error) {
	if ix == nil {
		return nil, nil, errf(InvalidArgument, "no instruction")
	}
	if len(ix.Accounts) > MaxAccountsPerInstruction {
		return nil, nil, errf(MaxAccountsExceeded, "%d accounts, at most %d", len(ix.Accounts), MaxAccountsPerInstruction)
	}
	l := &Layout{
		programID: ix.ProgramID,
		signer:    make([]bool, len(accounts)),
		writable:  make([]bool, len(accounts)),
		entries:   make([]AccountLayout, len(ix.Accounts)),
	}
	// first[i] is 1 + the position of account i's first entry, 0 for none.
	var small [16]int
	first := small[:0]
	if len(accounts) <= len(small) {
		first = small[:len(accounts)]
	} else {
		first = make([]int, len(accounts))
	}
	size := 8
	for pos, m := range ix.Accounts {
		if m.Index < 0 || m.Index >= len(accounts) {
			return nil, nil, &Error{Kind: MissingAccount, Account: pos, Detail: "account index " + strconv.Itoa(m.Index) + " outside the " + strconv.Itoa(len(accounts)) + " accounts"}
		}
		l.signer[m.Index] = l.signer[m.Index] || m.Signer
		l.writable[m.Index] = l.writable[m.Index] || m.Writable
		if first[m.Index] != 0 {
			size += dupEntrySize
			continue
		}
		first[m.Index] = pos + 1
		n := len(accounts[m.Index].Data)
		if n > MaxPermittedDataLength {
			return nil, nil, accountErr(InvalidArgument, pos, accounts[m.Index].Key, "data of %d bytes exceeds %d", n, MaxPermittedDataLength)
		}
		size += accountHeaderSize + 2*keySize + 8 + 8 + n + MaxPermittedDataIncrease + alignPad(n) + 8
	}
	size += 8 + len(ix.Data) + keySize

	if cap(buf) >= size {
		buf = buf[:size]
		clear(buf)
	} else {
		buf = make([]byte, size)
	}
	le := binary.LittleEndian
	off := 0
	le.PutUint64(buf[off:], uint64(len(ix.Accounts)))
	off += 8
	for pos, m := range ix.Accounts {
		e := AccountLayout{Index: m.Index, Offset: off}
		if fp := first[m.Index] - 1; fp != pos {
			d := l.entries[fp]
			d.Offset, d.Duplicate, d.DupOf = off, true, fp
			l.entries[pos] = d
			buf[off] = byte(fp)
			off += dupEntrySize
			continue
		}
		a := &accounts[m.Index]
		e.Signer, e.Writable, e.Executable = l.signer[m.Index], l.writable[m.Index], a.Executable
		buf[off] = NonDupMarker
		buf[off+1] = b2u(e.Signer)
		buf[off+2] = b2u(e.Writable)
		buf[off+3] = b2u(e.Executable)
		off += accountHeaderSize
		e.KeyOffset = off
		off += copy(buf[off:], a.Key[:])
		e.OwnerOffset = off
		off += copy(buf[off:], a.Owner[:])
		e.LamportsOffset = off
		le.PutUint64(buf[off:], a.Lamports)
		off += 8
		e.DataLenOffset = off
		le.PutUint64(buf[off:], uint64(len(a.Data)))
		off += 8
		e.DataOffset = off
		e.DataLen = len(a.Data)
		off += copy(buf[off:], a.Data)
		off += MaxPermittedDataIncrease + alignPad(len(a.Data))
		e.RentEpochOffset = off
		le.PutUint64(buf[off:], SerializedRentEpoch)
		off += 8
		l.entries[pos] = e
	}
	le.PutUint64(buf[off:], uint64(len(ix.Data)))
	off += 8
	l.insnData, l.insnLen = off, len(ix.Data)
	off += copy(buf[off:], ix.Data)
	l.programOff = off
	off += copy(buf[off:], ix.ProgramID[:])
	l.size = off
	l.pre = cloneAccounts(accounts)
	return buf, l, nil
}

func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func cloneAccounts(as []Account) []Account {
	out := make([]Account, len(as))
	for i, a := range as {
		out[i] = a
		out[i].Data = append([]byte(nil), a.Data...)
	}
	return out
}

// EncodeKey returns the base58 text of a key, as Solana prints it.
func EncodeKey(k [32]byte) string { return base58.Encode(k[:]) }
