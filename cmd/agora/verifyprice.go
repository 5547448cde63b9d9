package main

import (
	"github.com/agora-vm/agora/ext/flow"
	"github.com/agora-vm/agora/ext/lanes"
	"github.com/agora-vm/agora/ext/txmem"
	"github.com/agora-vm/agora/sbpf/extnames"
	"github.com/agora-vm/agora/syscalls"
)

// syscallPrice is the price the runtime charges for one syscall, from
// the size operands the symbolic execution decodes (symex.Config.Price):
// Agave's default costs for the standard syscalls and each extension
// family's published prices. sizes is nil when the analysis does not
// model the syscall: only a flat price is known then. It returns false
// for a price it cannot state (one that depends on state the analysis
// does not see, as a lane join's merge or a CPI's callee).
func syscallPrice(name string, sizes []uint64) (uint64, bool) {
	c := syscalls.DefaultCosts()
	// Flat prices, whatever the operands.
	switch name {
	case syscalls.NameAbort:
		return 0, true
	case syscalls.NameLog64:
		return c.Log64, true
	case syscalls.NameLogComputeUnits, syscalls.NameRemainingComputeUnits:
		return c.SyscallBase, true
	case syscalls.NameLogPubkey:
		return c.LogPubkey, true
	case extnames.AtomicLoad, extnames.AtomicStore, extnames.AtomicCAS:
		return lanes.CostAtomic, true
	case extnames.TxBegin:
		return txmem.CostBegin, true
	case extnames.TxTest:
		return txmem.CostTest, true
	case extnames.Declassify:
		return flow.Cost, true
	}
	if sizes == nil {
		return 0, false
	}
	one := func() (uint64, bool) {
		if len(sizes) != 1 {
			return 0, false
		}
		return sizes[0], true
	}
	switch name {
	case syscalls.NamePanic:
		return one()
	case syscalls.NameLog:
		n, ok := one()
		return c.Log(n), ok
	case syscalls.NameMemcpy, syscalls.NameMemmove, syscalls.NameMemset, syscalls.NameMemcmp:
		n, ok := one()
		return c.MemOp(n), ok
	case syscalls.NameSetReturnData:
		n, ok := one()
		return c.SetReturnData(n), ok
	case syscalls.NameSHA256, syscalls.NameKeccak256, syscalls.NameBlake3:
		cu := c.SHA256Base
		for _, n := range sizes {
			cu += c.HashSlice(n)
		}
		return cu, true
	case extnames.TxCommit, extnames.TxAbort:
		if len(sizes) != 2 {
			return 0, false
		}
		if name == extnames.TxCommit {
			return txmem.CommitCost(sizes[0], sizes[1]), true
		}
		return txmem.AbortCost(sizes[0], sizes[1]), true
	}
	return 0, false
}
