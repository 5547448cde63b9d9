// Package pubkey is Solana's 32-byte account address: its base58 text,
// program-derived addresses (create_program_address and
// find_program_address), addresses derived with a seed
// (create_with_seed), and the addresses of the sysvars and native
// programs, all byte-compatible with solana-pubkey.
//
// The package is pure computation: it never touches accounts, the VM or
// any global mutable state.
package pubkey

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"filippo.io/edwards25519"
	"github.com/mr-tron/base58"
)

// Size is the length of an address in bytes.
const Size = 32

// Pubkey is an account address or program id.
type Pubkey [Size]byte

// String returns the base58 text, as Solana prints keys.
func (p Pubkey) String() string { return base58.Encode(p[:]) }

// IsZero reports whether p is all zeros (the default Pubkey, which is
// also the System program's id).
func (p Pubkey) IsZero() bool { return p == Pubkey{} }

// MarshalText implements encoding.TextMarshaler (base58).
func (p Pubkey) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (base58).
func (p *Pubkey) UnmarshalText(b []byte) error {
	k, err := Parse(string(b))
	if err != nil {
		return err
	}
	*p = k
	return nil
}

// maxText is the longest base58 text of 32 bytes. Longer strings are
// rejected before decoding, which is quadratic in the length.
const maxText = 44

// ErrInvalid is returned by Parse for text that is not the base58
// encoding of 32 bytes.
var ErrInvalid = errors.New("pubkey: not the base58 text of a 32-byte key")

// Parse decodes base58 text into a Pubkey.
func Parse(s string) (Pubkey, error) {
	if len(s) == 0 || len(s) > maxText {
		return Pubkey{}, fmt.Errorf("%w: %q", ErrInvalid, s)
	}
	b, err := base58.Decode(s)
	if err != nil || len(b) != Size {
		return Pubkey{}, fmt.Errorf("%w: %q", ErrInvalid, s)
	}
	var p Pubkey
	copy(p[:], b)
	return p, nil
}

// MustParse is Parse for constants; it panics on bad text.
func MustParse(s string) Pubkey {
	p, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return p
}

// Limits on the seeds of derived addresses (MAX_SEEDS, MAX_SEED_LEN).
const (
	MaxSeeds   = 16
	MaxSeedLen = 32
)

// pdaMarker ends the hash input of a program-derived address.
const pdaMarker = "ProgramDerivedAddress"

// Error is solana-pubkey's PubkeyError. Its String is the variant name.
type Error uint8

// PubkeyError variants.
const (
	// ErrMaxSeedLengthExceeded: a seed is longer than MaxSeedLen, or there
	// are more than MaxSeeds seeds.
	ErrMaxSeedLengthExceeded Error = iota + 1
	// ErrInvalidSeeds: the seeds give an address on the ed25519 curve
	// (one with a private key).
	ErrInvalidSeeds
	// ErrIllegalOwner: create_with_seed's owner ends with the PDA marker.
	ErrIllegalOwner
)

// String returns the variant name.
func (e Error) String() string {
	switch e {
	case ErrMaxSeedLengthExceeded:
		return "MaxSeedLengthExceeded"
	case ErrInvalidSeeds:
		return "InvalidSeeds"
	case ErrIllegalOwner:
		return "IllegalOwner"
	}
	return fmt.Sprintf("PubkeyError(%d)", uint8(e))
}

// Error returns solana-pubkey's message for the variant.
func (e Error) Error() string {
	switch e {
	case ErrMaxSeedLengthExceeded:
		return "Length of the seed is too long for address generation"
	case ErrInvalidSeeds:
		return "Provided seeds do not result in a valid address"
	case ErrIllegalOwner:
		return "Provided owner is not allowed"
	}
	return e.String()
}

// IsOnCurve reports whether b decompresses to an ed25519 point, as
// curve25519-dalek's CompressedEdwardsY::decompress decides it (which
// filippo.io/edwards25519 matches: non-canonical y and a negative zero x
// are accepted).
func IsOnCurve(b Pubkey) bool {
	_, err := new(edwards25519.Point).SetBytes(b[:])
	return err == nil
}

// CreateProgramAddress derives the address of seeds under program:
// sha256(seeds... || program || "ProgramDerivedAddress"), which must not
// be on the curve.
func CreateProgramAddress(seeds [][]byte, program Pubkey) (Pubkey, error) {
	if len(seeds) > MaxSeeds {
		return Pubkey{}, ErrMaxSeedLengthExceeded
	}
	for _, s := range seeds {
		if len(s) > MaxSeedLen {
			return Pubkey{}, ErrMaxSeedLengthExceeded
		}
	}
	h := sha256.New()
	for _, s := range seeds {
		h.Write(s)
	}
	h.Write(program[:])
	h.Write([]byte(pdaMarker))
	var p Pubkey
	h.Sum(p[:0])
	if IsOnCurve(p) {
		return Pubkey{}, ErrInvalidSeeds
	}
	return p, nil
}

// FindProgramAddress tries bump seeds 255 down to 1 appended to seeds and
// returns the first valid program address and its bump. ok is false when
// none is valid (vanishingly unlikely) or the seeds are too long.
func FindProgramAddress(seeds [][]byte, program Pubkey) (addr Pubkey, bump uint8, ok bool) {
	s := append(append([][]byte(nil), seeds...), []byte{0})
	for b := 255; b > 0; b-- {
		s[len(s)-1][0] = byte(b)
		p, err := CreateProgramAddress(s, program)
		if err == nil {
			return p, uint8(b), true
		}
		if err == ErrMaxSeedLengthExceeded {
			return Pubkey{}, 0, false
		}
	}
	return Pubkey{}, 0, false
}

// CreateWithSeed derives sha256(base || seed || owner), the address of
// the System program's *WithSeed instructions. The seed is at most
// MaxSeedLen bytes and the owner may not end with the PDA marker.
func CreateWithSeed(base Pubkey, seed string, owner Pubkey) (Pubkey, error) {
	if len(seed) > MaxSeedLen {
		return Pubkey{}, ErrMaxSeedLengthExceeded
	}
	if string(owner[Size-len(pdaMarker):]) == pdaMarker {
		return Pubkey{}, ErrIllegalOwner
	}
	h := sha256.New()
	h.Write(base[:])
	h.Write([]byte(seed))
	h.Write(owner[:])
	var p Pubkey
	h.Sum(p[:0])
	return p, nil
}

// Bytes returns a copy of the key's bytes.
func (p Pubkey) Bytes() []byte { return append([]byte(nil), p[:]...) }
