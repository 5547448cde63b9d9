package sigverify

import (
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"time"

	"filippo.io/edwards25519"
)

// reference is the rule written on filippo.io/edwards25519 (verifyPoint),
// which Verify must equal.
func reference(pub, msg, sig []byte) bool {
	if len(pub) != PublicKeySize || len(sig) != SignatureSize {
		return false
	}
	a, err := new(edwards25519.Point).SetBytes(pub)
	if err != nil {
		return false
	}
	return verifyPoint(a, pub, msg, sig)
}

// verifyPoint is Verify written on filippo.io/edwards25519, for a caller
// that has decoded pub into a already: the reference the tests hold
// Verify to.
func verifyPoint(a *edwards25519.Point, pub, msg, sig []byte) bool {
	if len(sig) != SignatureSize {
		return false
	}
	s, err := edwards25519.NewScalar().SetCanonicalBytes(sig[32:])
	if err != nil {
		return false
	}
	r, err := new(edwards25519.Point).SetBytes(sig[:32])
	if err != nil {
		return false
	}
	if isSmallOrder(r) || isSmallOrder(a) {
		return false
	}
	return Holds(a, s, pub, msg, sig)
}

func isSmallOrder(p *edwards25519.Point) bool {
	return new(edwards25519.Point).MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) == 1
}

// order is ℓ, little-endian.
var order = [32]byte{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}

// torsion returns the eight points of order dividing 8: [ℓ]P for points P
// decoded from arbitrary y, until all eight are seen.
func torsion(t *testing.T) []*edwards25519.Point {
	lMinus1 := order
	lMinus1[0]--
	k, err := edwards25519.NewScalar().SetCanonicalBytes(lMinus1[:])
	if err != nil {
		t.Fatal(err)
	}
	var out []*edwards25519.Point
	seen := map[[32]byte]bool{}
	for y := uint64(2); len(out) < 8 && y < 10_000; y++ {
		var enc [32]byte
		binary.LittleEndian.PutUint64(enc[:], y)
		p, err := new(edwards25519.Point).SetBytes(enc[:])
		if err != nil {
			continue
		}
		tp := new(edwards25519.Point).ScalarMult(k, p)
		tp.Add(tp, p) // [ℓ]P
		if b := [32]byte(tp.Bytes()); !seen[b] {
			seen[b] = true
			out = append(out, tp)
		}
	}
	if len(out) != 8 {
		t.Fatalf("found %d torsion points", len(out))
	}
	return out
}

// encodings returns every encoding of p that decodes to it: the canonical
// one, the sign bit flipped when x = 0, and y + p when that fits in 255
// bits.
func encodings(p *edwards25519.Point) [][]byte {
	c := p.Bytes()
	out := [][]byte{c}
	if q, err := new(edwards25519.Point).SetBytes(flipSign(c)); err == nil && q.Equal(p) == 1 {
		out = append(out, flipSign(c)) // x = 0: "-0"
	}
	y := append([]byte(nil), c...)
	y[31] &= 0x7f
	if nc := addP(y); nc != nil { // y + p fits only for y ≤ 18
		nc[31] |= c[31] & 0x80
		out = append(out, nc, flipSign(nc))
	}
	return out
}

// addP returns y + p as 32 little-endian bytes, or nil if it needs more
// than 255 bits.
func addP(y []byte) []byte {
	p := [32]byte{0xed}
	for i := 1; i < 31; i++ {
		p[i] = 0xff
	}
	p[31] = 0x7f
	out := make([]byte, 32)
	carry := 0
	for i := range 32 {
		v := int(y[i]) + int(p[i]) + carry
		out[i], carry = byte(v), v>>8
	}
	if carry != 0 || out[31]&0x80 != 0 {
		return nil
	}
	return out
}

