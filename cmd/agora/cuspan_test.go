package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestInstructionCUSpan: with --accounts, cu_span is the instruction's CU
// less what the lanes consumed beside the longest chain: about the same
// difference as in a raw run (the runtime's meter shifts where a join's
// wait is counted by a unit or two); a program without lanes has
// cu_span = cu.
func TestInstructionCUSpan(t *testing.T) {
	accounts := filepath.Join(t.TempDir(), "none.json")
	if err := os.WriteFile(accounts, []byte("[]"), 0o644); err != nil {
		t.Fatal(err)
	}
	lanes := filepath.Join("..", "..", "examples", "asm", "lanes.s")
	raw := lastJSON(t, runCLI(t, "", "run", lanes, "--json").stdout)
	ix := lastJSON(t, runCLI(t, "", "run", lanes, "--accounts", accounts, "--json").stdout)
	rawCU, rawSpan := raw["cu"].(float64), raw["cu_span"].(float64)
	cu := ix["cu"].(float64)
	span, ok := ix["cu_span"].(float64)
	if d := (cu - span) - (rawCU - rawSpan); !ok || rawSpan >= rawCU || span >= cu || d < -2 || d > 2 {
		t.Fatalf("raw cu %v span %v; instruction cu %v span %v", rawCU, rawSpan, cu, ix["cu_span"])
	}
	hello := lastJSON(t, runCLI(t, "", "run", filepath.Join("..", "..", "examples", "asm", "hello.s"), "--accounts", accounts, "--json").stdout)
	if hello["cu_span"] != hello["cu"] {
		t.Fatalf("hello: cu %v, cu_span %v", hello["cu"], hello["cu_span"])
	}
}

// A recorded or profiled raw run reports the same cu and cu_span as a
// plain one.
func TestRecordedRunCUSpan(t *testing.T) {
	lanes := filepath.Join("..", "..", "examples", "asm", "lanes.s")
	plain := lastJSON(t, runCLI(t, "", "run", lanes, "--json").stdout)
	dir := t.TempDir()
	for _, flag := range []string{"--record", "--profile"} {
		got := lastJSON(t, runCLI(t, "", "run", lanes, "--json", flag, filepath.Join(dir, "out"+flag)).stdout)
		if got["cu"] != plain["cu"] || got["cu_span"] == nil || got["cu_span"] != plain["cu_span"] {
			t.Fatalf("%s: cu %v span %v; plain cu %v span %v", flag, got["cu"], got["cu_span"], plain["cu"], plain["cu_span"])
		}
	}
}
