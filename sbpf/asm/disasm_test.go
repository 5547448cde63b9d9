package asm

import (
	"bytes"
	"errors"
	"strconv"
	"testing"

	"github.com/agora-vm/agora/sbpf"
)

// TestDisassembleReference ports tests/disassembler.rs: each source
// assembles and disassembles back to exactly the same text.
func TestDisassembleReference(t *testing.T) {
	const e = "entrypoint:\n"
	tests := []struct {
		name string
		v    sbpf.Version
		src  string
	}{
		{"empty", sbpf.V4, ""},
		{"exit", sbpf.V0, e + "    exit\n"},
		{"static syscall", sbpf.V3, e + "    syscall 5\n"},
		{"add64 reg", sbpf.V4, e + "    add64 r1, r3\n"},
		{"add64 imm", sbpf.V4, e + "    add64 r1, 5\n"},
		{"ldxw", sbpf.V4, e + "    ldxw r1, [r2+0x5]\n"},
		{"ldxw back", sbpf.V4, e + "    ldxw r1, [r2-0x5]\n"},
		{"stw", sbpf.V4, e + "    stw [r2+0x5], 7\n"},
		{"stw back", sbpf.V4, e + "    stw [r2-0x5], 7\n"},
		{"stxw", sbpf.V4, e + "    stxw [r2+0x5], r8\n"},
		{"stxw back", sbpf.V4, e + "    stxw [r2-0x5], r8\n"},
		{"ja", sbpf.V4, e + "    ja lbb_1\nlbb_1:\n    exit\n"},
		{"call", sbpf.V4, e + "    call function_1\n\nfunction_1:\n    exit\n"},
		{"be32", sbpf.V4, e + "    be32 r1\n"},
		{"lddw", sbpf.V4, e + "    lddw r1, 0x1234abcd5678eeff\n"},
		{"lddw high bit", sbpf.V4, e + "    lddw r1, 0xff11ee22dd33cc44\n"},
		{"ldxdw", sbpf.V4, e + "    ldxdw r1, [r2+0x7999]\n"},
		{"ldxdw min", sbpf.V4, e + "    ldxdw r1, [r2-0x8000]\n"},
		{"sth", sbpf.V4, e + "    sth [r1+0x7999], 3\n"},
		{"sth min", sbpf.V4, e + "    sth [r1-0x8000], 3\n"},
		{"stxh", sbpf.V4, e + "    stxh [r1+0x7999], r3\n"},
		{"stxh min", sbpf.V4, e + "    stxh [r1-0x8000], r3\n"},
		{"alu64 reg", sbpf.V4, e + "    add64 r1, r2\n    sub64 r1, r2\n    or64 r1, r2\n    and64 r1, r2\n    lsh64 r1, r2\n    rsh64 r1, r2\n    xor64 r1, r2\n    mov64 r1, r2\n    arsh64 r1, r2\n"},
		{"alu64 imm", sbpf.V4, e + "    add64 r1, 2\n    sub64 r1, 2\n    or64 r1, 2\n    and64 r1, 2\n    lsh64 r1, 2\n    rsh64 r1, 2\n    xor64 r1, 2\n    mov64 r1, 2\n    arsh64 r1, 2\n"},
		{"alu32 reg", sbpf.V4, e + "    add32 r1, r2\n    sub32 r1, r2\n    or32 r1, r2\n    and32 r1, r2\n    lsh32 r1, r2\n    rsh32 r1, r2\n    xor32 r1, r2\n    mov32 r1, r2\n    arsh32 r1, r2\n"},
		{"alu32 imm", sbpf.V4, e + "    add32 r1, 2\n    sub32 r1, 2\n    or32 r1, 2\n    and32 r1, 2\n    lsh32 r1, 2\n    rsh32 r1, 2\n    xor32 r1, 2\n    mov32 r1, 2\n    arsh32 r1, 2\n"},
		{"pqr reg", sbpf.V2, e + "    lmul64 r1, r2\n    lmul32 r1, r2\n    uhmul64 r1, r2\n    shmul64 r1, r2\n    udiv64 r1, r2\n    udiv32 r1, r2\n    urem64 r1, r2\n    urem32 r1, r2\n    sdiv64 r1, r2\n    sdiv32 r1, r2\n    srem64 r1, r2\n    srem32 r1, r2\n"},
		{"pqr imm", sbpf.V2, e + "    lmul64 r1, 2\n    lmul32 r1, 2\n    uhmul64 r1, 2\n    shmul64 r1, 2\n    udiv64 r1, 2\n    udiv32 r1, 2\n    urem64 r1, 2\n    urem32 r1, 2\n    sdiv64 r1, 2\n    sdiv32 r1, 2\n    srem64 r1, 2\n    srem32 r1, 2\n"},
		{"load reg", sbpf.V4, e + "    ldxw r1, [r2+0x3]\n    ldxh r1, [r2+0x3]\n    ldxb r1, [r2+0x3]\n    ldxdw r1, [r2+0x3]\n"},
		{"store imm", sbpf.V4, e + "    stw [r1+0x2], 3\n    sth [r1+0x2], 3\n    stb [r1+0x2], 3\n    stdw [r1+0x2], 3\n"},
		{"store reg", sbpf.V4, e + "    stxw [r1+0x2], r3\n    stxh [r1+0x2], r3\n    stxb [r1+0x2], r3\n    stxdw [r1+0x2], r3\n"},
		{"jump reg", sbpf.V4, e + lines(jmpNames, "    OP r1, r2, lbb_11") + "lbb_11:\n    exit\n"},
		{"jump imm", sbpf.V4, e + lines(jmpNames, "    OP r1, 2, lbb_11") + "lbb_11:\n    exit\n"},
		{"jump32 reg", sbpf.V4, e + lines(suffixed(jmpNames, "32"), "    OP r1, r2, lbb_11") + "lbb_11:\n    exit\n"},
		{"jump32 imm", sbpf.V4, e + lines(suffixed(jmpNames, "32"), "    OP r1, 2, lbb_11") + "lbb_11:\n    exit\n"},
		{"endian", sbpf.V4, e + "    be16 r1\n    be32 r1\n    be64 r1\n    le16 r1\n    le32 r1\n    le64 r1\n"},
		{"large immediate", sbpf.V4, e + "    add64 r1, -1\n"},
		{"callx v0", sbpf.V0, e + "    callx r8\n"},
		{"callx v2", sbpf.V2, e + "    callx r8\n"},
		{"callx v3", sbpf.V3, e + "    callx r8\n"},
		{"callx v4", sbpf.V4, e + "    callx r8\n"},
		// Ours, in the same style.
		{"callx v1", sbpf.V1, e + "    callx r8\n"},
		{"call v0", sbpf.V0, e + "    call function_2\n    exit\n\nfunction_2:\n    exit\n"},
		{"names kept", sbpf.V3, e + "    mov64 r0, 3\nloop:\n    sub64 r0, 1\n    jne r0, 0, loop\n    exit\n"},
		{"label at end", sbpf.V4, e + "    ja lbb_1\nlbb_1:\n"},
		{"raw slot", sbpf.V4, e + "    .fill 1, 0x00000000000000ff\n    exit\n"},
		{"raw run", sbpf.V4, e + "    .fill 3, 0x0000000000000000\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Assemble(tt.src, tt.v, nil)
			if err != nil {
				t.Fatalf("Assemble: %v", err)
			}
			got, err := Disassemble(p.Text, tt.v, p.DisasmOptions())
			if err != nil {
				t.Fatalf("Disassemble: %v", err)
			}
			if got != tt.src {
				t.Errorf("got\n%s\nwant\n%s", got, tt.src)
			}
		})
	}
}

