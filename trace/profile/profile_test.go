package profile

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/trace"
	"github.com/agora-vm/agora/vm"
)

const src = `
entrypoint:
    mov64 r6, 0
loop:
    mov64 r1, r6
    call function_work
    add64 r6, 1
    jlt r6, 10, loop
    exit
function_work:
    stxdw [r10-8], r1
    mov64 r1, r10
    sub64 r1, 8
    mov64 r2, 8
    syscall sol_log_
    exit
`

func record(t *testing.T) (*trace.Trace, vm.Result) {
	t.Helper()
	p, err := asm.Assemble(src, sbpf.V0, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := syscalls.NewContext([32]byte{})
	var syms []trace.Symbol
	for _, pc := range p.Functions {
		syms = append(syms, trace.Symbol{PC: pc, Name: p.DisasmOptions().Names[pc]})
	}
	rec := trace.NewRecorder(trace.Options{Logs: ctx.Messages, Debug: trace.DebugInfo{Kind: trace.DebugLines, Path: "work.s", Data: trace.EncodeLines(p.Lines), Symbols: syms}})
	reg, err := rec.Registry(syscalls.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), reg, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	res, tr := rec.Run(vm.NewMachine(), exe, vm.RunOptions{Budget: 1 << 20, Context: ctx})
	return tr, res
}

func TestProfileTotalsAndCallSites(t *testing.T) {
	tr, res := record(t)
	p, err := FromTrace(tr)
	if err != nil {
		t.Fatal(err)
	}
	var cu, insns, sys int64
	bySysLine := map[int64]int64{}
	for _, s := range p.Sample {
		cu += s.Value[0]
		insns += s.Value[1]
		sys += s.Value[2]
		if s.Value[2] > 0 {
			bySysLine[s.Location[0].Line[0].Line] += s.Value[2]
			if len(s.Location) != 2 || s.Location[1].Line[0].Function.Name != "entrypoint" {
				t.Errorf("syscall sample's stack is not work <- entrypoint")
			}
		}
	}
	if uint64(cu) != res.CU || uint64(insns) != tr.Outcome.Insns {
		t.Fatalf("profile has %d CU / %d instructions, run %d / %d", cu, insns, res.CU, tr.Outcome.Insns)
	}
	var want int64
	for _, ev := range tr.Events {
		want += int64(ev.CU)
	}
	if sys != want || len(bySysLine) != 1 || bySysLine[15] != want {
		t.Fatalf("syscall CU %d by line %v, want %d on line 15 (the syscall)", sys, bySysLine, want)
	}
}

// TestGoToolPprofReadsIt runs go tool pprof -top on a written profile.
func TestGoToolPprofReadsIt(t *testing.T) {
	tr, _ := record(t)
	p, err := FromTrace(tr)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, p); err != nil {
		t.Fatal(err)
	}
	if _, err := profile.Parse(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cu.pb.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	out, err := exec.Command(goBin, "tool", "pprof", "-top", "-lines", path).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof: %v\n%s", err, out)
	}
	for _, want := range []string{"Type: cu", "function_work work.s:15", "entrypoint work.s:"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("pprof -top lacks %q:\n%s", want, out)
		}
	}
}
