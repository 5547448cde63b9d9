// Package layers holds the test that keeps Agora's import graph pointing
// downward, as docs/architecture.md draws it. It has no code of its own.
package layers

import (
	"bufio"
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/agora-vm/agora"

// layers lists, bottom first, the package groups of docs/architecture.md.
// A group is a path prefix: "ext/econ" covers ext/econ and its
// subpackages; the longest matching prefix wins. A package may import a
// package of a lower layer, or one of its own group.
var layers = [][]string{
	// 0: the ISA and the chain's leaf types.
	{"sbpf", "solana", "abi", "ovsm/parse"},
	// 1: the assembler and the VM.
	{"sbpf/asm", "vm"},
	// 2: loading, the standard syscalls, static analysis, engines.
	{"elf", "syscalls", "verify", "vm/jit", "internal", "ext/exterr"},
	// 3: extension families and storage.
	{"ext/txmem", "ext/ring", "ext/crypto", "ext/zk", "ext/econ", "ext/flow", "ext/lanes", "ext/offload", "ext/modules", "store"},
	// 4: the Solana runtime.
	{"svm"},
	// 5: deterministic parallel execution of a block's transactions.
	{"sched"},
	// 6: blocks over the store (executed through sched).
	{"svm/bank"},
	// 7: composition of the extensions, compilers, SDK tools.
	{"ext", "ovsm", "sdk"},
	// 8: tools and services over the chain.
	{"trace", "node", "sim", "bench", "conformance", "examples", "ext/exttest", "ovsm/econtest"},
	// 9: the CLI.
	{"cmd"},
}

// group returns the longest prefix of layers matching rel, and its layer.
func group(rel string) (string, int, bool) {
	best, layer := "", -1
	for i, l := range layers {
		for _, g := range l {
			if (rel == g || strings.HasPrefix(rel, g+"/")) && len(g) > len(best) {
				best, layer = g, i
			}
		}
	}
	return best, layer, layer >= 0
}

// goList runs go list at the module root and returns, per package, the
// module's packages in the requested list.
func goList(t *testing.T, format string, args ...string) map[string][]string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", append([]string{"list", "-f", format}, args...)...)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	res := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		pkg := rel(f[0])
		for _, imp := range f[1:] {
			if strings.HasPrefix(imp, module+"/") {
				res[pkg] = append(res[pkg], rel(imp))
			}
		}
		if _, ok := res[pkg]; !ok {
			res[pkg] = nil
		}
	}
	return res
}

func rel(p string) string { return strings.TrimPrefix(p, module+"/") }

func TestImportsPointDown(t *testing.T) {
	for pkg, imports := range goList(t, `{{.ImportPath}} {{join .Imports " "}}`, "./...") {
		g, l, ok := group(pkg)
		if !ok {
			t.Errorf("%s is in no layer: add it to docs/architecture.md and this test", pkg)
			continue
		}
		for _, imp := range imports {
			ig, il, ok := group(imp)
			if !ok {
				continue // reported as a package of its own
			}
			if ig != g && il >= l {
				t.Errorf("%s (layer %d) imports %s (layer %d): imports must point down", pkg, l, imp, il)
			}
		}
	}
}

func TestCoreKnowsNoExtension(t *testing.T) {
	deps := goList(t, `{{.ImportPath}} {{join .Deps " "}}`, "./vm", "./svm", "./svm/bank", "./store")
	for pkg, ds := range deps {
		for _, d := range ds {
			if d == "ext" || strings.HasPrefix(d, "ext/") {
				t.Errorf("%s depends on %s: the core must not know the extensions", pkg, d)
			}
			if pkg == "store" && (d == "svm" || strings.HasPrefix(d, "svm/")) {
				t.Errorf("store depends on %s", d)
			}
		}
	}
	if len(deps) != 4 {
		t.Fatalf("go list returned %d packages, want 4", len(deps))
	}
}
