package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/bench"
)

// newBenchChainCmd is `agora bench chain`. The lead registers it under
// newBenchCmd.
func newBenchChainCmd(s *streams) *cobra.Command {
	var asJSON, memory bool
	o := bench.ChainOptions{}
	cmd := &cobra.Command{
		Use:   "chain",
		Short: "Time serial transfers through the whole chain: runtime, VM and store",
		Long: `Run transfers of a small BPF program (deployed on a fresh chain) serially,
block after block, and report transactions per second and the share of
time spent in the VM, in store commits, and in the rest of the runtime
(signature checks, fees, account loading, input serialization and
write-back). The store is Pebble in a temporary directory unless --memory.

--json prints {"store","transactions","blocks","seconds","tps","vm_share","store_share","runtime_share","cu_per_tx"}.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Blocks < 1 || o.Blocks > 1_000_000 || o.TxsPerBlock < 1 || o.TxsPerBlock > 100_000 {
				return usageErr("--blocks and --txs-per-block must be positive (at most 1,000,000 and 100,000)")
			}
			if !memory {
				dir, err := os.MkdirTemp("", "agora-bench-chain-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				o.Dir = dir
			}
			if !asJSON {
				fmt.Fprintf(s.err, "running %d blocks of %d transfers...\n", o.Blocks, o.TxsPerBlock)
			}
			f, err := bench.BenchChain(cmd.Context(), o)
			if err != nil {
				return &exitError{code: exitBadCall, err: err}
			}
			if asJSON {
				return writeJSON(s, f)
			}
			fmt.Fprintf(s.out, "store %s: %d transactions in %d blocks, %.3f s\n", f.Store, f.Transactions, f.Blocks, f.Seconds)
			fmt.Fprintf(s.out, "%.0f transactions per second (serial), %d CU each\n", f.TPS, f.CUPerTx)
			fmt.Fprintf(s.out, "time: VM %.1f%%, runtime %.1f%%, store %.1f%%\n", 100*f.VMShare, 100*f.RuntimeShare, 100*f.StoreShare)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&memory, "memory", false, "use the in-memory store instead of Pebble")
	cmd.Flags().IntVar(&o.Blocks, "blocks", 50, "blocks to produce")
	cmd.Flags().IntVar(&o.TxsPerBlock, "txs-per-block", 200, "transfers per block")
	cmd.Flags().IntVar(&o.Accounts, "accounts", 256, "sender/receiver pairs to rotate through")
	return cmd
}
