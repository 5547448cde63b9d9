package conformance

import (
	"errors"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

func TestParseVectors(t *testing.T) {
	src := `# comment
test: one
versions: v0 v3
budget: 3 1024
input: aabb 01*3   # trailing comment
    ff
heap: 64
config: max_call_depth=5 stack_gaps=false
log: Program log: x # kept
log: y 
asm:
    mov64 r0, 1   # asm comment
# a comment line inside the block

    exit
expect: r0=-1 cu=3
expect v3: error=SyscallError cause=Abort cu=2 pc=1

test: two
versions: all
raw: 95 00 00 00
    00 00 00 00
expect: verify=NoProgram
`
	vecs, err := ParseVectors("x.txt", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != 2 {
		t.Fatalf("got %d vectors", len(vecs))
	}
	v := vecs[0]
	if v.Name != "one" || v.Line != 2 || len(v.Versions) != 2 || v.Versions[1] != sbpf.V3 {
		t.Errorf("header: %+v", v)
	}
	if got := string(v.Input); got != "\xaa\xbb\x01\x01\x01\xff" {
		t.Errorf("input % x", v.Input)
	}
	if v.HeapSize != 64 || v.MaxCallDepth != 5 || !v.NoStackGaps {
		t.Errorf("config: %+v", v)
	}
	if !v.CheckLogs || len(v.Logs) != 2 || v.Logs[0] != "Program log: x # kept" || v.Logs[1] != "y " {
		t.Errorf("logs %q", v.Logs)
	}
	if !strings.Contains(v.Asm, "mov64 r0, 1") || v.AsmLines[0] != 12 || v.AsmLines[len(v.AsmLines)-1] != 15 {
		t.Errorf("asm %q lines %v", v.Asm, v.AsmLines)
	}
	if e := v.For(sbpf.V0); e.R0 != ^uint64(0) || e.CU != 3 || e.Error != "" {
		t.Errorf("v0 expectation %+v", e)
	}
	if e := v.For(sbpf.V3); e.Error != "SyscallError" || e.Cause != "Abort" || e.PC != 1 || e.CU != 2 {
		t.Errorf("v3 expectation %+v", e)
	}
	if w := vecs[1]; len(w.Versions) != 5 || len(w.Raw) != 8 || w.For(sbpf.V4).Verify != "NoProgram" {
		t.Errorf("second vector %+v", w)
	}
}

func TestParseVectorsErrors(t *testing.T) {
	const ok = "test: a\nversions: v0\nbudget: 1\nasm:\n    exit\nexpect: r0=0 cu=1\n"
	for _, tc := range []struct {
		src  string
		line int
		msg  string
	}{
		{"versions: v0\n", 1, "before the first"},
		{"test: a\nbogus\n", 2, "key: value"},
		{"test: a\nwhat: 1\n", 2, "unknown key"},
		{"test: a b\n", 1, "one word"},
		{ok + ok, 7, "already defined"},
		{"test: a\nversions: v9\n", 2, "unknown sBPF version"},
		{"test: a\nversions: v0 v0\n", 2, "twice"},
		{"test: a\nbudget: x\n", 2, "bad budget"},
		{"test: a\ninput: 0g\n", 2, "bad hex"},
		{"test: a\ninput: abc\n", 2, "odd number"},
		{"test: a\nexpect: r0=1\n", 2, "needs r0= and cu="},
		{"test: a\nexpect: error=DivideByZero\n", 2, "needs cu="},
		{"test: a\nexpect: verify=X cu=1\n", 2, "stands alone"},
		{"test: a\nexpect: cause=Abort error=DivideByZero cu=1\n", 2, "only goes with"},
		{"test: a\nexpect: r0\n", 2, "not key=value"},
		{"test: a\nexpect: foo=1\n", 2, "unknown expectation key"},
		{"test: a\nexpect: r0=1 cu=1\nexpect: r0=1 cu=1\n", 3, "second unqualified"},
		{"test: a\nexpect v1: r0=1 cu=1\nexpect v1: r0=1 cu=1\n", 3, "already has"},
		{"test: a\nconfig: depth=3\n", 2, "unknown config"},
		{"test: a\noptions: fast\n", 2, "unknown option"},
		{"test: a\nasm: mov64 r0, 1\n", 2, "indented lines"},
		{"test: a\nversions: v0\nbudget: 1\nexpect: r0=0 cu=1\n", 1, "missing program"},
		{"test: a\nasm:\n    exit\nexpect: r0=0 cu=1\n", 1, "missing `versions:`"},
		{"test: a\nversions: v0 v1\nbudget: 1\nasm:\n    exit\nexpect v0: r0=0 cu=1\n", 1, "no expectation for v1"},
		{"test: a\nversions: v0\nasm:\n    exit\nexpect: r0=0 cu=1\n", 1, "missing `budget:`"},
		{"test: a\nversions: v0\nbudget: 1\nasm:\n    exit\nexpect: r0=0 cu=1\nexpect v3: r0=0 cu=1\n", 1, "not in `versions:`"},
		{"test: a\nversions: v0\noptions: unverified\nasm:\n    exit\nexpect: verify=NoProgram\n", 1, "unverified"},
		{"    indented\n", 1, "outside of any key"},
		{"test: a\nversions: v0\n  junk\n", 3, "no continuation"},
	} {
		_, err := ParseVectors("f.txt", strings.NewReader(tc.src))
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%q: want a *ParseError, got %v", tc.src, err)
			continue
		}
		if pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) || !strings.HasPrefix(pe.Error(), "f.txt:") {
			t.Errorf("%q: got %v, want line %d containing %q", tc.src, err, tc.line, tc.msg)
		}
	}
}

