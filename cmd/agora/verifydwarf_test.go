package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	csdk "github.com/agora-vm/agora/sdk/c"
	"github.com/agora-vm/agora/sdk/c/ld"
)

// TestVerifyDeepDWARFLines builds examples/c/counter.c with clang -g,
// links it, and checks that the deep verifier's overflow finding names
// the C line of the add, read from the object's DWARF beside the ELF.
func TestVerifyDeepDWARFLines(t *testing.T) {
	needClang(t)
	clang, err := findClang("")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "include"), csdk.Headers()); err != nil {
		t.Fatal(err)
	}
	obj := filepath.Join(dir, "counter.o")
	args := append(csdk.CFlags(), "-g", "-gdwarf-4", "-I", filepath.Join(dir, "include"), "-c", "../../examples/c/counter.c", "-o", obj)
	var stderr bytes.Buffer
	c := exec.Command(clang, args...)
	c.Stderr = &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("clang: %v\n%s", err, stderr.String())
	}
	data, err := os.ReadFile(obj)
	if err != nil {
		t.Fatal(err)
	}
	so, err := ld.Link(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	soPath := filepath.Join(dir, "counter.so")
	if err := os.WriteFile(soPath, so, 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../../examples/c/counter.c")
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for i, line := range strings.Split(string(src), "\n") {
		if strings.Contains(line, "next = *value + amount") {
			want = i + 1
		}
	}
	res := runCLI(t, "", "verify", soPath, "--deep", "--accounts", "../../examples/c/counter.json", "--json")
	var rep struct {
		Findings []struct {
			Kind string `json:"kind"`
			Line string `json:"line"`
		} `json:"findings"`
	}
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		t.Fatalf("%v\n%s%s", err, res.stdout, res.stderr)
	}
	for _, f := range rep.Findings {
		if f.Kind == "overflow" {
			t.Logf("finding at %s", f.Line)
			if !strings.HasSuffix(f.Line, "counter.c:"+itoa(want)) {
				t.Fatalf("overflow at %q, want counter.c:%d\n%s", f.Line, want, res.stdout)
			}
			return
		}
	}
	t.Fatalf("no overflow finding\n%s%s", res.stdout, res.stderr)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
