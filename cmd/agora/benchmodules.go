package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/bench"
)

// newBenchModulesCmd is `agora bench modules`.
func newBenchModulesCmd(s *streams) *cobra.Command {
	var asJSON bool
	var calls, rounds int
	var roundTime time.Duration
	cmd := &cobra.Command{
		Use:   "modules",
		Short: "In-process module calls against CPIs doing the same work",
		Long: `Run three transactions on Agora's runtime, alternating round by round:
a caller making --calls agora_module_call calls of a deployed program's
exported function (it doubles an 8-byte argument), a caller making the
same calls as cross-program invocations of that program (the result as
return data), and the same loop without calls (the baseline, subtracted
from both). The three must log the same sum. Prints CU and wall time per
call and the CPI/module ratios (docs/modules.md).

--json prints {"calls":…,"module_cu_per_call":…,"cpi_cu_per_call":…,
"module_ns_per_call":…,"cpi_ns_per_call":…,"cu_ratio":…,"time_ratio":…,
"module_tx_cu":…,"cpi_tx_cu":…,"baseline_tx_cu":…}.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if calls < 1 || calls > 150 {
				return usageErr("--calls: %d is outside 1..150 (150 CPIs fill a transaction's budget)", calls)
			}
			if rounds < 1 || rounds > 1000 {
				return usageErr("--rounds: %d is outside 1..1000", rounds)
			}
			if roundTime <= 0 || roundTime > time.Minute {
				return usageErr("--round-time: %v is outside (0, 1m]", roundTime)
			}
			row, err := bench.MeasureModules(calls, rounds, roundTime)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(s, row)
			}
			fmt.Fprintf(s.out, "%-12s %12s %14s\n", "", "CU per call", "ns per call")
			fmt.Fprintf(s.out, "%-12s %12d %14.0f\n", "module call", row.ModuleCU, row.ModuleNs)
			fmt.Fprintf(s.out, "%-12s %12d %14.0f\n", "CPI", row.CPICU, row.CPINs)
			fmt.Fprintf(s.out, "CPI / module: %.1fx CU, %.1fx time (%d calls per transaction; baseline loop %d CU)\n", row.CURatio, row.TimeRatio, row.Calls, row.BaselineTxCU)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().IntVar(&calls, "calls", 50, "calls per transaction")
	cmd.Flags().IntVar(&rounds, "rounds", 5, "rounds to take the median over")
	cmd.Flags().DurationVar(&roundTime, "round-time", 100*time.Millisecond, "time per round and transaction")
	return cmd
}
