package crypto

import (
	"bytes"
	"crypto/sha512"
	"encoding/json"
	"os"
	"testing"

	"filippo.io/edwards25519"
	"github.com/gtank/ristretto255"
)

type vrfVector struct {
	Name, Source, Suite     string
	SK, PK, Alpha, X        string
	H, K, U, V, Pi, Beta    string
	Ctr                     *int
	suite                   VRFSuite
	sk, pk, alpha, pi, beta []byte
}

// vrfVectors reads testdata/vrf_vectors.json: every RFC 9381 B.3 example
// and the c2sp.org/vrf-r255 vector.
func vrfVectors(t *testing.T) []vrfVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/vrf_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Sources map[string]string
		Vectors []vrfVector
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var n3, nr int
	for i := range doc.Vectors {
		v := &doc.Vectors[i]
		if doc.Sources[v.Source] == "" {
			t.Fatalf("%s: unknown source %q", v.Name, v.Source)
		}
		switch v.Suite {
		case VRFEdwards25519TAI.String():
			v.suite = VRFEdwards25519TAI
			n3++
		case VRFRistretto255.String():
			v.suite = VRFRistretto255
			nr++
		default:
			t.Fatalf("%s: suite %q", v.Name, v.Suite)
		}
		v.sk, v.pk, v.alpha, v.pi, v.beta = unhex(t, v.SK), unhex(t, v.PK), unhex(t, v.Alpha), unhex(t, v.Pi), unhex(t, v.Beta)
	}
	if n3 != 3 || nr != 1 {
		t.Fatalf("%d RFC 9381 B.3 and %d vrf-r255 vectors, want 3 and 1", n3, nr)
	}
	return doc.Vectors
}

// TestVRFVectors re-derives every intermediate value of each vector from
// its secret key, then verifies the proof through the Go API and from an
// sBPF program.
func TestVRFVectors(t *testing.T) {
	h := newHarness(t)
	for _, v := range vrfVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			var pk, hs, u, vv, pi []byte
			var k []byte
			if v.suite == VRFEdwards25519TAI {
				key := newVRFEdwardsKey(t, v.sk)
				digest := sha512.Sum512(v.sk)
				clamped := digest[:32]
				clamped[0] &= 248
				clamped[31] &= 127
				clamped[31] |= 64
				if x := unhex(t, v.X); !bytes.Equal(clamped, x) {
					t.Fatalf("x = %x, want %x", clamped, x)
				}
				hp, ok := edwardsEncodeToCurve(VRFEdwards25519TAI.suiteString(), key.pk, v.alpha)
				if !ok {
					t.Fatal("encode to curve failed")
				}
				if ctr := edwardsTAICounter(t, key.pk, v.alpha); v.Ctr == nil || ctr != *v.Ctr {
					t.Fatalf("try_and_increment succeeded on ctr %d, want %v", ctr, v.Ctr)
				}
				kd := sha512.New()
				kd.Write(key.prefix)
				kd.Write(hp.Bytes())
				k = kd.Sum(nil)
				ks, _ := edwards25519.NewScalar().SetUniformBytes(k)
				pk, hs = key.pk, hp.Bytes()
				u = new(edwards25519.Point).ScalarBaseMult(ks).Bytes()
				vv = new(edwards25519.Point).ScalarMult(ks, hp).Bytes()
				pi = key.prove(t, v.alpha)
			} else {
				key := newVRFRistrettoKey(t, v.sk)
				hp := ristrettoEncodeToCurve(VRFRistretto255.suiteString(), key.pk, v.alpha)
				kd := sha512.New()
				kd.Write(VRFRistretto255.suiteString())
				kd.Write([]byte{0x81})
				kd.Write(v.sk)
				kd.Write(hp.Encode(nil))
				ks := ristretto255.NewScalar().FromUniformBytes(kd.Sum(nil))
				k = ks.Encode(nil)
				pk, hs = key.pk, hp.Encode(nil)
				u = ristretto255.NewElement().ScalarBaseMult(ks).Encode(nil)
				vv = ristretto255.NewElement().ScalarMult(ks, hp).Encode(nil)
				pi = key.prove(v.alpha)
			}
			for _, c := range []struct {
				name      string
				got, want []byte
			}{{"PK", pk, v.pk}, {"H", hs, unhex(t, v.H)}, {"k", k, unhex(t, v.K)}, {"U", u, unhex(t, v.U)},
				{"V", vv, unhex(t, v.V)}, {"pi", pi, v.pi}} {
				if !bytes.Equal(c.got, c.want) {
					t.Fatalf("%s = %x, want %x", c.name, c.got, c.want)
				}
			}
			beta, code, err := VRFVerify(v.suite, v.pk, v.pi, v.alpha)
			if err != nil || code != OK || !bytes.Equal(beta, v.beta) {
				t.Fatalf("VRFVerify = %x, %v, %v; want beta %x", beta, code, err, v.beta)
			}

			var a arena
			kp := a.put(append(append([]byte(nil), v.pk...), v.pi...))
			al := a.put(v.alpha)
			out := a.alloc(VRFOutputSize)
			price, _ := VRFVerifyCost(v.suite, uint64(len(v.alpha)))
			expect(t, h.call(&a, bigBudget, NameVRFVerify, uint64(v.suite), kp, al, uint64(len(v.alpha)), out), OK, price)
			if !bytes.Equal(a.at(out, VRFOutputSize), v.beta) {
				t.Fatalf("output %x", a.at(out, VRFOutputSize))
			}
		})
	}
}

