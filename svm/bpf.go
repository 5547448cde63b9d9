package svm

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/feature"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/vm"
)

// heapCost is Agave's calculate_heap_cost: heap_cost per 32 KiB page
// beyond the first.
func heapCost(heap uint64, perPage uint64) uint64 {
	const page = 32 * 1024
	pages := (heap + page - 1) / page
	if pages == 0 {
		return 0
	}
	return (pages - 1) * perPage
}

// executeBPF runs a BPF program: it serializes the instruction, runs the
// VM, logs the consumption and return data, and writes the accounts back
// with the runtime's checks. It returns the error and the text to log.
// id is the program id's text, for the logs.
func (tc *txContext) executeBPF(f *frame, prog *account.Account, id string) (*InstructionError, string) {
	if prog.Owner == pubkey.BPFLoaderDeprecated() {
		// The deprecated loader's unaligned ABI is not served.
		tc.log("Program is not deployed")
		e := ierr(UnsupportedProgramID)
		return e, e.Error()
	}
	if prog.Owner == pubkey.BPFLoaderUpgradeable() && !tc.programDeployed(f.programID) {
		// Deployed, upgraded or closed by this transaction: visible
		// from the next slot, or never.
		tc.log("Program is not deployed")
		e := ierr(UnsupportedProgramID)
		return e, e.Error()
	}
	var exe vm.Runnable
	var err error
	if tc.env.Programs != nil {
		exe, err = tc.env.Programs.Executable(f.programID, prog, tc.heapBytes)
	}
	if exe == nil || err != nil {
		tc.log("Program is not deployed")
		e := ierr(UnsupportedProgramID)
		return e, e.Error()
	}

	// Serialize the instruction's accounts, each once (an instruction
	// lists at most 255, so a scan of the few unique ones beats a map).
	f.unique = f.unique[:0]
	metas := make([]abi.AccountMeta, len(f.accounts))
	for j, a := range f.accounts {
		k := slices.Index(f.unique, a.tx)
		if k < 0 {
			k = len(f.unique)
			f.unique = append(f.unique, a.tx)
		}
		metas[j] = abi.AccountMeta{Index: k, Signer: a.signer, Writable: a.writable}
	}
	accts := tc.abiAccounts(f.unique)
	buf := tc.ex.getInput()
	input, layout, serr := abi.SerializeTo(*buf, accts, &abi.Instruction{ProgramID: f.programID, Accounts: metas, Data: f.data})
	// Nothing reads the input after this instruction: the machine maps
	// it only while running, and write-back copies what it keeps.
	defer tc.ex.putInput(buf, input)
	if serr != nil {
		e := fromABI(serr)
		return e, e.Error()
	}
	if e := tc.consume(heapCost(uint64(tc.heapBytes), tc.ex.costs.HeapCost)); e != nil {
		tc.log("Failed to create SBF VM: %s", e)
		e = ierr(ProgramEnvironmentSetupFailure)
		return e, e.Error()
	}
	f.layout, f.aligned = layout, true
	f.heap.Reset()
	m := tc.machine(len(tc.stack) - 1)
	f.machine = m
	budget := tc.remaining
	var start time.Time
	if tc.ex.MeasureVM && len(tc.stack) == 1 {
		start = time.Now()
	}
	opts := vm.RunOptions{Input: input, Budget: budget, Context: &bpfContext{tc: tc, f: f}, Reference: tc.env.Reference}
	if tc.env.Features.Active(feature.InstructionDataOffsetInR2) {
		opts.R2 = sbpf.InputStart + uint64(layout.InstructionDataOffset())
	}
	res := exe.Run(m, opts)
	if !start.IsZero() {
		tc.vmTime += time.Since(start)
	}
	f.machine = nil
	tc.remaining = budget - res.CU
	tc.logs.Log("Program " + id + " consumed " + strconv.FormatUint(res.CU, 10) + " of " + strconv.FormatUint(budget, 10) + " compute units")
	if len(tc.returnData) > 0 {
		tc.logs.Log("Program return: " + id + " " + base64.StdEncoding.EncodeToString(tc.returnData))
	}
	if res.Err != nil {
		if tc.env.Features.Active(feature.DepleteCUMeterOnVMFailure) && isVMFault(res.Err) {
			// Agave consumes the transaction's whole remaining budget
			// when the VM faults; a syscall's error leaves it.
			tc.remaining = 0
		}
		return fromVM(res.Err)
	}
	if st := abi.Status(res.R0); st != nil {
		e := fromABI(st)
		return e, e.Error()
	}
	post, derr := abi.DeserializeCurrent(input, layout, tc.abiAccounts(f.unique))
	if derr != nil {
		e := fromABI(derr)
		return e, e.Error()
	}
	for k, tx := range f.unique {
		a := &tc.accounts[tx]
		a.Lamports, a.Data, a.Owner = post[k].Lamports, post[k].Data, pubkey.Pubkey(post[k].Owner)
	}
	return nil, ""
}