// TestDisassembleForms checks the text of slots without a registry.
func TestDisassembleForms(t *testing.T) {
	names := func(h uint32) (string, bool) {
		for _, n := range []string{"sol_log_", "abort", "9lives", "r1"} {
			if sbpf.SyscallHash(n) == h {
				return n, true
			}
		}
		if h == 7 {
			return "liar", true // does not hash to 7
		}
		return "", false
	}
	hashOf := func(s string) int32 { return int32(sbpf.SyscallHash(s)) }
	tests := []struct {
		name string
		v    sbpf.Version
		ins  []sbpf.Instruction
		want string
	}{
		{"invalid opcode", sbpf.V0, []sbpf.Instruction{in(0x06, 1, 2, 3, 4)}, "    .fill 1, 0x0000000400032106\n"},
		{"unused field set", sbpf.V0, []sbpf.Instruction{in(sbpf.Mov64Imm, 1, 2, 0, 4)}, "    .fill 1, 0x00000004000021b7\n"},
		{"bad endian width", sbpf.V0, []sbpf.Instruction{in(sbpf.Be, 1, 0, 0, 8)}, "    .fill 1, 0x00000008000001dc\n"},
		{"lddw last", sbpf.V0, []sbpf.Instruction{in(sbpf.LdDwImm, 1, 0, 0, 8)}, "    .fill 1, 0x0000000800000118\n"},
		{"lddw dirty second slot", sbpf.V0, []sbpf.Instruction{in(sbpf.LdDwImm, 1, 0, 0, 8), in(0, 1, 0, 0, 0)},
			"    .fill 1, 0x0000000800000118\n    .fill 1, 0x0000000000000100\n"},
		{"lddw in v2", sbpf.V2, []sbpf.Instruction{in(sbpf.LdDwImm, 1, 0, 0, 8), {}},
			"    .fill 1, 0x0000000800000118\n    .fill 1, 0x0000000000000000\n"},
		{"stack bump v0", sbpf.V0, []sbpf.Instruction{in(sbpf.Add64Imm, 10, 0, 0, 8)}, "    .fill 1, 0x0000000800000a07\n"},
		{"stack bump v1", sbpf.V1, []sbpf.Instruction{in(sbpf.Add64Imm, 10, 0, 0, 8)}, "    add64 r10, 8\n"},
		{"jump out", sbpf.V0, []sbpf.Instruction{in(sbpf.Ja, 0, 0, 5, 0), in(sbpf.JeqImm, 1, 0, -3, 2)}, "    ja +5\n    jeq r1, 2, -3\n"},
		{"jump into lddw", sbpf.V0, []sbpf.Instruction{in(sbpf.Ja, 0, 0, 1, 0), in(sbpf.LdDwImm, 0, 0, 0, 1), {}}, "    ja +1\n    lddw r0, 0x1\n"},
		{"jump to self", sbpf.V0, []sbpf.Instruction{in(sbpf.Ja, 0, 0, -1, 0)}, "lbb_0:\n    ja lbb_0\n"},
		{"syscall names v0", sbpf.V0, []sbpf.Instruction{in(sbpf.Call, 0, 0, 0, hashOf("sol_log_")), in(sbpf.Call, 0, 0, 0, 1), in(sbpf.Call, 0, 0, 0, 7)},
			"    syscall sol_log_\n    syscall 1\n    syscall 7\n"},
		{"unusable names", sbpf.V3, []sbpf.Instruction{in(sbpf.Call, 0, 0, 0, hashOf("9lives")), in(sbpf.Call, 0, 0, 0, hashOf("r1"))},
			"    syscall " + itoa(hashOf("9lives")) + "\n    syscall " + itoa(hashOf("r1")) + "\n"},
		{"syscall v3", sbpf.V3, []sbpf.Instruction{in(sbpf.Call, 0, 0, 0, hashOf("abort"))}, "    syscall abort\n"},
		{"call src 2 v3", sbpf.V3, []sbpf.Instruction{in(sbpf.Call, 0, 2, 0, 0)}, "    .fill 1, 0x0000000000002085\n"},
		{"call src 1 v0", sbpf.V0, []sbpf.Instruction{in(sbpf.Call, 0, 1, 0, 0)}, "    .fill 1, 0x0000000000001085\n"},
		{"call out v3", sbpf.V3, []sbpf.Instruction{in(sbpf.Call, 0, 1, 0, 5)}, "    call 5\n"},
		{"call self v3", sbpf.V3, []sbpf.Instruction{in(sbpf.Call, 0, 1, 0, -1)}, "function_0:\n    call function_0\n"},
		{"callx imm too big v0", sbpf.V0, []sbpf.Instruction{in(sbpf.Callx, 0, 0, 0, 16)}, "    .fill 1, 0x000000100000008d\n"},
		{"callx in imm v3", sbpf.V3, []sbpf.Instruction{in(sbpf.Callx, 0, 0, 0, 1)}, "    .fill 1, 0x000000010000008d\n"},
		{"high registers", sbpf.V0, []sbpf.Instruction{in(sbpf.Mov64Reg, 15, 11, 0, 0)}, "    mov64 r15, r11\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := encodeAll(tt.ins...)
			got, err := Disassemble(text, tt.v, &DisasmOptions{SyscallName: names})
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			checkReassembles(t, got, tt.v, text)
		})
	}
}

