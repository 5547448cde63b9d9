package ovsm

import (
	_ "embed"

	"github.com/agora-vm/agora/ovsm/parse"
)

// runtimeSource is the runtime library (runtime.ovsm), compiled into
// every program from source by the same compiler.
//
//go:embed runtime.ovsm
var runtimeSource []byte

// RuntimeSource returns the source of the runtime library, which debug
// information refers to as "<ovsm runtime>".
func RuntimeSource() []byte { return append([]byte(nil), runtimeSource...) }

// loadRuntime parses the runtime library and adds its functions.
func (c *compiler) loadRuntime() error {
	c.runtimeSrc = runtimeSource
	forms, err := parse.Parse(runtimeSource, runtimeFileName)
	if err != nil {
		return Diagnostics{{Kind: InternalError, File: runtimeFileName, Message: "runtime library: " + err.Error()}}
	}
	c.collect(forms, 1)
	return nil
}
