package econ

import (
	"fmt"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/extnames"
	"github.com/agora-vm/agora/vm"
)

// Syscall names. Each runs the instruction of the same operation.
const (
	NameAuctionCreate    = extnames.AuctionCreate
	NameAuctionBid       = extnames.AuctionBid
	NameAuctionReveal    = extnames.AuctionReveal
	NameAuctionSettle    = extnames.AuctionSettle
	NameEscrowCreate     = extnames.EscrowCreate
	NameEscrowRelease    = extnames.EscrowRelease
	NameEscrowRefund     = extnames.EscrowRefund
	NameReputationUpdate = extnames.ReputationUpdate
	NameReputationQuery  = extnames.ReputationQuery
	NameStakeLock        = extnames.StakeLock
	NameStakeSlash       = extnames.StakeSlash
	NameStakeRelease     = extnames.StakeRelease
)

var syscallTags = []struct {
	name string
	tag  Tag
}{
	{NameAuctionCreate, TagAuctionCreate},
	{NameAuctionBid, TagAuctionBid},
	{NameAuctionReveal, TagAuctionReveal},
	{NameAuctionSettle, TagAuctionSettle},
	{NameEscrowCreate, TagEscrowCreate},
	{NameEscrowRelease, TagEscrowRelease},
	{NameEscrowRefund, TagEscrowRefund},
	{NameReputationUpdate, TagReputationUpdate},
	{NameReputationQuery, TagReputationQuery},
	{NameStakeLock, TagStakeLock},
	{NameStakeSlash, TagStakeSlash},
	{NameStakeRelease, TagStakeRelease},
}

// Names lists the package's syscalls, in registration order.
func Names() []string {
	out := make([]string, len(syscallTags))
	for i, s := range syscallTags {
		out[i] = s.name
	}
	return out
}

// Mnemonics returns assembler aliases for the syscalls (pass it as
// asm.Options.Aliases): `auction_bid` assembles to `syscall
// agora_auction_bid`, and so on. The map is new on every call.
func Mnemonics() map[string]string {
	return extnames.Aliases(Names()...)
}

// Limits of a syscall's arguments.
const (
	// MaxSyscallAccounts is the most account positions one syscall passes
	// (a settlement of MaxBids bids needs 34).
	MaxSyscallAccounts = 64
)

// Invoker is what the syscalls need from the runtime, through the
// run's vm.RunOptions.Context: running a native program as an inner
// instruction of the calling program. Package runtime implements it.
type Invoker interface {
	// InvokeNative runs the native program as an inner instruction over
	// the calling instruction's accounts at the given positions (indexes
	// into its account list, as serialized in the program's input), each
	// with the privileges it has in the calling instruction, plus signer
	// privilege for the calling program's addresses derived from the
	// seeds at seedsAddr (nseeds SolSignerSeeds, as for
	// sol_invoke_signed_c). The accounts' current state in the caller's
	// input region is what the program sees, and its changes are written
	// back there. When the program fails with Custom(code), custom is the
	// code and every account is as it was before the call (err is nil);
	// any other failure is err.
	InvokeNative(m *vm.Machine, program [32]byte, accounts []byte, data []byte, seedsAddr, nseeds uint64) (custom uint64, err error)
}

// SyscallError is a syscall's fault that is not the program's own
// failure: a layout the syscall refuses or a runtime that cannot serve
// it. It aborts the calling program.
type SyscallError struct {
	Kind   string // "InvalidLength", "MissingContext"
	Detail string
}

// Error renders the kind and the detail.
func (e *SyscallError) Error() string { return "econ syscall: " + e.Kind + ": " + e.Detail }

// KindName implements vm.KindNamer.
func (e *SyscallError) KindName() string { return e.Kind }

// Register adds the syscalls of this package to r. It registers nothing
// when one of the names is already taken.
func Register(r *vm.Registry) error {
	if r == nil {
		return fmt.Errorf("econ: nil registry")
	}
	for _, s := range syscallTags {
		if _, taken := r.Lookup(sbpf.SyscallHash(s.name)); taken {
			return fmt.Errorf("econ: syscall %q collides with a registered one", s.name)
		}
	}
	for _, s := range syscallTags {
		if err := r.Register(s.name, syscall(s.tag)); err != nil {
			return err
		}
	}
	return nil
}

// syscall returns the function of the syscall of tag t:
//
//	agora_X(accounts *u8, accounts_len u64, args *u8, args_len u64,
//	        signers *{SolSignerSeeds *seeds; u64 len} or 0) -> u64
//
// accounts are positions in the calling instruction's account list;
// args are the operation's arguments (the instruction data after the
// tag). r0 is 0 on success, else the program's Code (nothing changed);
// results are the return data (sol_get_return_data).
func syscall(t Tag) vm.SyscallFunc {
	return func(m *vm.Machine, accountsAddr, naccounts, argsAddr, argsLen, signersAddr uint64) (uint64, error) {
		inv, ok := m.Context().(Invoker)
		if !ok {
			return 0, &SyscallError{"MissingContext", "the economics syscalls run inside a transaction"}
		}
		if naccounts > MaxSyscallAccounts {
			return 0, &SyscallError{"InvalidLength", fmt.Sprintf("%d accounts, at most %d", naccounts, MaxSyscallAccounts)}
		}
		if want := uint64(ArgsSize(t)); argsLen != want {
			return 0, &SyscallError{"InvalidLength", fmt.Sprintf("%s takes %d bytes of arguments, not %d", t, want, argsLen)}
		}
		if err := m.Consume(CostSyscall + CostSyscallPerAccount*naccounts); err != nil {
			return 0, err
		}
		accts, err := m.Translate(vm.Load, accountsAddr, naccounts)
		if err != nil {
			return 0, err
		}
		args, err := m.Translate(vm.Load, argsAddr, argsLen)
		if err != nil {
			return 0, err
		}
		var seedsAddr, nseeds uint64
		if signersAddr != 0 {
			d, err := m.Translate(vm.Load, signersAddr, 16)
			if err != nil {
				return 0, err
			}
			seedsAddr, nseeds = le.Uint64(d), le.Uint64(d[8:])
		}
		data := make([]byte, 1+len(args))
		data[0] = byte(t)
		copy(data[1:], args)
		positions := append([]byte(nil), accts...)
		code, err := inv.InvokeNative(m, ProgramID(), positions, data, seedsAddr, nseeds)
		if err != nil {
			return 0, err
		}
		if code != 0 && !Code(code).Valid() {
			return 0, &SyscallError{"InnerFailure", fmt.Sprintf("an inner instruction failed with Custom(%d)", code)}
		}
		return code, nil
	}
}
