package main

import (
	"os"
	"testing"

	"github.com/agora-vm/agora/internal/testutil"
)

// TestBenchChainEnginesJSON: agora bench chain --json keeps its keys, adds
// "engine", and "engines" holds one row per workload, timed on both
// engines with identical results; without an SPL Token ELF that row says
// it was skipped.
func TestBenchChainEnginesJSON(t *testing.T) {
	small := []string{"bench", "chain", "--json", "--memory", "--blocks", "1", "--txs-per-block", "4", "--compare-blocks", "1", "--compare-txs", "4", "--rounds", "1"}
	splRuns := [][]string{{"--spl-token="}}
	if os.Getenv(testutil.SPLTokenEnv) != "" {
		splRuns = append(splRuns, nil) // the default reads the variable
	}
	for _, engine := range []string{"interp", "jit"} {
		for _, spl := range splRuns {
			args := append(append(append([]string(nil), small...), "--engine", engine), spl...)
			res := runCLI(t, "", args...)
			if res.code != 0 {
				t.Fatalf("%v: exit %d: %s", args, res.code, res.stderr)
			}
			v := lastJSON(t, res.stdout)
			for _, k := range []string{"store", "engine", "transactions", "blocks", "seconds", "tps", "vm_share", "store_share", "runtime_share", "cu_per_tx", "engines"} {
				if _, ok := v[k]; !ok {
					t.Fatalf("%v: key %q missing in %v", args, k, v)
				}
			}
			if v["engine"] != engine || v["transactions"] != 4.0 || v["cu_per_tx"] != 160.0 {
				t.Fatalf("%v: %v", args, v)
			}
			rows := v["engines"].([]any)
			if len(rows) != 3 {
				t.Fatalf("%d engine rows, want 3", len(rows))
			}
			for i, name := range []string{"transfer", "compute-100k", "spl-token-transfer"} {
				f := rows[i].(map[string]any)
				if f["workload"] != name {
					t.Fatalf("row %d: %v", i, f)
				}
				if name == "spl-token-transfer" && spl != nil {
					if f["skipped"] == nil || f["skipped"] == "" || f["identical"] != false {
						t.Fatalf("SPL Token row without an ELF: %v", f)
					}
					continue
				}
				if f["identical"] != true || f["jit_compiled"] != true || f["transactions"] != 4.0 ||
					f["interp_us_per_tx"].(float64) <= 0 || f["jit_us_per_tx"].(float64) <= 0 || f["jit_speedup"].(float64) <= 0 || f["cu_per_tx"].(float64) <= 0 {
					t.Fatalf("row %v", f)
				}
			}
		}
	}
	for _, bad := range [][]string{{"--engine", "auto"}, {"--rounds", "0"}, {"--compare-blocks", "101"}, {"--spl-token", "/nonexistent/spl.so"}} {
		if r := runCLI(t, "", append([]string{"bench", "chain", "--memory", "--blocks", "1", "--txs-per-block", "1"}, bad...)...); r.code != 2 {
			t.Fatalf("%v: exit %d, want 2", bad, r.code)
		}
	}
}

// TestBenchChainNoCompare: --compare=false leaves "engines" out.
func TestBenchChainNoCompare(t *testing.T) {
	res := runCLI(t, "", "bench", "chain", "--json", "--memory", "--blocks", "1", "--txs-per-block", "2", "--compare=false")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if v := lastJSON(t, res.stdout); v["engines"] != nil || v["engine"] != "interp" {
		t.Fatalf("%v", v)
	}
}
