package syscalls

import (
	"crypto/sha256"
	"fmt"
	"hash"

	"golang.org/x/crypto/sha3"
	"lukechampine.com/blake3"

	"github.com/agora-vm/agora/vm"
)

// The syscall names, exactly as Agave registers them.
const (
	NameAbort                 = "abort"
	NamePanic                 = "sol_panic_"
	NameLog                   = "sol_log_"
	NameLog64                 = "sol_log_64_"
	NameLogComputeUnits       = "sol_log_compute_units_"
	NameLogPubkey             = "sol_log_pubkey"
	NameLogData               = "sol_log_data"
	NameMemcpy                = "sol_memcpy_"
	NameMemmove               = "sol_memmove_"
	NameMemset                = "sol_memset_"
	NameMemcmp                = "sol_memcmp_"
	NameSHA256                = "sol_sha256"
	NameKeccak256             = "sol_keccak256"
	NameBlake3                = "sol_blake3"
	NameSetReturnData         = "sol_set_return_data"
	NameGetReturnData         = "sol_get_return_data"
	NameRemainingComputeUnits = "sol_remaining_compute_units"
	NameAllocFree             = "sol_alloc_free_"
)

// Names lists the syscalls Register adds, in registration order.
func Names() []string {
	t := (&set{}).table()
	out := make([]string, len(t))
	for i, e := range t {
		out[i] = e.name
	}
	return out
}

// Register adds the standard syscalls to r with Agave's default prices.
func Register(r *vm.Registry) error { return RegisterWithCosts(r, DefaultCosts()) }

// RegisterWithCosts adds the standard syscalls to r, charging the prices in
// c. It fails if r already holds a syscall of the same hash; r then keeps
// the syscalls registered before the collision.
func RegisterWithCosts(r *vm.Registry, c Costs) error {
	s := &set{c: c}
	for _, e := range s.table() {
		if err := r.Register(e.name, e.fn); err != nil {
			return fmt.Errorf("syscalls: %w", err)
		}
	}
	return nil
}

// NewRegistry returns a registry holding only the standard syscalls.
func NewRegistry() *vm.Registry {
	r := vm.NewRegistry()
	if err := Register(r); err != nil {
		panic(err) // only a collision among this package's own names can fail
	}
	return r
}

// set is the standard syscalls bound to one price table.
type set struct{ c Costs }

type entry struct {
	name string
	fn   vm.SyscallFunc
}

func (s *set) table() []entry {
	return []entry{
		{NameAbort, s.abort},
		{NamePanic, s.panic},
		{NameLog, s.log},
		{NameLog64, s.log64},
		{NameLogComputeUnits, s.logComputeUnits},
		{NameLogPubkey, s.logPubkey},
		{NameLogData, s.logData},
		{NameMemcpy, s.memcpy},
		{NameMemmove, s.memmove},
		{NameMemset, s.memset},
		{NameMemcmp, s.memcmp},
		{NameSHA256, s.hash(hasher{"Sha256", sha256.New})},
		{NameKeccak256, s.hash(hasher{"Keccak256", sha3.NewLegacyKeccak256})},
		{NameBlake3, s.hash(hasher{"Blake3", newBlake3})},
		{NameSetReturnData, s.setReturnData},
		{NameGetReturnData, s.getReturnData},
		{NameRemainingComputeUnits, s.remainingComputeUnits},
		{NameAllocFree, s.allocFree},
	}
}

func newBlake3() hash.Hash { return blake3.New(32, nil) }
