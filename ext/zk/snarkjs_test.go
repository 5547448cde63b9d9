package zk

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

func snarkjsFiles(t testing.TB) (vk, proof, public []byte) {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "snarkjs", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return read("verification_key.json"), read("proof.json"), read("public.json")
}

// mutate decodes JSON, applies fn to it and encodes it again.
func mutate(t *testing.T, data []byte, fn func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func point(m map[string]any, key string) []any { return m[key].([]any) }

func TestConvertSnarkJSErrors(t *testing.T) {
	vk, proof, public := snarkjsFiles(t)
	pMinus1 := new(fp.Element).SetInt64(-1).String() // p − 1
	p := fp.Modulus().String()
	cases := []struct {
		name              string
		vk, proof, public []byte
		want              string
	}{
		{"vk not JSON", []byte("{"), proof, public, "verification key"},
		{"vk protocol", mutate(t, vk, func(m map[string]any) { m["protocol"] = "plonk" }), proof, public, "protocol"},
		{"vk curve", mutate(t, vk, func(m map[string]any) { m["curve"] = "bls12381" }), proof, public, "curve"},
		{"vk no nPublic", mutate(t, vk, func(m map[string]any) { delete(m, "nPublic") }), proof, public, "nPublic"},
		{"vk nPublic", mutate(t, vk, func(m map[string]any) { m["nPublic"] = 3 }), proof, public, "IC points"},
		{"vk nPublic huge", mutate(t, vk, func(m map[string]any) { m["nPublic"] = 1 << 40 }), proof, public, "nPublic"},
		{"vk alpha z", mutate(t, vk, func(m map[string]any) { point(m, "vk_alpha_1")[2] = "2" }), proof, public, "third coordinate"},
		{"vk alpha x", mutate(t, vk, func(m map[string]any) { point(m, "vk_alpha_1")[0] = "1" }), proof, public, "not a point"},
		{"vk alpha x = p", mutate(t, vk, func(m map[string]any) { point(m, "vk_alpha_1")[0] = p }), proof, public, "modulus"},
		{"vk alpha hex", mutate(t, vk, func(m map[string]any) { point(m, "vk_alpha_1")[0] = "0x1" }), proof, public, "decimal"},
		{"vk alpha short", mutate(t, vk, func(m map[string]any) { m["vk_alpha_1"] = point(m, "vk_alpha_1")[:2] }), proof, public, "coordinates"},
		{"vk beta swapped", mutate(t, vk, func(m map[string]any) {
			x := point(m, "vk_beta_2")[0].([]any)
			x[0], x[1] = x[1], x[0]
			y := point(m, "vk_beta_2")[1].([]any)
			y[0], y[1] = y[1], y[0]
		}), proof, public, "not a point of G2"},
		{"vk gamma z", mutate(t, vk, func(m map[string]any) { point(m, "vk_gamma_2")[2] = []any{"1", "1"} }), proof, public, "third coordinate"},
		{"vk delta component", mutate(t, vk, func(m map[string]any) { point(m, "vk_delta_2")[0] = []any{"1"} }), proof, public, "components"},
		{"vk IC", mutate(t, vk, func(m map[string]any) { point(m, "IC")[1].([]any)[1] = pMinus1 }), proof, public, "IC[1]"},
		{"vk alphabeta", mutate(t, vk, func(m map[string]any) {
			point(m, "vk_alphabeta_12")[0].([]any)[0].([]any)[0] = "1"
		}), proof, public, "vk_alphabeta_12"},
		{"vk infinity", mutate(t, vk, func(m map[string]any) { m["vk_alpha_1"] = []any{"1", "1", "0"} }), proof, public, "infinity"},
		{"proof protocol", vk, mutate(t, proof, func(m map[string]any) { m["protocol"] = "fflonk" }), public, "proof: protocol"},
		{"proof a", vk, mutate(t, proof, func(m map[string]any) { point(m, "pi_a")[1] = "5" }), public, "pi_a"},
		{"proof b", vk, mutate(t, proof, func(m map[string]any) { m["pi_b"] = point(m, "pi_b")[:2] }), public, "pi_b"},
		{"proof c", vk, mutate(t, proof, func(m map[string]any) { point(m, "pi_c")[2] = "0" }), public, "pi_c"},
		{"proof not JSON", vk, []byte("[]"), public, "proof"},
		{"public count", vk, proof, []byte(`["33"]`), "1 inputs, the key takes 2"},
		{"public = r", vk, proof, []byte(`["` + fr.Modulus().String() + `", "3"]`), "input 0"},
		{"public huge", vk, proof, []byte(`["1` + strings.Repeat("0", 100) + `", "3"]`), "input 0"},
		{"public negative", vk, proof, []byte(`["-1", "3"]`), "decimal"},
		{"public empty", vk, proof, []byte(`["", "3"]`), "field element"},
		{"public number", vk, proof, []byte(`[33, 3]`), "public inputs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, _, err := ConvertSnarkJS(c.vk, c.proof, c.public)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// TestConvertSnarkJSInfinity: the point at infinity is read in snarkjs's
// form, and a proof whose A is infinity does not verify.
func TestConvertSnarkJSInfinity(t *testing.T) {
	vk, proof, public := snarkjsFiles(t)
	proof = mutate(t, proof, func(m map[string]any) {
		m["pi_a"] = []any{"0", "1", "0"}
		m["pi_b"] = []any{[]any{"0", "0"}, []any{"1", "0"}, []any{"0", "0"}}
	})
	k, p, pub, err := ConvertSnarkJS(vk, proof, public)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := Verify(Groth16, CurveBN254, Args{k, p, pub}); ok || err != nil {
		t.Fatalf("proof at infinity: %v, %v", ok, err)
	}
}
