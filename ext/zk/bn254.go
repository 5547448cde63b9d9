package zk

import (
	"bytes"
	"fmt"
	"io"

	curve "github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	groth16 "github.com/consensys/gnark/backend/groth16/bn254"
	plonk "github.com/consensys/gnark/backend/plonk/bn254"
)

// This file and bls12381.go are the same code on two curves: keep them in
// step (bls12381.go is this file with the imports changed).

// readAllBN254 decodes b into v with gnark's ReadFrom and fails unless it
// consumed every byte.
func readAllBN254(arg string, v io.ReaderFrom, b []byte) error {
	r := bytes.NewReader(b)
	if _, err := v.ReadFrom(r); err != nil {
		return encodingError(arg, err)
	}
	if r.Len() != 0 {
		return &Error{Kind: KindInvalidEncoding, Arg: arg, Msg: fmt.Sprintf("%d trailing bytes", r.Len())}
	}
	return nil
}

// publicBN254 decodes the public inputs (already checked to be canonical).
func publicBN254(b []byte) (fr.Vector, error) {
	w := make(fr.Vector, len(b)/ScalarSize)
	for i := range w {
		if err := w[i].SetBytesCanonical(b[i*ScalarSize : (i+1)*ScalarSize]); err != nil {
			return nil, encodingError(argPublic, err)
		}
	}
	return w, nil
}

func groth16BN254(a Args) (bool, error) {
	var vk groth16.VerifyingKey
	if err := readAllBN254(argKey, &vk, a.VerifyingKey); err != nil {
		return false, err
	}
	var proof groth16.Proof
	if err := readAllBN254(argProof, &proof, a.Proof); err != nil {
		return false, err
	}
	w, err := publicBN254(a.PublicInputs)
	if err != nil {
		return false, err
	}
	return groth16.Verify(&proof, &vk, w) == nil, nil
}

func plonkBN254(a Args) (bool, error) {
	var vk plonk.VerifyingKey
	if err := readAllBN254(argKey, &vk, a.VerifyingKey); err != nil {
		return false, err
	}
	// The pairing lines of the key's G2 points are stored, not derived, by
	// gnark's format: a key is only well formed when they are the lines of
	// those points.
	for i := range vk.Kzg.Lines {
		if vk.Kzg.Lines[i] != curve.PrecomputeLines(vk.Kzg.G2[i]) {
			return false, &Error{Kind: KindInvalidEncoding, Arg: argKey, Msg: fmt.Sprintf("kzg lines %d are not those of G2[%d]", i, i)}
		}
	}
	var proof plonk.Proof
	if err := readAllBN254(argProof, &proof, a.Proof); err != nil {
		return false, err
	}
	w, err := publicBN254(a.PublicInputs)
	if err != nil {
		return false, err
	}
	return plonk.Verify(&proof, &vk, w) == nil, nil
}
