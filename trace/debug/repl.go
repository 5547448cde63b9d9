package debug

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/trace"
)

// REPL reads debugger commands, one per line, and prints their results.
// It is what `agora debug` runs; scripts feed it on standard input.
type REPL struct {
	D       *Debugger
	Out     io.Writer
	Prompt  string // printed before each command when non-empty
	started bool
}

// Run executes commands from r until it ends or a quit command.
func (r *REPL) Run(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for {
		if r.Prompt != "" {
			fmt.Fprint(r.Out, r.Prompt)
		}
		if !sc.Scan() {
			return sc.Err()
		}
		if quit := r.Exec(sc.Text()); quit {
			return nil
		}
	}
}

// Exec runs one command line and reports whether it asked to quit.
func (r *REPL) Exec(line string) bool {
	f := strings.Fields(line)
	if len(f) == 0 || strings.HasPrefix(f[0], "#") {
		return false
	}
	d, w := r.D, r.Out
	cmd, args := f[0], f[1:]
	var err error
	switch {
	case cmd == "quit" || cmd == "q" || cmd == "exit":
		return true
	case cmd == "help" || cmd == "h":
		fmt.Fprint(w, helpText)
	case cmd == "break" || cmd == "b":
		err = r.cmdBreak(args)
	case cmd == "delete" || cmd == "d":
		var ids []int
		for _, a := range args {
			id, e := strconv.Atoi(a)
			if e != nil {
				err = fmt.Errorf("delete: %q is not a breakpoint number", a)
				break
			}
			ids = append(ids, id)
		}
		if err == nil {
			d.Delete(ids...)
		}
	case cmd == "info" && len(args) > 0 && (args[0] == "breakpoints" || args[0] == "break" || args[0] == "b"):
		r.infoBreakpoints()
	case cmd == "info" && len(args) > 0 && (args[0] == "registers" || args[0] == "reg" || args[0] == "r"):
		r.infoRegisters()
	case cmd == "info" && len(args) > 0 && args[0] == "accounts":
		r.infoAccounts()
	case cmd == "info" && len(args) > 0 && (args[0] == "lanes" || args[0] == "threads"):
		r.infoLanes()
	case cmd == "lane" || cmd == "thread":
		err = r.cmdLane(args)
	case cmd == "watch":
		err = r.cmdWatch(args)
	case cmd == "run" || cmd == "r":
		d.Seek(0)
		r.started = true
		r.report(d.Continue())
	case cmd == "continue" || cmd == "c":
		r.report(d.Continue())
	case cmd == "step" || cmd == "s" || cmd == "stepi" || cmd == "si":
		n, e := count(args)
		if err = e; err == nil {
			r.report(d.Step(n))
		}
	case cmd == "next" || cmd == "n" || cmd == "nexti" || cmd == "ni":
		r.report(d.Next())
	case cmd == "finish":
		r.report(d.Finish())
	case cmd == "reverse-step" || cmd == "rs" || cmd == "reverse-stepi":
		n, e := count(args)
		if err = e; err == nil {
			r.report(d.ReverseStep(n))
		}
	case cmd == "reverse-next" || cmd == "rn":
		r.report(d.ReverseNext())
	case cmd == "reverse-continue" || cmd == "rc":
		r.report(d.ReverseContinue())
	case cmd == "reverse-finish":
		r.report(d.ReverseFinish())
	case cmd == "goto":
		err = r.cmdGoto(args)
	case cmd == "print" || cmd == "p":
		err = r.cmdPrint(strings.Join(args, ""))
	case strings.HasPrefix(cmd, "x/") || cmd == "x":
		err = r.cmdExamine(cmd, args)
	case cmd == "backtrace" || cmd == "bt" || cmd == "where":
		r.backtrace()
	case cmd == "disasm" || cmd == "disassemble":
		pc := d.cur.PC
		if len(args) > 0 {
			v, e := parseNum(args[0])
			if err = e; err == nil {
				pc = int(v)
			}
		}
		if err == nil {
			r.disasm(pc, 4, 8)
		}
	case cmd == "list" || cmd == "l":
		r.list()
	case cmd == "logs":
		for _, l := range d.Logs() {
			fmt.Fprintln(w, l)
		}
	default:
		err = fmt.Errorf("unknown command %q (try help)", cmd)
	}
	if err != nil {
		fmt.Fprintf(w, "error: %v\n", err)
	}
	return false
}

