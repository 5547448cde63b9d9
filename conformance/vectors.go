package conformance

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/agora-vm/agora/sbpf"
)

// Vector is one test of testdata/vectors: a program, how to run it and
// what the reference does with it, per version.
type Vector struct {
	File string // path of the vector file
	Line int    // line of the `test:` key
	Name string

	Versions []sbpf.Version
	Budgets  []uint64 // every budget is run; all give the same outcome

	Input  []byte // mapped at 0x400000000, r1 points at it
	Output []byte // expected input bytes after the run (nil: not checked)

	HeapSize     int  // bytes of heap (0 unless `heap:` is given)
	MaxCallDepth int  // 0: the default (64)
	NoStackGaps  bool // V0 without frame gaps

	Asm          string // assembly source, when the program is given as asm
	AsmLines     []int  // file line of each line of Asm
	AllowInvalid bool   // assemble instructions the version lacks
	Unverified   bool   // run without the verifier (the reference's interpreter still runs it)
	Raw          []byte // raw instruction bytes, when given as raw

	Logs      []string // expected log lines, in order
	CheckLogs bool     // whether Logs is compared (any `log:` key)

	Default *Expectation                  // from `expect:`
	ByVer   map[sbpf.Version]*Expectation // from `expect v0 v3:`
}

// Expectation is what running a vector in one version must give. Exactly
// one of Verify, Error and R0 describes the outcome.
type Expectation struct {
	Line   int
	Verify string // verifier error kind: the program is rejected
	PC     int    // with Verify or Error: the instruction index (-1: not checked)
	Error  string // runtime error kind (vm.ErrorKind name)
	Cause  string // with Error=SyscallError: the cause's kind name ("": not checked)
	R0     uint64 // the result, when neither Verify nor Error is set
	HasR0  bool
	CU     uint64
	HasCU  bool
}

// For returns the expectation for version v.
func (vec *Vector) For(v sbpf.Version) *Expectation {
	if e, ok := vec.ByVer[v]; ok {
		return e
	}
	return vec.Default
}

// ParseError is a malformed vector file.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// LoadVectorDir parses every *.txt file of dir, in name order.
func LoadVectorDir(dir string) ([]*Vector, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var all []*Vector
	for _, f := range files {
		vs, err := LoadVectorFile(f)
		if err != nil {
			return nil, err
		}
		all = append(all, vs...)
	}
	return all, nil
}

// LoadVectorFile parses one vector file.
func LoadVectorFile(path string) ([]*Vector, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseVectors(path, f)
}

// rawLine is a line of a vector file with its number.
type rawLine struct {
	n    int
	text string
}

// entry is a key with its value and continuation lines.
type entry struct {
	line  int
	key   string
	value string
	cont  []rawLine // indented (or blank) lines that follow
}

// ParseVectors reads vectors in the format of testdata/vectors/README.md.
// name is used in errors. It returns the first problem as a *ParseError.
func ParseVectors(name string, r io.Reader) ([]*Vector, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	var entries []*entry
	n := 0
	for sc.Scan() {
		n++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.HasPrefix(text, "#") {
			continue
		}
		if strings.TrimSpace(text) == "" || text[0] == ' ' || text[0] == '\t' {
			if len(entries) > 0 {
				last := entries[len(entries)-1]
				last.cont = append(last.cont, rawLine{n, text})
			} else if strings.TrimSpace(text) != "" {
				return nil, &ParseError{name, n, "indented line outside of any key"}
			}
			continue
		}
		key, value, ok := strings.Cut(text, ":")
		if !ok {
			return nil, &ParseError{name, n, fmt.Sprintf("expected `key: value`, got %q", text)}
		}
		key = strings.TrimSpace(key)
		if key == "log" {
			// A log line is taken verbatim after "log: ", trailing
			// spaces and '#' included.
			value = strings.TrimPrefix(value, " ")
		} else {
			value, _, _ = strings.Cut(value, "#") // a trailing comment
			value = strings.TrimSpace(value)
		}
		entries = append(entries, &entry{line: n, key: key, value: value})
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{name, n, err.Error()}
	}

	var out []*Vector
	var cur *Vector
	names := map[string]int{}
	finish := func() error {
		if cur == nil {
			return nil
		}
		if err := cur.check(); err != nil {
			return &ParseError{name, cur.Line, fmt.Sprintf("test %q: %v", cur.Name, err)}
		}
		out = append(out, cur)
		return nil
	}
	for _, e := range entries {
		if e.key == "test" {
			if err := finish(); err != nil {
				return nil, err
			}
			if e.value == "" || strings.ContainsAny(e.value, " \t") {
				return nil, &ParseError{name, e.line, "a test name is one word"}
			}
			if prev, dup := names[e.value]; dup {
				return nil, &ParseError{name, e.line, fmt.Sprintf("test %q already defined at line %d", e.value, prev)}
			}
			names[e.value] = e.line
			cur = &Vector{File: name, Line: e.line, Name: e.value, ByVer: map[sbpf.Version]*Expectation{}}
			continue
		}
		if cur == nil {
			return nil, &ParseError{name, e.line, fmt.Sprintf("key %q before the first `test:`", e.key)}
		}
		if err := cur.apply(e); err != nil {
			line := e.line
			if le, ok := err.(*lineError); ok {
				line = le.line
			}
			return nil, &ParseError{name, line, err.Error()}
		}
	}
	if err := finish(); err != nil {
		return nil, err
	}
	return out, nil
}

