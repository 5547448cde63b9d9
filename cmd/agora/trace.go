package main

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/ext/lanes"
	"github.com/agora-vm/agora/ovsm"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/trace"
	"github.com/agora-vm/agora/trace/profile"
	"github.com/agora-vm/agora/vm"
)

// rawFeatures and instructionFeatures describe how `agora run` composes
// a run: debuggers read the mode to show the input as accounts.
var (
	rawFeatures         = []string{"mode=raw", "syscalls=solana+solcrypto+ext"}
	instructionFeatures = []string{"mode=instruction", "syscalls=solana+solcrypto+ext"}
)

// debugInfoFor picks the source information a trace carries: the OVSM
// line table, the ELF itself when it has DWARF line tables, or the
// assembler's line per slot.
func debugInfoFor(l *loaded) trace.DebugInfo {
	d := trace.DebugInfo{Path: l.path}
	if l.ovsmDbg == nil && l.isELF {
		if b, err := os.ReadFile(ovsm.DebugInfoPath(l.path)); err == nil {
			if dbg, err := ovsm.ParseDebugInfo(b); err == nil && dbg.Matches(l.data) {
				l.ovsmDbg = dbg
			}
		}
	}
	for pc, name := range l.labels {
		d.Symbols = append(d.Symbols, trace.Symbol{PC: pc, Name: name})
	}
	sort.Slice(d.Symbols, func(i, j int) bool { return d.Symbols[i].PC < d.Symbols[j].PC })
	switch {
	case l.ovsmDbg != nil:
		if b, err := l.ovsmDbg.Marshal(); err == nil {
			d.Kind, d.Data = trace.DebugOVSM, b
		}
	case l.isELF && hasDWARF(l.data):
		d.Kind, d.Data = trace.DebugDWARF, l.data
	case l.isELF && l.debugObject != nil:
		d.Kind, d.Data = trace.DebugDWARF, l.debugObject
	case len(l.lines) > 0:
		d.Kind, d.Data = trace.DebugLines, trace.EncodeLines(l.lines)
	}
	return d
}

// findDebugObject looks for the BPF object a C program was linked from
// (agora-ld drops DWARF from the shared object): the explicit path, else
// X.o beside X.so. It must have line tables and a .text of the same size.
func findDebugObject(l *loaded, explicit string) error {
	if !l.isELF || hasDWARF(l.data) {
		return nil
	}
	path := explicit
	if path == "" {
		path = strings.TrimSuffix(l.path, ".so") + ".o"
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if explicit != "" {
			return usageErr("--debug-object: %v", err)
		}
		return nil
	}
	if !hasDWARF(data) || textSize(data) != textSize(l.data) {
		if explicit != "" {
			return usageErr("--debug-object: %s has no DWARF line table for this program's text", path)
		}
		return nil
	}
	l.debugObject = data
	return nil
}

func textSize(data []byte) uint64 {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return 0
	}
	defer f.Close()
	if s := f.Section(".text"); s != nil {
		return s.Size
	}
	return 0
}

func hasDWARF(data []byte) bool {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return false
	}
	defer f.Close()
	return f.Section(".debug_line") != nil
}

// recordRun runs l's program in raw mode under the recorder and writes
// the trace to tracePath and its profile to profilePath (either may be
// empty).
func recordRun(l *loaded, cfg vm.Config, input []byte, budget uint64, ctx *syscalls.Context, tracePath, profilePath string, features []string) (vm.Result, uint64, error) {
	m := vm.NewMachine()
	tr, res, err := recordTraceOn(m, l, cfg, input, budget, ctx, features)
	if err != nil {
		return res, 0, err
	}
	// The recorder runs lanes one at a time; the span, a count of CU,
	// is the same as a parallel run's.
	span := lanes.Span(m, res.CU)
	if tracePath != "" {
		if err := writeTrace(tr, tracePath); err != nil {
			return res, span, &exitError{code: exitBadCall, err: err}
		}
	}
	if profilePath != "" {
		if err := writeProfile(tr, profilePath); err != nil {
			return res, span, &exitError{code: exitBadCall, err: err}
		}
	}
	return res, span, nil
}