func flipSign(b []byte) []byte {
	c := append([]byte(nil), b...)
	c[31] ^= 0x80
	return c
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

func scalarOf(seed uint64) *edwards25519.Scalar {
	var b [64]byte
	binary.LittleEndian.PutUint64(b[:], seed*0x9e3779b97f4a7c15+1)
	binary.LittleEndian.PutUint64(b[8:], seed)
	s, _ := edwards25519.NewScalar().SetUniformBytes(b[:])
	return s
}

// signWith makes S = r + k·a for R = [r]B + tr and A = [a]B + ta, as given
// encodings: the cofactorless equation holds exactly when [k]ta = -tr.
func signWith(a, r *edwards25519.Scalar, pub, rEnc, msg []byte) []byte {
	h := sha512.New()
	h.Write(rEnc)
	h.Write(pub)
	h.Write(msg)
	k, _ := edwards25519.NewScalar().SetUniformBytes(h.Sum(nil))
	s := edwards25519.NewScalar().MultiplyAdd(k, a, r)
	return append(append([]byte(nil), rEnc...), s.Bytes()...)
}

// TestVerifyEqualsReference holds Verify to the filippo.io/edwards25519
// rule on the edge cases of strict verification: every encoding of the
// eight small-order points as key and as R, keys and R of mixed order
// (a prime-order point plus torsion) with signatures that satisfy the
// cofactorless equation, non-canonical encodings (y ≥ p, x = 0 with the
// sign bit), and S at ℓ, past it, and with its top bits set. Each
// option of the strict rule is caught here if flipped, except accepting
// a non-canonical key: such a key of large order has y ≤ 18 and no known
// discrete log, so no signature by it can be made (and the small-order
// ones are refused as small-order).
func TestVerifyEqualsReference(t *testing.T) {
	tor := torsion(t)
	var small [][]byte
	for _, p := range tor {
		small = append(small, encodings(p)...)
	}
	// Non-canonical y ≥ p for every y that decodes.
	var nonCanonical [][]byte
	for y := range byte(19) {
		enc := make([]byte, 32)
		enc[0] = y
		if nc := addP(enc); nc != nil {
			if _, err := new(edwards25519.Point).SetBytes(nc); err == nil {
				nonCanonical = append(nonCanonical, nc, flipSign(nc))
			}
		}
	}
	if len(small) < 12 || len(nonCanonical) == 0 {
		t.Fatalf("%d small-order encodings, %d non-canonical", len(small), len(nonCanonical))
	}
	msg := []byte("agora strict verification")
	type vec struct {
		name          string
		pub, msg, sig []byte
	}
	var vecs []vec
	accepted := 0
	add := func(name string, pub, m, sig []byte) {
		vecs = append(vecs, vec{name, pub, m, sig})
	}
	for ai := range 6 {
		// a = 0 makes the keys small-order (the torsion points).
		a := edwards25519.NewScalar()
		if ai > 0 {
			a = scalarOf(uint64(100 + ai))
		}
		A := new(edwards25519.Point).ScalarBaseMult(a)
		for _, ta := range tor {
			// Keys: prime order (ti = 0 is the identity), or mixed.
			At := new(edwards25519.Point).Add(A, ta)
			for _, pub := range encodings(At) {
				for ri := range 4 {
					// r = 0 makes R small-order.
					r := edwards25519.NewScalar()
					if ri > 0 {
						r = scalarOf(uint64(1000*ai + 10*ri + 7))
					}
					Rp := new(edwards25519.Point).ScalarBaseMult(r)
					for tri, tr := range tor {
						R := new(edwards25519.Point).Add(Rp, tr)
						for rei, rEnc := range encodings(R) {
							sig := signWith(a, r, pub, rEnc, msg)
							add("mixed", pub, msg, sig)
							if ai == 1 && ri == 1 && tri == 0 && rei == 0 {
								// S past ℓ: S + ℓ, and the top bits set.
								sPlus := addScalar(sig[32:], order[:])
								if sPlus != nil {
									add("S+l", pub, msg, append(append([]byte(nil), sig[:32]...), sPlus...))
								}
								hi := append([]byte(nil), sig...)
								hi[63] |= 0xe0
								add("S high bits", pub, msg, hi)
								lSig := append(append([]byte(nil), sig[:32]...), order[:]...)
								add("S=l", pub, msg, lSig)
							}
						}
					}
				}
			}
		}
	}
	// Small-order keys against small-order and valid R, with S = 0 and
	// S of a real signature.
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	good := ed25519.Sign(priv, msg)
	zero := make([]byte, 32)
	for _, pub := range append(append([][]byte{}, small...), nonCanonical...) {
		for _, rEnc := range append(append([][]byte{good[:32]}, small...), nonCanonical...) {
			add("small", pub, msg, append(append([]byte(nil), rEnc...), zero...))
			add("small", pub, msg, append(append([]byte(nil), rEnc...), good[32:]...))
		}
	}
	goodPub := []byte(priv.Public().(ed25519.PublicKey))
	for _, rEnc := range append(append([][]byte{}, small...), nonCanonical...) {
		add("valid key, odd R", goodPub, msg, append(append([]byte(nil), rEnc...), good[32:]...))
	}
	add("valid", goodPub, msg, good)
	add("short key", goodPub[:31], msg, good)
	add("short sig", goodPub, msg, good[:63])
	// The cache, small enough to be cleared often, answers each vector
	// twice: once decoding the key, once from the cache (or again after
	// a clear).
	cache := NewKeys(7)
	for _, v := range vecs {
		want := reference(v.pub, v.msg, v.sig)
		if got := Verify(v.pub, v.msg, v.sig); got != want {
			t.Fatalf("%s: Verify = %v, reference %v (pub %x sig %x)", v.name, got, want, v.pub, v.sig)
		}
		for range 2 {
			if got := cache.Verify(v.pub, v.msg, v.sig); got != want {
				t.Fatalf("%s: Keys.Verify = %v, reference %v (pub %x sig %x)", v.name, got, want, v.pub, v.sig)
			}
		}
		if want {
			accepted++
		}
	}
	// Both outcomes must be well represented, or the vectors prove little.
	if accepted < 100 || len(vecs)-accepted < 1000 {
		t.Fatalf("%d vectors, %d accepted", len(vecs), accepted)
	}
	t.Logf("%d vectors, %d accepted", len(vecs), accepted)
}

// addScalar returns a + b as 32 little-endian bytes, or nil on overflow.
func addScalar(a, b []byte) []byte {
	out := make([]byte, 32)
	carry := 0
	for i := range 32 {
		v := int(a[i]) + int(b[i]) + carry
		out[i], carry = byte(v), v>>8
	}
	if carry != 0 {
		return nil
	}
	return out
}

// Random keys, messages and signatures, and their single-bit mutations,
// verify alike.
func TestVerifyEqualsReferenceRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cache := NewKeys(64)
	for i := range 300 {
		seed := make([]byte, 32)
		for j := range seed {
			seed[j] = byte(rng.Uint32())
		}
		priv := ed25519.NewKeyFromSeed(seed)
		msg := make([]byte, rng.IntN(300))
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		pub := []byte(priv.Public().(ed25519.PublicKey))
		sig := ed25519.Sign(priv, msg)
		if !Verify(pub, msg, sig) {
			t.Fatalf("%d: a valid signature fails", i)
		}
		bit := rng.IntN(8 * (32 + 64))
		p2, s2 := append([]byte(nil), pub...), append([]byte(nil), sig...)
		if bit < 256 {
			p2[bit/8] ^= 1 << (bit % 8)
		} else {
			s2[(bit-256)/8] ^= 1 << (bit % 8)
		}
		want := reference(p2, msg, s2)
		if got := Verify(p2, msg, s2); got != want {
			t.Fatalf("%d: bit %d: Verify = %v, reference %v", i, bit, got, want)
		}
		if got := cache.Verify(p2, msg, s2); got != want {
			t.Fatalf("%d: bit %d: Keys.Verify = %v, reference %v", i, bit, got, want)
		}
		if !cache.Verify(pub, msg, sig) {
			t.Fatalf("%d: a valid signature fails through the cache", i)
		}
	}
}

