package bench

import (
	"testing"
	"time"
)

// The module caller, the CPI caller and the call-free loop compute the
// same sum, and a module call costs fewer CU than the CPI.
func TestModulesAgainstCPI(t *testing.T) {
	row, err := MeasureModules(20, 1, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if row.ModuleCU == 0 || row.CPICU <= row.ModuleCU {
		t.Fatalf("module %d CU per call, CPI %d", row.ModuleCU, row.CPICU)
	}
	t.Logf("%+v", row)
}

// BenchmarkModuleCall: one transaction of 20 calls, as module calls, as
// CPIs, and the same loop without calls (the baseline), in the same run.
func BenchmarkModuleCall(b *testing.B) {
	mb, err := NewModuleBench(20)
	if err != nil {
		b.Fatal(err)
	}
	for _, how := range []string{"none", "module", "cpi"} {
		b.Run(how, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := mb.Run(how); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
