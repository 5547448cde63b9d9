package syscalls

import (
	"encoding/binary"
	"math"
	"math/bits"

	"github.com/agora-vm/agora/vm"
)

// The Translate helpers reproduce Agave's translate_slice and
// translate_type, for every syscall family (this package, solcrypto and the
// runtime's): the same checks in the same order, so that a bad argument
// fails with the same error. In order:
//
//  1. an empty slice maps to nothing and never fails, whatever addr is;
//  2. count*size over math.MaxInt64 (isize::MAX), or overflowing uint64,
//     fails with InvalidLength;
//  3. the range must lie in one mapped region (vm.Machine.Translate, which
//     also rejects an addr+len that wraps) or the access faults;
//  4. with aligned set, addr must be a multiple of align, or UnalignedPointer.
//
// Agave checks the alignment of the host address; every region's host
// buffer is aligned there, so checking the guest address is equivalent and
// keeps the result independent of where Go placed the buffers.

// checkAligned reports the run's alignment policy (aligned by default).
func checkAligned(m *vm.Machine) bool {
	if p, ok := m.Context().(AlignmentPolicy); ok {
		return p.CheckAligned()
	}
	return true
}

// TranslateSlice maps count elements of size bytes each, aligned to align
// when aligned is set, at addr: Agave's translate_slice. The errors are
// *Error of kind InvalidLength or UnalignedPointer, or the VM's fault.
func TranslateSlice(m *vm.Machine, acc vm.AccessType, addr, count, size, align uint64, aligned bool) ([]byte, error) {
	if count == 0 {
		return nil, nil
	}
	hi, total := bits.Mul64(count, size)
	if hi != 0 || total > math.MaxInt64 {
		return nil, newError(KindInvalidLength)
	}
	return translate(m, acc, addr, total, align, aligned)
}

// TranslateType maps one value of size bytes and alignment align at addr:
// Agave's translate_type (no length check; the size is the type's).
func TranslateType(m *vm.Machine, acc vm.AccessType, addr, size, align uint64, aligned bool) ([]byte, error) {
	return translate(m, acc, addr, size, align, aligned)
}

// TranslateBytes maps n bytes at addr: a slice of u8, which needs no
// alignment.
func TranslateBytes(m *vm.Machine, acc vm.AccessType, addr, n uint64) ([]byte, error) {
	return TranslateSlice(m, acc, addr, n, 1, 1, false)
}

func translate(m *vm.Machine, acc vm.AccessType, addr, n, align uint64, aligned bool) ([]byte, error) {
	b, err := m.Translate(acc, addr, n)
	if err != nil {
		return nil, err
	}
	if aligned && align > 1 && addr%align != 0 {
		return nil, newError(KindUnalignedPointer)
	}
	return b, nil
}

// VMSlice is the guest's (pointer, length) pair: Agave's VmSlice<u8>,
// VMSliceSize bytes, 8-aligned.
type VMSlice struct{ Ptr, Len uint64 }

// VMSliceSize is the size of a VMSlice in guest memory.
const VMSliceSize = 16

// TranslateVMSlices maps an array of count VMSlices at addr (a
// TranslateSlice of 16-byte, 8-aligned elements) and decodes it.
func TranslateVMSlices(m *vm.Machine, addr, count uint64, aligned bool) ([]VMSlice, error) {
	b, err := TranslateSlice(m, vm.Load, addr, count, VMSliceSize, 8, aligned)
	if err != nil || count == 0 {
		return nil, err
	}
	out := make([]VMSlice, count)
	for i := range out {
		out[i] = VMSlice{binary.LittleEndian.Uint64(b[i*VMSliceSize:]), binary.LittleEndian.Uint64(b[i*VMSliceSize+8:])}
	}
	return out, nil
}

// nonOverlapping is Agave's is_nonoverlapping: whether [a, a+aLen) and
// [b, b+bLen) are disjoint, judged by the distance between their starts.
func nonOverlapping(a, aLen, b, bLen uint64) bool {
	if a > b {
		return a-b >= bLen
	}
	return b-a >= aLen
}

// logLine hands a complete line to the run's LogSink, if it has one.
func logLine(m *vm.Machine, msg string) {
	if s, ok := m.Context().(LogSink); ok {
		s.Log(msg)
	}
}