// edwardsTAICounter recomputes the counter at which try-and-increment
// stops, for the vectors' "try_and_increment succeeded on ctr" notes.
func edwardsTAICounter(t *testing.T, pk, alpha []byte) int {
	for ctr := 0; ctr < 256; ctr++ {
		d := sha512.New()
		d.Write([]byte{byte(VRFEdwards25519TAI), vrfEncodeFront})
		d.Write(pk)
		d.Write(alpha)
		d.Write([]byte{byte(ctr), vrfBack})
		if p, ok := decodeEdwardsStrict(d.Sum(nil)[:32]); ok && p.MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) == 0 {
			return ctr
		}
	}
	t.Fatal("no counter")
	return -1
}

// Every single-bit change of a proof, key or input is rejected, with the
// code its position implies.
func TestVRFCorruptions(t *testing.T) {
	for _, v := range vrfVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			for bit := range 8 * VRFProofSize {
				pi := append([]byte(nil), v.pi...)
				pi[bit/8] ^= 1 << (bit % 8)
				beta, code, _ := VRFVerify(v.suite, v.pk, pi, v.alpha)
				switch {
				case beta != nil || code == OK:
					t.Fatalf("bit %d of pi flipped: accepted", bit)
				case bit/8 >= 32 && bit/8 < 48 && code != Invalid:
					t.Fatalf("bit %d (c) flipped: %v, want Invalid", bit, code)
				case code != Invalid && code != BadSignature:
					t.Fatalf("bit %d flipped: %v", bit, code)
				}
			}
			for bit := range 8 * VRFPublicKeySize {
				pk := append([]byte(nil), v.pk...)
				pk[bit/8] ^= 1 << (bit % 8)
				if _, code, _ := VRFVerify(v.suite, pk, v.pi, v.alpha); code != Invalid && code != BadPublicKey {
					t.Fatalf("bit %d of pk flipped: %v", bit, code)
				}
			}
			alpha := append(append([]byte(nil), v.alpha...), 0)
			if _, code, _ := VRFVerify(v.suite, v.pk, v.pi, alpha); code != Invalid {
				t.Fatalf("longer alpha: %v", code)
			}
			// s + ℓ (still below 2²⁵⁶) is the same scalar, not canonical.
			pi := append([]byte(nil), v.pi...)
			addL(pi[48:])
			if _, code, _ := VRFVerify(v.suite, v.pk, pi, v.alpha); code != BadSignature {
				t.Fatalf("s + ℓ: %v", code)
			}
			if _, code, _ := VRFVerify(v.suite, v.pk, v.pi[:79], v.alpha); code != BadSignature {
				t.Fatalf("short proof: %v", code)
			}
			if _, code, _ := VRFVerify(v.suite, v.pk[:31], v.pi, v.alpha); code != BadPublicKey {
				t.Fatalf("short key: %v", code)
			}
		})
	}
	if _, _, err := VRFVerify(7, nil, nil, nil); err == nil {
		t.Fatal("unknown suite accepted")
	}
}

