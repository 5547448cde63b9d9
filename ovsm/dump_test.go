package ovsm

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

var dumpFile = flag.String("dump", "", "compile this OVSM file and print its disassembly")

// TestDump prints the code of a file: go test ./ovsm -run TestDump -dump FILE
func TestDump(t *testing.T) {
	if *dumpFile == "" {
		t.Skip("no -dump file")
	}
	src, err := os.ReadFile(*dumpFile)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Compile(src, *dumpFile, Options{})
	if err != nil {
		t.Fatal(err)
	}
	text, err := out.Disassemble()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(text)
	for _, f := range out.Debug.Functions {
		fmt.Printf("%s: %d..%d\n", f.Name, f.PC, f.End)
	}
}
