// Package system is the System program's instruction set: the bincode
// layouts of SystemInstruction as solana-system-interface defines them,
// builders for transactions, and the SystemError codes. The processor
// that executes them lives in package runtime.
package system

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

// ID is the System program's address.
var ID = pubkey.SystemProgram()

// Tag is the variant index of a SystemInstruction (a bincode u32).
type Tag uint32

// SystemInstruction variants.
const (
	TagCreateAccount Tag = iota
	TagAssign
	TagTransfer
	TagCreateAccountWithSeed
	TagAdvanceNonceAccount
	TagWithdrawNonceAccount
	TagInitializeNonceAccount
	TagAuthorizeNonceAccount
	TagAllocate
	TagAllocateWithSeed
	TagAssignWithSeed
	TagTransferWithSeed
	TagUpgradeNonceAccount
)

var tagNames = []string{"CreateAccount", "Assign", "Transfer", "CreateAccountWithSeed", "AdvanceNonceAccount",
	"WithdrawNonceAccount", "InitializeNonceAccount", "AuthorizeNonceAccount", "Allocate", "AllocateWithSeed",
	"AssignWithSeed", "TransferWithSeed", "UpgradeNonceAccount"}

func (t Tag) String() string {
	if int(t) < len(tagNames) {
		return tagNames[t]
	}
	return fmt.Sprintf("Tag(%d)", uint32(t))
}

// Instruction is a decoded SystemInstruction; which fields are meaningful
// depends on Tag.
type Instruction struct {
	Tag      Tag
	Lamports uint64
	Space    uint64
	Owner    pubkey.Pubkey
	Base     pubkey.Pubkey
	Seed     string // CreateAccountWithSeed, AllocateWithSeed, AssignWithSeed; from_seed of TransferWithSeed
	// FromOwner is TransferWithSeed's from_owner.
	FromOwner pubkey.Pubkey
}

// ErrInvalid is returned by Decode for data that is not a
// SystemInstruction this package executes.
var ErrInvalid = errors.New("system: invalid instruction data")

// maxDecodedLen is limited_deserialize's limit (PACKET_DATA_SIZE).
const maxDecodedLen = txn.PacketDataSize

type dec struct {
	b   []byte
	err bool
}

func (d *dec) u32() uint32 {
	if len(d.b) < 4 {
		d.err = true
		return 0
	}
	v := binary.LittleEndian.Uint32(d.b)
	d.b = d.b[4:]
	return v
}

func (d *dec) u64() uint64 {
	if len(d.b) < 8 {
		d.err = true
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *dec) key() (k pubkey.Pubkey) {
	if len(d.b) < 32 {
		d.err = true
		return k
	}
	copy(k[:], d.b)
	d.b = d.b[32:]
	return k
}

func (d *dec) str() string {
	n := d.u64()
	if d.err || n > uint64(len(d.b)) || n > maxDecodedLen {
		d.err = true
		return ""
	}
	s := d.b[:n]
	d.b = d.b[n:]
	if !utf8.Valid(s) {
		d.err = true
	}
	return string(s)
}

// Decode parses instruction data as Agave's limited_deserialize does
// (bincode, fixed-width integers, trailing bytes allowed). Nonce
// instructions decode (their tag) but carry no fields here.
func Decode(data []byte) (Instruction, error) {
	d := &dec{b: data}
	ix := Instruction{Tag: Tag(d.u32())}
	switch ix.Tag {
	case TagCreateAccount:
		ix.Lamports, ix.Space, ix.Owner = d.u64(), d.u64(), d.key()
	case TagAssign:
		ix.Owner = d.key()
	case TagTransfer:
		ix.Lamports = d.u64()
	case TagCreateAccountWithSeed:
		ix.Base, ix.Seed = d.key(), d.str()
		ix.Lamports, ix.Space, ix.Owner = d.u64(), d.u64(), d.key()
	case TagAllocate:
		ix.Space = d.u64()
	case TagAllocateWithSeed:
		ix.Base, ix.Seed = d.key(), d.str()
		ix.Space, ix.Owner = d.u64(), d.key()
	case TagAssignWithSeed:
		ix.Base, ix.Seed, ix.Owner = d.key(), d.str(), d.key()
	case TagTransferWithSeed:
		ix.Lamports, ix.Seed, ix.FromOwner = d.u64(), d.str(), d.key()
	case TagAdvanceNonceAccount, TagUpgradeNonceAccount:
	case TagWithdrawNonceAccount:
		ix.Lamports = d.u64()
	case TagInitializeNonceAccount, TagAuthorizeNonceAccount:
		ix.Owner = d.key()
	default:
		return Instruction{}, fmt.Errorf("%w: unknown variant %d", ErrInvalid, uint32(ix.Tag))
	}
	if d.err {
		return Instruction{}, fmt.Errorf("%w: %s truncated or malformed", ErrInvalid, ix.Tag)
	}
	return ix, nil
}

// Encode returns the bincode encoding of ix.
func (ix *Instruction) Encode() []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(ix.Tag))
	u64 := func(v uint64) { b = binary.LittleEndian.AppendUint64(b, v) }
	key := func(k pubkey.Pubkey) { b = append(b, k[:]...) }
	str := func(s string) { u64(uint64(len(s))); b = append(b, s...) }
	switch ix.Tag {
	case TagCreateAccount:
		u64(ix.Lamports)
		u64(ix.Space)
		key(ix.Owner)
	case TagAssign:
		key(ix.Owner)
	case TagTransfer, TagWithdrawNonceAccount:
		u64(ix.Lamports)
	case TagCreateAccountWithSeed:
		key(ix.Base)
		str(ix.Seed)
		u64(ix.Lamports)
		u64(ix.Space)
		key(ix.Owner)
	case TagAllocate:
		u64(ix.Space)
	case TagAllocateWithSeed:
		key(ix.Base)
		str(ix.Seed)
		u64(ix.Space)
		key(ix.Owner)
	case TagAssignWithSeed:
		key(ix.Base)
		str(ix.Seed)
		key(ix.Owner)
	case TagTransferWithSeed:
		u64(ix.Lamports)
		str(ix.Seed)
		key(ix.FromOwner)
	case TagInitializeNonceAccount, TagAuthorizeNonceAccount:
		key(ix.Owner)
	}
	return b
}

