package main

import "testing"

// TestBenchSchedJSON: the last line is {"cores":C,"workloads":[{"name",
// "lanes","tps","speedup"},…]}, one lane first, speedups against it.
func TestBenchSchedJSON(t *testing.T) {
	res := runCLI(t, "", "bench", "sched", "--json", "--lanes", "2", "--blocks", "1", "--txs-per-block", "8", "--rounds", "1")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	v := lastJSON(t, res.stdout)
	if c, ok := v["cores"].(float64); !ok || c < 1 {
		t.Fatalf("cores %v", v["cores"])
	}
	ws := v["workloads"].([]any)
	if len(ws) != 8 {
		t.Fatalf("%d figures, want 4 workloads at 2 lane counts", len(ws))
	}
	names := map[string]bool{}
	for i, w := range ws {
		f := w.(map[string]any)
		names[f["name"].(string)] = true
		lanes, tps, speedup := f["lanes"].(float64), f["tps"].(float64), f["speedup"].(float64)
		if tps <= 0 || speedup <= 0 || lanes != float64(1+i%2) || (lanes == 1 && speedup != 1) {
			t.Fatalf("figure %v", f)
		}
	}
	for _, n := range []string{"transfers", "compute", "hot-account", "mixed"} {
		if !names[n] {
			t.Fatalf("workload %s missing", n)
		}
	}
	for _, bad := range [][]string{{"--lanes", "0"}, {"--lanes", "x"}, {"--workloads", "nope", "--blocks", "1", "--txs-per-block", "2", "--rounds", "1"}} {
		if r := runCLI(t, "", append([]string{"bench", "sched"}, bad...)...); r.code == 0 {
			t.Fatalf("%v accepted", bad)
		}
	}
}
