package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/sim"
)

// simRun is one size of `agora bench sim`.
type simRun struct {
	Agents        int                `json:"agents"`
	Rounds        int                `json:"rounds"`
	Lanes         int                `json:"lanes"`
	Transactions  int                `json:"transactions"`
	TPS           float64            `json:"tps"`
	SerialTPS     float64            `json:"serial_tps,omitempty"`
	Speedup       float64            `json:"speedup,omitempty"`
	PeakRSS       int64              `json:"peak_rss_bytes"`
	SetupSeconds  float64            `json:"setup_seconds"`
	RoundsSeconds float64            `json:"rounds_seconds"`
	TimeShare     map[string]float64 `json:"time_share_percent"`
	Commitment    string             `json:"commitment"`
}

func newBenchSimCmd(s *streams) *cobra.Command {
	var (
		scenario, agentList string
		rounds, lanes       int
		asJSON, serial      bool
		sigverify           bool
	)
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Time agora sim at several sizes: tx/s, peak memory, where the time goes",
		Long: `Run a scenario (examples/sim/market.yaml by default) once per size in
--agents, each in a child process of its own so that its peak resident
memory is its own, and report transactions per second, the peak RSS,
the seconds of setup (keys, genesis, deployment) and of the rounds, and
where the rounds' time went (VM, store, signing, the scheduler's
verification and execution lanes). With --serial (the default) each size
also runs at one lane, in the same invocation, as the baseline of the
speedup.

--json prints {"scenario","runs":[{"agents","rounds","lanes","transactions","tps","serial_tps","speedup","peak_rss_bytes","setup_seconds","rounds_seconds","time_share_percent","commitment"}]}.`,
		Example: `  agora bench sim --agents 10000,100000 --rounds 10
  agora bench sim --agents 1000000 --rounds 1 --serial=false --json`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			var sizes []int
			for _, f := range strings.Split(agentList, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(f))
				if err != nil || n < 2 || n > sim.MaxAgents {
					return usageErr("--agents: %q is not a number of agents (2..%d)", f, sim.MaxAgents)
				}
				sizes = append(sizes, n)
			}
			if rounds < 1 || lanes < 0 {
				return usageErr("--rounds must be at least 1 and --lanes not negative")
			}
			if _, err := sim.LoadScenario(scenario); err != nil {
				return usageErr("%v", err)
			}
			self, err := os.Executable()
			if err != nil {
				return err
			}
			var runs []simRun
			for _, n := range sizes {
				if !asJSON {
					fmt.Fprintf(s.err, "simulating %d agents x %d rounds...\n", n, rounds)
				}
				r, err := benchSimOnce(self, scenario, n, rounds, lanes, sigverify)
				if err != nil {
					return err
				}
				if serial && r.Lanes != 1 {
					if !asJSON {
						fmt.Fprintf(s.err, "  and at one lane...\n")
					}
					base, err := benchSimOnce(self, scenario, n, rounds, 1, sigverify)
					if err != nil {
						return err
					}
					if base.Commitment != r.Commitment {
						return fmt.Errorf("bench sim: %d lanes gave commitment %s, one lane %s", r.Lanes, r.Commitment, base.Commitment)
					}
					r.SerialTPS = base.TPS
					if base.TPS > 0 {
						r.Speedup = r.TPS / base.TPS
					}
				}
				runs = append(runs, r)
			}
			if asJSON {
				return writeJSON(s, map[string]any{"scenario": scenario, "runs": runs})
			}
			fmt.Fprintf(s.out, "%9s %6s %5s %12s %9s %9s %8s %9s %9s\n", "agents", "rounds", "lanes", "transactions", "tx/s", "speedup", "RSS MiB", "setup s", "rounds s")
			for _, r := range runs {
				fmt.Fprintf(s.out, "%9d %6d %5d %12d %9.0f %8.2fx %8.0f %9.1f %9.1f\n", r.Agents, r.Rounds, r.Lanes, r.Transactions, r.TPS, r.Speedup, float64(r.PeakRSS)/(1<<20), r.SetupSeconds, r.RoundsSeconds)
				fmt.Fprintf(s.out, "          time: vm %.0f%%, execute %.0f%%, verify %.0f%%, sign %.0f%%, store %.0f%%, other %.0f%%\n",
					r.TimeShare["vm"], r.TimeShare["execute"], r.TimeShare["verify"], r.TimeShare["sign"], r.TimeShare["store"], r.TimeShare["other"])
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&scenario, "scenario", "examples/sim/market.yaml", "scenario file")
	f.StringVar(&agentList, "agents", "10000", "comma-separated numbers of agents")
	f.IntVar(&rounds, "rounds", 2, "rounds per run")
	f.IntVar(&lanes, "lanes", 0, "lanes (default: the number of cores)")
	f.BoolVar(&serial, "serial", true, "also run each size at one lane, as the baseline")
	f.BoolVar(&sigverify, "sigverify", true, "verify signatures")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// benchSimOnce runs `agora sim` in a child process and reads its summary
// and peak RSS.
func benchSimOnce(self, scenario string, agents, rounds, lanes int, sigverify bool) (simRun, error) {
	out, err := os.MkdirTemp("", "agora-bench-sim-")
	if err != nil {
		return simRun{}, err
	}
	defer os.RemoveAll(out)
	args := []string{"sim", scenario, "--json", "--measure-vm", "--out", out,
		"--agents", strconv.Itoa(agents), "--rounds", strconv.Itoa(rounds), "--sigverify=" + strconv.FormatBool(sigverify)}
	if lanes > 0 {
		args = append(args, "--lanes", strconv.Itoa(lanes))
	}
	c := exec.Command(self, args...)
	c.Stderr = os.Stderr
	stdout, err := c.Output()
	if err != nil {
		return simRun{}, fmt.Errorf("bench sim: %d agents: %w", agents, err)
	}
	lines := strings.Split(strings.TrimSpace(string(stdout)), "\n")
	var sum sim.Summary
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
		return simRun{}, fmt.Errorf("bench sim: reading the summary: %w", err)
	}
	r := simRun{Agents: sum.Agents, Rounds: sum.Rounds, Lanes: sum.Lanes, Transactions: sum.Txs, TPS: sum.TPS,
		SetupSeconds: sum.SetupSeconds, RoundsSeconds: sum.RoundsSeconds, TimeShare: sum.TimeShare, Commitment: sum.Commitment}
	if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.PeakRSS = ru.Maxrss * 1024 // kilobytes on Linux
	} else {
		return r, errors.New("bench sim: this system does not report a child's peak memory")
	}
	return r, nil
}
