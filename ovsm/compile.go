package ovsm

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/ovsm/parse"
	"github.com/agora-vm/agora/sbpf"
)

// decl is a named function: a defn/defun of the program, or a function of
// the runtime library.
type decl struct {
	name    string
	params  []param
	body    []*parse.Node
	node    *parse.Node
	runtime bool // from the runtime library: always propagates errors
	file    int32
}

// param is one declared parameter: positional, or named (`:key name`,
// with an optional default).
type param struct {
	name    string
	keyword string // "" for positional
	deflt   *parse.Node
	node    *parse.Node
}

// global is a top-level define: a constant, or a heap slot set at entry.
type global struct {
	name  string
	init  *parse.Node
	node  *parse.Node
	konst *cval // when the initialiser is constant
	kt    typ
	slot  int // heap slot index, when not constant
	file  int32
}

// instance is one compiled specialisation of a function: per argument
// types and error mode.
type instance struct {
	key      string
	name     string
	decl     *decl
	lambda   *fnValue // for lambdas
	args     []typ
	propag   bool // returns an error pointer in r1
	generic  bool // the closure entry: every argument and the result are kAny
	entry    bool
	ret      typ // the assumed (and, at the fixed point, actual) result type
	computed typ
	f        *function
	mc       *mcode
	pc       int  // first instruction, after layout
	noErr    bool // a propagating function that never returns an error
}

// compiler holds the state of one compilation.
type compiler struct {
	ctx  context.Context
	src  []byte
	file string
	opts Options
	ext  map[string]Extension

	// the tables of names: built-ins, special forms
	builtins map[string]builtin
	forms    map[string]specialForm

	progName    string
	decls       map[string]*decl
	globals     map[string]*global
	globalOrder []*global
	entry       *parse.Node
	entryBody   []*parse.Node
	entryParams [2]string
	nslots      int

	// state of the current round
	round     int
	diags     []Diagnostic
	warns     []Diagnostic
	seen      map[string]bool
	instances map[string]*instance
	queue     []*instance
	ro        *rodata
	heapUsed  bool
	walkUsed  bool // the entry walks the accounts (and builds their table)
	idataUsed bool // the entry records where the instruction data is
	pidUsed   bool // the entry records where the program id is
	// constAccounts is one more than the largest constant account index
	// the program uses: the walk unrolls that many accounts
	constAccounts int
	work          int // expressions compiled this round
	// globalsChanged is set when a round learns a global's type
	globalsChanged bool
	entryFinish    func()

	// assignedGlobals names what some set! assigns (a global by that name
	// is a variable in a heap slot)
	assignedGlobals map[string]bool

	// carried across rounds
	retAssume  map[string]typ
	globalType map[string]typ
	runtimeSrc []byte
}

func newCompiler(ctx context.Context, src []byte, file string, opts Options) *compiler {
	c := &compiler{ctx: ctx, src: src, file: file, opts: opts,
		decls: map[string]*decl{}, globals: map[string]*global{},
		retAssume: map[string]typ{}, globalType: map[string]typ{}}
	c.ext = extensionTable(opts.Extensions)
	c.builtins, c.forms = builtins(), specialForms
	return c
}

func (c *compiler) srcOf(file int32) []byte {
	if file == 1 {
		return c.runtimeSrc
	}
	return c.src
}

func (c *compiler) fileName(file int32) string {
	if file == 1 {
		return runtimeFileName
	}
	return c.file
}

func (c *compiler) errAt(kind DiagKind, n *parse.Node, file int32, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	var d Diagnostic
	if n == nil {
		d = Diagnostic{Kind: kind, File: c.fileName(file), Line: 1, Col: 1, Message: msg}
	} else {
		d = newDiag(kind, c.fileName(file), c.srcOf(file), n.Pos, n.End, msg)
	}
	if file == 1 {
		d.Kind = InternalError
		d.Message = "runtime library: " + d.Message
	}
	key := d.Error()
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	c.diags = append(c.diags, d)
}