func itoa(v int32) string { return strconv.Itoa(int(v)) }

func checkReassembles(t *testing.T, src string, v sbpf.Version, want []byte) {
	t.Helper()
	p, err := Assemble(src, v, nil)
	if err != nil {
		t.Fatalf("reassembling:\n%s\n%v", src, err)
	}
	if !bytes.Equal(p.Text, want) {
		t.Fatalf("reassembly differs:\n%s\ngot  %x\nwant %x", src, p.Text, want)
	}
}

// TestDisassembleHashedCalls covers V0-V2 programs whose registry keys
// are hashes, as the ELF loader builds them: the call prints as the raw
// key with a comment naming the target.
func TestDisassembleHashedCalls(t *testing.T) {
	key := sbpf.PCHash(2)
	text := encodeAll(in(sbpf.Call, 0, 0, 0, int32(key)), in(sbpf.Exit, 0, 0, 0, 0), in(sbpf.Exit, 0, 0, 0, 0))
	opts := &DisasmOptions{
		Functions: map[uint32]int{sbpf.SyscallHash("entrypoint"): 0, key: 2},
		Names:     map[int]string{0: "entrypoint", 2: "my_func"},
	}
	got, err := Disassemble(text, sbpf.V0, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := "entrypoint:\n    syscall " + itoa(int32(key)) + " # call my_func\n    exit\n\nmy_func:\n    exit\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	checkReassembles(t, got, sbpf.V0, text)

	s, n, err := DisassembleInstruction(text, 0, sbpf.V0, opts)
	if err != nil || n != 1 || s != "syscall "+itoa(int32(key))+" # call my_func" {
		t.Errorf("DisassembleInstruction = %q, %d, %v", s, n, err)
	}
}

func TestDisassembleNames(t *testing.T) {
	// Names that cannot be labels, or clash, are replaced.
	text := encodeAll(in(sbpf.Ja, 0, 0, 0, 0), in(sbpf.Ja, 0, 0, 0, 0), in(sbpf.Ja, 0, 0, -3, 0), in(sbpf.Exit, 0, 0, 0, 0))
	opts := &DisasmOptions{Names: map[int]string{0: "lbb_2", 1: "r3", 2: "lbb_2", 3: "bad name"}}
	got, err := Disassemble(text, sbpf.V0, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := "lbb_2:\n    ja lbb_1\nlbb_1:\n    ja lbb_2_\nlbb_2_:\n    ja lbb_2\nlbb_3:\n    exit\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	checkReassembles(t, got, sbpf.V0, text)
}

func TestDisassembleInstruction(t *testing.T) {
	text := encodeAll(in(sbpf.LdDwImm, 1, 0, 0, 5), in(0, 0, 0, 0, 1), in(sbpf.JeqImm, 1, 0, -3, 2), in(sbpf.Call, 0, 1, 0, -4), in(0xff, 0, 0, 0, 0))
	opts := &DisasmOptions{Names: map[int]string{0: "start"}}
	tests := []struct {
		pc    int
		want  string
		slots int
	}{
		{0, "lddw r1, 0x100000005", 2},
		{1, ".fill 1, 0x0000000100000000", 1},
		{2, "jeq r1, 2, start", 1},
		{3, "call start", 1},
		{4, ".fill 1, 0x00000000000000ff", 1},
	}
	for _, tt := range tests {
		got, n, err := DisassembleInstruction(text, tt.pc, sbpf.V3, opts)
		if err != nil || got != tt.want || n != tt.slots {
			t.Errorf("pc %d: got %q, %d, %v; want %q, %d", tt.pc, got, n, err, tt.want, tt.slots)
		}
	}
	if _, _, err := DisassembleInstruction(text, 5, sbpf.V3, nil); err == nil {
		t.Error("pc past the end accepted")
	}
	// Without names, a jump target is lbb_N and a call target function_N.
	if got, _, _ := DisassembleInstruction(text, 2, sbpf.V3, nil); got != "jeq r1, 2, lbb_0" {
		t.Errorf("got %q", got)
	}
	if got, _, _ := DisassembleInstruction(text, 3, sbpf.V3, nil); got != "call function_0" {
		t.Errorf("got %q", got)
	}
}

func TestDisassembleErrors(t *testing.T) {
	if _, err := Disassemble(make([]byte, 7), sbpf.V0, nil); !errors.Is(err, ErrTextLength) {
		t.Errorf("got %v, want ErrTextLength", err)
	}
	if _, err := Disassemble(nil, sbpf.Version(7), nil); !errors.Is(err, ErrVersion) {
		t.Errorf("got %v, want ErrVersion", err)
	}
}
