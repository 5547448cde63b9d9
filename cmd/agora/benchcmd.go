package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/bench"
)

func newBenchCmd(s *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Run Agora's benchmarks",
		Long: `Run Agora's benchmarks. Each one times its subject against a baseline
measured in the same run, so the figures are ratios that hold across machines:

  vm     the interpreter against the same workloads written in native Go
         (ns per sBPF instruction, and the slowdown)
  costs  every syscall's compute-unit price against its measured time,
         normalised to the interpreter's time per instruction (see
         docs/costs.md); a price well out of line is a denial-of-service
         risk or an overcharge
  chain  transactions per second through the VM alone, the runtime, and
         the runtime with the Pebble store
  node   transfers through a node's JSON-RPC: sustained tps and p50/p99
         confirmation latency, next to chain's figure from the same run
  modules  in-process module calls (agora_module_call) against CPIs
         doing the same work

Each takes --json for one machine-readable object. For the Go benchmarks
themselves, run 'go test -run XXX -bench . ./bench'.`,
		Example: `  agora bench vm
  agora bench costs --json
  agora bench chain`,
	}
	var asJSON bool
	var rounds int
	var roundTime time.Duration
	var engineName string
	vmCmd := &cobra.Command{
		Use:   "vm",
		Short: "Time the interpreter against native Go on the VM workloads",
		Long: `Run the VM workloads (alu-loop, mem-loop, call-heavy, syscall-heavy) on the
interpreter and, in the same process, the same algorithms in native Go.
Prints ns per executed sBPF instruction for both and their ratio (medians
over the rounds).

--engine jit times the compiler (vm/jit) instead of the interpreter, and
adds each workload's machine-code size and compile time per 1,000
instructions.

--json prints {"engine":…,"benchmarks":[{"name":…,"ns_per_insn":…,"native_ns_per_insn":…,"ratio":…},…]}.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if rounds < 1 || rounds > 1000 {
				return usageErr("--rounds: %d is outside 1..1000", rounds)
			}
			if roundTime <= 0 || roundTime > time.Minute {
				return usageErr("--round-time: %v is outside (0, 1m]", roundTime)
			}
			if engineName != "interp" && engineName != "jit" && engineName != "auto" {
				return usageErr("--engine: %q is not one of interp, jit or auto", engineName)
			}
			engine, err := newEngine(engineName, s.err, nil)
			if err != nil {
				return err
			}
			var figures []bench.Figure
			for _, w := range bench.Workloads() {
				p, err := bench.PrepareOn(w, engine)
				if err != nil {
					return err
				}
				if !asJSON {
					fmt.Fprintf(s.err, "measuring %s (%d instructions per run)...\n", w.Name, p.Insns)
				}
				figures = append(figures, bench.Measure(p, rounds, roundTime))
			}
			if asJSON {
				return writeJSON(s, map[string]any{"engine": engineName, "benchmarks": figures})
			}
			fmt.Fprintf(s.out, "engine: %s\n", engineName)
			fmt.Fprintf(s.out, "%-14s %12s %16s %8s\n", "benchmark", "ns/insn", "native ns/insn", "ratio")
			for _, f := range figures {
				fmt.Fprintf(s.out, "%-14s %12.3f %16.3f %7.1fx", f.Name, f.NsPerInsn, f.NativeNsPerInsn, f.Ratio)
				if f.CodeBytes > 0 {
					fmt.Fprintf(s.out, "  (%d bytes of code, %.1f µs to compile per 1k insns)", f.CodeBytes, f.CompileUsPer1kInsns)
				}
				fmt.Fprintln(s.out)
			}
			return nil
		},
	}
	vmCmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	vmCmd.Flags().IntVar(&rounds, "rounds", 5, "rounds to take the median over")
	vmCmd.Flags().StringVar(&engineName, "engine", "interp", "engine to time: interp, jit or auto")
	vmCmd.Flags().DurationVar(&roundTime, "round-time", 200*time.Millisecond, "duration of each timed round")
	cmd.AddCommand(vmCmd, newBenchCostsCmd(s), newBenchChainCmd(s), newBenchSimCmd(s), newBenchSchedCmd(s), newBenchLanesCmd(s), newBenchTraceCmd(s), newBenchAgaveCmd(s), newBenchVerifyCmd(s), newBenchNodeCmd(s), newBenchModulesCmd(s))
	return cmd
}
