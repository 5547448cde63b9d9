package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/sim"
)

func newSimCmd(s *streams) *cobra.Command {
	var (
		agents, rounds, lanes int
		seed                  uint64
		out, cpuProfile       string
		asJSON, sigverify     bool
		measureVM, history    bool
	)
	cmd := &cobra.Command{
		Use:   "sim SCENARIO.yaml",
		Short: "Simulate an agent economy: real agent programs, real transactions, a report",
		Long: `Run an agent-economy scenario (examples/sim/*.yaml; the format is in
docs/sim.md). Every agent is a real program (OVSM, C or assembly) deployed
once and executed per agent per round as a signed transaction, through
the runtime, the scheduler and the Pebble store, exactly as on a chain.

The run is deterministic from --seed: the same seed gives the same final
state commitment and the same report numbers at any --lanes.

It writes DIR/report.html (self-contained plots), DIR/summary.json and
DIR/rounds.csv, and keeps the chain in DIR/ledger. A progress bar shows
rounds, transactions per second and the time left; --json is quiet and
prints the summary as the last line of standard output, with
"commitment" (the final state commitment) and "lamports_conserved".

Exit codes: 0 the run finished and lamports were conserved, 1 they were
not, 2 usage or scenario errors.`,
		Example: `  agora sim examples/sim/market.yaml --agents 1000 --rounds 5
  agora sim examples/sim/market.yaml --agents 100000 --rounds 10 --lanes 2 --json`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := sim.LoadScenario(args[0])
			if err != nil {
				return usageErr("%v", err)
			}
			if agents < 0 || rounds < 0 || lanes < 0 {
				return usageErr("--agents, --rounds and --lanes must not be negative")
			}
			if out == "" {
				out = filepath.Join("sim-out", sc.Name)
			}
			ledger := filepath.Join(out, "ledger")
			if _, err := os.Stat(ledger); err == nil {
				if _, err := os.Stat(filepath.Join(out, "summary.json")); err != nil {
					return usageErr("%s holds a ledger that is not a previous simulation's; choose another --out", out)
				}
				if err := os.RemoveAll(ledger); err != nil {
					return err
				}
			}
			if lanes == 0 {
				lanes = runtime.NumCPU()
			}
			opts := sim.Options{Agents: agents, Rounds: rounds, Lanes: lanes, StoreDir: ledger, SigVerify: sigverify, MeasureVM: measureVM, History: history}
			if cmd.Flags().Changed("seed") {
				opts.Seed = &seed
			}
			if !asJSON {
				opts.Progress = s.err
			}
			defer simMemoryLimit()()
			stop, err := startCPUProfile(cpuProfile)
			if err != nil {
				return err
			}
			defer stop()
			sum, err := sim.Run(cmd.Context(), sc, opts)
			if err != nil {
				var se *sim.ScenarioError
				if errors.As(err, &se) {
					return usageErr("%v", err)
				}
				return err
			}
			if err := sim.WriteReport(out, sum); err != nil {
				return err
			}
			if asJSON {
				if err := writeJSON(s, sum); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(s.out, "%s: %d agents, %d rounds, %d transactions (%d failed, %d left out) on %d lane(s), %.0f tx/s\n",
					sum.Scenario, sum.Agents, sum.Rounds, sum.Txs, sum.Failed, sum.Dropped, sum.Lanes, sum.TPS)
				if !sum.SigVerify {
					fmt.Fprintln(s.out, "signature verification was OFF (--sigverify=false)")
				}
				fmt.Fprintf(s.out, "setup %.1f s, rounds %.1f s; time: %s\n", sum.SetupSeconds, sum.RoundsSeconds, sum.TimeShareText())
				fmt.Fprintf(s.out, "welfare %d, revenue %d lamports\n", sum.Welfare, sum.Revenue)
				check := "conserved: total lamports equal after every round"
				if !sum.LamportsConserved {
					check = "NOT CONSERVED"
				}
				fmt.Fprintf(s.out, "lamports %s (%d)\n", check, sum.TotalLamports)
				fmt.Fprintf(s.out, "state commitment %s\n", sum.Commitment)
				fmt.Fprintf(s.out, "report: %s\n", sum.Report)
			}
			if !sum.LamportsConserved {
				return &exitError{code: exitFault, err: errors.New("lamports were not conserved")}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&agents, "agents", 0, "number of agents (default: the scenario's)")
	f.IntVar(&rounds, "rounds", 0, "number of rounds (default: the scenario's)")
	f.IntVar(&lanes, "lanes", 0, "parallel lanes (default: the number of cores; 1 is serial)")
	f.Uint64Var(&seed, "seed", 0, "seed (default: the scenario's)")
	f.StringVar(&out, "out", "", "output folder (default sim-out/NAME)")
	f.BoolVar(&asJSON, "json", false, "no progress; print the summary as JSON")
	f.BoolVar(&sigverify, "sigverify", true, "verify the agents' signatures (off is faster; the report says so)")
	f.BoolVar(&history, "history", false, "keep each transaction's record in the ledger (for agora chain's history commands)")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the run to `FILE` (go tool pprof)")
	f.BoolVar(&measureVM, "measure-vm", false, "time the VM for the summary's time shares (agora bench sim sets it)")
	return cmd
}

// simMemoryBudget is the simulator's soft limit on the Go runtime's
// memory. A million agents keep about 3 GiB live; with the collector's
// default headroom (the heap may double before a cycle) the peak RSS
// reached 6.5 GiB. The limit makes the collector run earlier as the heap
// nears it, which keeps a million agents within 6 GiB and changes no
// smaller run (100k agents peak under 2 GiB).
const simMemoryBudget = 5 << 30

// simMemoryLimit sets simMemoryBudget as the runtime's soft memory limit,
// unless GOMEMLIMIT already chose one, and returns the function that
// restores the previous limit.
func simMemoryLimit() func() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	prev := debug.SetMemoryLimit(simMemoryBudget)
	return func() { debug.SetMemoryLimit(prev) }
}
