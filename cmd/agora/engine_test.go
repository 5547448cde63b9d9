package main

import (
	"testing"
)

// TestEngineFlag runs one program on every engine: the JSON is the same,
// and bad engine names are usage errors.
func TestEngineFlag(t *testing.T) {
	src := "mov64 r0, 0\nmov64 r1, 0\nloop:\nadd64 r0, r1\nadd64 r1, 1\njlt r1, 100, loop\nexit\n"
	var want string
	for _, e := range []string{"interp", "jit", "auto", "verified"} {
		res := runCLI(t, src, "run", "-", "--json", "--engine", e)
		if res.code != 0 {
			t.Fatalf("--engine %s: exit %d: %s", e, res.code, res.stderr)
		}
		if want == "" {
			want = res.stdout
		} else if res.stdout != want {
			t.Fatalf("--engine %s printed %q, interp %q", e, res.stdout, want)
		}
	}
	for _, bad := range [][]string{{"--engine", "fast"}, {"--engine", "verified", "--verify-sample", "0"}, {"--engine", "verified", "--verify-sample", "1.5"}} {
		if res := runCLI(t, src, append([]string{"run", "-"}, bad...)...); res.code != 2 {
			t.Fatalf("%v: exit %d, want 2", bad, res.code)
		}
	}
	res := runCLI(t, "", "bench", "vm", "--json", "--rounds", "1", "--round-time", "5ms", "--engine", "jit")
	if res.code != 0 {
		t.Fatalf("bench vm --engine jit: exit %d: %s", res.code, res.stderr)
	}
	if v := lastJSON(t, res.stdout); v["engine"] != "jit" {
		t.Fatalf("bench vm JSON has engine %v", v["engine"])
	}
}