func (c *compiler) warnAt(n *parse.Node, format string, args ...any) {
	d := newDiag(TypeError, c.file, c.src, n.Pos, n.End, fmt.Sprintf(format, args...))
	d.Severity = SeverityWarning
	key := d.Error()
	if c.seen["w"+key] {
		return
	}
	c.seen["w"+key] = true
	c.warns = append(c.warns, d)
}

// compile runs the whole pipeline.
func (c *compiler) compile() (*Output, error) {
	forms, err := parse.Parse(c.src, c.file)
	if err != nil {
		if pe, ok := err.(*parse.Error); ok {
			return nil, Diagnostics{newDiag(SyntaxError, c.file, c.src, pe.Pos, parse.Pos{}, pe.Msg)}
		}
		return nil, err
	}
	c.seen = map[string]bool{}
	c.collect(forms, 0)
	if len(c.diags) == 0 && c.entry == nil {
		c.errAt(ProgramError, nil, 0, "no entrypoint: write (define-program name … (entrypoint (accounts instruction-data) body…))")
	}
	if err := c.loadRuntime(); err != nil {
		return nil, err
	}
	// top-level defines that some set! assigns are variables, not constants
	c.assignedGlobals = map[string]bool{}
	for _, d := range c.decls {
		if !d.runtime {
			assigned(d.body, c.assignedGlobals)
		}
	}
	assigned(c.entryBody, c.assignedGlobals)
	for _, g := range c.globalOrder {
		assigned([]*parse.Node{g.init}, c.assignedGlobals)
	}
	if len(c.diags) > 0 {
		return nil, c.sortedDiags()
	}
	// Rounds until the assumed result types of every function (and the
	// types of globals) stop changing.
	const maxRounds = 8
	for c.round = 0; ; c.round++ {
		if err := c.ctx.Err(); err != nil {
			return nil, err
		}
		changed := c.runRound()
		if len(c.diags) > 0 && !changed {
			return nil, c.sortedDiags()
		}
		if !changed {
			break
		}
		if c.round == maxRounds-1 {
			// widen whatever still moves to kAny; one more round settles it
			for k := range c.retAssume {
				if ins := c.instances[k]; ins != nil && ins.computed != ins.ret {
					c.retAssume[k] = tAny
				}
			}
		}
		if c.round > maxRounds+2 {
			return nil, Diagnostics{{Kind: InternalError, File: c.file, Line: 1, Col: 1, Message: "result types did not settle"}}
		}
	}
	return c.backend()
}

func (c *compiler) sortedDiags() Diagnostics {
	ds := append(Diagnostics(nil), c.diags...)
	sort.SliceStable(ds, func(i, j int) bool {
		if ds[i].File != ds[j].File {
			return ds[i].File == c.file
		}
		if ds[i].Line != ds[j].Line {
			return ds[i].Line < ds[j].Line
		}
		return ds[i].Col < ds[j].Col
	})
	return ds
}

