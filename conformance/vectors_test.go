package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/vm"
)

// knownFailures lists vectors (file base name, test name, version) whose
// reference-derived expectation the code under test contradicts today,
// with the bug. A listed vector that fails is logged, not failed; one that
// passes fails the test so that the entry is removed. The vector itself is
// never changed to match the code.
var knownFailures = map[string]string{}

func knownKey(vec *Vector, v sbpf.Version) string {
	return fmt.Sprintf("%s:%s:%s", filepath.Base(vec.File), vec.Name, v)
}

func TestVectors(t *testing.T) {
	dir := filepath.Join(moduleRoot(t), "testdata", "vectors")
	vecs, err := LoadVectorDir(dir)
	if err != nil {
		t.Fatalf("parsing vectors: %v", err)
	}
	if len(vecs) == 0 {
		t.Fatalf("no vectors in %s", dir)
	}
	reg := newRegistry(t)

	perFile := map[string]int{}
	var files []string
	runs, known := 0, 0
	seenKnown := map[string]bool{}
	for _, vec := range vecs {
		base := filepath.Base(vec.File)
		if perFile[base] == 0 {
			files = append(files, base)
		}
		perFile[base]++
		for _, v := range vec.Versions {
			key := knownKey(vec, v)
			reason, isKnown := knownFailures[key]
			seenKnown[key] = isKnown
			problems := runVector(vec, v, reg)
			runs++
			where := fmt.Sprintf("%s:%d: %s [%s]", vec.File, vec.Line, vec.Name, v)
			switch {
			case isKnown && len(problems) > 0:
				known++
				t.Logf("%s: known failure (%s): %s", where, reason, strings.Join(problems, "; "))
			case isKnown:
				t.Errorf("%s: listed as a known failure (%s) but passes; remove it from knownFailures", where, reason)
			case len(problems) > 0:
				t.Errorf("%s:\n\t%s", where, strings.Join(problems, "\n\t"))
			}
		}
	}
	for key := range knownFailures {
		if _, ok := seenKnown[key]; !ok {
			t.Errorf("knownFailures names %s, which is not a vector", key)
		}
	}
	var sb strings.Builder
	for _, f := range files {
		fmt.Fprintf(&sb, " %s=%d", f, perFile[f])
	}
	t.Logf("%d vectors (%d runs, %d known failures):%s", len(vecs), runs, known, sb.String())
}

// program assembles (or takes the raw bytes of) vec for version v.
func program(vec *Vector, v sbpf.Version) (text []byte, funcs map[uint32]int, entry int, err error) {
	if vec.Raw != nil {
		return vec.Raw, nil, 0, nil
	}
	p, err := asm.Assemble(vec.Asm, v, &asm.Options{AllowInvalid: vec.AllowInvalid})
	if err != nil {
		var ae *asm.Error
		if errors.As(err, &ae) && ae.Line > 0 && ae.Line <= len(vec.AsmLines) {
			return nil, nil, 0, fmt.Errorf("assembly error at %s:%d: %v", vec.File, vec.AsmLines[ae.Line-1], ae.Msg)
		}
		return nil, nil, 0, fmt.Errorf("assembly error: %v", err)
	}
	return p.Text, p.Functions, p.Entry, nil
}

// runVector runs vec in version v with every budget and returns what
// differs from the expectation.
func runVector(vec *Vector, v sbpf.Version, reg *vm.Registry) []string {
	exp := vec.For(v)
	text, funcs, entry, err := program(vec, v)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	var verr error
	if !vec.Unverified {
		verr = verify.Structural(text, v, reg)
	}
	if exp.Verify != "" {
		var ve *verify.Error
		switch {
		case verr == nil:
			bad("expected verifier error %s, but the program was accepted", exp.Verify)
		case !errors.As(verr, &ve):
			bad("expected verifier error %s, got untyped error %v", exp.Verify, verr)
		case ve.Kind.String() != exp.Verify:
			bad("expected verifier error %s, got %s (%v)", exp.Verify, ve.Kind, verr)
		case exp.PC >= 0 && ve.PC != exp.PC:
			bad("expected verifier error %s at pc %d, got pc %d (%v)", exp.Verify, exp.PC, ve.PC, verr)
		}
		return problems
	}
	if verr != nil {
		return []string{fmt.Sprintf("expected the verifier to accept, got %v", verr)}
	}

	cfg := vm.Config{HeapSize: vec.HeapSize, MaxCallDepth: vec.MaxCallDepth, NoStackGaps: vec.NoStackGaps}
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(v, text, funcs, entry), reg, cfg)
	if err != nil {
		return []string{fmt.Sprintf("preparing the executable: %v", err)}
	}
	m := vm.NewMachine()
	for _, budget := range vec.Budgets {
		input := slices.Clone(vec.Input)
		if input == nil {
			input = []byte{}
		}
		ctx := newRunContext()
		res := exe.Run(m, vm.RunOptions{Input: input, Budget: budget, Context: ctx})
		pfx := fmt.Sprintf("budget %d: ", budget)
		got := describe(res)
		want := describeExp(exp)
		var ve *vm.Error
		isVM := errors.As(res.Err, &ve)
		switch {
		case exp.Error != "":
			switch {
			case res.Err == nil:
				bad("%sexpected %s, got %s", pfx, want, got)
			case !isVM:
				bad("%sexpected %s, got a non-VM error %v", pfx, want, res.Err)
			case ve.Kind.String() != exp.Error || res.CU != exp.CU:
				bad("%sexpected %s, got %s", pfx, want, got)
			case exp.Cause != "" && ve.KindName() != exp.Cause:
				bad("%sexpected cause %s, got %s (%v)", pfx, exp.Cause, ve.KindName(), res.Err)
			case exp.PC >= 0 && ve.PC != exp.PC:
				bad("%sexpected the fault at pc %d, got pc %d", pfx, exp.PC, ve.PC)
			}
		default:
			if res.Err != nil || res.R0 != exp.R0 || res.CU != exp.CU {
				bad("%sexpected %s, got %s", pfx, want, got)
			}
		}
		if vec.Output != nil && !bytes.Equal(input, vec.Output) {
			bad("%sexpected input memory afterwards % x, got % x", pfx, vec.Output, input)
		}
		if vec.CheckLogs {
			logs := ctx.Messages()
			if !slices.Equal(logs, vec.Logs) {
				bad("%sexpected logs %q, got %q", pfx, vec.Logs, logs)
			}
		}
	}
	return problems
}

func describe(res vm.Result) string {
	if res.Err != nil {
		var ve *vm.Error
		if errors.As(res.Err, &ve) {
			if ve.Kind == vm.SyscallError {
				return fmt.Sprintf("error=%s cause=%s cu=%d (%v)", ve.Kind, ve.KindName(), res.CU, res.Err)
			}
			return fmt.Sprintf("error=%s cu=%d pc=%d (%v)", ve.Kind, res.CU, ve.PC, res.Err)
		}
		return fmt.Sprintf("error %v cu=%d", res.Err, res.CU)
	}
	return fmt.Sprintf("r0=%#x cu=%d", res.R0, res.CU)
}

func describeExp(e *Expectation) string {
	if e.Error != "" {
		s := fmt.Sprintf("error=%s cu=%d", e.Error, e.CU)
		if e.Cause != "" {
			s += " cause=" + e.Cause
		}
		return s
	}
	return fmt.Sprintf("r0=%#x cu=%d", e.R0, e.CU)
}
