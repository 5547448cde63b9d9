package solcrypto

import (
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/agora-vm/agora/vm"
)

// Return codes of sol_secp256k1_recover (Secp256k1RecoverError as u64).
const (
	Secp256k1InvalidHash       = 1 // never returned: every 32-byte hash is accepted (reduced mod n)
	Secp256k1InvalidRecoveryID = 2 // recovery id above 3
	Secp256k1InvalidSignature  = 3 // r or s out of [1, n), or no key recovers
)

// sol_secp256k1_recover(hash *[32]u8, recovery_id u64, signature *[64]u8,
// result *[64]u8) -> 0 or an error code.
//
// Agave charges 25,000 CU, maps the result (64 bytes, writable), the hash
// and the signature in that order, and writes the uncompressed public key
// without its 0x04 prefix.
func (s *set) secp256k1Recover(m *vm.Machine, hashAddr, recoveryID, sigAddr, resultAddr, _ uint64) (uint64, error) {
	if err := m.Consume(CostSecp256k1Recover); err != nil {
		return 0, err
	}
	result, err := translateBytes(m, vm.Store, resultAddr, 64)
	if err != nil {
		return 0, err
	}
	hash, err := translateBytes(m, vm.Load, hashAddr, 32)
	if err != nil {
		return 0, err
	}
	sig, err := translateBytes(m, vm.Load, sigAddr, 64)
	if err != nil {
		return 0, err
	}
	pub, code := secp256k1Recover(hash, recoveryID, sig)
	if code != 0 {
		return code, nil
	}
	copy(result, pub[:])
	return 0, nil
}

// secp256k1Recover recovers the public key that signed hash, as Agave's
// libsecp256k1 path does: the recovery id must be 0..3; r and s must lie in
// [1, n); for ids 2 and 3, r + n must be below p; the recovered key must not
// be the point at infinity. High s is accepted. It returns the key as x‖y
// (big-endian) and 0, or an error code.
func secp256k1Recover(hash []byte, recoveryID uint64, sig []byte) ([64]byte, uint64) {
	var pub [64]byte
	if recoveryID > 3 {
		return pub, Secp256k1InvalidRecoveryID
	}
	if len(hash) != 32 {
		return pub, Secp256k1InvalidHash
	}
	if len(sig) != 64 {
		return pub, Secp256k1InvalidSignature
	}
	var compact [65]byte
	compact[0] = 27 + byte(recoveryID) // the compact format's header for an uncompressed key
	copy(compact[1:], sig)
	key, _, err := ecdsa.RecoverCompact(compact[:], hash)
	if err != nil {
		return pub, Secp256k1InvalidSignature
	}
	copy(pub[:], key.SerializeUncompressed()[1:])
	return pub, 0
}
