package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/trace"
	"github.com/agora-vm/agora/trace/debug"
	"github.com/agora-vm/agora/verify/deep"
	"github.com/agora-vm/agora/verify/econ"
	"github.com/agora-vm/agora/verify/symex"
	"github.com/agora-vm/agora/verify/taint"
	"github.com/agora-vm/agora/vm"
)

// deepFlags are the options of `agora verify --deep` and `agora check
// --deep`.
type deepFlags struct {
	deep       bool
	accounts   string
	private    []string
	invariants []string
	timeout    time.Duration
	replay     bool
	dataLen    int
	programID  string
	maxPaths   int
}

func (f *deepFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.deep, "deep", false, "run the deep analyses: memory safety, overflow, taint, economic invariants, resource bounds")
	fl.StringVar(&f.accounts, "accounts", "", "analyse the program as an instruction over the accounts in this JSON `FILE` (their shapes; lamports and data are symbolic)")
	fl.StringArrayVar(&f.private, "private", nil, "private input `SPEC` for the taint analysis: input:OFF:LEN, account:I:OFF:LEN or data:OFF:LEN (repeatable)")
	fl.StringArrayVar(&f.invariants, "invariant", nil, "linear invariant `EXPR` over account fields checked at every successful exit (repeatable; needs --accounts)")
	fl.DurationVar(&f.timeout, "timeout", 30*time.Second, "time limit of the deep analyses")
	fl.BoolVar(&f.replay, "replay", false, "run every counterexample in the VM and print the registers at the finding's pc")
	fl.IntVar(&f.dataLen, "data-len", 8, "instruction data length in bytes (with --accounts; its bytes are symbolic)")
	fl.StringVar(&f.programID, "program-id", abi.DefaultProgramID, "program id, base58 (with --accounts: accounts it owns may be debited)")
	fl.IntVar(&f.maxPaths, "max-paths", 0, "bound on the symbolic execution's paths (0: 4096)")
}

// check rejects deep-only flags without --deep.
func (f *deepFlags) check(cmd *cobra.Command) error {
	if f.deep {
		return nil
	}
	for _, name := range []string{"accounts", "private", "invariant", "timeout", "replay", "data-len", "program-id", "max-paths"} {
		if cmd.Flags().Changed(name) {
			return usageErr("--%s needs --deep", name)
		}
	}
	return nil
}

// runDeep analyses a loaded program and prints the report; its exit code
// is the report's (0 proven, 1 violated, 3 unknown).
func runDeep(s *streams, l *loaded, f *deepFlags, asJSON bool) error {
	lr, err := lanePairing(l)
	if err != nil {
		return err
	}
	opts := &deep.Options{Version: l.program.Version, Text: l.program.Text, Entry: l.program.Entry, Functions: l.program.Functions,
		ROData: l.program.ROData, RODataVAddr: l.program.RODataVAddr, HeapSize: max(vm.DefaultConfig().HeapSize, l.heapSize),
		Syscalls: l.registry.Name, Timeout: f.timeout, MaxPaths: f.maxPaths, Price: syscallPrice}
	if f.timeout <= 0 {
		return usageErr("--timeout must be positive")
	}
	if l.lines != nil {
		opts.Lines = make([]string, len(l.lines))
		for pc, line := range l.lines {
			if line > 0 {
				opts.Lines[pc] = fmt.Sprintf("%s:%d", l.path, line)
			}
		}
	} else if l.isELF {
		opts.Lines = dwarfLines(l)
	}
	if f.accounts != "" {
		doc, err := readFileLimited(f.accounts)
		if err != nil {
			return usageErr("--accounts: %w", err)
		}
		inputs, err := abi.ParseAccountsJSON(doc)
		if err != nil {
			return usageErr("--accounts %s: %w", f.accounts, err)
		}
		pid, err := abi.ParseKey(f.programID)
		if err != nil {
			return usageErr("--program-id: %v", err)
		}
		opts.Accounts = &deep.Accounts{Inputs: inputs, ProgramID: pid, DataLen: f.dataLen}
	}
	for _, p := range f.private {
		sp, err := taint.ParseSpec(p)
		if err != nil {
			return usageErr("%w", err)
		}
		opts.Private = append(opts.Private, sp)
	}
	for _, src := range f.invariants {
		inv, err := econ.Parse(src)
		if err != nil {
			var pe *econ.ParseError
			if errors.As(err, &pe) {
				return usageErr("--invariant %q: %v\n  %s\n  %s^", src, err, src, strings.Repeat(" ", min(pe.Pos, len(src))))
			}
			return usageErr("--invariant: %v", err)
		}
		opts.Invariants = append(opts.Invariants, inv)
	}
	rep, err := deep.Analyze(opts)
	if err != nil {
		if errors.Is(err, deep.ErrUsage) {
			return usageErr("%v", err)
		}
		return &exitError{code: exitBadCall, err: err}
	}
	addLanes(rep, lr)
	if f.replay {
		for _, fd := range rep.Findings {
			if fd.Input == nil {
				continue
			}
			r := replay(l, fd)
			if asJSON {
				continue
			}
			fmt.Fprintf(s.out, "replay %s at pc %d: %s\n", fd.Kind, fd.PC, r)
		}
	}
	if asJSON {
		if err := writeJSON(s, rep); err != nil {
			return err
		}
	} else {
		printDeep(s, l.path, rep)
	}
	if code := rep.ExitCode(); code != 0 {
		return &exitError{code: code, err: errors.New("")}
	}
	return nil
}

