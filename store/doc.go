// Package store keeps the chain's state: every account, and a hash chain
// of blocks, each committed as one atomic write. The embedded default is
// Pebble (cockroachdb/pebble/v2) in a directory, synced on every commit,
// so a process killed at any moment loses no committed block and never
// leaves part of one; an in-memory store serves tests behind the same
// interface.
//
// Each block header carries a state commitment: the checksum of a
// lattice hash (Solana's accounts LtHash construction: a 2,048-byte
// blake3 XOF per account, summed lane by lane modulo 2^16) over all
// accounts. It is order-independent and updated incrementally from the
// accounts a block changes, so committing costs O(changes) while the
// commitment still covers the whole state. An account written back
// unchanged is not hashed, and the hashes of recently committed values
// are kept (a bounded cache, updated only by commits), so a hot account
// costs one hash per block, not two. Block hashes chain: a header's
// hash covers its parent's hash, height, timestamp, state commitment and
// the transactions' signatures.
//
// A committed block must never disappear. Pebble replays its write-ahead
// log up to the first damaged record and drops the rest, which after a
// crash is right (only unsynced bytes can be torn) but would also hide a
// log that lost synced records. So after each commit the head's height
// and hash go to a small head file (AGORA-HEAD, two checksummed slots,
// written in place and synced after Pebble's own sync). Open compares:
// Pebble one block ahead of the file is a crash between the two writes
// and is repaired; Pebble behind the file, or holding another block at
// the file's height, is a *LostBlocksError (ErrCorrupt), reported before
// anything is written. A store without the file gets one.
//
// Reads at a point in time use snapshots; Checkpoint writes a consistent
// copy of the store to a directory (a Pebble store) for backups.
//
// The history: a block may carry a TxRecord per transaction (outcome,
// logs, compute units, fee, each account's lamports before and after, the
// wire bytes), written in the block's atomic batch, keyed by signature
// and indexed by every account key, so that a transaction and an
// address's transactions can be found after a restart.
//
// The package does not execute transactions or know programs: records are
// plain data its caller fills in. It imports only the leaf types under
// solana/, and it never keeps global mutable state.
package store
