// Package alt is the Address Lookup Table program's interface: its
// account layout (LookupTableMeta followed by the addresses), its
// instructions' encoding, the derivation of a table's address, and the
// rules that say which of a table's addresses a transaction may load at
// a slot. Byte for byte it is Agave's solana-address-lookup-table
// interface.
//
// The package is pure: the program itself runs in package svm, which
// also resolves v0 transactions' lookups with Table.Lookup. It never
// loads accounts.
package alt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/sysvar"
	"github.com/agora-vm/agora/solana/txn"
)

// Layout constants.
const (
	// MetaSize is the size of the serialized LookupTableMeta (with its
	// enum tag); the addresses start there (LOOKUP_TABLE_META_SIZE).
	MetaSize = 56
	// MaxAddresses is the most addresses one table holds.
	MaxAddresses = 256
	// ComputeUnits is what every instruction of the program costs.
	ComputeUnits = 750
)

// ID returns the program's address.
func ID() pubkey.Pubkey { return pubkey.AddressLookupTableProgram() }

// Errors of Decode, as Agave's InstructionErrors.
var (
	// ErrInvalidData: not a lookup table (InvalidAccountData).
	ErrInvalidData = errors.New("alt: account data is not a lookup table")
	// ErrUninitialized: a table account whose state is Uninitialized
	// (UninitializedAccount).
	ErrUninitialized = errors.New("alt: lookup table is uninitialized")
	// ErrIndex: an index past the table's active addresses.
	ErrIndex = errors.New("alt: lookup index out of range")
	// ErrInactive: the table is deactivated (a transaction sees it as
	// missing).
	ErrInactive = errors.New("alt: lookup table is deactivated")
)

// Meta is LookupTableMeta.
type Meta struct {
	// DeactivationSlot is math.MaxUint64 while the table is active.
	DeactivationSlot uint64
	// LastExtendedSlot and LastExtendedSlotStartIndex say which
	// addresses were added in the last slot that extended the table:
	// those from the index on are not usable in that slot.
	LastExtendedSlot           uint64
	LastExtendedSlotStartIndex uint8
	// Authority is nil for a frozen table.
	Authority *pubkey.Pubkey
}

// NewMeta is the meta of a table just created by authority.
func NewMeta(authority pubkey.Pubkey) Meta {
	return Meta{DeactivationSlot: math.MaxUint64, Authority: &authority}
}

// Table is a decoded lookup table account.
type Table struct {
	Meta      Meta
	Addresses []pubkey.Pubkey
}

// Decode parses a table account's data as AddressLookupTable::deserialize
// does: a bincode ProgramState (ErrUninitialized for its Uninitialized
// variant), then a whole number of addresses from MetaSize on.
func Decode(data []byte) (*Table, error) {
	if len(data) < 4 {
		return nil, ErrInvalidData
	}
	switch binary.LittleEndian.Uint32(data) {
	case 0:
		return nil, ErrUninitialized
	case 1:
	default:
		return nil, ErrInvalidData
	}
	if len(data) < 4+8+8+1+1 {
		return nil, ErrInvalidData
	}
	le := binary.LittleEndian
	t := &Table{Meta: Meta{DeactivationSlot: le.Uint64(data[4:]), LastExtendedSlot: le.Uint64(data[12:]), LastExtendedSlotStartIndex: data[20]}}
	off := 22
	switch data[21] {
	case 0:
	case 1:
		if len(data) < 22+32 {
			return nil, ErrInvalidData
		}
		var k pubkey.Pubkey
		copy(k[:], data[22:])
		t.Meta.Authority = &k
		off += 32
	default:
		return nil, ErrInvalidData
	}
	if len(data) < off+2 || len(data) < MetaSize || (len(data)-MetaSize)%pubkey.Size != 0 {
		return nil, ErrInvalidData
	}
	t.Addresses = make([]pubkey.Pubkey, (len(data)-MetaSize)/pubkey.Size)
	for i := range t.Addresses {
		copy(t.Addresses[i][:], data[MetaSize+i*pubkey.Size:])
	}
	return t, nil
}