func printDeep(s *streams, path string, rep *deep.Report) {
	for _, p := range rep.Proven {
		fmt.Fprintf(s.out, "proven   %s\n", p)
	}
	for _, f := range rep.Findings {
		where := fmt.Sprintf("pc %d", f.PC)
		if f.Line != "" {
			where = f.Line + " (pc " + fmt.Sprint(f.PC) + ")"
		}
		fmt.Fprintf(s.out, "FINDING  %s %s: %s\n", f.Kind, where, f.Message)
		if ce := f.Counterexample; ce != nil {
			switch {
			case ce.InputHex != "":
				fmt.Fprintf(s.out, "         counterexample: --input %s\n", ce.InputHex)
			case ce.DataHex != nil:
				fmt.Fprintf(s.out, "         counterexample: --data %s (and the accounts in the JSON report)\n", *ce.DataHex)
			}
		}
	}
	for _, u := range rep.Unknown {
		fmt.Fprintf(s.out, "unknown  %s\n", u)
	}
	verdict := map[int]string{0: "proven", 1: "violated", 3: "unknown"}[rep.ExitCode()]
	fmt.Fprintf(s.out, "%s: %s (%d proven, %d findings, %d unknown)\n", path, verdict, len(rep.Proven), len(rep.Findings), len(rep.Unknown))
}

// replayHook records the registers the first time the finding's pc is
// reached in the state the finding is about.
type replayHook struct {
	pc      int
	insn    sbpf.Instruction
	v       sbpf.Version
	kind    string
	reached int
	regs    [11]uint64
	hit     bool
}

func (h *replayHook) Step(m *vm.Machine, pc int) {
	if pc != h.pc || h.hit {
		return
	}
	h.reached++
	regs := m.Registers()
	if h.kind == "overflow" && !symex.Wraps(h.v, h.insn, regs[h.insn.Dst&15], regs[h.insn.Src&15]) {
		return
	}
	h.regs, h.hit = regs, true
}

// replayResult is what a replay showed.
type replayResult struct {
	Reached bool
	Regs    [11]uint64
	Err     error
	R0      uint64
}

func (r replayResult) String() string {
	if !r.Reached {
		msg := "NOT reproduced"
		if r.Err != nil {
			msg += ": " + r.Err.Error()
		}
		return msg
	}
	var b strings.Builder
	b.WriteString("reproduced;")
	for i, v := range r.Regs {
		fmt.Fprintf(&b, " r%d=%#x", i, v)
	}
	if r.Err != nil {
		fmt.Fprintf(&b, "; the run ends with %s", vm.ErrorKindOf(r.Err))
	}
	return b.String()
}

// replay runs a finding's input in the VM (the whole input region, as
// `agora run` maps it) and reports whether it reaches the finding.
func replay(l *loaded, f deep.Finding) replayResult {
	cfg := vm.DefaultConfig()
	cfg.HeapSize = max(cfg.HeapSize, l.heapSize)
	exe, err := vm.Interpreter{}.Prepare(l.program, l.registry, cfg)
	if err != nil {
		return replayResult{Err: err}
	}
	h := &replayHook{pc: f.PC, v: l.program.Version, kind: f.Kind}
	if f.PC >= 0 && (f.PC+1)*sbpf.InsnSize <= len(l.program.Text) {
		h.insn = sbpf.Decode(l.program.Text[f.PC*sbpf.InsnSize:])
	}
	input := append([]byte{}, f.Input...)
	res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: input, Budget: defaultBudget, Context: syscalls.NewContext([32]byte{}), Hook: h})
	out := replayResult{Reached: h.hit, Regs: h.regs, Err: res.Err, R0: res.R0}
	switch f.Kind {
	case "oob":
		k := vm.ErrorKindOf(res.Err)
		out.Reached = h.reached > 0 && (k == "AccessViolation" || k == "StackAccessViolation") && faultPC(res.Err) == f.PC
		if out.Reached {
			regsAt := h.regs
			if !h.hit {
				regsAt = [11]uint64{}
			}
			out.Regs = regsAt
		}
	case "unbounded":
		out.Reached = vm.ErrorKindOf(res.Err) == "CallDepthExceeded"
	case "conservation", "invariant":
		out.Reached = res.Err == nil && res.R0 == 0
	}
	return out
}

func faultPC(err error) int {
	var ve *vm.Error
	if errors.As(err, &ve) {
		return ve.PC
	}
	return -1
}

// dwarfLines gives "file:line" per pc of an ELF from the DWARF of a C
// program built with clang -g (the ELF's own, or the BPF object it was
// linked from, X.o beside X.so, as `agora debug` finds it), or from an
// OVSM line table beside it. nil when there is none.
func dwarfLines(l *loaded) []string {
	if findDebugObject(l, "") != nil {
		return nil
	}
	d := debugInfoFor(l) // DWARF, or an OVSM line table beside the ELF
	if d.Data == nil {
		return nil
	}
	sm := debug.NewSourceMap(&trace.Trace{Program: l.program, Debug: d})
	n := len(l.program.Text) / sbpf.InsnSize
	out := make([]string, n)
	found := false
	for pc := range n {
		if loc, ok := sm.Lookup(pc); ok && loc.Line > 0 {
			out[pc], found = fmt.Sprintf("%s:%d", loc.File, loc.Line), true
		}
	}
	if !found {
		return nil
	}
	return out
}
