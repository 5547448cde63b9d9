package ext

import (
	"errors"

	"github.com/agora-vm/agora/ext/econ"
	"github.com/agora-vm/agora/ext/modules"
	"github.com/agora-vm/agora/ext/txmem"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/vm"
)

// Plugin returns Agora's extensions as a plug-in of the Solana runtime:
// every family's syscalls, the economics program as a builtin, and
// transactional memory's refusal of invocations it could not undo.
func Plugin() svm.Plugin {
	return svm.Plugin{
		Name:     "agora",
		Register: Register,
		Natives: []svm.Native{{
			ID:      econ.ProgramID(),
			Name:    "econ",
			Process: processEcon,
			// A settlement can exceed a builtin's 3,000 CU; the program
			// prices its work like a BPF program.
			ProgramBudget: true,
		}, {
			ID:      modules.VersionsProgramID(),
			Name:    "versions",
			Process: processVersions,
			// Staging verifies and hashes an ELF: priced like a program.
			ProgramBudget: true,
		}},
		BeforeInvoke: txmem.CheckCPI,
		EndBlock:     activateVersions,
	}
}

// processVersions is the versions program (ext/modules) as a builtin.
func processVersions(iv *svm.Invocation) *svm.InstructionError {
	err := modules.ProcessVersions(&versionsHost{econHost{iv: iv}}, decodeProgramData)
	if err == nil {
		return nil
	}
	var ie *svm.InstructionError
	if errors.As(err, &ie) {
		return ie
	}
	iv.Log("%s", err.Error())
	var me *modules.Error
	if errors.As(err, &me) {
		return &svm.InstructionError{Kind: svm.Custom, Code: uint32(me.Kind)}
	}
	return &svm.InstructionError{Kind: svm.InvalidError}
}

// decodeProgramData reads an upgradeable program's ProgramData account.
func decodeProgramData(program, pd []byte) (modules.ProgramDataInfo, pubkey.Pubkey, error) {
	pdKey, err := svm.ProgramDataAddress(program)
	if err != nil {
		return modules.ProgramDataInfo{}, pubkey.Pubkey{}, err
	}
	meta, elfBytes, err := svm.DecodeProgramData(pd)
	if err != nil {
		return modules.ProgramDataInfo{}, pubkey.Pubkey{}, err
	}
	return modules.ProgramDataInfo{Slot: meta.Slot, Authority: meta.Authority, ELF: elfBytes}, pdKey, nil
}

// versionsHost is modules.VersionsHost over an Invocation.
type versionsHost struct{ econHost }

func (h *versionsHost) CreateAccount(payer, to int, lamports, space uint64, seeds [][]byte) error {
	ix := system.Instruction{Tag: system.TagCreateAccount, Lamports: lamports, Space: space, Owner: modules.VersionsProgramID()}
	return nilIfOK(h.iv.NativeInvoke(pubkey.SystemProgram(), []int{payer, to}, ix.Encode(), [][][]byte{seeds}))
}

func (h *versionsHost) Registry() *vm.Registry { return h.iv.DeployRegistry() }

// activateVersions is the end-of-block hook: every versions account the
// block wrote with a staged version has it activated, its ELF written to
// the program's ProgramData, in the order the block first wrote them.
func activateVersions(slot uint64, written []account.Keyed, r svm.AccountReader) ([]account.Keyed, error) {
	seen := map[pubkey.Pubkey]bool{}
	var out []account.Keyed
	for _, w := range written {
		if seen[w.Key] || w.Account.Owner != modules.VersionsProgramID() {
			continue
		}
		seen[w.Key] = true
		va, err := r.Account(w.Key)
		if err != nil {
			return nil, err
		}
		v, err := modules.DecodeVersions(va.Data)
		if err != nil || v.Staged < 0 {
			continue // an account the program itself keeps valid; nothing staged
		}
		prog, err := r.Account(v.Program)
		if err != nil {
			return nil, err
		}
		pdKey, err := svm.ProgramDataAddress(prog.Data)
		if err != nil {
			return nil, err
		}
		pdAcct, err := r.Account(pdKey)
		if err != nil {
			return nil, err
		}
		info, _, err := decodeProgramData(prog.Data, pdAcct.Data)
		if err != nil {
			return nil, err
		}
		act, ok, err := modules.Activate(va.Data, va.Lamports, info, pdAcct.Lamports, func(s uint64, auth *pubkey.Pubkey, elfBytes []byte) []byte {
			_, pd := svm.UpgradeableProgramAccounts(v.Program, elfBytes, s, auth, func(uint64) uint64 { return 0 })
			return pd.Account.Data
		})
		if err != nil || !ok {
			return nil, err
		}
		va.Data, va.Lamports = act.Versions, act.VersionsLamport
		pdAcct.Data, pdAcct.Lamports = act.ProgramData, act.PDLamports
		out = append(out, account.Keyed{Key: w.Key, Account: va}, account.Keyed{Key: pdKey, Account: pdAcct})
	}
	return out, nil
}

