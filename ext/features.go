package ext

import "github.com/agora-vm/agora/sbpf/extnames"

// Feature is one of Agora's extension operations. An early design gave
// each one an opcode number; those numbers collide with the existing ISA,
// so Agora implements every operation as a syscall and keeps the numbers
// only as stable feature IDs (docs/extensions.md).
type Feature struct {
	ID      uint8  // the proposal's number, e.g. 0xE0 for BPF_TX_BEGIN
	Name    string // the proposal's name
	Syscall string // the syscall that implements it
	Part    int    // the proposal's part (1 transactional memory, 2 crypto, ...)
}

// Features lists every operation of the proposal, by part and ID.
func Features() []Feature {
	return []Feature{
		{0xE0, "BPF_TX_BEGIN", extnames.TxBegin, 1},
		{0xE1, "BPF_TX_COMMIT", extnames.TxCommit, 1},
		{0xE2, "BPF_TX_ABORT", extnames.TxAbort, 1},
		{0xE3, "BPF_TX_TEST", extnames.TxTest, 1},
		{0xF0, "BPF_CRYPTO_BLS_VERIFY", extnames.BLSVerify, 2},
		{0xF1, "BPF_CRYPTO_BLS_AGGREGATE", extnames.BLSAggregate, 2},
		{0xF2, "BPF_CRYPTO_ZK_GROTH16", extnames.Groth16Verify, 2},
		{0xF3, "BPF_CRYPTO_ZK_PLONK", extnames.PlonkVerify, 2},
		{0xF4, "BPF_CRYPTO_POSEIDON_HASH", "sol_poseidon", 2},
		{0xF5, "BPF_CRYPTO_PEDERSEN_COMMIT", extnames.PedersenCommit, 2},
		{0xF6, "BPF_CRYPTO_VRF_VERIFY", extnames.VRFVerify, 2},
		{0xD0, "BPF_ECON_AUCTION_CREATE", extnames.AuctionCreate, 3},
		{0xD1, "BPF_ECON_AUCTION_BID", extnames.AuctionBid, 3},
		{0xD2, "BPF_ECON_AUCTION_REVEAL", extnames.AuctionReveal, 3},
		{0xD3, "BPF_ECON_AUCTION_SETTLE", extnames.AuctionSettle, 3},
		{0xD4, "BPF_ECON_ESCROW_CREATE", extnames.EscrowCreate, 3},
		{0xD5, "BPF_ECON_ESCROW_RELEASE", extnames.EscrowRelease, 3},
		{0xD6, "BPF_ECON_ESCROW_REFUND", extnames.EscrowRefund, 3},
		{0xD7, "BPF_ECON_REPUTATION_UPDATE", extnames.ReputationUpdate, 3},
		{0xD8, "BPF_ECON_REPUTATION_QUERY", extnames.ReputationQuery, 3},
		{0xD9, "BPF_ECON_STAKE_LOCK", extnames.StakeLock, 3},
		{0xDA, "BPF_ECON_STAKE_SLASH", extnames.StakeSlash, 3},
		{0xDB, "BPF_ECON_STAKE_RELEASE", extnames.StakeRelease, 3},
		{0xC0, "BPF_PARALLEL_SPAWN", extnames.ParallelSpawn, 4},
		{0xC1, "BPF_PARALLEL_JOIN", extnames.ParallelJoin, 4},
		{0xC2, "BPF_PARALLEL_FENCE", extnames.ParallelFence, 4},
		{0xC3, "BPF_ATOMIC_LOAD", extnames.AtomicLoad, 4},
		{0xC4, "BPF_ATOMIC_STORE", extnames.AtomicStore, 4},
		{0xC5, "BPF_ATOMIC_CAS", extnames.AtomicCAS, 4},
		{0xB0, "BPF_MSG_RING_CREATE", extnames.RingCreate, 6},
		{0xB1, "BPF_MSG_RING_PUSH", extnames.RingPush, 6},
		{0xB2, "BPF_MSG_RING_POP", extnames.RingPop, 6},
		{0xB3, "BPF_MSG_RING_PEEK", extnames.RingPeek, 6},
		{0xB4, "BPF_MSG_RING_SIZE", extnames.RingSize, 6},
		{0xA0, "BPF_HW_OFFLOAD_QUERY", extnames.HWOffloadQuery, 8},
		{0xA1, "BPF_HW_OFFLOAD_SUBMIT", extnames.HWOffloadSubmit, 8},
		{0xA2, "BPF_HW_OFFLOAD_POLL", extnames.HWOffloadPoll, 8},
		{0xA3, "BPF_HW_OFFLOAD_CANCEL", extnames.HWOffloadCancel, 8},
		{0x90, "BPF_MODULE_CALL", extnames.ModuleCall, 9},
	}
}
