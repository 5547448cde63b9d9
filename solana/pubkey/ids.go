package pubkey

// Addresses of the native programs and sysvars, as Solana defines them.
var (
	SystemProgram             = Pubkey{}
	NativeLoader              = MustParse("NativeLoader1111111111111111111111111111111")
	BPFLoader                 = MustParse("BPFLoader2111111111111111111111111111111111")
	BPFLoaderDeprecated       = MustParse("BPFLoader1111111111111111111111111111111111")
	BPFLoaderUpgradeable      = MustParse("BPFLoaderUpgradeab1e11111111111111111111111")
	LoaderV4                  = MustParse("LoaderV411111111111111111111111111111111111")
	ComputeBudgetProgram      = MustParse("ComputeBudget111111111111111111111111111111")
	SysvarOwner               = MustParse("Sysvar1111111111111111111111111111111111111")
	SysvarClock               = MustParse("SysvarC1ock11111111111111111111111111111111")
	SysvarRent                = MustParse("SysvarRent111111111111111111111111111111111")
	SysvarEpochSchedule       = MustParse("SysvarEpochSchedu1e111111111111111111111111")
	SysvarInstructions        = MustParse("Sysvar1nstructions1111111111111111111111111")
	SysvarRecentBlockhashes   = MustParse("SysvarRecentB1ockHashes11111111111111111111")
	SysvarSlotHashes          = MustParse("SysvarS1otHashes111111111111111111111111111")
	SysvarEpochRewards        = MustParse("SysvarEpochRewards1111111111111111111111111")
	SysvarLastRestartSlot     = MustParse("SysvarLastRestartS1ot1111111111111111111111")
	SysvarFees                = MustParse("SysvarFees111111111111111111111111111111111")
	SysvarStakeHistory        = MustParse("SysvarStakeHistory1111111111111111111111111")
	SysvarSlotHistory         = MustParse("SysvarS1otHistory11111111111111111111111111")
	Incinerator               = MustParse("1nc1nerator11111111111111111111111111111111")
	Ed25519Program            = MustParse("Ed25519SigVerify111111111111111111111111111")
	Secp256k1Program          = MustParse("KeccakSecp256k11111111111111111111111111111")
	VoteProgram               = MustParse("Vote111111111111111111111111111111111111111")
	StakeProgram              = MustParse("Stake11111111111111111111111111111111111111")
	ConfigProgram             = MustParse("Config1111111111111111111111111111111111111")
	AddressLookupTableProgram = MustParse("AddressLookupTab1e1111111111111111111111111")

	// EconProgram is Agora's economics program (package ext/econ):
	// auctions, escrow, reputation and staking. It is not a Solana
	// program.
	EconProgram = MustParse("Econ111111111111111111111111111111111111111")
)

// reservedKeys are the accounts a transaction may never write, whatever
// its header says (Agave's ReservedAccountKeys, active set): sysvars and
// builtin programs.
var reservedKeys = []Pubkey{
	AddressLookupTableProgram, BPFLoader, BPFLoaderDeprecated, BPFLoaderUpgradeable,
	ComputeBudgetProgram, ConfigProgram, EconProgram, Ed25519Program, LoaderV4, NativeLoader,
	SysvarClock, SysvarEpochRewards, SysvarEpochSchedule, SysvarFees, SysvarInstructions,
	SysvarLastRestartSlot, SysvarRecentBlockhashes, SysvarRent, SysvarSlotHashes,
	SysvarSlotHistory, SysvarStakeHistory, SysvarOwner,
}

// IsReserved reports whether k is a reserved account key: a transaction
// naming it writable has it demoted to read-only.
func IsReserved(k Pubkey) bool {
	for _, r := range reservedKeys {
		if r == k {
			return true
		}
	}
	return false
}
