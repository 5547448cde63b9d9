package svm

import (
	"encoding/binary"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// Names of the syscalls this package adds, as Agave registers them.
const (
	NameInvokeSignedC          = "sol_invoke_signed_c"
	NameInvokeSignedRust       = "sol_invoke_signed_rust"
	NameCreateProgramAddress   = "sol_create_program_address"
	NameTryFindProgramAddress  = "sol_try_find_program_address"
	NameGetStackHeight         = "sol_get_stack_height"
	NameGetClockSysvar         = "sol_get_clock_sysvar"
	NameGetRentSysvar          = "sol_get_rent_sysvar"
	NameGetEpochScheduleSysvar = "sol_get_epoch_schedule_sysvar"
	NameGetLastRestartSlot     = "sol_get_last_restart_slot"
	NameGetSysvar              = "sol_get_sysvar"
)

func (ex *Executor) registerSyscalls(r *vm.Registry) error {
	for _, s := range []struct {
		name string
		fn   vm.SyscallFunc
	}{
		// Plug-ins may refuse an invocation first (Plugin.BeforeInvoke).
		{NameInvokeSignedC, ex.guardInvoke(ex.invokeSignedC)},
		{NameInvokeSignedRust, ex.guardInvoke(ex.invokeSignedRust)},
		{NameCreateProgramAddress, ex.createProgramAddress},
		{NameTryFindProgramAddress, ex.tryFindProgramAddress},
		{NameGetStackHeight, ex.getStackHeight},
		{NameGetClockSysvar, ex.getClock},
		{NameGetRentSysvar, ex.getRent},
		{NameGetEpochScheduleSysvar, ex.getEpochSchedule},
		{NameGetLastRestartSlot, ex.getLastRestartSlot},
		{NameGetSysvar, ex.getSysvar},
	} {
		if err := r.Register(s.name, s.fn); err != nil {
			return err
		}
	}
	return nil
}

// guardInvoke runs the plug-ins' invocation checks before fn, charging
// nothing more.
func (ex *Executor) guardInvoke(fn vm.SyscallFunc) vm.SyscallFunc {
	return func(m *vm.Machine, r1, r2, r3, r4, r5 uint64) (uint64, error) {
		if err := ex.checkInvoke(m); err != nil {
			return 0, err
		}
		return fn(m, r1, r2, r3, r4, r5)
	}
}

// errMissingContext is returned when one of this package's syscalls runs
// outside a transaction (a raw run of the VM).
var errMissingContext = sysErr(KindInvalidPointer, "syscall needs the runtime's invoke context")

func contextOf(m *vm.Machine) (*bpfContext, error) {
	c, ok := m.Context().(*bpfContext)
	if !ok {
		return nil, errMissingContext
	}
	return c, nil
}

// translateSeeds reads an array of (ptr, len) slices and the bytes they
// name, as translate_and_check_program_address_inputs.
func translateSeeds(m *vm.Machine, addr, n uint64, aligned bool, maxSeeds int) ([][]byte, error) {
	raw, err := syscalls.TranslateSlice(m, vm.Load, addr, n, 16, 8, aligned)
	if err != nil {
		return nil, err
	}
	if n > uint64(maxSeeds) {
		return nil, badSeeds(pubkey.ErrMaxSeedLengthExceeded)
	}
	seeds := make([][]byte, n)
	for i := range seeds {
		p, l := binary.LittleEndian.Uint64(raw[i*16:]), binary.LittleEndian.Uint64(raw[i*16+8:])
		if l > pubkey.MaxSeedLen {
			return nil, badSeeds(pubkey.ErrMaxSeedLengthExceeded)
		}
		b, err := syscalls.TranslateSlice(m, vm.Load, p, l, 1, 1, aligned)
		if err != nil {
			return nil, err
		}
		seeds[i] = b
	}
	return seeds, nil
}

func badSeeds(e pubkey.Error) *SyscallError {
	return sysErr(KindBadSeeds, "Could not create program address with signer seeds: %s", e.Error())
}

// createProgramAddress is sol_create_program_address(seeds, n, program_id,
// address): 0 and the address, or 1 when the seeds give a point on the
// curve. Price: create_program_address_units.
func (ex *Executor) createProgramAddress(m *vm.Machine, seedsAddr, n, programAddr, outAddr, _ uint64) (uint64, error) {
	c, err := contextOf(m)
	if err != nil {
		return 0, err
	}
	if err := m.Consume(ex.costs.CreateProgramAddress); err != nil {
		return 0, err
	}
	seeds, err := translateSeeds(m, seedsAddr, n, c.f.aligned, pubkey.MaxSeeds)
	if err != nil {
		return 0, err
	}
	pb, err := syscalls.TranslateType(m, vm.Load, programAddr, 32, 1, c.f.aligned)
	if err != nil {
		return 0, err
	}
	addr, perr := pubkey.CreateProgramAddress(seeds, pubkey.Pubkey(pb))
	if perr != nil {
		return 1, nil
	}
	out, err := syscalls.TranslateType(m, vm.Store, outAddr, 32, 1, c.f.aligned)
	if err != nil {
		return 0, err
	}
	copy(out, addr[:])
	return 0, nil
}

// tryFindProgramAddress is sol_try_find_program_address(seeds, n,
// program_id, address, bump): it tries bumps from 255 down, charging
// create_program_address_units per attempt, and returns 0 with the first
// valid address and its bump, or 1.
func (ex *Executor) tryFindProgramAddress(m *vm.Machine, seedsAddr, n, programAddr, outAddr, bumpAddr uint64) (uint64, error) {
	c, err := contextOf(m)
	if err != nil {
		return 0, err
	}
	if err := m.Consume(ex.costs.CreateProgramAddress); err != nil {
		return 0, err
	}
	seeds, err := translateSeeds(m, seedsAddr, n, c.f.aligned, pubkey.MaxSeeds)
	if err != nil {
		return 0, err
	}
	pb, err := syscalls.TranslateType(m, vm.Load, programAddr, 32, 1, c.f.aligned)
	if err != nil {
		return 0, err
	}
	bump := []byte{255}
	withBump := append(seeds, bump)
	for range 255 {
		addr, perr := pubkey.CreateProgramAddress(withBump, pubkey.Pubkey(pb))
		if perr == nil {
			bb, err := syscalls.TranslateType(m, vm.Store, bumpAddr, 1, 1, c.f.aligned)
			if err != nil {
				return 0, err
			}
			out, err := syscalls.TranslateType(m, vm.Store, outAddr, 32, 1, c.f.aligned)
			if err != nil {
				return 0, err
			}
			if !(bumpAddr >= outAddr+32 || outAddr >= bumpAddr+1) {
				return 0, syscalls.ErrCopyOverlapping
			}
			bb[0] = bump[0]
			copy(out, addr[:])
			return 0, nil
		}
		bump[0]--
		if err := m.Consume(ex.costs.CreateProgramAddress); err != nil {
			return 0, err
		}
	}
	return 1, nil
}

// getStackHeight is sol_get_stack_height(): the instruction stack height
// (1 for a top-level instruction). Price: syscall_base_cost.
func (ex *Executor) getStackHeight(m *vm.Machine, _, _, _, _, _ uint64) (uint64, error) {
	c, err := contextOf(m)
	if err != nil {
		return 0, err
	}
	if err := m.Consume(ex.costs.SyscallBase); err != nil {
		return 0, err
	}
	return uint64(len(c.tc.stack)), nil
}

// writeSysvar copies a sysvar's in-memory layout to addr (8-aligned),
// charging sysvar_base_cost plus its size.
func (ex *Executor) writeSysvar(m *vm.Machine, addr uint64, layout func(c *bpfContext) []byte, size uint64) (uint64, error) {
	c, err := contextOf(m)
	if err != nil {
		return 0, err
	}
	if err := m.Consume(ex.costs.SysvarBase + size); err != nil {
		return 0, err
	}
	out, err := syscalls.TranslateType(m, vm.Store, addr, size, 8, c.f.aligned)
	if err != nil {
		return 0, err
	}
	copy(out, layout(c))
	return 0, nil
}

func (ex *Executor) getClock(m *vm.Machine, addr, _, _, _, _ uint64) (uint64, error) {
	return ex.writeSysvar(m, addr, func(c *bpfContext) []byte { return c.tc.env.Sysvars.Clock.Encode() }, 40)
}

func (ex *Executor) getRent(m *vm.Machine, addr, _, _, _, _ uint64) (uint64, error) {
	return ex.writeSysvar(m, addr, func(c *bpfContext) []byte { return c.tc.env.Sysvars.Rent.EncodeMemory() }, 24)
}

func (ex *Executor) getEpochSchedule(m *vm.Machine, addr, _, _, _, _ uint64) (uint64, error) {
	return ex.writeSysvar(m, addr, func(c *bpfContext) []byte { return c.tc.env.Sysvars.EpochSchedule.EncodeMemory() }, 40)
}

func (ex *Executor) getLastRestartSlot(m *vm.Machine, addr, _, _, _, _ uint64) (uint64, error) {
	return ex.writeSysvar(m, addr, func(c *bpfContext) []byte { return c.tc.env.Sysvars.LastRestartSlot.Encode() }, 8)
}

// Return codes of sol_get_sysvar.
const (
	sysvarOffsetLengthExceeds = 1
	sysvarNotFound            = 2
)

// getSysvar is sol_get_sysvar(id, var, offset, length) (SIMD-0127): it
// copies length bytes of a sysvar account's data from offset.
func (ex *Executor) getSysvar(m *vm.Machine, idAddr, varAddr, offset, length, _ uint64) (uint64, error) {
	c, err := contextOf(m)
	if err != nil {
		return 0, err
	}
	cost := ex.costs.SysvarBase + 32/ex.costs.CPIBytesPerUnit + max(length/ex.costs.CPIBytesPerUnit, ex.costs.MemOpBase)
	if err := m.Consume(cost); err != nil {
		return 0, err
	}
	id, err := syscalls.TranslateType(m, vm.Load, idAddr, 32, 1, c.f.aligned)
	if err != nil {
		return 0, err
	}
	out, err := syscalls.TranslateSlice(m, vm.Store, varAddr, length, 1, 1, c.f.aligned)
	if err != nil {
		return 0, err
	}
	end := offset + length
	if end < offset {
		return 0, &InstructionError{Kind: ArithmeticOverflow}
	}
	data, ok := c.tc.env.Sysvars.Data(pubkey.Pubkey(id))
	if !ok {
		return sysvarNotFound, nil
	}
	if end > uint64(len(data)) {
		return sysvarOffsetLengthExceeds, nil
	}
	copy(out, data[offset:end])
	return 0, nil
}
