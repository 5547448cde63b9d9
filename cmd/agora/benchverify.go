package main

import (
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/verify/deep"
	"github.com/agora-vm/agora/verify/taint"
	"github.com/agora-vm/agora/vm"
)

// verifyFigure is one row of `agora bench verify`.
type verifyFigure struct {
	Name         string  `json:"name"`
	Instructions int     `json:"instructions"`
	StructuralMs float64 `json:"structural_ms"`
	DeepMs       float64 `json:"deep_ms"`
	AbsintMs     float64 `json:"absint_ms"`
	TaintMs      float64 `json:"taint_ms"`
	SymexMs      float64 `json:"symex_ms"`
	Queries      int     `json:"queries"`
	Solved       int     `json:"solved"`
	AllocMB      float64 `json:"alloc_mb"`
	Paths        int     `json:"paths"`
	Proven       int     `json:"proven"`
	Findings     int     `json:"findings"`
	Unknown      int     `json:"unknown"`
}

// genVerifyProgram builds a raw V0 program of about n instructions:
// blocks that load an input word, mask it to 10 bits, accumulate it and
// spill it, and every eighth block a branch on it that the solver must
// show one-sided (the masked word never exceeds 60000), so the paths do
// not multiply and the figures grow with the program's length.
func genVerifyProgram(n int) []byte {
	var text []byte
	emit := func(i sbpf.Instruction) { text = sbpf.AppendEncoded(text, i) }
	for k := 0; len(text)/sbpf.InsnSize+8 < n; k++ {
		emit(sbpf.Instruction{Op: sbpf.LdxDW, Dst: 2, Src: 1, Off: int16(8 * (k % 32))})
		emit(sbpf.Instruction{Op: sbpf.And64Imm, Dst: 2, Imm: 0x3ff})
		emit(sbpf.Instruction{Op: sbpf.Add64Reg, Dst: 3, Src: 2})
		emit(sbpf.Instruction{Op: sbpf.StxDW, Dst: 10, Src: 3, Off: int16(-8 * (k%32 + 1))})
		if k%8 == 7 {
			emit(sbpf.Instruction{Op: sbpf.Opcode(0x25), Dst: 2, Imm: 60000, Off: 1}) // jgt r2, 60000, +1
			emit(sbpf.Instruction{Op: sbpf.Add64Imm, Dst: 3, Imm: 1})
		}
	}
	emit(sbpf.Instruction{Op: sbpf.Mov64Reg, Dst: 0, Src: 3})
	emit(sbpf.Instruction{Op: sbpf.Exit})
	return text
}

func measureVerify(name string, p *vm.Program, reg *vm.Registry, timeout time.Duration) (verifyFigure, error) {
	f := verifyFigure{Name: name, Instructions: len(p.Text) / sbpf.InsnSize}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	if err := verify.Structural(p.Text, p.Version, reg); err != nil {
		return f, fmt.Errorf("%s: %w", name, err)
	}
	f.StructuralMs = float64(time.Since(t0).Microseconds()) / 1000
	sp, _ := taint.ParseSpec("input:0:8")
	opts := &deep.Options{Version: p.Version, Text: p.Text, Entry: p.Entry, Functions: p.Functions, ROData: p.ROData,
		RODataVAddr: p.RODataVAddr, HeapSize: vm.DefaultConfig().HeapSize, Syscalls: reg.Name, Timeout: timeout}
	opts.Private = []taint.Spec{sp}
	t1 := time.Now()
	rep, err := deep.Analyze(opts)
	if err != nil {
		return f, fmt.Errorf("%s: %w", name, err)
	}
	f.DeepMs = float64(time.Since(t1).Microseconds()) / 1000
	runtime.ReadMemStats(&after)
	f.AllocMB = float64(after.TotalAlloc-before.TotalAlloc) / (1 << 20)
	f.Paths, f.Proven, f.Findings, f.Unknown = rep.Stats.Paths, len(rep.Proven), len(rep.Findings), len(rep.Unknown)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	f.AbsintMs, f.TaintMs, f.SymexMs = ms(rep.Stats.Absint), ms(rep.Stats.Taint), ms(rep.Stats.Symex)
	f.Queries, f.Solved = rep.Stats.Queries, rep.Stats.Solved
	return f, nil
}

func newBenchVerifyCmd(s *streams) *cobra.Command {
	var asJSON bool
	var elfs []string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Time the deep verifier on generated programs of 1k, 10k and 100k instructions (and ELFs)",
		Long: `Run the structural verifier and the deep analyses (abstract interpretation,
symbolic execution for overflow, taint with one private input word) on
generated raw programs of about 1,000, 10,000 and 100,000 instructions,
and on every --elf given (for example the C examples in testdata/c).
Reports wall time, memory allocated, and the verdict counts; the symbolic
execution is bounded by --timeout per program, so a large program's
"unknown" count says where the bound was reached.

deep_ms is the three analyses together; absint_ms, taint_ms and symex_ms
split it; queries counts the symbolic execution's satisfiability checks
and solved those that needed the SAT solver.

--json prints {"benchmarks":[{"name","instructions","structural_ms","deep_ms","absint_ms","taint_ms","symex_ms","queries","solved","alloc_mb","paths","proven","findings","unknown"},...]}.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := newRegistry()
			if err != nil {
				return err
			}
			var figs []verifyFigure
			for _, n := range []int{1000, 10000, 100000} {
				text := genVerifyProgram(n)
				name := fmt.Sprintf("generated-%dk", n/1000)
				if !asJSON {
					fmt.Fprintf(s.err, "measuring %s...\n", name)
				}
				f, err := measureVerify(name, vm.NewRawProgram(sbpf.V0, text, nil, 0), reg, timeout)
				if err != nil {
					return &exitError{code: exitBadCall, err: err}
				}
				figs = append(figs, f)
			}
			for _, path := range elfs {
				data, err := os.ReadFile(path)
				if err != nil {
					return usageErr("--elf: %v", err)
				}
				opts := elf.DefaultOptions()
				img, err := elf.LoadImage(data, reg, &opts)
				if err != nil {
					return &exitError{code: exitBadCall, err: fmt.Errorf("%s: %w", path, err)}
				}
				f, err := measureVerify(path, img.Program, reg, timeout)
				if err != nil {
					return &exitError{code: exitBadCall, err: err}
				}
				figs = append(figs, f)
			}
			if asJSON {
				return writeJSON(s, map[string]any{"benchmarks": figs})
			}
			fmt.Fprintf(s.out, "%-28s %8s %12s %10s %10s %10s %10s %9s %6s %6s %8s %8s\n", "program", "insns", "structural", "deep", "absint", "taint", "symex", "alloc", "paths", "proven", "findings", "unknown")
			for _, f := range figs {
				fmt.Fprintf(s.out, "%-28s %8d %10.2fms %8.0fms %8.0fms %8.0fms %8.0fms %7.1fMB %6d %6d %8d %8d\n", f.Name, f.Instructions, f.StructuralMs, f.DeepMs, f.AbsintMs, f.TaintMs, f.SymexMs, f.AllocMB, f.Paths, f.Proven, f.Findings, f.Unknown)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringArrayVar(&elfs, "elf", nil, "also measure this ELF `FILE` (repeatable)")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "time limit of the deep analyses per program")
	return cmd
}