// contText joins the value and the continuation lines with spaces,
// dropping `#` comments.
func (e *entry) contText() string {
	parts := []string{e.value}
	for _, c := range e.cont {
		parts = append(parts, c.text)
	}
	for i, p := range parts {
		p, _, _ = strings.Cut(p, "#")
		parts[i] = strings.TrimSpace(p)
	}
	return strings.Join(parts, " ")
}

// lineError is a problem on a line other than its key's.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return e.msg }

func (e *entry) noCont() error {
	for _, c := range e.cont {
		if strings.TrimSpace(c.text) != "" {
			return &lineError{c.n, fmt.Sprintf("key %q takes no continuation lines", e.key)}
		}
	}
	return nil
}

func (vec *Vector) apply(e *entry) error {
	key := e.key
	if key == "expect" || strings.HasPrefix(key, "expect ") {
		if err := e.noCont(); err != nil {
			return err
		}
		exp, err := parseExpectation(e.value)
		if err != nil {
			return err
		}
		exp.Line = e.line
		vers := strings.Fields(strings.TrimPrefix(key, "expect"))
		if len(vers) == 0 {
			if vec.Default != nil {
				return fmt.Errorf("a second unqualified `expect:` (first at line %d)", vec.Default.Line)
			}
			vec.Default = exp
			return nil
		}
		vs, err := parseVersions(vers)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if prev, dup := vec.ByVer[v]; dup {
				return fmt.Errorf("%s already has an expectation at line %d", v, prev.Line)
			}
			vec.ByVer[v] = exp
		}
		return nil
	}
	switch key {
	case "versions":
		if err := e.noCont(); err != nil {
			return err
		}
		if vec.Versions != nil {
			return fmt.Errorf("duplicate `versions:`")
		}
		vs, err := parseVersions(strings.Fields(e.value))
		if err != nil {
			return err
		}
		vec.Versions = vs
	case "budget":
		if err := e.noCont(); err != nil {
			return err
		}
		if vec.Budgets != nil {
			return fmt.Errorf("duplicate `budget:`")
		}
		for _, f := range strings.Fields(e.value) {
			b, err := strconv.ParseUint(f, 0, 64)
			if err != nil {
				return fmt.Errorf("bad budget %q", f)
			}
			vec.Budgets = append(vec.Budgets, b)
		}
	case "input", "output":
		b, err := parseHex(e.contText())
		if err != nil {
			return fmt.Errorf("%s: %v", key, err)
		}
		if b == nil {
			b = []byte{}
		}
		if key == "input" {
			if vec.Input != nil {
				return fmt.Errorf("duplicate `input:`")
			}
			vec.Input = b
		} else {
			if vec.Output != nil {
				return fmt.Errorf("duplicate `output:`")
			}
			vec.Output = b
		}
	case "heap":
		if err := e.noCont(); err != nil {
			return err
		}
		h, err := strconv.ParseUint(e.value, 0, 31)
		if err != nil {
			return fmt.Errorf("bad heap size %q", e.value)
		}
		vec.HeapSize = int(h)
	case "config":
		if err := e.noCont(); err != nil {
			return err
		}
		for _, f := range strings.Fields(e.value) {
			k, v, _ := strings.Cut(f, "=")
			switch k {
			case "max_call_depth":
				d, err := strconv.ParseUint(v, 0, 16)
				if err != nil || d == 0 {
					return fmt.Errorf("bad max_call_depth %q", v)
				}
				vec.MaxCallDepth = int(d)
			case "stack_gaps":
				switch v {
				case "true":
					vec.NoStackGaps = false
				case "false":
					vec.NoStackGaps = true
				default:
					return fmt.Errorf("stack_gaps is true or false, not %q", v)
				}
			default:
				return fmt.Errorf("unknown config %q (want max_call_depth=N or stack_gaps=BOOL)", k)
			}
		}
	case "options":
		if err := e.noCont(); err != nil {
			return err
		}
		for _, f := range strings.Fields(e.value) {
			switch f {
			case "allow_invalid":
				vec.AllowInvalid = true
			case "unverified":
				vec.Unverified = true
			default:
				return fmt.Errorf("unknown option %q (want allow_invalid or unverified)", f)
			}
		}
	case "asm":
		if vec.Asm != "" || vec.Raw != nil {
			return fmt.Errorf("a test has one program (`asm:` or `raw:`)")
		}
		if e.value != "" {
			return fmt.Errorf("the assembly goes on the indented lines after `asm:`")
		}
		if len(e.cont) == 0 {
			return fmt.Errorf("empty `asm:`")
		}
		lines := make([]string, len(e.cont))
		vec.AsmLines = make([]int, len(e.cont))
		for i, c := range e.cont {
			lines[i] = c.text
			vec.AsmLines[i] = c.n
		}
		vec.Asm = strings.Join(lines, "\n") + "\n"
	case "raw":
		if vec.Asm != "" || vec.Raw != nil {
			return fmt.Errorf("a test has one program (`asm:` or `raw:`)")
		}
		b, err := parseHex(e.contText())
		if err != nil {
			return fmt.Errorf("raw: %v", err)
		}
		if b == nil {
			b = []byte{}
		}
		vec.Raw = b
	case "log":
		if err := e.noCont(); err != nil {
			return err
		}
		vec.CheckLogs = true
		if e.value != "-" {
			vec.Logs = append(vec.Logs, e.value)
		}
	default:
		return fmt.Errorf("unknown key %q", key)
	}
	return nil
}

