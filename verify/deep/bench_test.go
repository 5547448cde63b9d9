package deep_test

import (
	"os"
	"testing"
	"time"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/verify/absint"
	"github.com/agora-vm/agora/verify/deep"
	"github.com/agora-vm/agora/vm"
)

// BenchmarkTransfer times the analyses of the C transfer example over its
// accounts, with the structural verifier (what every load already runs)
// as the baseline of the same run.
func BenchmarkTransfer(b *testing.B) {
	reg := registry(b)
	data, err := os.ReadFile("../../testdata/c/transfer.so")
	if err != nil {
		b.Fatal(err)
	}
	opts := elf.DefaultOptions()
	img, err := elf.LoadImage(data, reg, &opts)
	if err != nil {
		b.Fatal(err)
	}
	p := img.Program
	doc, err := os.ReadFile("../../examples/c/transfer.json")
	if err != nil {
		b.Fatal(err)
	}
	inputs, err := abi.ParseAccountsJSON(doc)
	if err != nil {
		b.Fatal(err)
	}
	pid, _ := abi.ParseKey(abi.DefaultProgramID)
	o := func() *deep.Options {
		return &deep.Options{Version: p.Version, Text: p.Text, Entry: p.Entry, Functions: p.Functions, ROData: p.ROData,
			RODataVAddr: p.RODataVAddr, HeapSize: vm.DefaultConfig().HeapSize, Syscalls: reg.Name, Timeout: time.Minute,
			Accounts: &deep.Accounts{Inputs: inputs, ProgramID: pid, DataLen: 8}}
	}
	b.Run("structural-baseline", func(b *testing.B) {
		for b.Loop() {
			if err := verify.Structural(p.Text, p.Version, reg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("absint", func(b *testing.B) {
		for b.Loop() {
			if _, err := absint.Analyze(&absint.Program{Version: p.Version, Text: p.Text, Entry: p.Entry, Functions: p.Functions, Syscalls: reg.Name},
				&absint.Layout{InputLen: -1, HeapSize: 32 << 10, ROData: p.ROData, RODataVAddr: p.RODataVAddr}, absint.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("deep", func(b *testing.B) {
		for b.Loop() {
			if _, err := deep.Analyze(o()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