// SystemError codes: the Custom(n) an instruction fails with.
const (
	ErrAccountAlreadyInUse          = 0
	ErrResultWithNegativeLamports   = 1
	ErrInvalidProgramID             = 2
	ErrInvalidAccountDataLength     = 3
	ErrMaxSeedLengthExceeded        = 4
	ErrAddressWithSeedMismatch      = 5
	ErrNonceNoRecentBlockhashes     = 6
	ErrNonceBlockhashNotExpired     = 7
	ErrNonceUnexpectedBlockhashValu = 8
)

func meta(k pubkey.Pubkey, signer, writable bool) txn.AccountMeta {
	return txn.AccountMeta{Pubkey: k, IsSigner: signer, IsWritable: writable}
}

// Transfer builds a Transfer of lamports from from (signer) to to.
func Transfer(from, to pubkey.Pubkey, lamports uint64) txn.Instruction {
	ix := Instruction{Tag: TagTransfer, Lamports: lamports}
	return txn.Instruction{ProgramID: ID, Data: ix.Encode(), Accounts: []txn.AccountMeta{meta(from, true, true), meta(to, false, true)}}
}

// CreateAccount builds a CreateAccount funded by from (signer) of a new
// account to (signer) with space bytes owned by owner.
func CreateAccount(from, to pubkey.Pubkey, lamports, space uint64, owner pubkey.Pubkey) txn.Instruction {
	ix := Instruction{Tag: TagCreateAccount, Lamports: lamports, Space: space, Owner: owner}
	return txn.Instruction{ProgramID: ID, Data: ix.Encode(), Accounts: []txn.AccountMeta{meta(from, true, true), meta(to, true, true)}}
}

// CreateAccountWithSeed builds a CreateAccountWithSeed of to, derived
// from base and seed (base signs).
func CreateAccountWithSeed(from, to, base pubkey.Pubkey, seed string, lamports, space uint64, owner pubkey.Pubkey) txn.Instruction {
	ix := Instruction{Tag: TagCreateAccountWithSeed, Base: base, Seed: seed, Lamports: lamports, Space: space, Owner: owner}
	acc := []txn.AccountMeta{meta(from, true, true), meta(to, false, true)}
	if base != from {
		acc = append(acc, meta(base, true, false))
	}
	return txn.Instruction{ProgramID: ID, Data: ix.Encode(), Accounts: acc}
}

// Assign builds an Assign of account (signer) to owner.
func Assign(account, owner pubkey.Pubkey) txn.Instruction {
	ix := Instruction{Tag: TagAssign, Owner: owner}
	return txn.Instruction{ProgramID: ID, Data: ix.Encode(), Accounts: []txn.AccountMeta{meta(account, true, true)}}
}

// Allocate builds an Allocate of space bytes for account (signer).
func Allocate(account pubkey.Pubkey, space uint64) txn.Instruction {
	ix := Instruction{Tag: TagAllocate, Space: space}
	return txn.Instruction{ProgramID: ID, Data: ix.Encode(), Accounts: []txn.AccountMeta{meta(account, true, true)}}
}

// AllocateWithSeed builds an AllocateWithSeed of account, derived from
// base (signer) and seed.
func AllocateWithSeed(account, base pubkey.Pubkey, seed string, space uint64, owner pubkey.Pubkey) txn.Instruction {
	ix := Instruction{Tag: TagAllocateWithSeed, Base: base, Seed: seed, Space: space, Owner: owner}
	return txn.Instruction{ProgramID: ID, Data: ix.Encode(), Accounts: []txn.AccountMeta{meta(account, false, true), meta(base, true, false)}}
}

// AssignWithSeed builds an AssignWithSeed of account, derived from base
// (signer) and seed.
func AssignWithSeed(account, base pubkey.Pubkey, seed string, owner pubkey.Pubkey) txn.Instruction {
	ix := Instruction{Tag: TagAssignWithSeed, Base: base, Seed: seed, Owner: owner}
	return txn.Instruction{ProgramID: ID, Data: ix.Encode(), Accounts: []txn.AccountMeta{meta(account, false, true), meta(base, true, false)}}
}

// TransferWithSeed builds a TransferWithSeed from the account derived
// from base (signer), seed and fromOwner, to to.
func TransferWithSeed(from, base pubkey.Pubkey, seed string, fromOwner, to pubkey.Pubkey, lamports uint64) txn.Instruction {
	ix := Instruction{Tag: TagTransferWithSeed, Lamports: lamports, Seed: seed, FromOwner: fromOwner}
	return txn.Instruction{ProgramID: ID, Data: ix.Encode(), Accounts: []txn.AccountMeta{meta(from, false, true), meta(base, true, false), meta(to, false, true)}}
}
