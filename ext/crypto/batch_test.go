package crypto

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

type ed25519Vector struct {
	Name             string
	sk, pk, msg, sig []byte
}

// ed25519Vectors reads testdata/ed25519_rfc8032.json (RFC 8032 §7.1) and
// checks each vector against crypto/ed25519: the key and signature must
// re-derive from the secret key.
func ed25519Vectors(t *testing.T) []ed25519Vector {
	t.Helper()
	raw, err := os.ReadFile("testdata/ed25519_rfc8032.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Source  string
		Vectors []map[string]string
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Source == "" || len(doc.Vectors) < 4 {
		t.Fatalf("%d vectors, source %q", len(doc.Vectors), doc.Source)
	}
	var out []ed25519Vector
	for _, v := range doc.Vectors {
		e := ed25519Vector{Name: v["name"], sk: unhex(t, v["secret_key"]), pk: unhex(t, v["public_key"]),
			msg: unhex(t, v["message"]), sig: unhex(t, v["signature"])}
		priv := ed25519.NewKeyFromSeed(e.sk)
		if !bytes.Equal(priv.Public().(ed25519.PublicKey), e.pk) || !bytes.Equal(ed25519.Sign(priv, e.msg), e.sig) {
			t.Fatalf("%s does not re-derive from its secret key", e.Name)
		}
		out = append(out, e)
	}
	return out
}

func TestEd25519RFC8032(t *testing.T) {
	vs := ed25519Vectors(t)
	var items []BatchItem
	for _, v := range vs {
		if code := Ed25519Verify(v.pk, v.msg, v.sig); code != OK {
			t.Fatalf("%s: %v", v.Name, code)
		}
		items = append(items, BatchItem{v.pk, v.msg, v.sig})
		// The same signature over another message, and under another key.
		items = append(items, BatchItem{v.pk, append(append([]byte(nil), v.msg...), 1), v.sig})
		items = append(items, BatchItem{vs[(len(items)/3+1)%len(vs)].pk, v.msg, v.sig})
	}
	codes, err := VerifyEd25519Batch(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range codes {
		if want := map[bool]Code{true: OK, false: Invalid}[i%3 == 0]; c != want {
			t.Fatalf("item %d: %v, want %v", i, c, want)
		}
	}
}

// corruptEd25519 returns a variant of a valid item chosen by r: intact,
// or with a flipped bit, a wrong length, s + ℓ, a small-order or
// non-canonical key, or a non-canonical R.
func corruptEd25519(r *rand.Rand, it BatchItem) BatchItem {
	pk, msg, sig := bytes.Clone(it.PublicKey), bytes.Clone(it.Message), bytes.Clone(it.Signature)
	switch r.IntN(10) {
	case 0, 1, 2:
	case 3:
		sig[r.IntN(len(sig))] ^= 1 << r.IntN(8)
	case 4:
		pk[r.IntN(len(pk))] ^= 1 << r.IntN(8)
	case 5:
		if len(msg) > 0 {
			msg[r.IntN(len(msg))] ^= 1 << r.IntN(8)
		} else {
			msg = []byte{0}
		}
	case 6:
		switch r.IntN(3) {
		case 0:
			sig = sig[:r.IntN(len(sig))]
		case 1:
			pk = pk[:r.IntN(len(pk))]
		default:
			sig = append(sig, 0)
		}
	case 7:
		addL(sig[32:]) // s + ℓ: the same scalar, not canonical
	case 8:
		pk = bytes.Clone([][]byte{
			make([]byte, 32),                                                      // order 4
			append([]byte{1}, make([]byte, 31)...),                                // identity
			append(bytes.Repeat([]byte{0xff}, 31), 0x7f),                          // y = 2²⁵⁵−1 ≥ p
			append([]byte{0xee}, append(bytes.Repeat([]byte{0xff}, 30), 0x7f)...), // y = p + 1
		}[r.IntN(4)])
	default:
		sig[31] |= 0x80 // R's sign bit: a different (or no) point
	}
	return BatchItem{pk, msg, sig}
}

// stdlibVerify is crypto/ed25519.Verify, which panics on a key of the
// wrong length.
func stdlibVerify(it BatchItem) bool {
	return len(it.PublicKey) == ed25519.PublicKeySize && ed25519.Verify(it.PublicKey, it.Message, it.Signature)
}

func TestEd25519BatchMatchesOneByOne(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	base := make([]BatchItem, 16)
	for i := range base {
		priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(i + 1)}, 32))
		msg := bytes.Repeat([]byte{byte(i)}, i*13)
		base[i] = BatchItem{priv.Public().(ed25519.PublicKey), msg, ed25519.Sign(priv, msg)}
	}
	items := make([]BatchItem, 400)
	for i := range items {
		items[i] = corruptEd25519(r, base[r.IntN(len(base))])
	}
	// Small-order key with the signature a small-order key admits: R =
	// identity, s = 0 verifies for every message under the cofactorless
	// equation when A is the identity.
	identity := append([]byte{1}, make([]byte, 31)...)
	items = append(items, BatchItem{identity, []byte("anything"), append(bytes.Clone(identity), make([]byte, 32)...)})

	codes, err := VerifyEd25519Batch(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[Code]int{}
	for i, it := range items {
		one := Ed25519Verify(it.PublicKey, it.Message, it.Signature)
		if codes[i] != one {
			t.Fatalf("item %d: batch %v, one by one %v", i, codes[i], one)
		}
		if (one == OK) != stdlibVerify(it) {
			t.Fatalf("item %d: %v but crypto/ed25519 says %v", i, one, stdlibVerify(it))
		}
		counts[one]++
	}
	if codes[len(codes)-1] != OK {
		t.Fatalf("identity key with R = identity, s = 0: %v (crypto/ed25519 accepts it)", codes[len(codes)-1])
	}
	for _, c := range []Code{OK, Invalid, BadPublicKey, BadSignature} {
		if counts[c] == 0 {
			t.Fatalf("no %v item in the random batch: %v", c, counts)
		}
	}
	// Any number of workers gives the same answer.
	for _, w := range []int{1, 3, 64} {
		got, err := verifyBatch(context.Background(), items, w, func(it *BatchItem) Code {
			return Ed25519Verify(it.PublicKey, it.Message, it.Signature)
		})
		if err != nil || !slices.Equal(got, codes) {
			t.Fatalf("%d workers: different answer (%v)", w, err)
		}
	}
}