func writeProfile(tr *trace.Trace, path string) error {
	p, err := profile.FromTrace(tr)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := profile.Write(&buf, p); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func recordTrace(l *loaded, cfg vm.Config, input []byte, budget uint64, ctx *syscalls.Context, features []string) (*trace.Trace, vm.Result, error) {
	return recordTraceOn(vm.NewMachine(), l, cfg, input, budget, ctx, features)
}

// recordTraceOn is recordTrace on machine m, which the caller may read
// after the run.
func recordTraceOn(m *vm.Machine, l *loaded, cfg vm.Config, input []byte, budget uint64, ctx *syscalls.Context, features []string) (*trace.Trace, vm.Result, error) {
	if l.debugObject == nil {
		if err := findDebugObject(l, ""); err != nil {
			return nil, vm.Result{}, err
		}
	}
	rec := trace.NewRecorder(trace.Options{Logs: ctx.Messages, Features: features, Debug: debugInfoFor(l)})
	reg, err := rec.Registry(l.registry)
	if err != nil {
		return nil, vm.Result{}, err
	}
	exe, err := vm.Interpreter{}.Prepare(l.program, reg, cfg)
	if err != nil {
		return nil, vm.Result{}, &exitError{code: exitBadCall, err: err}
	}
	res, tr := rec.Run(m, exe, vm.RunOptions{Input: input, Budget: budget, Context: ctx})
	return tr, res, nil
}

func writeTrace(tr *trace.Trace, path string) error {
	var buf bytes.Buffer
	if err := tr.Encode(&buf); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func readTrace(path string) (*trace.Trace, error) {
	data, err := readFileLimited(path)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	tr, err := trace.Decode(data)
	if err != nil {
		return nil, &exitError{code: exitBadCall, err: fmt.Errorf("%s: %w", path, err)}
	}
	return tr, nil
}

// replayReport is the JSON contract of `agora replay --json`.
type replayReport struct {
	Match      bool             `json:"match"`
	OK         bool             `json:"ok"`
	R0         *uint64          `json:"r0,omitempty"`
	Error      *errorField      `json:"error,omitempty"`
	CU         uint64           `json:"cu"`
	Insns      uint64           `json:"instructions"`
	Logs       []string         `json:"logs"`
	Lanes      int              `json:"lanes"`
	Divergence *divergenceField `json:"divergence,omitempty"`
}

type divergenceField struct {
	Instruction uint64 `json:"instruction"`
	PC          int    `json:"pc"`
	What        string `json:"what"`
	Expected    string `json:"expected"`
	Actual      string `json:"actual"`
}

func newReplayCmd(s *streams) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "replay FILE.trace",
		Short: "Re-execute a recorded run and check that it matches",
		Long: `Re-execute a run recorded with agora run --record (or agora chain
call|deploy|transfer --record, which records the transaction's first
top-level BPF program run). The syscalls are
answered from the trace, so the replay needs nothing but the file. Every
checkpoint, r0, the error, the compute units, the logs and the final memory
are compared with the recording; the first difference is printed as
"diverged at instruction N (pc P): WHAT: expected X, got Y". A program
that spawned parallel lanes (ext/lanes) has each child recorded as a lane:
the replay re-executes every child from its start state against its own
recorded syscall answers and checks it the same way ("lanes" counts them;
a child's divergence names it, as in "lane 2.1: r3").

With --json the last line of standard output is one JSON object:
  {"match":true,"ok":true,"r0":<u64>,"cu":<n>,"instructions":<n>,"logs":[...],"lanes":<n>}
  {"match":false,...,"divergence":{"instruction":<n>,"pc":<n>,"what":"r3","expected":"...","actual":"..."}}

Exit codes: 0 the replay matched the recording, 1 it diverged, 2 the file
is not a readable trace (foreign, corrupt, truncated or of another format
version) or usage errors.`,
		Example: `  agora run prog.s --input 01020304 --record run.trace
  agora replay run.trace
  agora replay run.trace --json`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tr, err := readTrace(args[0])
			if err != nil {
				return reportLoadError(s, asJSON, err)
			}
			rep, err := trace.Replay(tr)
			if err != nil {
				return reportLoadError(s, asJSON, &exitError{code: exitBadCall, err: err})
			}
			out := replayReport{Match: rep.Divergence == nil, OK: rep.Result.Err == nil, CU: rep.Result.CU, Insns: rep.Insns, Logs: rep.Logs, Lanes: rep.Lanes}
			if out.Logs == nil {
				out.Logs = []string{}
			}
			if rep.Result.Err == nil {
				r0 := rep.Result.R0
				out.R0 = &r0
			} else {
				out.Error = &errorField{Kind: vm.ErrorKindOf(rep.Result.Err), Message: rep.Result.Err.Error(), PC: -1}
				var ve *vm.Error
				if errors.As(rep.Result.Err, &ve) {
					out.Error.PC = ve.PC
				}
			}
			if d := rep.Divergence; d != nil {
				out.Divergence = &divergenceField{Instruction: d.Insns, PC: d.PC, What: d.What, Expected: d.Expected, Actual: d.Actual}
			}
			if asJSON {
				if err := writeJSON(s, out); err != nil {
					return err
				}
			} else {
				for _, l := range out.Logs {
					fmt.Fprintln(s.out, l)
				}
				if out.OK {
					fmt.Fprintf(s.out, "ok: r0 = %d (%#x)\n", *out.R0, *out.R0)
				} else {
					fmt.Fprintf(s.out, "fault: %s at pc %d: %s\n", out.Error.Kind, out.Error.PC, out.Error.Message)
				}
				fmt.Fprintf(s.out, "compute units: %d, instructions: %d, syscalls replayed: %d, checkpoints: %d\n", out.CU, out.Insns, len(tr.Events), len(tr.Checkpoints))
				if len(tr.Lanes) > 0 {
					fmt.Fprintf(s.out, "child lanes re-executed: %d of %d\n", out.Lanes, len(tr.Lanes))
				}
				if d := rep.Divergence; d != nil {
					fmt.Fprintf(s.out, "replay DIVERGED at instruction %d (pc %d): %s: expected %s, got %s\n", d.Insns, d.PC, d.What, d.Expected, d.Actual)
				} else {
					fmt.Fprintln(s.out, "replay matches the recording (r0, error, compute units, logs, memory)")
				}
			}
			if rep.Divergence != nil {
				return &exitError{code: exitFault}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

// recordedProgram serves the command line's program to the runtime and
// records its top-level run (a CPI back into it runs unrecorded).
type recordedProgram struct {
	fileProgram
	rec    *trace.Recorder
	recExe vm.Runnable
	trace  *trace.Trace
}

func newRecordedProgram(l *loaded, ir *instructionRun) (*recordedProgram, error) {
	if l.debugObject == nil {
		if err := findDebugObject(l, ""); err != nil {
			return nil, err
		}
	}
	rec := trace.NewRecorder(trace.Options{Features: instructionFeatures, Debug: debugInfoFor(l)})
	reg, err := rec.Registry(ir.ex.Registry())
	if err != nil {
		return nil, err
	}
	exe, err := vm.Interpreter{}.Prepare(l.program, reg, ir.cfg)
	if err != nil {
		return nil, &exitError{code: exitBadCall, err: err}
	}
	return &recordedProgram{rec: rec, recExe: exe}, nil
}

func (p *recordedProgram) Executable(key pubkey.Pubkey, acct *account.Account, heapBytes int) (vm.Runnable, error) {
	exe, err := p.fileProgram.Executable(key, acct, heapBytes)
	if err != nil || p.trace != nil || heapBytes != p.recExe.Config().HeapSize {
		return exe, err
	}
	return recordingRunnable{p}, nil
}

// recordingRunnable runs the program under the recorder once.
type recordingRunnable struct{ p *recordedProgram }

func (r recordingRunnable) Run(m *vm.Machine, opts vm.RunOptions) vm.Result {
	if m == nil {
		m = vm.NewMachine()
	}
	res, tr := r.p.rec.Run(m, r.p.recExe, opts)
	r.p.trace = tr
	return res
}

func (r recordingRunnable) Program() *vm.Program   { return r.p.recExe.Program() }
func (r recordingRunnable) Config() vm.Config      { return r.p.recExe.Config() }
func (r recordingRunnable) Registry() *vm.Registry { return r.p.recExe.Registry() }

// write saves the recorded trace and its profile.
func (p *recordedProgram) write(tracePath, profilePath string) error {
	if p.trace == nil {
		return &exitError{code: exitBadCall, err: fmt.Errorf("the runtime did not run the program, so there is nothing to record")}
	}
	if tracePath != "" {
		if err := writeTrace(p.trace, tracePath); err != nil {
			return &exitError{code: exitBadCall, err: err}
		}
	}
	if profilePath != "" {
		if err := writeProfile(p.trace, profilePath); err != nil {
			return &exitError{code: exitBadCall, err: err}
		}
	}
	return nil
}