// TestRunnerDetectsMismatches makes sure a wrong expectation of any kind
// is reported, so that a passing TestVectors means something.
func TestRunnerDetectsMismatches(t *testing.T) {
	reg := newRegistry(t)
	const prog = "asm:\n    mov64 r0, 7\n    stb [r1], 1\n    exit\n"
	for _, tc := range []struct{ name, body string }{
		{"r0", "input: 00\nexpect: r0=8 cu=3\n"},
		{"cu", "input: 00\nexpect: r0=7 cu=4\n"},
		{"error instead of success", "input: 00\nexpect: error=AccessViolation cu=3\n"},
		{"success instead of error", "expect: r0=7 cu=2\n"},
		{"error kind", "expect: error=StackAccessViolation cu=2\n"},
		{"error pc", "expect: error=AccessViolation cu=2 pc=0\n"},
		{"verifier accepted", "expect: verify=UnknownOpCode\n"},
		{"output", "input: 00\noutput: 02\nexpect: r0=7 cu=3\n"},
		{"logs", "input: 00\nlog: Program log: x\nexpect: r0=7 cu=3\n"},
	} {
		src := "test: x\nversions: v0\nbudget: 1024\n" + prog + tc.body
		vecs, err := ParseVectors("self.txt", strings.NewReader(src))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if problems := runVector(vecs[0], sbpf.V0, reg, vm.Interpreter{}); len(problems) == 0 {
			t.Errorf("%s: a wrong expectation passed", tc.name)
		}
	}
	src := "test: x\nversions: v0\nbudget: 1024\nraw: 06 00 00 00 00 00 00 00\nexpect: verify=DivisionByZero\n"
	vecs, err := ParseVectors("self.txt", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if problems := runVector(vecs[0], sbpf.V0, reg, vm.Interpreter{}); len(problems) == 0 {
		t.Errorf("a wrong verifier kind passed")
	}
	src = "test: x\nversions: v0\nbudget: 1024\nasm:\n    bogus r0\nexpect: r0=0 cu=1\n"
	vecs, err = ParseVectors("self.txt", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if problems := runVector(vecs[0], sbpf.V0, reg, vm.Interpreter{}); len(problems) == 0 || !strings.Contains(problems[0], "self.txt:5") {
		t.Errorf("an assembly error is not reported at its file line: %q", problems)
	}
}
