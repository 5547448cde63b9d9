package main

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	pprofile "github.com/google/pprof/profile"

	"github.com/agora-vm/agora/solana/pubkey"
)

// chainRun runs a chain command with --json and returns its exit code and
// last JSON line (nil when it printed none).
func chainRun(t *testing.T, dir string, args ...string) (int, map[string]any, cliResult) {
	t.Helper()
	r := runCLI(t, "", append(args, "--dir", dir, "--json")...)
	if r.code == exitBadCall {
		return r.code, nil, r
	}
	return r.code, lastJSON(t, r.stdout), r
}

// programRun splits a single-instruction transaction's logs into the
// program's own lines and the compute units its run consumed.
func programRun(t *testing.T, rep map[string]any, prog string) (logs []string, cu uint64) {
	t.Helper()
	consumed := regexp.MustCompile(`^Program ` + prog + ` consumed (\d+) of \d+ compute units$`)
	inside := false
	for _, l := range rep["logs"].([]any) {
		line := l.(string)
		switch {
		case line == "Program "+prog+" invoke [1]":
			inside = true
		case consumed.MatchString(line):
			n, _ := strconv.ParseUint(consumed.FindStringSubmatch(line)[1], 10, 64)
			return logs, n
		case inside:
			logs = append(logs, line)
		}
	}
	t.Fatalf("no consumed line for %s in %v", prog, rep["logs"])
	return nil, 0
}

// replayJSON replays tr and checks that it matches its recording.
func replayJSON(t *testing.T, tr string) map[string]any {
	t.Helper()
	r := runCLI(t, "", "replay", tr, "--json")
	if r.code != 0 {
		t.Fatalf("replay %s: exit %d: %s %s", tr, r.code, r.stdout, r.stderr)
	}
	rep := lastJSON(t, r.stdout)
	if rep["match"] != true {
		t.Fatalf("replay diverged: %v", rep)
	}
	return rep
}

func anyStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

// TestChainRecordOVSM records a chain call of the compiled
// debuggable-agent and checks that the trace is the committed run: its
// replay has the chain's compute units and logs, and the debugger stops
// at an OVSM line through --record-source.
func TestChainRecordOVSM(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "chain")
	so := filepath.Join(tmp, "agent.so")
	if r := runCLI(t, "", "compile", "../../examples/ovsm/debuggable-agent.ovsm", "-o", so); r.code != 0 {
		t.Fatalf("compile: %s", r.stderr)
	}
	chainRun(t, dir, "chain", "init")
	_, dep, _ := chainRun(t, dir, "chain", "deploy", so)
	prog := dep["program_id"].(string)
	chainRun(t, dir, "chain", "keygen", "alice")
	chainRun(t, dir, "chain", "keygen", "bob")
	// alice: 8 bytes of data (the amount, 0) owned by the agent, as
	// its first account must be.
	progKey := pubkey.MustParse(prog)
	create := "00000000" + hex.EncodeToString(binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, 2_000_000), 8)) + hex.EncodeToString(progKey[:])
	if code, r, _ := chainRun(t, dir, "chain", "call", "system", "--account", "payer:s:w", "--account", "alice:s:w", "--data", create); code != 0 {
		t.Fatalf("create account: %v", r)
	}
	tr, prof := filepath.Join(tmp, "agent.trace"), filepath.Join(tmp, "agent.pb.gz")
	code, rep, cr := chainRun(t, dir, "chain", "call", prog, "--account", "alice:w", "--account", "bob:w",
		"--record", tr, "--profile", prof, "--record-source", so, "--lanes", "2")
	if code != 0 {
		t.Fatalf("call: exit %d: %s %s", code, cr.stdout, cr.stderr)
	}
	logs, cu := programRun(t, rep, prog)
	got := replayJSON(t, tr)
	if uint64(got["cu"].(float64)) != cu || got["ok"] != true || !slices.Equal(anyStrings(got["logs"]), logs) {
		t.Fatalf("replay %v, chain cu %d logs %q", got, cu, logs)
	}
	if want := profileCU(t, prof); want != int64(cu) {
		t.Fatalf("profile holds %d CU, the run %d", want, cu)
	}
	script := "break debuggable-agent.ovsm:84\nrun\nbacktrace\nprint r3\ncontinue\n"
	d := runCLI(t, script, "debug", tr)
	if d.code != 0 {
		t.Fatalf("debug: exit %d: %s", d.code, d.stderr)
	}
	for _, want := range []string{
		"breakpoint 1 (debuggable-agent.ovsm:84) hit",
		"debuggable-agent.ovsm:41 in entrypoint)",
		fmt.Sprintf("the run ended: exit with r0 = 0x0 (0) (instruction %v, %d compute units)", got["instructions"], cu),
	} {
		if !strings.Contains(d.stdout, want) {
			t.Errorf("debug session lacks %q:\n%s", want, d.stdout)
		}
	}
}

