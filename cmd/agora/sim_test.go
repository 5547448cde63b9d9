package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pprofile "github.com/google/pprof/profile"
)

// TestMain lets tests run this test binary as the agora command (for
// commands that start themselves again, like bench sim).
func TestMain(m *testing.M) {
	if os.Getenv("AGORA_TEST_AS_CLI") == "1" {
		os.Exit(execute(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestSimCommand(t *testing.T) {
	out := t.TempDir()
	r := runCLI(t, "", "sim", "../../examples/sim/market.yaml", "--agents", "60", "--rounds", "2", "--lanes", "2", "--out", out, "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	var sum map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
		t.Fatal(err)
	}
	if sum["lamports_conserved"] != true || len(sum["commitment"].(string)) != 64 || sum["lanes"] != 2.0 {
		t.Fatalf("summary %v", sum)
	}
	if r.stderr != "" {
		t.Errorf("--json printed progress: %q", r.stderr)
	}
	for _, f := range []string{"report.html", "summary.json", "rounds.csv"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	// A second run into the same folder replaces the first; this one
	// writes a CPU profile.
	prof := filepath.Join(t.TempDir(), "cpu.pprof")
	if r := runCLI(t, "", "sim", "../../examples/sim/market.yaml", "--agents", "60", "--rounds", "1", "--out", out, "--json", "--cpuprofile", prof); r.code != 0 {
		t.Fatalf("rerun: exit %d: %s", r.code, r.stderr)
	}
	if f, err := os.Open(prof); err != nil {
		t.Fatal(err)
	} else {
		_, err := pprofile.Parse(f)
		f.Close()
		if err != nil {
			t.Fatalf("--cpuprofile wrote no profile: %v", err)
		}
	}
	if r := runCLI(t, "", "sim", "../../examples/sim/market.yaml", "--agents", "60", "--rounds", "1", "--out", out, "--cpuprofile", filepath.Join(out, "no", "such", "dir", "p")); r.code != 2 || !strings.Contains(r.stderr, "--cpuprofile") {
		t.Fatalf("unwritable --cpuprofile: exit %d: %s", r.code, r.stderr)
	}
	// Not a scenario: exit 2 with the line.
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("scenario: market\nagents: -5\nstrategies: []\n"), 0o644)
	if r := runCLI(t, "", "sim", bad); r.code != 2 || !strings.Contains(r.stderr, "bad.yaml:2:") {
		t.Fatalf("bad scenario: exit %d: %s", r.code, r.stderr)
	}
}

func TestBenchSim(t *testing.T) {
	t.Setenv("AGORA_TEST_AS_CLI", "1")
	r := runCLI(t, "", "bench", "sim", "--scenario", "../../examples/sim/market.yaml", "--agents", "40,80", "--rounds", "1", "--lanes", "2", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	var got struct {
		Runs []simRun `json:"runs"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Runs) != 2 || got.Runs[0].Agents != 40 || got.Runs[1].Agents != 80 {
		t.Fatalf("runs %+v", got.Runs)
	}
	for _, run := range got.Runs {
		if run.Transactions == 0 || run.TPS <= 0 || run.PeakRSS <= 0 || run.SerialTPS <= 0 || run.Lanes != 2 {
			t.Errorf("run %+v", run)
		}
	}
}
