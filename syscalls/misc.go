package syscalls

import (
	"math"

	"github.com/agora-vm/agora/vm"
)

// abort is abort(): it stops the program with Abort. It charges nothing.
func (s *set) abort(*vm.Machine, uint64, uint64, uint64, uint64, uint64) (uint64, error) {
	return 0, newError(KindAbort)
}

// panic is sol_panic_(file, len, line, column): it stops the program with
// Panic(file, line, column). It charges len, before reading the file name.
func (s *set) panic(m *vm.Machine, file, n, line, column, _ uint64) (uint64, error) {
	if err := m.Consume(n); err != nil {
		return 0, err
	}
	b, err := TranslateBytes(m, vm.Load, file, n)
	if err != nil {
		return 0, err
	}
	if err := invalidString(b); err != nil {
		return 0, err
	}
	return 0, &Error{Kind: KindPanic, File: string(b), Line: line, Column: column}
}

// remainingComputeUnits is sol_remaining_compute_units(): it returns the
// units left after its own price (SyscallBase).
func (s *set) remainingComputeUnits(m *vm.Machine, _, _, _, _, _ uint64) (uint64, error) {
	if err := m.Consume(s.c.SyscallBase); err != nil {
		return 0, err
	}
	return m.Remaining(), nil
}

// bpfAlignOfU128 is the alignment of sol_alloc_free_ blocks when alignment
// is checked (BPF_ALIGN_OF_U128).
const bpfAlignOfU128 = 8

// allocFree is sol_alloc_free_(size, free): with free == 0 it allocates
// size bytes of heap and returns the address, or 0 when the heap is
// exhausted; freeing is not supported and returns 0. It charges nothing.
func (s *set) allocFree(m *vm.Machine, size, free, _, _, _ uint64) (uint64, error) {
	align := uint64(1)
	if checkAligned(m) {
		align = bpfAlignOfU128
	}
	// Rust's Layout::from_size_align: the size rounded up to the alignment
	// must fit in an isize; otherwise Agave returns 0 before anything else.
	if size > math.MaxInt64-(align-1) {
		return 0, nil
	}
	a, ok := m.Context().(HeapAllocator)
	if !ok {
		return 0, missingContext("HeapAllocator")
	}
	if free != 0 {
		return 0, nil
	}
	addr, ok := a.Alloc(size, align, uint64(m.HeapSize()))
	if !ok {
		return 0, nil
	}
	return addr, nil
}