func TestBLSBatchMatchesOneByOne(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	keys := make([]blsKey, 4)
	for i := range keys {
		keys[i] = blsKeyFromSeed(uint64(100 + i))
	}
	items := make([]BatchItem, 20)
	for i := range items {
		k := keys[i%len(keys)]
		msg := []byte(fmt.Sprintf("attestation %d", i))
		pk, sig := k.publicKey(), k.sign(msg)
		switch r.IntN(6) {
		case 0:
			sig[r.IntN(len(sig)-1)+1] ^= 1 << r.IntN(8) // usually not on the curve
		case 1:
			msg = append(msg, '!')
		case 2:
			pk = keys[(i+1)%len(keys)].publicKey()
		case 3:
			pk = append([]byte{0xc0}, make([]byte, 47)...) // the identity key
		}
		items[i] = BatchItem{pk, msg, sig}
	}
	codes, err := VerifyBLSBatch(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[Code]int{}
	for i, it := range items {
		if one := BLSVerify(it.PublicKey, it.Message, it.Signature); codes[i] != one {
			t.Fatalf("item %d: batch %v, one by one %v", i, codes[i], one)
		}
		counts[codes[i]]++
	}
	if counts[OK] == 0 || counts[Invalid] == 0 || counts[BadPublicKey] == 0 {
		t.Fatalf("batch lacks a kind of item: %v", counts)
	}
}

func TestBatchCancelAndEmpty(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := VerifyBLSBatch(ctx, make([]BatchItem, 3)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled batch: %v", err)
	}
	codes, err := VerifyEd25519Batch(context.Background(), nil)
	if err != nil || len(codes) != 0 {
		t.Fatalf("empty batch: %v %v", codes, err)
	}
	// A batch cancelled while it runs returns the error, not a partial
	// answer.
	ctx, cancel = context.WithCancel(context.Background())
	n := 0
	_, err = verifyBatch(ctx, make([]BatchItem, 100), 1, func(*BatchItem) Code {
		if n++; n == 10 {
			cancel()
		}
		return OK
	})
	if !errors.Is(err, context.Canceled) || n != 10 {
		t.Fatalf("cancel during the batch: %v after %d items", err, n)
	}
}
