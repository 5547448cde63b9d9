// Command agora-ld links one BPF object file compiled by clang into an
// sBPF V0 shared object (see package ld):
//
//	clang-14 -target bpf -mcpu=v2 -O2 -c prog.c -o prog.o
//	go run github.com/agora-vm/agora/sdk/c/agora-ld -o prog.so prog.o
//
// Exit status: 0 linked, 1 the object cannot be linked, 2 usage.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/agora-vm/agora/sdk/c/ld"
)

func main() {
	out := flag.String("o", "", "write the shared object to `PATH` (required)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: agora-ld -o OUT.so IN.o\n\nLinks one BPF object compiled by clang -target bpf into an sBPF V0 shared object.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *out == "" || flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	obj, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "agora-ld:", err)
		os.Exit(1)
	}
	so, err := ld.Link(obj, nil)
	if err != nil {
		fmt.Fprintf(os.Stderr, "agora-ld: %s: %v\n", flag.Arg(0), err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, so, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "agora-ld:", err)
		os.Exit(1)
	}
}
