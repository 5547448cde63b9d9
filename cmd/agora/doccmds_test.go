package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// illustrative lists the documented commands that TestDocumentedCommands
// does not run, by prefix: test and benchmark runs (minutes, and figures
// that differ from run to run) and toolchain installs and rebuilds.
var illustrative = []string{
	"go test",                 // the repository's own tests
	"agora bench",             // timing runs: seconds to minutes, figures vary
	"agora sim",               // tens of seconds per economy, and its tx/s varies
	"apt-get",                 // installs
	"make -C",                 // rebuilds testdata/c with clang
	"examples/c/c",            // check.sh rebuilds too
	"agora debug",             // an interactive debugger (docs/debug.md's sessions are tested in trace_test.go)
	"go tool pprof",           // reads profiles the tests write themselves
	"agora chain tx ",         // takes a signature only a run prints
	"agora node ",             // a server: runs until stopped (node's tests start it)
	"curl ",                   // talks to a running node
	"bash node/e2e",           // needs npm packages; .ci/run runs it
	"go build -tags cometbft", // a rebuild
}

// docBlock is one ```sh block of a document, with the output documented
// right after it, if any.
type docBlock struct {
	file, script string
	line         int
	output       []string
}

// shBlocks extracts the ```sh blocks of a Markdown file. A plain ```
// block that follows an sh block directly, or after one paragraph ending
// in a colon, is that block's documented output.
func shBlocks(t *testing.T, path string) []docBlock {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var out []docBlock
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```sh" {
			continue
		}
		b := docBlock{file: path, line: i + 1}
		j := i + 1
		for ; j < len(lines) && strings.TrimSpace(lines[j]) != "```"; j++ {
			b.script += lines[j] + "\n"
		}
		// the documented output
		k := j + 1
		for k < len(lines) && strings.TrimSpace(lines[k]) == "" {
			k++
		}
		if k < len(lines) && strings.TrimSpace(lines[k]) != "```" {
			p := k
			for p < len(lines) && strings.TrimSpace(lines[p]) != "" {
				p++
			}
			if strings.HasSuffix(strings.TrimSpace(lines[p-1]), ":") {
				for k = p; k < len(lines) && strings.TrimSpace(lines[k]) == ""; k++ {
				}
			}
		}
		if k < len(lines) && strings.TrimSpace(lines[k]) == "```" {
			for k++; k < len(lines) && strings.TrimSpace(lines[k]) != "```"; k++ {
				b.output = append(b.output, lines[k])
			}
		}
		out = append(out, b)
		i = j
	}
	return out
}

// headerCommand matches a command in an example's header comment:
// "#   agora …" in assembly, ";;;   agora …" in OVSM, with an optional
// trailing "# r0 = N" or "# exit code N" that the test checks.
var headerCommand = regexp.MustCompile(`^(?:#|;;;)\s{2,}(agora .*?)(?:\s+#\s*(.*))?$`)

var r0Claim = regexp.MustCompile(`r0 = (-?\d+)`)
var exitClaim = regexp.MustCompile(`exit code (\d+)`)

// headerBlocks extracts the commands of the examples' header comments.
func headerBlocks(t *testing.T, path string) []docBlock {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []docBlock
	sc := bufio.NewScanner(f)
	var header []string
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, ";") {
			break // the header ends at the first line of code
		}
		header = append(header, line)
	}
	for i := 0; i < len(header); i++ {
		n, line := i+1, header[i]
		// A command continued with a backslash takes the next lines.
		for strings.HasSuffix(line, "\\") && i+1 < len(header) {
			i++
			line = strings.TrimSuffix(line, "\\") + " " + strings.TrimSpace(strings.TrimLeft(header[i], "#;"))
		}
		m := headerCommand.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		b := docBlock{file: path, line: n, script: m[1] + "\n"}
		if c := exitClaim.FindStringSubmatch(m[2]); c != nil {
			b.script = "set +e\n" + m[1] + "\nrc=$?\nset -e\ntest $rc = " + c[1] + "\n"
		} else if c := r0Claim.FindStringSubmatch(m[2]); c != nil {
			b.output = []string{"ok: r0 = " + c[1] + " "}
		}
		out = append(out, b)
	}
	return out
}