// collect reads the top-level forms: define-program, and defines and
// functions at file level.
func (c *compiler) collect(forms []*parse.Node, file int32) {
	for _, f := range forms {
		switch f.Head() {
		case "define-program":
			if file != 0 {
				continue
			}
			if c.progName != "" {
				c.errAt(ProgramError, f, file, "a second define-program (one file holds one program)")
				continue
			}
			if len(f.Items) < 2 || f.Items[1].Kind != parse.Symbol {
				c.errAt(ProgramError, f, file, "define-program needs a name: (define-program name … (entrypoint …))")
				continue
			}
			c.progName = f.Items[1].Text
			c.collect(f.Items[2:], file)
		case "entrypoint":
			if file != 0 {
				continue
			}
			if c.entry != nil {
				c.errAt(ProgramError, f, file, "a second entrypoint")
				continue
			}
			if len(f.Items) < 2 || f.Items[1].Kind != parse.List || len(f.Items[1].Items) != 2 ||
				f.Items[1].Items[0].Kind != parse.Symbol || f.Items[1].Items[1].Kind != parse.Symbol {
				c.errAt(ProgramError, f, file, "entrypoint takes two parameter names: (entrypoint (accounts instruction-data) body…)")
				continue
			}
			c.entry = f
			c.entryParams = [2]string{f.Items[1].Items[0].Text, f.Items[1].Items[1].Text}
			c.entryBody = f.Items[2:]
		case "defn", "defun":
			c.collectFn(f, file)
		case "define", "const", "defconst":
			if len(f.Items) >= 3 && f.Items[1].Kind == parse.List && len(f.Items[1].Items) > 0 && f.Items[1].Items[0].Kind == parse.Symbol && f.Head() == "define" {
				// (define (name params…) body…) is a function
				c.collectFn(&parse.Node{Kind: parse.List, Pos: f.Pos, End: f.End, Items: append([]*parse.Node{f.Items[0], f.Items[1].Items[0], {Kind: parse.List, Items: f.Items[1].Items[1:], Pos: f.Items[1].Pos, End: f.Items[1].End}}, f.Items[2:]...)}, file)
				continue
			}
			if len(f.Items) != 3 || f.Items[1].Kind != parse.Symbol {
				c.errAt(FormError, f, file, "%s takes a name and a value: (%s name value)", f.Head(), f.Head())
				continue
			}
			name := f.Items[1].Text
			if c.nameTaken(name) {
				c.errAt(ProgramError, f.Items[1], file, "%q is already defined", name)
				continue
			}
			g := &global{name: name, init: f.Items[2], node: f, file: file, slot: -1}
			c.globals[name] = g
			c.globalOrder = append(c.globalOrder, g)
		default:
			if file == 0 {
				c.errAt(ProgramError, f, file, "at the top level only define-program, entrypoint, define, const and defn may appear, not %s", describe(f))
			}
		}
	}
}

func describe(n *parse.Node) string {
	if h := n.Head(); h != "" {
		return "(" + h + " …)"
	}
	s := n.String()
	if len(s) > 30 {
		s = s[:30] + "…"
	}
	return s
}

func (c *compiler) nameTaken(name string) bool {
	_, a := c.decls[name]
	_, b := c.globals[name]
	return a || b
}

func (c *compiler) collectFn(f *parse.Node, file int32) {
	if len(f.Items) < 3 || f.Items[1].Kind != parse.Symbol || f.Items[2].Kind != parse.List && f.Items[2].Kind != parse.Vector {
		c.errAt(FormError, f, file, "%s takes a name, a parameter list and a body: (%s name (params…) body…)", f.Head(), f.Head())
		return
	}
	name := f.Items[1].Text
	if c.nameTaken(name) {
		c.errAt(ProgramError, f.Items[1], file, "%q is already defined", name)
		return
	}
	if file == 0 && strings.HasPrefix(name, "%") {
		c.errAt(ProgramError, f.Items[1], file, "names starting with %% are reserved for the runtime library")
		return
	}
	ps, ok := c.parseParams(f.Items[2], file)
	if !ok {
		return
	}
	body := f.Items[3:]
	if len(body) > 1 && body[0].Kind == parse.String {
		body = body[1:] // docstring
	}
	c.decls[name] = &decl{name: name, params: ps, body: body, node: f, runtime: file == 1, file: file}
}

// parseParams reads (a b :key c :other (d default)).
func (c *compiler) parseParams(list *parse.Node, file int32) ([]param, bool) {
	var ps []param
	seen := map[string]bool{}
	items := list.Items
	for i := 0; i < len(items); i++ {
		it := items[i]
		p := param{node: it}
		switch it.Kind {
		case parse.Symbol:
			if strings.HasPrefix(it.Text, "&") {
				c.errAt(FormError, it, file, "%s parameters are not supported; use keyword parameters (:name var)", it.Text)
				return nil, false
			}
			p.name = it.Text
		case parse.Keyword:
			if i+1 >= len(items) {
				c.errAt(FormError, it, file, "keyword parameter :%s needs a variable name after it", it.Text)
				return nil, false
			}
			p.keyword = it.Text
			i++
			v := items[i]
			switch {
			case v.Kind == parse.Symbol:
				p.name = v.Text
			case v.Kind == parse.List && len(v.Items) == 2 && v.Items[0].Kind == parse.Symbol:
				p.name, p.deflt = v.Items[0].Text, v.Items[1]
			default:
				c.errAt(FormError, v, file, "after :%s write a variable name, or (name default)", it.Text)
				return nil, false
			}
		default:
			c.errAt(FormError, it, file, "a parameter is a name or :keyword name, not %s", describe(it))
			return nil, false
		}
		if seen[p.name] {
			c.errAt(FormError, it, file, "parameter %q appears twice", p.name)
			return nil, false
		}
		seen[p.name] = true
		if p.keyword == "" {
			for _, q := range ps {
				if q.keyword != "" {
					c.errAt(FormError, it, file, "positional parameter %q after keyword parameters", p.name)
					return nil, false
				}
			}
		}
		ps = append(ps, p)
	}
	return ps, true
}