const helpText = `breakpoints: break PC | break FILE:LINE | break SYMBOL, delete [N...], info breakpoints
watchpoints: watch ADDR [LEN] | watch rN
forward:     run, continue, step [N], next, finish
backward:    reverse-step [N], reverse-next, reverse-continue, reverse-finish
seek:        goto INSN_COUNT | goto cu CU
inspect:     print rN | print [rN+OFF][u8|u16|u32|u64] | x/NB ADDR | info registers
             backtrace, disasm [PC], list, info accounts, logs
lanes:       info lanes, lane N | lane PATH (0 is the program; each lane moves on its own)
quit
`

// infoLanes lists the program and its child lanes, marking the current
// one. A lane not visited yet is at its start.
func (r *REPL) infoLanes() {
	root := r.D.Root()
	lanes := root.Lanes()
	line := func(i int, name string, d *Debugger) {
		mark := " "
		if d == r.D {
			mark = "*"
		}
		fmt.Fprintf(r.Out, "%s %d  %s: instruction %d of %d, pc %d%s\n", mark, i, name, d.pos, d.total, d.cur.PC, r.where(d.cur.PC))
	}
	line(0, "program", root)
	for i, l := range lanes {
		name := fmt.Sprintf("lane %s (budget %d)", trace.LaneName(l.Path), l.Budget)
		if root.lanes != nil && root.lanes[i] != nil {
			line(i+1, name, root.lanes[i])
			continue
		}
		fmt.Fprintf(r.Out, "  %d  %s: at its start, pc %d%s, %d instructions\n", i+1, name, l.Start.PC, r.where(l.Start.PC), l.Outcome.Insns)
	}
}

// cmdLane switches to a lane by its number in info lanes or its path
// ("2.1").
func (r *REPL) cmdLane(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: lane N | lane PATH (see info lanes)")
	}
	root := r.D.Root()
	idx := -1
	if n, err := strconv.Atoi(args[0]); err == nil && !strings.Contains(args[0], ".") {
		idx = n
	} else {
		for i, l := range root.Lanes() {
			if trace.LaneName(l.Path) == args[0] {
				idx = i + 1
			}
		}
	}
	switch {
	case idx == 0:
		r.D = root
	case idx > 0:
		d, err := root.Lane(idx - 1)
		if err != nil {
			return err
		}
		r.D = d
	default:
		return fmt.Errorf("no lane %q (see info lanes)", args[0])
	}
	if r.D == root {
		fmt.Fprintln(r.Out, "[lane 0: the program]")
	} else {
		fmt.Fprintf(r.Out, "[lane %d: child lane %s]\n", idx, trace.LaneName(r.D.path))
	}
	r.report(Stop{Reason: "goto"})
	return nil
}

func count(args []string) (uint64, error) {
	if len(args) == 0 {
		return 1, nil
	}
	n, err := parseNum(args[0])
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%q is not a positive count", args[0])
	}
	return n, nil
}

func parseNum(s string) (uint64, error) {
	s = strings.ReplaceAll(s, "_", "")
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return strconv.ParseUint(s[2:], 16, 64)
	}
	return strconv.ParseUint(s, 10, 64)
}

func (r *REPL) cmdBreak(args []string) error {
	d, w := r.D, r.Out
	if len(args) != 1 {
		return fmt.Errorf("usage: break PC | FILE:LINE | SYMBOL")
	}
	a := args[0]
	if i := strings.LastIndexByte(a, ':'); i > 0 {
		line, err := strconv.Atoi(a[i+1:])
		if err != nil {
			return fmt.Errorf("break: %q: bad line number", a)
		}
		bps, err := d.BreakLine(a[:i], line)
		if err != nil {
			return err
		}
		for _, bp := range bps {
			fmt.Fprintf(w, "breakpoint %d at pc %d%s\n", bp.ID, bp.PC, r.where(bp.PC))
		}
		return nil
	}
	if pc, err := parseNum(a); err == nil {
		if pc >= uint64(len(d.t.Program.Text)/sbpf.InsnSize) {
			return fmt.Errorf("break: pc %d is outside the program", pc)
		}
		bp := d.Break(int(pc), "pc "+a)
		fmt.Fprintf(w, "breakpoint %d at pc %d%s\n", bp.ID, bp.PC, r.where(bp.PC))
		return nil
	}
	pc, ok := d.Src.Symbol(a)
	if !ok {
		return fmt.Errorf("break: no function %q", a)
	}
	bp := d.Break(pc, a)
	fmt.Fprintf(w, "breakpoint %d at pc %d%s\n", bp.ID, bp.PC, r.where(bp.PC))
	return nil
}

