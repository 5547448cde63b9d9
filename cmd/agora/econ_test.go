package main

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// runEcon runs the CLI with `agora econ` registered (whether or not the
// root registers it already) and returns the exit code and the output.
func runEcon(t *testing.T, args ...string) cliResult {
	t.Helper()
	var out, errb bytes.Buffer
	root := newRootCmd(strings.NewReader(""), &out, &errb)
	registered := false
	for _, c := range root.Commands() {
		registered = registered || c.Name() == "econ"
	}
	if !registered {
		root.AddCommand(newEconCmd(&streams{in: strings.NewReader(""), out: &out, err: &errb}))
	}
	root.SetArgs(args)
	code := exitOK
	if err := root.Execute(); err != nil {
		code = exitBadCall
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		errb.WriteString(err.Error())
	}
	return cliResult{code: code, stdout: out.String(), stderr: errb.String()}
}

func TestEconCLI(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "chain")
	run := func(code int, args ...string) map[string]any {
		t.Helper()
		r := runEcon(t, append(args, "--dir", dir, "--json")...)
		if r.code != code {
			t.Fatalf("%v: exit %d, want %d\n%s\n%s", args, r.code, code, r.stdout, r.stderr)
		}
		if code == exitBadCall {
			return nil
		}
		return lastJSON(t, r.stdout)
	}
	run(0, "chain", "init")
	if a := run(0, "chain", "account", "econ"); a["executable"] != true || a["pubkey"] != "Econ111111111111111111111111111111111111111" {
		t.Fatalf("the economics program at genesis: %v", a)
	}
	for _, n := range []string{"b1", "b2", "b3", "arbiter"} {
		run(0, "chain", "keygen", n)
		run(0, "chain", "transfer", n, "5000000000")
	}

	// The VCG worked example, by hand.
	a := run(0, "econ", "auction", "create", "--kind", "vcg", "--id", "1", "--items", "2", "--max-bids", "3", "--bid-slots", "5")["address"].(string)
	run(0, "econ", "auction", "bid", a, "--bidder", "b1", "--items", "0", "--value", "10")
	run(0, "econ", "auction", "bid", a, "--bidder", "b2", "--items", "1", "--value", "8")
	if r := run(0, "econ", "auction", "bid", a, "--bidder", "b3", "--items", "0,1", "--value", "15"); r["result"].(map[string]any)["bid"].(float64) != 2 {
		t.Fatalf("bid %v", r)
	}
	r := run(1, "econ", "auction", "settle", a)
	if r["error"] != "InstructionError(0, Custom(60429))" || !strings.Contains(strings.Join(toStrings(r["logs"]), "\n"), "econ: TooEarly") {
		t.Fatalf("early settle %v", r)
	}
	run(0, "econ", "wait", "--slots", "5")
	res := run(0, "econ", "auction", "settle", a)["result"].(map[string]any)
	if res["proceeds"].(float64) != 12 || res["welfare"].(float64) != 18 || len(res["winners"].([]any)) != 2 {
		t.Fatalf("settle %v", res)
	}
	show := run(0, "econ", "auction", "show", a)
	bids := show["bids"].([]any)
	if show["status"] != "settled" || bids[0].(map[string]any)["paid"].(float64) != 7 || bids[1].(map[string]any)["paid"].(float64) != 5 {
		t.Fatalf("show %v", show)
	}
	run(1, "econ", "auction", "settle", a)

	// Sealed second price: commit, reveal with the printed nonce, settle.
	s := run(0, "econ", "auction", "create", "--kind", "sealed-second", "--id", "2", "--bid-slots", "3", "--reveal-slots", "6", "--penalty", "5")["address"].(string)
	n1 := run(0, "econ", "auction", "bid", s, "--bidder", "b1", "--value", "40", "--deposit", "50")["nonce"].(string)
	n2 := run(0, "econ", "auction", "bid", s, "--bidder", "b2", "--value", "30", "--deposit", "50")["nonce"].(string)
	run(0, "econ", "wait", "--slots", "1")
	run(1, "econ", "auction", "reveal", s, "--bidder", "b1", "--value", "41", "--nonce", n1)
	run(0, "econ", "auction", "reveal", s, "--bidder", "b1", "--value", "40", "--nonce", n1)
	run(0, "econ", "auction", "reveal", s, "--bidder", "b2", "--value", "30", "--nonce", n2)
	run(0, "econ", "wait", "--slots", "3")
	if res := run(0, "econ", "auction", "settle", s)["result"].(map[string]any); res["proceeds"].(float64) != 30 {
		t.Fatalf("sealed settle %v", res)
	}

	// Escrow with an approver; stake; reputation.
	e := run(0, "econ", "escrow", "create", "--id", "1", "--b", "b1", "--amount-a", "1000", "--approver", "arbiter", "--timeout-slots", "50")["address"].(string)
	run(1, "econ", "escrow", "release", e)
	run(0, "econ", "escrow", "release", e, "--approver", "arbiter")
	if st := run(0, "econ", "escrow", "show", e); st["status"] != "released" {
		t.Fatalf("escrow %v", st)
	}
	st := run(0, "econ", "stake", "lock", "--id", "1", "--amount", "1000000", "--authority", "arbiter", "--slash-to", "b3", "--unbonding-slots", "2")["address"].(string)
	run(0, "econ", "stake", "slash", st, "--authority", "arbiter", "--amount", "1000", "--evidence", strings.Repeat("ab", 32))
	run(1, "econ", "stake", "slash", st, "--authority", "b1", "--amount", "1000", "--evidence", strings.Repeat("ab", 32))
	run(0, "econ", "stake", "unbond", st)
	run(1, "econ", "stake", "withdraw", st)
	run(0, "econ", "wait", "--slots", "2")
	run(0, "econ", "stake", "withdraw", st)
	if v := run(0, "econ", "stake", "show", st); v["status"] != "released" || v["slashed_total"].(float64) != 1000 {
		t.Fatalf("stake %v", v)
	}
	reg := run(0, "econ", "reputation", "create", "--id", "1", "--rater", "arbiter:3")["address"].(string)
	run(0, "econ", "reputation", "update", reg, "--rater", "arbiter", "--agent", "b2", "--rating", "4")
	if q := run(0, "econ", "reputation", "query", reg, "--agent", "b2")["result"].(map[string]any); q["score"].(float64) != 12 {
		t.Fatalf("query %v", q)
	}
	run(exitBadCall, "econ", "auction", "create", "--kind", "swiss")
	run(exitBadCall, "econ", "auction", "show", "b1")
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