// maxInstances bounds the compiled functions of one program.
const maxInstances = 4000

// runRound compiles everything reachable from the entry point once, and
// reports whether an assumed type changed.
func (c *compiler) runRound() bool {
	c.diags, c.warns = nil, nil
	c.work = 0
	c.seen = map[string]bool{}
	c.instances = map[string]*instance{}
	c.queue = nil
	c.ro = newRodata()
	c.heapUsed = false
	c.walkUsed, c.idataUsed, c.pidUsed, c.constAccounts = false, false, false, 0
	c.globalsChanged = false
	c.entryFinish = nil
	c.nslots = 0
	for _, g := range c.globalOrder {
		g.konst, g.slot = nil, -1
	}
	for _, g := range c.globalOrder {
		if c.assignedGlobals[g.name] {
			g.slot = c.nslots // assigned somewhere: it needs storage
			c.nslots++
			continue
		}
		if v, t, ok := c.constEval(g.init, g.file, 0); ok {
			g.konst, g.kt = v, t
		} else {
			g.slot = c.nslots
			c.nslots++
		}
	}
	entry := &instance{key: "entrypoint", name: "entrypoint", entry: true, ret: tAny}
	c.instances[entry.key] = entry
	c.compileInstance(entry)
	for len(c.queue) > 0 {
		if c.ctx.Err() != nil {
			return false
		}
		if len(c.instances) > maxInstances {
			c.errAt(LimitError, nil, 0, "the program needs more than %d compiled functions", maxInstances)
			return false
		}
		ins := c.queue[0]
		c.queue = c.queue[1:]
		c.compileInstance(ins)
	}
	if c.entryFinish != nil {
		c.entryFinish()
	}
	changed := c.globalsChanged
	for k, ins := range c.instances {
		if ins.entry {
			continue
		}
		old := c.retAssume[k]
		nt := join(old, ins.computed)
		if ins.generic {
			nt = tAny
		}
		if nt != old {
			c.retAssume[k] = nt
			changed = true
		}
	}
	return changed
}

// instanceFor returns (creating and queueing) the specialisation of a
// function for the given argument types and error mode.
func (c *compiler) instanceFor(d *decl, lam *fnValue, args []typ, propag, generic bool) *instance {
	var kb strings.Builder
	if d != nil {
		kb.WriteString(d.name)
	} else {
		kb.WriteString(lam.id)
	}
	kb.WriteByte('(')
	for i, a := range args {
		if i > 0 {
			kb.WriteByte(',')
		}
		if a.k == kFn && a.fn != nil {
			kb.WriteString("fn:" + a.fn.id)
		} else {
			kb.WriteString(a.k.String())
		}
	}
	kb.WriteByte(')')
	if propag || (d != nil && d.runtime) {
		kb.WriteString("!")
		propag = true
	}
	if generic {
		kb.WriteString("*")
		propag = true
	}
	key := kb.String()
	if ins, ok := c.instances[key]; ok {
		return ins
	}
	name := ""
	if d != nil {
		name = d.name
	} else {
		name = lam.name
	}
	ins := &instance{key: key, decl: d, lambda: lam, args: args, propag: propag, generic: generic}
	// symbol names: the plain name for the first specialisation
	n := 0
	for _, o := range c.instances {
		if o.decl == d && o.lambda == lam && (d != nil || o.lambda.id == lam.id) {
			n++
		}
	}
	if n == 0 {
		ins.name = name
	} else {
		ins.name = fmt.Sprintf("%s.%d", name, n)
	}
	if t, ok := c.retAssume[key]; ok {
		ins.ret = t
	} else {
		ins.ret = tBottom
		c.retAssume[key] = tBottom
	}
	if generic {
		ins.ret = tAny
	}
	c.instances[key] = ins
	c.queue = append(c.queue, ins)
	return ins
}

