package syscalls

import (
	"encoding/binary"
	"math"

	"github.com/agora-vm/agora/vm"
)

// These helpers reproduce Agave's translate_slice / translate_type: the
// same checks in the same order, so that a bad argument fails with the same
// error. Agave checks the alignment of the host address; every region's host
// buffer is aligned there, so checking the guest address is equivalent and
// keeps the result independent of where Go placed the buffers.

// checkAligned reports the run's alignment policy (aligned by default).
func checkAligned(m *vm.Machine) bool {
	if p, ok := m.Context().(AlignmentPolicy); ok {
		return p.CheckAligned()
	}
	return true
}

// translateBytes maps n bytes at addr (a slice of u8, which needs no
// alignment). An empty slice maps to nothing and never fails.
func translateBytes(m *vm.Machine, acc vm.AccessType, addr, n uint64) ([]byte, error) {
	if n == 0 {
		return nil, nil
	}
	if n > math.MaxInt64 {
		return nil, newError(KindInvalidLength)
	}
	return m.Translate(acc, addr, n)
}

// translateType maps one value of size bytes and alignment align at addr.
func translateType(m *vm.Machine, acc vm.AccessType, addr, size, align uint64, aligned bool) ([]byte, error) {
	b, err := m.Translate(acc, addr, size)
	if err != nil {
		return nil, err
	}
	if aligned && addr&(align-1) != 0 {
		return nil, newError(KindUnalignedPointer)
	}
	return b, nil
}

// vmSlice is the guest's (pointer, length) pair: Agave's VmSlice<u8>, 16
// bytes, 8-aligned.
type vmSlice struct{ ptr, len uint64 }

const vmSliceSize = 16

// translateVMSlices maps an array of count vmSlices at addr and decodes it.
func translateVMSlices(m *vm.Machine, addr, count uint64, aligned bool) ([]vmSlice, error) {
	if count == 0 {
		return nil, nil
	}
	total := satMul(count, vmSliceSize)
	if total > math.MaxInt64 {
		return nil, newError(KindInvalidLength)
	}
	b, err := m.Translate(vm.Load, addr, total)
	if err != nil {
		return nil, err
	}
	if aligned && addr&7 != 0 {
		return nil, newError(KindUnalignedPointer)
	}
	out := make([]vmSlice, count)
	for i := range out {
		out[i] = vmSlice{binary.LittleEndian.Uint64(b[i*16:]), binary.LittleEndian.Uint64(b[i*16+8:])}
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
