package main

import (
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/bench"
	"github.com/agora-vm/agora/node"
)

// nodeBenchFigure is `agora bench node --json`: the node's figure and
// `agora bench chain`'s, measured in the same run.
type nodeBenchFigure struct {
	Node  node.LoadFigure   `json:"node"`
	Chain bench.ChainFigure `json:"chain"`
	// Ratio is the node's tps over the chain's.
	Ratio float64 `json:"ratio"`
}

func newBenchNodeCmd(s *streams) *cobra.Command {
	var asJSON bool
	var o node.LoadOptions
	cmd := &cobra.Command{
		Use:   "node",
		Short: "Push transfers through a node's JSON-RPC: sustained tps and confirmation latency",
		Long: `Start a node on loopback (a Pebble store in a temporary directory) and push
System transfers through JSON-RPC sendTransaction from --clients goroutines
for --duration, polling getSignatureStatuses every 10ms. Reports the
confirmed transactions per second and the p50 and p99 confirmation latency
(send to the poll that saw the transaction committed), next to
'agora bench chain' (serial BPF transfers straight into the bank, no RPC)
measured in the same run.

--burst N instead sends N transactions, signed beforehand, as fast as the
clients can (the node's block time is 4s unless --block-time, so that the
burst's blockhash outlives the queue): each is counted as accepted or
rejected (by error message); "dropped" counts accepted transactions a
block refused (the node logs each with its reason), such as those whose
blockhash expired while they waited.

--json prints {"node":{"mode","clients","lanes","seconds","sent","accepted",
"rejected","confirmed","dropped","tps","p50_ms","p99_ms"},"chain":{...agora
bench chain's keys...},"ratio"}.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Clients < 1 || o.Clients > 1024 || o.Burst < 0 || o.Burst > 10_000_000 || o.Duration <= 0 || o.Duration > time.Hour {
				return usageErr("--clients must be 1..1024, --burst 0..10,000,000, --duration positive (at most 1h)")
			}
			ex, err := newExecutor()
			if err != nil {
				return err
			}
			o.Executor = ex
			if !asJSON {
				if o.Burst > 0 {
					fmt.Fprintf(s.err, "signing and sending a burst of %d transfers from %d clients...\n", o.Burst, o.Clients)
				} else {
					fmt.Fprintf(s.err, "sending transfers from %d clients for %v...\n", o.Clients, o.Duration)
				}
			}
			nf, err := node.Load(cmd.Context(), o)
			if err != nil {
				return &exitError{code: exitBadCall, err: err}
			}
			dir, err := os.MkdirTemp("", "agora-bench-chain-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			cf, err := bench.BenchChain(cmd.Context(), bench.ChainOptions{Dir: dir, Blocks: 20, TxsPerBlock: 200, Accounts: 256})
			if err != nil {
				return &exitError{code: exitBadCall, err: err}
			}
			f := nodeBenchFigure{Node: nf, Chain: cf}
			if cf.TPS > 0 {
				f.Ratio = nf.TPS / cf.TPS
			}
			if asJSON {
				return writeJSON(s, f)
			}
			fmt.Fprintf(s.out, "node (%s, %d clients): %d sent, %d accepted, %d confirmed, %d dropped in %.2f s\n", nf.Mode, nf.Clients, nf.Sent, nf.Accepted, nf.Confirmed, nf.Dropped, nf.Seconds)
			keys := make([]string, 0, len(nf.Rejected))
			for k := range nf.Rejected {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(s.out, "  rejected %d: %s\n", nf.Rejected[k], k)
			}
			fmt.Fprintf(s.out, "%.0f transactions per second through RPC; confirmation latency p50 %.1f ms, p99 %.1f ms\n", nf.TPS, nf.P50, nf.P99)
			fmt.Fprintf(s.out, "agora bench chain (serial, no RPC, same run): %.0f transactions per second; node/chain %.2f\n", cf.TPS, f.Ratio)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().IntVar(&o.Clients, "clients", 8, "client goroutines sending")
	cmd.Flags().DurationVar(&o.Duration, "duration", 5*time.Second, "how long the sustained run sends")
	cmd.Flags().IntVar(&o.Burst, "burst", 0, "send N pre-signed transactions as fast as possible instead (e.g. 100000)")
	cmd.Flags().BoolVar(&o.SkipPreflight, "skip-preflight", false, "send with skipPreflight (no simulation per request)")
	cmd.Flags().IntVar(&o.Node.Lanes, "lanes", 0, "the node's scheduler lanes (0: one per core)")
	cmd.Flags().DurationVar(&o.Node.BlockTime, "block-time", 0, "the node's block time (default 100ms; 4s for a burst)")
	cmd.Flags().IntVar(&o.Node.MempoolSize, "mempool", 0, "the node's mempool capacity (default 100,000)")
	return cmd
}
