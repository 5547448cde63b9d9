// Package sbpf defines the sBPF instruction set as the reference
// implementation (anza-xyz/sbpf) defines it: the 8-byte instruction slot,
// the opcode numbers, the versions V0 to V4 with their feature predicates,
// the memory-map constants and the murmur3 hash that names syscalls.
//
// It holds only facts about the ISA. It never executes, verifies or parses
// programs; those jobs belong to vm, verify and sbpf/asm.
package sbpf
