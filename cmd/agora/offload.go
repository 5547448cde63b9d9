package main

import (
	"fmt"
	"slices"
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
	var sizesText, opsText string
	var reps int
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Compare each offloaded operation with the way a program without offload does it",
		Long: `Run each operation twice in the interpreter, on the same random input:
the way a program without the offload extension does it (an sBPF bytecode
loop, or a loop over the one-at-a-time syscalls), and as
agora_hw_offload_submit followed by agora_hw_offload_poll until done on the
CPU backend. The two results must be byte-identical. CU is the whole
program's (the syscall case includes the pending latency it spends
polling); ns is wall time per run, averaged over --reps runs after one
untimed run.

Operations (--ops, default all):
  MATMUL            int8 x int8 -> int32, n x n x n for each --sizes n; bytecode
  MATMUL_FX64       i64 fixed point 32x32x32, shift 16; bytecode
  RELU              64x64 i64; bytecode
  ARGMAX            64 rows of 64 i64; bytecode
  CONV1D            512 i64 inputs, 16 taps, shift 8; bytecode
  POSEIDON_MANY     16 hashes of 2 inputs; a sol_poseidon call per hash
  MSM_BN254         16 points; a sol_alt_bn128_group_op multiplication and
                    addition per point
  BATCH_VERIFY_BLS  8 signatures; an agora_bls_verify call per signature
Not measured, for want of a baseline a program could run:
  BATCH_VERIFY_ED25519  Solana has no ed25519 syscall (only the Ed25519
                    precompile program, over a transaction's instructions)
  MSM_BLS12381      no BLS12-381 G1 scalar multiplication syscall is active
                    (sol_curve_group_op refuses BLS12-381 while SIMD-0388 is off)

--json prints, as its last line,
{"operations":[{"name","size","bytecode_cu","syscall_cu","bytecode_ns","syscall_ns"},...]};
bytecode_* is the program without offload.`,
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
			var ops []string
			if opsText != "" && opsText != "all" {
				for _, f := range strings.Split(opsText, ",") {
					name := strings.ToUpper(strings.TrimSpace(f))
					if !slices.Contains(bench.OffloadOps(), name) {
						return usageErr("--ops: %q is not one of %s", f, strings.Join(bench.OffloadOps(), ", "))
					}
					ops = append(ops, name)
				}
			}
			if reps < 1 || reps > 1000 {
				return usageErr("--reps must be 1..1000")
			}
			rows, err := bench.BenchOffload(bench.OffloadOptions{Ops: ops, Sizes: sizes, Reps: reps})
			if err != nil {
				return &exitError{code: exitBadCall, err: err}
			}
			if asJSON {
				return writeJSON(s, map[string]any{"operations": rows})
			}
			fmt.Fprintf(s.out, "%-16s %-22s %12s %12s %8s %13s %13s %8s\n", "op", "size", "bytecode CU", "syscall CU", "CU x", "bytecode ns", "syscall ns", "time x")
			for _, r := range rows {
				fmt.Fprintf(s.out, "%-16s %-22s %12d %12d %7.1fx %13.0f %13.0f %7.1fx\n", r.Name, r.Size, r.BytecodeCU, r.SyscallCU,
					float64(r.BytecodeCU)/float64(r.SyscallCU), r.BytecodeNs, r.SyscallNs, r.BytecodeNs/r.SyscallNs)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&opsText, "ops", "all", "operations, comma-separated: "+strings.Join(bench.OffloadOps(), ","))
	cmd.Flags().StringVar(&sizesText, "sizes", "32,64,128", "MATMUL's matrix sizes n, comma-separated (1..128)")
	cmd.Flags().IntVar(&reps, "reps", 3, "timed runs per case")
	return cmd
}
