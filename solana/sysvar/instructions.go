package sysvar

import (
	"encoding/binary"
	"errors"

	"github.com/agora-vm/agora/solana/txn"
)

// Flags of an account in the Instructions sysvar.
const (
	InstructionsSigner   = 1 << 0
	InstructionsWritable = 1 << 1
)

// EncodeInstructions returns the Instructions sysvar's account data for
// a transaction's top-level instructions (Agave's
// construct_instructions_data): a u16 count, a u16 offset per
// instruction, then each instruction's u16 account count, its accounts
// (a flags byte and the key), program id, u16 data length and data; and
// two bytes at the end for the current instruction's index (0).
func EncodeInstructions(ixs []txn.Instruction) []byte {
	le := binary.LittleEndian
	b := le.AppendUint16(nil, uint16(len(ixs)))
	b = append(b, make([]byte, 2*len(ixs))...)
	for i, ix := range ixs {
		le.PutUint16(b[2+2*i:], uint16(len(b)))
		b = le.AppendUint16(b, uint16(len(ix.Accounts)))
		for _, a := range ix.Accounts {
			var f byte
			if a.IsSigner {
				f |= InstructionsSigner
			}
			if a.IsWritable {
				f |= InstructionsWritable
			}
			b = append(append(b, f), a.Pubkey[:]...)
		}
		b = append(b, ix.ProgramID[:]...)
		b = le.AppendUint16(b, uint16(len(ix.Data)))
		b = append(b, ix.Data...)
	}
	return append(b, 0, 0)
}

// ErrInstructionsTooSmall: Instructions sysvar data without room for the
// current index (AccountDataTooSmall).
var ErrInstructionsTooSmall = errors.New("sysvar: instructions data holds no current index")

// StoreCurrentIndex writes the index of the instruction about to run into
// the last two bytes of the Instructions sysvar's data.
func StoreCurrentIndex(data []byte, index uint16) error {
	if len(data) < 2 {
		return ErrInstructionsTooSmall
	}
	binary.LittleEndian.PutUint16(data[len(data)-2:], index)
	return nil
}

// DecodeInstruction reads instruction index from Instructions sysvar
// data, as the SDK's load_instruction_at does.
func DecodeInstruction(data []byte, index int) (txn.Instruction, error) {
	bad := errors.New("sysvar: instructions data out of bounds")
	at := 0
	u16 := func() (int, error) {
		if at+2 > len(data) {
			return 0, bad
		}
		v := int(binary.LittleEndian.Uint16(data[at:]))
		at += 2
		return v, nil
	}
	n, err := u16()
	if err != nil {
		return txn.Instruction{}, err
	}
	if index < 0 || index >= n {
		return txn.Instruction{}, bad
	}
	at += 2 * index
	start, err := u16()
	if err != nil {
		return txn.Instruction{}, err
	}
	at = start
	na, err := u16()
	if err != nil {
		return txn.Instruction{}, err
	}
	var ix txn.Instruction
	for range na {
		if at+33 > len(data) {
			return txn.Instruction{}, bad
		}
		m := txn.AccountMeta{IsSigner: data[at]&InstructionsSigner != 0, IsWritable: data[at]&InstructionsWritable != 0}
		copy(m.Pubkey[:], data[at+1:])
		ix.Accounts = append(ix.Accounts, m)
		at += 33
	}
	if at+32 > len(data) {
		return txn.Instruction{}, bad
	}
	copy(ix.ProgramID[:], data[at:])
	at += 32
	dl, err := u16()
	if err != nil {
		return txn.Instruction{}, err
	}
	if at+dl > len(data) {
		return txn.Instruction{}, bad
	}
	ix.Data = append([]byte{}, data[at:at+dl]...)
	return ix, nil
}
