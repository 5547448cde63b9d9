package main

import (
	"strings"
	"testing"
)

func TestBenchCostsJSON(t *testing.T) {
	res := runCLI(t, "", "bench", "costs", "--json", "--rounds", "1", "--round-time", "2ms", "--filter", "sol_log_")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	got := lastJSON(t, res.stdout)
	if len(got) != 1 {
		t.Fatalf("want only \"syscalls\", got keys of %v", got)
	}
	list, _ := got["syscalls"].([]any)
	if len(list) == 0 {
		t.Fatalf("no rows: %v", got)
	}
	names := map[string]bool{}
	for _, r := range list {
		m := r.(map[string]any)
		for _, k := range []string{"name", "size", "cu", "ns", "ratio"} {
			if _, ok := m[k]; !ok {
				t.Errorf("row %v lacks %s", m, k)
			}
		}
		name, _ := m["name"].(string)
		if !strings.HasPrefix(name, "sol_log_") {
			t.Errorf("--filter sol_log_ measured %q", name)
		}
		names[name] = true
		if cu, _ := m["cu"].(float64); cu < 100 {
			t.Errorf("%s priced %v CU, Agave charges at least 100", name, m["cu"])
		}
	}
	for _, want := range []string{"sol_log_", "sol_log_64_", "sol_log_data"} {
		if !names[want] {
			t.Errorf("no row for %s in %v", want, names)
		}
	}
}

func TestBenchCostsTextAndFit(t *testing.T) {
	res := runCLI(t, "", "bench", "costs", "--rounds", "1", "--round-time", "1ms", "--filter", "sol_log_64_", "--fit")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	for _, want := range []string{"price CU", "ratio", "sol_log_64_", "fitted at 33 ns/CU"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.stdout)
		}
	}
	if !strings.Contains(res.stderr, "[1/1] sol_log_64_") {
		t.Errorf("no progress on stderr: %q", res.stderr)
	}
}

func TestBenchCostsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--rounds", "0"},
		{"--round-time", "0s"},
		{"--filter", "no_such_syscall"},
		{"extra"},
	} {
		res := runCLI(t, "", append([]string{"bench", "costs"}, args...)...)
		if res.code != exitBadCall {
			t.Errorf("%v: exit %d, want %d (stderr %q)", args, res.code, exitBadCall, res.stderr)
		}
	}
}