func (r *REPL) cmdWatch(args []string) error {
	d, w := r.D, r.Out
	if len(args) == 0 || len(args) > 2 {
		return fmt.Errorf("usage: watch ADDR [LEN] | watch rN")
	}
	if reg, ok := parseReg(args[0]); ok && len(args) == 1 {
		wp := d.WatchReg(reg)
		fmt.Fprintf(w, "watchpoint %d: %s\n", wp.ID, wp.Desc)
		return nil
	}
	addr, err := r.addr(args[0])
	if err != nil {
		return err
	}
	n := uint64(8)
	if len(args) == 2 {
		if n, err = parseNum(args[1]); err != nil || n == 0 || n > 4096 {
			return fmt.Errorf("watch: bad length %q", args[1])
		}
	}
	if _, err := d.ReadMemory(d.cur, addr, n); err != nil {
		return fmt.Errorf("watch: %v", err)
	}
	wp := d.WatchMem(addr, n)
	fmt.Fprintf(w, "watchpoint %d: %s\n", wp.ID, wp.Desc)
	return nil
}

func (r *REPL) cmdGoto(args []string) error {
	d := r.D
	switch {
	case len(args) == 1:
		n, err := parseNum(args[0])
		if err != nil {
			return fmt.Errorf("goto: %q is not an instruction count", args[0])
		}
		d.Seek(n)
	case len(args) == 2 && args[0] == "cu":
		n, err := parseNum(args[1])
		if err != nil {
			return fmt.Errorf("goto cu: %q is not a number", args[1])
		}
		d.GotoCU(n)
	case len(args) == 2 && (args[0] == "insn" || args[0] == "instruction"):
		n, err := parseNum(args[1])
		if err != nil {
			return fmt.Errorf("goto insn: %q is not a number", args[1])
		}
		d.Seek(n)
	default:
		return fmt.Errorf("usage: goto INSN_COUNT | goto cu CU")
	}
	r.report(Stop{Reason: "goto"})
	return nil
}

func parseReg(s string) (int, bool) {
	if len(s) < 2 || s[0] != 'r' {
		return 0, false
	}
	n, err := strconv.Atoi(s[1:])
	if err != nil || n < 0 || n > 10 {
		return 0, false
	}
	return n, true
}

// addr evaluates ADDR: a number, rN, or rN+OFF / rN-OFF.
func (r *REPL) addr(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	if v, err := parseNum(s); err == nil {
		return v, nil
	}
	i := strings.IndexAny(s, "+-")
	base := s
	if i > 0 {
		base = s[:i]
	}
	reg, ok := parseReg(strings.TrimSpace(base))
	if !ok {
		return 0, fmt.Errorf("%q is not an address, rN or rN+OFF", s)
	}
	v := r.D.cur.Regs[reg]
	if i > 0 {
		off, err := parseNum(strings.TrimSpace(s[i+1:]))
		if err != nil {
			return 0, fmt.Errorf("%q: bad offset", s)
		}
		if s[i] == '-' {
			v -= off
		} else {
			v += off
		}
	}
	return v, nil
}

// FormatReg is the debugger's register format: r3 = 0x00000000000186a0 (100000).
func FormatReg(name string, v uint64) string {
	return fmt.Sprintf("%s = 0x%016x (%d)", name, v, v)
}

