package jit

import (
	"bytes"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

func assemble(insns ...sbpf.Instruction) []byte {
	var b []byte
	for _, i := range insns {
		b = sbpf.AppendEncoded(b, i)
	}
	return b
}

func TestCompilesOnAmd64(t *testing.T) {
	// r0 = sum of 0..999, with a back edge.
	text := assemble(
		sbpf.Instruction{Op: sbpf.Mov64Imm, Dst: 0, Imm: 0},
		sbpf.Instruction{Op: sbpf.Mov64Imm, Dst: 1, Imm: 0},
		sbpf.Instruction{Op: sbpf.Add64Reg, Dst: 0, Src: 1},
		sbpf.Instruction{Op: sbpf.Add64Imm, Dst: 1, Imm: 1},
		sbpf.Instruction{Op: sbpf.JltImm, Dst: 1, Off: -3, Imm: 1000},
		sbpf.Instruction{Op: sbpf.Exit},
	)
	r, err := quiet.PrepareJIT(vm.NewRawProgram(sbpf.V0, text, nil, 0), nil, vm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if want := runtime.GOARCH == "amd64" && runtime.GOOS == "linux"; r.Compiled() != want {
		t.Fatalf("compiled = %v (fallback %v), want %v", r.Compiled(), r.Fallback(), want)
	}
	res := r.Run(nil, vm.RunOptions{Budget: 10_000})
	if res.Err != nil || res.R0 != 499500 || res.CU != 2+3*1000+1 {
		t.Fatalf("r0=%d cu=%d err=%v", res.R0, res.CU, res.Err)
	}
	// Every budget from 0 to the whole run gives the interpreter's answer.
	p := newPair()
	for b := uint64(0); b < 3010; b += 7 {
		p.check(t, vm.NewRawProgram(sbpf.V0, text, nil, 0), vm.Config{}, nil, b)
	}
}

func wantCompiled() bool { return runtime.GOARCH == "amd64" && runtime.GOOS == "linux" }

// BenchmarkCompile reports compile time and code size per 1,000
// instructions of a random program, next to the interpreter's predecoding
// of the same program as the baseline.
func BenchmarkCompile(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	prog := randomProgram(rng, sbpf.V0, 10_000)
	n := float64(len(prog.Text) / sbpf.InsnSize)
	b.Run("interp", func(b *testing.B) {
		for b.Loop() {
			if _, err := (vm.Interpreter{}).Prepare(prog, nil, vm.Config{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)*1000/n, "µs/1k-insns")
	})
	b.Run("jit", func(b *testing.B) {
		var size int
		for b.Loop() {
			r, err := quiet.PrepareJIT(prog, nil, vm.Config{})
			if err != nil {
				b.Fatal(err)
			}
			size = r.CodeSize()
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)*1000/n, "µs/1k-insns")
		b.ReportMetric(float64(size)*1000/n, "code-bytes/1k-insns")
	})
}

// TestVerifiedCorrectCodeNeverDiverges: a correct compiler never diverges,
// and sampled runs return the same results as unsampled ones.
func TestVerifiedCorrectCodeNeverDiverges(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	diverged := 0
	v := &Verified{Compiler: quiet, SampleEvery: 2, OnDivergence: func(Divergence) { diverged++ }}
	reg := testRegistry()
	for i := range 200 {
		prog := randomProgram(rng, sbpf.Version(i%5), 30)
		r, err := v.Prepare(prog, reg, vm.Config{HeapSize: 64})
		if err != nil {
			t.Fatal(err)
		}
		ie, _ := vm.Interpreter{}.Prepare(prog, reg, vm.Config{HeapSize: 64})
		for range 2 {
			in := randomInput(rng)
			in2 := bytes.Clone(in)
			got, want := r.Run(nil, vm.RunOptions{Input: in, Budget: 500}), ie.Run(nil, vm.RunOptions{Input: in2, Budget: 500})
			if !sameResult(got, want) || !bytes.Equal(in, in2) {
				t.Fatalf("verified %v, interpreter %v", got, want)
			}
		}
	}
	if diverged != 0 {
		t.Fatalf("%d divergences without a miscompile", diverged)
	}
}