// FuzzVerifyEqualsReference: any bytes verify alike.
func FuzzVerifyEqualsReference(f *testing.F) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	f.Add([]byte(priv.Public().(ed25519.PublicKey)), []byte("m"), ed25519.Sign(priv, []byte("m")))
	identity := make([]byte, 32)
	identity[0] = 1
	forged := make([]byte, 64)
	forged[0] = 1
	f.Add(identity, []byte("m"), forged)
	cache := NewKeys(16)
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte) {
		want := reference(pub, msg, sig)
		if got := Verify(pub, msg, sig); got != want {
			t.Fatalf("Verify = %v, reference %v", got, want)
		}
		if got := cache.Verify(pub, msg, sig); got != want {
			t.Fatalf("Keys.Verify = %v, reference %v", got, want)
		}
	})
}

// BenchmarkVerifyPaired alternates Verify and the reference on the same
// signature inside one loop, so both see the same machine load, and
// reports each one's time and their ratio.
func BenchmarkVerifyPaired(b *testing.B) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	pub := []byte(priv.Public().(ed25519.PublicKey))
	msg := make([]byte, 200)
	sig := ed25519.Sign(priv, msg)
	var fast, ref time.Duration
	for b.Loop() {
		t0 := time.Now()
		ok1 := Verify(pub, msg, sig)
		t1 := time.Now()
		ok2 := reference(pub, msg, sig)
		ref += time.Since(t1)
		fast += t1.Sub(t0)
		if !ok1 || !ok2 {
			b.Fatal("does not verify")
		}
	}
	b.ReportMetric(float64(fast.Nanoseconds())/float64(b.N), "verify-ns/op")
	b.ReportMetric(float64(ref.Nanoseconds())/float64(b.N), "reference-ns/op")
	b.ReportMetric(float64(ref)/float64(fast), "speedup")
}

