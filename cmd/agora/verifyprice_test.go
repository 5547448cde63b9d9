package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestVerifyCUBoundIncludesSyscalls checks the proven CU bound of `agora
// verify --deep` against what `agora run` measures: equal on programs
// with one path, at least the measure on every input of one with
// branches, and unknown (never a wrong number) when a syscall's price
// depends on what the analysis does not see.
func TestVerifyCUBoundIncludesSyscalls(t *testing.T) {
	dir := t.TempDir()
	accounts := "../../verify/testdata/deep/one.json"
	for _, tc := range []struct {
		name, src string
		exact     bool     // the bound is the most measured over data
		data      []string // instruction data to measure (hex); default: 8 zero bytes
		unknown   string   // the cu verdict must be unknown, with this reason
	}{
		{"log", `
    stdw [r10-8], 0x61626364
    mov64 r1, r10
    sub64 r1, 8
    mov64 r2, 5
    syscall sol_log_
    mov64 r2, 300
    syscall sol_log_
    syscall sol_log_64_
    syscall sol_log_compute_units_
    mov64 r0, 0
    exit`, true, nil, ""},
		{"sha256 of two slices", `
    stxdw [r10-32], r1
    stdw [r10-24], 300
    stxdw [r10-16], r1
    stdw [r10-8], 7
    mov64 r1, r10
    sub64 r1, 32
    mov64 r2, 2
    mov64 r3, r10
    sub64 r3, 64
    syscall sol_sha256
    syscall sol_keccak256
    mov64 r0, 0
    exit`, true, nil, ""},
		{"mem ops", `
    mov64 r1, r10
    sub64 r1, 1000
    mov64 r2, 7
    mov64 r3, 900
    syscall sol_memset_
    mov64 r2, r1
    sub64 r1, 1000
    syscall sol_memcpy_
    mov64 r2, 0
    mov64 r3, 2
    syscall sol_set_return_data
    mov64 r0, 0
    exit`, true, nil, ""},
		{"agora syscalls", `
    lddw r1, 0x300000000
    mov64 r2, 7
    atomic_store
    atomic_load
    mov64 r3, 9
    atomic_cas
    tx_begin
    lddw r1, 0x300000008
    stdw [r1+0], 9
    stdw [r1+8], 9
    stxdw [r1+16], r0
    tx_commit
    tx_begin
    stdw [r1+0], 1
    tx_abort
    tx_test
    mov64 r1, r10
    sub64 r1, 8
    mov64 r2, 8
    declassify
    mov64 r0, 0
    exit`, true, nil, ""},
		{"branches", `
    ldxb r2, [r1+10368]
    jeq r2, 0, quiet
    mov64 r1, r10
    sub64 r1, 8
    mov64 r2, 500
    syscall sol_log_
    syscall sol_log_64_
quiet:
    mov64 r0, 0
    exit`, true, []string{"0000000000000000", "0100000000000000"}, ""},
		{"lane join", `
    mov64 r1, 8
    mov64 r3, 0
    mov64 r4, 100
    parallel_spawn
    mov64 r1, r0
    parallel_join
    mov64 r0, 0
    exit
    mov64 r0, 0
    exit`, false, nil, "no static price for agora_parallel_join, agora_parallel_spawn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".s")
			if err := os.WriteFile(path, []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			res := runCLI(t, "", "verify", path, "--deep", "--accounts", accounts)
			if tc.unknown != "" {
				if !strings.Contains(res.stdout, "unknown  cu: no bound proven: "+tc.unknown) || strings.Contains(res.stdout, "proven   cu:") {
					t.Fatalf("want cu unknown (%s):\n%s%s", tc.unknown, res.stdout, res.stderr)
				}
				return
			}
			m := regexp.MustCompile(`proven   cu: at most (\d+) compute units on every path \(the syscalls' prices included\)`).FindStringSubmatch(res.stdout)
			if m == nil {
				t.Fatalf("no cu bound:\n%s%s", res.stdout, res.stderr)
			}
			bound, _ := strconv.ParseUint(m[1], 10, 64)
			data := tc.data
			if data == nil {
				data = []string{"0000000000000000"}
			}
			var most uint64
			for _, d := range data {
				run := runCLI(t, "", "run", path, "--accounts", accounts, "--data", d, "--json")
				var out struct {
					OK bool   `json:"ok"`
					CU uint64 `json:"cu"`
				}
				lines := strings.Split(strings.TrimSpace(run.stdout), "\n")
				if err := json.Unmarshal([]byte(lines[len(lines)-1]), &out); err != nil || !out.OK {
					t.Fatalf("run: %v\n%s%s", err, run.stdout, run.stderr)
				}
				if out.CU > bound {
					t.Fatalf("measured %d CU over the proven bound %d", out.CU, bound)
				}
				most = max(most, out.CU)
			}
			if tc.exact && most != bound {
				t.Errorf("bound %d, worst measured %d", bound, most)
			}
		})
	}
}
