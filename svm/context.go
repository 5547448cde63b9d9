package svm

import (
	"fmt"
	"math/bits"
	"strconv"
	"time"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// Limits of the invoke machinery (Agave's execution budget).
const (
	// MaxInvokeStackHeight is the deepest instruction stack: a top-level
	// instruction and four nested invocations.
	MaxInvokeStackHeight = 5
	// MaxInstructionTraceLength is the most instructions, top-level and
	// nested, one transaction may run.
	MaxInstructionTraceLength = 64
	// MaxCPIInstructionDataLen is the most instruction data a CPI passes.
	MaxCPIInstructionDataLen = 10 * 1024
	// MaxCPIInstructionAccounts is the most accounts a CPI names.
	MaxCPIInstructionAccounts = 255
	// MaxCPIAccountInfos is the most account infos a CPI passes.
	MaxCPIAccountInfos = 128
	// MaxSigners is the most PDA signers one CPI may claim.
	MaxSigners = 16
)

// instructionAccount is one entry of an instruction's account list.
type instructionAccount struct {
	tx       int // index in the transaction
	signer   bool
	writable bool
}

// frame is one instruction being processed.
type frame struct {
	programIndex int // index in the transaction of the program account
	programID    pubkey.Pubkey
	accounts     []instructionAccount
	data         []byte

	// BPF programs only.
	unique  []int       // transaction index of each account given to abi.Serialize
	layout  *abi.Layout // the serialized input's layout
	machine *vm.Machine
	heap    syscalls.BumpAllocator
	aligned bool
	// extState holds the per-run state of extension syscalls (a plug-in's
	// task table, say), by a key the extension owns; it lives and dies
	// with the program's run.
	extState map[any]any
}

// txContext is the state of one transaction while it executes. Nothing in
// it is shared with other transactions.
type txContext struct {
	ex       *Executor
	env      *Env
	keys     []pubkey.Pubkey
	accounts []account.Account // current state, by transaction index
	signer   []bool
	writable []bool

	stack    []*frame
	traceLen int
	// ixDatas is the data of the top-level instructions, which the
	// precompiles read.
	ixDatas [][]byte

	returnProgram pubkey.Pubkey
	returnData    []byte
	logs          syscalls.LogCollector

	remaining uint64 // the compute meter while no VM is running
	heapBytes int

	lamportsHi, lamportsLo uint64 // the transaction's lamport total, which every instruction keeps

	machines []*vm.Machine // one per stack level, reused

	// redeployed are the upgradeable programs this transaction
	// deployed, upgraded, extended or closed: none of them runs again in
	// it.
	redeployed []pubkey.Pubkey
	vmTime     time.Duration // with Executor.MeasureVM: time in top-level VM runs
	// inner, when non-nil (Env.RecordInner), receives the instruction
	// trace: a list per top-level instruction of what it invoked.
	inner [][]InnerInstruction
}

// record adds f, about to run at the current stack height, to the
// instruction trace, as Agave's trace holds every instruction pushed
// (one failing the depth check included).
func (tc *txContext) record(f *frame) {
	if len(tc.stack) == 0 {
		tc.inner = append(tc.inner, []InnerInstruction{})
		return
	}
	if len(tc.inner) == 0 {
		return // an instruction run outside a transaction
	}
	ii := InnerInstruction{Data: append([]byte{}, f.data...), StackHeight: uint8(min(len(tc.stack)+1, 255)),
		Accounts: make([]uint8, len(f.accounts))}
	// A native program invoked outside the transaction's keys (an
	// Agora extension's invocation) has no index: 0, Agave's fallback.
	if f.programIndex >= 0 {
		ii.ProgramIDIndex = uint8(f.programIndex)
	}
	for i, a := range f.accounts {
		ii.Accounts[i] = uint8(a.tx)
	}
	last := len(tc.inner) - 1
	tc.inner[last] = append(tc.inner[last], ii)
}

func (tc *txContext) log(format string, args ...any) { tc.logs.Log(fmt.Sprintf(format, args...)) }

// total returns the sum of lamports over the transaction's accounts.
func (tc *txContext) total() (hi, lo uint64) {
	for i := range tc.accounts {
		var c uint64
		lo, c = bits.Add64(lo, tc.accounts[i].Lamports, 0)
		hi += c
	}
	return hi, lo
}

func (tc *txContext) balanced() bool {
	hi, lo := tc.total()
	return hi == tc.lamportsHi && lo == tc.lamportsLo
}

// consume charges the meter outside a VM (builtins), as consume_checked.
func (tc *txContext) consume(cu uint64) *InstructionError {
	if tc.remaining < cu {
		tc.remaining = 0
		return ierr(ComputationalBudgetExceeded)
	}
	tc.remaining -= cu
	return nil
}

func (tc *txContext) machine(level int) *vm.Machine {
	for len(tc.machines) <= level {
		tc.machines = append(tc.machines, nil)
	}
	if tc.machines[level] == nil {
		tc.machines[level] = tc.ex.getMachine()
	}
	return tc.machines[level]
}

func (tc *txContext) release() {
	for _, m := range tc.machines {
		if m != nil {
			tc.ex.putMachine(m)
		}
	}
	tc.machines = nil
}

func (tc *txContext) setReturnData(p pubkey.Pubkey, data []byte) {
	tc.returnProgram, tc.returnData = p, data
}

// --- the rules of Agave's BorrowedAccount, for the instruction in f ---

// instrWritable reports whether the instruction may write transaction
// account tx (the union over its entries).
func (f *frame) instrWritable(tx int) bool {
	for _, a := range f.accounts {
		if a.tx == tx && a.writable {
			return true
		}
	}
	return false
}

func (f *frame) instrSigner(tx int) bool {
	for _, a := range f.accounts {
		if a.tx == tx && a.signer {
			return true
		}
	}
	return false
}

func (tc *txContext) owned(f *frame, tx int) bool { return tc.accounts[tx].Owner == f.programID }

// setLamports is BorrowedAccount::set_lamports.
func (tc *txContext) setLamports(f *frame, tx int, v uint64) *InstructionError {
	a := &tc.accounts[tx]
	if !tc.owned(f, tx) && v < a.Lamports {
		return ierr(ExternalAccountLamportSpend)
	}
	if !f.instrWritable(tx) {
		return ierr(ReadonlyLamportChange)
	}
	a.Lamports = v
	return nil
}

func (tc *txContext) addLamports(f *frame, tx int, v uint64) *InstructionError {
	s, c := bits.Add64(tc.accounts[tx].Lamports, v, 0)
	if c != 0 {
		return ierr(ArithmeticOverflow)
	}
	return tc.setLamports(f, tx, s)
}

func (tc *txContext) subLamports(f *frame, tx int, v uint64) *InstructionError {
	if tc.accounts[tx].Lamports < v {
		return ierr(ArithmeticOverflow)
	}
	return tc.setLamports(f, tx, tc.accounts[tx].Lamports-v)
}

// canResize is BorrowedAccount::can_data_be_resized.
func (tc *txContext) canResize(f *frame, tx int, n int) *InstructionError {
	if n != len(tc.accounts[tx].Data) && !tc.owned(f, tx) {
		return ierr(AccountDataSizeChanged)
	}
	if n > account.MaxDataLen {
		return ierr(InvalidRealloc)
	}
	return nil
}

// canChange is BorrowedAccount::can_data_be_changed.
func (tc *txContext) canChange(f *frame, tx int) *InstructionError {
	if !f.instrWritable(tx) {
		return ierr(ReadonlyDataModified)
	}
	if !tc.owned(f, tx) {
		return ierr(ExternalAccountDataModified)
	}
	return nil
}

// setDataLength is BorrowedAccount::set_data_length.
func (tc *txContext) setDataLength(f *frame, tx int, n int) *InstructionError {
	if err := tc.canResize(f, tx, n); err != nil {
		return err
	}
	if err := tc.canChange(f, tx); err != nil {
		return err
	}
	a := &tc.accounts[tx]
	if len(a.Data) == n {
		return nil
	}
	if n < len(a.Data) {
		a.Data = append([]byte(nil), a.Data[:n]...)
	} else {
		a.Data = append(append([]byte(nil), a.Data...), make([]byte, n-len(a.Data))...)
	}
	return nil
}

// setData is BorrowedAccount::set_data_from_slice.
func (tc *txContext) setData(f *frame, tx int, data []byte) *InstructionError {
	if err := tc.canResize(f, tx, len(data)); err != nil {
		return err
	}
	if err := tc.canChange(f, tx); err != nil {
		return err
	}
	tc.accounts[tx].Data = append([]byte(nil), data...)
	return nil
}

// setOwner is BorrowedAccount::set_owner.
func (tc *txContext) setOwner(f *frame, tx int, owner pubkey.Pubkey) *InstructionError {
	if !tc.owned(f, tx) || !f.instrWritable(tx) || !isZero(tc.accounts[tx].Data) {
		return ierr(ModifiedProgramID)
	}
	tc.accounts[tx].Owner = owner
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

// --- the instruction stack ---

// process runs one instruction (top level or nested): Agave's
// InvokeContext::process_instruction, push and pop included.
func (tc *txContext) process(f *frame) *InstructionError {
	if len(tc.stack) > 0 && !tc.balanced() {
		return ierr(UnbalancedInstruction)
	}
	if tc.traceLen >= MaxInstructionTraceLength {
		return ierr(MaxInstructionTraceLengthExceeded)
	}
	tc.traceLen++
	if tc.inner != nil {
		tc.record(f)
	}
	if len(tc.stack) >= MaxInvokeStackHeight {
		return ierr(CallDepth)
	}
	if len(tc.stack) > 0 {
		// Reentrancy is allowed only into the program that is running.
		last := tc.stack[len(tc.stack)-1].programID
		for _, s := range tc.stack {
			if s.programID == f.programID && last != f.programID {
				return ierr(ReentrancyNotAllowed)
			}
		}
	}
	tc.stack = append(tc.stack, f)
	err := tc.executeChain(f)
	tc.stack = tc.stack[:len(tc.stack)-1]
	if err == nil && !tc.balanced() {
		err = ierr(UnbalancedInstruction)
	}
	return err
}

// executeChain runs the instruction's program and logs its outcome.
func (tc *txContext) executeChain(f *frame) *InstructionError {
	// A negative programIndex is a native program invoked by
	// NativeInvoke or InvokeNative without its account in the
	// transaction.
	var prog *account.Account
	if f.programIndex >= 0 {
		prog = &tc.accounts[f.programIndex]
	}
	tc.setReturnData(f.programID, nil)
	// The program id's base58 text, once: every instruction logs it at
	// least twice.
	id := f.programID.String()
	tc.logs.Log("Program " + id + " invoke [" + strconv.Itoa(len(tc.stack)) + "]")
	var err *InstructionError
	var msg string
	if prog == nil || prog.Owner == pubkey.NativeLoader() {
		native, ok := tc.ex.natives[f.programID]
		if !ok {
			err = ierr(UnsupportedProgramID)
		} else {
			pre := tc.remaining
			err = native.Process(&Invocation{tc: tc, f: f})
			if err == nil && pre == tc.remaining {
				err = ierr(BuiltinProgramsMustConsumeComputeUnits)
			}
		}
		if err != nil {
			msg = err.Error()
		}
	} else {
		err, msg = tc.executeBPF(f, prog, id)
	}
	if err != nil {
		tc.logs.Log("Program " + id + " failed: " + msg)
		return err
	}
	tc.logs.Log("Program " + id + " success")
	return nil
}
