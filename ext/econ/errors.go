package econ

import (
	"errors"
	"fmt"
)

// Code is why an operation of the economics program failed. In a
// transaction it is the instruction's Custom error (Custom(code), logged
// as "custom program error: 0xec0N"); a syscall returns it in r0. Codes
// start at CodeBase so that they cannot be mistaken for another program's
// small custom codes (the System program's, say) when an error crosses
// an invocation.
type Code uint32

// CodeBase is the first code: every Code lies in [CodeBase, CodeBase+0xff].
const CodeBase Code = 0xEC00

// The codes. The first group is about the instruction itself (its
// layout, accounts and privileges); the second about the rules of the
// primitive (phases, prices, conditions). Both change nothing.
const (
	// InvalidInstruction: the instruction data does not decode (unknown
	// tag, wrong length, a field out of its enumeration or a field that
	// must be zero and is not).
	InvalidInstruction Code = CodeBase + 1 + iota
	// NotEnoughAccounts: fewer accounts than the operation lists.
	NotEnoughAccounts
	// MissingSignature: an account that must sign did not.
	MissingSignature
	// NotWritable: an account the operation changes is read-only.
	NotWritable
	// WrongOwner: a state account not owned by the program, or a payer
	// that is not a plain System account.
	WrongOwner
	// InvalidState: a state account whose data is not the state the
	// operation needs (wrong kind, version, size or contents).
	InvalidState
	// WrongAccount: an account is not the one the state records or the
	// seeds derive (the beneficiary, a bidder, the oracle, the PDA).
	WrongAccount
	// AlreadyInitialized: the account to create already exists.
	AlreadyInitialized
	// Overflow: an amount or slot computation overflowed 64 bits.
	Overflow
	// InsufficientFunds: a payer lacks the lamports, or a slash exceeds
	// the stake.
	InsufficientFunds
	// InvalidParameter: a creation parameter outside its documented
	// range (limits on items, bids, slots, raters, approvers...).
	InvalidParameter
	// WrongKind: the operation does not apply to this kind of auction
	// (a reveal in an open-bid auction).
	WrongKind
	// TooEarly: the phase has not begun (a reveal before the commit
	// deadline, a settlement before the end, a release before the time
	// lock or the unbonding period, a refund before the timeout).
	TooEarly
	// TooLate: the phase is over (a bid after the deadline, a reveal
	// after the reveal deadline, a release at or after the timeout, a bid
	// in a Dutch auction already taken).
	TooLate
	// Closed: the state is final (an auction settled, an escrow released
	// or refunded, a stake released); nothing can happen to it again.
	Closed
	// BidTooLow: below the reserve, the increment or the current price.
	BidTooLow
	// TooManyBids: the auction holds its maximum number of bids.
	TooManyBids
	// DuplicateBid: the bidder already bid (VCG, GSP, sealed), or the
	// sealed commitment is already in the auction.
	DuplicateBid
	// NoSuchBid: the bidder has no bid to reveal.
	NoSuchBid
	// AlreadyRevealed: the bid was revealed.
	AlreadyRevealed
	// CommitmentMismatch: sha256(value || nonce) is not the commitment,
	// or the value exceeds the deposit.
	CommitmentMismatch
	// ConditionNotMet: an escrow condition (oracle, approvals) fails.
	ConditionNotMet
	// Unauthorized: the signer is not the party the state names (rater,
	// slash authority, staker).
	Unauthorized
	// OutOfBounds: a rating outside the registry's bounds.
	OutOfBounds
	// WrongStatus: the state is not in the status the operation needs
	// (withdrawing a stake that is not unbonding, unbonding twice).
	WrongStatus
	lastCode
)

var codeNames = [...]string{
	"InvalidInstruction", "NotEnoughAccounts", "MissingSignature", "NotWritable", "WrongOwner",
	"InvalidState", "WrongAccount", "AlreadyInitialized", "Overflow", "InsufficientFunds",
	"InvalidParameter", "WrongKind", "TooEarly", "TooLate", "Closed", "BidTooLow", "TooManyBids",
	"DuplicateBid", "NoSuchBid", "AlreadyRevealed", "CommitmentMismatch", "ConditionNotMet",
	"Unauthorized", "OutOfBounds", "WrongStatus",
}

// Codes lists every code, in order.
func Codes() []Code {
	out := make([]Code, 0, len(codeNames))
	for c := InvalidInstruction; c < lastCode; c++ {
		out = append(out, c)
	}
	return out
}

// Valid reports whether c is one of the program's codes.
func (c Code) Valid() bool { return c >= InvalidInstruction && c < lastCode }

// String returns the code's name, e.g. "BidTooLow".
func (c Code) String() string {
	if c.Valid() {
		return codeNames[c-InvalidInstruction]
	}
	return fmt.Sprintf("Code(%#x)", uint32(c))
}

// Error is a failed operation of the economics program. Its identity is
// the Code; Detail says more, for people.
type Error struct {
	Code   Code
	Detail string
}

// Error renders "econ: BidTooLow: bid 5 is below the minimum 7".
func (e *Error) Error() string {
	if e.Detail == "" {
		return "econ: " + e.Code.String()
	}
	return "econ: " + e.Code.String() + ": " + e.Detail
}

// KindName returns the code's name (it makes vm.ErrorKindOf report it).
func (e *Error) KindName() string { return e.Code.String() }

// Is matches an *Error with the same code, or the Code itself.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case *Error:
		return t.Code == e.Code
	case Code:
		return t == e.Code
	}
	return false
}

// Error makes a Code usable as a sentinel: errors.Is(err, econ.BidTooLow).
func (c Code) Error() string { return "econ: " + c.String() }

// CodeOf returns the Code of an econ error anywhere in err's chain.
func CodeOf(err error) (Code, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, true
	}
	return 0, false
}

func fail(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Detail: fmt.Sprintf(format, args...)}
}
