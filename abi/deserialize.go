package abi

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strconv"
)

// Deserialize writes the instruction's effects back after the program
// returned 0: for each account of the instruction list that is not a
// duplicate, in order, it reads the lamports, the data length, the data
// and the owner from input and applies them under the rules of Agave's
// BorrowedAccount, in Agave's order:
//
//  1. lamports: a decrease on an account the program does not own is
//     ExternalAccountLamportSpend; any change on an account that is not
//     writable is ReadonlyLamportChange.
//  2. data length: growth beyond MaxPermittedDataIncrease, or a length
//     beyond MaxPermittedDataLength, is InvalidRealloc.
//  3. data: if the program may not resize or change the account (length
//     changed on an account it does not own: AccountDataSizeChanged; not
//     writable: ReadonlyDataModified; not owned:
//     ExternalAccountDataModified), that is an error only when the data
//     actually differs.
//  4. owner: a change by a program that does not own the account, on an
//     account that is not writable, or whose data (as just written back)
//     is not all zeros, is ModifiedProgramId.
//
// Finally, if the lamports of the instruction's accounts do not sum to
// what they did, the instruction is UnbalancedInstruction (Agave checks
// this when the instruction is popped). The program owns an account when
// the account's owner, before this instruction, is the program id.
//
// The executable flag and the rent epoch are not read back: Agave
// ignores them in the input. Checks on executable accounts
// (ExecutableLamportChange, ExecutableDataModified) are gone from Agave
// since the remove_accounts_executable_flag_checks feature, and the
// transaction-wide growth limit (MaxAccountsDataAllocationsExceeded)
// cannot be reached by one instruction, so neither is reported.
//
// It returns every account given to Serialize, updated, or the first
// violation as an *Error (and no accounts: the instruction failed and
// changes nothing). The result does not alias input or the layout.
func Deserialize(input []byte, layout *Layout) ([]Account, error) {
	if layout == nil {
		return nil, errf(InvalidArgument, "no layout")
	}
	return deserialize(input, layout, layout.pre, true)
}

// DeserializeCurrent is Deserialize for a runtime in which the accounts
// may have changed since Serialize without the program writing them: a
// cross-program invocation made by the program changes the accounts and
// copies the changes into input. current holds the accounts as they are
// now, indexed as the accounts given to Serialize (same length, same
// keys); the rules compare the input with current instead of with the
// accounts as serialized, and the program owns an account when its
// current owner is the program id, as Agave's BorrowedAccount decides.
// Data growth is still measured from the length serialized, which is
// what the input's realloc space allows.
//
// It does not check that lamports balance: a runtime does that when the
// instruction is popped, after logging the program's success, as Agave
// does, over every account of the transaction.
func DeserializeCurrent(input []byte, layout *Layout, current []Account) ([]Account, error) {
	if layout == nil {
		return nil, errf(InvalidArgument, "no layout")
	}
	if len(current) != len(layout.pre) {
		return nil, errf(InvalidArgument, "%d current accounts for a layout of %d", len(current), len(layout.pre))
	}
	for i := range current {
		if current[i].Key != layout.pre[i].Key {
			return nil, errf(InvalidArgument, "current account %d is %s, the layout's is %s", i, EncodeKey(current[i].Key), EncodeKey(layout.pre[i].Key))
		}
	}
	return deserialize(input, layout, current, false)
}

func deserialize(input []byte, layout *Layout, current []Account, balance bool) ([]Account, error) {
	if len(input) < layout.size {
		return nil, errf(InvalidArgument, "input of %d bytes is shorter than the %d-byte layout", len(input), layout.size)
	}
	le := binary.LittleEndian
	post := cloneAccounts(current)
	var preHi, preLo, postHi, postLo uint64 // 128-bit lamport sums
	for pos, e := range layout.entries {
		if e.Duplicate {
			continue
		}
		a := &post[e.Index]
		var carry uint64
		preLo, carry = bits.Add64(preLo, a.Lamports, 0)
		preHi += carry
		owned := a.Owner == layout.programID
		writable := layout.writable[e.Index]

		var owner [32]byte
		copy(owner[:], input[e.OwnerOffset:])

		lamports := le.Uint64(input[e.LamportsOffset:])
		if lamports != a.Lamports {
			if !owned && lamports < a.Lamports {
				return nil, accountErr(ExternalAccountLamportSpend, pos, a.Key, "lamports %d -> %d", a.Lamports, lamports)
			}
			if !writable {
				return nil, accountErr(ReadonlyLamportChange, pos, a.Key, "lamports %d -> %d", a.Lamports, lamports)
			}
			a.Lamports = lamports
		}
		postLo, carry = bits.Add64(postLo, a.Lamports, 0)
		postHi += carry

		postLen := le.Uint64(input[e.DataLenOffset:])
		preLen := uint64(e.DataLen)
		if (postLen > preLen && postLen-preLen > MaxPermittedDataIncrease) || postLen > MaxPermittedDataLength {
			return nil, accountErr(InvalidRealloc, pos, a.Key, "data length %d -> %d (at most %d more, %d in all)", preLen, postLen, MaxPermittedDataIncrease, MaxPermittedDataLength)
		}
		data := input[e.DataOffset : e.DataOffset+int(postLen)]
		// Only an owned, writable account's data may change (canChangeData
		// says how a change is refused); unchanged data is no change.
		if !owned || !writable {
			if !bytes.Equal(a.Data, data) {
				return nil, canChangeData(a, pos, len(data), owned, writable)
			}
		} else {
			a.Data = append(a.Data[:0:0], data...)
		}

		if owner != a.Owner {
			switch {
			case !owned:
				return nil, accountErr(ModifiedProgramId, pos, a.Key, "owner changed to %s by a program that does not own the account", EncodeKey(owner))
			case !writable:
				return nil, accountErr(ModifiedProgramId, pos, a.Key, "owner of a read-only account changed to %s", EncodeKey(owner))
			case !isZero(a.Data):
				return nil, accountErr(ModifiedProgramId, pos, a.Key, "owner changed to %s while the data is not all zeros", EncodeKey(owner))
			}
			a.Owner = owner
		}
	}
	if balance && (preHi != postHi || preLo != postLo) {
		return nil, errf(UnbalancedInstruction, "lamports of the instruction's accounts sum to %s, were %s", u128String(postHi, postLo), u128String(preHi, preLo))
	}
	return post, nil
}

// canChangeData is Agave's can_data_be_resized followed by
// can_data_be_changed, for the account's current state.
func canChangeData(a *Account, pos, newLen int, owned, writable bool) *Error {
	if newLen != len(a.Data) && !owned {
		return accountErr(AccountDataSizeChanged, pos, a.Key, "data length %d -> %d", len(a.Data), newLen)
	}
	if !writable {
		return accountErr(ReadonlyDataModified, pos, a.Key, "data of a read-only account changed")
	}
	if !owned {
		return accountErr(ExternalAccountDataModified, pos, a.Key, "data changed by a program that does not own the account")
	}
	return nil
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// u128String renders hi:lo in decimal.
func u128String(hi, lo uint64) string {
	if hi == 0 {
		return strconv.FormatUint(lo, 10)
	}
	var digits []byte
	for hi != 0 || lo != 0 {
		var r uint64
		hi, r = bits.Div64(0, hi, 10)
		lo, r = bits.Div64(r, lo, 10)
		digits = append(digits, byte('0'+r))
	}
	for i, j := 0, len(digits)-1; i < j; i, j = i+1, j-1 {
		digits[i], digits[j] = digits[j], digits[i]
	}
	return string(digits)
}
