package ext_test

import (
	"fmt"

	"github.com/agora-vm/agora/ext"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// Register Agora's extension families next to Solana's standard syscalls,
// and run a program that uses one: transactional memory. The program
// writes to its input inside a transaction and aborts it, so the write is
// undone; a misuse (a commit with no transaction open) faults with the
// family's typed error, whose kind vm.ErrorKindOf reports.
func Example() {
	reg := syscalls.NewRegistry()
	if err := ext.Register(reg); err != nil {
		fmt.Println(err)
		return
	}
	// ext.Aliases lets the assembler spell `syscall agora_tx_begin` as
	// `tx_begin`, and so on for every family.
	opts := &asm.Options{Aliases: ext.Aliases()}
	run := func(src string) (vm.Result, []byte) {
		input := []byte{1, 2, 3, 4}
		p, err := asm.Assemble(src, sbpf.V0, opts)
		if err != nil {
			return vm.Result{Err: err}, input
		}
		exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(p.Version, p.Text, p.Functions, p.Entry), reg, vm.DefaultConfig())
		if err != nil {
			return vm.Result{Err: err}, input
		}
		return exe.Run(vm.NewMachine(), vm.RunOptions{Input: input, Budget: 10_000}), input
	}

	res, input := run(`
    mov64 r6, r1
    tx_begin
    stb [r6+0], 99
    tx_abort
    ldxb r0, [r6+0]
    exit
`)
	fmt.Println("r0:", res.R0, "err:", res.Err, "input:", input)

	res, _ = run(`
    tx_commit
    exit
`)
	fmt.Println("kind:", vm.ErrorKindOf(res.Err))
	// Output:
	// r0: 1 err: <nil> input: [1 2 3 4]
	// kind: NoActiveTransaction
}
