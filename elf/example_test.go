package elf_test

import (
	"errors"
	"fmt"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// Load an sBPF ELF shared object and run it. The file is built here, from
// assembly, with elf.Write (as `agora asm -o prog.so` does); a program
// compiled by a Solana toolchain loads the same way. Its syscall is a
// relocation that the loader resolves against the registry; a damaged
// file fails with an *elf.Error saying what is wrong.
func Example() {
	p, err := asm.Assemble(`
entrypoint:
    mov64 r1, 42
    syscall sol_log_64_
    mov64 r0, 7
    exit
`, sbpf.V0, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	reg := syscalls.NewRegistry()
	file, err := elf.Write(&elf.Object{
		Version:     p.Version,
		Text:        p.Text,
		Entry:       p.Entry,
		Functions:   map[string]int{"entrypoint": p.Entry},
		CallTargets: p.Functions,
		SyscallName: reg.Name,
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	img, err := elf.LoadImage(file, reg, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	prog := img.Program
	fmt.Println("version:", prog.Version, "instructions:", len(prog.Text)/sbpf.InsnSize)
	exe, err := vm.Interpreter{}.Prepare(prog, reg, vm.DefaultConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := syscalls.NewContext([32]byte{})
	res := exe.Run(vm.NewMachine(), vm.RunOptions{Budget: 1000, Context: ctx})
	fmt.Println("r0:", res.R0, "log:", ctx.Messages())

	_, err = elf.Load(file[:40], reg, nil)
	var lerr *elf.Error
	fmt.Println("truncated:", errors.As(err, &lerr), err)
	// Output:
	// version: v0 instructions: 4
	// r0: 7 log: [Program log: 0x2a, 0x0, 0x0, 0x0, 0x0]
	// truncated: true elf: Offset or value is out of bounds (file of 40 bytes ends before e_flags)
}
