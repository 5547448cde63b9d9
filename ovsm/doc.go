// Package ovsm compiles OVSM, the Lisp dialect agents are written in, to
// sBPF programs: ELF shared objects that Agora (and, when they use no
// extension syscall, any Solana runtime) loads and runs. The language is
// described in docs/ovsm.md.
//
// Compile turns source into an Output: the ELF bytes, the loaded
// vm.Program, a line table mapping every instruction to its source
// (DebugInfo, kept beside the ELF as prog.so.dbg.json) and the syscalls the
// program calls. Check reports diagnostics only. Errors in the source are
// Diagnostics, each with a kind, a file:line:col position and the source
// line with a caret; the compiler never panics on any input (a fuzz test
// keeps it so; a bug surfaces as an InternalError diagnostic).
// EncodeData turns JSON into the data encoding that
// (get instruction-data "field") reads.
//
// The pipeline, in this package's files:
//
//	parse      ovsm/parse: text to syntax trees
//	compile.go program structure, rounds, instances (specialisations)
//	expr.go …  forms and built-ins to IR, with static types, checked
//	           arithmetic, constant folding and range-based check removal
//	opt.go     IR clean-up: constant propagation, dead code, jumps
//	regalloc.go graph-colouring register allocation
//	emit.go    IR to sBPF slots
//	debuginfo.go layout, ELF writing, the line table
//	runtime.ovsm the runtime library, in OVSM, compiled with the program
//	ext.go     the syscall table (standard and extension syscalls)
//
// Every function is specialised per argument types, so integers stay raw
// machine words in registers and only values of statically unknown type
// are boxed on the heap. Functions are compiled again, in rounds, until
// the result types of recursive functions settle.
//
// The package never runs programs (see vm), never touches accounts or
// the bank, and keeps no global mutable state: a compilation is a pure
// function of its source and Options.
package ovsm
