package ext

import "github.com/agora-vm/agora/ext/abi"

// Feature is an operation of the research proposal. The proposal gave
// each one an opcode number; those numbers collide with the existing ISA
// (DESIGN.md §5), so Agora implements every operation as a syscall and
// keeps the numbers only as stable feature IDs.
type Feature struct {
	ID      uint8  // the proposal's number, e.g. 0xE0 for BPF_TX_BEGIN
	Name    string // the proposal's name
	Syscall string // the syscall that implements it
	Part    int    // the proposal's part (1 transactional memory, 2 crypto, ...)
}

// Features lists every operation of the proposal, by part and ID.
func Features() []Feature {
	return []Feature{
		{0xE0, "BPF_TX_BEGIN", abi.TxBegin, 1},
		{0xE1, "BPF_TX_COMMIT", abi.TxCommit, 1},
		{0xE2, "BPF_TX_ABORT", abi.TxAbort, 1},
		{0xE3, "BPF_TX_TEST", abi.TxTest, 1},
		{0xF0, "BPF_CRYPTO_BLS_VERIFY", abi.BLSVerify, 2},
		{0xF1, "BPF_CRYPTO_BLS_AGGREGATE", abi.BLSAggregate, 2},
		{0xF2, "BPF_CRYPTO_ZK_GROTH16", abi.Groth16Verify, 2},
		{0xF3, "BPF_CRYPTO_ZK_PLONK", abi.PlonkVerify, 2},
		{0xF4, "BPF_CRYPTO_POSEIDON_HASH", "sol_poseidon", 2},
		{0xF5, "BPF_CRYPTO_PEDERSEN_COMMIT", abi.PedersenCommit, 2},
		{0xF6, "BPF_CRYPTO_VRF_VERIFY", abi.VRFVerify, 2},
		{0xD0, "BPF_ECON_AUCTION_CREATE", abi.AuctionCreate, 3},
		{0xD1, "BPF_ECON_AUCTION_BID", abi.AuctionBid, 3},
		{0xD2, "BPF_ECON_AUCTION_REVEAL", abi.AuctionReveal, 3},
		{0xD3, "BPF_ECON_AUCTION_SETTLE", abi.AuctionSettle, 3},
		{0xD4, "BPF_ECON_ESCROW_CREATE", abi.EscrowCreate, 3},
		{0xD5, "BPF_ECON_ESCROW_RELEASE", abi.EscrowRelease, 3},
		{0xD6, "BPF_ECON_ESCROW_REFUND", abi.EscrowRefund, 3},
		{0xD7, "BPF_ECON_REPUTATION_UPDATE", abi.ReputationUpdate, 3},
		{0xD8, "BPF_ECON_REPUTATION_QUERY", abi.ReputationQuery, 3},
		{0xD9, "BPF_ECON_STAKE_LOCK", abi.StakeLock, 3},
		{0xDA, "BPF_ECON_STAKE_SLASH", abi.StakeSlash, 3},
		{0xDB, "BPF_ECON_STAKE_RELEASE", abi.StakeRelease, 3},
		{0xC0, "BPF_PARALLEL_SPAWN", abi.ParallelSpawn, 4},
		{0xC1, "BPF_PARALLEL_JOIN", abi.ParallelJoin, 4},
		{0xC2, "BPF_PARALLEL_FENCE", abi.ParallelFence, 4},
		{0xC3, "BPF_ATOMIC_LOAD", abi.AtomicLoad, 4},
		{0xC4, "BPF_ATOMIC_STORE", abi.AtomicStore, 4},
		{0xC5, "BPF_ATOMIC_CAS", abi.AtomicCAS, 4},
		{0xB0, "BPF_MSG_RING_CREATE", abi.RingCreate, 6},
		{0xB1, "BPF_MSG_RING_PUSH", abi.RingPush, 6},
		{0xB2, "BPF_MSG_RING_POP", abi.RingPop, 6},
		{0xB3, "BPF_MSG_RING_PEEK", abi.RingPeek, 6},
		{0xB4, "BPF_MSG_RING_SIZE", abi.RingSize, 6},
		{0xA0, "BPF_HW_OFFLOAD_QUERY", abi.HWOffloadQuery, 8},
		{0xA1, "BPF_HW_OFFLOAD_SUBMIT", abi.HWOffloadSubmit, 8},
		{0xA2, "BPF_HW_OFFLOAD_POLL", abi.HWOffloadPoll, 8},
		{0xA3, "BPF_HW_OFFLOAD_CANCEL", abi.HWOffloadCancel, 8},
	}
}
