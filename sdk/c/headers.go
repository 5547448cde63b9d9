// Package csdk ships the C SDK's headers (agora.h, agora_cpi.h) inside
// the agora binary, so that 'agora cc' can compile a C program without a
// checkout of this repository. The linker is package sdk/c/ld.
//
// The package holds no code but the embedded files; it never changes
// them.
package csdk

import (
	"embed"
	"io/fs"
)

//go:embed agora.h agora_cpi.h
var headers embed.FS

// Headers returns the SDK's header files, at the root of the file
// system.
func Headers() fs.FS { return headers }

// CFlags are the clang flags the SDK's programs are built with (see
// examples/c/Makefile): BPF for sBPF V0 (the v2 jumps, no JMP32 class),
// no C library, warnings as errors.
func CFlags() []string {
	return []string{"-target", "bpf", "-mcpu=v2", "-O2", "-std=c17", "-ffreestanding", "-fno-builtin",
		"-Wall", "-Wextra", "-Werror"}
}
