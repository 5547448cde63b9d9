// Package txn is Solana's transaction wire format, legacy and v0:
// compact-u16 lengths, the version prefix, the message header, account
// keys, recent blockhash, compiled instructions, address table lookups
// and ed25519 signatures, with the sanity checks and the signer/writable
// privileges Agave derives from the header and the loaded addresses
// (Resolved).
//
// Decode accepts exactly the encodings Solana's bincode/short_vec
// decoder accepts (canonical compact-u16s, no trailing bytes) within the
// 1,232-byte packet limit (a version prefix other than v0's is
// ErrUnsupportedVersion), and reports anything else as a *DecodeError
// naming the offset; it never panics (a fuzz test keeps it so). Compile
// orders keys as Solana's Message::new does, and CompileV0 as
// v0::Message::try_compile does, so a transaction built here is
// byte-identical to one the Solana SDK builds.
//
// The package is pure: it never loads accounts or runs programs; a v0
// message's lookups are resolved by the runtime, which hands the loaded
// addresses to Message.Resolve.
package txn
