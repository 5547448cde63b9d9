package main

import "testing"

func TestOffloadBenchJSON(t *testing.T) {
	res := runCLI(t, "", "offload", "bench", "--json", "--sizes", "8,16", "--reps", "1")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	ops, _ := lastJSON(t, res.stdout)["operations"].([]any)
	if len(ops) != 2 {
		t.Fatalf("operations: %v", ops)
	}
	for _, o := range ops {
		m := o.(map[string]any)
		for _, k := range []string{"name", "size", "bytecode_cu", "syscall_cu", "bytecode_ns", "syscall_ns"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("row %v lacks %q", m, k)
			}
		}
		if m["name"] != "MATMUL" || m["syscall_cu"].(float64) >= m["bytecode_cu"].(float64) {
			t.Fatalf("row %v", m)
		}
	}
	if res := runCLI(t, "", "offload", "bench", "--sizes", "129"); res.code != 2 {
		t.Fatalf("size 129: exit %d", res.code)
	}
}
