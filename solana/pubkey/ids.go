package pubkey

// Addresses of the native programs and sysvars, as Solana defines them
// (and Agora's economics program). They are functions, not variables, so
// that no package can change them.

// The values behind the functions below; unexported, never written.
var (
	idSystemProgram             = Pubkey{}
	idNativeLoader              = MustParse("NativeLoader1111111111111111111111111111111")
	idBPFLoader                 = MustParse("BPFLoader2111111111111111111111111111111111")
	idBPFLoaderDeprecated       = MustParse("BPFLoader1111111111111111111111111111111111")
	idBPFLoaderUpgradeable      = MustParse("BPFLoaderUpgradeab1e11111111111111111111111")
	idLoaderV4                  = MustParse("LoaderV411111111111111111111111111111111111")
	idComputeBudgetProgram      = MustParse("ComputeBudget111111111111111111111111111111")
	idSysvarOwner               = MustParse("Sysvar1111111111111111111111111111111111111")
	idSysvarClock               = MustParse("SysvarC1ock11111111111111111111111111111111")
	idSysvarRent                = MustParse("SysvarRent111111111111111111111111111111111")
	idSysvarEpochSchedule       = MustParse("SysvarEpochSchedu1e111111111111111111111111")
	idSysvarInstructions        = MustParse("Sysvar1nstructions1111111111111111111111111")
	idSysvarRecentBlockhashes   = MustParse("SysvarRecentB1ockHashes11111111111111111111")
	idSysvarSlotHashes          = MustParse("SysvarS1otHashes111111111111111111111111111")
	idSysvarEpochRewards        = MustParse("SysvarEpochRewards1111111111111111111111111")
	idSysvarLastRestartSlot     = MustParse("SysvarLastRestartS1ot1111111111111111111111")
	idSysvarFees                = MustParse("SysvarFees111111111111111111111111111111111")
	idSysvarStakeHistory        = MustParse("SysvarStakeHistory1111111111111111111111111")
	idSysvarSlotHistory         = MustParse("SysvarS1otHistory11111111111111111111111111")
	idIncinerator               = MustParse("1nc1nerator11111111111111111111111111111111")
	idEd25519Program            = MustParse("Ed25519SigVerify111111111111111111111111111")
	idSecp256k1Program          = MustParse("KeccakSecp256k11111111111111111111111111111")
	idSecp256r1Program          = MustParse("Secp256r1SigVerify1111111111111111111111111")
	idVoteProgram               = MustParse("Vote111111111111111111111111111111111111111")
	idStakeProgram              = MustParse("Stake11111111111111111111111111111111111111")
	idConfigProgram             = MustParse("Config1111111111111111111111111111111111111")
	idAddressLookupTableProgram = MustParse("AddressLookupTab1e1111111111111111111111111")
	idEconProgram               = MustParse("Econ111111111111111111111111111111111111111")

	// Reserved keys no Agora code names otherwise.
	idStakeConfig    = MustParse("StakeConfig11111111111111111111111111111111")
	idFeatureProgram = MustParse("Feature111111111111111111111111111111111111")
	idZkTokenProof   = MustParse("ZkTokenProof1111111111111111111111111111111")
	idZkElGamalProof = MustParse("ZkE1Gama1Proof11111111111111111111111111111")
	idSysvarRewards  = MustParse("SysvarRewards111111111111111111111111111111")
)

// SystemProgram returns the address of the System program.
func SystemProgram() Pubkey { return idSystemProgram }

// NativeLoader returns the address of the Native Loader.
func NativeLoader() Pubkey { return idNativeLoader }

// BPFLoader returns the address of the BPF Loader.
func BPFLoader() Pubkey { return idBPFLoader }

// BPFLoaderDeprecated returns the address of the BPF Loader Deprecated.
func BPFLoaderDeprecated() Pubkey { return idBPFLoaderDeprecated }

// BPFLoaderUpgradeable returns the address of the BPF Loader Upgradeable.
func BPFLoaderUpgradeable() Pubkey { return idBPFLoaderUpgradeable }

