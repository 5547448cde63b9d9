// Package jit is a compiling vm.Engine for amd64: it translates a program
// into x86-64 machine code, in pure Go, and runs it with exactly the
// interpreter's observable behaviour — r0, error kind and pc, compute
// units, memory, logs and return data.
//
// Generated code keeps the sBPF registers and the meter in host registers
// and executes ALU operations, jumps, 64-bit immediates, in-bounds loads
// and stores, and calls and returns inline. Compute units are charged per
// basic block at the block's entry (every jump target, and so every back
// edge, is a block entry). Anything else — a load or store outside the
// inline fast path, a syscall, a callx, a division, a fault — leaves the
// machine code with the instruction's pc; the engine gives back the compute units the block had
// charged for that instruction and the ones after it, has the interpreter
// execute that one instruction on the same vm.Machine (so syscalls, write
// watchers and faults behave exactly as they do there), and re-enters the
// machine code at the next instruction. When a block's instructions cannot
// all be paid for, the interpreter finishes the run, which makes the
// meter exact at every instruction.
//
// Machine code is mapped write-then-execute: the page is never writable
// and executable at once. On other architectures, and for programs the
// compiler refuses, the engine falls back to the interpreter and says why.
//
// This package never runs a program with a hook (that run goes to the
// interpreter), never changes the interpreter's semantics, and never
// executes a program that its caller did not prepare through Prepare.
package jit
