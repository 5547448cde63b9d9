package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"strings"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/ext/lanes"
	"github.com/agora-vm/agora/ovsm"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/feature"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/sysvar"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/vm"
)

// accountReport is one account after the instruction, in --json output.
type accountReport struct {
	Pubkey     string `json:"pubkey"`
	Lamports   uint64 `json:"lamports"`
	Owner      string `json:"owner"`
	Executable bool   `json:"executable"`
	DataBase64 string `json:"data_base64"`
	Changed    bool   `json:"changed"`
}

// instructionReport extends runReport for --accounts runs.
type instructionReport struct {
	runReport
	ProgramID string          `json:"program_id"`
	Accounts  []accountReport `json:"accounts"`
	// ReturnData is set when the program left return data.
	ReturnData *returnData `json:"return_data,omitempty"`
}

// returnData is the program that set return data and the bytes.
type returnData struct {
	ProgramID string `json:"program_id"`
	Data      string `json:"data"`
}

// standaloneEnv is the block a standalone instruction or conformance case
// runs in: slot 0, the default rent and epoch schedule, a zero clock (as
// LiteSVM starts), and the given programs.
func standaloneEnv(p svm.ProgramSource, features feature.Set) *svm.Env {
	return &svm.Env{Sysvars: sysvar.Set{Rent: sysvar.DefaultRent(), EpochSchedule: sysvar.DefaultEpochSchedule()}, Programs: p, Features: features}
}

// fileProgram serves the program read from the command line, and the
// programs the accounts file holds for cross-program invocations: an
// executable account of a BPF loader whose data is the ELF (or, for the
// upgradeable loader, whose ProgramData account the file also holds).
type fileProgram struct {
	id     pubkey.Pubkey
	exe    vm.Runnable
	others svm.ProgramSource // nil: no other program
}

func (p fileProgram) Executable(key pubkey.Pubkey, acct *account.Account, heapBytes int) (vm.Runnable, error) {
	if key != p.id {
		if p.others == nil {
			return nil, svm.ErrNotProgram
		}
		return p.others.Executable(key, acct, heapBytes)
	}
	if heapBytes == p.exe.Config().HeapSize {
		return p.exe, nil
	}
	cfg := p.exe.Config()
	cfg.HeapSize = heapBytes
	return vm.Interpreter{}.Prepare(p.exe.Program(), p.exe.Registry(), cfg)
}

// runInstruction runs a program as one Solana instruction: the accounts
// document and instruction data are serialized into the input region in
// Solana's aligned layout, and after the program returns the accounts are
// written back with the runtime's checks.
// instructionRun is an --accounts run prepared for the runtime.
type instructionRun struct {
	ex        *svm.Executor
	sx        *svm.Instruction
	exe       vm.Runnable
	cfg       vm.Config
	programID [32]byte
	before    []abi.Account
	features  feature.Set
	span      *spanProgram // set by execute
	others    svm.ProgramSource
}

