package syscalls

import (
	"github.com/agora-vm/agora/vm"
)

// setReturnData is sol_set_return_data(data, len): it replaces the return
// data with len bytes, recorded under the running program's id. Price:
// SyscallBase + len/CPIBytesPerUnit, charged before the length check.
func (s *set) setReturnData(m *vm.Machine, addr, n, _, _, _ uint64) (uint64, error) {
	if err := m.Consume(s.c.SetReturnData(n)); err != nil {
		return 0, err
	}
	if n > s.c.MaxReturnData {
		return 0, &Error{Kind: KindReturnDataTooLarge, Len: n, Max: s.c.MaxReturnData}
	}
	var data []byte
	if n > 0 {
		b, err := TranslateBytes(m, vm.Load, addr, n)
		if err != nil {
			return 0, err
		}
		data = append([]byte(nil), b...)
	}
	id, ok := m.Context().(ProgramIdentity)
	if !ok {
		return 0, missingContext("ProgramIdentity")
	}
	store, ok := m.Context().(ReturnDataStore)
	if !ok {
		return 0, missingContext("ReturnDataStore")
	}
	store.SetReturnData(id.ProgramID(), data)
	return 0, nil
}

// getReturnData is sol_get_return_data(buf, len, program_id): it copies up
// to len bytes of the return data into buf and the id of the program that
// set it into the 32 bytes at program_id, and returns the full length of
// the return data. When nothing is copied, neither pointer is touched.
// Price: SyscallBase, then (copied + 32)/CPIBytesPerUnit if copied > 0.
func (s *set) getReturnData(m *vm.Machine, buf, n, programID, _, _ uint64) (uint64, error) {
	if err := m.Consume(s.c.SyscallBase); err != nil {
		return 0, err
	}
	store, ok := m.Context().(ReturnDataStore)
	if !ok {
		return 0, missingContext("ReturnDataStore")
	}
	id, data := store.ReturnData()
	n = min(n, uint64(len(data)))
	if n != 0 {
		if err := m.Consume(divOrMax(satAdd(n, 32), s.c.CPIBytesPerUnit)); err != nil {
			return 0, err
		}
		out, err := TranslateBytes(m, vm.Store, buf, n)
		if err != nil {
			return 0, err
		}
		idOut, err := TranslateType(m, vm.Store, programID, 32, 1, false)
		if err != nil {
			return 0, err
		}
		// Agave compares host ranges; within this memory map that is the
		// same as comparing guest ranges.
		if !nonOverlapping(buf, n, programID, 32) {
			return 0, newError(KindCopyOverlapping)
		}
		copy(out, data[:n])
		copy(idOut, id[:])
	}
	return uint64(len(data)), nil
}
