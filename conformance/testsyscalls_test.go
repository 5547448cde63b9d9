package conformance

import (
	"errors"
	"fmt"

	"github.com/agora-vm/agora/vm"
)

// The reference's own test suite calls a handful of toy syscalls
// (test_utils/src/syscalls.rs). They cost nothing, so the vectors that use
// them pin down the instruction meter around a syscall without any price
// mixed in. They are registered here, for the vectors only, under the
// names the reference's tests give them.

var errStrCmpUnmapped = errors.New("bpf_str_cmp: string runs out of mapped memory")

func registerTestSyscalls(reg *vm.Registry) error {
	for _, s := range []struct {
		name string
		fn   vm.SyscallFunc
	}{
		// Returns 0 after logging a string of at most len bytes (up to NUL).
		{"bpf_syscall_string", func(m *vm.Machine, addr, n, _, _, _ uint64) (uint64, error) {
			if n == 0 {
				return 0, nil
			}
			if _, err := m.Translate(vm.Load, addr, n); err != nil {
				return 0, err
			}
			return 0, nil
		}},
		// Prints its arguments; returns 0.
		{"bpf_syscall_u64", func(*vm.Machine, uint64, uint64, uint64, uint64, uint64) (uint64, error) {
			return 0, nil
		}},
		// Packs five bytes into one value.
		{"bpf_gather_bytes", func(_ *vm.Machine, a, b, c, d, e uint64) (uint64, error) {
			return a<<32 | b<<24 | c<<16 | d<<8 | e, nil
		}},
		// memfrob: XORs len bytes at addr with 42 in place.
		{"bpf_mem_frob", func(m *vm.Machine, addr, n, _, _, _ uint64) (uint64, error) {
			if n == 0 {
				return 0, nil
			}
			b, err := m.Translate(vm.Store, addr, n)
			if err != nil {
				return 0, err
			}
			for i := range b {
				b[i] ^= 0b101010
			}
			return 0, nil
		}},
		// strcmp returning |a[i]-b[i]| at the first difference or NUL;
		// u64::MAX if either pointer is null.
		{"bpf_str_cmp", func(m *vm.Machine, a, b, _, _, _ uint64) (uint64, error) {
			if a == 0 || b == 0 {
				return ^uint64(0), nil
			}
			for i := uint64(0); i < 1<<20; i++ {
				x, err := m.ReadMemory(a+i, 1)
				if err != nil {
					return 0, fmt.Errorf("%w: %v", errStrCmpUnmapped, err)
				}
				y, err := m.ReadMemory(b+i, 1)
				if err != nil {
					return 0, fmt.Errorf("%w: %v", errStrCmpUnmapped, err)
				}
				if x[0] != y[0] || x[0] == 0 {
					if x[0] >= y[0] {
						return uint64(x[0] - y[0]), nil
					}
					return uint64(y[0] - x[0]), nil
				}
			}
			return 0, errStrCmpUnmapped
		}},
	} {
		if err := reg.Register(s.name, s.fn); err != nil {
			return err
		}
	}
	return nil
}
