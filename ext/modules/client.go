package modules

import (
	"encoding/binary"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

// ProgramDataKey is the ProgramData address of an upgradeable program,
// as the upgradeable loader derives it.
func ProgramDataKey(program pubkey.Pubkey) pubkey.Pubkey {
	k, _, _ := pubkey.FindProgramAddress([][]byte{program[:]}, pubkey.BPFLoaderUpgradeable())
	return k
}

func versionsIx(data []byte, payer, program pubkey.Pubkey, authority *pubkey.Pubkey) txn.Instruction {
	v, _ := VersionsAddress(program)
	metas := []txn.AccountMeta{
		{Pubkey: payer, IsSigner: true, IsWritable: true},
		{Pubkey: v, IsWritable: true},
		{Pubkey: program},
		{Pubkey: ProgramDataKey(program)},
	}
	if authority != nil {
		metas = append(metas, txn.AccountMeta{Pubkey: *authority, IsSigner: true})
	}
	metas = append(metas, txn.AccountMeta{Pubkey: pubkey.SystemProgram()})
	return txn.Instruction{ProgramID: VersionsProgramID(), Accounts: metas, Data: data}
}

// InitInstruction creates program's versions account, paid by payer.
func InitInstruction(payer, program pubkey.Pubkey) txn.Instruction {
	return versionsIx([]byte{IxInit}, payer, program, nil)
}

// WriteInstructions upload elf in chunks of at most chunk bytes (1 to
// VersionsMaxUpload), one instruction each, in order.
func WriteInstructions(payer, program, authority pubkey.Pubkey, elf []byte, chunk int) []txn.Instruction {
	chunk = max(1, min(chunk, VersionsMaxUpload))
	var out []txn.Instruction
	for off := 0; off < len(elf); off += chunk {
		d := []byte{IxWrite}
		d = binary.LittleEndian.AppendUint32(d, uint32(off))
		d = append(d, elf[off:min(off+chunk, len(elf))]...)
		out = append(out, versionsIx(d, payer, program, &authority))
	}
	return out
}

// StageInstruction stages the uploaded ELF as a new version.
func StageInstruction(payer, program, authority pubkey.Pubkey) txn.Instruction {
	return versionsIx([]byte{IxStage}, payer, program, &authority)
}

// RollbackInstruction stages the previously active version again.
func RollbackInstruction(payer, program, authority pubkey.Pubkey) txn.Instruction {
	return versionsIx([]byte{IxRollback}, payer, program, &authority)
}
