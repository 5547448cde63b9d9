// Package solcrypto implements Solana's existing cryptographic syscalls
// exactly as Agave does: the same argument ABI, the same results, the same
// return codes and aborts, and the same compute-unit prices.
//
// The syscalls are
//
//	sol_secp256k1_recover       secp256k1 public-key recovery (ECDSA)
//	sol_poseidon                Poseidon over BN254, x^5, circom parameters
//	sol_alt_bn128_group_op      BN254 G1/G2 addition, multiplication, pairing
//	sol_alt_bn128_compression   BN254 G1/G2 point compression
//	sol_curve_validate_point    edwards25519 / ristretto255 point validation
//	sol_curve_group_op          edwards25519 / ristretto255 add, sub, mul
//	sol_curve_multiscalar_mul   edwards25519 / ristretto255 multiscalar mul
//	sol_big_mod_exp             big-integer modular exponentiation
//
// Register adds them to a vm.Registry. Behaviour that Agave selects with
// feature gates is chosen with Options; the zero Options is the newest Agave
// behaviour, with every gate that this package knows active. Costs lists the
// prices so that tools can print them.
//
// Two rules hold throughout. First, a syscall reports a bad input the way
// Agave does: a return code in r0 where Agave returns one (1 for every BN254
// and curve25519 failure, 1/2/3 for secp256k1 recovery), and an abort of the
// program (a vm.SyscallError wrapping an *Error or the VM's access error)
// where Agave aborts. It never panics. Second, every check happens in
// Agave's order, charging compute units at the same point, so that a failing
// call consumes exactly what it consumes in Agave.
//
// Agave decodes BN254 points with the arkworks serializer, which reads the
// two top bits of the last (little-endian) byte of y as flags: bit 6 marks
// the point at infinity and bit 7 a "negative" y that is ignored when y is
// given. The decoders here reproduce that, so an input such as a y whose
// big-endian top byte is 0x40 decodes as the identity, exactly as on a
// validator, although EIP-197 would reject it.
//
// The reference is Agave's syscalls/src/lib.rs (the crate solana-syscalls,
// formerly programs/bpf_loader/src/syscalls/mod.rs) with the solana-bn254,
// solana-curve25519, solana-poseidon and solana-secp256k1-recover crates of
// anza-xyz/solana-sdk and solana-big-mod-exp 3.x (before SIMD-0529, which
// proposes a different sol_big_mod_exp). The arithmetic comes from
// gnark-crypto (BN254), go-iden3-crypto (Poseidon, whose circom constants are
// light-poseidon's), decred's secp256k1, filippo.io/edwards25519 and
// gtank/ristretto255; the encodings, length rules and edge cases around it are
// Agave's, reproduced here.
//
// This package only computes: it keeps no state between calls, reads and
// writes guest memory only through vm.Machine.Translate, and reaches nothing
// outside the VM except an optional log sink and alignment policy that the
// run's context may implement.
package solcrypto
