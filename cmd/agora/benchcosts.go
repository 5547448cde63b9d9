package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/bench"
)

// newBenchCostsCmd is `agora bench costs`: the cost calibration of
// the extension price rule of docs/costs.md.
func newBenchCostsCmd(s *streams) *cobra.Command {
	var (
		asJSON    bool
		fit       bool
		rounds    int
		roundTime time.Duration
		filter    string
	)
	cmd := &cobra.Command{
		Use:   "costs",
		Short: "Measure every priced syscall against its compute-unit price",
		Long: `Calibrate syscall prices (docs/costs.md). For every priced syscall, standard
and extension, at representative sizes, run a loop of calls and a baseline
loop without them, and report per call:

  price   the compute units charged (checked to equal the published price)
  ns      the measured time, baseline subtracted (median over the rounds)
  ratio   ns / (price × 33 ns), 33 ns per CU being Agave's rate; a free
          syscall is compared with the 1 CU of its call instruction
  flag    "underpriced" when ratio > 2, "overpriced" when ratio < 0.5

--fit adds, for each syscall and operation, the price base + per_unit·n that
the measured times give at 33 ns/CU, rounded up: the rule extension prices
follow.

--json prints {"syscalls":[{"name":…,"size":…,"cu":…,"ns":…,"ratio":…,"flag":…,
"op":…,"unit":…,"units":…,"calls":…},…]}, plus "fits":[…] with --fit.

Timings depend on the machine and its load; ratios are what matter.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if rounds < 1 || rounds > 1000 {
				return usageErr("--rounds: %d is outside 1..1000", rounds)
			}
			if roundTime <= 0 || roundTime > time.Minute {
				return usageErr("--round-time: %v is outside (0, 1m]", roundTime)
			}
			samples, err := bench.CostSamples()
			if err != nil {
				return err
			}
			samples = bench.FilterSamples(samples, filter)
			if len(samples) == 0 {
				return usageErr("--filter: no syscall matches %q", filter)
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			rows, err := bench.MeasureCosts(ctx, bench.CostOptions{
				Rounds:    rounds,
				RoundTime: roundTime,
				Samples:   samples,
				Progress: func(done, total int, label string) {
					fmt.Fprintf(s.err, "[%d/%d] %s\n", done+1, total, label)
				},
			})
			if err != nil {
				return err
			}
			var fits []bench.Fit
			if fit {
				if fits, err = bench.FitFamilies(rows); err != nil {
					return err
				}
			}
			if asJSON {
				out := map[string]any{"syscalls": rows}
				if fit {
					out["fits"] = fits
				}
				return writeJSON(s, out)
			}
			printCostRows(s, rows)
			if fit {
				printFits(s, fits)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	fl.BoolVar(&fit, "fit", false, "also fit base + per_unit·n to each syscall's measured times")
	fl.IntVar(&rounds, "rounds", 5, "rounds to take the median over")
	fl.DurationVar(&roundTime, "round-time", 50*time.Millisecond, "duration of each timed round (loop and baseline runs alternate within it)")
	fl.StringVar(&filter, "filter", "", "measure only syscalls whose name and operation contain `SUBSTR`")
	return cmd
}

func printCostRows(s *streams, rows []bench.CostRow) {
	fmt.Fprintf(s.out, "%-42s %16s %9s %12s %8s %9s  %s\n", "syscall", "size", "price CU", "ns/call", "ratio", "proposal", "flag")
	for _, r := range rows {
		proposal := ""
		if r.ProposalCU != 0 {
			proposal = fmt.Sprint(r.ProposalCU)
		}
		fmt.Fprintf(s.out, "%-42s %16s %9d %12.1f %7.3fx %9s  %s\n",
			r.Label(), fmt.Sprintf("%d %s", r.Size, r.Unit), r.CU, r.Ns, r.Ratio, proposal, r.Flag)
	}
}

func printFits(s *streams, fits []bench.Fit) {
	fmt.Fprintf(s.out, "\nfitted at %g ns/CU, rounded up:\n", bench.NsPerCU)
	fmt.Fprintf(s.out, "%-42s %-24s %-18s %s\n", "syscall", "n counts", "price", "points")
	for _, f := range fits {
		label := f.Name
		if f.Op != "" {
			label += " " + f.Op
		}
		fmt.Fprintf(s.out, "%-42s %-24s %-18s %d\n", label, f.Unit, f.Formula(), f.Points)
	}
}
