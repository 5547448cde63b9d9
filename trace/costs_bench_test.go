package trace

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"github.com/agora-vm/agora/bench"
	"github.com/agora-vm/agora/internal/testutil"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// BenchmarkWorkloads splits agora bench trace's figures into their parts,
// for each of its workloads: the untraced run (the baseline, with the
// same input construction), the run under the recorder, encoding its
// trace, and a replay. The SPL Token transfer joins when AGORA_SPL_TOKEN
// is set.
func BenchmarkWorkloads(b *testing.B) {
	type wl struct {
		name  string
		prog  *vm.Program
		reg   *vm.Registry
		input []byte
	}
	var wls []wl
	for _, w := range bench.Workloads() {
		p, err := bench.Prepare(w)
		if err != nil {
			b.Fatal(err)
		}
		wls = append(wls, wl{w.Name, p.Exe.Program(), p.Exe.Registry(), w.Input()})
	}
	if os.Getenv(testutil.SPLTokenEnv) != "" {
		run, err := bench.SPLTokenTransfer(testutil.SPLToken(b))
		if err != nil {
			b.Fatal(err)
		}
		wls = append(wls, wl{"spl-token-transfer", run.Program, run.Registry, run.Input})
	}
	for _, w := range wls {
		exe, err := vm.Interpreter{}.Prepare(w.prog, w.reg, vm.DefaultConfig())
		if err != nil {
			b.Fatal(err)
		}
		rec := NewRecorder(Options{})
		wrapped, err := rec.Registry(w.reg)
		if err != nil {
			b.Fatal(err)
		}
		recExe, err := vm.Interpreter{}.Prepare(w.prog, wrapped, vm.DefaultConfig())
		if err != nil {
			b.Fatal(err)
		}
		m := vm.NewMachine()
		in := slices.Clone(w.input)
		var tr *Trace
		recordRun := func() {
			copy(in, w.input)
			ctx := syscalls.NewContext([32]byte{})
			_, tr = rec.RunShared(m, recExe, vm.RunOptions{Input: in, Budget: 1 << 40, Context: ctx}, w.input)
		}
		b.Run(w.name+"/untraced", func(b *testing.B) {
			for b.Loop() {
				copy(in, w.input)
				exe.Run(m, vm.RunOptions{Input: in, Budget: 1 << 40, Context: syscalls.NewContext([32]byte{})})
			}
		})
		b.Run(w.name+"/record-run", func(b *testing.B) {
			for b.Loop() {
				recordRun()
				rec.Release(tr)
			}
		})
		enc, err := NewEncoder()
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		b.Run(w.name+"/record-copy-run", func(b *testing.B) {
			for b.Loop() {
				copy(in, w.input)
				ctx := syscalls.NewContext([32]byte{})
				_, tr = rec.Run(m, recExe, vm.RunOptions{Input: in, Budget: 1 << 40, Context: ctx})
				rec.Release(tr)
			}
		})
		b.Run(w.name+"/encode", func(b *testing.B) {
			recordRun()
			for b.Loop() {
				buf.Reset()
				if err := enc.Encode(&buf, tr); err != nil {
					b.Fatal(err)
				}
			}
		})
		recordRun()
		buf.Reset()
		if err := enc.Encode(&buf, tr); err != nil {
			b.Fatal(err)
		}
		enc.Close()
		dec, err := Decode(buf.Bytes())
		if err != nil {
			b.Fatal(err)
		}
		b.Run(w.name+"/replay", func(b *testing.B) {
			rp, err := NewReplayer(dec)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if rep := rp.ReplayAll(); rep.Divergence != nil {
					b.Fatal(rep.Divergence)
				}
			}
		})
	}
}
