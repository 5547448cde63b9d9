package solcrypto

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"testing"

	"github.com/agora-vm/agora/vm"
)

// poseidonCall lays out inputs as an array of (pointer, length) pairs and
// calls sol_poseidon.
func poseidonCall(h *harness, endianness uint64, inputs [][]byte) (run, []byte) {
	var a arena
	arr := make([]byte, 16*len(inputs))
	for i, in := range inputs {
		binary.LittleEndian.PutUint64(arr[i*16:], a.put(in))
		binary.LittleEndian.PutUint64(arr[i*16+8:], uint64(len(in)))
	}
	vals := a.put(arr)
	out := a.alloc(32)
	r := h.call(&a, bigBudget, NamePoseidon, PoseidonBn254X5, endianness, vals, uint64(len(inputs)), out)
	return r, a.at(out, 32)
}

func poseidonPrice(n int) uint64 {
	c, _ := PoseidonCost(uint64(n))
	return c
}

func TestPoseidonReferenceVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/poseidon_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Vectors []struct {
			Name, Endianness string
			Inputs           []string
			Hash             string
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Vectors) < 20 {
		t.Fatalf("only %d vectors", len(doc.Vectors))
	}
	h := newHarness(t, Options{})
	for _, v := range doc.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			var inputs [][]byte
			for _, s := range v.Inputs {
				inputs = append(inputs, unhex(t, s))
			}
			e := uint64(PoseidonBigEndian)
			if v.Endianness == "little" {
				e = PoseidonLittleEndian
			}
			r, out := poseidonCall(h, e, inputs)
			expect(t, r, 0, poseidonPrice(len(inputs)))
			if want := unhex(t, v.Hash); !bytes.Equal(out, want) {
				t.Fatalf("hash %x, want %x", out, want)
			}
		})
	}
}

// The two values everyone quotes for circomlib's Poseidon.
func TestPoseidonCircomlibValues(t *testing.T) {
	h := newHarness(t, Options{})
	for _, c := range []struct {
		inputs []int64
		want   string
	}{
		{[]int64{1}, "18586133768512220936620570745912940619677854269274689475585506675881198879027"},
		{[]int64{1, 2}, "7853200120776062878684798364095072458815029376092732009249414926327459813530"},
	} {
		var inputs [][]byte
		for _, x := range c.inputs {
			inputs = append(inputs, big.NewInt(x).FillBytes(make([]byte, 32)))
		}
		r, out := poseidonCall(h, PoseidonBigEndian, inputs)
		expect(t, r, 0, poseidonPrice(len(inputs)))
		if got := new(big.Int).SetBytes(out).String(); got != c.want {
			t.Fatalf("poseidon(%v) = %s, want %s", c.inputs, got, c.want)
		}
	}
}

type logContext struct {
	lines     []string
	unaligned bool
}

func (c *logContext) Log(msg string)     { c.lines = append(c.lines, msg) }
func (c *logContext) CheckAligned() bool { return !c.unaligned }

func TestPoseidonRejects(t *testing.T) {
	h := newHarness(t, Options{})
	one := big.NewInt(1).FillBytes(make([]byte, 32))
	r := bn254R()
	modulus := r.FillBytes(make([]byte, 32))
	below := new(big.Int).Sub(r, big.NewInt(1)).FillBytes(make([]byte, 32))

	for _, c := range []struct {
		name       string
		endianness uint64
		inputs     [][]byte
		code       uint64
	}{
		{"no inputs", PoseidonBigEndian, nil, 1},
		{"short input", PoseidonBigEndian, [][]byte{one[1:]}, 1},
		{"long input", PoseidonBigEndian, [][]byte{append([]byte{0}, one...)}, 1},
		{"empty input", PoseidonBigEndian, [][]byte{{}}, 1},
		{"modulus", PoseidonBigEndian, [][]byte{modulus}, 1},
		{"modulus LE", PoseidonLittleEndian, [][]byte{reversed(modulus)}, 1},
		{"modulus minus one", PoseidonBigEndian, [][]byte{below}, 0},
		{"all ones", PoseidonBigEndian, [][]byte{bytes.Repeat([]byte{0xff}, 32)}, 1},
		{"twelve inputs", PoseidonBigEndian, repeat(one, 12), 0},
		{"one bad among many", PoseidonBigEndian, append(repeat(one, 5), modulus), 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, out := poseidonCall(h, c.endianness, c.inputs)
			expect(t, r, c.code, poseidonPrice(len(c.inputs)))
			if c.code != 0 && !bytes.Equal(out, make([]byte, 32)) {
				t.Fatalf("rejected call wrote %x", out)
			}
		})
	}

	// Arguments Agave refuses before charging anything.
	var a arena
	out := a.alloc(32)
	expectAbort(t, h.call(&a, bigBudget, NamePoseidon, 1, 0, out, 1, out), "InvalidParameters", 0)
	expectAbort(t, h.call(&a, bigBudget, NamePoseidon, 0, 2, out, 1, out), "InvalidEndianness", 0)
	ctx := &logContext{}
	h.ctx = ctx
	expectAbort(t, h.call(&a, bigBudget, NamePoseidon, 0, 0, out, 13, out), "InvalidLength", 0)
	if len(ctx.lines) != 1 || ctx.lines[0] != "Poseidon hashing 13 sequences is not supported" {
		t.Fatalf("log %q", ctx.lines)
	}
	h.ctx = nil
}

