package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/bench"
)

// newOffloadCmd is `agora offload`.
func newOffloadCmd(s *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "offload",
		Short: "Hardware offload (agora_hw_offload_*) tools",
		Long: `Tools for the hardware offload syscalls (docs/offload.md). The only
accelerator backend is the CPU one.`,
	}
	cmd.AddCommand(newOffloadBenchCmd(s))
	return cmd
}

// newOffloadBenchCmd is `agora offload bench`.
func newOffloadBenchCmd(s *streams) *cobra.Command {
	var asJSON bool
	var sizesText string
	var reps int
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Compare offloaded operations with the same work as an sBPF bytecode loop",
		Long: `Run each operation twice in the interpreter, on the same random input:
as an sBPF bytecode loop, and as agora_hw_offload_submit followed by
agora_hw_offload_poll until done on the CPU backend. The two results must
be byte-identical. CU is the whole program's (the syscall case includes the
pending latency it spends polling); ns is wall time per run, averaged over
--reps runs.

Operations: MATMUL (int8 x int8 -> int32, n x n x n for each --sizes n).

--json prints, as its last line,
{"operations":[{"name","size","bytecode_cu","syscall_cu","bytecode_ns","syscall_ns"},...]}.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			var sizes []int
			for _, f := range strings.Split(sizesText, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(f))
				if err != nil || n < 1 || n > 128 {
					return usageErr("--sizes: %q is not a size (1..128)", f)
				}
				sizes = append(sizes, n)
			}
			if reps < 1 || reps > 1000 {
				return usageErr("--reps must be 1..1000")
			}
			rows, err := bench.BenchOffload(sizes, reps)
			if err != nil {
				return &exitError{code: exitBadCall, err: err}
			}
			if asJSON {
				return writeJSON(s, map[string]any{"operations": rows})
			}
			fmt.Fprintf(s.out, "%-8s %-12s %14s %12s %14s %12s %8s\n", "op", "size", "bytecode CU", "syscall CU", "bytecode ns", "syscall ns", "time x")
			for _, r := range rows {
				fmt.Fprintf(s.out, "%-8s %-12s %14d %12d %14.0f %12.0f %7.1fx\n", r.Name, r.Size, r.BytecodeCU, r.SyscallCU, r.BytecodeNs, r.SyscallNs, r.BytecodeNs/r.SyscallNs)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&sizesText, "sizes", "32,64,128", "matrix sizes n, comma-separated (1..128)")
	cmd.Flags().IntVar(&reps, "reps", 3, "runs per case")
	return cmd
}
