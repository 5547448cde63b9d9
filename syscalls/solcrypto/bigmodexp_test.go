package solcrypto

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// modexpArgs lays out operands and BigModExpParams; it returns the params
// address and the result address.
func modexpArgs(a *arena, base, exp, mod []byte) (params, out uint64) {
	p := make([]byte, 48)
	binary.LittleEndian.PutUint64(p[0:], a.put(base))
	binary.LittleEndian.PutUint64(p[8:], uint64(len(base)))
	binary.LittleEndian.PutUint64(p[16:], a.put(exp))
	binary.LittleEndian.PutUint64(p[24:], uint64(len(exp)))
	binary.LittleEndian.PutUint64(p[32:], a.put(mod))
	binary.LittleEndian.PutUint64(p[40:], uint64(len(mod)))
	params = a.put(p)
	return params, a.alloc(len(mod))
}

func TestBigModExp(t *testing.T) {
	h := newHarness(t, Options{})
	for _, c := range []struct {
		name           string
		base, exp, mod []byte
		want           []byte
	}{
		{"3^2 mod 7", []byte{3}, []byte{2}, []byte{7}, []byte{2}},
		{"padded to the modulus", []byte{2}, []byte{10}, []byte{0, 0, 0x03, 0xe9}, []byte{0, 0, 0x00, 0x17}}, // 2^10 mod 1001 = 23
		{"even modulus", []byte{3}, []byte{3}, []byte{10}, []byte{7}},
		{"0^0 is 1", nil, nil, []byte{7}, []byte{1}},
		{"zero modulus", []byte{5}, []byte{3}, []byte{0, 0}, []byte{0, 0}},
		{"modulus one", []byte{5}, []byte{3}, []byte{0, 1}, []byte{0, 0}},
		{"empty modulus", []byte{5}, []byte{3}, nil, nil},
		{"base above modulus", []byte{0x01, 0x00}, []byte{1}, []byte{0xfb}, []byte{0x05}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var a arena
			p, out := modexpArgs(&a, c.base, c.exp, c.mod)
			r := h.call(&a, bigBudget, NameBigModExp, p, out)
			expect(t, r, 0, BigModExpCost(uint64(max(len(c.base), len(c.exp), len(c.mod)))))
			if got := a.at(out, len(c.mod)); !bytes.Equal(got, c.want) {
				t.Fatalf("got %x, want %x", got, c.want)
			}
		})
	}
}

func TestBigModExpCost(t *testing.T) {
	for _, c := range []struct{ l, want uint64 }{
		{0, 290}, {1, 290}, {2, 292}, {3, 294}, {32, 802}, {512, 100 + 512*512/2 + 190},
	} {
		if got := BigModExpCost(c.l); got != c.want {
			t.Errorf("cost(%d) = %d, want %d", c.l, got, c.want)
		}
	}
}

func TestBigModExpRejects(t *testing.T) {
	h := newHarness(t, Options{})
	long := make([]byte, 513)
	for _, ops := range [][3][]byte{{long, {1}, {7}}, {{1}, long, {7}}, {{1}, {1}, long}} {
		var a arena
		p, out := modexpArgs(&a, ops[0], ops[1], ops[2])
		expectAbort(t, h.call(&a, bigBudget, NameBigModExp, p, out), "InvalidLength", 0)
	}
	// 512 bytes is allowed.
	var a arena
	mod := bytes.Repeat([]byte{0xff}, 512)
	p, out := modexpArgs(&a, []byte{2}, []byte{2}, mod)
	expect(t, h.call(&a, bigBudget, NameBigModExp, p, out), 0, BigModExpCost(512))
	if got := a.at(out, 512); got[511] != 4 || !allZero(got[:511]) {
		t.Fatalf("2^2 mod (2^4096−1) = %x", got)
	}

	// The parameters: read before anything is charged, 8-aligned.
	var b arena
	p, out = modexpArgs(&b, []byte{3}, []byte{2}, []byte{7})
	expectAbort(t, h.call(&b, bigBudget, NameBigModExp, 0x9_0000_0000, out), "AccessViolation", 0)
	params := append([]byte{0}, b.at(p, 48)...)
	up := b.put(params) + 1
	expectAbort(t, h.call(&b, bigBudget, NameBigModExp, up, out), "UnalignedPointer", 0)
	h.ctx = &logContext{unaligned: true}
	expect(t, h.call(&b, bigBudget, NameBigModExp, up, out), 0, BigModExpCost(1))
	h.ctx = nil
	// The operands after the charge, the result last.
	binary.LittleEndian.PutUint64(b.at(p, 8), 0x9_0000_0000)
	expectAbort(t, h.call(&b, bigBudget, NameBigModExp, p, out), "AccessViolation", BigModExpCost(1))
	binary.LittleEndian.PutUint64(b.at(p, 8), out)
	expectAbort(t, h.call(&b, bigBudget, NameBigModExp, p, 0x1_0000_0000), "AccessViolation", BigModExpCost(1))
}
