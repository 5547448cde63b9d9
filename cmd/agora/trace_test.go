package main

import (
	"bytes"

	"fmt"
	pprofile "github.com/google/pprof/profile"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRecordReplayCLI(t *testing.T) {
	dir := t.TempDir()
	for _, ex := range []string{"../../examples/asm/hello.s", "../../examples/asm/fib.s", "../../examples/asm/fault.s", "../../examples/ovsm/debuggable-agent.ovsm"} {
		tr := filepath.Join(dir, filepath.Base(ex)+".trace")
		rec := runCLI(t, "", "run", ex, "--input", "0a00000000000000", "--record", tr, "--json")
		if rec.code == 2 {
			t.Fatalf("%s: run --record: %s %s", ex, rec.stdout, rec.stderr)
		}
		want := lastJSON(t, rec.stdout)
		rep := runCLI(t, "", "replay", tr, "--json")
		if rep.code != 0 {
			t.Fatalf("%s: replay exit %d: %s %s", ex, rep.code, rep.stdout, rep.stderr)
		}
		got := lastJSON(t, rep.stdout)
		for _, k := range []string{"ok", "r0", "cu", "error"} {
			if a, b := want[k], got[k]; fmt.Sprint(a) != fmt.Sprint(b) {
				t.Fatalf("%s: %s: run %v, replay %v", ex, k, a, b)
			}
		}
		if got["match"] != true {
			t.Fatalf("%s: %v", ex, got)
		}
	}
}

func TestReplayRejectsBadTraces(t *testing.T) {
	dir := t.TempDir()
	tr := filepath.Join(dir, "h.trace")
	if r := runCLI(t, "", "run", "../../examples/asm/hello.s", "--record", tr); r.code != 0 {
		t.Fatal(r.stderr)
	}
	good, err := os.ReadFile(tr)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", good[:len(good)/2], "truncated"},
		{"foreign", []byte("# not a trace\nmov64 r0, 1\nexit\n"), "not an agora trace"},
		{"version", append(append(append([]byte(nil), good[:8]...), 7, 0), good[10:]...), "unsupported trace format version"},
		{"checksum", append(append(append([]byte(nil), good[:20]...), ^good[20]), good[21:]...), "checksum mismatch"},
	} {
		p := filepath.Join(dir, tc.name+".trace")
		if err := os.WriteFile(p, tc.data, 0o644); err != nil {
			t.Fatal(err)
		}
		r := runCLI(t, "", "replay", p)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Fatalf("%s: exit %d, stderr %q, want %q", tc.name, r.code, r.stderr, tc.want)
		}
		r = runCLI(t, "", "replay", p, "--json")
		if r.code != 2 || !strings.Contains(r.stdout, tc.want) {
			t.Fatalf("%s --json: exit %d, stdout %q", tc.name, r.code, r.stdout)
		}
	}
}

func TestDebugCLI(t *testing.T) {
	script := "break fib.s:12\nrun\nbacktrace\nprint r1\nstep\nreverse-step\nprint r1\ngoto 1000\nreverse-continue\ninfo registers\nquit\n"
	r := runCLI(t, script, "debug", "../../examples/asm/fib.s", "--input", "0a")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		"breakpoint 1 (fib.s:12) hit",
		"#1 pc 1 (../../examples/asm/fib.s:5 in entrypoint)",
		"r1 = 0x0000000000000009 (9)",
		"of 1238, compute units",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("debug output lacks %q:\n%s", want, r.stdout)
		}
	}
	// The same session from a recorded trace.
	tr := filepath.Join(t.TempDir(), "fib.trace")
	if rr := runCLI(t, "", "run", "../../examples/asm/fib.s", "--input", "0a", "--record", tr); rr.code != 0 {
		t.Fatal(rr.stderr)
	}
	r2 := runCLI(t, script, "debug", tr)
	if r2.code != 0 || r2.stdout != r.stdout {
		t.Fatalf("debugging the trace differs from debugging the program:\n%s\n---\n%s", r2.stdout, r.stdout)
	}
	if r := runCLI(t, "", "debug", filepath.Join(t.TempDir(), "missing.trace")); r.code != 2 {
		t.Fatalf("missing trace: exit %d", r.code)
	}
}

func TestRunProfileCLI(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fib.pb.gz")
	if r := runCLI(t, "", "run", "../../examples/asm/fib.s", "--input", "0a", "--profile", p); r.code != 0 {
		t.Fatal(r.stderr)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	prof, err := pprofile.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var cu int64
	names := map[string]bool{}
	for _, s := range prof.Sample {
		cu += s.Value[0]
		names[s.Location[0].Line[0].Function.Name] = true
	}
	if cu != 1238 || !names["function_fib"] || !names["entrypoint"] {
		t.Fatalf("profile: %d CU, functions %v", cu, names)
	}
}
