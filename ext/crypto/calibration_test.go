package crypto

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"testing"
)

// calibration is one measured operation: the Go work behind a syscall at
// one size, and the price the syscall charges for that size.
type calibration struct {
	name  string
	size  uint64 // the n of base + per_unit·n (elements, or message bytes)
	price uint64
	run   func(i int) // one operation; i varies the input where that matters
}

// calibrations builds the operations BenchmarkCalibration measures.
func calibrations(tb testing.TB) []calibration {
	keys := make([]blsKey, 32)
	pks := make([][]byte, len(keys))
	for i := range keys {
		keys[i] = blsKeyFromSeed(uint64(i))
		pks[i] = keys[i].publicKey()
	}
	msg32 := bytes.Repeat([]byte{0xab}, 32)
	big := bytes.Repeat([]byte{0xcd}, 8192)
	sig32 := keys[0].sign(msg32)
	sigBig := keys[0].sign(big)
	sigs := make([][]byte, len(keys))
	for i, k := range keys {
		sigs[i] = k.sign(msg32)
	}
	agg, _ := BLSAggregateSignatures(sigs)
	msgs := make([][]byte, 4)
	pairSigs := make([][]byte, 4)
	for i := range msgs {
		msgs[i] = bytes.Repeat([]byte{byte(i)}, 32)
		pairSigs[i] = keys[i].sign(msgs[i])
	}
	agg1, _ := BLSAggregateSignatures(pairSigs[:1])
	agg4, _ := BLSAggregateSignatures(pairSigs)

	scalar := func(b byte) []byte { s := make([]byte, 32); s[0], s[9] = b, b; return s }
	commitment, _ := PedersenCommit(scalar(5), scalar(7))

	ek := newVRFEdwardsKey(tb, bytes.Repeat([]byte{3}, 32))
	rk := newVRFRistrettoKey(tb, append(bytes.Repeat([]byte{5}, 31), 0))
	// 16 inputs per size, so that try-and-increment's counter averages out.
	type vrfInput struct{ alpha, ed, r255 []byte }
	vrfInputs := func(n int) []vrfInput {
		out := make([]vrfInput, 16)
		for i := range out {
			alpha := bytes.Repeat([]byte{byte(i)}, n)
			out[i] = vrfInput{alpha, ek.prove(tb, alpha), rk.prove(alpha)}
		}
		return out
	}
	vrf1, vrfBig := vrfInputs(1), vrfInputs(8192)

	must := func(c Code) {
		if c != OK {
			panic(fmt.Sprintf("calibration input rejected: %v", c))
		}
	}
	vrfCost := func(s VRFSuite, n uint64) uint64 { c, _ := VRFVerifyCost(s, n); return c }
	return []calibration{
		// The per-byte parts: hash_to_curve reads the message once, through
		// SHA-256 (expand_message_xmd), and both VRF suites read alpha
		// once, through SHA-512. These rows time that hashing alone, over
		// 8 KiB, against the per-block price times the block count.
		{"bls_message/8192", 8192, CostBLSMessageBlock * 8192 / blsMessageBlock, func(int) { sha256.Sum256(big) }},
		{"vrf_alpha/8192", 8192, CostVRFAlphaBlock * 8192 / vrfAlphaBlock, func(int) { sha512.Sum512(big) }},
		{"bls_verify/msg=32", 32, BLSVerifyCost(32), func(int) { must(BLSVerify(pks[0], msg32, sig32)) }},
		{"bls_verify/msg=8192", 8192, BLSVerifyCost(8192), func(int) { must(BLSVerify(pks[0], big, sigBig)) }},
		{"bls_aggregate_signatures/n=1", 1, BLSAggregateCost(BLSKindSignatures, 1), func(int) { _, c := BLSAggregateSignatures(sigs[:1]); must(c) }},
		{"bls_aggregate_signatures/n=32", 32, BLSAggregateCost(BLSKindSignatures, 32), func(int) { _, c := BLSAggregateSignatures(sigs); must(c) }},
		{"bls_aggregate_public_keys/n=1", 1, BLSAggregateCost(BLSKindPublicKeys, 1), func(int) { _, c := BLSAggregatePublicKeys(pks[:1]); must(c) }},
		{"bls_aggregate_public_keys/n=32", 32, BLSAggregateCost(BLSKindPublicKeys, 32), func(int) { _, c := BLSAggregatePublicKeys(pks); must(c) }},
		{"bls_fast_aggregate_verify/n=1", 1, BLSFastAggregateVerifyCost(1, 32), func(int) { must(BLSFastAggregateVerify(pks[:1], msg32, sig32)) }},
		{"bls_fast_aggregate_verify/n=32", 32, BLSFastAggregateVerifyCost(32, 32), func(int) { must(BLSFastAggregateVerify(pks, msg32, agg)) }},
		{"bls_aggregate_verify/n=1", 1, BLSAggregateVerifyCost(1, 1), func(int) { must(BLSAggregateVerify(pks[:1], msgs[:1], agg1)) }},
		{"bls_aggregate_verify/n=4", 4, BLSAggregateVerifyCost(4, 4), func(int) { must(BLSAggregateVerify(pks[:4], msgs, agg4)) }},
		{"pedersen_commit", 0, CostPedersenCommit, func(int) { _, c := PedersenCommit(scalar(5), scalar(7)); must(c) }},
		{"pedersen_verify", 0, CostPedersenVerify, func(int) { must(PedersenVerify(commitment, scalar(5), scalar(7))) }},
		{"vrf_edwards25519/alpha=1", 1, vrfCost(VRFEdwards25519TAI, 1), func(i int) {
			in := vrf1[i%len(vrf1)]
			_, c, _ := VRFVerify(VRFEdwards25519TAI, ek.pk, in.ed, in.alpha)
			must(c)
		}},
		{"vrf_edwards25519/alpha=8192", 8192, vrfCost(VRFEdwards25519TAI, 8192), func(i int) {
			in := vrfBig[i%len(vrfBig)]
			_, c, _ := VRFVerify(VRFEdwards25519TAI, ek.pk, in.ed, in.alpha)
			must(c)
		}},
		{"vrf_ristretto255/alpha=1", 1, vrfCost(VRFRistretto255, 1), func(i int) {
			in := vrf1[i%len(vrf1)]
			_, c, _ := VRFVerify(VRFRistretto255, rk.pk, in.r255, in.alpha)
			must(c)
		}},
		{"vrf_ristretto255/alpha=8192", 8192, vrfCost(VRFRistretto255, 8192), func(i int) {
			in := vrfBig[i%len(vrfBig)]
			_, c, _ := VRFVerify(VRFRistretto255, rk.pk, in.r255, in.alpha)
			must(c)
		}},
	}
}

