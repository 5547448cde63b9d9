package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/bench"
)

// splTokenEnv names the file holding the SPL Token ELF when --spl-token
// is not given (the repository's tests read the same variable).
const splTokenEnv = "AGORA_SPL_TOKEN"

// newBenchChainCmd is `agora bench chain`. The lead registers it under
// newBenchCmd.
func newBenchChainCmd(s *streams) *cobra.Command {
	var asJSON, memory, compare bool
	var engine, splToken string
	o := bench.ChainOptions{}
	eo := bench.ChainEngineOptions{}
	cmd := &cobra.Command{
		Use:   "chain",
		Short: "Time serial transfers through the whole chain: runtime, VM and store; interpreter against JIT",
		Long: `Run transfers of a small BPF program (deployed on a fresh chain) serially,
block after block, and report transactions per second and the share of
time spent in the VM, in store commits, and in the rest of the runtime
(signature checks, fees, account loading, input serialization and
write-back). The store is Pebble in a temporary directory unless --memory.
--engine interp|jit chooses the engine of that run.

Then (unless --compare=false) compare the engines in the same run: each
workload goes through the bank (in-memory store, one lane) on the
interpreter and on the JIT, alternating engines round by round, and the
median wall time per transaction (ProcessBlock: admission, execution,
commit) of each is printed with their ratio. Each round is a fresh chain
whose first, untimed block prepares (and compiles) the program. The
workloads: transfer (the program above), compute-100k (a BPF countdown of
about 100,000 CU) and spl-token-transfer (SPL Token Transfer instructions
between initialized token accounts, on the ELF --spl-token names, default
$AGORA_SPL_TOKEN; without one the row says it was skipped). Every round
must give identical transaction results (status, CU, logs, return data)
and block hashes on both engines, or the command fails with exit 1.

--json prints {"store","engine","transactions","blocks","seconds","tps",
"vm_share","store_share","runtime_share","cu_per_tx","engines":[{"workload",
"skipped","transactions","rounds","cu_per_tx","interp_us_per_tx",
"jit_us_per_tx","jit_speedup","jit_compiled","jit_fallback","identical"},…]}
("skipped" and "jit_fallback" only when set; "engines" only with --compare).`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Blocks < 1 || o.Blocks > 1_000_000 || o.TxsPerBlock < 1 || o.TxsPerBlock > 100_000 {
				return usageErr("--blocks and --txs-per-block must be positive (at most 1,000,000 and 100,000)")
			}
			if eo.Blocks < 1 || eo.Blocks > 100 || eo.TxsPerBlock < 1 || eo.TxsPerBlock > 10_000 || eo.Rounds < 1 || eo.Rounds > 100 {
				return usageErr("--compare-blocks (1..100), --compare-txs (1..10,000) and --rounds (1..100) are out of range")
			}
			var err error
			switch engine {
			case "interp", "jit":
				o.EngineName = engine
				if o.Engine, err = newEngine(engine, s.err, nil); err != nil {
					return err
				}
			default:
				return usageErr("--engine: %q is not interp or jit", engine)
			}
			if compare {
				if !cmd.Flags().Changed("spl-token") {
					splToken = os.Getenv(splTokenEnv)
				}
				if splToken == "" {
					eo.SPLTokenMissing = "no SPL Token ELF: pass --spl-token FILE or set " + splTokenEnv
				} else if eo.SPLToken, err = readFileLimited(splToken); err != nil {
					return usageErr("--spl-token: %v", err)
				}
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
				fmt.Fprintf(s.err, "running %d blocks of %d transfers on %s...\n", o.Blocks, o.TxsPerBlock, engine)
			}
			f, err := bench.BenchChain(cmd.Context(), o)
			if err != nil {
				return &exitError{code: exitBadCall, err: err}
			}
			var engines []bench.ChainEngineFigure
			if compare {
				if !asJSON {
					fmt.Fprintf(s.err, "comparing engines: %d rounds of %d blocks of %d transactions per workload and engine...\n", eo.Rounds, eo.Blocks, eo.TxsPerBlock)
				}
				if engines, err = bench.BenchChainEngines(cmd.Context(), eo); err != nil {
					code := exitBadCall
					if errors.Is(err, bench.ErrEnginesDiverge) {
						code = exitFault
					}
					return &exitError{code: code, err: err}
				}
			}
			if asJSON {
				return writeJSON(s, struct {
					bench.ChainFigure
					Engines []bench.ChainEngineFigure `json:"engines,omitempty"`
				}{f, engines})
			}
			fmt.Fprintf(s.out, "store %s, engine %s: %d transactions in %d blocks, %.3f s\n", f.Store, f.Engine, f.Transactions, f.Blocks, f.Seconds)
			fmt.Fprintf(s.out, "%.0f transactions per second (serial), %d CU each\n", f.TPS, f.CUPerTx)
			fmt.Fprintf(s.out, "time: VM %.1f%%, runtime %.1f%%, store %.1f%%\n", 100*f.VMShare, 100*f.RuntimeShare, 100*f.StoreShare)
			if compare {
				printChainEngines(s.out, engines)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&memory, "memory", false, "use the in-memory store instead of Pebble")
	cmd.Flags().IntVar(&o.Blocks, "blocks", 50, "blocks to produce")
	cmd.Flags().IntVar(&o.TxsPerBlock, "txs-per-block", 200, "transfers per block")
	cmd.Flags().IntVar(&o.Accounts, "accounts", 256, "sender/receiver pairs to rotate through")
	cmd.Flags().StringVar(&engine, "engine", "interp", "engine of the transfer run: interp or jit")
	cmd.Flags().BoolVar(&compare, "compare", true, "also compare the interpreter and the JIT per workload")
	cmd.Flags().IntVar(&eo.Blocks, "compare-blocks", 4, "timed blocks per round of the engine comparison")
	cmd.Flags().IntVar(&eo.TxsPerBlock, "compare-txs", 64, "transactions per block of the engine comparison")
	cmd.Flags().IntVar(&eo.Rounds, "rounds", 5, "rounds per engine of the comparison (the median is reported)")
	cmd.Flags().StringVar(&splToken, "spl-token", "", "SPL Token ELF for the spl-token-transfer workload (default $"+splTokenEnv+")")
	return cmd
}

func printChainEngines(w io.Writer, figs []bench.ChainEngineFigure) {
	fmt.Fprintf(w, "\n%-19s %9s %14s %14s %8s\n", "workload", "CU/tx", "interp us/tx", "jit us/tx", "speedup")
	for _, f := range figs {
		if f.Skipped != "" {
			fmt.Fprintf(w, "%-19s skipped: %s\n", f.Workload, f.Skipped)
			continue
		}
		note := ""
		if !f.JITCompiled {
			note = "  (JIT fell back to the interpreter: " + f.JITFallback + ")"
		}
		fmt.Fprintf(w, "%-19s %9d %14.1f %14.1f %7.2fx%s\n", f.Workload, f.CUPerTx, f.InterpUsPerTx, f.JITUsPerTx, f.JITSpeedup, note)
	}
}