// isVMFault reports whether err is a fault of the VM itself (an access
// violation, a division by zero, the meter running out...), not an error
// a syscall returned.
func isVMFault(err error) bool {
	var ve *vm.Error
	return errors.As(err, &ve) && ve.Kind != vm.SyscallError
}

// abiAccounts returns the accounts at the given transaction indexes as
// package abi takes them (sharing their data; abi copies what it keeps).
func (tc *txContext) abiAccounts(idx []int) []abi.Account {
	out := make([]abi.Account, len(idx))
	for k, tx := range idx {
		a := &tc.accounts[tx]
		out[k] = abi.Account{Key: tc.keys[tx], Owner: a.Owner, Lamports: a.Lamports, Data: a.Data, Executable: a.Executable, RentEpoch: a.RentEpoch}
	}
	return out
}

// bpfContext is the syscall context of a running BPF program: it
// implements the interfaces of package syscalls and carries what this
// package's syscalls need.
type bpfContext struct {
	tc *txContext
	f  *frame
}

func (c *bpfContext) Log(msg string)                 { c.tc.logs.Log(msg) }
func (c *bpfContext) LogBytesLeft() (uint64, bool)   { return c.tc.logs.LogBytesLeft() }
func (c *bpfContext) ProgramID() [32]byte            { return c.f.programID }
func (c *bpfContext) ReturnData() ([32]byte, []byte) { return c.tc.returnProgram, c.tc.returnData }
func (c *bpfContext) CheckAligned() bool             { return c.f.aligned }
func (c *bpfContext) SetReturnData(p [32]byte, data []byte) {
	c.tc.setReturnData(p, data)
}
func (c *bpfContext) Alloc(size, align, heapLen uint64) (uint64, bool) {
	return c.f.heap.Alloc(size, align, heapLen)
}

// ExtState returns the value an extension keeps under key for this
// program's run, storing init() first when there is none. Extensions
// keep per-run state here so that nothing outlives the run or is shared
// between runs.
func (c *bpfContext) ExtState(key any, init func() any) any {
	if v, ok := c.f.extState[key]; ok {
		return v
	}
	if c.f.extState == nil {
		c.f.extState = map[any]any{}
	}
	v := init()
	c.f.extState[key] = v
	return v
}

// ModuleELF returns the ELF and version of the program at id, which must
// be an executable account of the transaction (so that the scheduler's
// account locks cover it), as the block sees it. Module calls
// (agora_module_call) resolve their callee through it.
func (c *bpfContext) ModuleELF(id [32]byte) ([]byte, uint64, error) {
	for i, k := range c.tc.keys {
		if k != id {
			continue
		}
		a := &c.tc.accounts[i]
		if !a.Executable {
			return nil, 0, fmt.Errorf("account %s is not executable", k)
		}
		src, ok := c.tc.env.Programs.(ELFSource)
		if !ok {
			return nil, 0, errors.New("the runtime's program source gives no ELFs")
		}
		return src.ProgramELF(k, a)
	}
	return nil, 0, fmt.Errorf("program %s is not among the transaction's accounts", pubkey.Pubkey(id))
}

// Messages returns the transaction's log so far; tools that record a run
// (package trace) read each syscall's new lines from it.
func (c *bpfContext) Messages() []string { return c.tc.logs.Messages() }