// scalarL is ℓ = 2²⁵² + 27742317777372353535851937790883648493, little-endian.
var scalarL = []byte{
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
}

// addL adds ℓ to the 32-byte little-endian s in place (mod 2²⁵⁶).
func addL(s []byte) {
	var carry uint16
	for i := range 32 {
		x := uint16(s[i]) + uint16(scalarL[i]) + carry
		s[i], carry = byte(x), x>>8
	}
}

// Keys of small order, non-canonical encodings and the identity are
// refused as validate_key and RFC 8032 decoding demand.
func TestVRFKeyValidation(t *testing.T) {
	v := vrfVectors(t)[0]
	smallOrder := []string{
		"0100000000000000000000000000000000000000000000000000000000000000", // identity
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2 (y = −1)
		"0000000000000000000000000000000000000000000000000000000000000000", // order 4
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
	}
	for _, s := range smallOrder {
		if _, code, _ := VRFVerify(VRFEdwards25519TAI, unhex(t, s), v.pi, v.alpha); code != BadPublicKey {
			t.Fatalf("small-order key %s: %v", s, code)
		}
	}
	// Non-canonical encodings that filippo.io/edwards25519 would accept:
	// y = p + k, and x = 0 with the sign bit.
	found := 0
	for k := range 19 { // y = p + k, k = 0..18: byte 0 is 0xed + k
		b := bytes.Repeat([]byte{0xff}, 32)
		b[0] = byte(0xed + k)
		b[31] = 0x7f
		if _, err := new(edwards25519.Point).SetBytes(b); err != nil {
			continue
		}
		found++
		if _, ok := decodeEdwardsStrict(b); ok {
			t.Fatalf("non-canonical %x decoded", b)
		}
		if _, code, _ := VRFVerify(VRFEdwards25519TAI, b, v.pi, v.alpha); code != BadPublicKey {
			t.Fatalf("non-canonical key %x: %v", b, code)
		}
		pi := append(append([]byte(nil), b...), v.pi[32:]...)
		if _, code, _ := VRFVerify(VRFEdwards25519TAI, v.pk, pi, v.alpha); code != BadSignature {
			t.Fatalf("non-canonical Gamma %x: %v", b, code)
		}
	}
	if found == 0 {
		t.Fatal("no non-canonical encoding found")
	}
	negZero := unhex(t, "0100000000000000000000000000000000000000000000000000000000000080")
	if _, ok := decodeEdwardsStrict(negZero); ok {
		t.Fatal("x = 0 with the sign bit decoded")
	}
	// ristretto255: the identity is refused, as are non-canonical strings.
	r := vrfVectors(t)[3]
	for _, s := range []string{
		"0000000000000000000000000000000000000000000000000000000000000000",
		"00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"0100000000000000000000000000000000000000000000000000000000000000",
	} {
		if _, code, _ := VRFVerify(VRFRistretto255, unhex(t, s), r.pi, r.alpha); code != BadPublicKey {
			t.Fatalf("ristretto key %s: %v", s, code)
		}
	}
}

