package dap

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"testing"

	godap "github.com/google/go-dap"

	"github.com/agora-vm/agora/ext/lanes"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/trace"
	"github.com/agora-vm/agora/vm"
)

// lanesProg spawns two children at pc 1 that sum 1..100 and 1..200, and
// returns the sum of their results.
const lanesProg = `entrypoint:
    ja main
child:
    ldxdw r2, [r1+0]
    mov64 r0, 0
loop:
    jeq r2, 0, done
    add64 r0, r2
    sub64 r2, 1
    ja loop
done:
    exit
main:
    stdw [r10-8], 100
    mov64 r1, 1
    mov64 r2, r10
    sub64 r2, 8
    mov64 r3, 8
    mov64 r4, 10000
    syscall agora_parallel_spawn
    mov64 r6, r0
    stdw [r10-8], 200
    mov64 r1, 1
    mov64 r4, 10000
    syscall agora_parallel_spawn
    mov64 r7, r0
    mov64 r1, r6
    mov64 r3, 0
    syscall agora_parallel_join
    mov64 r8, r0
    mov64 r1, r7
    mov64 r3, 0
    syscall agora_parallel_join
    add64 r0, r8
    exit
`

func lanesLauncher(a LaunchArgs) (*trace.Trace, error) {
	if a.Program != "lanes.s" {
		return nil, fmt.Errorf("no such program %q", a.Program)
	}
	p, err := asm.Assemble(lanesProg, sbpf.V0, nil)
	if err != nil {
		return nil, err
	}
	reg := syscalls.NewRegistry()
	if err := lanes.Register(reg); err != nil {
		return nil, err
	}
	rec := trace.NewRecorder(trace.Options{Debug: trace.DebugInfo{Kind: trace.DebugLines, Path: "lanes.s", Data: trace.EncodeLines(p.Lines)}})
	wrapped, err := rec.Registry(reg)
	if err != nil {
		return nil, err
	}
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), wrapped, vm.DefaultConfig())
	if err != nil {
		return nil, err
	}
	_, t := rec.Run(vm.NewMachine(), exe, vm.RunOptions{Budget: 1 << 20, Context: syscalls.NewContext([32]byte{})})
	return t, nil
}

// TestDAPLanes scripts a session over a program with two child lanes:
// each lane is a thread; a breakpoint in the children's code stops a
// child's thread (the stopped event names it) and never the program's;
// stack, scopes, variables and evaluate answer per thread; stepping and
// stepping back move only the thread asked.
func TestDAPLanes(t *testing.T) {
	reqR, reqW := io.Pipe()
	respR, respW := io.Pipe()
	srv := NewServer(reqR, respW, lanesLauncher)
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
	c.request("initialize", map[string]any{"adapterID": "agora"})
	c.request("launch", map[string]any{"program": "lanes.s", "stopOnEntry": true})
	// Line 8 is the children's add64 r0, r2.
	bps := c.request("setBreakpoints", map[string]any{"source": map[string]any{"path": "lanes.s"}, "breakpoints": []map[string]any{{"line": 8}}}).(*godap.SetBreakpointsResponse)
	if !bps.Body.Breakpoints[0].Verified {
		t.Fatalf("breakpoint %+v", bps.Body.Breakpoints)
	}
	c.request("configurationDone", nil)
	if s := c.stopped(); s.Reason != "entry" || s.ThreadId != 1 {
		t.Fatalf("first stop %+v", s)
	}
	th := c.request("threads", nil).(*godap.ThreadsResponse).Body.Threads
	if len(th) != 3 || th[0].Name != "program" || th[1].Name != "lane 1" || th[2].Id != 3 || th[2].Name != "lane 2" {
		t.Fatalf("threads %+v", th)
	}

	// The program's own timeline never runs the children's code.
	c.request("continue", map[string]any{"threadId": 1})
	if s := c.stopped(); s.ThreadId != 1 || !strings.Contains(s.Text, "r0 = 0x623e (25150)") {
		t.Fatalf("program's end %+v", s)
	}

	// The second child stops at the breakpoint with r2 = 200.
	c.request("continue", map[string]any{"threadId": 3})
	if s := c.stopped(); s.Reason != "breakpoint" || s.ThreadId != 3 {
		t.Fatalf("lane 2 stop %+v", s)
	}
	frames := c.request("stackTrace", map[string]any{"threadId": 3}).(*godap.StackTraceResponse).Body.StackFrames
	if len(frames) != 1 || frames[0].Line != 8 || !strings.Contains(frames[0].Name, "lane 2") {
		t.Fatalf("lane 2 stack %+v", frames)
	}
	sc := c.request("scopes", map[string]any{"frameId": frames[0].Id}).(*godap.ScopesResponse)
	vars := c.request("variables", map[string]any{"variablesReference": sc.Body.Scopes[0].VariablesReference}).(*godap.VariablesResponse).Body.Variables
	if vars[2].Name != "r2" || vars[2].Value != "0x00000000000000c8 (200)" {
		t.Fatalf("lane 2 r2 %+v", vars[2])
	}
	c.request("continue", map[string]any{"threadId": 3})
	c.stopped()
	if got := c.request("evaluate", map[string]any{"expression": "r0", "frameId": frames[0].Id}).(*godap.EvaluateResponse).Body.Result; got != "0x00000000000000c8 (200)" {
		t.Fatalf("lane 2 r0 after one iteration = %s", got)
	}
	c.request("stepBack", map[string]any{"threadId": 3})
	if s := c.stopped(); s.ThreadId != 3 {
		t.Fatalf("stepBack stop %+v", s)
	}
	if got := c.eval("r0"); got != "0x00000000000000c8 (200)" {
		t.Fatalf("lane 2 r0 after stepping back = %s", got)
	}

	// The first child has not moved: it starts at the child's entry.
	f1 := c.request("stackTrace", map[string]any{"threadId": 2}).(*godap.StackTraceResponse).Body.StackFrames
	if f1[0].Line != 4 {
		t.Fatalf("lane 1 before moving %+v", f1[0])
	}
	c.request("stepIn", map[string]any{"threadId": 2})
	if s := c.stopped(); s.ThreadId != 2 {
		t.Fatalf("lane 1 step %+v", s)
	}
	c.request("continue", map[string]any{"threadId": 2})
	if s := c.stopped(); s.Reason != "breakpoint" || s.ThreadId != 2 || c.eval("r2") != "0x0000000000000064 (100)" {
		t.Fatalf("lane 1 stop %+v r2 %s", s, c.eval("r2"))
	}
	// Removing the breakpoint lets the lane run to its end.
	c.request("setBreakpoints", map[string]any{"source": map[string]any{"path": "lanes.s"}, "breakpoints": []map[string]any{}})
	c.request("continue", map[string]any{"threadId": 2})
	if s := c.stopped(); s.ThreadId != 2 || !strings.Contains(s.Text, "r0 = 0x13ba (5050)") {
		t.Fatalf("lane 1 end %+v", s)
	}
	c.request("disconnect", nil)
	reqW.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
