package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/bench"
	"github.com/agora-vm/agora/trace"
)

// traceWorkloads are the VM workloads agora bench trace records.
var traceWorkloads = []string{"alu-loop", "mem-loop", "call-heavy", "syscall-heavy"}

func newBenchTraceCmd(s *streams) *cobra.Command {
	var asJSON bool
	var rounds int
	var roundTime time.Duration
	var splToken string
	cmd := &cobra.Command{
		Use:   "trace",
		Short: "Recording and replay overhead against untraced runs",
		Long: `Record and replay the VM workloads (alu-loop, mem-loop, call-heavy,
syscall-heavy) and time them, in the same process and alternating round by
round, against an untraced run of the same program (each run fills its
input buffer from the workload's input, as a runtime serializes one):

  record           run under the recorder, then encode the trace into
                   memory (a trace file's cost besides the write itself)
  record_run       the run under the recorder alone: what a recorder that
                   encodes off the run's path pays on it. The recorder
                   shares the input (the trace refers to the input the
                   buffer was filled from and to the buffer, rather than
                   copying the region twice) and reuses the memory of the
                   previous trace, handed back once encoded.
  record_copy_run  record_run with the recorder copying the input region
                   before and after the run
  replay           re-execute the decoded trace checking every checkpoint
                   and the outcome, as agora replay does

Each is timed in batches of about a millisecond alternating with batches
of the untraced run, and a ratio is the median over rounds of the two
times' ratio. Also reported: the trace size per million instructions, and the
same figures for the design Agora does not use, per-instruction deltas.

--spl-token FILE adds spl-token-transfer: one SPL Token Transfer
instruction (two initialized token accounts of one mint and the signing
owner, serialized as the runtime does) on FILE, the mainnet SPL Token
program's ELF. The ELF is not part of Agora; node/e2e/dump-spl.mjs writes
it from LiteSVM's copy.

--json prints {"benchmarks":[{"name":…,"instructions":…,"untraced_ns":…,
"record_ns":…,"record_run_ns":…,"record_copy_run_ns":…,"replay_ns":…,
"record_ratio":…,"record_run_ratio":…,"record_copy_run_ratio":…,
"replay_ratio":…,"trace_bytes":…,"trace_bytes_per_1m_insns":…,
"checkpoints":…,"delta_record_ns":…,"delta_record_ratio":…,
"delta_bytes_per_1m_insns":…},…]}.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if rounds < 1 || rounds > 1000 {
				return usageErr("--rounds: %d is outside 1..1000", rounds)
			}
			if roundTime <= 0 || roundTime > time.Minute {
				return usageErr("--round-time: %v is outside (0, 1m]", roundTime)
			}
			want := map[string]bool{}
			for _, n := range traceWorkloads {
				want[n] = true
			}
			var figures []trace.Costs
			for _, w := range bench.Workloads() {
				if !want[w.Name] {
					continue
				}
				p, err := bench.Prepare(w)
				if err != nil {
					return err
				}
				if !asJSON {
					fmt.Fprintf(s.err, "measuring %s (%d instructions per run)...\n", w.Name, p.Insns)
				}
				c, err := trace.Measure(w.Name, p.Exe.Program(), p.Exe.Registry(), w.Input(), 1<<40, rounds, roundTime)
				if err != nil {
					return err
				}
				figures = append(figures, c)
			}
			if splToken != "" {
				elfBytes, err := readFileLimited(splToken)
				if err != nil {
					return usageErr("--spl-token: %v", err)
				}
				run, err := bench.SPLTokenTransfer(elfBytes)
				if err != nil {
					return &exitError{code: exitBadCall, err: fmt.Errorf("--spl-token: %w", err)}
				}
				if !asJSON {
					fmt.Fprintln(s.err, "measuring spl-token-transfer...")
				}
				c, err := trace.Measure("spl-token-transfer", run.Program, run.Registry, run.Input, 1<<40, rounds, roundTime)
				if err != nil {
					return err
				}
				figures = append(figures, c)
			}
			if asJSON {
				return writeJSON(s, map[string]any{"benchmarks": figures})
			}
			fmt.Fprintf(s.out, "%-18s %10s %10s %10s %10s %10s %14s %12s %14s\n", "benchmark", "untraced", "record", "rec (run)", "rec (copy)", "replay", "trace B/1M", "delta rec", "delta B/1M")
			for _, f := range figures {
				fmt.Fprintf(s.out, "%-18s %8.1fus %9.2fx %9.2fx %9.2fx %9.2fx %14.0f %11.2fx %14.0f\n", f.Name, f.UntracedNs/1e3, f.RecordRatio, f.RecordRunRatio, f.RecordCopyRunRatio, f.ReplayRatio, f.TraceBytesPer1M, f.DeltaRecordRatio, f.DeltaBytesPer1M)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().IntVar(&rounds, "rounds", 5, "rounds to take the median over")
	cmd.Flags().StringVar(&splToken, "spl-token", "", "also measure an SPL Token Transfer on this ELF (the mainnet SPL Token program)")
	cmd.Flags().DurationVar(&roundTime, "round-time", 200*time.Millisecond, "duration of each timed round")
	return cmd
}
