package deep_test

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/ext/flow"
	"github.com/agora-vm/agora/ext/lanes"
	"github.com/agora-vm/agora/ext/txmem"
	"github.com/agora-vm/agora/ovsm"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/verify/deep"
	"github.com/agora-vm/agora/verify/econ"
	"github.com/agora-vm/agora/verify/symex"
	"github.com/agora-vm/agora/verify/taint"
	"github.com/agora-vm/agora/vm"
)

const corpus = "../testdata/deep"

// caseSpec is one corpus program and what the verifier must say.
type caseSpec struct {
	name       string
	src        string // assembly, or
	file       string // an ELF (.so) or OVSM program, relative to the corpus
	accounts   string
	private    []string
	invariants []string
	maxPaths   int
	// queryTimeout is for programs whose proof needs reasoning about
	// division, which the solver may not finish: they accept "unknown".
	queryTimeout time.Duration
	// timeout bounds a case whose exploration is meant to hit its bound.
	timeout    time.Duration
	want       map[string]string // analysis -> proven | finding | unknown
	falseAlarm map[string]bool   // analysis whose finding is known to be a false alarm
	exit       []int             // acceptable exit codes
}

func readCase(t *testing.T, name string) caseSpec {
	t.Helper()
	c := caseSpec{name: name, want: map[string]string{}, falseAlarm: map[string]bool{}}
	if src, err := os.ReadFile(filepath.Join(corpus, name+".s")); err == nil {
		c.src = string(src)
	}
	f, err := os.Open(filepath.Join(corpus, name+".expect"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		key, val, _ := strings.Cut(line, " ")
		switch key {
		case "accounts":
			c.accounts = val
		case "file":
			c.file = val
		case "private":
			c.private = append(c.private, val)
		case "invariant-expr":
			c.invariants = append(c.invariants, val)
		case "timeout":
			d, err := time.ParseDuration(val)
			if err != nil {
				t.Fatal(err)
			}
			c.timeout = d
		case "query-timeout":
			d, err := time.ParseDuration(val)
			if err != nil {
				t.Fatal(err)
			}
			c.queryTimeout = d
		case "max-paths":
			fmt.Sscan(val, &c.maxPaths)
		case "exit":
			for _, v := range strings.Split(val, "|") {
				var code int
				fmt.Sscan(v, &code)
				c.exit = append(c.exit, code)
			}
		case "memory", "overflow", "leak", "conservation", "invariant", "bounds":
			v, extra, _ := strings.Cut(val, " ")
			c.want[key] = v
			if extra == "false-alarm" {
				c.falseAlarm[key] = true
			}
		default:
			t.Fatalf("%s.expect: unknown line %q", name, line)
		}
	}
	return c
}

func registry(t testing.TB) *vm.Registry {
	reg := syscalls.NewRegistry()
	if err := flow.Register(reg); err != nil {
		t.Fatal(err)
	}
	if err := txmem.Register(reg); err != nil {
		t.Fatal(err)
	}
	if err := lanes.Register(reg); err != nil {
		t.Fatal(err)
	}
	// The analyses know a CPI by its name only (they havoc what it may
	// write); the corpus never replays one, so a stand-in that fails will do.
	cpi := func(*vm.Machine, uint64, uint64, uint64, uint64, uint64) (uint64, error) {
		return 0, errors.New("corpus: no CPI in a raw run")
	}
	if err := reg.Register("sol_invoke_signed_c", cpi); err != nil {
		t.Fatal(err)
	}
	return reg
}

// options builds the deep options of a corpus case.
func options(t testing.TB, c caseSpec, reg *vm.Registry) (*deep.Options, *vm.Program) {
	prog, heap := load(t, c, reg)
	o := &deep.Options{Version: prog.Version, Text: prog.Text, Entry: prog.Entry, Functions: prog.Functions, ROData: prog.ROData,
		RODataVAddr: prog.RODataVAddr, HeapSize: heap, Syscalls: reg.Name, Timeout: 90 * time.Second, QueryTimeout: 30 * time.Second, MaxPaths: c.maxPaths, MaxPathSteps: 5000}
	if c.accounts != "" {
		doc, err := os.ReadFile(filepath.Join(corpus, c.accounts))
		if err != nil {
			t.Fatal(err)
		}
		inputs, err := abi.ParseAccountsJSON(doc)
		if err != nil {
			t.Fatal(err)
		}
		pid, _ := abi.ParseKey(abi.DefaultProgramID)
		o.Accounts = &deep.Accounts{Inputs: inputs, ProgramID: pid, DataLen: 8}
	}
	for _, s := range c.private {
		sp, err := taint.ParseSpec(s)
		if err != nil {
			t.Fatal(err)
		}
		o.Private = append(o.Private, sp)
	}
	for _, s := range c.invariants {
		e, err := econ.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		o.Invariants = append(o.Invariants, e)
	}
	if c.timeout > 0 {
		o.Timeout = c.timeout
	}
	if c.queryTimeout > 0 {
		o.QueryTimeout = c.queryTimeout
	}
	return o, prog
}

// load assembles, loads or compiles a case's program.
func load(t testing.TB, c caseSpec, reg *vm.Registry) (*vm.Program, int) {
	heap := vm.DefaultConfig().HeapSize
	switch {
	case c.file == "":
		p, err := asm.Assemble(c.src, sbpf.V0, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		return vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), heap
	case strings.HasSuffix(c.file, ".so"):
		data, err := os.ReadFile(filepath.Join(corpus, c.file))
		if err != nil {
			t.Fatal(err)
		}
		opts := elf.DefaultOptions()
		img, err := elf.LoadImage(data, reg, &opts)
		if err != nil {
			t.Fatal(err)
		}
		return img.Program, heap
	case strings.HasSuffix(c.file, ".ovsm"):
		src, err := os.ReadFile(filepath.Join(corpus, c.file))
		if err != nil {
			t.Fatal(err)
		}
		out, err := ovsm.Compile(src, c.file, ovsm.Options{Version: sbpf.V0})
		if err != nil {
			t.Fatal(err)
		}
		return out.Program, max(heap, out.HeapSize)
	}
	t.Fatalf("%s: unknown program file %s", c.name, c.file)
	return nil, 0
}

var kindOf = map[string]string{"oob": "memory", "overflow": "overflow", "leak": "leak", "conservation": "conservation",
	"invariant": "invariant", "unbounded": "bounds"}

var prefixOf = map[string][]string{"memory": {"memory:"}, "overflow": {"overflow:"}, "leak": {"leak:"},
	"conservation": {"conservation:"}, "invariant": {"invariant:"}, "bounds": {"cu:", "stack:"}}

// verdicts derives each analysis' verdict from a report.
func verdicts(r *deep.Report) map[string]string {
	out := map[string]string{}
	for _, f := range r.Findings {
		out[kindOf[f.Kind]] = "finding"
	}
	for a, ps := range prefixOf {
		if out[a] != "" {
			continue
		}
		for _, p := range ps {
			if slices.ContainsFunc(r.Unknown, func(s string) bool { return strings.HasPrefix(s, p) }) {
				out[a] = "unknown"
			}
		}
		if out[a] != "" {
			continue
		}
		for _, p := range ps {
			if slices.ContainsFunc(r.Proven, func(s string) bool { return strings.HasPrefix(s, p) }) {
				out[a] = "proven"
			}
		}
	}
	return out
}

func corpusNames(t testing.TB) []string {
	ms, err := filepath.Glob(filepath.Join(corpus, "*.expect"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms {
		names = append(names, strings.TrimSuffix(filepath.Base(m), ".expect"))
	}
	return names
}

// TestCorpus checks every program's verdicts, replays every
// counterexample in the VM, and reports the false-finding rate.
func TestCorpus(t *testing.T) {
	names := corpusNames(t)
	if len(names) < 60 {
		t.Fatalf("corpus has %d programs, want at least 60", len(names))
	}
	reg := registry(t)
	var findings, falseFindings, proven int
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			c := readCase(t, name)
			o, prog := options(t, c, reg)
			heap := o.HeapSize
			rep, err := deep.Analyze(o)
			if err != nil {
				t.Fatal(err)
			}
			got := verdicts(rep)
			for a, w := range c.want {
				if !slices.Contains(strings.Split(w, "|"), got[a]) {
					t.Errorf("%s: %s, want %s\nreport: %+v", a, got[a], w, rep)
				}
				if got[a] == "finding" {
					findings++
					if c.falseAlarm[a] {
						falseFindings++
					}
				}
				if got[a] == "proven" {
					proven++
				}
			}
			if !slices.Contains(c.exit, rep.ExitCode()) {
				t.Errorf("exit %d, want %d\nreport: %+v", rep.ExitCode(), c.exit, rep)
			}
			for _, f := range rep.Findings {
				if f.Kind == "leak" {
					continue // taint findings carry no input
				}
				if err := replay(prog, reg, f, heap); err != nil {
					t.Errorf("counterexample of %s at pc %d does not replay: %v", f.Kind, f.PC, err)
				}
			}
		})
	}
	t.Logf("corpus: %d programs, %d proven verdicts, %d findings of which %d known false alarms (false-finding rate %d/%d)",
		len(names), proven, findings, falseFindings, falseFindings, findings)
}

