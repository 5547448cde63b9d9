package dap

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	godap "github.com/google/go-dap"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/trace"
	"github.com/agora-vm/agora/vm"
)

const prog = `entrypoint:
    mov64 r6, 0
    mov64 r7, 0
loop:
    mov64 r1, r6
    call function_square
    add64 r7, r0
    add64 r6, 1
    jlt r6, 4, loop
    mov64 r0, r7
    exit
function_square:
    mov64 r0, r1
    mul64 r0, r1
    exit
`

// launcher assembles the test program (the CLI's launcher loads files).
func launcher(a LaunchArgs) (*trace.Trace, error) {
	if a.Program != "square.s" {
		return nil, fmt.Errorf("no such program %q", a.Program)
	}
	p, err := asm.Assemble(prog, sbpf.V0, nil)
	if err != nil {
		return nil, err
	}
	var syms []trace.Symbol
	for _, pc := range p.Functions {
		syms = append(syms, trace.Symbol{PC: pc, Name: p.DisasmOptions().Names[pc]})
	}
	ctx := syscalls.NewContext([32]byte{})
	rec := trace.NewRecorder(trace.Options{Logs: ctx.Messages, Debug: trace.DebugInfo{Kind: trace.DebugLines, Path: "square.s", Data: trace.EncodeLines(p.Lines), Symbols: syms}})
	reg, err := rec.Registry(syscalls.NewRegistry())
	if err != nil {
		return nil, err
	}
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), reg, vm.DefaultConfig())
	if err != nil {
		return nil, err
	}
	_, t := rec.Run(vm.NewMachine(), exe, vm.RunOptions{Budget: 1 << 20, Context: ctx})
	return t, nil
}

// client is a DAP client scripting a session.
type client struct {
	t      *testing.T
	w      io.Writer
	msgs   chan godap.Message // read by a goroutine, so the server never blocks on a write
	seq    int
	events []godap.Message
}

func (c *client) next(what string) godap.Message {
	c.t.Helper()
	select {
	case m, ok := <-c.msgs:
		if !ok {
			c.t.Fatalf("%s: the server closed the connection", what)
		}
		return m
	case <-time.After(20 * time.Second):
		c.t.Fatalf("%s: no message from the server", what)
	}
	return nil
}

func (c *client) request(command string, args any) godap.Message {
	c.t.Helper()
	c.seq++
	m := map[string]any{"seq": c.seq, "type": "request", "command": command}
	if args != nil {
		m["arguments"] = args
	}
	b, err := json.Marshal(m)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := godap.WriteBaseMessage(c.w, b); err != nil {
		c.t.Fatal(err)
	}
	for {
		msg := c.next(command)
		if resp, ok := msg.(godap.ResponseMessage); ok && resp.GetResponse().RequestSeq == c.seq {
			if !resp.GetResponse().Success {
				c.t.Fatalf("%s failed: %s", command, resp.GetResponse().Message)
			}
			return msg
		}
		c.events = append(c.events, msg)
	}
}

// stopped returns the next stopped event (reading past others).
func (c *client) stopped() godap.StoppedEventBody {
	c.t.Helper()
	for {
		for i, e := range c.events {
			if s, ok := e.(*godap.StoppedEvent); ok {
				c.events = append(c.events[:i:i], c.events[i+1:]...)
				return s.Body
			}
		}
		c.events = append(c.events, c.next("waiting for stopped"))
	}
}

func (c *client) top() godap.StackFrame {
	c.t.Helper()
	st := c.request("stackTrace", map[string]any{"threadId": 1}).(*godap.StackTraceResponse)
	return st.Body.StackFrames[0]
}

func (c *client) eval(expr string) string {
	c.t.Helper()
	return c.request("evaluate", map[string]any{"expression": expr}).(*godap.EvaluateResponse).Body.Result
}

