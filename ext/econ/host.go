package econ

import "github.com/agora-vm/agora/solana/pubkey"

// Host is the instruction being executed, as the runtime shows it to the
// economics program: the instruction data, its accounts (by position in
// the instruction's account list) with their privileges, the slot, rent,
// the compute meter, and the few effects the program needs. Package
// runtime implements it for the builtin program (and, through it, for the
// syscalls); tests implement it in memory.
//
// The program reads everything it needs and checks every rule before it
// calls an effect, so a failing operation calls none and changes nothing.
// The effects must enforce the runtime's own account rules regardless.
type Host interface {
	// Data is the instruction data.
	Data() []byte
	// NumAccounts is the length of the instruction's account list.
	NumAccounts() int
	// Key, IsSigner, IsWritable, Owner, Lamports and Data describe account
	// i (0 <= i < NumAccounts()). AccountData must not be modified.
	Key(i int) pubkey.Pubkey
	IsSigner(i int) bool
	IsWritable(i int) bool
	Owner(i int) pubkey.Pubkey
	Lamports(i int) uint64
	AccountData(i int) []byte

	// Slot is the current slot (the Clock sysvar's).
	Slot() uint64
	// RentMinimum is the balance that makes an account of n data bytes
	// rent exempt.
	RentMinimum(n uint64) uint64
	// Consume charges compute units; its error (the budget is exhausted)
	// is returned unchanged by the program.
	Consume(cu uint64) error
	// Log records a program log line.
	Log(msg string)
	// SetReturnData sets the instruction's return data.
	SetReturnData(data []byte)

	// CreateAccount creates account `to`, a program-derived address of
	// the economics program with the given seeds (bump included), with
	// `space` zero bytes owned by the program and `lamports` paid by
	// `payer` (a System account that signs): the System program's
	// CreateAccount, signed for the PDA.
	CreateAccount(payer, to int, lamports, space uint64, seeds [][]byte) error
	// SystemTransfer moves lamports from `from`, a System account that
	// signs, to `to`: the System program's Transfer.
	SystemTransfer(from, to int, lamports uint64) error
	// Move moves lamports from `from`, an account the program owns, to
	// `to` (any writable account).
	Move(from, to int, lamports uint64) error
	// SetData replaces the data of account i, which the program owns, with
	// data of the same length.
	SetData(i int, data []byte) error
}