// Evaluate runs the print syntax on the current state: rN, pc, or
// [rN+OFF] with an optional u8/u16/u32/u64 suffix (u64 by default).
func (d *Debugger) Evaluate(expr string) (string, error) {
	e := strings.ReplaceAll(expr, " ", "")
	if reg, ok := parseReg(e); ok {
		return FormatReg(e, d.cur.Regs[reg]), nil
	}
	if e == "pc" {
		return fmt.Sprintf("pc = %d", d.cur.PC), nil
	}
	if !strings.HasPrefix(e, "[") {
		return "", fmt.Errorf("cannot print %q: use rN or [rN+OFF] with u8/u16/u32/u64", expr)
	}
	j := strings.IndexByte(e, ']')
	if j < 0 {
		return "", fmt.Errorf("%q: missing ]", expr)
	}
	size := 8
	switch e[j+1:] {
	case "", "u64":
	case "u32":
		size = 4
	case "u16":
		size = 2
	case "u8":
		size = 1
	default:
		return "", fmt.Errorf("%q: unknown width %q (u8, u16, u32, u64)", expr, e[j+1:])
	}
	r := &REPL{D: d}
	addr, err := r.addr(e[1:j])
	if err != nil {
		return "", err
	}
	b, err := d.ReadMemory(d.cur, addr, uint64(size))
	if err != nil {
		return "", err
	}
	var buf [8]byte
	copy(buf[:], b)
	v := binary.LittleEndian.Uint64(buf[:])
	return fmt.Sprintf("%s = 0x%0*x (%d)", e, 2*size, v, v), nil
}

func (r *REPL) cmdPrint(expr string) error {
	s, err := r.D.Evaluate(expr)
	if err != nil {
		return err
	}
	fmt.Fprintln(r.Out, s)
	return nil
}

func (r *REPL) cmdExamine(cmd string, args []string) error {
	n := uint64(16)
	if spec := strings.TrimPrefix(cmd, "x/"); spec != cmd {
		spec = strings.TrimSuffix(strings.TrimSuffix(spec, "B"), "b")
		if spec != "" {
			v, err := parseNum(spec)
			if err != nil || v == 0 || v > 4096 {
				return fmt.Errorf("x: bad count in %q (x/NB ADDR)", cmd)
			}
			n = v
		}
	}
	if len(args) != 1 {
		return fmt.Errorf("usage: x/NB ADDR")
	}
	addr, err := r.addr(args[0])
	if err != nil {
		return err
	}
	b, err := r.D.ReadMemory(r.D.cur, addr, n)
	if err != nil {
		return err
	}
	for off := 0; off < len(b); off += 16 {
		end := min(off+16, len(b))
		parts := make([]string, 0, 16)
		for _, c := range b[off:end] {
			parts = append(parts, fmt.Sprintf("%02x", c))
		}
		fmt.Fprintf(r.Out, "%#x: %s\n", addr+uint64(off), strings.Join(parts, " "))
	}
	return nil
}

func (r *REPL) infoRegisters() {
	st := r.D.cur
	for i, v := range st.Regs {
		fmt.Fprintln(r.Out, FormatReg(fmt.Sprintf("r%d", i), v))
	}
	fmt.Fprintf(r.Out, "pc = %d%s\n", st.PC, r.where(st.PC))
	fmt.Fprintf(r.Out, "instruction %d of %d, compute units %d\n", r.D.pos, r.D.total, r.D.CU())
}

func (r *REPL) infoBreakpoints() {
	if len(r.D.pts.breaks)+len(r.D.pts.watches) == 0 {
		fmt.Fprintln(r.Out, "no breakpoints or watchpoints")
		return
	}
	for _, b := range r.D.pts.breaks {
		fmt.Fprintf(r.Out, "%d  breakpoint  pc %d  %s%s\n", b.ID, b.PC, b.Desc, r.where(b.PC))
	}
	for _, wp := range r.D.pts.watches {
		fmt.Fprintf(r.Out, "%d  watchpoint  %s\n", wp.ID, wp.Desc)
	}
}

// where renders " (file:line in func)" for pc, or "".
func (r *REPL) where(pc int) string {
	loc, ok := r.D.Src.Lookup(pc)
	if !ok {
		return ""
	}
	switch {
	case loc.Line > 0 && loc.Function != "":
		return fmt.Sprintf(" (%s:%d in %s)", loc.File, loc.Line, loc.Function)
	case loc.Line > 0:
		return fmt.Sprintf(" (%s:%d)", loc.File, loc.Line)
	}
	return fmt.Sprintf(" (in %s)", loc.Function)
}

