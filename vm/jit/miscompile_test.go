//go:build jitmiscompile

package jit

import (
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// Run with: go test -tags jitmiscompile -run Miscompile ./vm/jit (the
// other tests expect a correct compiler).

// TestVerifiedQuarantinesAMiscompile: built with -tags jitmiscompile the
// compiler gets add64 imm wrong; the verified tier must catch it on a
// sampled run, return the interpreter's result, quarantine the program and
// report both results.
func TestVerifiedQuarantinesAMiscompile(t *testing.T) {
	if !wantCompiled() {
		t.Skip("no machine code on this host")
	}
	text := assemble(I{Op: sbpf.Mov64Imm, Dst: 0, Imm: 40}, I{Op: sbpf.Add64Imm, Dst: 0, Imm: 2}, I{Op: sbpf.Exit})
	var seen []Divergence
	v := &Verified{Compiler: quiet, SampleEvery: 2, OnDivergence: func(d Divergence) { seen = append(seen, d) }}
	r, err := v.Prepare(vm.NewRawProgram(sbpf.V0, text, nil, 0), nil, vm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	res := r.Run(nil, vm.RunOptions{Budget: 10}) // run 0 is sampled
	if res.R0 != 42 || len(seen) != 1 || seen[0].JIT.R0 != 43 || seen[0].Interp.R0 != 42 {
		t.Fatalf("r0=%d, divergences %+v", res.R0, seen)
	}
	if !r.(*verifiedRunnable).Quarantined() {
		t.Fatal("the program was not quarantined")
	}
	if res := r.Run(nil, vm.RunOptions{Budget: 10}); res.R0 != 42 {
		t.Fatalf("after quarantine r0=%d", res.R0)
	}
	// Without the tier, the miscompile shows: the injection is real.
	j, _ := quiet.PrepareJIT(vm.NewRawProgram(sbpf.V0, text, nil, 0), nil, vm.Config{})
	if res := j.Run(nil, vm.RunOptions{Budget: 10}); res.R0 != 43 {
		t.Fatalf("the injected miscompile did not take effect: r0=%d", res.R0)
	}
}
