// Package verify holds the static checks that decide whether an sBPF
// program may be loaded.
//
// Its base layer, [Structural], is the reference implementation's verifier
// (anza-xyz/sbpf, src/verifier.rs) reproduced check for check: the
// RequisiteVerifier that Agave runs before deploying a program, followed by
// the LocalVerifier's static-syscall checks for V3 and later. It rejects
// exactly the programs the reference rejects, with the same first error
// kind and instruction index, so that a program admitted here is admitted
// there and vice versa.
//
// The deeper analyses of the design (control-flow graph, abstract
// interpretation, symbolic execution, taint) are meant to build on this
// layer, in this package, and never to change what it admits.
//
// The first of them is [TxPairing]: over the control-flow graph, with
// function summaries, it proves that a program pairs the transactional
// memory syscalls of ext/txmem on every path, or reports each violation
// at its instruction (and source line), or says why it cannot prove it.
//
// The package only reads program text. It never executes a program, never
// calls a syscall and never modifies the bytes it is given; it depends on
// package sbpf alone for the meaning of opcodes.
package verify
