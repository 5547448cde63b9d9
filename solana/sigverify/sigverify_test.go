package sigverify

import (
	"crypto/ed25519"
	"testing"

	"github.com/oasisprotocol/curve25519-voi/curve"
)

// Verify accepts what crypto/ed25519 accepts except small-order keys and
// R; the identity key with R = identity, S = 0 is the forgery that
// matters.
func TestVerify(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	pub := priv.Public().(ed25519.PublicKey)
	msg := []byte("agora")
	sig := ed25519.Sign(priv, msg)
	identity := make([]byte, 32)
	identity[0] = 1
	forged := make([]byte, 64)
	forged[0] = 1
	highS := append([]byte(nil), sig...)
	highS[63] |= 0x80 // S ≥ ℓ
	for _, tc := range []struct {
		name          string
		pub, msg, sig []byte
		want, stdlib  bool
	}{
		{"valid", pub, msg, sig, true, true},
		{"other message", pub, []byte("agorb"), sig, false, false},
		{"identity key, forged signature", identity, msg, forged, false, true},
		{"non-canonical S", pub, msg, highS, false, false},
		{"short key", pub[:31], msg, sig, false, false},
		{"short signature", pub, msg, sig[:63], false, false},
	} {
		if got := Verify(tc.pub, tc.msg, tc.sig); got != tc.want {
			t.Errorf("%s: Verify = %v, want %v", tc.name, got, tc.want)
		}
		if len(tc.pub) == 32 && len(tc.sig) == 64 {
			if got := ed25519.Verify(tc.pub, tc.msg, tc.sig); got != tc.stdlib {
				t.Errorf("%s: crypto/ed25519 = %v, want %v", tc.name, got, tc.stdlib)
			}
		}
	}
}

func FuzzVerify(f *testing.F) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	f.Add([]byte(priv.Public().(ed25519.PublicKey)), []byte("m"), ed25519.Sign(priv, []byte("m")))
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte) {
		ok := Verify(pub, msg, sig)
		if ok && (len(pub) != 32 || len(sig) != 64 || !ed25519.Verify(pub, msg, sig)) {
			t.Fatalf("Verify accepts what crypto/ed25519 refuses")
		}
	})
}

// TestSmallOrderEncodings: the table holds exactly the canonical
// encodings of the multiples of a point of order 8, and
// smallOrderEncoding agrees with IsSmallOrder on them and on large-order
// points.
func TestSmallOrderEncodings(t *testing.T) {
	var g curve.EdwardsPoint // of order 8
	if _, err := g.SetCompressedY((*curve.CompressedEdwardsY)(&smallOrderEncodings[4])); err != nil {
		t.Fatal(err)
	}
	seen := map[curve.CompressedEdwardsY]bool{}
	var p curve.EdwardsPoint
	p.Identity()
	for k := range 8 {
		var c curve.CompressedEdwardsY
		c.SetEdwardsPoint(&p)
		if !p.IsSmallOrder() || !smallOrderEncoding(&c) {
			t.Fatalf("[%d]G = %x: IsSmallOrder %v, smallOrderEncoding %v", k, c, p.IsSmallOrder(), smallOrderEncoding(&c))
		}
		seen[c] = true
		p.Add(&p, &g)
	}
	if len(seen) != len(smallOrderEncodings) {
		t.Fatalf("the multiples of G have %d encodings, the table %d", len(seen), len(smallOrderEncodings))
	}
	// Large order: the base point and its mixes with the torsion points.
	var q curve.EdwardsPoint
	q.Set(curve.ED25519_BASEPOINT_POINT)
	for k := range 64 {
		var c curve.CompressedEdwardsY
		c.SetEdwardsPoint(&q)
		if q.IsSmallOrder() || smallOrderEncoding(&c) {
			t.Fatalf("point %d (%x) taken for small order", k, c)
		}
		q.Add(&q, &g)
		q.Add(&q, curve.ED25519_BASEPOINT_POINT)
	}
}
