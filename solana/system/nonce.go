package system

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

// NonceAccountSize is the data size of a nonce account (State::size()):
// the Versions tag, the State tag, the authority, the durable nonce and
// the lamports per signature.
const NonceAccountSize = 80

// Nonce versions: a Legacy nonce holds a plain blockhash, a Current one a
// durable nonce (sha256 of "DURABLE_NONCE" and the blockhash).
const (
	NonceVersionLegacy  = 0
	NonceVersionCurrent = 1
)

// NonceState is a nonce account's data (bincode Versions).
type NonceState struct {
	// Version is NonceVersionLegacy or NonceVersionCurrent.
	Version uint32
	// Initialized is false for State::Uninitialized; the fields below
	// are meaningful only when it is true.
	Initialized          bool
	Authority            pubkey.Pubkey
	Nonce                txn.Hash
	LamportsPerSignature uint64
}

// ErrNonceState is returned for data that is not a nonce account's.
var ErrNonceState = errors.New("system: not a nonce account state")

// DecodeNonce reads a nonce account's data as bincode does: the tags
// must be valid and the data long enough; trailing bytes are ignored.
func DecodeNonce(b []byte) (NonceState, error) {
	if len(b) < 8 {
		return NonceState{}, ErrNonceState
	}
	v, s := binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:])
	if v > NonceVersionCurrent || s > 1 {
		return NonceState{}, ErrNonceState
	}
	st := NonceState{Version: v}
	if s == 0 {
		return st, nil
	}
	if len(b) < NonceAccountSize {
		return NonceState{}, ErrNonceState
	}
	st.Initialized = true
	copy(st.Authority[:], b[8:40])
	copy(st.Nonce[:], b[40:72])
	st.LamportsPerSignature = binary.LittleEndian.Uint64(b[72:80])
	return st, nil
}

// Encode returns the bincode encoding: 8 bytes when uninitialized, 80
// when initialized.
func (s *NonceState) Encode() []byte {
	b := binary.LittleEndian.AppendUint32(nil, s.Version)
	if !s.Initialized {
		return binary.LittleEndian.AppendUint32(b, 0)
	}
	b = binary.LittleEndian.AppendUint32(b, 1)
	b = append(b, s.Authority[:]...)
	b = append(b, s.Nonce[:]...)
	return binary.LittleEndian.AppendUint64(b, s.LamportsPerSignature)
}

// DurableNonce is the nonce a Current nonce account stores for a
// blockhash: sha256("DURABLE_NONCE" || blockhash).
func DurableNonce(blockhash txn.Hash) txn.Hash {
	h := sha256.New()
	h.Write([]byte("DURABLE_NONCE"))
	h.Write(blockhash[:])
	var out txn.Hash
	h.Sum(out[:0])
	return out
}

// AdvanceNonceAccount builds the instruction that a durable transaction
// starts with: accounts [nonce (w), RecentBlockhashes sysvar, authority (s)].
func AdvanceNonceAccount(nonce, authority pubkey.Pubkey) txn.Instruction {
	ix := Instruction{Tag: TagAdvanceNonceAccount}
	return txn.Instruction{ProgramID: ID, Data: ix.Encode(), Accounts: []txn.AccountMeta{
		meta(nonce, false, true), meta(pubkey.SysvarRecentBlockhashes(), false, false), meta(authority, true, false)}}
}

// InitializeNonceAccount builds the instruction: accounts [nonce (w),
// RecentBlockhashes sysvar, Rent sysvar].
func InitializeNonceAccount(nonce, authority pubkey.Pubkey) txn.Instruction {
	ix := Instruction{Tag: TagInitializeNonceAccount, Owner: authority}
	return txn.Instruction{ProgramID: ID, Data: ix.Encode(), Accounts: []txn.AccountMeta{
		meta(nonce, false, true), meta(pubkey.SysvarRecentBlockhashes(), false, false), meta(pubkey.SysvarRent(), false, false)}}
}

// WithdrawNonceAccount builds the instruction: accounts [nonce (w), to
// (w), RecentBlockhashes sysvar, Rent sysvar, authority (s)].
func WithdrawNonceAccount(nonce, authority, to pubkey.Pubkey, lamports uint64) txn.Instruction {
	ix := Instruction{Tag: TagWithdrawNonceAccount, Lamports: lamports}
	return txn.Instruction{ProgramID: ID, Data: ix.Encode(), Accounts: []txn.AccountMeta{
		meta(nonce, false, true), meta(to, false, true), meta(pubkey.SysvarRecentBlockhashes(), false, false),
		meta(pubkey.SysvarRent(), false, false), meta(authority, true, false)}}
}

// AuthorizeNonceAccount builds the instruction: accounts [nonce (w),
// authority (s)].
func AuthorizeNonceAccount(nonce, authority, newAuthority pubkey.Pubkey) txn.Instruction {
	ix := Instruction{Tag: TagAuthorizeNonceAccount, Owner: newAuthority}
	return txn.Instruction{ProgramID: ID, Data: ix.Encode(), Accounts: []txn.AccountMeta{meta(nonce, false, true), meta(authority, true, false)}}
}

// UpgradeNonceAccount builds the instruction that turns a Legacy nonce
// account into a Current one: accounts [nonce (w)].
func UpgradeNonceAccount(nonce pubkey.Pubkey) txn.Instruction {
	ix := Instruction{Tag: TagUpgradeNonceAccount}
	return txn.Instruction{ProgramID: ID, Data: ix.Encode(), Accounts: []txn.AccountMeta{meta(nonce, false, true)}}
}
