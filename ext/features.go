package ext

import names "github.com/agora-vm/agora/sbpf/extnames"

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
		{0xE0, "BPF_TX_BEGIN", names.TxBegin, 1},
		{0xE1, "BPF_TX_COMMIT", names.TxCommit, 1},
		{0xE2, "BPF_TX_ABORT", names.TxAbort, 1},
		{0xE3, "BPF_TX_TEST", names.TxTest, 1},
		{0xF0, "BPF_CRYPTO_BLS_VERIFY", names.BLSVerify, 2},
		{0xF1, "BPF_CRYPTO_BLS_AGGREGATE", names.BLSAggregate, 2},
		{0xF2, "BPF_CRYPTO_ZK_GROTH16", names.Groth16Verify, 2},
		{0xF3, "BPF_CRYPTO_ZK_PLONK", names.PlonkVerify, 2},
		{0xF4, "BPF_CRYPTO_POSEIDON_HASH", "sol_poseidon", 2},
		{0xF5, "BPF_CRYPTO_PEDERSEN_COMMIT", names.PedersenCommit, 2},
		{0xF6, "BPF_CRYPTO_VRF_VERIFY", names.VRFVerify, 2},
		{0xD0, "BPF_ECON_AUCTION_CREATE", names.AuctionCreate, 3},
		{0xD1, "BPF_ECON_AUCTION_BID", names.AuctionBid, 3},
		{0xD2, "BPF_ECON_AUCTION_REVEAL", names.AuctionReveal, 3},
		{0xD3, "BPF_ECON_AUCTION_SETTLE", names.AuctionSettle, 3},
		{0xD4, "BPF_ECON_ESCROW_CREATE", names.EscrowCreate, 3},
		{0xD5, "BPF_ECON_ESCROW_RELEASE", names.EscrowRelease, 3},
		{0xD6, "BPF_ECON_ESCROW_REFUND", names.EscrowRefund, 3},
		{0xD7, "BPF_ECON_REPUTATION_UPDATE", names.ReputationUpdate, 3},
		{0xD8, "BPF_ECON_REPUTATION_QUERY", names.ReputationQuery, 3},
		{0xD9, "BPF_ECON_STAKE_LOCK", names.StakeLock, 3},
		{0xDA, "BPF_ECON_STAKE_SLASH", names.StakeSlash, 3},
		{0xDB, "BPF_ECON_STAKE_RELEASE", names.StakeRelease, 3},
		{0xC0, "BPF_PARALLEL_SPAWN", names.ParallelSpawn, 4},
		{0xC1, "BPF_PARALLEL_JOIN", names.ParallelJoin, 4},
		{0xC2, "BPF_PARALLEL_FENCE", names.ParallelFence, 4},
		{0xC3, "BPF_ATOMIC_LOAD", names.AtomicLoad, 4},
		{0xC4, "BPF_ATOMIC_STORE", names.AtomicStore, 4},
		{0xC5, "BPF_ATOMIC_CAS", names.AtomicCAS, 4},
		{0xB0, "BPF_MSG_RING_CREATE", names.RingCreate, 6},
		{0xB1, "BPF_MSG_RING_PUSH", names.RingPush, 6},
		{0xB2, "BPF_MSG_RING_POP", names.RingPop, 6},
		{0xB3, "BPF_MSG_RING_PEEK", names.RingPeek, 6},
		{0xB4, "BPF_MSG_RING_SIZE", names.RingSize, 6},
		{0xA0, "BPF_HW_OFFLOAD_QUERY", names.HWOffloadQuery, 8},
		{0xA1, "BPF_HW_OFFLOAD_SUBMIT", names.HWOffloadSubmit, 8},
		{0xA2, "BPF_HW_OFFLOAD_POLL", names.HWOffloadPoll, 8},
		{0xA3, "BPF_HW_OFFLOAD_CANCEL", names.HWOffloadCancel, 8},
	}
}
