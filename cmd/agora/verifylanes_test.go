package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The lane children these programs spawn: w0 (pc 1) and w0b (pc 6)
// write heap word 0, w8 (pc 11) heap word 8.
const laneKids = `    ja main
w0:
    lddw r2, 0x300000000
    stxdw [r2+0], r1
    mov64 r0, 0
    exit
w0b:
    lddw r2, 0x300000000
    stxdw [r2+0], r1
    mov64 r0, 0
    exit
w8:
    lddw r2, 0x300000000
    stxdw [r2+8], r1
    mov64 r0, 0
    exit
main:
`

func spawnAsm(fn string) string {
	return "    mov64 r1, " + fn + "\n    mov64 r2, r10\n    sub64 r2, 8\n    mov64 r3, 8\n    mov64 r4, 1000\n    parallel_spawn\n"
}

func TestVerifyLanesCLI(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	two := func(a, b string) string {
		return laneKids + spawnAsm(a) + "    mov64 r6, r0\n" + spawnAsm(b) + "    mov64 r1, r6\n    mov64 r6, r0\n    parallel_join\n    mov64 r1, r6\n    parallel_join\n    exit\n"
	}
	type out struct {
		OK          bool             `json:"ok"`
		Kind        string           `json:"kind"`
		LanePairing string           `json:"lane_pairing"`
		Findings    []map[string]any `json:"findings"`
		Overlaps    []struct {
			Spawns  []int  `json:"spawns"`
			Verdict string `json:"verdict"`
		} `json:"lane_overlaps"`
	}
	for _, tc := range []struct {
		name, src, want string
		code            int
		pairing         string
		findings        string // kinds@pc
		overlap         string
	}{
		{"example", "", "", 0, "proven", "", "disjoint"},
		{"leak on one branch", laneKids + spawnAsm("1") + "    ldxdw r2, [r1+0]\n    jeq r2, 0, +2\n    mov64 r1, r0\n    parallel_join\n    exit\n", "", 2, "violation", "TaskLeak@26", ""},
		{"double join", laneKids + spawnAsm("1") + "    mov64 r6, r0\n    mov64 r1, r6\n    parallel_join\n    mov64 r1, r6\n    parallel_join\n    exit\n", "", 2, "violation", "InvalidHandle@26", ""},
		{"fence then exit", laneKids + spawnAsm("1") + "    parallel_fence\n    exit\n", "", 0, "proven", "", ""},
		{"same heap word", two("1", "6"), "", 0, "proven", "", "possible overlap"},
		{"disjoint", two("1", "11"), "", 0, "proven", "", "disjoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := "../../examples/asm/lanes.s"
			if tc.src != "" {
				path = write(strings.ReplaceAll(tc.name, " ", "_")+".s", tc.src)
			}
			res := runCLI(t, "", "verify", path, "--json")
			if res.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", res.code, tc.code, res.stdout, res.stderr)
			}
			var o out
			lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &o); err != nil {
				t.Fatalf("%v\n%s", err, res.stdout)
			}
			var fs []string
			for _, f := range o.Findings {
				fs = append(fs, f["kind"].(string)+"@"+strings.TrimSuffix(strings.TrimSuffix(jsonNum(f["pc"]), ".0"), " "))
			}
			if o.LanePairing != tc.pairing || strings.Join(fs, " ") != tc.findings {
				t.Errorf("lane_pairing %q findings %v, want %q %q\n%s", o.LanePairing, fs, tc.pairing, tc.findings, res.stdout)
			}
			if tc.code == 2 && (o.OK || o.Kind != "LanePairing") {
				t.Errorf("rejection: ok %v kind %q", o.OK, o.Kind)
			}
			got := ""
			if len(o.Overlaps) > 0 {
				got = o.Overlaps[0].Verdict
			}
			if got != tc.overlap {
				t.Errorf("overlap %q, want %q\n%s", got, tc.overlap, res.stdout)
			}

			// --deep: an overlap is never proven safe; it is unknown.
			if tc.code != 0 {
				return
			}
			res = runCLI(t, "", "verify", path, "--deep")
			if strings.Contains(res.stdout, "proven   lanes: the children") != (tc.overlap == "disjoint") ||
				strings.Contains(res.stdout, "unknown  lanes: the children") != (tc.overlap == "possible overlap") ||
				!strings.Contains(res.stdout, "proven   lanes: every spawned child") {
				t.Errorf("--deep:\n%s%s", res.stdout, res.stderr)
			}
		})
	}
}

func jsonNum(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
