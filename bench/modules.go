package bench

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/ext"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/sysvar"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
)

// ModuleRow compares calling another program's function in-process
// (agora_module_call) with a cross-program invocation doing the same
// work (the callee doubles an 8-byte argument and hands it back: in the
// out buffer, or as return data), in the same run: Calls calls per
// transaction, CU and wall time per call, both programs' sums checked
// equal.
type ModuleRow struct {
	Calls        int     `json:"calls"`
	ModuleCU     uint64  `json:"module_cu_per_call"`
	CPICU        uint64  `json:"cpi_cu_per_call"`
	ModuleNs     float64 `json:"module_ns_per_call"`
	CPINs        float64 `json:"cpi_ns_per_call"`
	CURatio      float64 `json:"cu_ratio"`
	TimeRatio    float64 `json:"time_ratio"`
	ModuleTxCU   uint64  `json:"module_tx_cu"`
	CPITxCU      uint64  `json:"cpi_tx_cu"`
	BaselineTxCU uint64  `json:"baseline_tx_cu"`
}

// doublerSource is the callee: its entrypoint serves the CPI (the
// instruction data's u64, doubled, as return data; no accounts, so the
// data is at input+16), and its exported double serves module calls.
const doublerSource = `
entrypoint:
    ldxdw r5, [r1+16]
    add64 r5, r5
    stxdw [r10-8], r5
    mov64 r1, r10
    add64 r1, -8
    mov64 r2, 8
    syscall sol_set_return_data
    mov64 r0, 0
    exit
double:
    ldxdw r5, [r1+0]
    add64 r5, r5
    stxdw [r3+0], r5
    mov64 r0, 0
    exit
`

// callerSource returns a caller making calls calls of the callee (its
// instruction's account 0, whose key is at input+16) with arguments 0,
// 1, …, summing the results; the sum is its return data. how is "module",
// "cpi", or "none" (the loop without calls, the baseline).
func callerSource(how string, calls int) string {
	var call string
	switch how {
	case "module":
		call = `
    stxdw [r10-56], r6
    mov64 r1, r10
    add64 r1, -48
    mov64 r2, r10
    add64 r2, -56
    mov64 r3, 8
    mov64 r4, r10
    add64 r4, -64
    mov64 r5, 8
    syscall agora_module_call
    ldxdw r1, [r10-64]
    add64 r8, r1`
	case "cpi":
		call = `
    stxdw [r10-56], r6
    stxdw [r10-112], r9
    stdw [r10-104], 0
    stdw [r10-96], 0
    mov64 r1, r10
    add64 r1, -56
    stxdw [r10-88], r1
    stdw [r10-80], 8
    mov64 r1, r10
    add64 r1, -112
    mov64 r2, 0
    mov64 r3, 0
    mov64 r4, 0
    mov64 r5, 0
    syscall sol_invoke_signed_c
    mov64 r1, r10
    add64 r1, -64
    mov64 r2, 8
    mov64 r3, r10
    add64 r3, -160
    syscall sol_get_return_data
    ldxdw r1, [r10-64]
    add64 r8, r1`
	default:
		call = `
    mov64 r1, r6
    add64 r1, r6
    add64 r8, r1`
	}
	return fmt.Sprintf(`
entrypoint:
    mov64 r9, r1
    add64 r9, 16
    ldxdw r1, [r9+0]
    stxdw [r10-48], r1
    ldxdw r1, [r9+8]
    stxdw [r10-40], r1
    ldxdw r1, [r9+16]
    stxdw [r10-32], r1
    ldxdw r1, [r9+24]
    stxdw [r10-24], r1
    mov64 r1, %d
    stxw [r10-16], r1
    stw [r10-12], 0
    stdw [r10-8], 0
    mov64 r6, 0
    mov64 r8, 0
loop:%s
    add64 r6, 1
    jlt r6, %d, loop
    stxdw [r10-8], r8
    mov64 r1, r10
    add64 r1, -8
    mov64 r2, 8
    syscall sol_set_return_data
    mov64 r0, 0
    exit
`, int32(sbpf.HashSymbol([]byte("double"))), call, calls)
}

// buildELF assembles a V0 program with the given exports.
func buildELF(src string, exports ...string) ([]byte, error) {
	p, err := asm.Assemble(src, sbpf.V0, &asm.Options{Aliases: ext.Aliases()})
	if err != nil {
		return nil, err
	}
	obj := &elf.Object{Version: sbpf.V0, Text: p.Text, ROData: p.ROData, Entry: p.Entry, CallTargets: p.Functions,
		Functions: map[string]int{"entrypoint": p.Entry}, Exports: exports,
		SyscallName: func(h uint32) (string, bool) { n, ok := p.SyscallNames[h]; return n, ok }}
	for _, x := range exports {
		obj.Functions[x] = p.Labels[x]
	}
	return elf.Write(obj)
}

// memState is an in-memory account reader.
type memState map[pubkey.Pubkey]account.Account

func (s memState) Account(k pubkey.Pubkey) (account.Account, error) { return s[k].Clone(), nil }

// ModuleBench is the chain state and transactions of ModuleRow.
type ModuleBench struct {
	ex    *svm.Executor
	env   *svm.Env
	st    memState
	txs   map[string]*txn.Transaction
	Calls int
}

// calleeSeed is the doubling callee's program id.
var calleeSeed = [32]byte{0xCA}

