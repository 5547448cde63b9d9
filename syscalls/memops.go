package syscalls

import (
	"bytes"
	"encoding/binary"

	"github.com/agora-vm/agora/vm"
)

// Each memory operation first charges max(MemOpBase, n/CPIBytesPerUnit).

// memcpy is sol_memcpy_(dst, src, n). Overlapping guest ranges are an
// error (CopyOverlapping), checked after the price and before any pointer.
func (s *set) memcpy(m *vm.Machine, dst, src, n, _, _ uint64) (uint64, error) {
	if err := m.Consume(s.c.MemOp(n)); err != nil {
		return 0, err
	}
	if !nonOverlapping(src, n, dst, n) {
		return 0, newError(KindCopyOverlapping)
	}
	return move(m, dst, src, n)
}

// memmove is sol_memmove_(dst, src, n).
func (s *set) memmove(m *vm.Machine, dst, src, n, _, _ uint64) (uint64, error) {
	if err := m.Consume(s.c.MemOp(n)); err != nil {
		return 0, err
	}
	return move(m, dst, src, n)
}

// move copies n bytes, translating the destination before the source as
// Agave does; copy has memmove semantics.
func move(m *vm.Machine, dst, src, n uint64) (uint64, error) {
	d, err := TranslateBytes(m, vm.Store, dst, n)
	if err != nil {
		return 0, err
	}
	sb, err := TranslateBytes(m, vm.Load, src, n)
	if err != nil {
		return 0, err
	}
	copy(d, sb)
	return 0, nil
}

// memset is sol_memset_(dst, c, n): it fills with the low byte of c.
func (s *set) memset(m *vm.Machine, dst, c, n, _, _ uint64) (uint64, error) {
	if err := m.Consume(s.c.MemOp(n)); err != nil {
		return 0, err
	}
	d, err := TranslateBytes(m, vm.Store, dst, n)
	if err != nil {
		return 0, err
	}
	fill(d, byte(c))
	return 0, nil
}

// fill sets every byte of d to c by doubling copies, which run at memcpy
// speed instead of a byte at a time.
func fill(d []byte, c byte) {
	if len(d) == 0 {
		return
	}
	d[0] = c
	for n := 1; n < len(d); n *= 2 {
		copy(d[n:], d[:n])
	}
}

// firstDiff returns the difference of the first unequal bytes of a and b
// (equal lengths), or 0. It skips equal 256-byte chunks with bytes.Equal
// (vectorised), then equal words, then finds the byte.
func firstDiff(a, b []byte) int32 {
	const chunk = 256
	i := 0
	for ; i+chunk <= len(a) && bytes.Equal(a[i:i+chunk], b[i:i+chunk]); i += chunk {
	}
	for ; i+8 <= len(a); i += 8 {
		if binary.LittleEndian.Uint64(a[i:]) != binary.LittleEndian.Uint64(b[i:]) {
			break
		}
	}
	for ; i < len(a); i++ {
		if a[i] != b[i] {
			return int32(a[i]) - int32(b[i])
		}
	}
	return 0
}

// memcmp is sol_memcmp_(s1, s2, n, result): it stores into the 4-aligned
// i32 at result the difference of the first unequal bytes (s1[i] - s2[i]),
// or 0. The result pointer is translated after both inputs.
func (s *set) memcmp(m *vm.Machine, s1, s2, n, result, _ uint64) (uint64, error) {
	if err := m.Consume(s.c.MemOp(n)); err != nil {
		return 0, err
	}
	a, err := TranslateBytes(m, vm.Load, s1, n)
	if err != nil {
		return 0, err
	}
	b, err := TranslateBytes(m, vm.Load, s2, n)
	if err != nil {
		return 0, err
	}
	diff := firstDiff(a, b)
	out, err := TranslateType(m, vm.Store, result, 4, 4, checkAligned(m))
	if err != nil {
		return 0, err
	}
	binary.LittleEndian.PutUint32(out, uint32(diff))
	return 0, nil
}
