package svm

import (
	"math/bits"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

// SignatureCounts are the signatures a transaction pays for (Agave's
// TransactionSignatureDetails): its own, and those its precompile
// instructions verify.
type SignatureCounts struct {
	Transaction uint64
	Ed25519     uint64
	Secp256k1   uint64
	Secp256r1   uint64
}

// Signatures counts m's signatures: the header's required signatures,
// and for every instruction of a precompile program the first byte of
// its data (0 for empty data), which is the number of signatures the
// instruction claims to verify, whether or not it does.
func Signatures(m *txn.Message) SignatureCounts {
	c := SignatureCounts{Transaction: uint64(m.Header.NumRequiredSignatures)}
	for _, ci := range m.Instructions {
		if int(ci.ProgramIDIndex) >= len(m.AccountKeys) {
			continue // only an unsanitized message; it never executes
		}
		var n uint64
		if len(ci.Data) > 0 {
			n = uint64(ci.Data[0])
		}
		switch m.AccountKeys[ci.ProgramIDIndex] {
		case pubkey.Ed25519Program():
			c.Ed25519 += n
		case pubkey.Secp256k1Program():
			c.Secp256k1 += n
		case pubkey.Secp256r1Program():
			c.Secp256r1 += n
		}
	}
	return c
}

// Fee is Agave's calculate_fee_details: lamportsPerSignature times the
// signatures m pays for, plus the prioritization fee, saturating. (The
// secp256r1 signatures once counted only under
// enable_secp256r1_precompile; the Agave version Agora follows has
// retired that gate and counts them always.)
func Fee(m *txn.Message, lamportsPerSignature, prioritizationFee uint64) uint64 {
	c := Signatures(m)
	n := satAdd(satAdd(satAdd(c.Transaction, c.Ed25519), c.Secp256k1), c.Secp256r1)
	return satAdd(satMul(n, lamportsPerSignature), prioritizationFee)
}

// Fee is the package's Fee at the executor's FeePerSignature: what
// Execute charges, and what the node quotes (getFeeForMessage) and
// checks before admitting a transaction.
func (ex *Executor) Fee(m *txn.Message, prioritizationFee uint64) uint64 {
	return Fee(m, ex.FeePerSignature, prioritizationFee)
}

func satMul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return ^uint64(0)
	}
	return lo
}
