// Package feature is Agave's feature gates as Agora knows them: each
// feature's id (the account Agave activates it with), its name, whether
// it is active on mainnet, and whether Agora's runtime implements the
// behaviour it gates. A Set says which are on.
//
// It is a leaf: it holds data only and must never reach into the runtime.
// Statuses follow Agave's feature list as checked against mainnet-beta
// (the Agave version in Version); a feature Agora does not model keeps
// the behaviour Agora has whatever the set says, and docs/conformance.md
// lists those.
package feature

import (
	"fmt"
	"slices"
	"strings"

	"github.com/agora-vm/agora/solana/pubkey"
)

// Version is the Agave release whose feature list and mainnet statuses
// the table follows.
const Version = "v4.4.0-beta.0 (mainnet-beta statuses of 2026-10-08)"

// Feature is one of Agave's feature gates.
type Feature struct {
	Name string
	ID   pubkey.Pubkey
	// Mainnet is the feature's status on mainnet-beta.
	Mainnet bool
	// Modeled says Agora implements both sides of the gate; otherwise
	// Agora behaves as Fixed says, whatever the set.
	Modeled bool
	// Fixed is Agora's behaviour for a feature it does not model: true
	// when it behaves as if the feature were active.
	Fixed bool
}

// Index is a feature's position in the table; Sets are bit sets over it.
type Index uint8

// The features Agora consults.
const (
	DepleteCUMeterOnVMFailure Index = iota
	InstructionDataOffsetInR2
	RemainingComputeUnitsSyscall
	AccountDataDirectMapping
	VirtualAddressSpaceAdjustments
	DirectAccountPointersInProgramInput
	RaiseCPINestingLimitTo8
	IncreaseCPIAccountInfoLimit
	SyscallParameterAddressRestrictions
	CreateAccountAllowPrefund
	EnableSHA512Syscall
	EnableBigModExpSyscall
	Blake3Syscall
	IncreaseTxAccountLockLimit
	RelaxPostExecMinBalanceCheck
	DeprecateRentExemptionThreshold
	numFeatures
)