type hook struct {
	pc      int
	insn    sbpf.Instruction
	kind    string
	reached bool
	wrapped bool
}

func (h *hook) Step(m *vm.Machine, pc int) {
	if pc != h.pc {
		return
	}
	h.reached = true
	r := m.Registers()
	if h.kind == "overflow" && symex.Wraps(sbpf.V0, h.insn, r[h.insn.Dst&15], r[h.insn.Src&15]) {
		h.wrapped = true
	}
}

// replay runs a counterexample and checks that it shows the finding.
func replay(prog *vm.Program, reg *vm.Registry, f deep.Finding, heap int) error {
	cfg := vm.DefaultConfig()
	cfg.HeapSize = heap
	exe, err := vm.Interpreter{}.Prepare(prog, reg, cfg)
	if err != nil {
		return err
	}
	h := &hook{pc: f.PC, insn: sbpf.Decode(prog.Text[f.PC*sbpf.InsnSize:]), kind: f.Kind}
	input := slices.Clone(f.Input)
	res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: input, Budget: 1_400_000, Context: syscalls.NewContext([32]byte{}), Hook: h})
	var ve *vm.Error
	errors.As(res.Err, &ve)
	switch f.Kind {
	case "overflow":
		if !h.wrapped {
			return fmt.Errorf("pc %d reached %v but did not wrap (run: %v)", f.PC, h.reached, res.Err)
		}
	case "oob":
		if k := vm.ErrorKindOf(res.Err); k != "AccessViolation" && k != "StackAccessViolation" || ve == nil || ve.PC != f.PC {
			return fmt.Errorf("run ended with %v, want AccessViolation at pc %d", res.Err, f.PC)
		}
	case "unbounded":
		if vm.ErrorKindOf(res.Err) != "CallDepthExceeded" {
			return fmt.Errorf("run ended with %v, want CallDepthExceeded", res.Err)
		}
	case "conservation", "invariant":
		if res.Err != nil || res.R0 != 0 {
			return fmt.Errorf("run ended with r0 %d, %v; want success", res.R0, res.Err)
		}
		if f.Kind == "conservation" && lamportsEqual(f.Input, input) && !strings.Contains(f.Message, "debited") {
			return errors.New("the lamports did not change")
		}
	}
	return nil
}

// lamportsEqual compares the sums of the two corpus account layouts'
// lamports fields before and after.
func lamportsEqual(before, after []byte) bool {
	sum := func(b []byte) *big.Int {
		s := new(big.Int)
		for _, off := range []int{80, 10432} {
			if off+8 <= len(b) {
				s.Add(s, new(big.Int).SetUint64(binary.LittleEndian.Uint64(b[off:])))
			}
		}
		return s
	}
	return sum(before).Cmp(sum(after)) == 0
}