// NewModuleBench deploys the callee and the three callers (module, cpi,
// none) on an in-memory state with Agora's runtime.
func NewModuleBench(calls int) (*ModuleBench, error) {
	ex, err := ext.NewExecutor()
	if err != nil {
		return nil, err
	}
	st := memState{}
	for _, k := range ex.NativePrograms() {
		st[k] = account.Account{Lamports: 1, Owner: pubkey.NativeLoader(), Executable: true}
	}
	sv := sysvar.Set{Rent: sysvar.DefaultRent(), EpochSchedule: sysvar.DefaultEpochSchedule(), Clock: sysvar.Clock{Slot: 7}}
	for _, a := range sv.Accounts() {
		st[a.Key] = account.Account{Lamports: 1_000_000, Data: a.Data, Owner: pubkey.SysvarOwner()}
	}
	rent := sysvar.DefaultRent()
	deploy := func(id pubkey.Pubkey, b []byte) error {
		if err := ex.VerifyDeployment(b); err != nil {
			return err
		}
		p, pd := svm.UpgradeableProgramAccounts(id, b, 0, nil, rent.MinimumBalance)
		st[p.Key], st[pd.Key] = p.Account, pd.Account
		return nil
	}
	callee := pubkey.Pubkey(calleeSeed)
	b, err := buildELF(doublerSource, "double")
	if err != nil {
		return nil, err
	}
	if err := deploy(callee, b); err != nil {
		return nil, err
	}
	payer := ed25519.NewKeyFromSeed(make([]byte, 32))
	st[txn.PubkeyOf(payer)] = account.Account{Lamports: 1 << 40}
	mb := &ModuleBench{ex: ex, st: st, txs: map[string]*txn.Transaction{}, Calls: calls}
	mb.env = &svm.Env{Slot: 7, Sysvars: sv, Programs: svm.NewProgramCache(ex).Source(st)}
	for i, how := range []string{"module", "cpi", "none"} {
		b, err := buildELF(callerSource(how, calls))
		if err != nil {
			return nil, fmt.Errorf("%s caller: %w", how, err)
		}
		id := pubkey.Pubkey{0xC0, byte(i)}
		if err := deploy(id, b); err != nil {
			return nil, fmt.Errorf("%s caller: %w", how, err)
		}
		m, err := txn.Compile(txn.PubkeyOf(payer), []txn.Instruction{
			{ProgramID: id, Accounts: []txn.AccountMeta{{Pubkey: callee}}},
		}, txn.Hash{1})
		if err != nil {
			return nil, err
		}
		tx, err := txn.Sign(m, payer)
		if err != nil {
			return nil, err
		}
		mb.txs[how] = tx
	}
	return mb, nil
}

// Run executes one caller's transaction ("module", "cpi" or "none") and
// returns its CU and the sum it returned.
func (mb *ModuleBench) Run(how string) (uint64, uint64, error) {
	res := mb.ex.Execute(mb.txs[how], mb.st, mb.env)
	if res.Err != nil {
		return 0, 0, fmt.Errorf("%s: %v\n%s", how, res.Err, strings.Join(res.Logs, "\n"))
	}
	if len(res.ReturnData) != 8 {
		return 0, 0, fmt.Errorf("%s: return data %x, want the 8-byte sum", how, res.ReturnData)
	}
	return res.CU, binary.LittleEndian.Uint64(res.ReturnData), nil
}

// MeasureModules runs the three transactions alternately for rounds
// rounds of about roundTime each and returns the per-call figures, the
// baseline loop's CU and time subtracted from both.
func MeasureModules(calls, rounds int, roundTime time.Duration) (ModuleRow, error) {
	mb, err := NewModuleBench(calls)
	if err != nil {
		return ModuleRow{}, err
	}
	row := ModuleRow{Calls: calls}
	sums := map[string]uint64{}
	cus := map[string]uint64{}
	for _, how := range []string{"module", "cpi", "none"} {
		cu, sum, err := mb.Run(how)
		if err != nil {
			return row, err
		}
		cus[how], sums[how] = cu, sum
	}
	if sums["module"] != sums["cpi"] || sums["module"] != sums["none"] {
		return row, fmt.Errorf("the callers disagree: module %d, cpi %d, loop %d", sums["module"], sums["cpi"], sums["none"])
	}
	ns := map[string][]float64{}
	for range rounds {
		for _, how := range []string{"module", "cpi", "none"} {
			n := 0
			start := time.Now()
			for time.Since(start) < roundTime || n == 0 {
				if _, _, err := mb.Run(how); err != nil {
					return row, err
				}
				n++
			}
			ns[how] = append(ns[how], float64(time.Since(start).Nanoseconds())/float64(n))
		}
	}
	med := func(v []float64) float64 { slices.Sort(v); return v[len(v)/2] }
	base := med(ns["none"])
	row.ModuleTxCU, row.CPITxCU, row.BaselineTxCU = cus["module"], cus["cpi"], cus["none"]
	row.ModuleCU = (cus["module"] - cus["none"]) / uint64(calls)
	row.CPICU = (cus["cpi"] - cus["none"]) / uint64(calls)
	row.ModuleNs = max(med(ns["module"])-base, 0) / float64(calls)
	row.CPINs = max(med(ns["cpi"])-base, 0) / float64(calls)
	if row.ModuleCU > 0 {
		row.CURatio = float64(row.CPICU) / float64(row.ModuleCU)
	}
	if row.ModuleNs > 0 {
		row.TimeRatio = row.CPINs / row.ModuleNs
	}
	return row, nil
}
