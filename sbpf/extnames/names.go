// Package extnames defines, once, the name of every agora_* syscall and the
// feature ID the research proposal gave its operation.
//
// A program calls a syscall by the murmur3 hash of its name, so a name is
// part of the on-chain ABI: the families under ext register these names,
// the verifier looks for them, the OVSM compiler emits them, and a
// misspelling in any one of them would silently break the others. This
// package imports nothing and must never import anything: every layer,
// down to verify, may depend on it.
package extnames

// Prefix starts every Agora syscall name. An assembler mnemonic is the
// name without it (see Aliases).
const Prefix = "agora_"

// Transactional memory (ext/txmem).
const (
	TxBegin  = "agora_tx_begin"
	TxCommit = "agora_tx_commit"
	TxAbort  = "agora_tx_abort"
	TxTest   = "agora_tx_test"
)

// Cryptography (ext/crypto and ext/zk).
const (
	BLSVerify              = "agora_bls_verify"
	BLSAggregate           = "agora_bls_aggregate"
	BLSFastAggregateVerify = "agora_bls_fast_aggregate_verify"
	BLSAggregateVerify     = "agora_bls_aggregate_verify"
	Groth16Verify          = "agora_groth16_verify"
	PlonkVerify            = "agora_plonk_verify"
	PedersenCommit         = "agora_pedersen_commit"
	PedersenVerify         = "agora_pedersen_verify"
	VRFVerify              = "agora_vrf_verify"
)

// Economic primitives (ext/econ).
const (
	AuctionCreate    = "agora_auction_create"
	AuctionBid       = "agora_auction_bid"
	AuctionReveal    = "agora_auction_reveal"
	AuctionSettle    = "agora_auction_settle"
	EscrowCreate     = "agora_escrow_create"
	EscrowRelease    = "agora_escrow_release"
	EscrowRefund     = "agora_escrow_refund"
	ReputationUpdate = "agora_reputation_update"
	ReputationQuery  = "agora_reputation_query"
	StakeLock        = "agora_stake_lock"
	StakeSlash       = "agora_stake_slash"
	StakeRelease     = "agora_stake_release"
)

// Parallel lanes and atomics (ext/lanes).
const (
	ParallelSpawn = "agora_parallel_spawn"
	ParallelJoin  = "agora_parallel_join"
	ParallelFence = "agora_parallel_fence"
	AtomicLoad    = "agora_atomic_load"
	AtomicStore   = "agora_atomic_store"
	AtomicCAS     = "agora_atomic_cas"
)

// Message rings (ext/ring).
const (
	RingCreate = "agora_ring_create"
	RingPush   = "agora_ring_push"
	RingPop    = "agora_ring_pop"
	RingPeek   = "agora_ring_peek"
	RingSize   = "agora_ring_size"
)

// Information flow (ext/flow).
const (
	Declassify = "agora_declassify"
)

// Hardware offload (ext/offload).
const (
	HWOffloadQuery  = "agora_hw_offload_query"
	HWOffloadSubmit = "agora_hw_offload_submit"
	HWOffloadPoll   = "agora_hw_offload_poll"
	HWOffloadCancel = "agora_hw_offload_cancel"
)

// Dynamic code loading (ext/modules).
const (
	ModuleCall = "agora_module_call"
)

// Aliases returns the assembler mnemonics of the given syscalls, to pass
// as asm.Options.Aliases: each name maps from itself without Prefix, so
// `tx_begin` assembles to `syscall agora_tx_begin`. A name without Prefix
// maps from itself. The map is new on every call, so callers may merge
// other families' aliases into it.
func Aliases(syscalls ...string) map[string]string {
	m := make(map[string]string, len(syscalls))
	for _, n := range syscalls {
		m[Mnemonic(n)] = n
	}
	return m
}

// Mnemonic is the syscall's name without Prefix.
func Mnemonic(syscall string) string {
	if len(syscall) >= len(Prefix) && syscall[:len(Prefix)] == Prefix {
		return syscall[len(Prefix):]
	}
	return syscall
}