var table = [numFeatures]Feature{
	DepleteCUMeterOnVMFailure:           {"deplete_cu_meter_on_vm_failure", pubkey.MustParse("B7H2caeia4ZFcpE3QcgMqbiWiBtWrdBRBSJ1DY6Ktxbq"), true, true, false},
	InstructionDataOffsetInR2:           {"provide_instruction_data_offset_in_vm_r2", pubkey.MustParse("5xXZc66h4UdB6Yq7FzdBxBiRAFMMScMLwHxk2QZDaNZL"), true, true, false},
	RemainingComputeUnitsSyscall:        {"remaining_compute_units_syscall_enabled", pubkey.MustParse("5TuppMutoyzhUSfuYdhgzD47F92GL1g89KpCZQKqedxP"), false, false, true},
	AccountDataDirectMapping:            {"account_data_direct_mapping", pubkey.MustParse("CR3dVN2Yoo95Y96kLSTaziWDAQT2MNEpiWh5cqVq2pNE"), false, false, false},
	VirtualAddressSpaceAdjustments:      {"virtual_address_space_adjustments", pubkey.MustParse("7VgiehxNxu53KdxgLspGQY8myE6f7UokaWa4jsGcaSz"), false, false, false},
	DirectAccountPointersInProgramInput: {"direct_account_pointers_in_program_input", pubkey.MustParse("ptr9umikaeAS7ZBBp2fsfRhie16F1V2jCKA2y6gXNAK"), false, false, false},
	RaiseCPINestingLimitTo8:             {"raise_cpi_nesting_limit_to_8", pubkey.MustParse("6TkHkRmP7JZy1fdM6fg5uXn76wChQBWGokHBJzrLB3mj"), false, false, false},
	IncreaseCPIAccountInfoLimit:         {"increase_cpi_account_info_limit", pubkey.MustParse("H6iVbVaDZgDphcPbcZwc5LoznMPWQfnJ1AM7L1xzqvt5"), true, true, false},
	SyscallParameterAddressRestrictions: {"syscall_parameter_address_restrictions", pubkey.MustParse("EDGMC5kxFxGk4ixsNkGt8bW7QL5hDMXnbwaZvYMwNfzF"), true, false, false},
	CreateAccountAllowPrefund:           {"create_account_allow_prefund", pubkey.MustParse("6sPDzwyARRExKH52LECxcGoqziH8G7SZofwuxi8Ja331"), true, false, false},
	EnableSHA512Syscall:                 {"enable_sha512_syscall", pubkey.MustParse("s512oDwgx8hjMnaQjXfqqrZroVj4HvC6TkN3iSSWXCh"), false, false, false},
	EnableBigModExpSyscall:              {"enable_big_mod_exp_syscall", pubkey.MustParse("expH2ppKPW2ANEdEmAjfhSEcnBQJfmoX4FjuNpe9ttg"), false, false, false},
	Blake3Syscall:                       {"blake3_syscall_enabled", pubkey.MustParse("HTW2pSyErTj4BV6KBM9NZ9VBUJVxt7sacNWcf76wtzb3"), false, false, false},
	IncreaseTxAccountLockLimit:          {"increase_tx_account_lock_limit", pubkey.MustParse("9LZdXeKGeBV6hRLdxS1rHbHoEUsKqesCC2ZAPTPKJAbK"), false, false, false},
	RelaxPostExecMinBalanceCheck:        {"relax_post_exec_min_balance_check", pubkey.MustParse("BY4JhHLahVzS9ynfDz4exzGPbVXhFmJvEyMWsXbDBqME"), true, false, false},
	DeprecateRentExemptionThreshold:     {"deprecate_rent_exemption_threshold", pubkey.MustParse("rent6iVy6PDoViPBeJ6k5EJQrkj62h7DPyLbWGHwjrC"), true, false, false},
}

// All returns the table, in Index order.
func All() []Feature { return table[:] }

// Get returns the feature at i.
func Get(i Index) Feature { return table[i] }

// Set is which features are active. The zero Set has none active.
type Set struct{ bits uint64 }

// Active reports whether feature i is on.
func (s Set) Active(i Index) bool { return s.bits&(1<<i) != 0 }

// With returns s with feature i on or off.
func (s Set) With(i Index, on bool) Set {
	if on {
		s.bits |= 1 << i
	} else {
		s.bits &^= 1 << i
	}
	return s
}

// Everything is every feature on, as LiteSVM runs by default.
func Everything() Set { return Set{bits: 1<<numFeatures - 1} }

// Mainnet is mainnet-beta's set (see Version).
func Mainnet() Set {
	var s Set
	for i, f := range table {
		s = s.With(Index(i), f.Mainnet)
	}
	return s
}

// Error is a feature list that names an unknown feature.
type Error struct {
	// Pos is the position of the bad entry in the comma-separated list.
	Pos  int
	Name string
}

func (e *Error) Error() string {
	return fmt.Sprintf("feature: entry %d: unknown feature %q (want all, mainnet, or names or ids from agora conform --list-features)", e.Pos, e.Name)
}

// Parse reads "all", "mainnet", or a comma-separated list of feature
// names or ids (base58): exactly those active.
func Parse(s string) (Set, error) {
	switch strings.TrimSpace(s) {
	case "all":
		return Everything(), nil
	case "mainnet", "":
		return Mainnet(), nil
	}
	var set Set
	for pos, part := range strings.Split(s, ",") {
		name := strings.TrimSpace(part)
		i := slices.IndexFunc(table[:], func(f Feature) bool { return f.Name == name || f.ID.String() == name })
		if i < 0 {
			return Set{}, &Error{Pos: pos, Name: name}
		}
		set = set.With(Index(i), true)
	}
	return set, nil
}
