package zk

import (
	"errors"
	"testing"
)

// The fuzz targets feed arbitrary bytes to the decoders and the verifier.
// None may panic; every failure must be a typed *Error; and structural
// acceptance must agree with gnark's decoder (a key or proof that passes
// the scan is one that gnark reads to its end, or rejects for a curve
// reason).

func seedFixtures(f *testing.F, s Scheme) {
	for _, name := range fixtureNames {
		fx := fixtureNamed(f, name)
		if fx.scheme != s {
			continue
		}
		f.Add(byte(fx.curve), fx.vk, fx.proof, fx.public)
		f.Add(byte(fx.curve), fx.vkRaw, fx.proofRaw, fx.public)
	}
	f.Add(byte(0), []byte{}, []byte{}, []byte{})
	f.Add(byte(1), []byte{0xff, 0xff, 0xff, 0xff}, []byte{0x40}, make([]byte, 32))
}

func fuzzVerify(t *testing.T, s Scheme, curve byte, vk, proof, public []byte) {
	c := Curve(curve % (numberOfCurves + 1)) // now and then an unknown curve
	ok, err := Verify(s, c, Args{VerifyingKey: vk, Proof: proof, PublicInputs: public})
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("untyped error %T: %v", err, err)
		}
		if ok {
			t.Fatal("valid and an error")
		}
		if c >= numberOfCurves && e.Kind != KindInvalidCurve {
			t.Fatalf("curve %d: %v", c, err)
		}
	}
}

func FuzzGroth16(f *testing.F) {
	seedFixtures(f, Groth16)
	f.Fuzz(func(t *testing.T, curve byte, vk, proof, public []byte) {
		fuzzVerify(t, Groth16, curve, vk, proof, public)
	})
}

func FuzzPlonk(f *testing.F) {
	seedFixtures(f, Plonk)
	f.Fuzz(func(t *testing.T, curve byte, vk, proof, public []byte) {
		fuzzVerify(t, Plonk, curve, vk, proof, public)
	})
}

// FuzzGroth16Mutation flips one byte of a valid key or proof: the result
// is valid only if nothing changed the meaning, and never a panic.
func FuzzGroth16Mutation(f *testing.F) {
	f.Add(uint8(0), uint16(0), byte(1), false)
	f.Add(uint8(3), uint16(290), byte(0xff), true)
	f.Fuzz(func(t *testing.T, which uint8, at uint16, xor byte, inProof bool) {
		fx := fixtureNamed(t, fixtureNames[int(which)%len(fixtureNames)])
		a := fx.args()
		target := &a.VerifyingKey
		if inProof {
			target = &a.Proof
		}
		if len(*target) == 0 {
			return
		}
		*target = withByte(*target, int(at)%len(*target), (*target)[int(at)%len(*target)]^xor)
		fuzzVerify(t, fx.scheme, byte(fx.curve), a.VerifyingKey, a.Proof, a.PublicInputs)
	})
}

// FuzzConvertSnarkJS: the converter never panics, and what it accepts the
// verifier decodes.
func FuzzConvertSnarkJS(f *testing.F) {
	vk, proof, public := snarkjsFiles(f)
	f.Add(vk, proof, public)
	f.Add([]byte(`{"protocol":"groth16","curve":"bn128","nPublic":0,"IC":[["1","2","1"]]}`), []byte(`{}`), []byte(`[]`))
	f.Add([]byte(`{"nPublic":-1}`), []byte(`null`), []byte(`["1"]`))
	f.Fuzz(func(t *testing.T, vkJSON, proofJSON, publicJSON []byte) {
		k, p, pub, err := ConvertSnarkJS(vkJSON, proofJSON, publicJSON)
		if err != nil {
			return
		}
		if _, err := Verify(Groth16, CurveBN254, Args{k, p, pub}); err != nil {
			t.Fatalf("converted arguments do not decode: %v", err)
		}
	})
}
