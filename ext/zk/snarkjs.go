package zk

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/big"

	curve "github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	groth16 "github.com/consensys/gnark/backend/groth16/bn254"

	"github.com/agora-vm/agora/abi"
)

// ConvertOptions tune ConvertSnarkJSWith.
type ConvertOptions struct {
	// Raw writes points uncompressed (gnark's WriteRawTo): about twice the
	// bytes, but the verifier skips the square roots of decompression. The
	// syscall's price is the same either way.
	Raw bool
}

// ConvertSnarkJS turns snarkjs/circom Groth16 BN254 JSON — the
// verification_key.json of `snarkjs zkey export verificationkey`, the
// proof.json and public.json of `snarkjs groth16 prove` — into the
// arguments of agora_groth16_verify on CurveBN254: gnark's compressed
// VerifyingKey and Proof encodings and the 32-byte big-endian public
// inputs. proofJSON and publicJSON may be nil, to convert a key alone; their
// outputs are then nil. See ConvertSnarkJSWith.
func ConvertSnarkJS(vkJSON, proofJSON, publicJSON []byte) (vk, proof, public []byte, err error) {
	return ConvertSnarkJSWith(vkJSON, proofJSON, publicJSON, ConvertOptions{})
}

// ConvertSnarkJSWith is ConvertSnarkJS with options.
//
// snarkjs writes every field element as a decimal string and every point
// in projective form with a third coordinate "1" (["0","1","0"] for the
// point at infinity); an Fp2 coordinate is [c0, c1], the real part first,
// which is gnark's (A0, A1) order. (The swapped order, c1 first, is that of
// Ethereum's precompiles and of snarkjs's Solidity calldata export, not of
// its JSON.) Every coordinate must be canonical and every point on the
// curve and in its prime-order subgroup. The key's vk_alphabeta_12, the
// pairing e(α, β) that snarkjs precomputes, is checked against α and β and
// otherwise dropped: gnark recomputes it when it decodes the key. gnark's
// key also has G1 β and δ, which snarkjs's lacks and Groth16 verification
// never reads; they are written as the point at infinity. The number of
// public inputs must be the key's nPublic, and len(IC) must be nPublic + 1.
// A missing "protocol" or "curve" field is taken to be "groth16" and
// "bn128"; any other value is an error.
func ConvertSnarkJSWith(vkJSON, proofJSON, publicJSON []byte, opts ConvertOptions) (vk, proof, public []byte, err error) {
	key, nPublic, err := convertKey(vkJSON)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("verification key: %w", err)
	}
	if vk, err = encode(&key, opts.Raw); err != nil {
		return nil, nil, nil, err
	}
	if proofJSON != nil {
		p, err := convertProof(proofJSON)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("proof: %w", err)
		}
		if proof, err = encode(&p, opts.Raw); err != nil {
			return nil, nil, nil, err
		}
	}
	if publicJSON != nil {
		if public, err = convertPublic(publicJSON, nPublic); err != nil {
			return nil, nil, nil, fmt.Errorf("public inputs: %w", err)
		}
	}
	return vk, proof, public, nil
}

// gnarkObject is a gnark key or proof: both write themselves compressed
// or raw.
type gnarkObject interface {
	WriteTo(w io.Writer) (int64, error)
	WriteRawTo(w io.Writer) (int64, error)
}

func encode(v gnarkObject, raw bool) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	if raw {
		_, err = v.WriteRawTo(&buf)
	} else {
		_, err = v.WriteTo(&buf)
	}
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type snarkjsKey struct {
	Protocol    string       `json:"protocol"`
	Curve       string       `json:"curve"`
	NPublic     *int         `json:"nPublic"`
	Alpha1      []string     `json:"vk_alpha_1"`
	Beta2       [][]string   `json:"vk_beta_2"`
	Gamma2      [][]string   `json:"vk_gamma_2"`
	Delta2      [][]string   `json:"vk_delta_2"`
	AlphaBeta12 [][][]string `json:"vk_alphabeta_12"`
	IC          [][]string   `json:"IC"`
}

type snarkjsProof struct {
	A        []string   `json:"pi_a"`
	B        [][]string `json:"pi_b"`
	C        []string   `json:"pi_c"`
	Protocol string     `json:"protocol"`
	Curve    string     `json:"curve"`
}

// maxSnarkJSInputs bounds the IC array and public.json: the syscall takes
// no more public inputs than this.
const maxSnarkJSInputs = MaxPublicInputs

