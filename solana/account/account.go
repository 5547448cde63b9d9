// Package account is Solana's account: a balance in lamports, data, the
// program that owns it, whether it holds a program, and its rent epoch;
// with the compact binary encoding the store keeps it in.
//
// It knows nothing of transactions, the VM or storage engines.
package account

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/agora-vm/agora/solana/pubkey"
)

// Account is the state of one address.
type Account struct {
	Lamports   uint64
	Data       []byte
	Owner      pubkey.Pubkey
	Executable bool
	RentEpoch  uint64
}

// Keyed is an account with its address.
type Keyed struct {
	Key     pubkey.Pubkey
	Account Account
}

// Clone returns a deep copy.
func (a Account) Clone() Account {
	a.Data = append([]byte(nil), a.Data...)
	return a
}

// Equal reports whether a and b hold the same state.
func (a *Account) Equal(b *Account) bool {
	return a.Lamports == b.Lamports && a.Owner == b.Owner && a.Executable == b.Executable &&
		a.RentEpoch == b.RentEpoch && string(a.Data) == string(b.Data)
}

// Exists reports whether the account holds lamports. Solana removes an
// account whose balance drops to zero; reading a missing address gives
// the zero Account, owned by the System program.
func (a *Account) Exists() bool { return a.Lamports > 0 }

// RentExemptEpoch is the rent epoch of every account created since rent
// collection ended (RENT_EXEMPT_RENT_EPOCH).
const RentExemptEpoch = ^uint64(0)

// encoding: version, lamports, rent epoch, executable, owner, data.
const (
	encodingVersion = 1
	headerSize      = 1 + 8 + 8 + 1 + pubkey.Size
)

// MaxDataLen is the largest account data (MAX_PERMITTED_DATA_LENGTH).
const MaxDataLen = 10 << 20

// ErrCorrupt is returned by Decode for bytes that are not an encoded
// account.
var ErrCorrupt = errors.New("account: corrupt encoding")

// AppendEncode appends the store encoding of a to b.
func (a *Account) AppendEncode(b []byte) []byte {
	b = append(b, encodingVersion)
	b = binary.LittleEndian.AppendUint64(b, a.Lamports)
	b = binary.LittleEndian.AppendUint64(b, a.RentEpoch)
	ex := byte(0)
	if a.Executable {
		ex = 1
	}
	b = append(b, ex)
	b = append(b, a.Owner[:]...)
	return append(b, a.Data...)
}

// Encode returns the store encoding of a.
func (a *Account) Encode() []byte {
	return a.AppendEncode(make([]byte, 0, headerSize+len(a.Data)))
}

// Decode parses an encoding made by Encode. The data does not alias b.
func Decode(b []byte) (Account, error) {
	if len(b) < headerSize || b[0] != encodingVersion || b[17] > 1 {
		return Account{}, fmt.Errorf("%w (%d bytes)", ErrCorrupt, len(b))
	}
	if len(b)-headerSize > MaxDataLen {
		return Account{}, fmt.Errorf("%w: data of %d bytes", ErrCorrupt, len(b)-headerSize)
	}
	a := Account{
		Lamports:   binary.LittleEndian.Uint64(b[1:]),
		RentEpoch:  binary.LittleEndian.Uint64(b[9:]),
		Executable: b[17] == 1,
	}
	copy(a.Owner[:], b[18:headerSize])
	a.Data = append([]byte(nil), b[headerSize:]...)
	return a, nil
}
