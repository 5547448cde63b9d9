package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/bench"
)

// newBenchLanesCmd is `agora bench lanes`.
func newBenchLanesCmd(s *streams) *cobra.Command {
	var asJSON bool
	var lanesText string
	var reps int
	cmd := &cobra.Command{
		Use:   "lanes",
		Short: "Time parallel lanes inside one program at several lane counts",
		Long: `Run the design proposal's two examples of parallel agent work as sBPF
programs that spawn children (ext/lanes) and join them:

  perception-ml-analytics  three different analyses (a moving-average
                           filter, a fixed-point neuron, mean and
                           variance) as three children
  monte-carlo-1000         1,000 random walks of 64 steps, split over
                           eight children

At one lane the children run serially, each to completion at its spawn;
at L lanes they run on goroutines with GOMAXPROCS set to L. The result
and CU must be the same at every count. For each, the median wall time
per run over --reps runs, the CU charged (every lane), the CU span (the
critical path) and the speedups against one lane in the same run: wall
time, and CU over span (what an unlimited number of cores could give),
next to the proposal's claim.

--json prints, as its last line,
{"cores":C,"workloads":[{"name","lanes","ns","cu","cu_span","speedup","span_speedup","claimed"},…]}.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			lanes, err := parseLanes(lanesText)
			if err != nil {
				return usageErr("--lanes: %v", err)
			}
			if lanes[0] != 1 {
				lanes = append([]int{1}, lanes...)
			}
			if reps < 3 || reps > 1000 {
				return usageErr("--reps must be 3..1000")
			}
			rows, err := bench.BenchLanes(lanes, reps)
			if err != nil {
				return &exitError{code: exitBadCall, err: err}
			}
			if asJSON {
				return writeJSON(s, map[string]any{"cores": bench.Cores(), "workloads": rows})
			}
			fmt.Fprintf(s.out, "%d cores\n%-24s %5s %12s %9s %9s %8s %8s  %s\n", bench.Cores(), "workload", "lanes", "ns/run", "CU", "CU span", "wall", "span", "proposal")
			for _, r := range rows {
				fmt.Fprintf(s.out, "%-24s %5d %12.0f %9d %9d %7.2fx %7.2fx  %s\n", r.Name, r.Lanes, r.Ns, r.CU, r.CUSpan, r.Speedup, r.SpanSpeedup, r.Claimed)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&lanesText, "lanes", "1,2,4", "lane counts, comma-separated (1 is always run as the baseline)")
	cmd.Flags().IntVar(&reps, "reps", 21, "runs per lane count (the median is reported)")
	return cmd
}