// PutMeta writes m over the first MetaSize bytes of data (which must be
// at least that long), as overwrite_meta_data does: zeroed, then the
// bincode ProgramState::LookupTable(m).
func PutMeta(data []byte, m Meta) {
	clear(data[:MetaSize])
	le := binary.LittleEndian
	le.PutUint32(data, 1)
	le.PutUint64(data[4:], m.DeactivationSlot)
	le.PutUint64(data[12:], m.LastExtendedSlot)
	data[20] = m.LastExtendedSlotStartIndex
	if m.Authority != nil {
		data[21] = 1
		copy(data[22:], m.Authority[:])
	}
}

// Encode returns the account data of t.
func (t *Table) Encode() []byte {
	b := make([]byte, MetaSize+len(t.Addresses)*pubkey.Size)
	PutMeta(b, t.Meta)
	for i, a := range t.Addresses {
		copy(b[MetaSize+i*pubkey.Size:], a[:])
	}
	return b
}

// Status is a table's life-cycle state at a slot.
type Status uint8

// Table statuses.
const (
	Activated Status = iota
	// Deactivating: deactivated, but still usable and not closable
	// until its deactivation slot leaves SlotHashes.
	Deactivating
	Deactivated
)

// Status returns m's status at slot given that slot's SlotHashes, and
// for Deactivating the blocks left until it is Deactivated.
func (m *Meta) Status(slot uint64, hashes sysvar.SlotHashes) (Status, uint64) {
	switch {
	case m.DeactivationSlot == math.MaxUint64:
		return Activated, 0
	case m.DeactivationSlot == slot:
		return Deactivating, sysvar.MaxSlotHashes + 1
	}
	if p, ok := hashes.Position(m.DeactivationSlot); ok {
		return Deactivating, uint64(sysvar.MaxSlotHashes - p)
	}
	return Deactivated, 0
}

// ActiveLen is how many of t's addresses a transaction at slot may load:
// all but those added at slot itself. ErrInactive for a deactivated
// table.
func (t *Table) ActiveLen(slot uint64, hashes sysvar.SlotHashes) (int, error) {
	if s, _ := t.Meta.Status(slot, hashes); s == Deactivated {
		return 0, ErrInactive
	}
	if slot > t.Meta.LastExtendedSlot {
		return len(t.Addresses), nil
	}
	return int(t.Meta.LastExtendedSlotStartIndex), nil
}

// Lookup returns the addresses at indexes among t's active ones at slot:
// ErrInactive or ErrIndex as AddressLookupTable::lookup fails.
func (t *Table) Lookup(slot uint64, indexes []uint8, hashes sysvar.SlotHashes) ([]pubkey.Pubkey, error) {
	n, err := t.ActiveLen(slot, hashes)
	if err != nil {
		return nil, err
	}
	out := make([]pubkey.Pubkey, len(indexes))
	for i, x := range indexes {
		if int(x) >= n || int(x) >= len(t.Addresses) {
			return nil, fmt.Errorf("%w: %d of %d active addresses", ErrIndex, x, n)
		}
		out[i] = t.Addresses[x]
	}
	return out, nil
}

// Instruction tags (ProgramInstruction's bincode variant index).
const (
	TagCreate uint32 = iota
	TagFreeze
	TagExtend
	TagDeactivate
	TagClose
)

// Instruction is a decoded instruction of the program.
type Instruction struct {
	Tag uint32
	// Create only.
	RecentSlot uint64
	BumpSeed   uint8
	// Extend only.
	NewAddresses []pubkey.Pubkey
}

// ErrInstruction is instruction data the program cannot read.
var ErrInstruction = errors.New("alt: invalid instruction data")

