package sim

import (
	"bytes"
	"crypto/ed25519"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"

	"github.com/agora-vm/agora/solana/computebudget"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

// TestSignBatchMatchesStdlib: the batch signer gives crypto/ed25519's
// keys and signatures byte for byte, for batches of every small size and
// messages of many lengths.
func TestSignBatchMatchesStdlib(t *testing.T) {
	g := rand.New(rand.NewPCG(1, 2))
	for n := range 40 {
		keys := make([]*signer, n)
		msgs := make([][]byte, n)
		std := make([]ed25519.PrivateKey, n)
		for i := range n {
			seed := make([]byte, 32)
			for j := range seed {
				seed[j] = byte(g.Uint32())
			}
			k := newSigner(seed)
			keys[i], std[i] = &k, ed25519.NewKeyFromSeed(seed)
			if !bytes.Equal(k.pub[:], std[i].Public().(ed25519.PublicKey)) {
				t.Fatalf("n=%d key %d: public key %x, crypto/ed25519 %x", n, i, k.pub, std[i].Public())
			}
			msgs[i] = make([]byte, g.IntN(1300))
			for j := range msgs[i] {
				msgs[i][j] = byte(g.Uint32())
			}
		}
		sigs := make([]txn.Signature, n)
		signBatch(keys, msgs, sigs)
		for i := range n {
			if want := ed25519.Sign(std[i], msgs[i]); !bytes.Equal(sigs[i][:], want) {
				t.Fatalf("n=%d sig %d: %x, crypto/ed25519 %x", n, i, sigs[i], want)
			}
		}
	}
}

// TestSignAllMatchesTxnSign: signAll builds the transactions txn.Compile
// and txn.Sign build, with two signers where a transaction needs them, and
// names the transaction it cannot sign.
func TestSignAllMatchesTxnSign(t *testing.T) {
	a, b, c := keyFor(1, "t", 0), keyFor(1, "t", 1), keyFor(1, "t", 2)
	specs := []txSpec{
		{ixs: []txn.Instruction{computebudget.SetComputeUnitLimit(900), system.Transfer(a.pub, b.pub, 5)}, signers: []*signer{&a}},
		{ixs: []txn.Instruction{system.Transfer(b.pub, c.pub, 7), system.Transfer(a.pub, c.pub, 1)}, signers: []*signer{&b, &a}},
	}
	hash := txn.Hash{9, 9}
	txs, _, err := signAll(specs, hash)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range specs {
		m, err := txn.Compile(s.signers[0].pub, s.ixs, hash)
		if err != nil {
			t.Fatal(err)
		}
		var std []ed25519.PrivateKey
		for _, k := range s.signers {
			for j := range 3 {
				if keyFor(1, "t", j).pub == k.pub {
					std = append(std, ed25519.NewKeyFromSeed(keySeed(1, "t", j)))
				}
			}
		}
		want, err := txn.Sign(m, std...)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(txs[i].Encode(), want.Encode()) {
			t.Fatalf("transaction %d differs from txn.Sign's", i)
		}
		if err := txs[i].Verify(); err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}
	bad := append(specs, txSpec{ixs: []txn.Instruction{system.Transfer(c.pub, a.pub, 1)}, signers: []*signer{&a}})
	if _, i, err := signAll(bad, hash); err == nil || i != 2 {
		t.Fatalf("a transaction without its signer's key: index %d, error %v", i, err)
	}
}

// BenchmarkSignBatch signs a block's worth of 300-byte messages, each by
// its own key, per signature; stdlib is crypto/ed25519.Sign on the same
// keys and messages, the baseline.
func BenchmarkSignBatch(b *testing.B) {
	const n = 256
	keys := make([]*signer, n)
	std := make([]ed25519.PrivateKey, n)
	msgs := make([][]byte, n)
	for i := range n {
		seed := keySeed(3, "bench", i)
		k := newSigner(seed)
		keys[i], std[i] = &k, ed25519.NewKeyFromSeed(seed)
		msgs[i] = bytes.Repeat([]byte{byte(i)}, 300)
	}
	sigs := make([]txn.Signature, n)
	b.Run("batch", func(b *testing.B) {
		for b.Loop() {
			signBatch(keys, msgs, sigs)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/sig")
	})
	b.Run("stdlib", func(b *testing.B) {
		for b.Loop() {
			for i := range n {
				ed25519.Sign(std[i], msgs[i])
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/sig")
	})
}

// On 64-bit machines the batch's points are encoded with one shared
// inversion, and every encoding is curve25519-voi's own.
func TestEncodeShared(t *testing.T) {
	g := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 3, 17, 100} {
		points := make([]curve.EdwardsPoint, n)
		for i := range points {
			var wide [64]byte
			for j := range wide {
				wide[j] = byte(g.Uint32())
			}
			var s scalar.Scalar
			if _, err := s.SetBytesModOrderWide(wide[:]); err != nil {
				t.Fatal(err)
			}
			points[i].MulBasepoint(curve.ED25519_BASEPOINT_TABLE, &s)
		}
		sigs := make([]txn.Signature, n)
		shared := encodeShared(points, sigs)
		if want := runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64"; shared != want {
			t.Fatalf("n=%d: shared inversion used %v on %s", n, shared, runtime.GOARCH)
		}
		if !shared {
			continue
		}
		for i := range points {
			var c curve.CompressedEdwardsY
			c.SetEdwardsPoint(&points[i])
			if [32]byte(sigs[i][:32]) != c {
				t.Fatalf("n=%d point %d: %x, voi %x", n, i, sigs[i][:32], c)
			}
		}
	}
}
