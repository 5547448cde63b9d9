package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/spf13/cobra"

	csdk "github.com/agora-vm/agora/sdk/c"
	"github.com/agora-vm/agora/sdk/c/ld"
)

// clangNames are the compilers 'agora cc' looks for, in order: the
// release the examples are built and checked with first.
var clangNames = []string{"clang-14", "clang"}

func newCCCmd(s *streams) *cobra.Command {
	var out, clang string
	var includes []string
	cmd := &cobra.Command{
		Use:   "cc FILE.c -o FILE.so",
		Short: "Compile a C program with clang and link it into an sBPF ELF",
		Long: `Compile one C file against the SDK (agora.h, agora_cpi.h, built into agora)
with clang's BPF backend and link it with Agora's linker into an sBPF V0
shared object that 'agora run' and 'agora chain deploy' accept.

clang comes from --clang, else $CLANG, else the first of clang-14 and
clang on PATH (Debian/Ubuntu: apt-get install clang-14). The flags are
those of examples/c/Makefile: -target bpf -mcpu=v2 -O2 -std=c17
-ffreestanding -fno-builtin -Wall -Wextra -Werror. A program is one
translation unit with an 'entrypoint' function; see docs/c.md.`,
		Example: `  agora cc examples/c/hello.c -o hello.so
  agora run hello.so --accounts examples/c/hello.json`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageErr("-o FILE.so is required")
			}
			so, err := compileC(args[0], clang, includes)
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, so, 0o644); err != nil {
				return usageErr("%v", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the shared object to `FILE`")
	cmd.Flags().StringVar(&clang, "clang", "", "the clang to use (default: $CLANG, clang-14, clang)")
	cmd.Flags().StringArrayVarP(&includes, "include", "I", nil, "add `DIR` to the header search path")
	return cmd
}

// findClang picks the compiler: the flag, $CLANG, then clangNames on PATH.
func findClang(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if env := os.Getenv("CLANG"); env != "" {
		return env, nil
	}
	for _, n := range clangNames {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", usageErr("no clang found (looked for %v on PATH): install clang-14 (apt-get install clang-14) or pass --clang PATH", clangNames)
}

// compileC compiles src with clang into a BPF object, in a temporary
// directory holding the SDK's headers, and links it.
func compileC(src, clangFlag string, includes []string) ([]byte, error) {
	clang, err := findClang(clangFlag)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(src); err != nil {
		return nil, usageErr("%v", err)
	}
	tmp, err := os.MkdirTemp("", "agora-cc-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := os.CopyFS(filepath.Join(tmp, "include"), csdk.Headers()); err != nil {
		return nil, fmt.Errorf("writing the SDK headers: %w", err)
	}
	obj := filepath.Join(tmp, "prog.o")
	args := csdk.CFlags()
	for _, dir := range includes {
		args = append(args, "-I", dir)
	}
	args = append(args, "-I", filepath.Join(tmp, "include"), "-c", src, "-o", obj)
	var stderr bytes.Buffer
	c := exec.Command(clang, args...)
	c.Stdout, c.Stderr = &stderr, &stderr
	if err := c.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, &exitError{code: exitBadCall, err: fmt.Errorf("%s: clang failed:\n%s", src, clip(stderr.String(), 8000))}
		}
		return nil, usageErr("running %s: %v", clang, err)
	}
	data, err := os.ReadFile(obj)
	if err != nil {
		return nil, err
	}
	so, err := ld.Link(data, nil)
	if err != nil {
		return nil, &exitError{code: exitBadCall, err: fmt.Errorf("%s: %w", src, err)}
	}
	return so, nil
}

// clip keeps at most n bytes of s, from its start.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "\n…"
}
