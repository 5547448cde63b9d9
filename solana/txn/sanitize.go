package txn

import (
	"errors"
	"fmt"

	"github.com/mr-tron/base58"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/sigverify"
)

func encodeBase58(b []byte) string { return base58.Encode(b) }

// SanitizeError is a transaction whose structure breaks Solana's rules:
// it fails with TransactionError SanitizeFailure (or AccountLoadedTwice
// for Duplicate).
type SanitizeError struct {
	Reason string
	// Duplicate is set when two account keys are equal.
	Duplicate bool
}

func (e *SanitizeError) Error() string { return "txn: " + e.Reason }

func sanitizeErr(format string, args ...any) error {
	return &SanitizeError{Reason: fmt.Sprintf(format, args...)}
}

// MaxAccountLocks is the most account keys a transaction may hold
// (MAX_TX_ACCOUNT_LOCKS, with increase_tx_account_lock_limit).
const MaxAccountLocks = 128

// Sanitize applies Transaction::sanitize and Message::sanitize: the
// signatures match the header, the header fits the keys, there is a
// writable signing fee payer, every index is in range, no program is the
// fee payer; and then rejects duplicate keys.
func (tx *Transaction) Sanitize() error {
	m := &tx.Message
	nsig := int(m.Header.NumRequiredSignatures)
	switch {
	case nsig > len(tx.Signatures):
		return sanitizeErr("header requires %d signatures, %d given", nsig, len(tx.Signatures))
	case nsig < len(tx.Signatures):
		return sanitizeErr("header requires %d signatures, %d given", nsig, len(tx.Signatures))
	case len(tx.Signatures) > len(m.AccountKeys):
		return sanitizeErr("%d signatures for %d account keys", len(tx.Signatures), len(m.AccountKeys))
	}
	return m.Sanitize()
}

// Sanitize applies Message::sanitize and, for a legacy message, the
// duplicate-key check. A V0 message gets v0::Message::sanitize only: as
// in Agave, its keys are checked for duplicates once its lookups are
// resolved (CheckDuplicates over Resolved.Keys).
func (m *Message) Sanitize() error {
	if m.Version == V0 {
		return m.sanitizeV0()
	}
	if m.Version != Legacy {
		return sanitizeErr("unsupported message version %s", m.Version)
	}
	h := m.Header
	n := len(m.AccountKeys)
	if int(h.NumRequiredSignatures)+int(h.NumReadonlyUnsignedAccounts) > n {
		return sanitizeErr("header (%d signers, %d read-only unsigned) exceeds the %d account keys", h.NumRequiredSignatures, h.NumReadonlyUnsignedAccounts, n)
	}
	if h.NumReadonlySignedAccounts >= h.NumRequiredSignatures {
		return sanitizeErr("no writable signer to pay the fee (%d signers, %d read-only)", h.NumRequiredSignatures, h.NumReadonlySignedAccounts)
	}
	for i, ci := range m.Instructions {
		if int(ci.ProgramIDIndex) >= n {
			return sanitizeErr("instruction %d: program index %d out of range (%d keys)", i, ci.ProgramIDIndex, n)
		}
		if ci.ProgramIDIndex == 0 {
			return sanitizeErr("instruction %d: the fee payer cannot be the program", i)
		}
		for _, a := range ci.Accounts {
			if int(a) >= n {
				return sanitizeErr("instruction %d: account index %d out of range (%d keys)", i, a, n)
			}
		}
	}
	return CheckDuplicates(m.AccountKeys)
}

// CheckDuplicates fails with a Duplicate *SanitizeError when a key
// appears twice (Agave's AccountLoadedTwice).
func CheckDuplicates(keys []pubkey.Pubkey) error {
	seen := make(map[pubkey.Pubkey]struct{}, len(keys))
	for _, k := range keys {
		if _, dup := seen[k]; dup {
			return &SanitizeError{Reason: "account key " + k.String() + " appears twice", Duplicate: true}
		}
		seen[k] = struct{}{}
	}
	return nil
}

// ErrSignature is returned by Verify when a signature does not verify.
var ErrSignature = errors.New("txn: signature verification failed")

// Verify checks every signature against the key at the same position and
// the serialized message, with Agave's rules (package solana/sigverify).
// Call Sanitize first.
func (tx *Transaction) Verify() error { return tx.VerifyWith(nil) }

// VerifyWith is Verify with keys' cache of decoded keys (nil: none); the
// result is the same.
func (tx *Transaction) VerifyWith(keys *sigverify.Keys) error {
	msg := tx.Message.Encode()
	for i, s := range tx.Signatures {
		if i >= len(tx.Message.AccountKeys) {
			return fmt.Errorf("%w: signature %d has no key", ErrSignature, i)
		}
		// Agave's rules, not crypto/ed25519's: a small-order key would let
		// anyone sign for its address.
		key := tx.Message.AccountKeys[i]
		ok := false
		if keys != nil {
			ok = keys.Verify(key[:], msg, s[:])
		} else {
			ok = sigverify.Verify(key[:], msg, s[:])
		}
		if !ok {
			return fmt.Errorf("%w: signature %d (%s)", ErrSignature, i, tx.Message.AccountKeys[i])
		}
	}
	return nil
}

// IsSigner reports whether key i signs.
func (m *Message) IsSigner(i int) bool { return i < int(m.Header.NumRequiredSignatures) }

// IsWritableIndex reports whether the header makes key i writable.
func (m *Message) IsWritableIndex(i int) bool {
	h := m.Header
	ns := int(h.NumRequiredSignatures)
	if i < ns {
		return i < ns-int(h.NumReadonlySignedAccounts)
	}
	return i-ns < len(m.AccountKeys)-ns-int(h.NumReadonlyUnsignedAccounts)
}

// IsInvoked reports whether key i is the program of an instruction.
func (m *Message) IsInvoked(i int) bool {
	for _, ci := range m.Instructions {
		if int(ci.ProgramIDIndex) == i {
			return true
		}
	}
	return false
}

// IsWritable reports whether key i is writable once Agave's demotions
// apply: reserved keys (sysvars, builtins) and, unless the upgradeable
// loader is among the keys, invoked programs are read-only.
func (m *Message) IsWritable(i int) bool {
	if i >= len(m.AccountKeys) || !m.IsWritableIndex(i) || pubkey.IsReserved(m.AccountKeys[i]) {
		return false
	}
	if m.IsInvoked(i) {
		for _, k := range m.AccountKeys {
			if k == pubkey.BPFLoaderUpgradeable() {
				return true
			}
		}
		return false
	}
	return true
}
