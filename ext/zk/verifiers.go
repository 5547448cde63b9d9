package zk

import (
	"bytes"
	"fmt"
	"io"

	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	bls12381fr "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	bn254 "github.com/consensys/gnark-crypto/ecc/bn254"
	bn254fr "github.com/consensys/gnark-crypto/ecc/bn254/fr"
	groth16bls12381 "github.com/consensys/gnark/backend/groth16/bls12-381"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	plonkbls12381 "github.com/consensys/gnark/backend/plonk/bls12-381"
	plonkbn254 "github.com/consensys/gnark/backend/plonk/bn254"
)

// verifiers holds, per scheme and curve, gnark's verifier for it: one
// generic decode-and-verify (verifyWith) instantiated with that curve's
// key, proof and scalar types.
var verifiers = [...][numberOfCurves]func(Args) (bool, error){
	Groth16: {
		CurveBN254: func(a Args) (bool, error) {
			return verifyWith[groth16bn254.VerifyingKey, groth16bn254.Proof, bn254fr.Element](a, nil,
				func(p *groth16bn254.Proof, vk *groth16bn254.VerifyingKey, w []bn254fr.Element) error {
					return groth16bn254.Verify(p, vk, w)
				})
		},
		CurveBLS12381: func(a Args) (bool, error) {
			return verifyWith[groth16bls12381.VerifyingKey, groth16bls12381.Proof, bls12381fr.Element](a, nil,
				func(p *groth16bls12381.Proof, vk *groth16bls12381.VerifyingKey, w []bls12381fr.Element) error {
					return groth16bls12381.Verify(p, vk, w)
				})
		},
	},
	Plonk: {
		CurveBN254: func(a Args) (bool, error) {
			return verifyWith[plonkbn254.VerifyingKey, plonkbn254.Proof, bn254fr.Element](a,
				func(vk *plonkbn254.VerifyingKey) error {
					return kzgLines(vk.Kzg.Lines[:], vk.Kzg.G2[:], bn254.PrecomputeLines)
				},
				func(p *plonkbn254.Proof, vk *plonkbn254.VerifyingKey, w []bn254fr.Element) error {
					return plonkbn254.Verify(p, vk, w)
				})
		},
		CurveBLS12381: func(a Args) (bool, error) {
			return verifyWith[plonkbls12381.VerifyingKey, plonkbls12381.Proof, bls12381fr.Element](a,
				func(vk *plonkbls12381.VerifyingKey) error {
					return kzgLines(vk.Kzg.Lines[:], vk.Kzg.G2[:], bls12381.PrecomputeLines)
				},
				func(p *plonkbls12381.Proof, vk *plonkbls12381.VerifyingKey, w []bls12381fr.Element) error {
					return plonkbls12381.Verify(p, vk, w)
				})
		},
	},
}

// decoder is a pointer to a gnark type that decodes itself.
type decoder[T any] interface {
	*T
	io.ReaderFrom
}

// scalar is a pointer to a field element of a curve's scalar field.
type scalar[E any] interface {
	*E
	SetBytesCanonical([]byte) error
}

// verifyWith decodes the verifying key VK (then checks it with checkKey,
// when set), the proof P and the public inputs as scalars E, and runs
// verify. Decoding errors are typed; a proof that does not verify is
// (false, nil).
func verifyWith[VK, P, E any, PVK decoder[VK], PP decoder[P], PE scalar[E]](a Args,
	checkKey func(*VK) error, verify func(*P, *VK, []E) error) (bool, error) {
	var vk VK
	if err := readAll(argKey, PVK(&vk), a.VerifyingKey); err != nil {
		return false, err
	}
	if checkKey != nil {
		if err := checkKey(&vk); err != nil {
			return false, err
		}
	}
	var proof P
	if err := readAll(argProof, PP(&proof), a.Proof); err != nil {
		return false, err
	}
	// The public inputs were already checked to be canonical.
	w := make([]E, len(a.PublicInputs)/ScalarSize)
	for i := range w {
		if err := PE(&w[i]).SetBytesCanonical(a.PublicInputs[i*ScalarSize : (i+1)*ScalarSize]); err != nil {
			return false, encodingError(argPublic, err)
		}
	}
	return verify(&proof, &vk, w) == nil, nil
}

// readAll decodes b into v with gnark's ReadFrom and fails unless it
// consumed every byte.
func readAll(arg string, v io.ReaderFrom, b []byte) error {
	r := bytes.NewReader(b)
	if _, err := v.ReadFrom(r); err != nil {
		return encodingError(arg, err)
	}
	if r.Len() != 0 {
		return &Error{Kind: KindInvalidEncoding, Arg: arg, Msg: fmt.Sprintf("%d trailing bytes", r.Len())}
	}
	return nil
}

// kzgLines checks a PLONK key's stored pairing lines. gnark's format
// stores the lines of the key's G2 points rather than deriving them, so a
// key is only well formed when they are the lines of those points.
func kzgLines[G, L comparable](lines []L, g2 []G, precompute func(G) L) error {
	for i := range lines {
		if lines[i] != precompute(g2[i]) {
			return &Error{Kind: KindInvalidEncoding, Arg: argKey, Msg: fmt.Sprintf("kzg lines %d are not those of G2[%d]", i, i)}
		}
	}
	return nil
}
