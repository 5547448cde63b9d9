// Package absint is the abstract interpreter of the deep verifier: over
// the control-flow graph of an sBPF program it computes, for every
// register at every instruction, a reduced product of unsigned and signed
// intervals and a tristate number (as the Linux verifier does), with
// pointer provenance per memory region (the current stack frame, the
// heap, the input region, read-only data). From those it decides for each
// load, store and memory-touching syscall whether it is proven in bounds
// or may fault, and why, with the path that reaches it.
//
// It is sound, not complete: "proven" means every execution stays in the
// mapped region; anything it cannot decide is "may fault" with a reason,
// never proven. Loops converge by widening. It never runs a program and
// depends only on package sbpf.
package absint
