package ext

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
		{0xE0, "BPF_TX_BEGIN", "agora_tx_begin", 1},
		{0xE1, "BPF_TX_COMMIT", "agora_tx_commit", 1},
		{0xE2, "BPF_TX_ABORT", "agora_tx_abort", 1},
		{0xE3, "BPF_TX_TEST", "agora_tx_test", 1},
		{0xF0, "BPF_CRYPTO_BLS_VERIFY", "agora_bls_verify", 2},
		{0xF1, "BPF_CRYPTO_BLS_AGGREGATE", "agora_bls_aggregate", 2},
		{0xF2, "BPF_CRYPTO_ZK_GROTH16", "agora_groth16_verify", 2},
		{0xF3, "BPF_CRYPTO_ZK_PLONK", "agora_plonk_verify", 2},
		{0xF4, "BPF_CRYPTO_POSEIDON_HASH", "sol_poseidon", 2},
		{0xF5, "BPF_CRYPTO_PEDERSEN_COMMIT", "agora_pedersen_commit", 2},
		{0xF6, "BPF_CRYPTO_VRF_VERIFY", "agora_vrf_verify", 2},
		{0xD0, "BPF_ECON_AUCTION_CREATE", "agora_auction_create", 3},
		{0xD1, "BPF_ECON_AUCTION_BID", "agora_auction_bid", 3},
		{0xD2, "BPF_ECON_AUCTION_REVEAL", "agora_auction_reveal", 3},
		{0xD3, "BPF_ECON_AUCTION_SETTLE", "agora_auction_settle", 3},
		{0xD4, "BPF_ECON_ESCROW_CREATE", "agora_escrow_create", 3},
		{0xD5, "BPF_ECON_ESCROW_RELEASE", "agora_escrow_release", 3},
		{0xD6, "BPF_ECON_ESCROW_REFUND", "agora_escrow_refund", 3},
		{0xD7, "BPF_ECON_REPUTATION_UPDATE", "agora_reputation_update", 3},
		{0xD8, "BPF_ECON_REPUTATION_QUERY", "agora_reputation_query", 3},
		{0xD9, "BPF_ECON_STAKE_LOCK", "agora_stake_lock", 3},
		{0xDA, "BPF_ECON_STAKE_SLASH", "agora_stake_slash", 3},
		{0xDB, "BPF_ECON_STAKE_RELEASE", "agora_stake_release", 3},
		{0xC0, "BPF_PARALLEL_SPAWN", "agora_parallel_spawn", 4},
		{0xC1, "BPF_PARALLEL_JOIN", "agora_parallel_join", 4},
		{0xC2, "BPF_PARALLEL_FENCE", "agora_parallel_fence", 4},
		{0xC3, "BPF_ATOMIC_LOAD", "agora_atomic_load", 4},
		{0xC4, "BPF_ATOMIC_STORE", "agora_atomic_store", 4},
		{0xC5, "BPF_ATOMIC_CAS", "agora_atomic_cas", 4},
		{0xB0, "BPF_MSG_RING_CREATE", "agora_ring_create", 6},
		{0xB1, "BPF_MSG_RING_PUSH", "agora_ring_push", 6},
		{0xB2, "BPF_MSG_RING_POP", "agora_ring_pop", 6},
		{0xB3, "BPF_MSG_RING_PEEK", "agora_ring_peek", 6},
		{0xB4, "BPF_MSG_RING_SIZE", "agora_ring_size", 6},
		{0xA0, "BPF_HW_OFFLOAD_QUERY", "agora_hw_offload_query", 8},
		{0xA1, "BPF_HW_OFFLOAD_SUBMIT", "agora_hw_offload_submit", 8},
		{0xA2, "BPF_HW_OFFLOAD_POLL", "agora_hw_offload_poll", 8},
		{0xA3, "BPF_HW_OFFLOAD_CANCEL", "agora_hw_offload_cancel", 8},
	}
}
