package main

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/ovsm"
	"github.com/agora-vm/agora/syscalls"
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
}

// runInstruction runs a program as one Solana instruction: the accounts
// document and instruction data are serialized into the input region in
// Solana's aligned layout, and after the program returns the accounts are
// written back with the runtime's checks.
func runInstruction(s *streams, l *loaded, f *runFlags) error {
	doc, err := readFileLimited(f.accounts)
	if err != nil {
		return reportLoadError(s, f.json, usageErr("--accounts: %w", err))
	}
	inputs, err := abi.ParseAccountsJSON(doc)
	if err != nil {
		return reportLoadError(s, f.json, usageErr("--accounts %s: %w", f.accounts, err))
	}
	data, err := parseHex(f.data)
	if err != nil {
		return reportLoadError(s, f.json, usageErr("--data: %v", err))
	}
	if f.dataJSON != "" {
		if data, err = ovsm.EncodeData([]byte(f.dataJSON)); err != nil {
			return reportLoadError(s, f.json, usageErr("--data-json: %v", err))
		}
	}
	programID, err := abi.ParseKey(f.programID)
	if err != nil {
		return reportLoadError(s, f.json, usageErr("--program-id: %v", err))
	}
	before, ix, err := abi.Build(programID, inputs, data)
	if err != nil {
		return reportLoadError(s, f.json, usageErr("--accounts %s: %w", f.accounts, err))
	}
	input, layout, err := abi.Serialize(before, ix)
	if err != nil {
		return reportLoadError(s, f.json, usageErr("%w", err))
	}
	cfg := vm.DefaultConfig()
	cfg.HeapSize = max(f.heap, l.heapSize)
	exe, err := vm.Interpreter{}.Prepare(l.program, l.registry, cfg)
	if err != nil {
		return reportLoadError(s, f.json, &exitError{code: exitBadCall, err: err})
	}
	ctx := syscalls.NewContext(programID)
	pid := abi.EncodeKey(programID)
	ctx.Log(fmt.Sprintf("Program %s invoke [1]", pid))
	res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: input, Budget: f.budget, Context: ctx})

	// The instruction's outcome: a VM fault, a nonzero return value, or a
	// write-back that breaks the runtime's rules all fail it; only success
	// changes the accounts.
	after := before
	failure := res.Err
	if failure == nil {
		failure = abi.Status(res.R0)
	}
	if failure == nil {
		after, failure = abi.Deserialize(input, layout)
		if failure != nil {
			after = before
		}
	}
	ctx.Log(fmt.Sprintf("Program %s consumed %d of %d compute units", pid, res.CU, f.budget))
	if failure == nil {
		ctx.Log(fmt.Sprintf("Program %s success", pid))
	} else {
		ctx.Log(fmt.Sprintf("Program %s failed: %v", pid, failure))
	}

	rep := instructionReport{
		runReport: runReport{OK: failure == nil, CU: res.CU, Logs: ctx.Messages()},
		ProgramID: pid,
		Accounts:  []accountReport{},
	}
	if res.Err == nil {
		r0 := res.R0
		rep.R0 = &r0
	}
	if failure != nil {
		rep.Error = &errorField{Kind: vm.ErrorKindOf(failure), Message: failure.Error(), PC: -1}
		var ve *vm.Error
		if errors.As(failure, &ve) {
			rep.Error.PC = ve.PC
		}
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
			fmt.Fprintf(s.out, "ok: r0 = %d, %d compute units\n", res.R0, res.CU)
		} else {
			fmt.Fprintf(s.out, "failed: %s: %v (%d compute units)\n", rep.Error.Kind, failure, res.CU)
		}
	}
	if failure != nil {
		return &exitError{code: exitFault}
	}
	return nil
}
