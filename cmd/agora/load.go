package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/ext"
	"github.com/agora-vm/agora/ovsm"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/vm"
)

// loaded is a program read from a file, verified and prepared.
type loaded struct {
	path     string
	program  *vm.Program
	registry *vm.Registry
	pairing  *verify.PairingReport // transactional-memory pairing
	lines    []int                 // source line per slot, for assembly and OVSM
	heapSize int                   // the heap an OVSM program was compiled for (0: default)
	labels   map[int]string        // function names by pc, when known
	isELF    bool
	image    *elf.Image      // the loaded ELF, for isELF
	data     []byte          // the file as read
	ovsmDbg  *ovsm.DebugInfo // OVSM line table, compiled or read beside an ELF
	// debugObject is the BPF object with DWARF a C program was linked from.
	debugObject []byte
}

// isELFData reports whether data starts with the ELF magic.
func isELFData(data []byte) bool { return bytes.HasPrefix(data, []byte("\x7fELF")) }

// readSource reads path, or standard input for "-".
func readSource(s *streams, path string) ([]byte, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(s.in, maxSourceBytes+1))
	} else {
		data, err = readFileLimited(path)
	}
	if err != nil {
		return nil, usageErr("%w", err)
	}
	if len(data) > maxSourceBytes {
		return nil, usageErr("%s: larger than %d bytes", path, maxSourceBytes)
	}
	return data, nil
}

const maxSourceBytes = 64 << 20

func readFileLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxSourceBytes+1))
}

// parseVersion reads --sbpf-version; empty means V0.
func parseVersion(s string) (sbpf.Version, error) {
	if s == "" {
		return sbpf.V0, nil
	}
	v, err := sbpf.ParseVersion(s)
	if err != nil {
		return 0, usageErr("--sbpf-version: %v", err)
	}
	return v, nil
}

// loadProgram reads a program file — sBPF assembly, or an ELF shared
// object (recognised by its magic) — and verifies it. An ELF's version
// comes from its header; --sbpf-version, when given, must match it.
func loadProgram(s *streams, path, version string) (*loaded, error) {
	return readProgram(s, path, version, true, 0)
}

// loadProgramHeap is loadProgram for a run with a --heap: an OVSM program
// is compiled for that heap (its allocator's bound), as `agora compile
// --heap` would.
func loadProgramHeap(s *streams, path, version string, heap int) (*loaded, error) {
	return readProgram(s, path, version, true, heap)
}

// readProgram is loadProgram, verifying only when check is set, and
// compiling OVSM for a heap of heap bytes (0: OVSM's default). The
// disassembler (check unset) shows programs the verifier rejects too,
// and loads ELFs with the reference VM's layout, which keeps read-only
// data as the file has it; programs that run are loaded as Agave's
// runtime loads them.
func readProgram(s *streams, path, version string, check bool, heap int) (*loaded, error) {
	v, err := parseVersion(version)
	if err != nil {
		return nil, err
	}
	reg, err := newRegistry()
	if err != nil {
		return nil, err
	}
	data, err := readSource(s, path)
	if err != nil {
		return nil, err
	}
	name := path
	if path == "-" {
		name = "<stdin>"
	}
	l := &loaded{path: name, registry: reg, data: data}
	format := detectFormat(data, path)
	switch format {
	case formatOVSM:
		out, err := compileOVSM(data, name, v, version != "", heap)
		if err != nil {
			return nil, err
		}
		l.program, l.heapSize, l.ovsmDbg = out.Program, out.HeapSize, out.Debug
		l.lines = make([]int, len(out.Program.Text)/sbpf.InsnSize)
		for pc := range l.lines {
			if loc, ok := out.Debug.Lookup(pc); ok {
				l.lines[pc] = loc.Line
			}
		}
	case formatELF:
		// As Agave's runtime loads programs. The disassembler (check
		// unset) wants the read-only region without the zero fill below
		// .text, which is layout, not data: it rewrites the program.
		opts := elf.RuntimeOptions()
		if !check {
			opts = elf.DefaultOptions()
		}
		opts.SymbolLabels = true
		if version != "" {
			opts.MinVersion, opts.MaxVersion = v, v
		}
		img, err := elf.LoadImage(data, reg, &opts)
		if err != nil {
			return nil, &exitError{code: exitBadCall, err: fmt.Errorf("%s: %w", name, err)}
		}
		l.program, l.isELF, l.image = img.Program, true, img
		l.labels = map[int]string{}
		for key, fname := range img.Labels {
			if pc, ok := img.Program.Functions[key]; ok {
				l.labels[pc] = fname
			}
		}
	case formatRaw:
		l.program = rawProgram(data, v, reg)
	case formatAsm:
		p, err := asm.Assemble(string(data), v, asmOptions())
		if err != nil {
			if e := strings.ToLower(filepath.Ext(path)); e == ".c" || e == ".h" {
				return nil, usageErr("%s: %s", name, formatHint(formatC, data))
			}
			return nil, &exitError{code: exitBadCall, err: fmt.Errorf("%s: %w", name, err)}
		}
		l.program = vm.NewRawProgram(v, p.Text, p.Functions, p.Entry)
		if needsELF(p) {
			// Read-only data and label addresses need a layout: build
			// the ELF in memory and load it.
			so, err := assembleELF(p)
			if err != nil {
				return nil, &exitError{code: exitBadCall, err: fmt.Errorf("%s: %w", name, err)}
			}
			if l.program, err = elf.Load(so, reg, nil); err != nil {
				return nil, &exitError{code: exitBadCall, err: fmt.Errorf("%s: %w", name, err)}
			}
		}
		l.lines = p.Lines
		names := p.DisasmOptions().Names
		l.labels = map[int]string{}
		for _, pc := range p.Functions {
			if n, ok := names[pc]; ok {
				l.labels[pc] = n
			}
		}
	default:
		return nil, usageErr("%s: %s", name, formatHint(format, data))
	}
	if !check {
		return l, nil
	}
	if err := verify.Structural(l.program.Text, l.program.Version, reg); err != nil {
		vf := &verifyFailure{path: name, err: err}
		var verr *verify.Error
		if errors.As(err, &verr) && verr.PC >= 0 && verr.PC < len(l.lines) {
			vf.line = l.lines[verr.PC]
		}
		return nil, &exitError{code: exitBadCall, err: vf}
	}
	p := l.program
	l.pairing, err = verify.TxPairing(p.Text, p.Version, &verify.PairingOptions{Entry: p.Entry, Functions: p.Functions, Syscalls: reg, Lines: l.lines})
	if err != nil {
		return nil, &exitError{code: exitBadCall, err: fmt.Errorf("%s: %w", name, err)}
	}
	if l.pairing.Verdict == verify.PairingViolation {
		return nil, &exitError{code: exitBadCall, err: &pairingFailure{path: name, report: l.pairing}}
	}
	return l, nil
}

