package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-vm/agora/store"
)

// TestErrorMessages checks the errors a new user hits: each names the
// problem and what to do, with exit code 2 for usage errors.
func TestErrorMessages(t *testing.T) {
	dir := t.TempDir()
	chain := filepath.Join(dir, "chain")
	if r := runCLI(t, "", "chain", "init", "--dir", chain); r.code != 0 {
		t.Fatal(r.stderr)
	}
	cases := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"deploy assembly", []string{"chain", "deploy", "--dir", chain, "../../examples/asm/hello.s"}, 2, []string{"not an ELF", "agora asm"}},
		{"deploy OVSM", []string{"chain", "deploy", "--dir", chain, "../../examples/ovsm/atomic-swap.ovsm"}, 2, []string{"not an ELF", "agora compile"}},
		{"raw run of a Solana program", []string{"run", "../../testdata/c/counter.so"}, 1, []string{"--accounts"}},
		{"chain typo", []string{"chain", "dploy"}, 2, []string{`unknown command "dploy"`, "Did you mean this?", "deploy"}},
		{"bench typo", []string{"bench", "vmm"}, 2, []string{`unknown command "vmm"`, "vm"}},
		{"econ auction typo", []string{"econ", "auction", "bidd"}, 2, []string{"Did you mean this?", "bid"}},
		{"keygen alias", []string{"chain", "keygen", "--dir", chain, "system"}, 2, []string{`"system"`, "built-in"}},
		{"keygen alias econ", []string{"chain", "keygen", "--dir", chain, "econ"}, 2, []string{"built-in"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", c.args...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\n%s%s", r.code, c.code, r.stdout, r.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
		})
	}
	// A group without a subcommand still prints its help.
	if r := runCLI(t, "", "chain"); r.code != 0 || !strings.Contains(r.stdout, "Available Commands") {
		t.Errorf("agora chain: exit %d\n%s", r.code, r.stdout)
	}
}

// TestErrorsQuoteExcerpts: an error in a huge line quotes a short
// excerpt, not the line.
func TestErrorsQuoteExcerpts(t *testing.T) {
	dir := t.TempDir()
	huge := strings.Repeat("x", 8<<20)
	files := map[string]string{
		"mnemonic.s": huge + "\n",
		"number.s":   "mov64 r0, 0x" + strings.Repeat("f", 100) + huge + "\n",
		"label.s":    "ja " + huge + "\n",
		"mid.ovsm":   "(do " + strings.Repeat(" ", 1<<20) + "(undefined-fn 1)" + strings.Repeat(" ", 1<<20) + ")\n",
		"name.ovsm":  "(define-program p) (entrypoint (" + strings.Repeat("y", 3<<20) + " 1))\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		r := runCLI(t, "", "run", p)
		if r.code != 2 || len(r.stderr) > 2000 || len(r.stderr) < 20 {
			t.Errorf("%s: exit %d, %d bytes of stderr: %.300q", name, r.code, len(r.stderr), r.stderr)
		}
	}
}

// TestChainLockHeld: while another holder has the chain's store, a
// command says so instead of the system's "resource temporarily
// unavailable".
func TestChainLockHeld(t *testing.T) {
	chain := filepath.Join(t.TempDir(), "chain")
	if r := runCLI(t, "", "chain", "init", "--dir", chain); r.code != 0 {
		t.Fatal(r.stderr)
	}
	st, err := store.Open(filepath.Join(chain, ledgerDir))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = openLedger(filepath.Join(chain, ledgerDir), 0)
	if err == nil || !strings.Contains(err.Error(), "another process") || !strings.Contains(err.Error(), "holds the chain in "+chain) {
		t.Fatalf("got %v", err)
	}
}

// TestJSONInputsAreStrict: a field named twice or unknown is an error
// with its position, in accounts files and --data-json.
func TestJSONInputsAreStrict(t *testing.T) {
	dir := t.TempDir()
	put := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	dup := put("dup.json", "[\n  {\"key\": \"11111111111111111111111111111111\",\n   \"key\": \"AgoraProgram1111111111111111111111111111111\"}\n]\n")
	unknown := put("unknown.json", "[\n  {\"key\": \"11111111111111111111111111111111\",\n   \"data\": \"00\"}\n]\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "../../testdata/c/hello.so", "--accounts", dup}, `"key" at line 3, column 4`},
		{[]string{"run", "../../testdata/c/hello.so", "--accounts", unknown}, `unknown field "data" at line 3, column 4`},
		{[]string{"run", "../../examples/ovsm/atomic-swap.ovsm", "--accounts", "../../examples/c/hello.json", "--data-json", `{"a": 1, "a": 2}`}, `line 1, column 10: field "a": field appears twice`},
	} {
		r := runCLI(t, "", c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

// TestLongHelp: the groups' long help says more than the one-liner, and
// verify's says it takes ELFs.
func TestLongHelp(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--help"}, "costs  every syscall's"},
		{[]string{"econ", "auction", "--help"}, "An auction's life"},
		{[]string{"verify", "--help"}, "an sBPF\nELF"},
		{[]string{"run", "--help"}, `printf 'mov64 r0, 42\nexit\n' | agora run -`},
	} {
		r := runCLI(t, "", c.args...)
		if r.code != 0 || !strings.Contains(r.stdout, c.want) {
			t.Errorf("%v: exit %d, output lacks %q:\n%s", c.args, r.code, c.want, r.stdout)
		}
	}
}

// TestBlockFileRejectsDuplicateFields: chain block's file is strict too.
func TestBlockFileRejectsDuplicateFields(t *testing.T) {
	chain := filepath.Join(t.TempDir(), "chain")
	if r := runCLI(t, "", "chain", "init", "--dir", chain); r.code != 0 {
		t.Fatal(r.stderr)
	}
	f := filepath.Join(t.TempDir(), "block.json")
	if err := os.WriteFile(f, []byte(`{"transactions": [], "transactions": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", "chain", "block", "--dir", chain, f)
	if r.code != 2 || !strings.Contains(r.stderr, `line 1, column 22: field "transactions": field appears twice`) {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
}