// BenchmarkKeysPaired alternates Verify and Keys.Verify (the key
// cached) on the same signature, as BenchmarkVerifyPaired does.
func BenchmarkKeysPaired(b *testing.B) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	pub := []byte(priv.Public().(ed25519.PublicKey))
	msg := make([]byte, 200)
	sig := ed25519.Sign(priv, msg)
	cache := NewKeys(16)
	var plain, cached time.Duration
	for b.Loop() {
		t0 := time.Now()
		ok1 := Verify(pub, msg, sig)
		t1 := time.Now()
		ok2 := cache.Verify(pub, msg, sig)
		cached += time.Since(t1)
		plain += t1.Sub(t0)
		if !ok1 || !ok2 {
			b.Fatal("does not verify")
		}
	}
	b.ReportMetric(float64(plain.Nanoseconds())/float64(b.N), "verify-ns/op")
	b.ReportMetric(float64(cached.Nanoseconds())/float64(b.N), "cached-ns/op")
	b.ReportMetric(float64(plain)/float64(cached), "speedup")
}

// BenchmarkKeysMissPaired is BenchmarkKeysPaired over 512 keys through
// a cache of 16: every lookup misses, the cost of a flood of new keys.
func BenchmarkKeysMissPaired(b *testing.B) {
	const n = 512
	pubs, sigs := make([][]byte, n), make([][]byte, n)
	msg := make([]byte, 200)
	for i := range n {
		seed := make([]byte, 32)
		binary.LittleEndian.PutUint64(seed, uint64(i+1))
		priv := ed25519.NewKeyFromSeed(seed)
		pubs[i], sigs[i] = priv.Public().(ed25519.PublicKey), ed25519.Sign(priv, msg)
	}
	cache := NewKeys(16)
	var plain, cached time.Duration
	i := 0
	for b.Loop() {
		j := i % n
		i++
		t0 := time.Now()
		ok1 := Verify(pubs[j], msg, sigs[j])
		t1 := time.Now()
		ok2 := cache.Verify(pubs[j], msg, sigs[j])
		cached += time.Since(t1)
		plain += t1.Sub(t0)
		if !ok1 || !ok2 {
			b.Fatal("does not verify")
		}
	}
	b.ReportMetric(float64(plain)/float64(cached), "speedup")
}

// BenchmarkVerify: Verify against the reference rule (verifyPoint on
// filippo.io/edwards25519) and crypto/ed25519, on one 200-byte message.
func BenchmarkVerify(b *testing.B) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	pub := []byte(priv.Public().(ed25519.PublicKey))
	msg := make([]byte, 200)
	sig := ed25519.Sign(priv, msg)
	for _, c := range []struct {
		name string
		f    func(pub, msg, sig []byte) bool
	}{{"voi", Verify}, {"reference", reference}, {"crypto-ed25519", func(p, m, s []byte) bool { return ed25519.Verify(p, m, s) }}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if !c.f(pub, msg, sig) {
					b.Fatal("does not verify")
				}
			}
		})
	}
}