// TestDAPSession scripts a whole session: launch stopped on entry, a line
// breakpoint, continue, stack and registers, next, stepIn/stepOut, step
// back, reverse-continue, an instruction breakpoint, disassembly, memory,
// and the end of the run.
func TestDAPSession(t *testing.T) {
	reqR, reqW := io.Pipe()
	respR, respW := io.Pipe()
	srv := NewServer(reqR, respW, launcher)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(); respW.Close() }()
	c := &client{t: t, w: reqW, msgs: make(chan godap.Message, 1024)}
	go func() {
		r := bufio.NewReader(respR)
		for {
			m, err := godap.ReadProtocolMessage(r)
			if err != nil {
				close(c.msgs)
				return
			}
			c.msgs <- m
		}
	}()

	init := c.request("initialize", map[string]any{"adapterID": "agora"}).(*godap.InitializeResponse)
	if !init.Body.SupportsStepBack || !init.Body.SupportsDisassembleRequest || !init.Body.SupportsInstructionBreakpoints {
		t.Fatalf("capabilities %+v", init.Body)
	}
	c.request("launch", map[string]any{"program": "square.s", "stopOnEntry": true})
	bps := c.request("setBreakpoints", map[string]any{"source": map[string]any{"path": "square.s"}, "breakpoints": []map[string]any{{"line": 13}, {"line": 99}}}).(*godap.SetBreakpointsResponse)
	if b := bps.Body.Breakpoints; len(b) != 2 || !b[0].Verified || b[1].Verified {
		t.Fatalf("breakpoints %+v", b)
	}
	c.request("configurationDone", nil)
	if s := c.stopped(); s.Reason != "entry" {
		t.Fatalf("first stop %+v", s)
	}
	th := c.request("threads", nil).(*godap.ThreadsResponse)
	if len(th.Body.Threads) != 1 {
		t.Fatalf("threads %+v", th.Body)
	}

	c.request("continue", map[string]any{"threadId": 1})
	if s := c.stopped(); s.Reason != "breakpoint" {
		t.Fatalf("stop %+v", s)
	}
	st := c.request("stackTrace", map[string]any{"threadId": 1}).(*godap.StackTraceResponse)
	if f := st.Body.StackFrames; len(f) != 2 || f[0].Name != "function_square" || f[0].Line != 13 || f[1].Name != "entrypoint" || f[1].Line != 6 {
		t.Fatalf("stack %+v", f)
	}
	sc := c.request("scopes", map[string]any{"frameId": 0}).(*godap.ScopesResponse)
	vars := c.request("variables", map[string]any{"variablesReference": sc.Body.Scopes[0].VariablesReference}).(*godap.VariablesResponse)
	if v := vars.Body.Variables[1]; v.Name != "r1" || v.Value != "0x0000000000000000 (0)" {
		t.Fatalf("r1 %+v", v)
	}

	c.request("continue", map[string]any{"threadId": 1})
	c.stopped()
	if got := c.eval("r1"); got != "0x0000000000000001 (1)" {
		t.Fatalf("second hit r1 = %s", got)
	}
	c.request("stepOut", map[string]any{"threadId": 1})
	c.stopped()
	if f := c.top(); f.Name != "entrypoint" || f.Line != 7 {
		t.Fatalf("after stepOut %+v", f)
	}
	if got := c.eval("r0"); got != "0x0000000000000001 (1)" {
		t.Fatalf("r0 after square(1) = %s", got)
	}
	c.request("stepBack", map[string]any{"threadId": 1})
	c.stopped()
	if f := c.top(); f.Name != "function_square" || f.Line != 15 {
		t.Fatalf("after stepBack %+v", f)
	}
	c.request("reverseContinue", map[string]any{"threadId": 1})
	if s := c.stopped(); s.Reason != "breakpoint" || c.eval("r1") != "0x0000000000000001 (1)" {
		t.Fatalf("reverseContinue %+v r1 %s", s, c.eval("r1"))
	}
	c.request("next", map[string]any{"threadId": 1})
	c.stopped()
	if f := c.top(); f.Line != 14 {
		t.Fatalf("after next %+v", f)
	}

	// Instruction breakpoints replace the line ones' role: stop at the
	// loop's add64 r7 (pc 4).
	c.request("setBreakpoints", map[string]any{"source": map[string]any{"path": "square.s"}, "breakpoints": []map[string]any{}})
	ref := c.top().InstructionPointerReference
	ib := c.request("setInstructionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"instructionReference": "0x100000020"}}}).(*godap.SetInstructionBreakpointsResponse)
	if !ib.Body.Breakpoints[0].Verified {
		t.Fatalf("instruction breakpoint %+v", ib.Body.Breakpoints)
	}
	c.request("continue", map[string]any{"threadId": 1})
	if s := c.stopped(); s.Reason != "instruction breakpoint" {
		t.Fatalf("stop %+v", s)
	}
	if f := c.top(); f.InstructionPointerReference != "0x100000020" {
		t.Fatalf("at %s", f.InstructionPointerReference)
	}
	dis := c.request("disassemble", map[string]any{"memoryReference": ref, "instructionOffset": -1, "instructionCount": 3}).(*godap.DisassembleResponse)
	if in := dis.Body.Instructions; len(in) != 3 || !strings.HasPrefix(in[1].Instruction, "mul64 r0, r1") {
		t.Fatalf("disassembly %+v", in)
	}
	c.request("stepIn", map[string]any{"threadId": 1})
	c.stopped()
	mem := c.request("readMemory", map[string]any{"memoryReference": "0x100000000", "count": 8}).(*godap.ReadMemoryResponse)
	if b, _ := base64.StdEncoding.DecodeString(mem.Body.Data); len(b) != 8 || b[0] != 0xb7 {
		t.Fatalf("memory %+v", mem.Body)
	}

	c.request("setInstructionBreakpoints", map[string]any{"breakpoints": []map[string]any{}})
	c.request("continue", map[string]any{"threadId": 1})
	if s := c.stopped(); !strings.Contains(s.Text, "r0 = 0xe (14)") {
		t.Fatalf("end %+v", s)
	}
	c.request("disconnect", nil)
	reqW.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
