package crypto

import (
	"encoding/binary"

	"github.com/agora-vm/agora/vm"
)

// Every syscall below follows one order, so that a failing call consumes a
// predictable number of compute units:
//
//  1. Selector and length checks that need no memory: a fault, before any
//     charge.
//  2. The price, computed from the registers, is charged in full
//     (ComputationalBudgetExceeded when it does not fit).
//  3. Inputs are mapped in argument order (AccessViolation for a bad
//     pointer; an empty range never faults).
//  4. The result code is computed; an output is mapped and written only
//     when the code is OK.

// Aggregate kinds of agora_bls_aggregate (r1).
const (
	BLSKindSignatures = 0 // 96-byte G2 signatures in, one out
	BLSKindPublicKeys = 1 // 48-byte G1 public keys in, one out
)

// MaxBLSElements is the most keys or signatures one BLS syscall takes (the
// largest Ethereum committee); more is InvalidLength.
const MaxBLSElements = 2048

// solBytesSize is the size of a SolBytes descriptor: u64 address, u64
// length.
const solBytesSize = 16

// agora_bls_verify(pubkey *[48]u8, signature *[96]u8, msg *u8, msg_len u64)
// -> Code.
func sysBLSVerify(m *vm.Machine, pkAddr, sigAddr, msgAddr, msgLen, _ uint64) (uint64, error) {
	if err := m.Consume(BLSVerifyCost(msgLen)); err != nil {
		return 0, err
	}
	pk, err := load(m, pkAddr, BLSPublicKeySize)
	if err != nil {
		return 0, err
	}
	sig, err := load(m, sigAddr, BLSSignatureSize)
	if err != nil {
		return 0, err
	}
	msg, err := load(m, msgAddr, msgLen)
	if err != nil {
		return 0, err
	}
	return uint64(BLSVerify(pk, msg, sig)), nil
}

// agora_bls_aggregate(kind u64, elements *u8, elements_len u64,
// result *u8) -> Code; result gets 96 (signatures) or 48 (public keys)
// bytes when the code is OK.
func sysBLSAggregate(m *vm.Machine, kind, inAddr, inLen, outAddr, _ uint64) (uint64, error) {
	var size uint64
	switch kind {
	case BLSKindSignatures:
		size = BLSSignatureSize
	case BLSKindPublicKeys:
		size = BLSPublicKeySize
	default:
		return 0, errorf(KindInvalidAttribute, "unknown BLS aggregate kind %d", kind)
	}
	n, err := counted("BLS aggregate input", inLen, size, MaxBLSElements)
	if err != nil {
		return 0, err
	}
	if err := m.Consume(BLSAggregateCost(kind, n)); err != nil {
		return 0, err
	}
	in, err := load(m, inAddr, inLen)
	if err != nil {
		return 0, err
	}
	elems := split(in, int(n), int(size))
	var out []byte
	var code Code
	if kind == BLSKindSignatures {
		out, code = BLSAggregateSignatures(elems)
	} else {
		out, code = BLSAggregatePublicKeys(elems)
	}
	if code != OK {
		return uint64(code), nil
	}
	dst, err := store(m, outAddr, size)
	if err != nil {
		return 0, err
	}
	copy(dst, out)
	return uint64(OK), nil
}

// agora_bls_fast_aggregate_verify(pubkeys *[n][48]u8, pubkeys_len u64,
// signature *[96]u8, msg *u8, msg_len u64) -> Code.
func sysBLSFastAggregateVerify(m *vm.Machine, pksAddr, pksLen, sigAddr, msgAddr, msgLen uint64) (uint64, error) {
	n, err := counted("BLS public keys", pksLen, BLSPublicKeySize, MaxBLSElements)
	if err != nil {
		return 0, err
	}
	if err := m.Consume(BLSFastAggregateVerifyCost(n, msgLen)); err != nil {
		return 0, err
	}
	pks, err := load(m, pksAddr, pksLen)
	if err != nil {
		return 0, err
	}
	sig, err := load(m, sigAddr, BLSSignatureSize)
	if err != nil {
		return 0, err
	}
	msg, err := load(m, msgAddr, msgLen)
	if err != nil {
		return 0, err
	}
	return uint64(BLSFastAggregateVerify(split(pks, int(n), BLSPublicKeySize), msg, sig)), nil
}