// TestDocumentedCommands runs every command of README.md, docs/*.md, the
// examples' READMEs and the examples' header comments verbatim (with
// 'go run ./cmd/agora' as the built binary, and /tmp/ inside a
// temporary directory), except those listed in illustrative, and checks
// the output each documents: the lines of the output block, in order, or
// an example header's "r0 = N" and "exit code N".
func TestDocumentedCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs every documented command; -short skips it")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("bash is needed to run the documented commands")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	args := []string{"build", "-o", filepath.Join(bin, "agora")}
	if withCometBFT {
		args = append(args, "-tags", "cometbft")
	}
	build := exec.Command("go", append(args, ".")...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	docs := []string{filepath.Join(root, "README.md")}
	for _, pat := range []string{"docs/*.md", "examples/*/README.md"} {
		m, _ := filepath.Glob(filepath.Join(root, pat))
		docs = append(docs, m...)
	}
	var headers []string
	for _, pat := range []string{"examples/asm/*.s", "examples/ovsm/*.ovsm"} {
		m, _ := filepath.Glob(filepath.Join(root, pat))
		headers = append(headers, m...)
	}
	ran, found := 0, 0
	for _, doc := range append(docs, headers...) {
		var blocks []docBlock
		if strings.HasSuffix(doc, ".md") {
			blocks = shBlocks(t, doc)
		} else {
			blocks = headerBlocks(t, doc)
		}
		if len(blocks) == 0 {
			continue
		}
		found += len(blocks)
		rel, _ := filepath.Rel(root, doc)
		t.Run(rel, func(t *testing.T) {
			// One working directory per document, so that its blocks
			// build on each other (a chain made in one, used in the next).
			work := t.TempDir()
			for _, d := range []string{"examples", "testdata", "sdk", "docs"} {
				if err := os.Symlink(filepath.Join(root, d), filepath.Join(work, d)); err != nil {
					t.Fatal(err)
				}
			}
			tmp := filepath.Join(work, "tmp")
			if err := os.Mkdir(tmp, 0o755); err != nil {
				t.Fatal(err)
			}
			for _, b := range blocks {
				if !withCometBFT && strings.Contains(b.script, "-tags cometbft") {
					// Validators need a build with CometBFT: .ci/run runs
					// this test again with -tags cometbft.
					t.Logf("%s:%d: needs -tags cometbft", rel, b.line)
					continue
				}
				script, skipped := runnable(b.script, tmp)
				if strings.TrimSpace(script) == "" {
					continue
				}
				cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
				cmd.Dir = work
				cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Errorf("%s:%d: %v\n%s\noutput:\n%s", rel, b.line, err, script, out)
					continue
				}
				ran++
				if skipped {
					continue // the documented output is that of an illustrative command
				}
				if missing := missingLines(string(out), b.output); missing != "" {
					t.Errorf("%s:%d: documented output line %q not found in order\noutput:\n%s", rel, b.line, missing, out)
				}
			}
		})
	}
	t.Logf("%d of %d documented command blocks ran", ran, found)
	if found < 20 {
		t.Errorf("only %d documented command blocks found: is the extraction broken?", found)
	}
}

// runnable turns a documented script into what the test runs: commands
// through the built binary, /tmp/ inside the test's directory, and
// illustrative lines commented out (skipped reports whether there were
// any).
func runnable(script, tmp string) (_ string, skipped bool) {
	var b strings.Builder
	for _, line := range strings.Split(script, "\n") {
		line = strings.ReplaceAll(line, "go run ./cmd/agora", "agora")
		line = strings.ReplaceAll(line, "go run -tags cometbft ./cmd/agora", "agora")
		line = strings.ReplaceAll(line, "/tmp/", tmp+"/")
		trimmed := strings.TrimSpace(line)
		for _, p := range illustrative {
			if strings.HasPrefix(trimmed, p) {
				line, skipped = "# illustrative: "+line, true
				break
			}
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String(), skipped
}

// missingLines returns the first documented line that the output lacks,
// looking for each after the previous one; "" when all are there. A
// line ending in a space must start an output line (a prefix check).
func missingLines(out string, want []string) string {
	got := strings.Split(out, "\n")
	i := 0
	for _, w := range want {
		if strings.TrimSpace(w) == "" {
			continue
		}
		for ; i < len(got); i++ {
			if strings.HasSuffix(w, " ") && strings.HasPrefix(got[i], w) || strings.TrimRight(got[i], " ") == strings.TrimRight(w, " ") {
				break
			}
		}
		if i == len(got) {
			return w
		}
		i++
	}
	return ""
}

// TestRepositoryStandsAlone: code, docs and examples cite nothing a
// clone lacks — no design notes or proposal kept elsewhere, no issue
// numbers, no paths outside the repository. (Tests may read optional
// conformance data beside the module; that is data, not a citation.)
func TestRepositoryStandsAlone(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cite := regexp.MustCompile(`DESIGN\.md|DESIGN §|bpf-runtime-innovations|seed/|\b[Ii]ssues? #?\d+|\.\./shared/`)
	exts := map[string]bool{".go": true, ".md": true, ".h": true, ".c": true, ".s": true, ".ovsm": true, ".sh": true}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// node_modules holds installed npm packages (git ignores it).
			if n := d.Name(); n != "." && strings.HasPrefix(n, ".") || n == "testdata" || n == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !exts[filepath.Ext(path)] && d.Name() != "Makefile" {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			m := cite.FindString(line)
			if m == "" {
				continue
			}
			if m == "../shared/" && (strings.HasSuffix(rel, "_test.go") || strings.HasPrefix(rel, "internal/testutil/")) {
				continue // tests read optional conformance data there
			}
			if rel == "cmd/agora/doccmds_test.go" {
				continue // this test's own pattern
			}
			t.Errorf("%s:%d cites %q: write what the reader needs into docs/ instead", rel, i+1, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
