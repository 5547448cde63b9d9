// Package zk implements Agora's zero-knowledge proof verification syscalls
// (docs/extensions.md):
//
//	agora_groth16_verify   Groth16 over BN254 or BLS12-381 (gnark's Groth16,
//	                       and snarkjs/circom proofs through ConvertSnarkJS)
//	agora_plonk_verify     gnark's PLONK (KZG) over BN254 or BLS12-381
//
// Both take the curve in r1 and, in r2, the guest address of a 48-byte
// argument block of three (pointer, length) pairs, each two little-endian
// u64s: the serialized verifying key, the serialized proof and the public
// inputs. They return 0 in r0 when the proof is valid and 1 when it is not.
//
//	offset  0  u64 vk_addr        offset 16  u64 proof_addr   offset 32  u64 public_addr
//	offset  8  u64 vk_len         offset 24  u64 proof_len    offset 40  u64 public_len
//
// The verifying key and the proof are gnark's own binary serialization, as
// gnark v0.16's VerifyingKey.WriteTo / Proof.WriteTo (compressed points)
// or WriteRawTo (uncompressed points) produce it, so keys and proofs made by
// gnark tooling are passed through unchanged. Every point carries its own
// compression flag (gnark-crypto's encoding: the top two bits of the first
// byte for BN254, the top three, zcash style, for BLS12-381), so the two
// forms may even be mixed. The public inputs are n scalars of the curve's
// scalar field, 32 bytes each, big-endian, canonical (below the field
// order) and in the circuit's order of public variables, without gnark's
// witness header: public_len is exactly 32·n. The curve ids are CurveBN254
// (0) and CurveBLS12381 (1).
//
// A syscall aborts the program (a vm.SyscallError wrapping an *Error) for
// an unknown curve, for any argument that does not decode — a truncated or
// over-long encoding, a length prefix that does not fit, a coordinate or
// scalar not below its modulus, a point off the curve or outside the
// prime-order subgroup, an inconsistent key — and when the number of public
// inputs is not the key's. A bad pointer is the VM's AccessViolation. A
// proof that decodes, has the key's shape and fails the verification
// equation returns 1; one whose shape (number of commitments, opened
// values) does not match the key returns 1 too. The syscalls never panic:
// every length prefix of gnark's format is checked against the bytes that
// remain before gnark's decoder sees the input, so a hostile length cannot
// make it allocate, and the verification is run under a recover as a last
// resort.
//
// Prices follow the rule of docs/costs.md: base + per-input·n (+ per-commitment·c for
// keys with BSB22 commitments), calibrated from the measured time of the Go
// implementation at 33 ns per CU and rounded up. Costs lists them. The
// price is charged after the cheap structural checks and before any curve
// arithmetic, so a rejected encoding that costs real work has been paid
// for.
//
// Register adds the two syscalls to a vm.Registry; Verify runs the same
// checks and verification from Go. Limits: at most MaxPublicInputs public
// inputs and MaxCommitments commitments. Costs lists the prices and
// BenchCases gives a valid proof of each calibrated shape, for
// `agora bench costs`.
//
// ConvertSnarkJS turns a snarkjs/circom Groth16 BN254 verification_key.json,
// proof.json and public.json into the serialization above; it is what the
// `agora zk convert` command calls.
//
// Dependencies: github.com/consensys/gnark v0.16.0 (backend/groth16 and
// backend/plonk, per curve) is the verifier, and its binary format is the
// format of keys made by gnark tooling; it is the gnark release built on
// the gnark-crypto v0.21.0 that the module already uses for its curves.
//
// The package only computes: it keeps no state between calls and reads
// guest memory only through vm.Machine.Translate. gnark's verifiers write a
// debug line to standard output on every call unless gnark's logger is off
// (it is off under `go test`), and a syscall must never write to the host's
// output: a program that registers this family calls QuietLogger once, at
// startup, before any goroutine verifies a proof. Loading the package
// changes nothing.
package zk
