package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type cliResult struct {
	code   int
	stdout string
	stderr string
}

func runCLI(t *testing.T, stdin string, args ...string) cliResult {
	t.Helper()
	var out, errb bytes.Buffer
	code := execute(args, strings.NewReader(stdin), &out, &errb)
	return cliResult{code: code, stdout: out.String(), stderr: errb.String()}
}

// lastJSON decodes the last line of stdout, as the JSON contract promises.
func lastJSON(t *testing.T, stdout string) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	var v map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &v); err != nil {
		t.Fatalf("last line is not JSON: %q: %v", lines[len(lines)-1], err)
	}
	return v
}

func TestRunJSONContract(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  map[string]any
	}{
		{"ok", "mov64 r0, 42\nexit\n", []string{"run", "-", "--json"}, 0,
			map[string]any{"ok": true, "r0": 42.0, "cu": 2.0}},
		{"u64 r0 is a number", "lddw r0, 0xffffffffffffffff\nexit\n", []string{"run", "-", "--json"}, 0,
			map[string]any{"ok": true, "cu": 2.0}},
		{"fault", "ldxdw r0, [r1+0]\nexit\n", []string{"run", "-", "--json", "--input", "00"}, 1,
			map[string]any{"ok": false, "cu": 1.0, "error": map[string]any{"kind": "AccessViolation", "pc": 0.0,
				"message": "Access violation reading 8 bytes at address 0x400000000 (in input region)"}}},
		{"budget", "ja -1\n", []string{"run", "-", "--json", "--budget", "10"}, 1,
			map[string]any{"ok": false, "cu": 10.0}},
		{"divide by zero", "mov64 r0, 1\ndiv64 r0, r2\nexit\n", []string{"run", "-", "--json"}, 1,
			map[string]any{"ok": false, "cu": 2.0, "error": map[string]any{"kind": "DivideByZero", "pc": 1.0,
				"message": "divide by zero at BPF instruction"}}},
		{"verifier rejects", "mov64 r0, 1\nlsh64 r0, 64\nexit\n", []string{"run", "-", "--json"}, 2,
			map[string]any{"ok": false, "cu": 0.0}},
		{"input is visible", "ldxb r0, [r1+2]\nexit\n", []string{"run", "-", "--json", "--input", "0x0a0b0c"}, 0,
			map[string]any{"ok": true, "r0": 12.0}},
		{"v2 program", "mov64 r0, 3\nsub64 r0, 10\nexit\n", []string{"run", "-", "--json", "--sbpf-version", "v2"}, 0,
			map[string]any{"ok": true, "r0": 7.0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLI(t, tt.stdin, tt.args...)
			if res.code != tt.code {
				t.Fatalf("exit code %d, want %d (stdout %q, stderr %q)", res.code, tt.code, res.stdout, res.stderr)
			}
			got := lastJSON(t, res.stdout)
			for k, want := range tt.want {
				if wm, ok := want.(map[string]any); ok {
					gm, _ := got[k].(map[string]any)
					for k2, w2 := range wm {
						if gm[k2] != w2 {
							t.Errorf("%s.%s = %v, want %v", k, k2, gm[k2], w2)
						}
					}
					continue
				}
				if got[k] != want {
					t.Errorf("%s = %v, want %v", k, got[k], want)
				}
			}
			if _, ok := got["logs"].([]any); !ok {
				t.Errorf("logs missing or not a list: %v", got["logs"])
			}
		})
	}
}

