package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFormatByContent: run and verify tell a program's format from its
// bytes, not its name: raw slots in any file, OVSM and assembly text, C
// source and other binaries named for what they are.
func TestFormatByContent(t *testing.T) {
	dir := t.TempDir()
	put := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, v := range []string{"v0", "v3"} {
		bin := filepath.Join(dir, "fib."+v+".bin")
		if r := runCLI(t, "", "asm", "../../examples/asm/fib.s", "-o", bin, "--sbpf-version", v); r.code != 0 {
			t.Fatal(r.stderr)
		}
		r := runCLI(t, "", "run", bin, "--input", "0a", "--sbpf-version", v)
		if r.code != 0 || !strings.Contains(r.stdout, "r0 = 55") {
			t.Errorf("run %s: code %d %s%s", v, r.code, r.stdout, r.stderr)
		}
		if r := runCLI(t, "", "verify", bin, "--sbpf-version", v); r.code != 0 || !strings.Contains(r.stdout, "ok (14 instruction slots") {
			t.Errorf("verify %s: code %d %s%s", v, r.code, r.stdout, r.stderr)
		}
	}
	src, err := os.ReadFile("../../examples/ovsm/atomic-swap.ovsm")
	if err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, "", "verify", put("swap.txt", string(src))); r.code != 0 {
		t.Errorf("OVSM without .ovsm: %s", r.stderr)
	}
	if r := runCLI(t, "", "run", put("prog.so", "mov64 r0, 7\nexit\n")); r.code != 0 || !strings.Contains(r.stdout, "r0 = 7") {
		t.Errorf("assembly named .so: %s%s", r.stdout, r.stderr)
	}
	cases := []struct{ name, body, want string }{
		{"hello.c", "/* hi */\n#include \"agora.h\"\nuint64_t entrypoint(const uint8_t *in) { return 0; }\n", "C source"},
		{"main.c", "int main(void) { return 0; }\n", "C source"},
		{"junk", "\x00\x01\x02", "neither an ELF"},
	}
	for _, c := range cases {
		for _, cmd := range []string{"run", "verify"} {
			r := runCLI(t, "", cmd, put(c.name, c.body))
			if r.code != 2 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("%s %s: code %d, stderr %q, want %q", cmd, c.name, r.code, r.stderr, c.want)
			}
		}
	}
}