// Prove-then-verify on many inputs, both suites, with alpha lengths across
// block boundaries.
func TestVRFRoundTrip(t *testing.T) {
	ek := newVRFEdwardsKey(t, bytes.Repeat([]byte{7}, 32))
	rk := newVRFRistrettoKey(t, append(bytes.Repeat([]byte{9}, 31), 0))
	for n := range 300 {
		if n > 40 && n%37 != 0 {
			continue
		}
		alpha := bytes.Repeat([]byte{byte(n)}, n)
		for _, c := range []struct {
			suite     VRFSuite
			pk, proof []byte
		}{{VRFEdwards25519TAI, ek.pk, ek.prove(t, alpha)}, {VRFRistretto255, rk.pk, rk.prove(alpha)}} {
			beta, code, err := VRFVerify(c.suite, c.pk, c.proof, alpha)
			if err != nil || code != OK || len(beta) != VRFOutputSize {
				t.Fatalf("%v alpha %d bytes: %v %v", c.suite, n, code, err)
			}
		}
	}
}

func TestVRFSyscallFaults(t *testing.T) {
	h := newHarness(t)
	v := vrfVectors(t)[1] // Example 17: alpha is one byte
	var a arena
	kp := a.put(append(bytes.Clone(v.pk), v.pi...))
	al := a.put(v.alpha)
	out := a.alloc(VRFOutputSize)
	n := uint64(len(v.alpha))
	price, _ := VRFVerifyCost(VRFEdwards25519TAI, n)
	if p0, _ := VRFVerifyCost(VRFEdwards25519TAI, 0); p0 != CostVRFEdwards || price != CostVRFEdwards+CostVRFAlphaBlock {
		t.Fatal("alpha blocks")
	}

	// An unknown suite aborts before the charge.
	for _, s := range []uint64{0, 1, 2, 4, 0xfe, 0x1ff, 1 << 40} {
		expectAbort(t, h.call(&a, bigBudget, NameVRFVerify, s, kp, al, n, out), "InvalidAttribute", 0)
	}
	// The wrong suite for the key is a code, at that suite's price.
	rprice, _ := VRFVerifyCost(VRFRistretto255, n)
	r := h.call(&a, bigBudget, NameVRFVerify, uint64(VRFRistretto255), kp, al, n, out)
	if r.Err != nil || r.R0 == uint64(OK) || r.CU != rprice+callOverhead {
		t.Fatalf("edwards proof as ristretto255: r0=%v cu=%d err=%v", Code(r.R0), r.CU, r.Err)
	}
	// A rejected proof maps no output; a valid one needs a writable one.
	wrong := a.put([]byte{0x73})
	expect(t, h.call(&a, bigBudget, NameVRFVerify, uint64(VRFEdwards25519TAI), kp, wrong, 1, 0x9_0000_0000), Invalid, price)
	expectAbort(t, h.call(&a, bigBudget, NameVRFVerify, uint64(VRFEdwards25519TAI), kp, al, n, 0x1_0000_0000), "AccessViolation", price)
	// Inputs outside memory, after the charge.
	expectAbort(t, h.call(&a, bigBudget, NameVRFVerify, uint64(VRFEdwards25519TAI), 0x9_0000_0000, al, n, out), "AccessViolation", price)
	long, _ := VRFVerifyCost(VRFEdwards25519TAI, 1<<20)
	expectAbort(t, h.call(&a, bigBudget, NameVRFVerify, uint64(VRFEdwards25519TAI), kp, al, 1<<20, out), "AccessViolation", long)
	// The key and proof block is read whole: 112 bytes.
	short := putLast(&a, append(bytes.Clone(v.pk), v.pi[:79]...))
	expectAbort(t, h.call(&a, bigBudget, NameVRFVerify, uint64(VRFEdwards25519TAI), short, al, n, out), "AccessViolation", price)
	budget := price + callOverhead - 2
	budgetExceeded(t, h.call(&a, budget, NameVRFVerify, uint64(VRFEdwards25519TAI), kp, al, n, out), budget)
}
