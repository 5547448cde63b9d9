// Package loader builds the upgradeable BPF loader's management
// instructions (bincode UpgradeableLoaderInstruction), as clients such as
// `solana program deploy` and web3.js send them, and names the sizes of
// the loader's account states. It only encodes; the processor is the
// runtime's, in package svm.
package loader

import (
	"encoding/binary"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

// ID is the upgradeable loader's address.
var ID = pubkey.BPFLoaderUpgradeable()

// Sizes of the loader's account states (UpgradeableLoaderState).
const (
	// BufferHeaderSize precedes the program bytes in a Buffer account.
	BufferHeaderSize = 37
	// ProgramSize is a Program account's data.
	ProgramSize = 36
	// ProgramDataHeaderSize precedes the ELF in a ProgramData account.
	ProgramDataHeaderSize = 45
	// MaxWriteChunk is the most program bytes a Write carries in a
	// legacy transaction of 1,232 bytes whose payer and buffer
	// authority are distinct signers: 316 bytes go to the two
	// signatures, the header, four keys, the blockhash and the
	// instruction's framing.
	MaxWriteChunk = 916
)

// Instruction tags.
const (
	TagInitializeBuffer = iota
	TagWrite
	TagDeployWithMaxDataLen
	TagUpgrade
	TagSetAuthority
	TagClose
	TagExtendProgram
	TagSetAuthorityChecked
)

func meta(k pubkey.Pubkey, signer, writable bool) txn.AccountMeta {
	return txn.AccountMeta{Pubkey: k, IsSigner: signer, IsWritable: writable}
}

func tag(t uint32) []byte { return binary.LittleEndian.AppendUint32(nil, t) }

// ProgramDataAddress is the ProgramData account of a program: the
// program address derived from the program id under the loader.
func ProgramDataAddress(program pubkey.Pubkey) pubkey.Pubkey {
	k, _, _ := pubkey.FindProgramAddress([][]byte{program[:]}, ID)
	return k
}

// CreateBuffer returns the System CreateAccount of a buffer holding
// programLen bytes, funded with lamports, and its InitializeBuffer.
func CreateBuffer(payer, buffer, authority pubkey.Pubkey, lamports uint64, programLen int) []txn.Instruction {
	return []txn.Instruction{
		system.CreateAccount(payer, buffer, lamports, uint64(BufferHeaderSize+programLen), ID),
		{ProgramID: ID, Data: tag(TagInitializeBuffer), Accounts: []txn.AccountMeta{meta(buffer, false, true), meta(authority, false, false)}},
	}
}

// Write writes bytes into the buffer at offset (of the program bytes).
func Write(buffer, authority pubkey.Pubkey, offset uint32, bytes []byte) txn.Instruction {
	d := binary.LittleEndian.AppendUint32(tag(TagWrite), offset)
	d = binary.LittleEndian.AppendUint64(d, uint64(len(bytes)))
	return txn.Instruction{ProgramID: ID, Data: append(d, bytes...), Accounts: []txn.AccountMeta{meta(buffer, false, true), meta(authority, true, false)}}
}

// DeployWithMaxDataLen returns the System CreateAccount of the program
// account (funded with programLamports) and the deploy from buffer, with
// room for maxDataLen program bytes.
func DeployWithMaxDataLen(payer, program, buffer, authority pubkey.Pubkey, programLamports, maxDataLen uint64) []txn.Instruction {
	d := binary.LittleEndian.AppendUint64(tag(TagDeployWithMaxDataLen), maxDataLen)
	return []txn.Instruction{
		system.CreateAccount(payer, program, programLamports, ProgramSize, ID),
		{ProgramID: ID, Data: d, Accounts: []txn.AccountMeta{
			meta(payer, true, true), meta(ProgramDataAddress(program), false, true), meta(program, false, true),
			meta(buffer, false, true), meta(pubkey.SysvarRent(), false, false), meta(pubkey.SysvarClock(), false, false),
			meta(system.ID, false, false), meta(authority, true, false)}},
	}
}

// Upgrade replaces a program's ELF with the buffer's; the buffer's
// lamports beyond the ProgramData's rent go to spill.
func Upgrade(program, buffer, authority, spill pubkey.Pubkey) txn.Instruction {
	return txn.Instruction{ProgramID: ID, Data: tag(TagUpgrade), Accounts: []txn.AccountMeta{
		meta(ProgramDataAddress(program), false, true), meta(program, false, true), meta(buffer, false, true),
		meta(spill, false, true), meta(pubkey.SysvarRent(), false, false), meta(pubkey.SysvarClock(), false, false),
		meta(authority, true, false)}}
}

// SetAuthority changes the authority of a Buffer or ProgramData account
// (account); a nil next makes it immutable.
func SetAuthority(account, current pubkey.Pubkey, next *pubkey.Pubkey) txn.Instruction {
	acc := []txn.AccountMeta{meta(account, false, true), meta(current, true, false)}
	if next != nil {
		acc = append(acc, meta(*next, false, false))
	}
	return txn.Instruction{ProgramID: ID, Data: tag(TagSetAuthority), Accounts: acc}
}

// SetAuthorityChecked is SetAuthority with the new authority signing.
func SetAuthorityChecked(account, current, next pubkey.Pubkey) txn.Instruction {
	return txn.Instruction{ProgramID: ID, Data: tag(TagSetAuthorityChecked), Accounts: []txn.AccountMeta{
		meta(account, false, true), meta(current, true, false), meta(next, true, false)}}
}

// CloseBuffer closes a buffer, sending its lamports to recipient.
func CloseBuffer(buffer, recipient, authority pubkey.Pubkey) txn.Instruction {
	return txn.Instruction{ProgramID: ID, Data: tag(TagClose), Accounts: []txn.AccountMeta{
		meta(buffer, false, true), meta(recipient, false, true), meta(authority, true, false)}}
}

// CloseProgram closes a program's ProgramData, sending its lamports to
// recipient; the program can no longer run.
func CloseProgram(program, recipient, authority pubkey.Pubkey) txn.Instruction {
	return txn.Instruction{ProgramID: ID, Data: tag(TagClose), Accounts: []txn.AccountMeta{
		meta(ProgramDataAddress(program), false, true), meta(recipient, false, true), meta(authority, true, false),
		meta(program, false, true)}}
}

// ExtendProgram grows a program's ProgramData by additional bytes; payer
// funds the rent if needed.
func ExtendProgram(program, payer pubkey.Pubkey, additional uint32) txn.Instruction {
	return txn.Instruction{ProgramID: ID, Data: binary.LittleEndian.AppendUint32(tag(TagExtendProgram), additional), Accounts: []txn.AccountMeta{
		meta(ProgramDataAddress(program), false, true), meta(program, false, true), meta(system.ID, false, false),
		meta(payer, true, true)}}
}