// check validates a complete vector.
func (vec *Vector) check() error {
	if vec.Versions == nil {
		return fmt.Errorf("missing `versions:`")
	}
	if vec.Asm == "" && vec.Raw == nil {
		return fmt.Errorf("missing program (`asm:` or `raw:`)")
	}
	for _, v := range vec.Versions {
		e := vec.For(v)
		if e == nil {
			return fmt.Errorf("no expectation for %s", v)
		}
		if e.Verify != "" && vec.Unverified {
			return fmt.Errorf("%s expects a verifier error, but the test is unverified", v)
		}
		if e.Verify == "" && vec.Budgets == nil {
			return fmt.Errorf("missing `budget:` (needed to run in %s)", v)
		}
	}
	inVersions := map[sbpf.Version]bool{}
	for _, v := range vec.Versions {
		inVersions[v] = true
	}
	for v, e := range vec.ByVer {
		if !inVersions[v] {
			return fmt.Errorf("line %d: expectation for %s, which is not in `versions:`", e.Line, v)
		}
	}
	return nil
}

// parseVersions reads "v0 v1 ..." or "all".
func parseVersions(fields []string) ([]sbpf.Version, error) {
	if len(fields) == 0 {
		return nil, fmt.Errorf("no versions given")
	}
	var out []sbpf.Version
	seen := map[sbpf.Version]bool{}
	for _, f := range fields {
		if f == "all" {
			for v := sbpf.V0; v <= sbpf.LatestVersion; v++ {
				if !seen[v] {
					seen[v] = true
					out = append(out, v)
				}
			}
			continue
		}
		v, err := sbpf.ParseVersion(f)
		if err != nil {
			return nil, err
		}
		if seen[v] {
			return nil, fmt.Errorf("version %s listed twice", v)
		}
		seen[v] = true
		out = append(out, v)
	}
	return out, nil
}

