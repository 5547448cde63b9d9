package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const agentTrade = `ldxdw r2, [r1+0]
ldxdw r3, [r1+8]
jgt r2, 1000, +2
mov64 r4, 10
ja +3
jeq r3, 0, +5
mov64 r4, r2
div64 r4, r3
mov64 r0, r4
mul64 r0, r3
exit
mov64 r0, 0
exit
`

func TestVerifyDeepCLI(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	trade := write("trade.s", agentTrade)
	safe := write("safe.s", "ldxdw r0, [r1+0]\nexit\n")
	leak := write("leak.s", "ldxdw r2, [r1+0]\nmov64 r0, 0\njle r2, 1000000, +1\nmov64 r0, 1\nexit\n")
	loop := write("loop.s", "ldxdw r2, [r1+0]\nmov64 r0, 0\njeq r2, 0, +3\nadd64 r2, -1\nadd64 r0, 3\nja -4\nexit\n")

	// A finding: exit 1, the JSON shape of the contract, a replayable input.
	res := runCLI(t, "", "verify", trade, "--deep", "--json")
	if res.code != 1 {
		t.Fatalf("agent_trade: exit %d, want 1\n%s%s", res.code, res.stdout, res.stderr)
	}
	var rep struct {
		Proven   []string `json:"proven"`
		Findings []struct {
			Kind           string `json:"kind"`
			PC             int    `json:"pc"`
			Line           string `json:"line"`
			Path           []int  `json:"path"`
			Counterexample struct {
				InputHex string `json:"input_hex"`
			} `json:"counterexample"`
			Message string `json:"message"`
		} `json:"findings"`
		Unknown []string `json:"unknown"`
	}
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Kind != "overflow" || rep.Findings[0].PC != 9 ||
		rep.Findings[0].Line != trade+":10" || rep.Findings[0].Counterexample.InputHex == "" || len(rep.Findings[0].Path) == 0 {
		t.Fatalf("findings %+v", rep.Findings)
	}
	// agora run with the counterexample reaches the multiply and returns
	// the wrapped product.
	run := runCLI(t, "", "run", trade, "--input", rep.Findings[0].Counterexample.InputHex)
	if run.code != 0 {
		t.Fatalf("run: %d %s", run.code, run.stderr)
	}
	res = runCLI(t, "", "verify", trade, "--deep", "--replay")
	if res.code != 1 || !strings.Contains(res.stdout, "replay overflow at pc 9: reproduced;") {
		t.Fatalf("replay: %d\n%s", res.code, res.stdout)
	}

	// Proven: exit 0.
	res = runCLI(t, "", "verify", safe, "--deep")
	if res.code != 0 || !strings.Contains(res.stdout, "proven   memory") {
		t.Fatalf("safe: %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	// A leak: exit 1; without the spec, proven.
	res = runCLI(t, "", "verify", leak, "--deep", "--private", "input:0:8", "--json")
	if res.code != 1 || !strings.Contains(res.stdout, `"kind":"leak"`) {
		t.Fatalf("leak: %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	// Unknown: exit 3.
	res = runCLI(t, "", "verify", loop, "--deep", "--timeout", "3s", "--max-paths", "8")
	if res.code != 3 || !strings.Contains(res.stdout, "unknown  overflow") {
		t.Fatalf("loop: %d\n%s%s", res.code, res.stdout, res.stderr)
	}

	// Usage errors: exit 2 with a position.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--private", "input:x:8"}, "column 7"},
		{[]string{"--private", "account:0:0:8"}, "needs --accounts"},
		{[]string{"--invariant", "sum(lamports) == 0"}, "needs --accounts"},
		{[]string{"--invariant", "sum(lamports) =="}, "column 17: expected a value"},
		{[]string{"--accounts", "../../examples/c/transfer.json", "--invariant", "sum(lamports) == old(sum(lamport))"}, "column 26"},
		{[]string{"--accounts", "../../examples/c/transfer.json", "--invariant", "acct[5].lamports == 0"}, "there are 2 accounts"},
	} {
		res = runCLI(t, "", append([]string{"verify", safe, "--deep"}, c.args...)...)
		if res.code != 2 || !strings.Contains(res.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", c.args, res.code, res.stderr, c.want)
		}
	}
	res = runCLI(t, "", "verify", safe, "--replay")
	if res.code != 2 || !strings.Contains(res.stderr, "--replay needs --deep") {
		t.Errorf("--replay without --deep: %d %q", res.code, res.stderr)
	}
}

func TestCheckDeepOVSM(t *testing.T) {
	dir := t.TempDir()
	accts := filepath.Join(dir, "a.json")
	os.WriteFile(accts, []byte(`[{"key":"Payer11111111111111111111111111111111111111","owner":"AgoraProgram1111111111111111111111111111111","lamports":1000,"signer":true,"writable":true},
{"key":"Recipient1111111111111111111111111111111111","owner":"AgoraProgram1111111111111111111111111111111","lamports":500,"writable":true}]`), 0o644)
	res := runCLI(t, "", "check", "../../examples/ovsm/atomic-swap.ovsm", "--deep", "--accounts", accts, "--timeout", "60s")
	if res.code != 1 || !strings.Contains(res.stdout, "FINDING  overflow ../../examples/ovsm/atomic-swap.ovsm:32") {
		t.Fatalf("check --deep: %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}