// Disasm renders the instruction at pc.
func (d *Debugger) Disasm(pc int) string {
	p := d.t.Program
	if d.disOpts == nil {
		names := map[int]string{}
		for _, sy := range d.t.Debug.Symbols {
			names[sy.PC] = sy.Name
		}
		for _, f := range d.Src.funcs {
			if _, ok := names[f.PC]; !ok {
				names[f.PC] = f.Name
			}
		}
		reg := d.rp.Executable().Registry()
		d.disOpts = &asm.DisasmOptions{Functions: p.Functions, Names: names, SyscallName: reg.Name}
	}
	s, _, err := asm.DisassembleInstruction(p.Text, pc, p.Version, d.disOpts)
	if err != nil {
		return "?"
	}
	return s
}

func (r *REPL) report(s Stop) {
	d, w := r.D, r.Out
	switch s.Reason {
	case "breakpoint":
		fmt.Fprintf(w, "breakpoint %d (%s) hit\n", s.Breakpoint.ID, s.Breakpoint.Desc)
	case "watchpoint":
		if s.Watch.Reg >= 0 && len(s.Old) == 8 && len(s.New) == 8 {
			o, n := binary.LittleEndian.Uint64(s.Old), binary.LittleEndian.Uint64(s.New)
			fmt.Fprintf(w, "watchpoint %d (%s) changed: %#x (%d) -> %#x (%d)\n", s.Watch.ID, s.Watch.Desc, o, o, n, n)
		} else {
			fmt.Fprintf(w, "watchpoint %d (%s) changed: %x -> %x\n", s.Watch.ID, s.Watch.Desc, s.Old, s.New)
		}
	case "start":
		fmt.Fprintln(w, "at the start of the recording")
	}
	if d.AtEnd() {
		res := d.Result()
		if res.Err != nil {
			fmt.Fprintf(w, "the run ended: %v at pc %d (instruction %d, %d compute units)\n", res.Err, d.cur.PC, d.pos, res.CU)
		} else {
			fmt.Fprintf(w, "the run ended: exit with r0 = %#x (%d) (instruction %d, %d compute units)\n", res.R0, res.R0, d.pos, res.CU)
		}
		return
	}
	pc := d.cur.PC
	fmt.Fprintf(w, "#%d pc %d%s: %s\n", d.pos, pc, r.where(pc), d.Disasm(pc))
}

func (r *REPL) backtrace() {
	d := r.D
	st := d.cur
	fmt.Fprintf(r.Out, "#0 pc %d%s\n", st.PC, r.where(st.PC))
	for i := len(st.Frames) - 1; i >= 0; i-- {
		call := st.Frames[i].ReturnPC - 1
		fmt.Fprintf(r.Out, "#%d pc %d%s\n", len(st.Frames)-i, call, r.where(call))
	}
}

func (r *REPL) disasm(pc, before, after int) {
	n := len(r.D.t.Program.Text) / sbpf.InsnSize
	for p := max(pc-before, 0); p < min(pc+after, n); p++ {
		mark := "  "
		if p == r.D.cur.PC {
			mark = "=>"
		}
		fmt.Fprintf(r.Out, "%s %4d  %s\n", mark, p, r.D.Disasm(p))
	}
}

func (r *REPL) list() {
	loc, ok := r.D.Src.Lookup(r.D.cur.PC)
	if !ok || loc.Line == 0 {
		r.disasm(r.D.cur.PC, 4, 8)
		return
	}
	data, err := os.ReadFile(loc.File)
	if err != nil && !filepath.IsAbs(loc.File) {
		// DWARF names files relative to the build directory, which is
		// usually the program's own.
		if b, err2 := os.ReadFile(filepath.Join(filepath.Dir(r.D.t.Debug.Path), loc.File)); err2 == nil {
			data, err = b, nil
		}
	}
	if err != nil {
		fmt.Fprintf(r.Out, "%s:%d (source not readable: %v)\n", loc.File, loc.Line, err)
		r.disasm(r.D.cur.PC, 4, 8)
		return
	}
	lines := strings.Split(string(data), "\n")
	for l := max(loc.Line-5, 1); l <= min(loc.Line+5, len(lines)); l++ {
		mark := "  "
		if l == loc.Line {
			mark = "=>"
		}
		fmt.Fprintf(r.Out, "%s %4d  %s\n", mark, l, lines[l-1])
	}
}