// parseExpectation reads space-separated key=value items.
func parseExpectation(s string) (*Expectation, error) {
	e := &Expectation{PC: -1}
	if s == "" {
		return nil, fmt.Errorf("empty expectation")
	}
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, "=")
		if !ok || v == "" {
			return nil, fmt.Errorf("expectation item %q is not key=value", f)
		}
		switch k {
		case "r0":
			x, err := parseInt64Bits(v)
			if err != nil {
				return nil, fmt.Errorf("r0: %v", err)
			}
			e.R0, e.HasR0 = x, true
		case "cu":
			x, err := strconv.ParseUint(v, 0, 64)
			if err != nil {
				return nil, fmt.Errorf("bad cu %q", v)
			}
			e.CU, e.HasCU = x, true
		case "error":
			e.Error = v
		case "cause":
			e.Cause = v
		case "verify":
			e.Verify = v
		case "pc":
			x, err := strconv.ParseUint(v, 0, 31)
			if err != nil {
				return nil, fmt.Errorf("bad pc %q", v)
			}
			e.PC = int(x)
		default:
			return nil, fmt.Errorf("unknown expectation key %q (want r0, cu, error, cause, verify or pc)", k)
		}
	}
	switch {
	case e.Verify != "":
		if e.Error != "" || e.HasR0 || e.HasCU || e.Cause != "" {
			return nil, fmt.Errorf("verify= stands alone (with an optional pc=)")
		}
	case e.Error != "":
		if e.HasR0 {
			return nil, fmt.Errorf("a run that fails has no r0")
		}
		if !e.HasCU {
			return nil, fmt.Errorf("error= needs cu=")
		}
		if e.Cause != "" && e.Error != "SyscallError" {
			return nil, fmt.Errorf("cause= only goes with error=SyscallError")
		}
	default:
		if !e.HasR0 || !e.HasCU {
			return nil, fmt.Errorf("a successful run needs r0= and cu=")
		}
		if e.PC >= 0 || e.Cause != "" {
			return nil, fmt.Errorf("pc= and cause= go with error= or verify=")
		}
	}
	return e, nil
}

// parseInt64Bits accepts an unsigned number (decimal or 0x hex) or a
// negative decimal, which is taken as its 64-bit two's complement.
func parseInt64Bits(s string) (uint64, error) {
	if strings.HasPrefix(s, "-") {
		x, err := strconv.ParseInt(s, 0, 64)
		if err != nil {
			return 0, fmt.Errorf("bad number %q", s)
		}
		return uint64(x), nil
	}
	x, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("bad number %q", s)
	}
	return x, nil
}

// parseHex reads hex bytes separated by spaces. A group may hold several
// bytes ("aabbcc"); "xx*n" repeats byte xx n times.
func parseHex(s string) ([]byte, error) {
	var out []byte
	for _, f := range strings.Fields(s) {
		if b, n, ok := strings.Cut(f, "*"); ok {
			if len(b) != 2 {
				return nil, fmt.Errorf("repeat %q: want one byte before *", f)
			}
			x, err := strconv.ParseUint(b, 16, 8)
			if err != nil {
				return nil, fmt.Errorf("bad hex byte %q", b)
			}
			k, err := strconv.ParseUint(n, 10, 24)
			if err != nil {
				return nil, fmt.Errorf("bad repeat count %q", n)
			}
			for range k {
				out = append(out, byte(x))
			}
			continue
		}
		if len(f)%2 != 0 {
			return nil, fmt.Errorf("odd number of hex digits in %q", f)
		}
		for i := 0; i < len(f); i += 2 {
			x, err := strconv.ParseUint(f[i:i+2], 16, 8)
			if err != nil {
				return nil, fmt.Errorf("bad hex %q", f)
			}
			out = append(out, byte(x))
		}
	}
	return out, nil
}
