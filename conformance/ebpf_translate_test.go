package conformance

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
)

func encodeAll(insns []sbpf.Instruction) string {
	var b []byte
	for _, i := range insns {
		b = sbpf.AppendEncoded(b, i)
	}
	return hex.EncodeToString(b)
}

// TestAssembleEBPF checks the translator against encodings fixed by RFC 9669
// and the suite's assembler.
func TestAssembleEBPF(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"mov32 %r0, 1", "b400000001000000"},
		{"mov %r1, -1", "b7010000ffffffff"},
		{"add32 %r0, %r1", "0c10000000000000"},
		{"sdiv %r0, %r1", "3f10010000000000"},
		{"smod32 %r0, -3", "94000100fdffffff"},
		{"movsx832 %r0, %r1", "bc10080000000000"},
		{"movsx3264 %r0, %r1", "bf10200000000000"},
		{"neg32 %r2", "8402000000000000"},
		{"lddw %r0, 0x1122334455667788", "1800000088776655" + "0000000044332211"},
		{"ldxdw %r0, [%r1+6]", "7910060000000000"},
		{"ldxsb %r0, [%r1-1]", "9110ffff00000000"},
		{"stw [%r10-8], 0x12345678", "620af8ff78563412"},
		{"stxb [%r1], %r2", "7321000000000000"},
		{"be16 %r0", "dc00000010000000"},
		{"le32 %r3", "d403000020000000"},
		{"bswap64 %r0", "d700000040000000"},
		{"swap16 %r0", "d700000010000000"},
		{"lock add [%r10-8], %r1", "db1af8ff00000000"},
		{"lock fetch xor32 [%r10-4], %r3", "c33afcffa1000000"},
		{"lock cmpxchg [%r10-8], %r1", "db1af8fff1000000"},
		{"jeq32 %r1, 0xb, +1", "16010100" + "0b000000"},
		{"jsgt %r1, %r2, -1", "6d21ffff00000000"},
		{"ja +2", "0500020000000000"},
		{"call 5", "8500000005000000"},
		{"call %r2", "8d02000000000000"},
		{"exit", "9500000000000000"},
		// Labels: the label `exit` is the first exit; `call local` and
		// ja32 put the offset in imm.
		{"jne %r0, 1, exit\nmov %r0, 2\nexit\nmov %r0, 3\nexit", "5500010001000000" + "b700000002000000" + "9500000000000000" + "b700000003000000" + "9500000000000000"},
		{"call local f\nexit\nf:\nexit", "8510000001000000" + "9500000000000000" + "9500000000000000"},
		{"ja32 t\nt:\nexit", "0600000000000000" + "9500000000000000"},
		{"mov %r0, 0 # comment\n\nexit", "b700000000000000" + "9500000000000000"},
	} {
		insns, err := AssembleEBPF(tc.src)
		if err != nil {
			t.Errorf("%q: %v", tc.src, err)
			continue
		}
		if got := encodeAll(insns); got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.src, got, tc.want)
		}
	}
	for _, bad := range []string{"frob %r0", "mov %r16, 1", "mov %r0", "ja nowhere", "l:\nl:\nexit", "lock nand [%r1], %r2", "mov %r0, 0x100000000", "ldxq %r0, [%r1]"} {
		if _, err := AssembleEBPF(bad); err == nil {
			t.Errorf("%q: assembled", bad)
		}
	}
}

// TestParseEBPFTestRawWins checks that a file's raw words take precedence
// over its asm and decode little-endian (lddw.data has both).
func TestParseEBPFTestRawWins(t *testing.T) {
	data := "# c\n-- asm\nlddw %r0, 0x1122334455667788\nexit\n-- raw\n0x5566778800000018\n0x1122334400000000\n0x0000000000000095\n-- mem\n01 02\n-- result\n0x1122334455667788\n"
	et, err := ParseEBPFTest("lddw.data", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	asm, err := AssembleEBPF("lddw %r0, 0x1122334455667788\nexit")
	if err != nil {
		t.Fatal(err)
	}
	if encodeAll(et.Insns) != encodeAll(asm) {
		t.Errorf("raw %s != asm %s", encodeAll(et.Insns), encodeAll(asm))
	}
	if et.Result != 0x1122334455667788 || string(et.Mem) != "\x01\x02" {
		t.Errorf("parsed %+v", et)
	}
	if _, err := ParseEBPFTest("x", []byte("-- asm\nexit\n")); err == nil || !strings.Contains(err.Error(), "no result") {
		t.Errorf("a file without a result: %v", err)
	}
	if _, err := ParseEBPFTest("x", []byte("-- weird\n-- result\n0\n")); err == nil {
		t.Errorf("an unknown section was accepted")
	}
}

// TestLowerEBPF checks the per-version rewriting of calls.
func TestLowerEBPF(t *testing.T) {
	insns, err := AssembleEBPF("call local f\nmov %r2, 5\ncall %r2\nexit\nf:\nexit")
	if err != nil {
		t.Fatal(err)
	}
	text, funcs := LowerEBPF(insns, sbpf.V0)
	// V0: the local call names function key 4 (its target pc) with src=0;
	// callx takes its register in imm.
	if got := hex.EncodeToString(text[:8]); got != "8500000004000000" || funcs[4] != 4 {
		t.Errorf("V0 call: %s %v", got, funcs)
	}
	if got := hex.EncodeToString(text[16:24]); got != "8d00000002000000" {
		t.Errorf("V0 callx: %s", got)
	}
	text, _ = LowerEBPF(insns, sbpf.V2)
	if got := hex.EncodeToString(text[16:24]); got != "8d20000000000000" {
		t.Errorf("V2 callx: %s", got)
	}
	text, funcs = LowerEBPF(insns, sbpf.V3)
	if got := hex.EncodeToString(text); got != encodeAll(insns) || len(funcs) != 0 {
		t.Errorf("V3 changed the encoding: %s", got)
	}
}
