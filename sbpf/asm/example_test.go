package asm_test

import (
	"fmt"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/vm"
)

// Assemble a program, verify it, and run it on the interpreter with
// Solana's standard syscalls: it sums 1..10, logs the sum with sol_log_64_
// and returns it. It costs one unit for each of the 36 instructions it
// executes, plus sol_log_64_'s price of 100.
func Example() {
	const src = `
entrypoint:
    mov64 r6, 0
    mov64 r7, 10
loop:
    add64 r6, r7
    sub64 r7, 1
    jne r7, 0, loop
    mov64 r1, r6
    syscall sol_log_64_
    mov64 r0, r6
    exit
`
	p, err := asm.Assemble(src, sbpf.V0, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	reg := syscalls.NewRegistry()
	if err := verify.Structural(p.Text, p.Version, reg); err != nil {
		fmt.Println(err)
		return
	}
	prog := vm.NewRawProgram(p.Version, p.Text, p.Functions, p.Entry)
	var engine vm.Engine = vm.Interpreter{}
	exe, err := engine.Prepare(prog, reg, vm.DefaultConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := syscalls.NewContext([32]byte{})
	res := exe.Run(vm.NewMachine(), vm.RunOptions{Budget: 1000, Context: ctx})
	fmt.Println("r0:", res.R0, "err:", res.Err)
	fmt.Println("compute units:", res.CU)
	fmt.Println("log:", ctx.Messages())
	// Output:
	// r0: 55 err: <nil>
	// compute units: 136
	// log: [Program log: 0x37, 0x0, 0x0, 0x0, 0x0]
}