// ---- rodata ----------------------------------------------------------------

// rodata accumulates the read-only objects: strings, keywords, byte
// arrays, booleans and the static error objects.
type rodata struct {
	b    []byte
	objs map[string]int
	ptrs []roPtr // words holding the address of another rodata offset
}

type roPtr struct{ at, target int }

func newRodata() *rodata {
	r := &rodata{b: make([]byte, 8), objs: map[string]int{}}
	return r
}

func (r *rodata) align() {
	for len(r.b)%8 != 0 {
		r.b = append(r.b, 0)
	}
}

// object returns the offset of the object with this tag and payload.
func (r *rodata) object(tag int, payload []byte) int {
	key := fmt.Sprintf("%d:%s", tag, payload)
	if off, ok := r.objs[key]; ok {
		return off
	}
	r.align()
	off := len(r.b)
	var hdr [8]byte
	hdr[0] = byte(tag)
	binary.LittleEndian.PutUint32(hdr[4:], uint32(len(payload)))
	r.b = append(r.b, hdr[:]...)
	r.b = append(r.b, payload...)
	r.align()
	r.objs[key] = off
	return off
}

func (r *rodata) str(s string) int      { return r.object(tagStr, []byte(s)) }
func (r *rodata) kw(s string) int       { return r.object(tagKw, []byte(s)) }
func (r *rodata) bytesObj(b []byte) int { return r.object(tagBytes, b) }

func (r *rodata) boolean(b bool) int {
	if b {
		return r.object(tagTrue, nil)
	}
	return r.object(tagFalse, nil)
}

// errObj returns a static error object: message, no data, and where it
// was raised.
func (r *rodata) errObj(msg string, pos srcPos) int {
	key := fmt.Sprintf("err:%s@%d:%d:%d", msg, pos.file, pos.line, pos.col)
	if off, ok := r.objs[key]; ok {
		return off
	}
	m := r.str(msg)
	r.align()
	off := len(r.b)
	var o [32]byte
	o[0] = tagErr
	binary.LittleEndian.PutUint32(o[24:], uint32(pos.line))
	binary.LittleEndian.PutUint32(o[28:], uint32(pos.col))
	r.b = append(r.b, o[:]...)
	r.ptrs = append(r.ptrs, roPtr{at: off + 8, target: m})
	r.objs[key] = off
	return off
}

// ---- back end ----------------------------------------------------------------

// backend allocates registers, lowers, lays out and writes the ELF.
func (c *compiler) backend() (*Output, error) {
	var insts []*instance
	for _, ins := range c.instances {
		insts = append(insts, ins)
	}
	sort.Slice(insts, func(i, j int) bool {
		if insts[i].entry != insts[j].entry {
			return insts[i].entry
		}
		return insts[i].key < insts[j].key
	})
	v := c.opts.Version
	if !c.opts.NoOptimize {
		optimizeAll(insts)
	}
	for _, ins := range insts {
		f := ins.f
		code := append(append([]inst(nil), f.insts...), f.cold...)
		al := allocate(f, code)
		mc, err := lower(f, ins, code, al, v)
		if err != nil {
			return nil, Diagnostics{{Kind: LimitError, File: c.file, Line: 1, Col: 1, Message: err.Error()}}
		}
		ins.mc = mc
	}
	return c.link(insts)
}