// LoaderV4 returns the address of the Loader V4.
func LoaderV4() Pubkey { return idLoaderV4 }

// ComputeBudgetProgram returns the address of the Compute Budget program.
func ComputeBudgetProgram() Pubkey { return idComputeBudgetProgram }

// SysvarOwner returns the address of the sysvar Owner.
func SysvarOwner() Pubkey { return idSysvarOwner }

// SysvarClock returns the address of the sysvar Clock.
func SysvarClock() Pubkey { return idSysvarClock }

// SysvarRent returns the address of the sysvar Rent.
func SysvarRent() Pubkey { return idSysvarRent }

// SysvarEpochSchedule returns the address of the sysvar Epoch Schedule.
func SysvarEpochSchedule() Pubkey { return idSysvarEpochSchedule }

// SysvarInstructions returns the address of the sysvar Instructions.
func SysvarInstructions() Pubkey { return idSysvarInstructions }

// SysvarRecentBlockhashes returns the address of the sysvar Recent Blockhashes.
func SysvarRecentBlockhashes() Pubkey { return idSysvarRecentBlockhashes }

// SysvarSlotHashes returns the address of the sysvar Slot Hashes.
func SysvarSlotHashes() Pubkey { return idSysvarSlotHashes }

// SysvarEpochRewards returns the address of the sysvar Epoch Rewards.
func SysvarEpochRewards() Pubkey { return idSysvarEpochRewards }

// SysvarLastRestartSlot returns the address of the sysvar Last Restart Slot.
func SysvarLastRestartSlot() Pubkey { return idSysvarLastRestartSlot }

// SysvarFees returns the address of the sysvar Fees.
func SysvarFees() Pubkey { return idSysvarFees }

// SysvarStakeHistory returns the address of the sysvar Stake History.
func SysvarStakeHistory() Pubkey { return idSysvarStakeHistory }

// SysvarSlotHistory returns the address of the sysvar Slot History.
func SysvarSlotHistory() Pubkey { return idSysvarSlotHistory }

// Incinerator returns the address of the Incinerator.
func Incinerator() Pubkey { return idIncinerator }

// Ed25519Program returns the address of the Ed25519 program.
func Ed25519Program() Pubkey { return idEd25519Program }

// Secp256k1Program returns the address of the Secp256k1 program.
func Secp256k1Program() Pubkey { return idSecp256k1Program }

// Secp256r1Program returns the address of the Secp256r1 program.
func Secp256r1Program() Pubkey { return idSecp256r1Program }

// VoteProgram returns the address of the Vote program.
func VoteProgram() Pubkey { return idVoteProgram }

// StakeProgram returns the address of the Stake program.
func StakeProgram() Pubkey { return idStakeProgram }

// ConfigProgram returns the address of the Config program.
func ConfigProgram() Pubkey { return idConfigProgram }

// AddressLookupTableProgram returns the address of the Address Lookup Table program.
func AddressLookupTableProgram() Pubkey { return idAddressLookupTableProgram }

// EconProgram returns the address of the Econ program.
func EconProgram() Pubkey { return idEconProgram }

// reservedKeys are the accounts a transaction may never write, whatever
// its header says (Agave's ReservedAccountKeys, active set): sysvars and
// builtin programs.
var reservedKeys = []Pubkey{
	idAddressLookupTableProgram, idBPFLoader, idBPFLoaderDeprecated, idBPFLoaderUpgradeable,
	idComputeBudgetProgram, idConfigProgram, idEconProgram, idEd25519Program, idFeatureProgram, idLoaderV4,
	idSecp256k1Program, idSecp256r1Program, idStakeConfig, idStakeProgram, idSystemProgram, idVoteProgram,
	idZkElGamalProof, idZkTokenProof, idNativeLoader,
	idSysvarClock, idSysvarEpochRewards, idSysvarEpochSchedule, idSysvarFees, idSysvarInstructions,
	idSysvarLastRestartSlot, idSysvarRecentBlockhashes, idSysvarRent, idSysvarRewards, idSysvarSlotHashes,
	idSysvarSlotHistory, idSysvarStakeHistory, idSysvarOwner,
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
