package bench

import (
	"testing"
	"time"

	"github.com/agora-vm/agora/vm"
)

// BenchmarkVM times each workload on the interpreter and reports, next to
// it, the native Go baseline measured in the same process.
func BenchmarkVM(b *testing.B) {
	for _, w := range Workloads() {
		b.Run(w.Name, func(b *testing.B) {
			p, err := Prepare(w)
			if err != nil {
				b.Fatal(err)
			}
			m := vm.NewMachine()
			vmInput, nativeInput := p.Input(), p.Input()
			for b.Loop() {
				p.RunOnce(m, vmInput)
			}
			vmNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(p.Insns)
			nativeNs := timePerOp(200*time.Millisecond, func() { sink = p.Native(nativeInput) }) / float64(p.Insns)
			b.ReportMetric(vmNs, "ns/insn")
			b.ReportMetric(nativeNs, "native-ns/insn")
			b.ReportMetric(vmNs/nativeNs, "x-native")
		})
	}
}

func TestWorkloadsAgreeWithNative(t *testing.T) {
	for _, w := range Workloads() {
		p, err := Prepare(w)
		if err != nil {
			t.Fatal(err)
		}
		if p.Insns == 0 {
			t.Fatalf("%s executed no instructions", w.Name)
		}
	}
}
