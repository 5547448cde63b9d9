package bench

import (
	"testing"
	"time"

	"github.com/agora-vm/agora/internal/timing"
	"github.com/agora-vm/agora/vm"
	"github.com/agora-vm/agora/vm/jit"
)

// BenchmarkVM times each workload on the interpreter and reports, next to
// it, the native Go baseline measured in the same process.
func BenchmarkVM(b *testing.B) { benchmarkEngine(b, vm.Interpreter{}) }

// BenchmarkJIT is BenchmarkVM on the compiler (vm/jit).
func BenchmarkJIT(b *testing.B) { benchmarkEngine(b, jit.Engine{}) }

func benchmarkEngine(b *testing.B, engine vm.Engine) {
	for _, w := range Workloads() {
		b.Run(w.Name, func(b *testing.B) {
			p, err := PrepareOn(w, engine)
			if err != nil {
				b.Fatal(err)
			}
			m := vm.NewMachine()
			vmInput, nativeInput := p.Input(), p.Input()
			for b.Loop() {
				p.RunOnce(m, vmInput)
			}
			vmNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(p.Insns)
			nativeNs := timing.PerOp(200*time.Millisecond, func() { sink = p.Native(nativeInput) }) / float64(p.Insns)
			b.ReportMetric(vmNs, "ns/insn")
			b.ReportMetric(nativeNs, "native-ns/insn")
			b.ReportMetric(vmNs/nativeNs, "x-native")
		})
	}
}

func TestWorkloadsAgreeWithNative(t *testing.T) {
	for _, w := range Workloads() {
		p, err := PrepareOn(w, jit.Engine{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Insns == 0 {
			t.Fatalf("%s executed no instructions", w.Name)
		}
	}
}
