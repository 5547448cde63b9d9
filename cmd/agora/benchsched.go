package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/bench"
)

// parseLanes reads a comma-separated list of lane counts.
func parseLanes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1024 {
			return nil, fmt.Errorf("%q is not a lane count (1..1024)", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// newBenchSchedCmd is `agora bench sched`.
func newBenchSchedCmd(s *streams) *cobra.Command {
	var asJSON bool
	var lanesText, workloads, profile string
	o := bench.SchedOptions{}
	cmd := &cobra.Command{
		Use:   "sched",
		Short: "Time the block scheduler at several lane counts against one lane",
		Long: `Run blocks of the scheduler workloads through the bank (in-memory store:
admission with signature checks, execution, commit) at each lane count
and report transactions per second and the speedup over --lanes 1,
measured in the same run (1 is always included). Workloads:

  transfers     non-conflicting System transfers
  compute       non-conflicting BPF transactions of about 100k CU
  hot-account   transfers that all write one account
  mixed         transfers, one in ten writing a shared account

Signing happens before the clock starts. Rounds of the lane counts
alternate and the median is reported.

--json prints, as its last line,
{"cores":C,"workloads":[{"name","lanes","tps","speedup","cu_per_tx","cores_used"},…]};
cores_used is the CPU time the process got per second of the timed
blocks, which on a shared machine says how many cores it really had.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			lanes, err := parseLanes(lanesText)
			if err != nil {
				return usageErr("--lanes: %v", err)
			}
			if workloads != "" {
				o.Workloads = strings.Split(workloads, ",")
			}
			if o.Blocks < 1 || o.Blocks > 150 || o.TxsPerBlock < 1 || o.TxsPerBlock > 2000 || o.Rounds < 1 || o.Rounds > 100 {
				return usageErr("--blocks must be 1..150, --txs-per-block 1..2000, --rounds 1..100")
			}
			o.Lanes = lanes
			if !asJSON {
				fmt.Fprintf(s.err, "running %d blocks of %d transactions per workload at lanes %v, %d rounds...\n", o.Blocks, o.TxsPerBlock, lanes, o.Rounds)
			}
			stop, err := startCPUProfile(profile)
			if err != nil {
				return err
			}
			figs, err := bench.BenchSched(cmd.Context(), o)
			stop()
			if err != nil {
				return &exitError{code: exitBadCall, err: err}
			}
			if asJSON {
				return writeJSON(s, map[string]any{"cores": bench.Cores(), "workloads": figs})
			}
			fmt.Fprintf(s.out, "%d cores\n%-12s %6s %12s %8s %10s %11s\n", bench.Cores(), "workload", "lanes", "tx/s", "speedup", "CU/tx", "cores used")
			for _, f := range figs {
				fmt.Fprintf(s.out, "%-12s %6d %12.0f %7.2fx %10d %11.2f\n", f.Name, f.Lanes, f.TPS, f.Speedup, f.CUPerTx, f.CoresUsed)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&lanesText, "lanes", "1,2,4", "lane counts, comma-separated (1 is always run as the baseline)")
	cmd.Flags().StringVar(&workloads, "workloads", "", "workloads, comma-separated (default: all)")
	cmd.Flags().IntVar(&o.Blocks, "blocks", 16, "blocks per round")
	cmd.Flags().IntVar(&o.TxsPerBlock, "txs-per-block", 256, "transactions per block")
	cmd.Flags().StringVar(&profile, "cpuprofile", "", "write a CPU profile of the run to `FILE` (go tool pprof)")
	cmd.Flags().IntVar(&o.Rounds, "rounds", 5, "rounds per lane count (the median is reported)")
	return cmd
}
