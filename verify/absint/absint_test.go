package absint

import (
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
)

func analyze(t *testing.T, src string, l *Layout) *Result {
	t.Helper()
	p, err := asm.Assemble(src, sbpf.V0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l == nil {
		l = &Layout{InputLen: -1, HeapSize: 32 * 1024, RODataVAddr: sbpf.BytecodeStart}
	}
	r, err := Analyze(&Program{Version: sbpf.V0, Text: p.Text, Entry: p.Entry, Functions: p.Functions}, l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAccessVerdicts(t *testing.T) {
	cases := []struct {
		name   string
		src    string
		proven []bool // per memory instruction, in pc order
		need   int
		reason string
	}{
		{"input const", "ldxdw r0, [r1+8]\nexit", []bool{true}, 16, ""},
		{"stack spill", "stxdw [r10-8], r1\nldxdw r2, [r10-8]\nldxb r0, [r2+3]\nexit", []bool{true, true, true}, 4, ""},
		{"stack below frame", "ldxdw r0, [r10-4100]\nexit", []bool{false}, 0, "before the start"},
		{"stack above frame", "ldxdw r0, [r10+0]\nexit", []bool{false}, 0, "region holds 4096"},
		{"masked index", "ldxb r2, [r1+0]\nand64 r2, 15\nmov64 r3, r1\nadd64 r3, r2\nldxb r0, [r3+0]\nexit", []bool{true, true}, 16, ""},
		{"unbounded index", "ldxdw r2, [r1+0]\nadd64 r1, r2\nldxb r0, [r1+0]\nexit", []bool{true, false}, 8, "input region"},
		{"guarded index", "ldxdw r2, [r1+0]\njgt r2, 31, +3\nadd64 r1, r2\nldxb r0, [r1+8]\nexit\nmov64 r0, 0\nexit", []bool{true, true}, 40, ""},
		{"loop", "mov64 r2, 0\nmov64 r0, 0\nldxb r3, [r1+0]\nadd64 r3, r0\nadd64 r2, 1\njlt r2, 10, -4\nexit", []bool{true}, 1, ""},
		// No relation between r2 and r3 is kept, so this is not proven.
		{"loop over input", "mov64 r2, 0\nmov64 r3, r1\nldxb r4, [r3+0]\nadd64 r3, 1\nadd64 r2, 1\njlt r2, 10, -4\nexit", []bool{false}, -1, "not bounded"},
		{"heap", "lddw r2, 0x300000000\nstxdw [r2+32760], r1\nexit", []bool{true}, 0, ""},
		{"heap end", "lddw r2, 0x300000000\nstxdw [r2+32761], r1\nexit", []bool{false}, 0, "heap region holds"},
		{"null", "mov64 r2, 0\nldxb r0, [r2+0]\nexit", []bool{false}, 0, "not within one mapped region"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := analyze(t, c.src, nil)
			if len(r.Accesses) != len(c.proven) {
				t.Fatalf("accesses %+v", r.Accesses)
			}
			for i, x := range r.Accesses {
				if x.Proven != c.proven[i] {
					t.Errorf("access %d at pc %d: proven %v want %v (%s)", i, x.PC, x.Proven, c.proven[i], x.Reason)
				}
				if !x.Proven && !strings.Contains(x.Reason, c.reason) {
					t.Errorf("reason %q lacks %q", x.Reason, c.reason)
				}
			}
			if c.need >= 0 && r.NeedInput != c.need {
				t.Errorf("need %d want %d", r.NeedInput, c.need)
			}
		})
	}
}
