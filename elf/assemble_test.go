package elf_test

import (
	"testing"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// TestAssemble: the ELF Assemble writes loads and runs, with a syscall
// named through the registry and without one; bad assembly is an error.
func TestAssemble(t *testing.T) {
	reg := syscalls.NewRegistry()
	for _, c := range []struct {
		src   string
		names func(uint32) (string, bool)
		r0    uint64
	}{
		{"mov64 r0, 5\nadd64 r0, 2\nexit\n", nil, 7},
		{"mov64 r1, 1\nsyscall sol_log_64_\nmov64 r0, 9\nexit\n", reg.Name, 9},
	} {
		b, err := elf.Assemble(c.src, sbpf.V0, nil, c.names)
		if err != nil {
			t.Fatal(err)
		}
		p, err := elf.Load(b, reg, nil)
		if err != nil {
			t.Fatal(err)
		}
		exe, err := vm.Interpreter{}.Prepare(p, reg, vm.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		res := exe.Run(vm.NewMachine(), vm.RunOptions{Budget: 1000, Context: syscalls.NewContext([32]byte{})})
		if res.Err != nil || res.R0 != c.r0 {
			t.Fatalf("%q: r0 %d, %v", c.src, res.R0, res.Err)
		}
	}
	if _, err := elf.Assemble("bogus r9\n", sbpf.V0, nil, nil); err == nil {
		t.Fatal("bad assembly assembled")
	}
}
