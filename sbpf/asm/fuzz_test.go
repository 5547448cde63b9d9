package asm

import (
	"bytes"
	"testing"

	"github.com/agora-vm/agora/sbpf"
)

// FuzzAssemble checks that Assemble never panics, and that whatever it
// accepts disassembles and reassembles to the same bytes.
func FuzzAssemble(f *testing.F) {
	for _, s := range []string{
		"", "exit", tcpSackASM, ".fill 2, 0x210F", "lddw r1, 0xff11ee22dd33cc44",
		"entrypoint:\n    call function_1\n\nfunction_1:\n    exit\n",
		"jeq r1, r2, +3\njsge32 r0, r0, -1", "ldxdw r1, [r2-0x8000]", "stw [r10-8], 77",
		"mov r0 1", "add r16, r2", "ja - 5", "[r1", "lbl: lbl: ja lbl", "syscall sol_log_",
		"callx r8\nadd64 r10, -64", "hor64 r1, 7\nlmul r1, 2", "le16 r1 # c\nbe64 r2 ; c",
		"call -1", "call 2147483647", "\xff\xfe", "é: ja é", ".fill 0, 0", "mov r0, -0x8000000000000000",
		"lddw r1, msg\nexit\n.rodata\nmsg: .byte 1, 2, 255\nend:\n.text\nlddw r2, end", ".rodata\n.byte -128\n.text\nexit",
	} {
		for v := range 5 {
			f.Add(s, uint8(v))
		}
	}
	f.Fuzz(func(t *testing.T, src string, ver uint8) {
		v := sbpf.Version(ver % 5)
		p, err := Assemble(src, v, nil)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if len(p.Lines)*sbpf.InsnSize != len(p.Text) {
			t.Fatalf("%d lines for %d bytes", len(p.Lines), len(p.Text))
		}
		if len(p.Lines) > 1<<12 {
			return // large .fill counts only slow the fuzzer; TestRoundTripLarge covers size
		}
		out, err := Disassemble(p.Text, v, p.DisasmOptions())
		if err != nil {
			t.Fatal(err)
		}
		q, err := Assemble(out, v, nil)
		if err != nil {
			t.Fatalf("reassembling:\n%s\n%v", out, err)
		}
		if !bytes.Equal(q.Text, p.Text) {
			t.Fatalf("reassembly differs:\n%s\ngot  %x\nwant %x", out, q.Text, p.Text)
		}
	})
}

// FuzzRoundTrip checks that any byte string disassembles to text that
// assembles back to the same bytes. The first byte picks the version.
func FuzzRoundTrip(f *testing.F) {
	f.Add(append([]byte{3}, tcpSackBin...))
	f.Add([]byte{0, 0x18, 1, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0})
	f.Add([]byte{2, 0x18, 1, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0})
	f.Add([]byte{0, 0x85, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{4, 0x85, 0x10, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x05, 0, 0xfe, 0xff, 0, 0, 0, 0})
	f.Add([]byte{1, 0x07, 0x0a, 0, 0, 0xc0, 0xff, 0xff, 0xff, 0x8d, 0, 0, 0, 9, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		v := sbpf.Version(data[0] % 5)
		text := data[1:]
		text = text[:len(text)/sbpf.InsnSize*sbpf.InsnSize]
		roundTrip(t, text, v)
	})
}
