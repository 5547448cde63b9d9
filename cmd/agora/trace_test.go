package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	pprofile "github.com/google/pprof/profile"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/internal/testutil"
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

// TestDebugDAPStdio drives `agora debug --dap` over standard input with a
// scripted session (the server answers requests in order).
func TestDebugDAPStdio(t *testing.T) {
	var in bytes.Buffer
	for i, req := range []string{
		`{"command":"initialize","arguments":{"adapterID":"agora"}}`,
		`{"command":"launch","arguments":{"program":"../../examples/asm/fib.s","args":["--input","0a"],"stopOnEntry":false}}`,
		`{"command":"setBreakpoints","arguments":{"source":{"path":"../../examples/asm/fib.s"},"breakpoints":[{"line":12}]}}`,
		`{"command":"configurationDone"}`,
		`{"command":"evaluate","arguments":{"expression":"r1"}}`,
		`{"command":"stepBack","arguments":{"threadId":1}}`,
		`{"command":"evaluate","arguments":{"expression":"r1"}}`,
		`{"command":"disconnect"}`,
	} {
		msg := fmt.Sprintf(`{"seq":%d,"type":"request",%s`, i+1, req[1:])
		fmt.Fprintf(&in, "Content-Length: %d\r\n\r\n%s", len(msg), msg)
	}
	r := runCLI(t, in.String(), "debug", "--dap")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{`"supportsStepBack":true`, `"event":"stopped"`, `"reason":"breakpoint"`, `"result":"0x0000000000000009 (9)"`, `"result":"0x000000000000000a (10)"`, `"command":"disconnect"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("DAP output lacks %s:\n%s", want, r.stdout)
		}
	}
}

func TestBenchTraceJSON(t *testing.T) {
	r := runCLI(t, "", "bench", "trace", "--json", "--rounds", "1", "--round-time", "1ms")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	v := lastJSON(t, r.stdout)
	bs, _ := v["benchmarks"].([]any)
	var names []string
	for _, b := range bs {
		m := b.(map[string]any)
		names = append(names, m["name"].(string))
		for _, k := range []string{"record_ratio", "record_run_ratio", "record_copy_run_ratio", "replay_ratio", "trace_bytes_per_1m_insns", "delta_record_ratio", "delta_bytes_per_1m_insns"} {
			if f, ok := m[k].(float64); !ok || f <= 0 {
				t.Errorf("%s: %s = %v", m["name"], k, m[k])
			}
		}
	}
	if strings.Join(names, ",") != "alu-loop,mem-loop,call-heavy,syscall-heavy" {
		t.Fatalf("workloads %v", names)
	}
	// --spl-token must name the SPL Token ELF: a missing file is a usage
	// error, another program a failed setup naming what went wrong.
	for _, tc := range []struct{ file, want string }{
		{filepath.Join(t.TempDir(), "missing.so"), "--spl-token"},
		{"../../testdata/c/hello.so", "spl-token: Transfer"},
	} {
		r := runCLI(t, "", "bench", "trace", "--rounds", "1", "--round-time", "1ms", "--spl-token", tc.file)
		if r.code != exitBadCall || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("--spl-token %s: exit %d, stderr %q", tc.file, r.code, r.stderr)
		}
	}
}

// TestBenchTraceSPLToken measures the SPL Token transfer when the ELF is
// at hand (AGORA_SPL_TOKEN; it is not part of the repository).
func TestBenchTraceSPLToken(t *testing.T) {
	elfPath := testutil.SPLTokenPath(t)
	r := runCLI(t, "", "bench", "trace", "--json", "--rounds", "1", "--round-time", "1ms", "--spl-token", elfPath)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	bs := lastJSON(t, r.stdout)["benchmarks"].([]any)
	last := bs[len(bs)-1].(map[string]any)
	if last["name"] != "spl-token-transfer" || last["instructions"].(float64) < 10 || last["record_ratio"].(float64) <= 0 {
		t.Fatalf("last benchmark %v", last)
	}
}

// TestDebuggableAgentSession is docs/debug.md's worked session: the
// agent's failure path, recorded as an instruction and debugged.
func TestDebuggableAgentSession(t *testing.T) {
	dir := t.TempDir()
	doc, err := os.ReadFile("../../examples/ovsm/debuggable-agent.accounts.json")
	if err != nil {
		t.Fatal(err)
	}
	poor := filepath.Join(dir, "poor.json")
	if err := os.WriteFile(poor, bytes.Replace(doc, []byte(`"lamports": 1000,`), []byte(`"lamports": 100,`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	tr := filepath.Join(dir, "agent.trace")
	if r := runCLI(t, "", "run", "../../examples/ovsm/debuggable-agent.ovsm", "--accounts", poor, "--record", tr); r.code != 0 {
		t.Fatalf("exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, "", "replay", tr); r.code != 0 {
		t.Fatalf("replay: %s", r.stdout)
	}
	script := "break debuggable-agent.ovsm:84\nrun\nbacktrace\nprint r3\nprint r6\nstep\nreverse-step\ninfo accounts\nbreak save-trace!\ncontinue\nlogs\nreverse-continue\ncontinue\ncontinue\n"
	r := runCLI(t, script, "debug", tr)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		"breakpoint 1 (debuggable-agent.ovsm:84) hit",
		"#1 pc 46 (../../examples/ovsm/debuggable-agent.ovsm:41 in entrypoint)",
		"r3 = 0x0000000000000064 (100)",
		"r6 = 0x00000000000000c8 (200)",
		"#0 A1ice11111111111111111111111111111111111111 lamports 100",
		"breakpoint 2 (save-trace!) hit",
		"Program log: tracing: on (record with agora run --record)",
		"the run ended: exit with r0 = 0x0 (0)",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("session lacks %q:\n%s", want, r.stdout)
		}
	}
}

// tokenAccounts writes an accounts document for minitoken's Transfer:
// source and destination token accounts of one mint, and the signer that
// owns the source.
func tokenAccounts(t *testing.T, dir string, from, to uint64) string {
	t.Helper()
	key := func(b byte) [32]byte {
		var k [32]byte
		for i := range k {
			k[i] = b + byte(i)
		}
		return k
	}
	mint, owner, program := key(10), key(50), abi.DefaultProgramID
	tokenData := func(amount uint64) string {
		d := append(append([]byte{}, mint[:]...), owner[:]...)
		d = binary.LittleEndian.AppendUint64(d, amount)
		d = binary.LittleEndian.AppendUint64(d, 7)
		return hex.EncodeToString(d)
	}
	doc := fmt.Sprintf(`[
  {"key": %q, "owner": %q, "lamports": 1000000, "data_hex": %q, "writable": true},
  {"key": %q, "owner": %q, "lamports": 1000000, "data_hex": %q, "writable": true},
  {"key": %q, "owner": "11111111111111111111111111111111", "lamports": 5000000, "signer": true}
]`, abi.EncodeKey(key(90)), program, tokenData(from), abi.EncodeKey(key(130)), program, tokenData(to), abi.EncodeKey(owner))
	p := filepath.Join(dir, fmt.Sprintf("token-%d-%d.json", from, to))
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReplayEqualsRecordTokenTransfer is the replay property over a token
// flow: minitoken (the C counterpart of SPL Token) transfers random
// amounts, some more than the balance; every recording replays exactly,
// and the recorded run reports what a plain run reports.
func TestReplayEqualsRecordTokenTransfer(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 8 {
		from, to := uint64(r.IntN(1000)), uint64(r.IntN(1000))
		amount := uint64(r.IntN(1200))
		accts := tokenAccounts(t, dir, from, to)
		data := hex.EncodeToString(binary.LittleEndian.AppendUint64([]byte{3}, amount))
		tr := filepath.Join(dir, fmt.Sprintf("t%d.trace", i))
		plain := runCLI(t, "", "run", "../../testdata/c/minitoken.so", "--accounts", accts, "--data", data, "--json")
		rec := runCLI(t, "", "run", "../../testdata/c/minitoken.so", "--accounts", accts, "--data", data, "--json", "--record", tr)
		if plain.stdout != rec.stdout || plain.code != rec.code {
			t.Fatalf("transfer %d of %d: recording changed the run:\n%s\n%s", amount, from, plain.stdout, rec.stdout)
		}
		if want := amount <= from; (plain.code == 0) != want {
			t.Fatalf("transfer %d of %d: exit %d\n%s", amount, from, plain.code, plain.stdout)
		}
		rep := runCLI(t, "", "replay", tr, "--json")
		if rep.code != 0 {
			t.Fatalf("transfer %d of %d: replay: %s", amount, from, rep.stdout)
		}
		if got, want := lastJSON(t, rep.stdout)["cu"], lastJSON(t, plain.stdout)["cu"]; got != want {
			t.Fatalf("replay CU %v, run %v", got, want)
		}
	}
}

// TestReplayEqualsRecordSPLTokenChain is the replay property over the
// SPL Token flow on a chain: the mainnet SPL Token program deployed at its
// address, accounts created with the System program, then InitializeMint2,
// InitializeAccount3 (twice), MintTo, Transfer, Approve, TransferChecked
// (by the delegate), Burn and CloseAccount, each a transaction recorded
// with --record. Every recording replays exactly and reports the compute
// units and logs the chain reported. AGORA_SPL_TOKEN names the SPL Token
// ELF, which is not part of the repository.
func TestReplayEqualsRecordSPLTokenChain(t *testing.T) {
	elfPath := testutil.SPLTokenPath(t)
	const token = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "chain")
	_, ini, _ := chainRun(t, dir, "chain", "init")
	payer := ini["payer"].(string)
	pub := map[string][32]byte{}
	for _, name := range []string{"payer", "mint", "a", "b", "owner", "delegate"} {
		addr := payer
		if name != "payer" {
			_, k, _ := chainRun(t, dir, "chain", "keygen", name)
			addr = k["pubkey"].(string)
		}
		key, err := abi.ParseKey(addr)
		if err != nil {
			t.Fatal(err)
		}
		pub[name] = key
	}
	if code, _, r := chainRun(t, dir, "chain", "deploy", elfPath, "--program-id", token); code != 0 {
		t.Fatalf("deploy: %s %s", r.stdout, r.stderr)
	}
	tokenKey, _ := abi.ParseKey(token)
	for _, c := range []struct {
		name     string
		lamports uint64
		space    uint64
	}{{"mint", 1_461_600, 82}, {"a", 2_039_280, 165}, {"b", 2_039_280, 165}} {
		data := binary.LittleEndian.AppendUint32(nil, 0) // CreateAccount
		data = binary.LittleEndian.AppendUint64(data, c.lamports)
		data = binary.LittleEndian.AppendUint64(data, c.space)
		data = append(data, tokenKey[:]...)
		if code, _, r := chainRun(t, dir, "chain", "call", "system", "--account", "payer:s:w", "--account", c.name+":s:w", "--data", hex.EncodeToString(data)); code != 0 {
			t.Fatalf("create %s: %s %s", c.name, r.stdout, r.stderr)
		}
	}
	amount := func(tag byte, v uint64, more ...byte) string {
		return hex.EncodeToString(append(binary.LittleEndian.AppendUint64([]byte{tag}, v), more...))
	}
	ownerKey, payerKey := pub["owner"], pub["payer"]
	for i, step := range []struct {
		name     string
		data     string
		accounts []string
	}{
		{"InitializeMint2", hex.EncodeToString(append(append([]byte{20, 6}, payerKey[:]...), 0)), []string{"mint:w"}},
		{"InitializeAccount3", hex.EncodeToString(append([]byte{18}, ownerKey[:]...)), []string{"a:w", "mint"}},
		{"InitializeAccount3", hex.EncodeToString(append([]byte{18}, ownerKey[:]...)), []string{"b:w", "mint"}},
		{"MintTo", amount(7, 1000), []string{"mint:w", "a:w", "payer:s"}},
		{"Transfer", amount(3, 250), []string{"a:w", "b:w", "owner:s"}},
		{"Approve", amount(4, 300), []string{"a:w", "delegate", "owner:s"}},
		{"TransferChecked", amount(12, 200, 6), []string{"a:w", "mint", "b:w", "delegate:s"}},
		{"Burn", amount(8, 450), []string{"b:w", "mint:w", "owner:s"}},
		{"CloseAccount", "09", []string{"b:w", "owner:w", "owner:s"}},
	} {
		tr := filepath.Join(tmp, fmt.Sprintf("%d.trace", i))
		args := []string{"chain", "call", token, "--data", step.data, "--record", tr}
		for _, a := range step.accounts {
			args = append(args, "--account", a)
		}
		code, rep, r := chainRun(t, dir, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s %s", step.name, code, r.stdout, r.stderr)
		}
		logs, cu := programRun(t, rep, token)
		got := replayJSON(t, tr)
		if uint64(got["cu"].(float64)) != cu || !slices.Equal(anyStrings(got["logs"]), logs) {
			t.Fatalf("%s: replay %v, chain cu %d logs %q", step.name, got, cu, logs)
		}
	}
	// The flow did what it says: a holds 1000 - 250 - 200, b is closed.
	_, acct, _ := chainRun(t, dir, "chain", "account", "a")
	data, err := base64.StdEncoding.DecodeString(acct["data_base64"].(string))
	if err != nil || len(data) != 165 || binary.LittleEndian.Uint64(data[64:]) != 550 {
		t.Fatalf("account a after the flow: %v", acct)
	}
	if _, b, _ := chainRun(t, dir, "chain", "account", "b"); b != nil && b["lamports"] != nil && b["lamports"].(float64) != 0 {
		t.Fatalf("account b after CloseAccount: %v", b)
	}
}

// TestDebugLanesCLI records examples/asm/lanes.s, whose two children run
// in parallel lanes, replays it (the children re-executed) and debugs each
// lane: info lanes lists them, lane N switches, a breakpoint in the
// children's loop stops the child being run with its own registers, and
// reverse-step works inside a child.
func TestDebugLanesCLI(t *testing.T) {
	tr := filepath.Join(t.TempDir(), "lanes.trace")
	if r := runCLI(t, "", "run", "../../examples/asm/lanes.s", "--record", tr); r.code != 0 {
		t.Fatalf("run --record: %s %s", r.stdout, r.stderr)
	}
	rep := runCLI(t, "", "replay", tr, "--json")
	if got := lastJSON(t, rep.stdout); rep.code != 0 || got["lanes"] != float64(2) || got["r0"] != float64(25150) {
		t.Fatalf("replay: exit %d: %s", rep.code, rep.stdout)
	}
	// The OVSM agent whose three analyses run in lanes, as an instruction:
	// the recording reports what a plain run does and replays with its
	// lanes.
	agent := []string{"run", "../../examples/ovsm/parallel-agent.ovsm", "--accounts", "../../examples/ovsm/parallel-agent.accounts.json", "--json"}
	atr := filepath.Join(t.TempDir(), "agent.trace")
	plain, rec := runCLI(t, "", agent...), runCLI(t, "", append(agent, "--record", atr)...)
	if plain.code != 0 || plain.stdout != rec.stdout {
		t.Fatalf("parallel-agent: exit %d, recorded run differs:\n%s\n%s", plain.code, plain.stdout, rec.stdout)
	}
	if r := runCLI(t, "", "replay", atr, "--json"); r.code != 0 || lastJSON(t, r.stdout)["lanes"] != float64(3) {
		t.Fatalf("parallel-agent replay: exit %d: %s", r.code, r.stdout)
	}
	script := "info lanes\nbreak lanes.s:37\ncontinue\nlane 2\ncontinue\nprint r2\ncontinue\nprint r0\nreverse-step\nprint r0\ninfo lanes\nlane 1\ncontinue\nprint r2\nlane 0\ninfo registers\n"
	r := runCLI(t, script, "debug", tr)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		"  1  lane 1 (budget 10000): at its start, pc 22 (../../examples/asm/lanes.s:33 in entrypoint), 404 instructions",
		"the run ended: exit with r0 = 0x623e (25150) (instruction 22, 1944 compute units)",
		"[lane 2: child lane 2]",
		"r2 = 0x00000000000000c8 (200)",
		"#7 pc 25 (../../examples/asm/lanes.s:37 in entrypoint): add64 r0, r2",
		"#6 pc 24 (../../examples/asm/lanes.s:36 in entrypoint)",
		"* 2  lane 2 (budget 10000): instruction 6 of 804",
		"[lane 1: child lane 1]",
		"r2 = 0x0000000000000064 (100)",
		"[lane 0: the program]",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("session lacks %q:\n%s", want, r.stdout)
		}
	}
}
