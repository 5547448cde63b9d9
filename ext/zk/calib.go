package zk

import (
	"embed"
	"encoding/binary"
	"fmt"
)

// calibration holds one valid (key, proof, public inputs) triple per
// calibration case, made by gnark v0.16 from the circuits of calib_test.go
// (regenerate with `go test ./ext/zk -run TestCalibrationFiles -update`).
// Each file is three little-endian u32-length-prefixed byte strings: the
// compressed key, the compressed proof, the public inputs.
//
//go:embed calib/*.bin
var calibration embed.FS

// BenchCase is a valid verification of a given shape, for measuring the
// syscalls' time against their price (`agora bench costs`, and
// BenchmarkVerify).
type BenchCase struct {
	Name        string // e.g. "groth16/bn254/n=64/c=0"
	Syscall     string // NameGroth16Verify or NamePlonkVerify
	Scheme      Scheme
	Curve       Curve
	Inputs      uint64 // public inputs n
	Commitments uint64 // BSB22 commitments c
	Args        Args   // compressed key and proof: the slower, priced form
	Price       uint64 // Price(Scheme, Curve, Inputs, Commitments)
}

// benchShapes are the calibration cases: for each scheme and curve, one
// and 64 public inputs without a commitment, and one input with one.
var benchShapes = []struct{ inputs, commitments uint64 }{{1, 0}, {64, 0}, {1, 1}}

func benchFile(s Scheme, c Curve, inputs, commitments uint64) string {
	return fmt.Sprintf("calib/%v-%v-n%d-c%d.bin", s, c, inputs, commitments)
}

// BenchCases returns the calibration cases, each a valid proof (Verify
// returns true for every one), in a stable order. Every call returns fresh
// copies.
func BenchCases() ([]BenchCase, error) {
	var out []BenchCase
	for _, s := range []Scheme{Groth16, Plonk} {
		for _, c := range []Curve{CurveBN254, CurveBLS12381} {
			for _, sh := range benchShapes {
				file := benchFile(s, c, sh.inputs, sh.commitments)
				data, err := calibration.ReadFile(file)
				if err != nil {
					return nil, fmt.Errorf("zk: %w", err)
				}
				parts, err := splitCalibration(data)
				if err != nil {
					return nil, fmt.Errorf("zk: %s: %w", file, err)
				}
				out = append(out, BenchCase{
					Name:        fmt.Sprintf("%v/%v/n=%d/c=%d", s, c, sh.inputs, sh.commitments),
					Syscall:     syscallNameOf(s),
					Scheme:      s,
					Curve:       c,
					Inputs:      sh.inputs,
					Commitments: sh.commitments,
					Args:        Args{VerifyingKey: parts[0], Proof: parts[1], PublicInputs: parts[2]},
					Price:       Price(s, c, sh.inputs, sh.commitments),
				})
			}
		}
	}
	return out, nil
}

func syscallNameOf(s Scheme) string {
	if s == Plonk {
		return NamePlonkVerify
	}
	return NameGroth16Verify
}

func splitCalibration(data []byte) ([3][]byte, error) {
	var parts [3][]byte
	for i := range parts {
		if len(data) < 4 {
			return parts, fmt.Errorf("truncated")
		}
		n := binary.LittleEndian.Uint32(data)
		data = data[4:]
		if uint64(n) > uint64(len(data)) {
			return parts, fmt.Errorf("truncated")
		}
		parts[i] = append([]byte(nil), data[:n]...)
		data = data[n:]
	}
	if len(data) != 0 {
		return parts, fmt.Errorf("%d trailing bytes", len(data))
	}
	return parts, nil
}

func joinCalibration(a Args) []byte {
	var out []byte
	for _, p := range [][]byte{a.VerifyingKey, a.Proof, a.PublicInputs} {
		out = binary.LittleEndian.AppendUint32(out, uint32(len(p)))
		out = append(out, p...)
	}
	return out
}
