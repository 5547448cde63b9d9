package bench

import (
	"fmt"
	"time"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/ext/ring"
	"github.com/agora-vm/agora/ext/txmem"
	"github.com/agora-vm/agora/internal/timing"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// The proposal's tables for transactional memory (part 1) and message
// passing (part 6), reproduced: each ExtRow is one job done with the
// extension and, in the same run, without it. Every program runs as a
// Solana instruction over accounts serialized by package abi, repeats
// its job Jobs times per run (so that a run's fixed cost does not
// dominate), and returns 0 when every job succeeded. Figures are per job.

// ExtCase is one way of doing a row's job.
type ExtCase struct {
	Label  string
	Source string // sBPF assembly (V0), with the txmem and ring mnemonics
	// Input returns a fresh input. Timed runs reuse one input: the jobs
	// are designed so that repeating them leaves it valid.
	Input func() []byte
	Jobs  int
	// R0 is what a run must return (0: every job succeeded).
	R0 uint64
}

// ExtRow is one row of the proposal's tables.
type ExtRow struct {
	Name string
	// Claim is the proposal's figure for the row.
	Claim string
	With  ExtCase
	// Without are the ways of doing the same job without the extension,
	// the first being the one the row's ratio is quoted against.
	Without []ExtCase
}

// Rows' parameters.
const (
	extJobs      = 100
	payAmount    = 1
	bigAmount    = 1 << 40 // more than the last payer of the retry rows holds
	richBalance  = 1 << 50
	poorBalance  = 1 << 39
	ringCapacity = 64
	priceMsgSize = 32
)

// ExtRegistry returns the standard syscalls with ext/txmem and ext/ring.
func ExtRegistry() (*vm.Registry, error) {
	reg := syscalls.NewRegistry()
	if err := txmem.Register(reg); err != nil {
		return nil, err
	}
	if err := ring.Register(reg); err != nil {
		return nil, err
	}
	return reg, nil
}

// extAliases are the mnemonics of both families.
func extAliases() map[string]string {
	a := txmem.Aliases()
	for k, v := range ring.Aliases() {
		a[k] = v
	}
	return a
}

// accountsInput serializes n writable accounts owned by the program,
// each with dataLen bytes of data and richBalance lamports, except that
// with poorPayer account n-2 (the last payer) has poorBalance, and
// returns the input, the lamports offset of the first account and the
// distance between consecutive accounts.
func accountsInput(n int, poorPayer bool, dataLen int) (input []byte, lamports0, stride int) {
	prog := [32]byte{1}
	accts := make([]abi.Account, n)
	metas := make([]abi.AccountMeta, n)
	for i := range accts {
		accts[i] = abi.Account{Key: [32]byte{2, byte(i)}, Owner: prog, Lamports: richBalance, Data: make([]byte, dataLen)}
		metas[i] = abi.AccountMeta{Index: i, Writable: true}
	}
	if poorPayer && n >= 2 {
		accts[n-2].Lamports = poorBalance
	}
	input, layout, err := abi.Serialize(accts, &abi.Instruction{ProgramID: prog, Accounts: metas})
	if err != nil {
		panic(err) // the parameters are constants of this file
	}
	if n > 1 {
		stride = layout.Entry(1).Offset - layout.Entry(0).Offset
	}
	return input, layout.Entry(0).LamportsOffset, stride
}

// extProgram wraps body, which does one job (r6 = input, r9 = jobs left,
// a failed job jumps to fail), in the job loop.
func extProgram(jobs int, body string) string {
	return fmt.Sprintf(`
    mov64 r6, r1
    mov64 r9, %d
job:
%s
    sub64 r9, 1
    jne r9, 0, job
    mov64 r0, 0
    exit
fail:
    mov64 r0, 1
    exit`, jobs, body)
}

// Collecting from payers: each of accounts 0..n-2 pays amount (r8)
// lamports to account n-1, failing when one holds less.

// collectTx debits as it goes inside a transaction and aborts on a
// shortfall (abortTo names where to go after the abort).
func collectTx(lamports0, stride, payers int, abortTo string) string {
	return fmt.Sprintf(`
    tx_begin
    mov64 r2, r6
    add64 r2, %d
    mov64 r3, %d
    mov64 r4, 0
pay:
    ldxdw r5, [r2+0]
    jlt r5, r8, short
    sub64 r5, r8
    stxdw [r2+0], r5
    add64 r4, r8
    add64 r2, %d
    sub64 r3, 1
    jne r3, 0, pay
    ldxdw r5, [r2+0]
    add64 r5, r4
    stxdw [r2+0], r5
    tx_commit
    ja done
short:
    tx_abort
    ja %s
done:`, lamports0, payers, stride, abortTo)
}

// collectValidate checks every payer first and then applies.
func collectValidate(lamports0, stride, payers int, shortTo string) string {
	return fmt.Sprintf(`
    mov64 r2, r6
    add64 r2, %[1]d
    mov64 r3, %[2]d
check:
    ldxdw r5, [r2+0]
    jlt r5, r8, %[4]s
    add64 r2, %[3]d
    sub64 r3, 1
    jne r3, 0, check
    mov64 r2, r6
    add64 r2, %[1]d
    mov64 r3, %[2]d
    mov64 r4, 0
pay:
    ldxdw r5, [r2+0]
    sub64 r5, r8
    stxdw [r2+0], r5
    add64 r4, r8
    add64 r2, %[3]d
    sub64 r3, 1
    jne r3, 0, pay
    ldxdw r5, [r2+0]
    add64 r5, r4
    stxdw [r2+0], r5`, lamports0, payers, stride, shortTo)
}

// collectUndo debits as it goes, saving each old balance on the stack,
// and on a shortfall restores the ones written: an undo log in bytecode.
func collectUndo(lamports0, stride, payers int, undoneTo string) string {
	return fmt.Sprintf(`
    mov64 r2, r6
    add64 r2, %[1]d
    mov64 r3, %[2]d
    mov64 r4, 0
    mov64 r7, r10
pay:
    ldxdw r5, [r2+0]
    jlt r5, r8, short
    add64 r7, -8
    stxdw [r7+0], r5
    sub64 r5, r8
    stxdw [r2+0], r5
    add64 r4, r8
    add64 r2, %[3]d
    sub64 r3, 1
    jne r3, 0, pay
    ldxdw r5, [r2+0]
    add64 r5, r4
    stxdw [r2+0], r5
    ja done
short:
    jeq r7, r10, %[4]s
    add64 r2, -%[3]d
    ldxdw r5, [r7+0]
    stxdw [r2+0], r5
    add64 r7, 8
    ja short
done:`, lamports0, payers, stride, undoneTo)
}

// collectRow is an n-account atomic update: n-1 payers and a payee.
func collectRow(n int, claim string) ExtRow {
	input := func() []byte { in, _, _ := accountsInput(n, false, 8); return in }
	_, l0, stride := accountsInput(n, false, 8)
	amount := fmt.Sprintf("    mov64 r8, %d\n", payAmount)
	return ExtRow{
		Name:  fmt.Sprintf("%d-account atomic update", n),
		Claim: claim,
		With:  ExtCase{Label: "tx_begin … tx_commit", Source: extProgram(extJobs, amount+collectTx(l0, stride, n-1, "fail")), Input: input, Jobs: extJobs},
		Without: []ExtCase{
			{Label: "validate first", Source: extProgram(extJobs, amount+collectValidate(l0, stride, n-1, "fail")), Input: input, Jobs: extJobs},
			{Label: "undo log in bytecode", Source: extProgram(extJobs, amount+collectUndo(l0, stride, n-1, "fail")), Input: input, Jobs: extJobs},
		},
	}
}

// retryRow: the first attempt asks every payer for more than the last one
// holds, fails there (after n-2 debits), and is retried with less.
func retryRow(n int, claim string) ExtRow {
	input := func() []byte { in, _, _ := accountsInput(n, true, 8); return in }
	_, l0, stride := accountsInput(n, true, 8)
	// r1 counts the attempts (syscalls leave r1-r5 as they were).
	first := fmt.Sprintf("    lddw r8, %d\n    mov64 r1, 0\nattempt:\n", uint64(bigAmount))
	retry := fmt.Sprintf(`
retry:
    jne r1, 0, fail
    mov64 r1, 1
    mov64 r8, %d
    ja attempt
done2:`, payAmount)
	// Each body jumps to retry on its first shortfall and to done (its
	// own label at the end) on success; retry comes after, so success
	// must skip it.
	wrap := func(body string) string {
		return first + body + "\n    ja done2\n" + retry
	}
	return ExtRow{
		Name:  fmt.Sprintf("abort and retry (%d accounts)", n),
		Claim: claim,
		With:  ExtCase{Label: "tx_abort, retry", Source: extProgram(extJobs, wrap(collectTx(l0, stride, n-1, "retry"))), Input: input, Jobs: extJobs},
		Without: []ExtCase{
			{Label: "validate first, retry", Source: extProgram(extJobs, wrap(collectValidate(l0, stride, n-1, "retry"))), Input: input, Jobs: extJobs},
			{Label: "undo log in bytecode, retry", Source: extProgram(extJobs, wrap(collectUndo(l0, stride, n-1, "retry"))), Input: input, Jobs: extJobs},
		},
	}
}

// Message passing: a 32-byte price message (its first word the job
// number) sent and received through account 0's data.

// ringInput is one account whose data holds an empty ring (or, for the
// baselines, zeros of the same size), and the data's offset.
func ringInput(formatted bool) (func() []byte, int) {
	size, _ := ring.Size(ringCapacity, priceMsgSize)
	in, l0, _ := accountsInput(1, false, int(size))
	dataOff := l0 + 16 // lamports, data length, data
	return func() []byte {
		b := append([]byte(nil), in...)
		if formatted {
			if _, err := ring.Format(b[dataOff:dataOff+int(size)], ringCapacity, priceMsgSize, 1); err != nil {
				panic(err)
			}
		}
		return b
	}, dataOff
}

// writeMsg puts the job's message at r10-64.
const writeMsg = `
    stxdw [r10-64], r9
    stdw [r10-56], 150000
    stdw [r10-48], 7
    lddw r2, 0x4453552f4c4f53
    stxdw [r10-40], r2`

const ringSendReceive = writeMsg + `
    mov64 r1, r7
    mov64 r2, r10
    add64 r2, -64
    mov64 r3, 32
    ring_push
    jne r0, 0, fail
    mov64 r1, r7
    mov64 r2, 0
    mov64 r3, r10
    add64 r3, -32
    mov64 r4, 32
    ring_pop
    jne r0, 32, fail
    ldxdw r2, [r10-32]
    jne r2, r9, fail`

// bytecodeRing is the same queue as ext/ring's, written in sBPF over the
// account's data: head at 0, cursor at 8, slots of {seq, len, 32 bytes}
// from 16; push checks for room, pop checks emptiness and the slot.
var bytecodeRing = writeMsg + fmt.Sprintf(`
    ldxdw r2, [r7+0]
    ldxdw r3, [r7+8]
    mov64 r4, r2
    sub64 r4, r3
    jge r4, %[1]d, fail
    mov64 r4, r2
    mod64 r4, %[1]d
    mul64 r4, 48
    add64 r4, r7
    stxdw [r4+16], r2
    stdw [r4+24], 32
    ldxdw r5, [r10-64]
    stxdw [r4+32], r5
    ldxdw r5, [r10-56]
    stxdw [r4+40], r5
    ldxdw r5, [r10-48]
    stxdw [r4+48], r5
    ldxdw r5, [r10-40]
    stxdw [r4+56], r5
    add64 r2, 1
    stxdw [r7+0], r2
    ldxdw r2, [r7+8]
    ldxdw r3, [r7+0]
    jeq r2, r3, fail
    mov64 r4, r2
    mod64 r4, %[1]d
    mul64 r4, 48
    add64 r4, r7
    ldxdw r5, [r4+16]
    jne r5, r2, fail
    ldxdw r5, [r4+24]
    jgt r5, 32, fail
    ldxdw r5, [r4+32]
    stxdw [r10-32], r5
    ldxdw r5, [r4+40]
    stxdw [r10-24], r5
    ldxdw r5, [r4+48]
    stxdw [r10-16], r5
    ldxdw r5, [r4+56]
    stxdw [r10-8], r5
    add64 r2, 1
    stxdw [r7+8], r2
    ldxdw r2, [r10-32]
    jne r2, r9, fail`, ringCapacity)

// messageSlot serializes the message into the account's data (a length
// and the bytes) and reads it back: one message, no queue.
const messageSlot = writeMsg + `
    stdw [r7+0], 32
    ldxdw r5, [r10-64]
    stxdw [r7+8], r5
    ldxdw r5, [r10-56]
    stxdw [r7+16], r5
    ldxdw r5, [r10-48]
    stxdw [r7+24], r5
    ldxdw r5, [r10-40]
    stxdw [r7+32], r5
    ldxdw r5, [r7+0]
    jne r5, 32, fail
    ldxdw r5, [r7+8]
    stxdw [r10-32], r5
    ldxdw r5, [r7+16]
    stxdw [r10-24], r5
    ldxdw r5, [r7+24]
    stxdw [r10-16], r5
    ldxdw r5, [r7+32]
    stxdw [r10-8], r5
    ldxdw r2, [r10-32]
    jne r2, r9, fail`

func ringRow() ExtRow {
	formatted, dataOff := ringInput(true)
	zeros, _ := ringInput(false)
	setR7 := fmt.Sprintf("    mov64 r7, r6\n    add64 r7, %d\n", dataOff)
	prog := func(body string) string {
		// r7 (the data) is set once, before the job loop.
		return fmt.Sprintf(`
    mov64 r6, r1
%s    mov64 r9, %d
job:
%s
    sub64 r9, 1
    jne r9, 0, job
    mov64 r0, 0
    exit
fail:
    mov64 r0, 1
    exit`, setR7, extJobs, body)
	}
	return ExtRow{
		Name:  "send + receive a message",
		Claim: "10× send (2,000 → 200 CU), 15× receive (1,500 → 100 CU)",
		With:  ExtCase{Label: "ring_push + ring_pop", Source: prog(ringSendReceive), Input: formatted, Jobs: extJobs},
		Without: []ExtCase{
			{Label: "message slot in an account", Source: prog(messageSlot), Input: zeros, Jobs: extJobs},
			{Label: "ring in bytecode", Source: prog(bytecodeRing), Input: zeros, Jobs: extJobs},
		},
	}
}

// ExtRows returns the reproduced rows: the two- and ten-account atomic
// updates, abort and retry, and message passing.
func ExtRows() []ExtRow {
	return []ExtRow{
		collectRow(2, "10× (5,000 → 500 CU, against CPI)"),
		collectRow(10, "25× (25,000 → 1,000 CU, against CPI)"),
		retryRow(10, "50× (10,000 → 200 CU)"),
		ringRow(),
	}
}

// PreparedExt is a case assembled and checked.
type PreparedExt struct {
	Case ExtCase
	Exe  vm.Runnable
	// CUPerJob is the compute units of one run over its jobs.
	CUPerJob float64
	input    []byte
	m        *vm.Machine
}

// PrepareExt assembles c against reg and runs it once: it must return
// c.R0.
func PrepareExt(reg *vm.Registry, c ExtCase) (*PreparedExt, error) {
	p, err := asm.Assemble(c.Source, sbpf.V0, &asm.Options{Aliases: extAliases()})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Label, err)
	}
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), reg, vm.DefaultConfig())
	if err != nil {
		return nil, err
	}
	pe := &PreparedExt{Case: c, Exe: exe, input: c.Input(), m: vm.NewMachine()}
	res := pe.Run()
	if res.Err != nil || res.R0 != c.R0 {
		return nil, fmt.Errorf("%s: r0 = %d (want %d), %v", c.Label, res.R0, c.R0, res.Err)
	}
	pe.CUPerJob = float64(res.CU) / float64(c.Jobs)
	return pe, nil
}

