package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm/jit"
)

// TestChainVerifiedEngine: agora chain call --engine verified gives the
// interpreter's result. With every transaction sampled, a build with
// -tags jitmiscompile (whose JIT gets add64 imm wrong) reports the
// divergence with both results on stderr and still commits the
// interpreter's (successful) block.
func TestChainVerifiedEngine(t *testing.T) {
	elfBytes, err := elf.Assemble("mov64 r0, 0\nadd64 r0, 0\nexit\n", sbpf.V0, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	elfPath, dir := filepath.Join(tmp, "add.so"), filepath.Join(tmp, "chain")
	if err := os.WriteFile(elfPath, elfBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(code int, args ...string) cliResult {
		t.Helper()
		r := runCLI(t, "", append(args, "--dir", dir, "--json")...)
		if r.code != code {
			t.Fatalf("%v: exit %d, want %d\n%s\n%s", args, r.code, code, r.stdout, r.stderr)
		}
		return r
	}
	run(0, "chain", "init")
	prog := lastJSON(t, run(0, "chain", "deploy", elfPath).stdout)["program_id"].(string)
	call := []string{"chain", "call", prog, "--data", "01", "--lanes", "1"}
	want := lastJSON(t, run(0, append(call, "--engine", "interp")...).stdout)
	got := run(0, append(call, "--data", "02", "--engine", "verified", "--verify-sample", "1")...)
	v := lastJSON(t, got.stdout)
	if v["ok"] != true || v["cu"] != want["cu"] {
		t.Fatalf("verified %v, interp %v", v, want)
	}
	diverged := strings.Contains(got.stderr, "divergence")
	if wantDiv := jit.MiscompileInjected && runtime.GOARCH == "amd64"; diverged != wantDiv {
		t.Fatalf("divergence reported %v, want %v:\n%s", diverged, wantDiv, got.stderr)
	}
	if diverged {
		t.Log(got.stderr)
	}
	if diverged && (!strings.Contains(got.stderr, "custom program error: 0x1") || !strings.Contains(got.stderr, prog)) {
		t.Fatalf("the report lacks the JIT's result or the program:\n%s", got.stderr)
	}
	// The quarantine outlives the command: the next one runs the program
	// on the interpreter from the start, so nothing diverges again.
	saved, err := os.ReadFile(filepath.Join(dir, quarantineFile))
	if diverged != strings.Contains(string(saved), prog) || (!diverged && err == nil) {
		t.Fatalf("quarantine file %q (%v) after a divergence %v", saved, err, diverged)
	}
	again := run(0, append(call, "--data", "03", "--engine", "verified", "--verify-sample", "1")...)
	if strings.Contains(again.stderr, "divergence") || lastJSON(t, again.stdout)["ok"] != true {
		t.Fatalf("after the quarantine:\n%s\n%s", again.stdout, again.stderr)
	}
	for _, bad := range []string{"0", "1.5"} {
		run(exitBadCall, append(call, "--engine", "verified", "--verify-sample", bad)...)
	}
	// A damaged quarantine file is refused with its line.
	if err := os.WriteFile(filepath.Join(dir, quarantineFile), []byte("\nnot-a-key\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", append(call, "--engine", "verified", "--dir", dir, "--json")...)
	if r.code == 0 || !strings.Contains(r.stderr, quarantineFile+":2") {
		t.Fatalf("bad quarantine file: exit %d\n%s", r.code, r.stderr)
	}
}