// checkHeader checks the protocol and curve fields. Older snarkjs releases
// omit them from proof.json, so a missing field passes.
func checkHeader(protocol, curveName string) error {
	if protocol != "groth16" && protocol != "" {
		return fmt.Errorf("protocol %q, want \"groth16\"", protocol)
	}
	if curveName != "bn128" && curveName != "bn254" && curveName != "" {
		return fmt.Errorf("curve %q, want \"bn128\" (BN254)", curveName)
	}
	return nil
}

func convertKey(data []byte) (groth16.VerifyingKey, int, error) {
	var vk groth16.VerifyingKey
	var j snarkjsKey
	if err := abi.DecodeStrict(data, &j); err != nil {
		return vk, 0, err
	}
	if err := checkHeader(j.Protocol, j.Curve); err != nil {
		return vk, 0, err
	}
	if j.NPublic == nil {
		return vk, 0, errors.New("no nPublic")
	}
	n := *j.NPublic
	if n < 0 || n > maxSnarkJSInputs {
		return vk, 0, fmt.Errorf("nPublic %d outside 0..%d", n, maxSnarkJSInputs)
	}
	if len(j.IC) != n+1 {
		return vk, 0, fmt.Errorf("%d IC points for nPublic %d, want %d", len(j.IC), n, n+1)
	}
	var err error
	if vk.G1.Alpha, err = g1FromJSON("vk_alpha_1", j.Alpha1); err != nil {
		return vk, 0, err
	}
	if vk.G2.Beta, err = g2FromJSON("vk_beta_2", j.Beta2); err != nil {
		return vk, 0, err
	}
	if vk.G2.Gamma, err = g2FromJSON("vk_gamma_2", j.Gamma2); err != nil {
		return vk, 0, err
	}
	if vk.G2.Delta, err = g2FromJSON("vk_delta_2", j.Delta2); err != nil {
		return vk, 0, err
	}
	vk.G1.K = make([]curve.G1Affine, len(j.IC))
	for i, p := range j.IC {
		if vk.G1.K[i], err = g1FromJSON(fmt.Sprintf("IC[%d]", i), p); err != nil {
			return vk, 0, err
		}
	}
	vk.PublicAndCommitmentCommitted = [][]int{}
	if j.AlphaBeta12 != nil {
		want, err := curve.Pair([]curve.G1Affine{vk.G1.Alpha}, []curve.G2Affine{vk.G2.Beta})
		if err != nil {
			return vk, 0, err
		}
		got, err := gtFromJSON(j.AlphaBeta12)
		if err != nil {
			return vk, 0, err
		}
		if !got.Equal(&want) {
			return vk, 0, errors.New("vk_alphabeta_12 is not e(vk_alpha_1, vk_beta_2)")
		}
	}
	return vk, n, nil
}

func convertProof(data []byte) (groth16.Proof, error) {
	var p groth16.Proof
	var j snarkjsProof
	if err := abi.DecodeStrict(data, &j); err != nil {
		return p, err
	}
	if err := checkHeader(j.Protocol, j.Curve); err != nil {
		return p, err
	}
	var err error
	if p.Ar, err = g1FromJSON("pi_a", j.A); err != nil {
		return p, err
	}
	if p.Bs, err = g2FromJSON("pi_b", j.B); err != nil {
		return p, err
	}
	if p.Krs, err = g1FromJSON("pi_c", j.C); err != nil {
		return p, err
	}
	p.Commitments = []curve.G1Affine{}
	return p, nil
}

func convertPublic(data []byte, n int) ([]byte, error) {
	var in []string
	if err := abi.DecodeStrict(data, &in); err != nil {
		return nil, err
	}
	if len(in) != n {
		return nil, fmt.Errorf("%d inputs, the key takes %d", len(in), n)
	}
	out := make([]byte, 0, len(in)*ScalarSize)
	for i, s := range in {
		v, err := decimal(fmt.Sprintf("input %d", i), s, fr.Modulus())
		if err != nil {
			return nil, err
		}
		out = append(out, v.FillBytes(make([]byte, ScalarSize))...)
	}
	return out, nil
}

// decimal parses a canonical decimal field element below modulus.
func decimal(what, s string, modulus *big.Int) (*big.Int, error) {
	if len(s) == 0 || len(s) > 100 {
		return nil, fmt.Errorf("%s: %q is not a field element", what, s)
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return nil, fmt.Errorf("%s: %q is not a decimal number", what, s)
		}
	}
	v, ok := new(big.Int).SetString(s, 10)
	if !ok || v.Cmp(modulus) >= 0 {
		return nil, fmt.Errorf("%s: %s is not below the field modulus", what, s)
	}
	return v, nil
}

func fpFromJSON(what, s string) (fp.Element, error) {
	var e fp.Element
	v, err := decimal(what, s, fp.Modulus())
	if err != nil {
		return e, err
	}
	e.SetBigInt(v)
	return e, nil
}