func profileCU(t *testing.T, path string) int64 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := pprofile.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var cu int64
	for _, s := range p.Sample {
		cu += s.Value[0]
	}
	return cu
}

// TestChainRecordC records a C program's call behind a compute-budget
// instruction (native, so the recorded run is the program's), and checks
// what transfers, deployments and bad flag combinations do.
func TestChainRecordC(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "chain")
	_, ini, _ := chainRun(t, dir, "chain", "init")
	payer := ini["payer"].(string)
	// A deployment runs no program: nothing is written.
	dtr := filepath.Join(tmp, "deploy.trace")
	code, dep, dr := chainRun(t, dir, "chain", "deploy", "../../testdata/c/hello.so", "--record", dtr)
	if code != 0 || !strings.Contains(dr.stderr, "nothing recorded") || fileExists(dtr) {
		t.Fatalf("deploy --record: exit %d, stderr %q, trace written %v", code, dr.stderr, fileExists(dtr))
	}
	prog := dep["program_id"].(string)
	tr, prof := filepath.Join(tmp, "hello.trace"), filepath.Join(tmp, "hello.pb.gz")
	code, rep, cr := chainRun(t, dir, "chain", "call", prog, "--account", "payer:s:w", "--compute-unit-limit", "50000",
		"--record", tr, "--profile", prof, "--engine", "jit")
	if code != 0 {
		t.Fatalf("call: exit %d: %s %s", code, cr.stdout, cr.stderr)
	}
	logs, cu := programRun(t, rep, prog)
	got := replayJSON(t, tr)
	if uint64(got["cu"].(float64)) != cu || !slices.Equal(anyStrings(got["logs"]), logs) {
		t.Fatalf("replay %v, chain cu %d logs %q", got, cu, logs)
	}
	if p := profileCU(t, prof); p != int64(cu) {
		t.Fatalf("profile holds %d CU, the run %d", p, cu)
	}
	// A --record-source that is not the deployed ELF is named on stderr.
	code, _, mr := chainRun(t, dir, "chain", "call", prog, "--record", filepath.Join(tmp, "m.trace"), "--record-source", "../../testdata/c/sha256.so")
	if code != 0 || !strings.Contains(mr.stderr, "is not the recorded program's ELF") {
		t.Fatalf("mismatched --record-source: exit %d, stderr %q", code, mr.stderr)
	}
	d := runCLI(t, "info accounts\ncontinue\n", "debug", tr)
	if d.code != 0 || !strings.Contains(d.stdout, "#0 "+payer+" lamports ") {
		t.Fatalf("debug: exit %d: %s %s", d.code, d.stdout, d.stderr)
	}

	// A transfer runs only the native System program.
	ttr := filepath.Join(tmp, "transfer.trace")
	code, _, trr := chainRun(t, dir, "chain", "transfer", "payer", "1", "--record", ttr, "--profile", ttr+".pb.gz")
	if code != 0 || !strings.Contains(trr.stderr, "ran no BPF program") || fileExists(ttr) || fileExists(ttr+".pb.gz") {
		t.Fatalf("transfer --record: exit %d, stderr %q", code, trr.stderr)
	}
	for _, args := range [][]string{
		{"chain", "transfer", "payer", "1", "--record", ttr, "--sign-only"},
		{"chain", "call", prog, "--record-source", "../../testdata/c/hello.so"},
		{"chain", "call", prog, "--record", ttr, "--record-source", filepath.Join(tmp, "missing.so")},
	} {
		if code, _, r := chainRun(t, dir, args...); code != exitBadCall || fileExists(ttr) {
			t.Errorf("%v: exit %d, want 2: %s", args, code, r.stderr)
		}
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
