package conformance

import (
	"testing"

	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// newRegistry returns the syscalls a vector may call: the standard ones
// with Agave's prices, and the reference's cost-free test syscalls.
func newRegistry(t testing.TB) *vm.Registry {
	t.Helper()
	reg := syscalls.NewRegistry()
	if err := registerTestSyscalls(reg); err != nil {
		t.Fatal(err)
	}
	return reg
}

// runContext is the raw-mode syscall context of one run: zero program id,
// Agave's log limit, the bump allocator.
type runContext = syscalls.Context

func newRunContext() *runContext { return syscalls.NewContext([32]byte{}) }
