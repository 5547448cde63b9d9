// Package crypto implements Agora's native cryptography syscalls
// (docs/extensions.md) that Solana does not have: BLS12-381 signatures,
// Pedersen commitments on ristretto255 and VRF verification. It also holds
// host-side batch verification over all cores: VerifyBLSBatch and
// VerifyEd25519Batch. The BLS scheme itself is package internal/blssig,
// which the offload interface's BATCH_VERIFY_BLS shares.
//
// The syscalls are
//
//	agora_bls_verify                 BLS signature: one key, one message
//	agora_bls_aggregate              sum of BLS signatures, or of public keys
//	agora_bls_fast_aggregate_verify  BLS signature: n keys, one message
//	agora_bls_aggregate_verify       BLS signature: n keys, n messages
//	agora_pedersen_commit            m·G + r·H on ristretto255
//	agora_pedersen_verify            whether a commitment opens to (m, r)
//	agora_vrf_verify                 ECVRF proof check, returning the output
//
// Register adds them to a vm.Registry, Costs lists their prices, and
// Mnemonics gives assembler aliases (`bls_verify` for `syscall
// agora_bls_verify`). Each syscall has a Go counterpart (BLSVerify,
// PedersenCommit, VRFVerify, ...) that returns the same Code.
//
// # Layouts
//
// Arguments are r1–r5; the result code is r0. A fixed-size input is a
// pointer to that many bytes; a variable one is a pointer and a byte
// length; several fixed-size elements are a pointer and a byte length that
// must be a whole number of elements. sdk/c/agora.h declares the same
// layouts in its ext/crypto section.
//
//	agora_bls_verify(pubkey *[48]u8, signature *[96]u8, msg *u8, msg_len u64)
//	agora_bls_aggregate(kind u64, elements *u8, elements_len u64, result *u8)
//	    kind 0: signatures, 96 bytes each, result 96 bytes
//	    kind 1: public keys, 48 bytes each, result 48 bytes
//	agora_bls_fast_aggregate_verify(pubkeys *[n][48]u8, pubkeys_len u64,
//	    signature *[96]u8, msg *u8, msg_len u64)
//	agora_bls_aggregate_verify(pubkeys *[n][48]u8, pubkeys_len u64,
//	    signature *[96]u8, messages *[n]SolBytes, messages_count u64)
//	    SolBytes is {u64 address, u64 length}, 16 bytes, little-endian
//	agora_pedersen_commit(amount *[32]u8, opening *[32]u8, commitment *[32]u8)
//	agora_pedersen_verify(commitment *[32]u8, amount *[32]u8, opening *[32]u8)
//	agora_vrf_verify(suite u64, key_and_proof *[112]u8, alpha *u8,
//	    alpha_len u64, output *[64]u8)
//	    key_and_proof is the public key (32 bytes) then the proof (80)
//	    suite 0x03: ECVRF-EDWARDS25519-SHA512-TAI; 0xff: ECVRF-RISTRETTO255-SHA512
//
// # Codes and faults
//
// What the data says is a Code in r0: OK (0: valid, or the output was
// written), Invalid (1: well formed but does not verify), BadPublicKey (2),
// BadSignature (3: a BLS signature or VRF proof that does not decode),
// BadScalar (4), BadPoint (5), Empty (6: no keys or signatures). Inputs are
// checked in argument order and the first bad one decides the code; an
// output is mapped and written only when the code is OK, so a bad output
// pointer faults only then.
//
// A call that breaks its layout aborts the program with a typed error,
// reported by vm.ErrorKindOf: InvalidLength (a byte length that is not a
// whole number of elements, more than MaxBLSElements elements, a message
// count that differs from the key count), InvalidAttribute (an unknown
// aggregate kind or VRF suite), AccessViolation (a pointer outside the
// memory map, an output in read-only memory) and
// ComputationalBudgetExceeded. Length and selector checks run before the
// price is charged, memory is mapped after it, so a failing call consumes
// either nothing or its whole price. No pointer needs alignment, and an
// empty byte string is never mapped.
//
// # BLS12-381
//
// The scheme is the minimal-pubkey-size proof-of-possession scheme of
// draft-irtf-cfrg-bls-signature-05 with ciphersuite
// BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_, as Ethereum's consensus layer
// uses it: public keys in G1 (48 bytes), signatures in G2 (96 bytes), both
// compressed in the ZCash encoding, hash_to_curve of RFC 9380. Decoding is
// strict: the compression flag must be set, the infinity flag requires
// every other bit to be clear, each coordinate must be below p, the point
// must be on the curve and in the prime-order subgroup. A public key must
// also not be the identity (KeyValidate); a signature may be the identity,
// which never verifies. FastAggregateVerify validates every key and
// rejects (Invalid) a set of keys that sums to the identity, since the
// identity signature would satisfy its equation. AggregateVerify does not
// require distinct messages (proof of possession). Public-key aggregation
// validates every key and may return the identity, as Ethereum's
// eth_aggregate_pubkeys does. The group arithmetic, hash to curve and
// pairing are gnark-crypto's (ecc/bls12-381). Every file of the Ethereum
// consensus vectors (ethereum/bls12-381-tests: verify, aggregate,
// fast_aggregate_verify, aggregate_verify, batch_verify,
// deserialization_G1/G2, hash_to_G2, sign) passes, invalid cases included.
//
// # Pedersen commitments
//
// commitment = amount·G + opening·H on ristretto255, with the generators of
// Solana's zk-sdk (zk-sdk/src/encryption/pedersen.rs): G the basepoint and
// H = RistrettoPoint::hash_from_bytes::<Sha3_512>(compressed G), the
// one-way map of the SHA3-512 digest of G's encoding. Scalars are 32-byte
// little-endian integers below ℓ = 2²⁵² + 27742317777372353535851937790883648493
// (BadScalar otherwise, never reduced); commitments are canonical
// ristretto255 encodings (BadPoint otherwise). The amount is a full
// scalar, so a zk-sdk commitment to a u64 amount is the commitment to that
// amount's 32-byte little-endian encoding.
//
// # VRF
//
// agora_vrf_verify is ECVRF_verify of RFC 9381 with validate_key = TRUE,
// for ECVRF-EDWARDS25519-SHA512-TAI (suite_string 0x03) and for the
// ristretto255 suite of c2sp.org/vrf-r255 (suite_string 0xFF ||
// "c2sp.org/vrf-r255"). For edwards25519 every point is decoded as RFC
// 8032 §5.1.3 says (y ≥ p and a negative zero x are refused, unlike
// filippo.io/edwards25519's lenient SetBytes), and a key whose cofactor
// multiple is the identity is BadPublicKey; for ristretto255 the key must
// not be the identity. A proof is Gamma (32 bytes) || c (16, little-endian)
// || s (32, little-endian, below ℓ). The output beta (64 bytes) is written
// only for a valid proof. Try-and-increment hashes alpha once and clones
// the SHA-512 state per counter, so its cost per byte does not depend on
// the counter; its fixed cost does (about one point decompression per
// try, two tries on average), and the price covers the average. Every
// example of RFC 9381 appendix B.3 and the c2sp.org/vrf-r255 test vector
// pass, intermediate values included (testdata/vrf_vectors.json).
//
// # Batches
//
// VerifyBLSBatch and VerifyEd25519Batch verify N signatures over all cores
// (GOMAXPROCS goroutines pulling items from a shared counter) and return
// one Code per item, at the item's index, so the answer is exactly that of
// verifying the items one by one (BLSVerify, Ed25519Verify), whatever the
// number of cores; an accelerator backend must return the same. There is no
// probabilistic batch equation, which could accept a bad item with small
// probability and would not say which item is bad. Ed25519Verify follows
// crypto/ed25519.Verify's rules exactly (RFC 8032 cofactorless
// verification, s < ℓ, R compared as bytes, lenient key decoding, small-order
// keys accepted) and adds the reason for a rejection.
//
// # Prices
//
// A price is base + per_unit·n in compute units (docs/costs.md), derived
// from the measured time of the Go implementation at Agave's rate of 33 ns
// per CU and rounded up — for BLS, from 1.25 times that time, a margin for
// loaded machines; Costs records each row with the times it came from.
// The times were measured with BenchmarkCalibration (b.Loop, -cpu 1, 12
// runs) and the same operations timed in 12 interleaved rounds of at least
// 60 ms each, on one core of a 2-vCPU AMD EPYC (with SHA-NI) shared with
// other work, Go 1.26.8 linux/amd64, gnark-crypto v0.21.0; each figure is
// the minimum over all runs, which estimates the unloaded time. Per-unit
// times come from two sizes (1 and 32 elements, 1 and 4 pairs); per-byte
// times from hashing 8 KiB alone (SHA-256: 31.8 ns per 64-byte block;
// SHA-512: 126 ns per 128-byte block), or the slope between 1 and 8192
// bytes of alpha where that was larger (edwards25519: 145 ns per block).
// A negative intercept (public-key aggregation) gives a base of 0.
//
//	syscall                          base     per unit               measured
//	agora_bls_verify                 32,294   +1 per 64 B of message 852.5 µs + 31.8 ns/block
//	agora_bls_aggregate (sigs)       46       +2,224 per signature   1.2 µs + 58.7 µs/sig
//	agora_bls_aggregate (keys)       0        +1,708 per key         45.1 µs/key
//	agora_bls_fast_aggregate_verify  30,796   +1,739 per key         813.0 µs + 45.9 µs/key
//	                                          +1 per 64 B of message
//	agora_bls_aggregate_verify       17,327   +14,958 per pair       457.4 µs + 394.9 µs/pair
//	                                          +1 per 64 B of each message
//	agora_pedersen_commit            1,472                           48.6 µs
//	agora_pedersen_verify            1,577                           52.0 µs
//	agora_vrf_verify (0x03)          2,623    +5 per 128 B of alpha  86.5 µs + 145 ns/block
//	agora_vrf_verify (0xff)          2,584    +5 per 128 B of alpha  85.3 µs + 145 ns/block
//
// BenchmarkCalibration re-measures every row and reports the price (CU)
// and the time per CU it implies (ns/CU, at most 33 while the table is
// current); `agora bench costs` flags a row that is off by more than 2×.
//
// This package only computes: it keeps no state between calls (the Pedersen
// generator H is computed once and never written), reads and writes guest
// memory only through vm.Machine.Translate, and never panics on any input.
package crypto