// g1FromJSON reads [x, y, z] with z "1" (an affine point) or "0" with
// [0, 1, 0] (the point at infinity).
func g1FromJSON(what string, c []string) (curve.G1Affine, error) {
	var p curve.G1Affine
	if len(c) != 3 {
		return p, fmt.Errorf("%s: %d coordinates, want 3", what, len(c))
	}
	var xyz [3]fp.Element
	for i, s := range c {
		var err error
		if xyz[i], err = fpFromJSON(fmt.Sprintf("%s[%d]", what, i), s); err != nil {
			return p, err
		}
	}
	switch {
	case xyz[2].IsZero():
		if !xyz[0].IsZero() || !xyz[1].IsOne() {
			return p, fmt.Errorf("%s: point at infinity must be [0, 1, 0]", what)
		}
		return p, nil // (0, 0): gnark's affine infinity
	case !xyz[2].IsOne():
		return p, fmt.Errorf("%s: third coordinate %s, want 1 (affine) or 0 (infinity)", what, c[2])
	}
	p.X, p.Y = xyz[0], xyz[1]
	if !p.IsOnCurve() || !p.IsInSubGroup() {
		return p, fmt.Errorf("%s: not a point of G1", what)
	}
	return p, nil
}

// g2FromJSON reads [[x.c0, x.c1], [y.c0, y.c1], [z.c0, z.c1]] with z
// ["1", "0"], or ["0", "0"] with x 0 and y 1 for the point at infinity.
func g2FromJSON(what string, c [][]string) (curve.G2Affine, error) {
	var p curve.G2Affine
	if len(c) != 3 {
		return p, fmt.Errorf("%s: %d coordinates, want 3", what, len(c))
	}
	var xyz [3][2]fp.Element
	for i := range c {
		if len(c[i]) != 2 {
			return p, fmt.Errorf("%s[%d]: %d components, want 2", what, i, len(c[i]))
		}
		for k := range 2 {
			var err error
			if xyz[i][k], err = fpFromJSON(fmt.Sprintf("%s[%d][%d]", what, i, k), c[i][k]); err != nil {
				return p, err
			}
		}
	}
	isZero := func(e [2]fp.Element) bool { return e[0].IsZero() && e[1].IsZero() }
	isOne := func(e [2]fp.Element) bool { return e[0].IsOne() && e[1].IsZero() }
	switch {
	case isZero(xyz[2]):
		if !isZero(xyz[0]) || !isOne(xyz[1]) {
			return p, fmt.Errorf("%s: point at infinity must be [[0, 0], [1, 0], [0, 0]]", what)
		}
		return p, nil
	case !isOne(xyz[2]):
		return p, fmt.Errorf("%s: third coordinate [%s, %s], want [1, 0] (affine) or [0, 0] (infinity)", what, c[2][0], c[2][1])
	}
	p.X.A0, p.X.A1 = xyz[0][0], xyz[0][1]
	p.Y.A0, p.Y.A1 = xyz[1][0], xyz[1][1]
	if !p.IsOnCurve() || !p.IsInSubGroup() {
		return p, fmt.Errorf("%s: not a point of G2", what)
	}
	return p, nil
}

// gtFromJSON reads snarkjs's Fp12 element: [c0, c1] of Fp6, each [b0, b1,
// b2] of Fp2, each [a0, a1]. The tower is gnark's (Fp6 = Fp2[v]/(v³ − ξ),
// Fp12 = Fp6[w]/(w² − v)), so the components map one to one.
func gtFromJSON(c [][][]string) (curve.GT, error) {
	var e curve.GT
	if len(c) != 2 {
		return e, fmt.Errorf("vk_alphabeta_12: %d components, want 2", len(c))
	}
	for i := range 2 {
		if len(c[i]) != 3 {
			return e, fmt.Errorf("vk_alphabeta_12[%d]: %d components, want 3", i, len(c[i]))
		}
		c6 := &e.C0
		if i == 1 {
			c6 = &e.C1
		}
		for j, b := range []*[2]*fp.Element{
			{&c6.B0.A0, &c6.B0.A1}, {&c6.B1.A0, &c6.B1.A1}, {&c6.B2.A0, &c6.B2.A1},
		} {
			if len(c[i][j]) != 2 {
				return e, fmt.Errorf("vk_alphabeta_12[%d][%d]: %d components, want 2", i, j, len(c[i][j]))
			}
			for k := range 2 {
				v, err := fpFromJSON(fmt.Sprintf("vk_alphabeta_12[%d][%d][%d]", i, j, k), c[i][j][k])
				if err != nil {
					return e, err
				}
				*b[k] = v
			}
		}
	}
	return e, nil
}