// newRegistry returns every syscall a program can call: the registry of
// the runtime every tool uses (newExecutor), so that a raw run, the
// verifier, the disassembler and the chain resolve the same names.
// Syscalls that need a transaction (sysvars, invocations) fail with a
// typed error in a raw run.
func newRegistry() (*vm.Registry, error) {
	ex, err := newExecutor()
	if err != nil {
		return nil, err
	}
	return ex.Registry(), nil
}

// newExecutor is the one composition of the runtime the CLI uses:
// Solana's runtime with Agora's extensions.
func newExecutor() (*svm.Executor, error) { return ext.NewExecutor() }

// asmOptions lets assembly use the extensions' mnemonics (tx_begin, ...).
func asmOptions() *asm.Options { return &asm.Options{Aliases: ext.Aliases()} }

// pairingFailure is a program whose transactions do not pair on some path.
type pairingFailure struct {
	path   string
	report *verify.PairingReport
}

func (p *pairingFailure) Error() string {
	return fmt.Sprintf("%s: rejected by the verifier: %s", p.path, p.report)
}

// verifyFailure marks a program rejected by the verifier.
type verifyFailure struct {
	path string
	line int // source line of the rejected instruction, 0 when unknown
	err  error
}

func (v *verifyFailure) Error() string {
	where := v.path
	if v.line > 0 {
		where = fmt.Sprintf("%s:%d", v.path, v.line)
	}
	kind := ""
	var verr *verify.Error
	if errors.As(v.err, &verr) {
		kind = verr.Kind.String() + ": "
	}
	return fmt.Sprintf("%s: rejected by the verifier: %s%v", where, kind, v.err)
}
func (v *verifyFailure) Unwrap() error { return v.err }

// compileOVSM compiles OVSM source. OVSM targets V0 (the default) or V3;
// an explicit --sbpf-version chooses.
func compileOVSM(src []byte, name string, v sbpf.Version, explicit bool, heap int) (*ovsm.Output, error) {
	if !explicit {
		v = sbpf.V0
	}
	out, err := ovsm.Compile(src, name, ovsm.Options{Version: v, HeapSize: heap})
	if err != nil {
		if ds, ok := ovsm.AsDiagnostics(err); ok {
			return nil, &exitError{code: exitBadCall, err: ds}
		}
		return nil, &exitError{code: exitBadCall, err: fmt.Errorf("%s: %w", name, err)}
	}
	return out, nil
}

// fileFormat is what a program file holds, judged by its content.
type fileFormat uint8

