package trace

import (
	"testing"
	"time"

	"github.com/agora-vm/agora/bench"
	"github.com/agora-vm/agora/internal/testutil"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

func TestMeasure(t *testing.T) {
	p, err := asm.Assemble(loopSrc, sbpf.V0, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Measure("loop", vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), syscalls.NewRegistry(), make([]byte, 8), 1<<20, 1, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if c.Instructions < 15000 || c.RecordNs <= 0 || c.ReplayNs <= 0 || c.DeltaBytesPer1M <= 0 || c.TraceBytes <= 0 {
		t.Fatalf("%+v", c)
	}
}

// BenchmarkRecord compares an untraced run (the baseline), a recorded run
// and a replay of the same loop.
func BenchmarkRecord(b *testing.B) {
	p, err := asm.Assemble(loopSrc, sbpf.V0, nil)
	if err != nil {
		b.Fatal(err)
	}
	prog := vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry)
	exe, err := vm.Interpreter{}.Prepare(prog, syscalls.NewRegistry(), vm.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	in := make([]byte, 8)
	b.Run("untraced", func(b *testing.B) {
		m := vm.NewMachine()
		for b.Loop() {
			exe.Run(m, vm.RunOptions{Input: in, Budget: 1 << 20})
		}
	})
	b.Run("record", func(b *testing.B) {
		rec := NewRecorder(Options{})
		reg, _ := rec.Registry(syscalls.NewRegistry())
		rexe, _ := vm.Interpreter{}.Prepare(prog, reg, vm.DefaultConfig())
		m := vm.NewMachine()
		for b.Loop() {
			rec.Run(m, rexe, vm.RunOptions{Input: in, Budget: 1 << 20})
		}
	})
	b.Run("replay", func(b *testing.B) {
		_, tr := record(b, loopSrc, in, 1<<20, 0)
		rp, _ := NewReplayer(tr)
		for b.Loop() {
			rp.ReplayAll()
		}
	})
}

// BenchmarkSPLTokenTransfer times recording and replaying one SPL Token
// Transfer against the untraced run, for profiling the recorder's fixed
// per-run costs (a transfer is a few dozen instructions over an input of
// about 20 KiB). AGORA_SPL_TOKEN names the program's ELF.
func BenchmarkSPLTokenTransfer(b *testing.B) {
	elfBytes := testutil.SPLToken(b)
	run, err := bench.SPLTokenTransfer(elfBytes)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("measure", func(b *testing.B) {
		for b.Loop() {
			c, err := Measure("spl-token-transfer", run.Program, run.Registry, run.Input, 1<<40, 1, 100*time.Millisecond)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(c.RecordRatio, "record-x")
			b.ReportMetric(c.ReplayRatio, "replay-x")
		}
	})
}
