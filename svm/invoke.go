package svm

import (
	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// This file holds the hooks native programs and extension syscalls use to
// invoke native programs: Agave's native_invoke for builtins calling
// builtins (Invocation.NativeInvoke), and its counterpart for syscalls of
// an extension whose work is done by a native program
// (bpfContext.InvokeNative, the econ syscalls' runtime side).
//
// Unlike a CPI, the invoked program's account need not be among the
// transaction's accounts: native programs are always loaded. Everything
// else is the ordinary instruction machinery (tc.process): the stack
// depth, the trace length, reentrancy, the balance checks and the logs.

// DeployRegistry returns the syscalls a program may be deployed with,
// for natives that verify programs as deployment does.
func (iv *Invocation) DeployRegistry() *vm.Registry { return iv.tc.ex.deploy }

// Slot returns the current slot (the Clock sysvar's).
func (iv *Invocation) Slot() uint64 { return iv.tc.env.Sysvars.Clock.Slot }

// RentMinimum returns the balance that makes an account of n data bytes
// rent exempt.
func (iv *Invocation) RentMinimum(n uint64) uint64 { return iv.tc.env.Sysvars.Rent.MinimumBalance(n) }

// SetReturnData sets the transaction's return data, as the running
// program's.
func (iv *Invocation) SetReturnData(data []byte) {
	iv.tc.setReturnData(iv.f.programID, append([]byte(nil), data...))
}

// NativeInvoke runs the native program as an inner instruction over
// accounts of this instruction (positions in its account list), each
// with the privileges it has here; the program addresses of the running
// program derived from pdaSeeds sign as well. It is Agave's
// InvokeContext::native_invoke.
func (iv *Invocation) NativeInvoke(program pubkey.Pubkey, positions []int, data []byte, pdaSeeds [][][]byte) *InstructionError {
	var signers []pubkey.Pubkey
	for _, s := range pdaSeeds {
		pda, err := pubkey.CreateProgramAddress(s, iv.f.programID)
		if err != nil {
			return seedErr(err)
		}
		signers = append(signers, pda)
	}
	callee, ierr := iv.tc.nativeFrame(iv.f, program, positions, data, signers)
	if ierr != nil {
		return ierr
	}
	return iv.tc.process(callee)
}

// nativeFrame builds the frame of an invocation of a native program from
// the caller frame f: its accounts at the given positions, with their
// privileges in f (plus signer privilege for signers).
func (tc *txContext) nativeFrame(f *frame, program pubkey.Pubkey, positions []int, data []byte, signers []pubkey.Pubkey) (*frame, *InstructionError) {
	if _, ok := tc.ex.natives[program]; !ok || isLoader(program) || program == pubkey.NativeLoader() || IsPrecompile(program) {
		tc.log("Program %s is not a native program that may be invoked", program)
		return nil, ierr(UnsupportedProgramID)
	}
	callee := &frame{programIndex: tc.indexOf(program), programID: program, data: data,
		accounts: make([]instructionAccount, 0, len(positions))}
	if callee.programIndex >= 0 && tc.accounts[callee.programIndex].Owner != pubkey.NativeLoader() {
		callee.programIndex = -1 // a look-alike account: run the builtin itself
	}
	for _, p := range positions {
		if p < 0 || p >= len(f.accounts) {
			return nil, ierr(NotEnoughAccountKeys)
		}
		tx := f.accounts[p].tx
		callee.accounts = append(callee.accounts, instructionAccount{
			tx:       tx,
			signer:   f.instrSigner(tx) || contains(signers, tc.keys[tx]),
			writable: f.instrWritable(tx),
		})
	}
	return callee, nil
}

// InvokeNative implements the runtime side of extension syscalls backed
// by a native program (econ.Invoker): it runs program over the calling
// instruction's accounts at the given positions, syncing them from the
// caller's serialized input before and back into it after, like a CPI
// whose account infos are the input itself. When the program fails with
// Custom(code), the accounts are restored and code is returned with a nil
// error, so the caller may go on; any other failure is the error.
func (c *bpfContext) InvokeNative(m *vm.Machine, program [32]byte, accounts []byte, data []byte, seedsAddr, nseeds uint64) (uint64, error) {
	tc, f := c.tc, c.f
	if f.layout == nil {
		return 0, errMissingContext
	}
	// It is an invocation: plug-ins may refuse it, as for
	// sol_invoke_signed_*.
	if err := tc.ex.checkInvoke(m); err != nil {
		return 0, err
	}
	signers, err := translateSigners(m, f.programID, seedsAddr, nseeds, f.aligned)
	if err != nil {
		return 0, err
	}
	positions := make([]int, len(accounts))
	for i, p := range accounts {
		positions[i] = int(p)
	}
	callee, ierr := tc.nativeFrame(f, pubkey.Pubkey(program), positions, data, signers)
	if ierr != nil {
		return 0, ierr
	}
	// The caller's view of each account, from its input region.
	var callers []callerAccount
	seen := map[int]bool{}
	for i, p := range positions {
		tx := callee.accounts[i].tx
		if seen[tx] || tc.accounts[tx].Executable {
			continue
		}
		seen[tx] = true
		ca, err := inputAccount(m, f, p, callee.accounts[i].writable)
		if err != nil {
			return 0, err
		}
		callers = append(callers, ca)
	}
	for i := range callers {
		if ierr := tc.updateCallee(f, &callers[i]); ierr != nil {
			return 0, ierr
		}
	}
	saved := make([]account.Account, len(callers))
	for i := range callers {
		saved[i] = tc.accounts[callers[i].tx].Clone()
	}
	returnProgram, returnData := tc.returnProgram, tc.returnData
	tc.remaining = m.Remaining()
	before := tc.remaining
	cerr := tc.process(callee)
	if err := m.Consume(before - tc.remaining); err != nil {
		return 0, err
	}
	if cerr != nil {
		if cerr.Kind != Custom {
			return 0, cerr
		}
		for i := range callers {
			tc.accounts[callers[i].tx] = saved[i]
		}
		tc.returnProgram, tc.returnData = returnProgram, returnData
		return uint64(cerr.Code), nil
	}
	for i := range callers {
		if callers[i].updateCaller {
			if err := tc.updateCaller(m, &callers[i], f.aligned); err != nil {
				return 0, err
			}
		}
	}
	return 0, nil
}

// inputAccount maps the serialized entry of account position pos of the
// running instruction as a callerAccount: the input region is the
// caller's account info.
func inputAccount(m *vm.Machine, f *frame, pos int, writable bool) (callerAccount, error) {
	e := f.layout.Entry(pos)
	acc := vm.Load
	if writable {
		acc = vm.Store
	}
	at := func(off int) uint64 { return sbpf.InputStart + uint64(off) }
	ca := callerAccount{tx: f.accounts[pos].tx, originalLen: uint64(e.DataLen), updateCaller: writable, dataAddr: at(e.DataOffset)}
	var err error
	if ca.lamports, err = m.Translate(acc, at(e.LamportsOffset), 8); err != nil {
		return ca, err
	}
	if ca.owner, err = m.Translate(acc, at(e.OwnerOffset), 32); err != nil {
		return ca, err
	}
	if ca.lenRef, err = m.Translate(acc, at(e.DataLenOffset), 8); err != nil {
		return ca, err
	}
	n := u64(ca.lenRef)
	if n > uint64(e.DataLen)+abi.MaxPermittedDataIncrease {
		return ca, ierr(InvalidRealloc)
	}
	if ca.data, err = syscalls.TranslateSlice(m, acc, ca.dataAddr, n, 1, 1, false); err != nil {
		return ca, err
	}
	return ca, nil
}
