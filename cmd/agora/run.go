package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/agora-vm/agora/ext/lanes"

	"github.com/agora-vm/agora/abi"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/vm"
)

const defaultBudget = 1_400_000

type runFlags struct {
	version   string
	inputHex  string
	inputFile string
	budget    uint64
	heap      int
	json      bool
	engine    string
	sample    float64

	// Instruction mode.
	accounts  string
	data      string
	dataJSON  string
	programID string
	features  string

	// Tools.
	record  string
	profile string
}

func newRunCmd(s *streams) *cobra.Command {
	f := &runFlags{}
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Verify and run an sBPF program",
		Long: `Verify and run an sBPF program in raw mode, as the reference VM's own tests do:
the input bytes are mapped writable at 0x400000000 and r1 points at them.

FILE (or - for standard input) is recognised by its content, not its name:
an sBPF ELF shared object (by its magic; its version comes from its header
unless --sbpf-version restricts it), raw instruction bytes (binary, 8 bytes
per slot, as 'agora asm -o FILE.bin' writes them; --sbpf-version gives the
version), an OVSM program (text starting with a form, or any .ovsm file;
compiled in memory, V0 unless --sbpf-version says v3) or sBPF assembly
(other text).

With --json the last line of standard output is one JSON object:
  {"ok":true,"r0":<u64>,"cu":<consumed>,"cu_span":<critical path>,"logs":[...]}
  {"ok":false,"error":{"kind":"<reference error name>","pc":<n>,"message":"..."},"cu":<consumed>,"logs":[...]}

With --accounts FILE.json the program runs as one Solana instruction: the
accounts (a JSON list of {"key", "owner", "lamports", "data_hex" or
"data_base64", "signer", "writable", "executable"}) and --data are
serialized in Solana's aligned input layout, and after the program
returns the accounts are written back with the runtime's checks. The output
adds the accounts after the instruction, and logs in Solana's format;
cu_span is the instruction's critical path over parallel lanes. The file
may hold other programs for cross-program invocations: an executable
account owned by a BPF loader (BPFLoader2111111111111111111111111111111111)
whose data is the ELF (examples/c/ringreader.json).

Exit codes: 0 the program ran to exit, 1 it faulted (or, with --accounts,
the instruction failed), 2 usage, load or verification errors.`,
		Example: `  agora run examples/asm/hello.s
  agora run prog.s --input 0102030405 --budget 10000 --json
  agora run prog.so --accounts accounts.json --data 426c61
  printf 'mov64 r0, 42\nexit\n' | agora run -`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runProgram(s, args[0], f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.version, "sbpf-version", "", "sBPF version of the program: v0, v1, v2, v3 or v4 (default v0)")
	fl.StringVar(&f.inputHex, "input", "", "input bytes as hex, mapped at 0x400000000")
	fl.StringVar(&f.inputFile, "input-file", "", "read the input bytes from `PATH`")
	fl.Uint64Var(&f.budget, "budget", defaultBudget, "compute-unit budget")
	fl.IntVar(&f.heap, "heap", vm.DefaultConfig().HeapSize, "heap size in bytes (at most 262144)")
	fl.BoolVar(&f.json, "json", false, "print the result as JSON")
	fl.StringVar(&f.engine, "engine", "auto", "execution engine: "+engineNames+" (auto compiles programs once they are hot; results are identical)")
	fl.Float64Var(&f.sample, "verify-sample", 0.01, "with --engine verified, the fraction of runs re-executed on the interpreter (a program's first run always is)")
	fl.StringVar(&f.accounts, "accounts", "", "run as a Solana instruction over the accounts in this JSON `FILE`")
	fl.StringVar(&f.data, "data", "", "instruction data as hex (with --accounts)")
	fl.StringVar(&f.dataJSON, "data-json", "", "instruction data as a JSON object, in OVSM's structured encoding, or @FILE (with --accounts)")
	fl.StringVar(&f.programID, "program-id", abi.DefaultProgramID, "program id, base58 (with --accounts)")
	fl.StringVar(&f.features, "features", "mainnet", "Agave feature gates (with --accounts): all, mainnet, or a comma-separated `LIST`")
	fl.StringVar(&f.record, "record", "", "record the run to `FILE.trace` (replay it with agora replay, debug it with agora debug)")
	fl.StringVar(&f.profile, "profile", "", "write a pprof profile of compute units by function and line to `FILE.pb.gz`")
	return cmd
}

