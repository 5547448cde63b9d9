package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/trace"
	"github.com/agora-vm/agora/trace/dap"
	"github.com/agora-vm/agora/trace/debug"
	"github.com/agora-vm/agora/vm"
)

type debugFlags struct {
	run         runFlags
	debugObject string
	dap         bool
	listen      string
}

// serveDAP runs one Debug Adapter Protocol session on stdio or on one
// TCP connection.
func serveDAP(s *streams, listen string) error {
	launch := func(a dap.LaunchArgs) (*trace.Trace, error) {
		if a.Trace != "" {
			return readTrace(a.Trace)
		}
		f := &debugFlags{}
		fs := pflag.NewFlagSet("launch args", pflag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.StringVar(&f.run.version, "sbpf-version", "", "")
		fs.StringVar(&f.run.inputHex, "input", "", "")
		fs.StringVar(&f.run.inputFile, "input-file", "", "")
		fs.Uint64Var(&f.run.budget, "budget", defaultBudget, "")
		fs.IntVar(&f.run.heap, "heap", vm.DefaultConfig().HeapSize, "")
		fs.StringVar(&f.debugObject, "debug-object", "", "")
		fs.StringVar(&f.run.accounts, "accounts", "", "")
		fs.StringVar(&f.run.data, "data", "", "")
		fs.StringVar(&f.run.dataJSON, "data-json", "", "")
		fs.StringVar(&f.run.programID, "program-id", abi.DefaultProgramID, "")
		if err := fs.Parse(a.Args); err != nil {
			return nil, fmt.Errorf("args: %w", err)
		}
		if fs.NArg() != 0 {
			return nil, fmt.Errorf("args: unexpected %q", fs.Args())
		}
		return recordForDebug(s, a.Program, &f.run, f.debugObject)
	}
	if listen == "" {
		return dap.NewServer(s.in, s.out, launch).Serve()
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return usageErr("--listen: %v", err)
	}
	defer ln.Close()
	fmt.Fprintf(s.err, "agora debug: DAP server listening on %s\n", ln.Addr())
	conn, err := ln.Accept()
	if err != nil {
		return err
	}
	defer conn.Close()
	return dap.NewServer(conn, conn, launch).Serve()
}

func newDebugCmd(s *streams) *cobra.Command {
	f := &debugFlags{}
	cmd := &cobra.Command{
		Use:   "debug FILE.trace | PROGRAM [run flags]",
		Short: "Debug a recorded run, forward and backward",
		Long: `Open a time-travel debugger on a trace written by agora run --record, or on
a program, which is recorded on the fly with the run flags given (--input,
--input-file, --budget, --heap, --sbpf-version, or --accounts with --data or
--data-json for an instruction).

Commands are read from standard input, one per line, so the debugger is
scriptable:
  break PC | break FILE:LINE | break SYMBOL, delete [N...], info breakpoints
  watch ADDR [LEN] | watch rN
  run, continue, step [N], next, finish
  reverse-step [N], reverse-next, reverse-continue, reverse-finish
  goto INSN_COUNT | goto cu CU
  print rN | print [rN+OFF]u8|u16|u32|u64, x/NB ADDR, info registers
  backtrace, disasm [PC], list, info accounts, logs, help, quit
  info lanes, lane N | lane PATH

A program that spawned parallel lanes (agora_parallel_spawn) has each child
recorded as a lane: info lanes lists them, lane N (or lane 2.1, by spawn
handles) switches to one, and every command then acts on that lane, which
has its own position (lane 0 is the program). Breakpoints apply to every
lane. With --dap each lane is a thread.

Source lines come from OVSM's line table (compiled in memory, or
FILE.so.dbg.json beside an ELF), from DWARF (a C program's BPF object built
with clang -g -gdwarf-4: X.o beside X.so, or --debug-object), or from the
assembler. See docs/debug.md.

Exit codes: 0 the session ended, 2 usage, load or trace-file errors.`,
		Example: `  agora debug run.trace
  agora debug examples/asm/fib.s --input 0a
  printf 'break fib.s:12\nrun\nprint r1\nreverse-step\n' | agora debug examples/asm/fib.s --input 0a`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.dap {
				if len(args) != 0 {
					return usageErr("--dap takes no file: the client names it in its launch request")
				}
				return serveDAP(s, f.listen)
			}
			if f.listen != "" {
				return usageErr("--listen needs --dap")
			}
			if len(args) != 1 {
				return usageErr("%s takes one FILE.trace or PROGRAM\nRun '%s --help' for usage.", cmd.CommandPath(), cmd.CommandPath())
			}
			tr, err := openDebugTarget(s, args[0], f)
			if err != nil {
				return err
			}
			d, err := debug.New(tr)
			if err != nil {
				return &exitError{code: exitBadCall, err: err}
			}
			r := &debug.REPL{D: d, Out: s.out}
			if isTerminal(s.in) {
				r.Prompt = "(agora) "
			}
			fmt.Fprintf(s.out, "agora debug: %d instructions, %d syscalls, %d checkpoints; type help\n", d.Total(), len(tr.Events), len(tr.Checkpoints))
			return r.Run(s.in)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.run.version, "sbpf-version", "", "sBPF version of the program: v0..v4 (default v0)")
	fl.StringVar(&f.run.inputHex, "input", "", "input bytes as hex, mapped at 0x400000000")
	fl.StringVar(&f.run.inputFile, "input-file", "", "read the input bytes from `PATH`")
	fl.Uint64Var(&f.run.budget, "budget", defaultBudget, "compute-unit budget")
	fl.IntVar(&f.run.heap, "heap", vm.DefaultConfig().HeapSize, "heap size in bytes (at most 262144)")
	fl.StringVar(&f.run.accounts, "accounts", "", "run as a Solana instruction over the accounts in this JSON `FILE`")
	fl.StringVar(&f.run.data, "data", "", "instruction data as hex (with --accounts)")
	fl.StringVar(&f.run.dataJSON, "data-json", "", "instruction data as a JSON object, in OVSM's structured encoding (with --accounts)")
	fl.StringVar(&f.run.programID, "program-id", abi.DefaultProgramID, "program id, base58 (with --accounts)")
	fl.StringVar(&f.debugObject, "debug-object", "", "the BPF object (clang -g) a C program was linked from, for DWARF lines")
	fl.BoolVar(&f.dap, "dap", false, "serve the Debug Adapter Protocol instead of the REPL (stdio, or TCP with --listen)")
	fl.StringVar(&f.listen, "listen", "", "with --dap, accept one client on `ADDR` (e.g. 127.0.0.1:4711) instead of stdio")
	return cmd
}

// openDebugTarget reads a trace, or records a program's run.
func openDebugTarget(s *streams, path string, f *debugFlags) (*trace.Trace, error) {
	if strings.EqualFold(filepath.Ext(path), ".trace") || looksLikeTrace(path) {
		return readTrace(path)
	}
	return recordForDebug(s, path, &f.run, f.debugObject)
}

func looksLikeTrace(path string) bool {
	fh, err := os.Open(path)
	if err != nil {
		return false
	}
	defer fh.Close()
	var b [8]byte
	n, _ := fh.Read(b[:])
	return bytes.Equal(b[:n], []byte("AGORATRC"))
}

// recordForDebug loads, verifies and records a raw run of a program.
func recordForDebug(s *streams, path string, f *runFlags, debugObject string) (*trace.Trace, error) {
	if f.heap < 0 || f.heap > 256*1024 {
		return nil, usageErr("--heap: %d is outside 0..262144", f.heap)
	}
	l, err := loadProgramHeap(s, path, f.version, f.heap)
	if err != nil {
		return nil, err
	}
	if err := findDebugObject(l, debugObject); err != nil {
		return nil, err
	}
	cfg := vm.DefaultConfig()
	cfg.HeapSize = max(f.heap, l.heapSize)
	if f.accounts != "" {
		if f.inputHex != "" || f.inputFile != "" {
			return nil, usageErr("--accounts builds the input itself; drop --input/--input-file")
		}
		ir, err := prepareInstruction(l, f)
		if err != nil {
			return nil, err
		}
		rec, err := newRecordedProgram(l, ir)
		if err != nil {
			return nil, err
		}
		ir.execute(rec)
		if rec.trace == nil {
			return nil, &exitError{code: exitBadCall, err: fmt.Errorf("the runtime did not run the program, so there is nothing to debug")}
		}
		return rec.trace, nil
	}
	input, err := readInput(f)
	if err != nil {
		return nil, err
	}
	tr, _, err := recordTrace(l, cfg, input, f.budget, syscalls.NewContext([32]byte{}), rawFeatures)
	return tr, err
}

func isTerminal(r any) bool {
	fh, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := fh.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