// Run executes the case once on its input.
func (p *PreparedExt) Run() vm.Result {
	return p.Exe.Run(p.m, vm.RunOptions{Input: p.input, Budget: 1 << 40})
}

// NsPerJob times the case for about d and returns ns per job.
func (p *PreparedExt) NsPerJob(d time.Duration) float64 {
	return timing.PerOp(d, func() { p.Run() }) / float64(p.Case.Jobs)
}

// ExtFigure is a measured case of a row.
type ExtFigure struct {
	Row      string  `json:"row"`
	Case     string  `json:"case"`
	CUPerJob float64 `json:"cu_per_job"`
	NsPerJob float64 `json:"ns_per_job"`
	// CURatio and TimeRatio are this case's figure over the row's
	// extension case: how many times cheaper the extension is (1 for the
	// extension case itself).
	CURatio   float64 `json:"cu_ratio"`
	TimeRatio float64 `json:"time_ratio"`
}

// MeasureExt measures every case of row against reg, alternately, rounds
// times for roundTime each, and reports the medians.
func MeasureExt(reg *vm.Registry, row ExtRow, rounds int, roundTime time.Duration) ([]ExtFigure, error) {
	cases := append([]ExtCase{row.With}, row.Without...)
	prepared := make([]*PreparedExt, len(cases))
	for i, c := range cases {
		p, err := PrepareExt(reg, c)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", row.Name, err)
		}
		prepared[i] = p
	}
	times := make([][]float64, len(cases))
	for range max(rounds, 1) {
		for i, p := range prepared {
			times[i] = append(times[i], p.NsPerJob(roundTime))
		}
	}
	out := make([]ExtFigure, len(cases))
	for i, p := range prepared {
		out[i] = ExtFigure{Row: row.Name, Case: p.Case.Label, CUPerJob: p.CUPerJob, NsPerJob: timing.Median(times[i])}
	}
	for i := range out {
		out[i].CURatio = out[i].CUPerJob / out[0].CUPerJob
		out[i].TimeRatio = out[i].NsPerJob / out[0].NsPerJob
	}
	return out, nil
}
