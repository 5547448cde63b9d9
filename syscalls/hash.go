package syscalls

import (
	"fmt"
	"hash"

	"github.com/agora-vm/agora/vm"
)

// hasher is one hash function of the hashing syscalls.
type hasher struct {
	name string // as Agave names it in its log message
	new  func() hash.Hash
}

// hash returns sol_sha256 / sol_keccak256 / sol_blake3(vals, count,
// result): it hashes the concatenation of count (pointer, length) slices
// and stores the 32-byte digest at result.
//
// Order, as in Agave: the slice limit (logged and failed before any
// charge), SHA256Base, the result pointer, the slice array, then for each
// slice its pointer and then its price max(MemOpBase, SHA256Byte·len/2).
func (s *set) hash(h hasher) vm.SyscallFunc {
	return func(m *vm.Machine, vals, count, result, _, _ uint64) (uint64, error) {
		if s.c.SHA256MaxSlices < count {
			logLine(m, fmt.Sprintf("%s Hashing %d sequences in one syscall is over the limit %d", h.name, count, s.c.SHA256MaxSlices))
			return 0, newError(KindTooManySlices)
		}
		if err := m.Consume(s.c.SHA256Base); err != nil {
			return 0, err
		}
		out, err := TranslateType(m, vm.Store, result, 32, 1, false)
		if err != nil {
			return 0, err
		}
		d := h.new()
		if count > 0 {
			slices, err := TranslateVMSlices(m, vals, count, checkAligned(m))
			if err != nil {
				return 0, err
			}
			for _, v := range slices {
				b, err := TranslateBytes(m, vm.Load, v.Ptr, v.Len)
				if err != nil {
					return 0, err
				}
				if err := m.Consume(s.c.HashSlice(v.Len)); err != nil {
					return 0, err
				}
				d.Write(b)
			}
		}
		copy(out, d.Sum(nil))
		return 0, nil
	}
}
