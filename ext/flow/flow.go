// Package flow is the information-flow extension family: the syscall
// with which a program declassifies data that the deep verifier's taint
// analysis (package verify/taint) would otherwise follow as private.
//
//	agora_declassify(ptr, len) -> 0
//
// At run time it only checks that [ptr, ptr+len) is readable memory, as
// every syscall that takes a range does, and charges Agave's base syscall
// cost and nothing per byte. Its meaning is for the verifier: from this
// call on, the bytes of that range carry no taint. It never changes
// memory or registers other than r0.
package flow

import (
	"fmt"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/extnames"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// NameDeclassify is the syscall's name.
const NameDeclassify = extnames.Declassify

// Cost is agora_declassify's price: the base syscall cost alone.
var Cost = syscalls.DefaultCosts().SyscallBase

// Register adds agora_declassify to r.
func Register(r *vm.Registry) error {
	if r == nil {
		return fmt.Errorf("flow: nil registry")
	}
	if name, taken := r.Name(sbpf.SyscallHash(NameDeclassify)); taken {
		return fmt.Errorf("flow: syscall %q collides with registered %q", NameDeclassify, name)
	}
	if err := r.Register(NameDeclassify, declassify); err != nil {
		return fmt.Errorf("flow: %w", err)
	}
	return nil
}

// Aliases gives the assembler mnemonic declassify for `syscall
// agora_declassify` (its arguments are in r1 and r2).
func Aliases() map[string]string { return map[string]string{"declassify": NameDeclassify} }

func declassify(m *vm.Machine, ptr, n, _, _, _ uint64) (uint64, error) {
	if err := m.Consume(Cost); err != nil {
		return 0, err
	}
	if _, err := m.Translate(vm.Load, ptr, n); err != nil {
		return 0, err
	}
	return 0, nil
}