// exactArgs is cobra.ExactArgs with our exit code.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErr("%s takes %d argument(s), got %d\nRun '%s --help' for usage.", cmd.CommandPath(), n, len(args), cmd.CommandPath())
		}
		return nil
	}
}

// parseHex accepts hex with an optional 0x prefix and white space.
func parseHex(s string) ([]byte, error) {
	t := strings.Join(strings.Fields(s), "")
	t = strings.TrimPrefix(strings.TrimPrefix(t, "0x"), "0X")
	b, err := hex.DecodeString(t)
	if err != nil {
		var ie hex.InvalidByteError
		if errors.As(err, &ie) {
			return nil, fmt.Errorf("invalid hex character %q", rune(ie))
		}
		if len(t)%2 == 1 {
			return nil, fmt.Errorf("odd number of hex digits (%d)", len(t))
		}
		return nil, err
	}
	return b, nil
}

func readInput(f *runFlags) ([]byte, error) {
	if f.inputHex != "" && f.inputFile != "" {
		return nil, usageErr("--input and --input-file are mutually exclusive")
	}
	if f.inputHex != "" {
		b, err := parseHex(f.inputHex)
		if err != nil {
			return nil, usageErr("--input: %v", err)
		}
		return b, nil
	}
	if f.inputFile != "" {
		b, err := readFileLimited(f.inputFile)
		if err != nil {
			return nil, usageErr("--input-file: %v", err)
		}
		if len(b) > maxSourceBytes {
			return nil, usageErr("--input-file: larger than %d bytes", maxSourceBytes)
		}
		return b, nil
	}
	return []byte{}, nil
}

// runReport is the JSON contract of `agora run --json`.
type runReport struct {
	OK    bool        `json:"ok"`
	R0    *uint64     `json:"r0,omitempty"`
	Error *errorField `json:"error,omitempty"`
	CU    uint64      `json:"cu"`
	// CUSpan is the critical path of a run that spawned parallel lanes
	// (ext/lanes): CU counts every lane, the span only the longest chain.
	CUSpan *uint64  `json:"cu_span,omitempty"`
	Logs   []string `json:"logs"`
}

type errorField struct {
	Kind    string `json:"kind"`
	PC      int    `json:"pc"`
	Message string `json:"message"`
}