// link lays out the functions, resolves jumps, calls and addresses, and
// writes and reloads the ELF.
func (c *compiler) link(insts []*instance) (*Output, error) {
	v := c.opts.Version
	var text []sbpf.Instruction
	var pos []srcPos
	for _, ins := range insts {
		ins.pc = len(text)
		text = append(text, ins.mc.slots...)
		pos = append(pos, ins.mc.pos...)
	}
	if len(text) > sbpf.MaxInsns {
		return nil, Diagnostics{{Kind: LimitError, File: c.file, Line: 1, Col: 1,
			Message: fmt.Sprintf("the program has %d instructions, more than the %d sBPF allows", len(text), sbpf.MaxInsns)}}
	}
	obj := &elf.Object{Version: v, Functions: map[string]int{}, CallTargets: map[uint32]int{}}
	sysNames := map[uint32]string{}
	usedSys := map[string]bool{}
	for _, ins := range insts {
		mc := ins.mc
		base := ins.pc
		if ins.entry {
			obj.Entry = base
			obj.Functions["entrypoint"] = base
		} else if ins.name != "entrypoint" {
			obj.Functions[symbolName(ins.name)] = base
		}
		for _, j := range mc.jumps {
			t, ok := mc.labels[j.label]
			if !ok {
				return nil, Diagnostics{{Kind: InternalError, File: c.file, Line: 1, Col: 1, Message: fmt.Sprintf("internal error: undefined label in %s", ins.name)}}
			}
			off := t - (j.slot + 1)
			if off < -32768 || off > 32767 {
				return nil, Diagnostics{{Kind: LimitError, File: c.file, Line: 1, Col: 1,
					Message: fmt.Sprintf("function %s is too large: a jump spans %d instructions (at most 32767)", ins.name, off)}}
			}
			text[base+j.slot].Off = int16(off)
		}
		for _, cl := range mc.calls {
			pc := base + cl.slot
			target := cl.fn.pc
			if v.StaticSyscalls() {
				text[pc].Src = 1
				text[pc].Imm = int32(target - (pc + 1))
			} else {
				key := sbpf.PCHash(uint64(target))
				text[pc].Imm = int32(key)
				obj.CallTargets[key] = target
			}
		}
		for _, s := range mc.syscalls {
			h := sbpf.SyscallHash(s.name)
			sysNames[h] = s.name
			usedSys[s.name] = true
		}
		for _, a := range mc.pcs {
			text[base+a.slot].Imm = int32(a.fn.pc)
		}
		for _, a := range mc.addrs {
			pc := base + a.slot
			if a.fn != nil {
				obj.AddrRefs = append(obj.AddrRefs, elf.AddrRef{PC: pc, Section: elf.SectionText, Offset: uint64(a.fn.pc) * sbpf.InsnSize})
			} else {
				obj.AddrRefs = append(obj.AddrRefs, elf.AddrRef{PC: pc, Section: elf.SectionROData, Offset: uint64(a.off)})
			}
		}
	}
	for name, h := range syscallHashes(usedSys) {
		sysNames[h] = name
	}
	obj.SyscallName = func(h uint32) (string, bool) { n, ok := sysNames[h]; return n, ok }
	for _, ins := range text {
		obj.Text = sbpf.AppendEncoded(obj.Text, ins)
	}
	obj.ROData = append([]byte(nil), c.ro.b...)
	out, prog, err := c.writeELF(obj)
	if err != nil {
		return nil, err
	}
	res := &Output{ELF: out, Program: prog, Warnings: c.warns, HeapSize: c.opts.HeapSize}
	for n := range usedSys {
		res.Syscalls = append(res.Syscalls, n)
	}
	sort.Strings(res.Syscalls)
	res.Debug = c.debugInfo(insts, pos)
	sum := sha256.Sum256(out)
	res.Debug.ELFSHA256 = hex.EncodeToString(sum[:])
	return res, nil
}

func syscallHashes(names map[string]bool) map[string]uint32 {
	out := map[string]uint32{}
	for n := range names {
		out[n] = sbpf.SyscallHash(n)
	}
	return out
}

// symbolName makes a function name acceptable as an ELF symbol.
func symbolName(s string) string {
	if s == "" {
		return "function"
	}
	return s
}

func (c *compiler) useIData() {
	c.walkUsed = true
	c.idataUsed = true
}

func (c *compiler) useProgramID() {
	c.walkUsed = true
	c.idataUsed = true
	c.pidUsed = true
}
