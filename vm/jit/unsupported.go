//go:build !(amd64 && linux)

package jit

import "github.com/agora-vm/agora/vm"

type compiled struct{ size int }

func compile(*vm.Executable, compileOptions) (*compiled, error) { return nil, ErrUnsupported }

func (c *compiled) run(exe *vm.Executable, m *vm.Machine, opts vm.RunOptions) vm.Result {
	return exe.Run(m, opts)
}