func TestRunPrintsExactU64(t *testing.T) {
	res := runCLI(t, "lddw r0, 0xfffffffffffffffe\nexit\n", "run", "-", "--json")
	if !strings.Contains(res.stdout, `"r0":18446744073709551614`) {
		t.Fatalf("r0 not printed exactly: %s", res.stdout)
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantErr string
	}{
		{"missing file", "", []string{"run", filepath.Join(dir, "nope.s")}, "no such file"},
		{"unknown mnemonic", "frobnicate r0\nexit\n", []string{"run", "-"}, "line 1"},
		{"bad register", "mov64 r11, 1\nexit\n", []string{"run", "-"}, "<stdin>:1: rejected by the verifier: InvalidDestinationRegister"},
		{"immediate out of range", "mov64 r0, 0x1ffffffff\nexit\n", []string{"run", "-"}, "line 1"},
		{"bad hex", "exit\n", []string{"run", "-", "--input", "0g"}, "invalid hex"},
		{"odd hex", "exit\n", []string{"run", "-", "--input", "abc"}, "odd number"},
		{"both inputs", "exit\n", []string{"run", "-", "--input", "00", "--input-file", "x"}, "mutually exclusive"},
		{"bad version", "exit\n", []string{"run", "-", "--sbpf-version", "v7"}, "unknown sBPF version"},
		{"no args", "", []string{"run"}, "takes 1 argument"},
		{"unknown flag", "", []string{"run", "-", "--nope"}, "unknown flag"},
		{"verifier", "jeq r0, 0, +5\nexit\n", []string{"verify", "-"}, "JumpOutOfCode"},
		{"disasm partial slot", "\x95\x00\x00", []string{"disasm", "-"}, "8-byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLI(t, tt.stdin, tt.args...)
			if res.code != exitBadCall {
				t.Fatalf("exit code %d, want 2 (stderr %q)", res.code, res.stderr)
			}
			if !strings.Contains(res.stderr, tt.wantErr) {
				t.Fatalf("stderr %q does not mention %q", res.stderr, tt.wantErr)
			}
			if strings.Contains(res.stderr, "goroutine") || strings.Contains(res.stderr, "panic") {
				t.Fatalf("stack trace on bad input: %s", res.stderr)
			}
		})
	}
}

func TestAsmDisasmRoundTrip(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "fib.bin")
	if res := runCLI(t, "", "asm", "../../examples/asm/fib.s", "-o", bin); res.code != 0 {
		t.Fatalf("asm: %d %s", res.code, res.stderr)
	}
	dis := runCLI(t, "", "disasm", bin)
	if dis.code != 0 {
		t.Fatalf("disasm: %d %s", dis.code, dis.stderr)
	}
	src := filepath.Join(dir, "fib2.s")
	if err := os.WriteFile(src, []byte(dis.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	bin2 := filepath.Join(dir, "fib2.bin")
	if res := runCLI(t, "", "asm", src, "-o", bin2); res.code != 0 {
		t.Fatalf("re-asm: %d %s\n%s", res.code, res.stderr, dis.stdout)
	}
	a, _ := os.ReadFile(bin)
	b, _ := os.ReadFile(bin2)
	if !bytes.Equal(a, b) {
		t.Fatalf("round trip changed the bytes:\n%s", dis.stdout)
	}
}

// TestExamples runs every bundled example with asserted results.
func TestExamples(t *testing.T) {
	tests := []struct {
		file  string
		input string
		code  int
		r0    float64
		cu    float64
		logs  []string
		kind  string
	}{
		{file: "hello.s", code: 0, r0: 0, cu: 109, logs: []string{"Program log: hello, agora"}},
		{file: "sum.s", input: "0301020304", code: 0, r0: 6, cu: 19},
		{file: "fib.s", input: "0a", code: 0, r0: 55, cu: 1238},
		{file: "fault.s", input: "00", code: 1, cu: 1, kind: "AccessViolation"},
		{file: "ring.s", code: 0, r0: 12, cu: 51},
		{file: "lanes.s", code: 0, r0: 25150, cu: 1944},
	}
	files, _ := filepath.Glob("../../examples/asm/*.s")
	if len(files) != len(tests) {
		t.Fatalf("%d examples on disk but %d in this table: every example must run in a test", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			args := []string{"run", filepath.Join("../../examples/asm", tt.file), "--json"}
			if tt.input != "" {
				args = append(args, "--input", tt.input)
			}
			res := runCLI(t, "", args...)
			if res.code != tt.code {
				t.Fatalf("exit %d, want %d: %s %s", res.code, tt.code, res.stdout, res.stderr)
			}
			got := lastJSON(t, res.stdout)
			if got["cu"] != tt.cu {
				t.Errorf("cu = %v, want %v", got["cu"], tt.cu)
			}
			if tt.kind != "" {
				if e, _ := got["error"].(map[string]any); e["kind"] != tt.kind {
					t.Errorf("error = %v, want kind %s", got["error"], tt.kind)
				}
				return
			}
			if got["r0"] != tt.r0 {
				t.Errorf("r0 = %v, want %v", got["r0"], tt.r0)
			}
			if span, ok := got["cu_span"].(float64); !ok || span > got["cu"].(float64) || (tt.file == "lanes.s") != (span < got["cu"].(float64)) {
				t.Errorf("cu_span = %v with cu %v", got["cu_span"], got["cu"])
			}
			logs, _ := got["logs"].([]any)
			if len(logs) != len(tt.logs) {
				t.Fatalf("logs = %v, want %v", logs, tt.logs)
			}
			for i := range logs {
				if logs[i] != tt.logs[i] {
					t.Errorf("log %d = %v, want %v", i, logs[i], tt.logs[i])
				}
			}
		})
	}
}

func TestBenchVMJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("timing run; -short skips it")
	}
	res := runCLI(t, "", "bench", "vm", "--json", "--rounds", "1", "--round-time", "5ms")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	got := lastJSON(t, res.stdout)
	list, _ := got["benchmarks"].([]any)
	if len(list) != 4 {
		t.Fatalf("want 4 benchmarks, got %v", got)
	}
	for _, b := range list {
		m := b.(map[string]any)
		for _, k := range []string{"name", "ns_per_insn", "native_ns_per_insn", "ratio"} {
			if _, ok := m[k]; !ok {
				t.Errorf("benchmark %v lacks %s", m, k)
			}
		}
	}
}

func TestELFAssembleRunDisassemble(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"v0", "v3"} {
		so := filepath.Join(dir, "fib-"+v+".so")
		if res := runCLI(t, "", "asm", "../../examples/asm/fib.s", "-o", so, "--sbpf-version", v); res.code != 0 {
			t.Fatalf("%s: asm: %d %s", v, res.code, res.stderr)
		}
		res := runCLI(t, "", "run", so, "--input", "0a", "--json")
		got := lastJSON(t, res.stdout)
		if res.code != 0 || got["r0"] != 55.0 || got["cu"] != 1238.0 {
			t.Fatalf("%s: run: %d %v %s", v, res.code, got, res.stderr)
		}
		if res := runCLI(t, "", "disasm", so); res.code != 0 || !strings.Contains(res.stdout, "function_fib") {
			t.Fatalf("%s: disasm: %d %q %s", v, res.code, res.stdout, res.stderr)
		}
	}
	// The header's version wins; --sbpf-version may only restrict it.
	res := runCLI(t, "", "run", filepath.Join(dir, "fib-v3.so"), "--sbpf-version", "v0")
	if res.code != exitBadCall || !strings.Contains(res.stderr, "UnsupportedSBPFVersion") && !strings.Contains(res.stderr, "not enabled") {
		t.Fatalf("version mismatch accepted: %d %s", res.code, res.stderr)
	}
	bad := filepath.Join(dir, "bad.so")
	if err := os.WriteFile(bad, []byte("\x7fELF\x02\x01\x01"), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := runCLI(t, "", "run", bad); res.code != exitBadCall || !strings.Contains(res.stderr, "bad.so") {
		t.Fatalf("truncated ELF: %d %s", res.code, res.stderr)
	}
}

