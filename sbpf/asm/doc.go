// Package asm assembles and disassembles sBPF in the text syntax of the
// reference assembler (anza-xyz/sbpf): `mov64 r0, 1`, `ldxdw r2, [r1+8]`,
// `jeq r1, 0, done`, `call function_foo`, `syscall sol_log_`, labels
// `name:`, the `.fill n, value` directive, and `.rodata` data with `.byte`.
//
// Assemble encodes exactly what the reference assembler encodes, quirks
// included, and fills in the same function registry. Disassemble prints
// text that Assemble turns back into the same bytes, for any byte string:
// slots that have no instruction form in the chosen version come out as
// `.fill 1, 0x…` raw slots. See docs/asm.md for the syntax.
//
// The package only translates between text and slots. It never verifies
// or runs programs; that belongs to verify and vm.
package asm
