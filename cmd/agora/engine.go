package main

import (
	"fmt"
	"io"
	"log/slog"
	"math"

	"github.com/agora-vm/agora/vm"
	"github.com/agora-vm/agora/vm/jit"
)

// engineNames are the values of --engine.
const engineNames = "interp, jit, auto or verified"

// verifyOpts configure the verified engine where a command offers it.
type verifyOpts struct {
	sample float64    // fraction of runs re-executed on the interpreter
	fresh  func() any // a context equal to a run's pre-state context
}

// newEngine returns the engine --engine names. A program the compiler
// refuses runs on the interpreter, and the reason is logged to logw; so
// is every divergence the verified engine finds. v is nil where the
// command has no pre-state to re-execute from.
func newEngine(name string, logw io.Writer, v *verifyOpts) (vm.Engine, error) {
	compiler := jit.Engine{Logger: slog.New(slog.NewTextHandler(logw, nil))}
	switch name {
	case "interp", "":
		// Tools that build run flags of their own (agora debug records
		// on the interpreter) leave the engine unset.
		return vm.Interpreter{}, nil
	case "jit":
		return compiler, nil
	case "auto":
		return jit.NewTiered(compiler), nil
	case "verified":
		if v == nil {
			return nil, usageErr("--engine verified: only agora run in raw mode (without --accounts) and the agora chain commands offer it; use interp, jit or auto")
		}
		if err := checkSample(v.sample); err != nil {
			return nil, err
		}
		log := compiler.Logger
		return &jit.Verified{
			Compiler:     compiler,
			SampleEvery:  max(1, int(math.Round(1/v.sample))),
			CloneContext: func(any) any { return v.fresh() },
			OnDivergence: func(d jit.Divergence) {
				log.Warn("jit: divergence; the program is quarantined to the interpreter",
					"jit", describeResult(d.JIT), "interp", describeResult(d.Interp), "memory_differs", d.MemoryDiffers)
			},
		}, nil
	}
	return nil, usageErr("--engine: %q is not one of %s", name, engineNames)
}

// checkSample refuses a --verify-sample outside (0, 1].
func checkSample(sample float64) error {
	if !(sample > 0 && sample <= 1) {
		return usageErr("--verify-sample: %v is outside (0, 1]", sample)
	}
	return nil
}

func describeResult(r vm.Result) string {
	if r.Err != nil {
		return fmt.Sprintf("error %v, cu %d", r.Err, r.CU)
	}
	return fmt.Sprintf("r0 %#x, cu %d", r.R0, r.CU)
}
