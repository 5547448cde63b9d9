package zk

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	plonkbls "github.com/consensys/gnark/backend/plonk/bls12-381"
	plonkbn "github.com/consensys/gnark/backend/plonk/bn254"
	"github.com/consensys/gnark/logger"
)

// TestKZGLinesChecked swaps the two stored pairing lines of a PLONK key on
// each curve: the key then decodes, but its lines are not those of its G2
// points, and the verifier must reject it as an encoding error.
func TestKZGLinesChecked(t *testing.T) {
	swapBN := func(b []byte) []byte {
		var vk plonkbn.VerifyingKey
		return swapLines(t, &vk, b, func() { vk.Kzg.Lines[0], vk.Kzg.Lines[1] = vk.Kzg.Lines[1], vk.Kzg.Lines[0] })
	}
	swapBLS := func(b []byte) []byte {
		var vk plonkbls.VerifyingKey
		return swapLines(t, &vk, b, func() { vk.Kzg.Lines[0], vk.Kzg.Lines[1] = vk.Kzg.Lines[1], vk.Kzg.Lines[0] })
	}
	for name, swap := range map[string]func([]byte) []byte{"plonk/bn254": swapBN, "plonk/bls12-381": swapBLS} {
		t.Run(name, func(t *testing.T) {
			f := fixtureNamed(t, name)
			if ok, err := verify(f.scheme, f.curve, f.args()); !ok || err != nil {
				t.Fatalf("the fixture does not verify: %v, %v", ok, err)
			}
			_, err := verify(f.scheme, f.curve, Args{swap(f.vk), f.proof, f.public})
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindInvalidEncoding || !strings.Contains(e.Msg, "kzg lines 0") {
				t.Fatalf("err = %v, want InvalidEncoding on kzg lines 0", err)
			}
		})
	}
}

func swapLines(t *testing.T, vk interface {
	io.ReaderFrom
	io.WriterTo
}, b []byte, swap func()) []byte {
	t.Helper()
	if _, err := vk.ReadFrom(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	swap()
	var out bytes.Buffer
	if _, err := vk.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestQuietLogger checks that gnark's verifiers log through its global
// logger (which is why QuietLogger exists) and that QuietLogger switches it
// off.
func TestQuietLogger(t *testing.T) {
	prev := logger.Logger()
	defer logger.Set(prev)
	f := fixtureNamed(t, "groth16/bn254")
	var buf bytes.Buffer
	logger.Set(prev.Output(&buf).Level(0)) // 0: zerolog's debug level
	if ok, err := verify(f.scheme, f.curve, f.args()); !ok || err != nil {
		t.Fatalf("verify = %v, %v", ok, err)
	}
	if buf.Len() == 0 {
		t.Fatal("gnark logged nothing: the test no longer shows what QuietLogger is for")
	}
	buf.Reset()
	QuietLogger()
	if ok, err := verify(f.scheme, f.curve, f.args()); !ok || err != nil {
		t.Fatalf("verify = %v, %v", ok, err)
	}
	if buf.Len() != 0 {
		t.Fatalf("gnark logged %q after QuietLogger", buf.String())
	}
}
