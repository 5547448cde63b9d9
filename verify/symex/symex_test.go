package symex

import (
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
)

func run(t *testing.T, src string, inputLen int) *Result {
	t.Helper()
	p, err := asm.Assemble(src, sbpf.V0, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Version: sbpf.V0, Text: p.Text, Entry: p.Entry, Functions: p.Functions,
		ROData: p.Text, RODataVAddr: sbpf.BytecodeStart, HeapSize: 32 * 1024,
		Input: make([]byte, inputLen), Symbolic: make([]bool, inputLen), Overflow: true}
	for i := range cfg.Symbolic {
		cfg.Symbolic[i] = true
	}
	r, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestOverflow(t *testing.T) {
	cases := []struct {
		name     string
		src      string
		findings []string // kind@pc
		complete bool
	}{
		{"add", "ldxdw r2, [r1+0]\nldxdw r3, [r1+8]\nadd64 r2, r3\nmov64 r0, r2\nexit", []string{"overflow@2"}, true},
		{"guarded add", "ldxdw r2, [r1+0]\nldxdw r3, [r1+8]\nmov64 r4, -1\nsub64 r4, r3\njgt r2, r4, +2\nadd64 r2, r3\nexit\nmov64 r0, 1\nexit", nil, true},
		{"mul by 10", "ldxdw r2, [r1+0]\nmul64 r2, 10\nexit", []string{"overflow@1"}, true},
		{"bounded mul", "ldxdw r2, [r1+0]\njgt r2, 1000, +1\nmul64 r2, 10\nexit", nil, true},
		{"sub", "ldxdw r2, [r1+0]\nsub64 r2, 5\nexit", []string{"overflow@1"}, true},
		{"pointer arith", "add64 r1, 8\nldxdw r0, [r1+0]\nexit", nil, true},
		{"oob", "ldxdw r2, [r1+0]\nand64 r2, 31\nadd64 r1, r2\nldxb r0, [r1+0]\nexit", []string{"oob@3"}, true},
		{"div", "ldxdw r2, [r1+0]\nmov64 r0, 100\ndiv64 r0, r2\nexit", nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, c.src, 16)
			var got []string
			for _, f := range r.Findings {
				got = append(got, f.Kind+"@"+itoa(f.PC))
			}
			if len(got) != len(c.findings) {
				t.Fatalf("findings %v want %v (%+v)", got, c.findings, r.Findings)
			}
			for i := range got {
				if got[i] != c.findings[i] {
					t.Errorf("finding %d: %s want %s", i, got[i], c.findings[i])
				}
			}
			if r.Complete != c.complete {
				t.Errorf("complete %v want %v (%v)", r.Complete, c.complete, r.Why)
			}
		})
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