func runProgram(s *streams, path string, f *runFlags) error {
	if f.accounts == "" && (f.data != "" || f.dataJSON != "") {
		return reportLoadError(s, f.json, usageErr("--data and --data-json need --accounts (raw mode takes --input)"))
	}
	if f.data != "" && f.dataJSON != "" {
		return reportLoadError(s, f.json, usageErr("--data and --data-json are mutually exclusive"))
	}
	if f.accounts != "" {
		if f.inputHex != "" || f.inputFile != "" {
			return reportLoadError(s, f.json, usageErr("--accounts builds the input itself; drop --input/--input-file"))
		}
		if f.heap < 0 || f.heap > 256*1024 {
			return reportLoadError(s, f.json, usageErr("--heap: %d is outside 0..262144", f.heap))
		}
		l, err := loadProgramHeap(s, path, f.version, f.heap)
		if err != nil {
			return reportLoadError(s, f.json, err)
		}
		return runInstruction(s, l, f)
	}
	input, err := readInput(f)
	if err != nil {
		return reportLoadError(s, f.json, err)
	}
	if f.heap < 0 || f.heap > 256*1024 {
		return reportLoadError(s, f.json, usageErr("--heap: %d is outside 0..262144", f.heap))
	}
	l, err := loadProgramHeap(s, path, f.version, f.heap)
	if err != nil {
		return reportLoadError(s, f.json, err)
	}
	engine, err := newEngine(f.engine, s.err, &verifyOpts{sample: f.sample, fresh: func() any { return syscalls.NewContext([32]byte{}) }})
	if err != nil {
		return reportLoadError(s, f.json, err)
	}
	cfg := vm.DefaultConfig()
	cfg.HeapSize = max(f.heap, l.heapSize)
	exe, err := engine.Prepare(l.program, l.registry, cfg)
	if err != nil {
		return reportLoadError(s, f.json, &exitError{code: exitBadCall, err: err})
	}
	ctx := syscalls.NewContext([32]byte{})
	var res vm.Result
	var span *uint64
	if f.record != "" || f.profile != "" {
		var sp uint64
		if res, sp, err = recordRun(l, cfg, input, f.budget, ctx, f.record, f.profile, rawFeatures); err != nil {
			return reportLoadError(s, f.json, err)
		}
		span = &sp
	} else {
		m := vm.NewMachine()
		res = exe.Run(m, vm.RunOptions{Input: input, Budget: f.budget, Context: ctx})
		sp := lanes.Span(m, res.CU)
		span = &sp
	}
	rep := runReport{OK: res.Err == nil, CU: res.CU, CUSpan: span, Logs: ctx.Messages()}
	if rep.Logs == nil {
		rep.Logs = []string{}
	}
	if res.Err == nil {
		r0 := res.R0
		rep.R0 = &r0
	} else {
		rep.Error = &errorField{Kind: vm.ErrorKindOf(res.Err), Message: res.Err.Error()}
		var ve *vm.Error
		if errors.As(res.Err, &ve) {
			rep.Error.PC = ve.PC
			if l.isELF && ve.Kind == vm.AccessViolation && ve.Addr>>32 == sbpf.InputStart>>32 {
				// A program built for Solana reads accounts there.
				fmt.Fprintf(s.err, "hint: the program accessed the input region past the %d input bytes of raw mode; a Solana program expects its accounts and instruction data there: run it with --accounts FILE.json [--data HEX]\n", len(input))
			}
		}
	}
	if f.json {
		if err := writeJSON(s, rep); err != nil {
			return err
		}
	} else {
		printRunReport(s, rep, f.budget)
	}
	if res.Err != nil {
		return &exitError{code: exitFault}
	}
	return nil
}

func printRunReport(s *streams, rep runReport, budget uint64) {
	for _, l := range rep.Logs {
		fmt.Fprintln(s.out, l)
	}
	if rep.OK {
		fmt.Fprintf(s.out, "ok: r0 = %d (%#x)\n", *rep.R0, *rep.R0)
	} else {
		fmt.Fprintf(s.out, "fault: %s at pc %d: %s\n", rep.Error.Kind, rep.Error.PC, rep.Error.Message)
	}
	fmt.Fprintf(s.out, "compute units: %d of %d\n", rep.CU, budget)
}

func writeJSON(s *streams, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(s.out, "%s\n", b)
	return err
}

// reportLoadError prints a load, usage or verification error, as JSON
// when asked, and returns it with exit code 2.
func reportLoadError(s *streams, asJSON bool, err error) error {
	var ee *exitError
	if !errors.As(err, &ee) {
		ee = &exitError{code: exitBadCall, err: err}
	}
	if !asJSON {
		return ee
	}
	ef := &errorField{Kind: "UsageError", PC: -1, Message: ee.Error()}
	var verr *verify.Error
	var vf *verifyFailure
	var pf *pairingFailure
	switch {
	case errors.As(err, &pf) && len(pf.report.Findings) > 0:
		ef.Kind, ef.PC = pf.report.Findings[0].Kind.String(), pf.report.Findings[0].PC
	case errors.As(err, &verr):
		ef.Kind, ef.PC = verr.Kind.String(), verr.PC
	case errors.As(err, &vf):
		ef.Kind = "VerifierError"
	default:
		if k := loadErrorKind(err); k != "" {
			ef.Kind = k
		}
	}
	if werr := writeJSON(s, runReport{Error: ef, Logs: []string{}}); werr != nil {
		return werr
	}
	return &exitError{code: ee.code, err: fmt.Errorf("%s", "")}
}

// loadErrorKind names assembler and file errors for JSON output.
func loadErrorKind(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "FileNotFound"
	case isAsmError(err):
		return "AssemblerError"
	}
	return ""
}