// NewExecutor returns the runtime every Agora tool uses: Solana's, with
// Plugin.
func NewExecutor() (*svm.Executor, error) { return svm.NewExecutor(Plugin()) }

// processEcon is the economics program as a builtin: its semantics are
// econ.Process's; this adapter gives it the instruction (econHost) and
// turns its typed errors into Custom(code), logged with their detail.
func processEcon(iv *svm.Invocation) *svm.InstructionError {
	err := econ.Process(&econHost{iv: iv})
	if err == nil {
		return nil
	}
	var e *econ.Error
	if errors.As(err, &e) {
		iv.Log("%s", e.Error())
		return &svm.InstructionError{Kind: svm.Custom, Code: uint32(e.Code)}
	}
	var ie *svm.InstructionError
	if errors.As(err, &ie) {
		return ie
	}
	return &svm.InstructionError{Kind: svm.InvalidError}
}

// econHost is econ.Host over an Invocation. Its effects go through the
// account rules of BorrowedAccount, and System effects through the
// System program itself (an inner instruction).
type econHost struct{ iv *svm.Invocation }

func (h *econHost) Data() []byte                { return h.iv.Data() }
func (h *econHost) NumAccounts() int            { return h.iv.NumAccounts() }
func (h *econHost) Key(i int) pubkey.Pubkey     { return h.iv.Key(i) }
func (h *econHost) IsSigner(i int) bool         { return h.iv.IsSigner(i) }
func (h *econHost) IsWritable(i int) bool       { return h.iv.IsWritable(i) }
func (h *econHost) Owner(i int) pubkey.Pubkey   { return h.iv.Account(i).Owner }
func (h *econHost) Lamports(i int) uint64       { return h.iv.Account(i).Lamports }
func (h *econHost) AccountData(i int) []byte    { return h.iv.Account(i).Data }
func (h *econHost) Slot() uint64                { return h.iv.Slot() }
func (h *econHost) RentMinimum(n uint64) uint64 { return h.iv.RentMinimum(n) }
func (h *econHost) Log(msg string)              { h.iv.Log("%s", msg) }
func (h *econHost) SetReturnData(data []byte)   { h.iv.SetReturnData(data) }

func (h *econHost) Consume(cu uint64) error { return nilIfOK(h.iv.Consume(cu)) }

func (h *econHost) CreateAccount(payer, to int, lamports, space uint64, seeds [][]byte) error {
	ix := system.Instruction{Tag: system.TagCreateAccount, Lamports: lamports, Space: space, Owner: econ.ProgramID()}
	return nilIfOK(h.iv.NativeInvoke(pubkey.SystemProgram(), []int{payer, to}, ix.Encode(), [][][]byte{seeds}))
}

func (h *econHost) SystemTransfer(from, to int, lamports uint64) error {
	ix := system.Instruction{Tag: system.TagTransfer, Lamports: lamports}
	return nilIfOK(h.iv.NativeInvoke(pubkey.SystemProgram(), []int{from, to}, ix.Encode(), nil))
}

func (h *econHost) Move(from, to int, lamports uint64) error {
	if err := h.iv.SubLamports(from, lamports); err != nil {
		return err
	}
	return nilIfOK(h.iv.AddLamports(to, lamports))
}

func (h *econHost) SetData(i int, data []byte) error { return nilIfOK(h.iv.SetData(i, data)) }

// nilIfOK keeps a nil *InstructionError from becoming a non-nil error.
func nilIfOK(e *svm.InstructionError) error {
	if e == nil {
		return nil
	}
	return e
}

// MustNewExecutor is NewExecutor for tests and benchmarks. It panics only
// on a programming error: two families registering one name.
func MustNewExecutor() *svm.Executor {
	ex, err := NewExecutor()
	if err != nil {
		panic(err)
	}
	return ex
}