// agora_bls_aggregate_verify(pubkeys *[n][48]u8, pubkeys_len u64,
// signature *[96]u8, messages *[n]SolBytes, messages_count u64) -> Code.
func sysBLSAggregateVerify(m *vm.Machine, pksAddr, pksLen, sigAddr, msgsAddr, msgsCount uint64) (uint64, error) {
	n, err := counted("BLS public keys", pksLen, BLSPublicKeySize, MaxBLSElements)
	if err != nil {
		return 0, err
	}
	if msgsCount != n {
		return 0, errorf(KindInvalidLength, "%d messages for %d public keys", msgsCount, n)
	}
	if err := m.Consume(BLSAggregateVerifyCost(n, 0)); err != nil {
		return 0, err
	}
	pks, err := load(m, pksAddr, pksLen)
	if err != nil {
		return 0, err
	}
	sig, err := load(m, sigAddr, BLSSignatureSize)
	if err != nil {
		return 0, err
	}
	desc, err := load(m, msgsAddr, n*solBytesSize)
	if err != nil {
		return 0, err
	}
	// The message bytes are charged once the descriptors are known, before
	// any message is mapped.
	var nblocks uint64
	for i := range n {
		nblocks = satAdd(nblocks, blocks(binary.LittleEndian.Uint64(desc[i*solBytesSize+8:]), blsMessageBlock))
	}
	if err := m.Consume(satMul(nblocks, CostBLSMessageBlock)); err != nil {
		return 0, err
	}
	msgs := make([][]byte, n)
	for i := range msgs {
		d := desc[i*solBytesSize:]
		if msgs[i], err = load(m, binary.LittleEndian.Uint64(d), binary.LittleEndian.Uint64(d[8:])); err != nil {
			return 0, err
		}
	}
	return uint64(BLSAggregateVerify(split(pks, int(n), BLSPublicKeySize), msgs, sig)), nil
}

// agora_pedersen_commit(m *[32]u8, r *[32]u8, result *[32]u8) -> Code;
// result gets m·G + r·H when the code is OK.
func sysPedersenCommit(m *vm.Machine, mAddr, rAddr, outAddr, _, _ uint64) (uint64, error) {
	if err := m.Consume(CostPedersenCommit); err != nil {
		return 0, err
	}
	ms, err := load(m, mAddr, PedersenScalarSize)
	if err != nil {
		return 0, err
	}
	rs, err := load(m, rAddr, PedersenScalarSize)
	if err != nil {
		return 0, err
	}
	c, code := PedersenCommit(ms, rs)
	if code != OK {
		return uint64(code), nil
	}
	dst, err := store(m, outAddr, PedersenCommitmentSize)
	if err != nil {
		return 0, err
	}
	copy(dst, c)
	return uint64(OK), nil
}

// agora_pedersen_verify(commitment *[32]u8, m *[32]u8, r *[32]u8) -> Code.
func sysPedersenVerify(m *vm.Machine, cAddr, mAddr, rAddr, _, _ uint64) (uint64, error) {
	if err := m.Consume(CostPedersenVerify); err != nil {
		return 0, err
	}
	c, err := load(m, cAddr, PedersenCommitmentSize)
	if err != nil {
		return 0, err
	}
	ms, err := load(m, mAddr, PedersenScalarSize)
	if err != nil {
		return 0, err
	}
	rs, err := load(m, rAddr, PedersenScalarSize)
	if err != nil {
		return 0, err
	}
	return uint64(PedersenVerify(c, ms, rs)), nil
}

// vrfKeyAndProofSize is the size of the AgoraVrfProof struct: the public
// key, then the proof.
const vrfKeyAndProofSize = VRFPublicKeySize + VRFProofSize

// agora_vrf_verify(suite u64, key_and_proof *[112]u8, alpha *u8,
// alpha_len u64, output *[64]u8) -> Code; output gets beta when the code is
// OK.
func sysVRFVerify(m *vm.Machine, suite, kpAddr, alphaAddr, alphaLen, outAddr uint64) (uint64, error) {
	price, ok := VRFVerifyCost(VRFSuite(suite), alphaLen)
	if !ok {
		return 0, errorf(KindInvalidAttribute, "unknown VRF suite %#x", suite)
	}
	if err := m.Consume(price); err != nil {
		return 0, err
	}
	kp, err := load(m, kpAddr, vrfKeyAndProofSize)
	if err != nil {
		return 0, err
	}
	alpha, err := load(m, alphaAddr, alphaLen)
	if err != nil {
		return 0, err
	}
	beta, code, err := VRFVerify(VRFSuite(suite), kp[:VRFPublicKeySize], kp[VRFPublicKeySize:], alpha)
	if err != nil {
		return 0, err // unreachable: the suite was checked above
	}
	if code != OK {
		return uint64(code), nil
	}
	dst, err := store(m, outAddr, VRFOutputSize)
	if err != nil {
		return 0, err
	}
	copy(dst, beta)
	return uint64(OK), nil
}