// BenchmarkCalibration measures the Go work behind every priced syscall at
// two sizes and reports, next to ns/op, the price charged (CU) and the
// time per CU it implies (ns/CU). Prices are derived at 33 ns/CU, rounded
// up, so ns/CU is at most 33 when the table is current; `agora bench costs`
// flags a row when it is off by more than 2×. How the table's constants
// follow from these figures is in the package documentation.
func BenchmarkCalibration(b *testing.B) {
	for _, c := range calibrations(b) {
		b.Run(c.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				c.run(i)
				i++
			}
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(float64(c.price), "CU")
			b.ReportMetric(ns/float64(c.price), "ns/CU")
		})
	}
}

// BenchmarkVerifyBatch compares the batch entry points with one-by-one
// verification on one goroutine (the baseline, in the same run).
func BenchmarkVerifyBatch(b *testing.B) {
	const n = 64
	bls := make([]BatchItem, n)
	ed := make([]BatchItem, n)
	for i := range n {
		k := blsKeyFromSeed(uint64(i))
		msg := []byte(fmt.Sprintf("message %d", i))
		bls[i] = BatchItem{k.publicKey(), msg, k.sign(msg)}
		priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(i)}, 32))
		ed[i] = BatchItem{priv.Public().(ed25519.PublicKey), msg, ed25519.Sign(priv, msg)}
	}
	for _, c := range []struct {
		name  string
		items []BatchItem
		one   func(*BatchItem) Code
	}{
		{"bls", bls, func(it *BatchItem) Code { return BLSVerify(it.PublicKey, it.Message, it.Signature) }},
		{"ed25519", ed, func(it *BatchItem) Code { return Ed25519Verify(it.PublicKey, it.Message, it.Signature) }},
	} {
		b.Run(c.name+"/serial", func(b *testing.B) {
			for b.Loop() {
				if _, err := verifyBatch(context.Background(), c.items, 1, c.one); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/all-cores", func(b *testing.B) {
			for b.Loop() {
				if _, err := verifyBatch(context.Background(), c.items, 0, c.one); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