// prepareInstruction reads the accounts document and instruction data and
// prepares the program for the runtime.
func prepareInstruction(l *loaded, f *runFlags) (*instructionRun, error) {
	doc, err := readFileLimited(f.accounts)
	if err != nil {
		return nil, usageErr("--accounts: %w", err)
	}
	inputs, err := abi.ParseAccountsJSON(doc)
	if err != nil {
		return nil, usageErr("--accounts %s: %w", f.accounts, err)
	}
	data, err := parseHex(f.data)
	if err != nil {
		return nil, usageErr("--data: %v", err)
	}
	if f.dataJSON != "" {
		if data, err = encodeDataJSON(f.dataJSON); err != nil {
			return nil, err
		}
	}
	programID, err := abi.ParseKey(f.programID)
	if err != nil {
		return nil, usageErr("--program-id: %v", err)
	}
	before, ix, err := abi.Build(programID, inputs, data)
	if err != nil {
		return nil, usageErr("--accounts %s: %w", f.accounts, err)
	}
	ex, err := newExecutor()
	if err != nil {
		return nil, err
	}
	// The runtime logs nothing of the engine here; a program the compiler
	// refuses still runs, on the interpreter.
	engine, err := newEngine(f.engine, io.Discard, nil)
	if err != nil {
		return nil, err
	}
	ex.Engine = engine
	heap := max(f.heap, l.heapSize)
	cfg := vm.DefaultConfig()
	cfg.HeapSize = heap
	exe, err := engine.Prepare(l.program, ex.Registry(), cfg)
	if err != nil {
		return nil, &exitError{code: exitBadCall, err: err}
	}
	sx := &svm.Instruction{
		ProgramID: programID,
		// The file is the program; its account only says it is one.
		ProgramAccount: account.Account{Lamports: 1, Owner: pubkey.BPFLoader(), Executable: true},
		Data:           ix.Data, Budget: f.budget, HeapBytes: heap,
	}
	for _, m := range ix.Accounts {
		a := before[m.Index]
		sx.Accounts = append(sx.Accounts, svm.InstructionAccount{
			Key:     a.Key,
			Account: chainAccount(a),
			Signer:  m.Signer, Writable: m.Writable,
		})
	}
	features, err := feature.Parse(f.features)
	if err != nil {
		return nil, usageErr("--features: %w", err)
	}
	others := svm.NewProgramCache(ex).Source(docAccounts(before))
	return &instructionRun{ex: ex, sx: sx, exe: exe, cfg: cfg, programID: programID, before: before, features: features, others: others}, nil
}

// execute runs the instruction; with rec set, the program's run is
// recorded into rec.
func (ir *instructionRun) execute(rec *recordedProgram) *svm.InstructionResult {
	var prog svm.ProgramSource = ir.program()
	if rec != nil {
		rec.fileProgram = ir.program()
		prog = rec
	}
	ir.span = &spanProgram{src: prog}
	return ir.ex.ExecuteInstruction(ir.sx, standaloneEnv(ir.span, ir.features))
}

// program serves the instruction's program and the file's others.
func (ir *instructionRun) program() fileProgram {
	return fileProgram{id: ir.programID, exe: ir.exe, others: ir.others}
}

// chainAccount is an accounts-file entry's state as the runtime holds it.
func chainAccount(a abi.Account) account.Account {
	return account.Account{Lamports: a.Lamports, Data: a.Data, Owner: a.Owner, Executable: a.Executable, RentEpoch: a.RentEpoch}
}

// docAccounts reads the accounts of the accounts file, for the programs
// it holds (an upgradeable program's ProgramData account).
type docAccounts []abi.Account

func (d docAccounts) Account(key pubkey.Pubkey) (account.Account, error) {
	for _, a := range d {
		if a.Key == key {
			return chainAccount(a), nil
		}
	}
	return account.Account{}, fmt.Errorf("account %s is not in the accounts file", pubkey.Pubkey(key))
}

// spanProgram serves the program and remembers, of its first (top-level)
// run, the CU the run consumed and its critical path over parallel lanes
// (ext/lanes): what `cu_span` reports.
type spanProgram struct {
	src      svm.ProgramSource
	runs     int
	cu, span uint64
}

func (p *spanProgram) Executable(key pubkey.Pubkey, acct *account.Account, heapBytes int) (vm.Runnable, error) {
	exe, err := p.src.Executable(key, acct, heapBytes)
	if err != nil {
		return nil, err
	}
	return spanRunnable{exe, p}, nil
}

type spanRunnable struct {
	vm.Runnable
	p *spanProgram
}

func (r spanRunnable) Run(m *vm.Machine, opts vm.RunOptions) vm.Result {
	if m == nil {
		m = vm.NewMachine()
	}
	res := r.Runnable.Run(m, opts)
	if r.p.runs == 0 {
		r.p.cu, r.p.span = res.CU, lanes.Span(m, res.CU)
	}
	r.p.runs++
	return res
}

// cuSpan is the instruction's critical path: its CU less what parallel
// lanes of the top-level run consumed beside the longest chain.
func (ir *instructionRun) cuSpan(cu uint64) *uint64 {
	if ir.span == nil || ir.span.runs == 0 || ir.span.cu-ir.span.span > cu {
		return nil
	}
	v := cu - (ir.span.cu - ir.span.span)
	return &v
}