const (
	formatUnknown fileFormat = iota
	formatELF                // ELF magic
	formatOVSM               // text whose first form is an s-expression (or a .ovsm name)
	formatAsm                // other text: sBPF assembly
	formatRaw                // binary, a whole number of 8-byte slots
	formatC                  // C source
	formatBinary             // binary that is none of the above
)

// detectFormat tells what data is from its content; the name only
// decides for text that could be either OVSM or assembly (an empty
// file, say).
func detectFormat(data []byte, path string) fileFormat {
	if isELFData(data) {
		return formatELF
	}
	if !isText(data) {
		if len(data) > 0 && len(data)%sbpf.InsnSize == 0 {
			return formatRaw
		}
		return formatBinary
	}
	if strings.EqualFold(filepath.Ext(path), ".ovsm") {
		return formatOVSM
	}
	for line := range strings.Lines(string(data)) {
		t := strings.TrimSpace(line)
		switch {
		case t == "" || strings.HasPrefix(t, ";"):
			continue
		case strings.HasPrefix(t, "("):
			return formatOVSM
		case strings.HasPrefix(t, "#include") || strings.HasPrefix(t, "#define") || strings.HasPrefix(t, "#pragma") ||
			strings.HasPrefix(t, "//") || strings.HasPrefix(t, "/*"):
			return formatC
		case strings.HasPrefix(t, "#"):
			continue // an assembly comment
		}
		return formatAsm
	}
	return formatAsm
}

// isText reports whether data reads as source text: valid UTF-8 with no
// control bytes other than whitespace.
func isText(data []byte) bool {
	if !utf8.Valid(data) {
		return false
	}
	for _, c := range data {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != '\v' {
			return false
		}
	}
	return true
}

// formatHint says what a file that is no program is, and what to do.
func formatHint(f fileFormat, data []byte) string {
	switch f {
	case formatC:
		return "C source, not a program: build it with 'agora cc FILE.c -o FILE.so' (needs clang), then run the .so"
	case formatBinary:
		return fmt.Sprintf("not a program: %d bytes of binary data that is neither an ELF (no \\x7fELF magic) nor raw 8-byte instruction slots", len(data))
	}
	return "not a program"
}

// rawProgram makes a program of raw instruction slots. The slots carry
// no function registry, so it is rebuilt as the assembler would have
// made it: the targets of internal calls, and the entry at pc 0.
func rawProgram(text []byte, v sbpf.Version, reg *vm.Registry) *vm.Program {
	n := len(text) / sbpf.InsnSize
	funcs := map[uint32]int{}
	for pc := range n {
		ins := sbpf.Decode(text[pc*sbpf.InsnSize:])
		if ins.Op != sbpf.Call {
			continue
		}
		if v.StaticSyscalls() {
			if t := pc + 1 + int(ins.Imm); ins.Src == 1 && t >= 0 && t < n {
				funcs[uint32(t)] = t
			}
		} else if t := int(uint32(ins.Imm)); !reg.HasSyscall(uint32(ins.Imm)) && t < n {
			funcs[uint32(t)] = t
		}
	}
	entryKey := uint32(0)
	if !v.StaticSyscalls() {
		entryKey = sbpf.SyscallHash("entrypoint")
	}
	if _, taken := funcs[entryKey]; !taken {
		funcs[entryKey] = 0
	}
	return vm.NewRawProgram(v, text, funcs, 0)
}

// readELFFile reads a program file that must be an ELF (what the chain
// deploys), with a usage error that names what the file is otherwise.
func readELFFile(path string) ([]byte, error) {
	data, err := readFileLimited(path)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	if !isELFData(data) {
		return nil, usageErr("%s", notELFMessage(path, data))
	}
	return data, nil
}

// notELFMessage explains that a file given where an ELF is needed is not
// one, and how to make one from what it is.
func notELFMessage(path string, data []byte) string {
	msg := path + ": not an ELF (no \\x7fELF magic)"
	switch detectFormat(data, path) {
	case formatAsm:
		return msg + "; it reads as sBPF assembly: build an ELF with 'agora asm " + path + " -o PROGRAM.so'"
	case formatOVSM:
		return msg + "; it reads as OVSM: build an ELF with 'agora compile " + path + " -o PROGRAM.so'"
	case formatC:
		return msg + "; it is C source: build an ELF with 'agora cc " + path + " -o PROGRAM.so'"
	case formatRaw:
		return msg + "; it looks like raw instruction slots: disassemble them ('agora disasm FILE --sbpf-version vN > prog.s') and build an ELF with 'agora asm prog.s -o PROGRAM.so'"
	}
	return msg + "; build one with 'agora compile FILE.ovsm -o PROGRAM.so' or 'agora asm FILE.s -o PROGRAM.so'"
}
