// Package txn is Solana's legacy transaction wire format: compact-u16
// lengths, the message header, account keys, recent blockhash, compiled
// instructions and ed25519 signatures, with the sanity checks and the
// signer/writable privileges Agave derives from the header.
//
// Decode accepts exactly the encodings Solana's bincode/short_vec
// decoder accepts (canonical compact-u16s, no trailing bytes) within the
// 1,232-byte packet limit, and reports anything else as a *DecodeError
// naming the offset; it never panics (a fuzz test keeps it so). Compile
// orders keys as Solana's Message::new does, so a transaction built here
// is byte-identical to one the Solana SDK builds.
//
// The package is pure: it never loads accounts or runs programs.
package txn