func runInstruction(s *streams, l *loaded, f *runFlags) error {
	ir, err := prepareInstruction(l, f)
	if err != nil {
		return reportLoadError(s, f.json, err)
	}
	var rec *recordedProgram
	if f.record != "" || f.profile != "" {
		if rec, err = newRecordedProgram(l, ir); err != nil {
			return reportLoadError(s, f.json, err)
		}
	}
	res := ir.execute(rec)
	if rec != nil {
		if err := rec.write(f.record, f.profile); err != nil {
			return reportLoadError(s, f.json, err)
		}
	}
	before, programID := ir.before, ir.programID
	after := make([]abi.Account, len(res.Accounts))
	for i, a := range res.Accounts {
		after[i] = abi.Account{Key: a.Key, Owner: a.Account.Owner, Lamports: a.Account.Lamports, Data: a.Account.Data, Executable: a.Account.Executable, RentEpoch: a.Account.RentEpoch}
	}
	var failure error
	if res.Err != nil {
		failure = res.Err
	}

	rep := instructionReport{
		runReport: runReport{OK: failure == nil, CU: res.CU, CUSpan: ir.cuSpan(res.CU), Logs: res.Logs},
		ProgramID: abi.EncodeKey(programID),
		Accounts:  []accountReport{},
	}
	if rep.Logs == nil {
		rep.Logs = []string{}
	}
	if failure != nil {
		rep.Error = &errorField{Kind: res.Err.String(), Message: failure.Error(), PC: -1}
	}
	if len(res.ReturnData) > 0 {
		rep.ReturnData = &returnData{ProgramID: res.ReturnProgram.String(), Data: base64.StdEncoding.EncodeToString(res.ReturnData)}
	}
	changed := map[int]bool{}
	for _, c := range abi.Diff(before, after) {
		changed[c.Index] = true
	}
	for i, a := range after {
		rep.Accounts = append(rep.Accounts, accountReport{
			Pubkey: abi.EncodeKey(a.Key), Lamports: a.Lamports, Owner: abi.EncodeKey(a.Owner),
			Executable: a.Executable, DataBase64: base64.StdEncoding.EncodeToString(a.Data), Changed: changed[i],
		})
	}
	if f.json {
		if err := writeJSON(s, rep); err != nil {
			return err
		}
	} else {
		for _, line := range rep.Logs {
			fmt.Fprintln(s.out, line)
		}
		for _, c := range abi.Diff(before, after) {
			fmt.Fprintf(s.out, "account %s:", abi.EncodeKey(c.Key))
			if c.LamportsChanged() {
				fmt.Fprintf(s.out, " lamports %d -> %d", c.LamportsBefore, c.LamportsAfter)
			}
			if c.OwnerChanged() {
				fmt.Fprintf(s.out, " owner %s -> %s", abi.EncodeKey(c.OwnerBefore), abi.EncodeKey(c.OwnerAfter))
			}
			if c.DataChanged() {
				fmt.Fprintf(s.out, " data %x -> %x", c.DataBefore, c.DataAfter)
			}
			fmt.Fprintln(s.out)
		}
		if failure == nil {
			fmt.Fprintf(s.out, "ok: %d compute units\n", res.CU)
		} else {
			fmt.Fprintf(s.out, "failed: %s: %v (%d compute units)\n", rep.Error.Kind, failure, res.CU)
		}
	}
	if failure != nil {
		return &exitError{code: exitFault}
	}
	return nil
}

// encodeDataJSON encodes a --data-json argument: a JSON object in OVSM's
// structured encoding, given inline or, as @FILE, in a file.
func encodeDataJSON(arg string) ([]byte, error) {
	doc := []byte(arg)
	if name, ok := strings.CutPrefix(arg, "@"); ok {
		b, err := readFileLimited(name)
		if err != nil {
			return nil, usageErr("--data-json: %w", err)
		}
		doc = b
	}
	data, err := ovsm.EncodeData(doc)
	if err != nil {
		return nil, usageErr("--data-json: %v", err)
	}
	return data, nil
}