// DecodeInstruction reads instruction data as the program's
// limited_deserialize does (bincode, trailing bytes allowed).
func DecodeInstruction(d []byte) (Instruction, error) {
	if len(d) < 4 {
		return Instruction{}, ErrInstruction
	}
	ix := Instruction{Tag: binary.LittleEndian.Uint32(d)}
	d = d[4:]
	switch ix.Tag {
	case TagCreate:
		if len(d) < 9 {
			return ix, ErrInstruction
		}
		ix.RecentSlot, ix.BumpSeed = binary.LittleEndian.Uint64(d), d[8]
	case TagFreeze, TagDeactivate, TagClose:
	case TagExtend:
		if len(d) < 8 {
			return ix, ErrInstruction
		}
		n := binary.LittleEndian.Uint64(d)
		d = d[8:]
		if n > uint64(len(d))/pubkey.Size {
			return ix, ErrInstruction
		}
		ix.NewAddresses = make([]pubkey.Pubkey, n)
		for i := range ix.NewAddresses {
			copy(ix.NewAddresses[i][:], d[i*pubkey.Size:])
		}
	default:
		return ix, ErrInstruction
	}
	return ix, nil
}

// Encode returns the instruction data.
func (ix *Instruction) Encode() []byte {
	b := binary.LittleEndian.AppendUint32(nil, ix.Tag)
	switch ix.Tag {
	case TagCreate:
		b = binary.LittleEndian.AppendUint64(b, ix.RecentSlot)
		b = append(b, ix.BumpSeed)
	case TagExtend:
		b = binary.LittleEndian.AppendUint64(b, uint64(len(ix.NewAddresses)))
		for _, a := range ix.NewAddresses {
			b = append(b, a[:]...)
		}
	}
	return b
}

// DeriveAddress returns the table address authority creates with
// recentSlot, and its bump seed.
func DeriveAddress(authority pubkey.Pubkey, recentSlot uint64) (pubkey.Pubkey, uint8) {
	a, bump, _ := pubkey.FindProgramAddress([][]byte{authority[:], binary.LittleEndian.AppendUint64(nil, recentSlot)}, ID())
	return a, bump
}

func meta(k pubkey.Pubkey, signer, writable bool) txn.AccountMeta {
	return txn.AccountMeta{Pubkey: k, IsSigner: signer, IsWritable: writable}
}

// Create builds CreateLookupTable for the table authority derives from
// recentSlot (which must be in SlotHashes when it executes), funded by
// payer; it returns the table's address as well. The authority signs, as
// web3.js and create_lookup_table_signed have it.
func Create(authority, payer pubkey.Pubkey, recentSlot uint64) (txn.Instruction, pubkey.Pubkey) {
	table, bump := DeriveAddress(authority, recentSlot)
	ix := Instruction{Tag: TagCreate, RecentSlot: recentSlot, BumpSeed: bump}
	return txn.Instruction{ProgramID: ID(), Data: ix.Encode(), Accounts: []txn.AccountMeta{
		meta(table, false, true), meta(authority, true, false), meta(payer, true, true), meta(system.ID, false, false),
	}}, table
}

// Extend builds ExtendLookupTable, the payer funding the growth.
func Extend(table, authority, payer pubkey.Pubkey, addresses []pubkey.Pubkey) txn.Instruction {
	ix := Instruction{Tag: TagExtend, NewAddresses: addresses}
	return txn.Instruction{ProgramID: ID(), Data: ix.Encode(), Accounts: []txn.AccountMeta{
		meta(table, false, true), meta(authority, true, false), meta(payer, true, true), meta(system.ID, false, false),
	}}
}

// Freeze builds FreezeLookupTable.
func Freeze(table, authority pubkey.Pubkey) txn.Instruction {
	return simple(TagFreeze, table, authority)
}

// Deactivate builds DeactivateLookupTable.
func Deactivate(table, authority pubkey.Pubkey) txn.Instruction {
	return simple(TagDeactivate, table, authority)
}

// Close builds CloseLookupTable, its lamports going to recipient.
func Close(table, authority, recipient pubkey.Pubkey) txn.Instruction {
	ix := simple(TagClose, table, authority)
	ix.Accounts = append(ix.Accounts, meta(recipient, false, true))
	return ix
}

func simple(tag uint32, table, authority pubkey.Pubkey) txn.Instruction {
	ix := Instruction{Tag: tag}
	return txn.Instruction{ProgramID: ID(), Data: ix.Encode(), Accounts: []txn.AccountMeta{meta(table, false, true), meta(authority, true, false)}}
}
