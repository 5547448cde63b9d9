package vm

import (
	"fmt"
	"sort"

	"github.com/agora-vm/agora/sbpf"
)

// SyscallFunc implements a syscall. It receives r1-r5 and returns r0. Its
// error aborts the program with a SyscallError wrapping it. Before it runs,
// the instructions executed so far have been charged; the function charges
// its own price with m.Consume.
type SyscallFunc func(m *Machine, r1, r2, r3, r4, r5 uint64) (uint64, error)

// Syscall is a registered syscall.
type Syscall struct {
	Name string
	Hash uint32 // murmur3-32 of Name: the imm of the calling instruction
	Fn   SyscallFunc
}

// Registry maps syscall hashes to implementations. Families of syscalls
// (standard, crypto, extensions) register themselves into one; the
// interpreter resolves calls against it once, when a program is prepared.
type Registry struct {
	byHash map[uint32]int
	list   []Syscall
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{byHash: map[uint32]int{}} }

// Register adds a syscall under the hash of name. Registering a second
// function under the same hash is an error (as in the reference).
func (r *Registry) Register(name string, fn SyscallFunc) error {
	if fn == nil {
		return fmt.Errorf("vm: syscall %q has no function", name)
	}
	h := sbpf.SyscallHash(name)
	if i, ok := r.byHash[h]; ok {
		return fmt.Errorf("vm: syscall %q collides with %q (hash %#08x)", name, r.list[i].Name, h)
	}
	r.byHash[h] = len(r.list)
	r.list = append(r.list, Syscall{Name: name, Hash: h, Fn: fn})
	return nil
}

// MustRegister is Register for static tables; it panics on a collision,
// which is a programming error.
func (r *Registry) MustRegister(name string, fn SyscallFunc) {
	if err := r.Register(name, fn); err != nil {
		panic(err)
	}
}

// Lookup finds a syscall by hash.
func (r *Registry) Lookup(hash uint32) (Syscall, bool) {
	if r == nil {
		return Syscall{}, false
	}
	i, ok := r.byHash[hash]
	if !ok {
		return Syscall{}, false
	}
	return r.list[i], true
}

// HasSyscall reports whether hash names a registered syscall (it makes a
// Registry usable as verify.SyscallSet).
func (r *Registry) HasSyscall(hash uint32) bool {
	_, ok := r.Lookup(hash)
	return ok
}

// Name returns the name registered under hash.
func (r *Registry) Name(hash uint32) (string, bool) {
	s, ok := r.Lookup(hash)
	return s.Name, ok
}

// Syscalls lists the registered syscalls sorted by name.
func (r *Registry) Syscalls() []Syscall {
	if r == nil {
		return nil
	}
	out := append([]Syscall(nil), r.list...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
