package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/agora-vm/agora/bench"
)

func TestOffloadBenchJSON(t *testing.T) {
	res := runCLI(t, "", "offload", "bench", "--json", "--ops", "MATMUL", "--sizes", "8,16", "--reps", "1")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	ops, _ := lastJSON(t, res.stdout)["operations"].([]any)
	if len(ops) != 2 {
		t.Fatalf("operations: %v", ops)
	}
	for _, o := range ops {
		m := o.(map[string]any)
		if m["name"] != "MATMUL" || m["syscall_cu"].(float64) >= m["bytecode_cu"].(float64) {
			t.Fatalf("row %v", m)
		}
	}
	for _, bad := range [][]string{{"--sizes", "129"}, {"--ops", "MATMUL_I8"}, {"--ops", "BATCH_VERIFY_ED25519"}, {"--reps", "0"}} {
		if res := runCLI(t, "", append([]string{"offload", "bench"}, bad...)...); res.code != 2 {
			t.Fatalf("%v: exit %d", bad, res.code)
		}
	}
}

// The default run has a row for every operation name, in order, each
// with every key of the contract.
func TestOffloadBenchJSONAllOps(t *testing.T) {
	res := runCLI(t, "", "offload", "bench", "--json", "--sizes", "4", "--reps", "1")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	ops, _ := lastJSON(t, res.stdout)["operations"].([]any)
	var names []string
	for _, o := range ops {
		m, _ := o.(map[string]any)
		if len(m) != 6 {
			t.Fatalf("row %v: want 6 keys", m)
		}
		for _, k := range []string{"name", "size"} {
			if s, _ := m[k].(string); s == "" {
				t.Fatalf("row %v: %q not a non-empty string", m, k)
			}
		}
		for _, k := range []string{"bytecode_cu", "syscall_cu", "bytecode_ns", "syscall_ns"} {
			if v, _ := m[k].(float64); v <= 0 {
				t.Fatalf("row %v: %q not a positive number", m, k)
			}
		}
		names = append(names, m["name"].(string))
	}
	want := []string{"MATMUL", "MATMUL_FX64", "RELU", "ARGMAX", "CONV1D", "POSEIDON_MANY", "MSM_BN254", "BATCH_VERIFY_BLS"}
	if !slices.Equal(names, want) || !slices.Equal(bench.OffloadOps(), want) {
		t.Fatalf("names %v, OffloadOps %v, want %v", names, bench.OffloadOps(), want)
	}
	res = runCLI(t, "", "offload", "bench", "--ops", "relu, argmax", "--reps", "1")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "RELU ") || !strings.HasPrefix(lines[2], "ARGMAX ") {
		t.Fatalf("--ops relu,argmax table:\n%s", res.stdout)
	}
}
