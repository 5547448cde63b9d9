package sbpf

import "testing"

func TestHashSymbolKnownSyscalls(t *testing.T) {
	// Values published in Agave's syscall tables and used by every SDK.
	tests := []struct {
		name string
		want uint32
	}{
		{"sol_log_", 0x207559bd},
		{"sol_log_64_", 0x5c2a3178},
		{"abort", 0xb6fc1a11},
		{"sol_panic_", 0x686093bb},
		{"sol_memcpy_", 0x717cc4a3},
		{"sol_sha256", 0x11f49d86},
		{"entrypoint", 0x71e3cf81},
	}
	for _, tt := range tests {
		if got := SyscallHash(tt.name); got != tt.want {
			t.Errorf("SyscallHash(%q) = %#x, want %#x", tt.name, got, tt.want)
		}
	}
}

func TestDecodeTablesAreConsistent(t *testing.T) {
	for v := V0; v <= LatestVersion; v++ {
		valid := 0
		for op := Op(1); op < NumOps; op++ {
			code, ok := v.Opcode(op)
			if !ok {
				continue
			}
			valid++
			if got := v.Lookup(code); got != op {
				t.Errorf("%s: opcode %#02x of %s decodes to %s", v, uint8(code), op, got)
			}
		}
		decoded := 0
		for c := 0; c < 256; c++ {
			if v.Lookup(Opcode(c)) != OpInvalid {
				decoded++
			}
		}
		if decoded != valid {
			t.Errorf("%s: %d ops valid but %d opcodes decode (two ops share a number)", v, valid, decoded)
		}
	}
}

func TestVersionSpecificOpcodes(t *testing.T) {
	tests := []struct {
		v    Version
		code Opcode
		want Op
	}{
		{V0, 0x2c, OpMul32Reg},
		{V2, 0x2c, OpLdxB},
		{V0, 0x71, OpLdxB},
		{V2, 0x71, OpInvalid},
		{V2, 0x18, OpInvalid},
		{V2, 0xf7, OpHor64Imm},
		{V0, 0xf7, OpInvalid},
		{V2, 0x36, OpUhmul64Imm},
		{V3, 0x16, OpJeq32Imm},
		{V2, 0x16, OpInvalid},
		{V0, 0x16, OpInvalid},
		{V0, 0x84, OpNeg32},
		{V2, 0x84, OpInvalid},
		{V2, 0xd4, OpInvalid},
		{V2, 0xdc, OpBe},
		{V4, 0x8d, OpCallx},
	}
	for _, tt := range tests {
		if got := tt.v.Lookup(tt.code); got != tt.want {
			t.Errorf("%s.Lookup(%#02x) = %s, want %s", tt.v, uint8(tt.code), got, tt.want)
		}
	}
}

func TestInstructionRoundTrip(t *testing.T) {
	in := Instruction{Op: StxDW, Dst: 10, Src: 1, Off: -16, Imm: -7}
	b := in.Encode()
	if got := Decode(b[:]); got != in {
		t.Fatalf("round trip: got %v want %v", got, in)
	}
}

func TestParseVersion(t *testing.T) {
	for _, s := range []string{"v0", "V3", "4"} {
		if _, err := ParseVersion(s); err != nil {
			t.Errorf("ParseVersion(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "v5", "x1", "v10"} {
		if _, err := ParseVersion(s); err == nil {
			t.Errorf("ParseVersion(%q) accepted", s)
		}
	}
}
