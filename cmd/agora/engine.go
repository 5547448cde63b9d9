package main

import (
	"io"
	"log/slog"

	"github.com/agora-vm/agora/vm"
	"github.com/agora-vm/agora/vm/jit"
)

// engineNames are the values of --engine.
const engineNames = "interp, jit, auto or verified"

// newEngine returns the engine --engine names. A program the compiler
// refuses runs on the interpreter, and the reason is logged to logw.
func newEngine(name string, logw io.Writer) (vm.Engine, error) {
	compiler := jit.Engine{Logger: slog.New(slog.NewTextHandler(logw, nil))}
	switch name {
	case "interp":
		return vm.Interpreter{}, nil
	case "jit":
		return compiler, nil
	case "auto":
		return jit.NewTiered(compiler), nil
	case "verified":
		return nil, usageErr("--engine verified: not yet available (the sampled re-execution tier is not implemented); use interp, jit or auto")
	}
	return nil, usageErr("--engine: %q is not one of %s", name, engineNames)
}
