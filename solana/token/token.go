// Package token holds the SPL Token programs' account layouts, as far as
// the chain's readers need them: the program ids, a token account's
// mint, owner, amount and state, and a mint's decimals. It reads bytes
// and nothing else; it never executes the programs (the real SPL Token
// binaries run on the runtime) and never writes an account.
package token

import (
	"encoding/binary"

	"github.com/agora-vm/agora/solana/pubkey"
)

// Sizes of the base layouts (spl-token's Account::LEN and Mint::LEN).
const (
	AccountSize  = 165
	MintSize     = 82
	MultisigSize = 355 // never an account or a mint, whatever its bytes
)

// Token-2022 puts an account-type byte right after the base account
// layout (the mint is padded to it) when extensions follow.
const (
	accountTypeMint    = 1
	accountTypeAccount = 2
)

// NativeMintDecimals are the wrapped SOL mint's decimals, which readers
// use without reading the mint (Agave's get_mint_decimals does).
const NativeMintDecimals = 9

// The programs' and the wrapped SOL mint's addresses.
var (
	Program     = pubkey.MustParse("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
	Program2022 = pubkey.MustParse("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
	NativeMint  = pubkey.MustParse("So11111111111111111111111111111111111111112")
)

// IsProgram reports whether k is SPL Token or Token-2022.
func IsProgram(k pubkey.Pubkey) bool { return k == Program || k == Program2022 }

// Account is the base part of an initialized SPL Token account.
type Account struct {
	Mint, Owner pubkey.Pubkey
	Amount      uint64
	// State is 1 (initialized) or 2 (frozen).
	State byte
	// IsNative reports a wrapped SOL account.
	IsNative bool
}

// DecodeAccount parses the data of an account owned by owner as an
// initialized token account: owned by a token program, exactly the base
// size or (Token-2022) longer with the account-type byte of an account.
func DecodeAccount(owner pubkey.Pubkey, data []byte) (Account, bool) {
	if !IsProgram(owner) || len(data) < AccountSize || (owner == Program && len(data) != AccountSize) {
		return Account{}, false
	}
	if len(data) > AccountSize && (data[AccountSize] != accountTypeAccount || len(data) == MultisigSize) {
		return Account{}, false
	}
	t := Account{Mint: pubkey.Pubkey(data[0:32]), Owner: pubkey.Pubkey(data[32:64]),
		Amount: binary.LittleEndian.Uint64(data[64:72]), State: data[108], IsNative: binary.LittleEndian.Uint32(data[72:76]) == 1}
	if t.State == 0 || t.State > 2 {
		return Account{}, false // uninitialized, or not a state
	}
	return t, true
}

// Mint is the base part of an initialized mint.
type Mint struct {
	MintAuthority   *pubkey.Pubkey
	Supply          uint64
	Decimals        uint8
	FreezeAuthority *pubkey.Pubkey
}

// DecodeMint parses the data of an account owned by owner as an
// initialized mint: owned by a token program, exactly the base size or
// (Token-2022) padded to the account size and marked a mint.
func DecodeMint(owner pubkey.Pubkey, data []byte) (Mint, bool) {
	if !IsProgram(owner) {
		return Mint{}, false
	}
	switch {
	case len(data) == MintSize:
	case owner == Program2022 && len(data) > AccountSize && len(data) != MultisigSize && data[AccountSize] == accountTypeMint:
	default:
		return Mint{}, false
	}
	if data[45] != 1 {
		return Mint{}, false // uninitialized
	}
	m := Mint{Supply: binary.LittleEndian.Uint64(data[36:44]), Decimals: data[44]}
	if binary.LittleEndian.Uint32(data[0:4]) == 1 {
		k := pubkey.Pubkey(data[4:36])
		m.MintAuthority = &k
	}
	if binary.LittleEndian.Uint32(data[46:50]) == 1 {
		k := pubkey.Pubkey(data[50:82])
		m.FreezeAuthority = &k
	}
	return m, true
}