func repeat(b []byte, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

func TestPoseidonLegacyPadding(t *testing.T) {
	strict := newHarness(t, Options{})
	legacy := newHarness(t, Options{LegacyPoseidonPadding: true})
	one := big.NewInt(1).FillBytes(make([]byte, 32))
	_, want := poseidonCall(strict, PoseidonBigEndian, [][]byte{one, one})

	r, out := poseidonCall(legacy, PoseidonBigEndian, [][]byte{{1}, {0, 1}})
	expect(t, r, 0, poseidonPrice(2))
	if !bytes.Equal(out, want) {
		t.Fatalf("legacy short inputs hash to %x, want %x", out, want)
	}
	r, outLE := poseidonCall(legacy, PoseidonLittleEndian, [][]byte{{1}, {1, 0, 0}})
	expect(t, r, 0, poseidonPrice(2))
	if !bytes.Equal(outLE, reversed(want)) {
		t.Fatalf("legacy short LE inputs hash to %x, want %x", outLE, reversed(want))
	}
	for _, bad := range [][]byte{{}, make([]byte, 33)} {
		r, _ := poseidonCall(legacy, PoseidonBigEndian, [][]byte{bad})
		expect(t, r, 1, poseidonPrice(1))
	}
	r, _ = poseidonCall(strict, PoseidonBigEndian, [][]byte{{1}, {1}})
	expect(t, r, 1, poseidonPrice(2))
}

func TestPoseidonMemory(t *testing.T) {
	h := newHarness(t, Options{})
	one := big.NewInt(1).FillBytes(make([]byte, 32))

	// An unaligned (pointer, length) array aborts after the charge, unless
	// the context turns alignment checks off (the deprecated loader).
	var a arena
	in := a.put(one)
	arr := make([]byte, 17)
	binary.LittleEndian.PutUint64(arr[1:], in)
	binary.LittleEndian.PutUint64(arr[9:], 32)
	vals := a.put(arr) + 1
	out := a.alloc(32)
	expectAbort(t, h.call(&a, bigBudget, NamePoseidon, 0, 0, vals, 1, out), "UnalignedPointer", poseidonPrice(1))
	h.ctx = &logContext{unaligned: true}
	expect(t, h.call(&a, bigBudget, NamePoseidon, 0, 0, vals, 1, out), 0, poseidonPrice(1))
	h.ctx = nil

	// A result in read-only memory, an input slice outside memory.
	var b arena
	in = b.put(one)
	arr = make([]byte, 16)
	binary.LittleEndian.PutUint64(arr, in)
	binary.LittleEndian.PutUint64(arr[8:], 32)
	vals = b.put(arr)
	r := h.call(&b, bigBudget, NamePoseidon, 0, 0, vals, 1, 0x1_0000_0000)
	expectAbort(t, r, "AccessViolation", poseidonPrice(1))
	binary.LittleEndian.PutUint64(b.at(vals, 8), 0x5_0000_0000)
	out = b.alloc(32)
	expectAbort(t, h.call(&b, bigBudget, NamePoseidon, 0, 0, vals, 1, out), "AccessViolation", poseidonPrice(1))
	// A slice length that cannot be addressed.
	binary.LittleEndian.PutUint64(b.at(vals, 8), in)
	binary.LittleEndian.PutUint64(b.at(vals+8, 8), 1<<63)
	expectAbort(t, h.call(&b, bigBudget, NamePoseidon, 0, 0, vals, 1, out), "InvalidLength", poseidonPrice(1))

	// Out of budget: the meter empties and the program aborts.
	binary.LittleEndian.PutUint64(b.at(vals+8, 8), 32)
	budget := poseidonPrice(1) + callOverhead - 2 // one short once the lddws and the call are paid
	r = h.call(&b, budget, NamePoseidon, 0, 0, vals, 1, out)
	if !errors.Is(r.Err, vm.ErrComputeBudgetExceeded) || r.CU != budget {
		t.Fatalf("got %v cu=%d, want ComputationalBudgetExceeded cu=%d", r.Err, r.CU, budget)
	}
}
