// Package elf loads sBPF programs from ELF shared objects and writes them.
//
// Load turns the bytes of a .so into a vm.Program exactly as the reference
// implementation (anza-xyz/sbpf, Executable::load) does, so that a program
// gets the same text, read-only data, entry point and function registry,
// and a malformed file the same error kind:
//
//   - V0-V2 files go through the lenient parser: section headers, one
//     .text, the read-only sections (.text, .rodata, .data.rel.ro,
//     .eh_frame) merged into one region in the bytecode region, writable
//     .data and .bss rejected, and the dynamic relocations R_BPF_64_64,
//     R_BPF_64_RELATIVE and R_BPF_64_32 applied (syscalls by the murmur3
//     hash of their name, internal calls by the hash of their target pc).
//   - V3+ files go through the strict parser: fixed file and program
//     headers, rodata mapped at 0, text at the bytecode region, no
//     relocations (syscalls are static).
//
// The parser is written here rather than taken from debug/elf: every
// offset, size and count is checked for overflow, truncation, overlap and
// alignment before use, work is linear in the file size, and the input is
// capped (DefaultMaxFileSize). Any byte string yields a program or an
// *Error whose Kind is the reference's ElfError variant; it never panics.
//
// Write is the inverse used by assemblers and compilers: from text,
// rodata, an entry point, function names and syscall names it emits a file
// that this loader and the reference loader both accept (a V0-style
// shared object with relocations, or a V3 strict file).
//
// This package never verifies or runs programs (see packages verify and
// vm), never resolves syscalls to implementations (it only checks that a
// relocated name is registered), and never reads files itself.
package elf