func TestRunInstructionWithAccounts(t *testing.T) {
	tests := []struct {
		name     string
		program  string
		accounts string
		data     string
		code     int
		kind     string
		logs     []string
		lamports []float64 // of the accounts after the instruction
		dataB64  []string
	}{
		{name: "counter adds 5", program: "counter", accounts: "counter", data: "0500000000000000", code: 0,
			lamports: []float64{1000000}, dataB64: []string{"LgAAAAAAAAA="}}, // 41 + 5 = 46
		{name: "counter rejects 1-byte data", program: "counter", accounts: "counter", data: "01", code: 1,
			kind: "InvalidInstructionData", lamports: []float64{1000000}, dataB64: []string{"KQAAAAAAAAA="}},
		{name: "hello logs", program: "hello", accounts: "hello", data: "", code: 0,
			logs: []string{"Program log: Hello from C!"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"run", "../../testdata/c/" + tt.program + ".so", "--accounts", "../../examples/c/" + tt.accounts + ".json", "--json"}
			if tt.data != "" {
				args = append(args, "--data", tt.data)
			}
			res := runCLI(t, "", args...)
			if res.code != tt.code {
				t.Fatalf("exit %d, want %d: %s %s", res.code, tt.code, res.stdout, res.stderr)
			}
			got := lastJSON(t, res.stdout)
			if tt.kind != "" {
				if e, _ := got["error"].(map[string]any); e["kind"] != tt.kind {
					t.Fatalf("error %v, want kind %s", got["error"], tt.kind)
				}
			}
			logs, _ := got["logs"].([]any)
			if len(logs) < 3 || !strings.HasSuffix(logs[0].(string), "invoke [1]") {
				t.Fatalf("logs lack Solana's framing: %v", logs)
			}
			for _, want := range tt.logs {
				found := false
				for _, l := range logs {
					found = found || l == want
				}
				if !found {
					t.Errorf("log %q missing from %v", want, logs)
				}
			}
			accounts, _ := got["accounts"].([]any)
			for i, want := range tt.lamports {
				if a := accounts[i].(map[string]any); a["lamports"] != want {
					t.Errorf("account %d lamports %v, want %v", i, a["lamports"], want)
				}
			}
			for i, want := range tt.dataB64 {
				if a := accounts[i].(map[string]any); a["data_base64"] != want {
					t.Errorf("account %d data %v, want %v", i, a["data_base64"], want)
				}
			}
		})
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`[{"key": "not-base58!"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runCLI(t, "", "run", "../../testdata/c/hello.so", "--accounts", bad)
	if res.code != exitBadCall || !strings.Contains(res.stderr, "base58") {
		t.Fatalf("bad key accepted: %d %s", res.code, res.stderr)
	}
	res = runCLI(t, "", "run", "../../testdata/c/hello.so", "--data", "00")
	if res.code != exitBadCall || !strings.Contains(res.stderr, "--accounts") {
		t.Fatalf("--data without --accounts accepted: %d %s", res.code, res.stderr)
	}
}

func TestZKConvertSnarkJS(t *testing.T) {
	dir := "../../ext/zk/testdata/snarkjs/"
	res := runCLI(t, "", "zk", "convert", "--vk", dir+"verification_key.json", "--proof", dir+"proof.json", "--public", dir+"public.json", "--verify", "--json")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	got := lastJSON(t, res.stdout)
	if got["valid"] != true || got["public_inputs"] != 2.0 {
		t.Fatalf("got %v", got)
	}
	if res := runCLI(t, "", "zk", "convert", "--proof", dir+"proof.json"); res.code != exitBadCall {
		t.Fatalf("missing --vk accepted: %d", res.code)
	}
	if res := runCLI(t, "", "zk", "convert", "--vk", dir+"proof.json"); res.code != exitBadCall {
		t.Fatalf("a proof as a key was accepted: %d", res.code)
	}
}

func TestTransactionalMemoryFromTheCLI(t *testing.T) {
	// tx_begin and friends assemble to the extension syscalls.
	res := runCLI(t, "tx_begin\nstdw [r1+0], 5\ntx_abort\nldxdw r0, [r1+0]\nexit\n", "run", "-", "--input", "0700000000000000", "--json")
	if got := lastJSON(t, res.stdout); res.code != 0 || got["r0"] != 7.0 {
		t.Fatalf("abort did not restore: %d %v %s", res.code, got, res.stderr)
	}
	// A program that may exit with a transaction open is refused.
	res = runCLI(t, "tx_begin\nmov64 r0, 0\nexit\n", "run", "-", "--json")
	got := lastJSON(t, res.stdout)
	e, _ := got["error"].(map[string]any)
	if res.code != exitBadCall || e["kind"] != "TransactionLeak" || e["pc"] != 2.0 {
		t.Fatalf("leaking program: %d %v", res.code, got)
	}
	res = runCLI(t, "tx_commit\nexit\n", "verify", "-")
	if res.code != exitBadCall || !strings.Contains(res.stderr, "NoActiveTransaction") || !strings.Contains(res.stderr, "line 1") {
		t.Fatalf("verify: %d %s", res.code, res.stderr)
	}
}

func TestFeaturesJSON(t *testing.T) {
	res := runCLI(t, "", "features", "--json")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	list, _ := lastJSON(t, res.stdout)["features"].([]any)
	available := map[string]bool{}
	for _, f := range list {
		m := f.(map[string]any)
		available[m["syscall"].(string)] = m["available"].(bool)
	}
	if !available["agora_tx_begin"] || !available["agora_bls_verify"] || !available["agora_hw_offload_query"] || !available["agora_parallel_spawn"] || !available["agora_atomic_cas"] {
		t.Fatalf("availability wrong: %v", available)
	}
}

func TestOVSMCompileCheckRun(t *testing.T) {
	dir := t.TempDir()
	so := filepath.Join(dir, "swap.so")
	if res := runCLI(t, "", "compile", "../../examples/ovsm/atomic-swap.ovsm", "-o", so); res.code != 0 {
		t.Fatalf("compile: %d %s", res.code, res.stderr)
	}
	if _, err := os.Stat(so + ".dbg.json"); err != nil {
		t.Fatalf("no debug info next to the ELF: %v", err)
	}
	accounts := filepath.Join(dir, "accounts.json")
	write := func(lamports int) {
		doc := fmt.Sprintf(`[{"key": "A1ice111111111111111111111111111111111111111", "owner": "AgoraProgram1111111111111111111111111111111", "lamports": %d, "writable": true, "signer": true},
 {"key": "Bob11111111111111111111111111111111111111111", "owner": "AgoraProgram1111111111111111111111111111111", "lamports": 5, "writable": true}]`, lamports)
		if err := os.WriteFile(accounts, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The compiled ELF and the source run the same: 100 lamports move.
	write(1000)
	for _, prog := range []string{so, "../../examples/ovsm/atomic-swap.ovsm"} {
		res := runCLI(t, "", "run", prog, "--accounts", accounts, "--data-json", "{}", "--json")
		got := lastJSON(t, res.stdout)
		accts, _ := got["accounts"].([]any)
		if res.code != 0 || len(accts) != 2 || accts[0].(map[string]any)["lamports"] != 900.0 || accts[1].(map[string]any)["lamports"] != 105.0 {
			t.Fatalf("%s: %d %v %s", prog, res.code, got, res.stderr)
		}
	}
	// Insufficient funds: the transaction aborts and nothing changes.
	write(50)
	res := runCLI(t, "", "run", "../../examples/ovsm/atomic-swap.ovsm", "--accounts", accounts, "--data-json", "{}", "--json")
	got := lastJSON(t, res.stdout)
	accts, _ := got["accounts"].([]any)
	if res.code != 1 || accts[0].(map[string]any)["lamports"] != 50.0 || !strings.Contains(fmt.Sprint(got["logs"]), "Insufficient funds") {
		t.Fatalf("insufficient funds: %d %v", res.code, got)
	}
	// check reports an unknown function with its position and a caret.
	bad := filepath.Join(dir, "bad.ovsm")
	if err := os.WriteFile(bad, []byte("(define-program bad (entrypoint (accounts data) (frobnicate 1)))"), 0o644); err != nil {
		t.Fatal(err)
	}
	res = runCLI(t, "", "check", bad)
	if res.code != exitBadCall || !strings.Contains(res.stdout, "bad.ovsm:1:50") || !strings.Contains(res.stdout, "^") {
		t.Fatalf("check: %d %q", res.code, res.stdout)
	}
}

// TestRunAccountsUsesTheRuntime runs an instruction through the runtime
// every tool uses: the sysvar syscalls resolve, and return data is logged
// as Agave logs it.
func TestRunAccountsUsesTheRuntime(t *testing.T) {
	dir := t.TempDir()
	prog := filepath.Join(dir, "rent.s")
	src := `mov64 r1, r10
    sub64 r1, 24
    syscall sol_get_rent_sysvar
    mov64 r1, r10
    sub64 r1, 24
    mov64 r2, 8
    syscall sol_set_return_data
    mov64 r0, 0
    exit
`
	accounts := filepath.Join(dir, "accounts.json")
	for path, body := range map[string]string{prog: src, accounts: "[]"} {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := runCLI(t, "", "run", prog, "--accounts", accounts, "--json")
	if res.code != 0 {
		t.Fatalf("exit %d: %s %s", res.code, res.stdout, res.stderr)
	}
	got := lastJSON(t, res.stdout)
	pid := got["program_id"].(string)
	// 3,480 lamports per byte-year, little-endian.
	const rent = "mA0AAAAAAAA="
	logs := fmt.Sprint(got["logs"])
	if want := "Program return: " + pid + " " + rent; !strings.Contains(logs, want) {
		t.Errorf("logs %s lack %q", logs, want)
	}
	rd, _ := got["return_data"].(map[string]any)
	if rd["data"] != rent || rd["program_id"] != pid {
		t.Errorf("return_data = %v", got["return_data"])
	}
}
