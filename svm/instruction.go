package svm

import (
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
)

// InstructionAccount is one entry of a standalone instruction's account
// list: an account and the privileges the instruction grants it.
type InstructionAccount struct {
	Key      pubkey.Pubkey
	Account  account.Account
	Signer   bool
	Writable bool
}

// Instruction is one instruction run outside a transaction: no fee payer,
// no fee, no signatures, no compute budget instructions. Tools use it to
// run a program over accounts they describe (agora run --accounts).
type Instruction struct {
	// ProgramID is the program to invoke. Its account, when not among
	// Accounts, is ProgramAccount.
	ProgramID pubkey.Pubkey
	// ProgramAccount is the program's account, used when ProgramID is not
	// among Accounts. A BPF program's account is owned by a loader; the
	// executable itself comes from Env.Programs.
	ProgramAccount account.Account
	// Accounts is the instruction's account list; a key listed twice is a
	// duplicate entry and must carry the same state.
	Accounts []InstructionAccount
	Data     []byte
	// Budget is the compute meter at the start.
	Budget uint64
	// HeapBytes is the heap a BPF program gets.
	HeapBytes int
}

// InstructionResult is the outcome of a standalone instruction.
type InstructionResult struct {
	// Err is nil when the instruction succeeded.
	Err *InstructionError
	// CU is the compute units consumed.
	CU   uint64
	Logs []string
	// ReturnProgram and ReturnData are the return data.
	ReturnProgram pubkey.Pubkey
	ReturnData    []byte
	// Accounts are the distinct accounts of the instruction in order of
	// first appearance: after it when it succeeded, as before otherwise.
	Accounts []account.Keyed
}

// ExecuteInstruction runs ix as the top-level instruction of a
// transaction that holds only its accounts: the same invoke machinery,
// syscalls, logs and write-back checks as Execute, without the fee and
// signature stages.
func (ex *Executor) ExecuteInstruction(ix *Instruction, env *Env) *InstructionResult {
	tc := &txContext{ex: ex, env: env, remaining: ix.Budget, heapBytes: ix.HeapBytes, ixDatas: [][]byte{ix.Data}}
	defer tc.release()
	index := map[pubkey.Pubkey]int{}
	add := func(k pubkey.Pubkey, a account.Account, signer, writable bool) int {
		i, ok := index[k]
		if !ok {
			i = len(tc.keys)
			index[k] = i
			tc.keys = append(tc.keys, k)
			tc.accounts = append(tc.accounts, a.Clone())
			tc.signer = append(tc.signer, false)
			tc.writable = append(tc.writable, false)
		}
		tc.signer[i] = tc.signer[i] || signer
		tc.writable[i] = tc.writable[i] || writable
		return i
	}
	f := &frame{programID: ix.ProgramID, data: ix.Data}
	for _, a := range ix.Accounts {
		add(a.Key, a.Account, a.Signer, a.Writable)
	}
	nAccounts := len(tc.keys)
	f.programIndex = add(ix.ProgramID, ix.ProgramAccount, false, false)
	f.accounts = make([]instructionAccount, len(ix.Accounts))
	for j, a := range ix.Accounts {
		i := index[a.Key]
		// As in a compiled message, privileges are the union over entries.
		f.accounts[j] = instructionAccount{tx: i, signer: tc.signer[i], writable: tc.writable[i]}
	}
	before := make([]account.Account, nAccounts)
	for i := range before {
		before[i] = tc.accounts[i].Clone()
	}
	tc.lamportsHi, tc.lamportsLo = tc.total()
	res := &InstructionResult{}
	if v := precompileFor(ix.ProgramID); v != nil {
		res.Err = tc.processPrecompile(v, ix.Data)
	} else {
		res.Err = tc.process(f)
	}
	res.CU = ix.Budget - tc.remaining
	res.Logs = append([]string(nil), tc.logs.Messages()...)
	res.ReturnProgram, res.ReturnData = tc.returnProgram, tc.returnData
	for i := range nAccounts {
		a := tc.accounts[i]
		if res.Err != nil {
			a = before[i]
		}
		res.Accounts = append(res.Accounts, account.Keyed{Key: tc.keys[i], Account: a})
	}
	return res
}
