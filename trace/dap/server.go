// Package dap serves the time-travel debugger (package trace/debug) over
// the Debug Adapter Protocol, so that editors such as VS Code can drive
// it: breakpoints by source line and by instruction, stepping forward and
// backward (supportsStepBack), registers and memory, disassembly and the
// REPL's print syntax in evaluate.
//
// Programs are recorded before the session starts (the Launcher does
// it), so every request works on a complete recording. One session per
// connection. Thread 1 is the program; a program that spawned parallel
// lanes (ext/lanes) has one more thread per child lane, in the order the
// lanes started, each a timeline of its own (a child re-executes from its
// recorded start), with the same breakpoints. It must never run anything
// but the recorded program on recorded answers.
package dap

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	godap "github.com/google/go-dap"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/trace"
	"github.com/agora-vm/agora/trace/debug"
)

// LaunchArgs are the arguments of a launch request: a program and its
// run flags, or a trace.
type LaunchArgs struct {
	Program     string   `json:"program"`
	Args        []string `json:"args"`
	Trace       string   `json:"trace"`
	StopOnEntry bool     `json:"stopOnEntry"`
}

// Launcher records the program a launch names (or reads its trace).
type Launcher func(LaunchArgs) (*trace.Trace, error)

// programThread is the top-level run's thread; lane i of the trace is
// thread programThread+1+i.
const programThread = 1

// Variable references are thread*refsPerThread plus one of these;
// stack frame ids are thread*framesPerThread plus the frame's index.
const (
	refRegisters    = 1
	refPosition     = 2
	refsPerThread   = 16
	framesPerThread = 1 << 16
)

// Server is one DAP session.
type Server struct {
	launch Launcher
	in     *bufio.Reader
	out    io.Writer
	seq    int

	d           *debug.Debugger // the thread that moved last
	tid         int             // its id
	stopOnEntry bool
	lineBPs     map[string][]int // source path -> breakpoint ids
	insnBPs     []int
}

// NewServer returns a session reading requests from r and writing to w.
func NewServer(r io.Reader, w io.Writer, launch Launcher) *Server {
	return &Server{launch: launch, in: bufio.NewReader(r), out: w, lineBPs: map[string][]int{}}
}

// Serve handles requests until disconnect or the end of input.
func (s *Server) Serve() error {
	for {
		msg, err := godap.ReadProtocolMessage(s.in)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("dap: %w", err)
		}
		req, ok := msg.(godap.RequestMessage)
		if !ok {
			continue
		}
		if done, err := s.handle(req); err != nil || done {
			return err
		}
	}
}

func (s *Server) send(m godap.Message) error {
	s.seq++
	switch v := m.(type) {
	case godap.ResponseMessage:
		v.GetResponse().Seq = s.seq
	case godap.EventMessage:
		v.GetEvent().Seq = s.seq
	}
	return godap.WriteProtocolMessage(s.out, m)
}

func response(req godap.RequestMessage) godap.Response {
	r := req.GetRequest()
	return godap.Response{ProtocolMessage: godap.ProtocolMessage{Type: "response"}, Command: r.Command, RequestSeq: r.Seq, Success: true}
}

func event(name string) godap.Event {
	return godap.Event{ProtocolMessage: godap.ProtocolMessage{Type: "event"}, Event: name}
}

func (s *Server) fail(req godap.RequestMessage, format string, args ...any) error {
	r := response(req)
	r.Success = false
	r.Message = fmt.Sprintf(format, args...)
	return s.send(&godap.ErrorResponse{Response: r, Body: godap.ErrorResponseBody{Error: &godap.ErrorMessage{Id: 1, Format: r.Message, ShowUser: true}}})
}

// handle answers one request; done reports a disconnect.
func (s *Server) handle(req godap.RequestMessage) (done bool, err error) {
	if s.d == nil {
		switch req.(type) {
		case *godap.InitializeRequest, *godap.LaunchRequest, *godap.DisconnectRequest, *godap.SetBreakpointsRequest,
			*godap.SetInstructionBreakpointsRequest, *godap.ConfigurationDoneRequest, *godap.ThreadsRequest:
		default:
			return false, s.fail(req, "%s before launch", req.GetRequest().Command)
		}
	}
	switch r := req.(type) {
	case *godap.InitializeRequest:
		err = s.send(&godap.InitializeResponse{Response: response(r), Body: godap.Capabilities{
			SupportsConfigurationDoneRequest: true,
			SupportsStepBack:                 true,
			SupportsDisassembleRequest:       true,
			SupportsReadMemoryRequest:        true,
			SupportsInstructionBreakpoints:   true,
			SupportsEvaluateForHovers:        true,
			SupportsSteppingGranularity:      true,
		}})
		if err == nil {
			err = s.send(&godap.InitializedEvent{Event: event("initialized")})
		}
	case *godap.LaunchRequest:
		var a LaunchArgs
		if e := json.Unmarshal(r.Arguments, &a); e != nil {
			return false, s.fail(r, "launch: bad arguments: %v", e)
		}
		if (a.Program == "") == (a.Trace == "") {
			return false, s.fail(r, "launch: give exactly one of program and trace")
		}
		t, e := s.launch(a)
		if e != nil {
			return false, s.fail(r, "launch: %v", e)
		}
		d, e := debug.New(t)
		if e != nil {
			return false, s.fail(r, "launch: %v", e)
		}
		s.d, s.tid, s.stopOnEntry = d, programThread, a.StopOnEntry
		err = s.send(&godap.LaunchResponse{Response: response(r)})
	case *godap.SetBreakpointsRequest:
		err = s.setBreakpoints(r)
	case *godap.SetInstructionBreakpointsRequest:
		err = s.setInstructionBreakpoints(r)
	case *godap.ConfigurationDoneRequest:
		if err = s.send(&godap.ConfigurationDoneResponse{Response: response(r)}); err != nil {
			return false, err
		}
		if s.d == nil {
			return false, nil
		}
		if s.stopOnEntry {
			err = s.stopped(debug.Stop{Reason: "entry"})
		} else {
			err = s.stopped(s.d.Continue())
		}
	case *godap.ThreadsRequest:
		err = s.send(&godap.ThreadsResponse{Response: response(r), Body: godap.ThreadsResponseBody{Threads: s.threads()}})
	case *godap.StackTraceRequest:
		d, e := s.thread(r.Arguments.ThreadId)
		if e != nil {
			return false, s.fail(r, "stackTrace: %v", e)
		}
		frames := s.stack(d, r.Arguments.ThreadId)
		err = s.send(&godap.StackTraceResponse{Response: response(r), Body: godap.StackTraceResponseBody{StackFrames: frames, TotalFrames: len(frames)}})
	case *godap.ScopesRequest:
		tid := s.threadOf(r.Arguments.FrameId / framesPerThread)
		if _, e := s.thread(tid); e != nil {
			return false, s.fail(r, "scopes: frame %d: %v", r.Arguments.FrameId, e)
		}
		err = s.send(&godap.ScopesResponse{Response: response(r), Body: godap.ScopesResponseBody{Scopes: []godap.Scope{
			{Name: "Registers", PresentationHint: "registers", VariablesReference: tid*refsPerThread + refRegisters},
			{Name: "Position", VariablesReference: tid*refsPerThread + refPosition},
		}}})
	case *godap.VariablesRequest:
		ref := r.Arguments.VariablesReference
		d, e := s.thread(s.threadOf(ref / refsPerThread))
		if e != nil {
			return false, s.fail(r, "variables: reference %d: %v", ref, e)
		}
		err = s.send(&godap.VariablesResponse{Response: response(r), Body: godap.VariablesResponseBody{Variables: s.variables(d, ref%refsPerThread)}})
	case *godap.ContinueRequest:
		if err = s.move(r, r.Arguments.ThreadId, &godap.ContinueResponse{Response: response(r)}, (*debug.Debugger).Continue); err != nil {
			return false, err
		}
	case *godap.NextRequest:
		err = s.move(r, r.Arguments.ThreadId, &godap.NextResponse{Response: response(r)}, (*debug.Debugger).Next)
	case *godap.StepInRequest:
		err = s.move(r, r.Arguments.ThreadId, &godap.StepInResponse{Response: response(r)}, func(d *debug.Debugger) debug.Stop { return d.Step(1) })
	case *godap.StepOutRequest:
		err = s.move(r, r.Arguments.ThreadId, &godap.StepOutResponse{Response: response(r)}, (*debug.Debugger).Finish)
	case *godap.StepBackRequest:
		err = s.move(r, r.Arguments.ThreadId, &godap.StepBackResponse{Response: response(r)}, func(d *debug.Debugger) debug.Stop { return d.ReverseStep(1) })
	case *godap.ReverseContinueRequest:
		err = s.move(r, r.Arguments.ThreadId, &godap.ReverseContinueResponse{Response: response(r)}, (*debug.Debugger).ReverseContinue)
	case *godap.DisassembleRequest:
		err = s.disassemble(r)
	case *godap.ReadMemoryRequest:
		err = s.readMemory(r)
	case *godap.EvaluateRequest:
		d := s.d
		if f := r.Arguments.FrameId; f > 0 {
			if d, err = s.thread(s.threadOf(f / framesPerThread)); err != nil {
				return false, s.fail(r, "evaluate: frame %d: %v", f, err)
			}
		}
		res, e := d.Evaluate(r.Arguments.Expression)
		if e != nil {
			return false, s.fail(r, "%v", e)
		}
		if i := strings.Index(res, " = "); i >= 0 {
			res = res[i+3:]
		}
		err = s.send(&godap.EvaluateResponse{Response: response(r), Body: godap.EvaluateResponseBody{Result: res}})
	case *godap.DisconnectRequest:
		return true, s.send(&godap.DisconnectResponse{Response: response(r)})
	default:
		return false, s.fail(req, "unsupported request %q", req.GetRequest().Command)
	}
	return false, err
}

// threads lists the program and its child lanes.
func (s *Server) threads() []godap.Thread {
	out := []godap.Thread{{Id: programThread, Name: "program"}}
	if s.d == nil {
		return out
	}
	for i, l := range s.d.Lanes() {
		out = append(out, godap.Thread{Id: programThread + 1 + i, Name: "lane " + trace.LaneName(l.Path)})
	}
	return out
}

// threadOf maps the thread part of a frame id or variables reference to
// a thread: 0 (a reference made without one) is the current thread.
func (s *Server) threadOf(tid int) int {
	if tid == 0 {
		return s.tid
	}
	return tid
}

// thread returns thread id's debugger.
func (s *Server) thread(id int) (*debug.Debugger, error) {
	root := s.d.Root()
	switch {
	case id == programThread:
		return root, nil
	case id > programThread && id-programThread-1 < len(root.Lanes()):
		return root.Lane(id - programThread - 1)
	}
	return nil, fmt.Errorf("no thread %d", id)
}

// move answers a stepping request on thread tid: the response, then the
// movement and its stopped event. Other threads stay where they are.
func (s *Server) move(req godap.RequestMessage, tid int, resp godap.ResponseMessage, f func(*debug.Debugger) debug.Stop) error {
	if tid == 0 {
		tid = s.tid
	}
	d, err := s.thread(tid)
	if err != nil {
		return s.fail(req, "%s: %v", req.GetRequest().Command, err)
	}
	s.d, s.tid = d, tid
	if err := s.send(resp); err != nil {
		return err
	}
	return s.stopped(f(d))
}

// stopped reports where a movement of the current thread ended: a stopped
// event naming the thread, preceded at the end of the run (of a lane's
// run, for a lane's thread) by its output.
func (s *Server) stopped(st debug.Stop) error {
	d, threadID := s.d, s.tid
	if d.AtEnd() {
		for _, l := range d.Logs() {
			if err := s.send(&godap.OutputEvent{Event: event("output"), Body: godap.OutputEventBody{Category: "stdout", Output: l + "\n"}}); err != nil {
				return err
			}
		}
		res := d.Result()
		msg, reason := fmt.Sprintf("exit with r0 = %#x (%d), %d compute units\n", res.R0, res.R0, res.CU), "step"
		if res.Err != nil {
			msg, reason = fmt.Sprintf("%v at pc %d, %d compute units\n", res.Err, d.State().PC, res.CU), "exception"
		}
		if err := s.send(&godap.OutputEvent{Event: event("output"), Body: godap.OutputEventBody{Category: "console", Output: msg}}); err != nil {
			return err
		}
		// Stay stopped at the end rather than terminate: the client may
		// still step back.
		return s.send(&godap.StoppedEvent{Event: event("stopped"), Body: godap.StoppedEventBody{
			Reason: reason, Description: "end of the recording", Text: strings.TrimSpace(msg), ThreadId: threadID, AllThreadsStopped: true,
		}})
	}
	body := godap.StoppedEventBody{Reason: "step", ThreadId: threadID, AllThreadsStopped: true}
	switch st.Reason {
	case "breakpoint":
		body.Reason = "breakpoint"
		body.HitBreakpointIds = []int{st.Breakpoint.ID}
		if st.Breakpoint.Desc == "instruction" {
			body.Reason = "instruction breakpoint"
		}
	case "watchpoint":
		body.Reason = "data breakpoint"
	case "entry", "start":
		body.Reason = "entry"
	}
	return s.send(&godap.StoppedEvent{Event: event("stopped"), Body: body})
}

func (s *Server) setBreakpoints(r *godap.SetBreakpointsRequest) error {
	path := r.Arguments.Source.Path
	var out []godap.Breakpoint
	if s.d != nil {
		s.d.Delete(s.lineBPs[path]...)
	}
	s.lineBPs[path] = nil
	lines := r.Arguments.Lines
	for _, b := range r.Arguments.Breakpoints {
		lines = append(lines, b.Line)
	}
	if len(r.Arguments.Breakpoints) > 0 {
		lines = lines[len(r.Arguments.Lines):]
	}
	for _, line := range lines {
		bp := godap.Breakpoint{Line: line, Source: &r.Arguments.Source}
		if s.d == nil {
			bp.Message = "launch first: breakpoints are set against the recorded program"
		} else if bps, err := s.d.BreakLine(path, line); err != nil {
			bp.Message = err.Error()
		} else {
			bp.Verified, bp.Id = true, bps[0].ID
			for _, b := range bps {
				s.lineBPs[path] = append(s.lineBPs[path], b.ID)
			}
		}
		out = append(out, bp)
	}
	return s.send(&godap.SetBreakpointsResponse{Response: response(r), Body: godap.SetBreakpointsResponseBody{Breakpoints: out}})
}

// pcAddr is an instruction's memory reference: its guest address.
func (s *Server) pcAddr(pc int) string {
	return fmt.Sprintf("%#x", s.d.Trace().Program.TextVAddr+uint64(pc)*sbpf.InsnSize)
}

func (s *Server) addrPC(ref string, offset int) (int, error) {
	v, err := strconv.ParseUint(strings.TrimPrefix(ref, "0x"), 16, 64)
	if err != nil {
		return 0, fmt.Errorf("bad instruction reference %q", ref)
	}
	v += uint64(int64(offset))
	base := s.d.Trace().Program.TextVAddr
	n := uint64(len(s.d.Trace().Program.Text) / sbpf.InsnSize)
	if v < base || (v-base)%sbpf.InsnSize != 0 || (v-base)/sbpf.InsnSize >= n {
		return 0, fmt.Errorf("%q is not an instruction of the program", ref)
	}
	return int((v - base) / sbpf.InsnSize), nil
}

func (s *Server) setInstructionBreakpoints(r *godap.SetInstructionBreakpointsRequest) error {
	if s.d != nil {
		s.d.Delete(s.insnBPs...)
	}
	s.insnBPs = nil
	var out []godap.Breakpoint
	for _, ib := range r.Arguments.Breakpoints {
		bp := godap.Breakpoint{InstructionReference: ib.InstructionReference, Offset: ib.Offset}
		if s.d == nil {
			bp.Message = "launch first"
		} else if pc, err := s.addrPC(ib.InstructionReference, ib.Offset); err != nil {
			bp.Message = err.Error()
		} else {
			b := s.d.Break(pc, "instruction")
			s.insnBPs = append(s.insnBPs, b.ID)
			bp.Verified, bp.Id = true, b.ID
		}
		out = append(out, bp)
	}
	return s.send(&godap.SetInstructionBreakpointsResponse{Response: response(r), Body: godap.SetInstructionBreakpointsResponseBody{Breakpoints: out}})
}

func (s *Server) frame(id, pc int) godap.StackFrame {
	f := godap.StackFrame{Id: id, Name: fmt.Sprintf("pc %d", pc), InstructionPointerReference: s.pcAddr(pc)}
	if loc, ok := s.d.Src.Lookup(pc); ok {
		if loc.Function != "" {
			f.Name = loc.Function
		}
		if loc.Line > 0 {
			f.Source = &godap.Source{Name: baseName(loc.File), Path: loc.File}
			f.Line, f.Column = loc.Line, 1
		}
	}
	// The top frame of a lane names the lane.
	if tid := id / framesPerThread; id%framesPerThread == 0 && tid > programThread {
		f.Name += " (lane " + trace.LaneName(s.d.Root().Lanes()[tid-programThread-1].Path) + ")"
	}
	return f
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

func (s *Server) stack(d *debug.Debugger, tid int) []godap.StackFrame {
	st := d.State()
	base := tid * framesPerThread
	out := []godap.StackFrame{s.frame(base, st.PC)}
	for i := len(st.Frames) - 1; i >= 0 && len(out) < framesPerThread; i-- {
		out = append(out, s.frame(base+len(out), st.Frames[i].ReturnPC-1))
	}
	return out
}

func (s *Server) variables(d *debug.Debugger, ref int) []godap.Variable {
	st := d.State()
	var out []godap.Variable
	switch ref {
	case refRegisters:
		for i, v := range st.Regs {
			name := "r" + strconv.Itoa(i)
			out = append(out, godap.Variable{Name: name, Value: fmt.Sprintf("0x%016x (%d)", v, v), Type: "u64", EvaluateName: name, MemoryReference: fmt.Sprintf("%#x", v)})
		}
		out = append(out, godap.Variable{Name: "pc", Value: strconv.Itoa(st.PC), Type: "instruction index"})
	case refPosition:
		out = append(out,
			godap.Variable{Name: "instruction", Value: fmt.Sprintf("%d of %d", d.Pos(), d.Total())},
			godap.Variable{Name: "compute units", Value: fmt.Sprintf("%d of %d", d.CU(), d.Trace().Budget)},
			godap.Variable{Name: "call depth", Value: strconv.Itoa(len(st.Frames))},
		)
	}
	return out
}

func (s *Server) disassemble(r *godap.DisassembleRequest) error {
	a := r.Arguments
	pc, err := s.addrPC(a.MemoryReference, a.Offset)
	if err != nil {
		return s.fail(r, "disassemble: %v", err)
	}
	n := len(s.d.Trace().Program.Text) / sbpf.InsnSize
	var out []godap.DisassembledInstruction
	for i := 0; i < a.InstructionCount && i < 4096; i++ {
		p := pc + a.InstructionOffset + i
		if p < 0 || p >= n {
			// The protocol wants exactly InstructionCount entries.
			out = append(out, godap.DisassembledInstruction{Address: fmt.Sprintf("%#x", s.d.Trace().Program.TextVAddr+uint64(max(p, 0))*sbpf.InsnSize), Instruction: "(outside the program)"})
			continue
		}
		di := godap.DisassembledInstruction{Address: s.pcAddr(p), Instruction: s.d.Disasm(p)}
		if loc, ok := s.d.Src.Lookup(p); ok && loc.Line > 0 {
			di.Location = &godap.Source{Name: baseName(loc.File), Path: loc.File}
			di.Line = loc.Line
		}
		if f, ok := s.d.Src.FuncAt(p); ok && f.PC == p {
			di.Symbol = f.Name
		}
		out = append(out, di)
	}
	return s.send(&godap.DisassembleResponse{Response: response(r), Body: godap.DisassembleResponseBody{Instructions: out}})
}

func (s *Server) readMemory(r *godap.ReadMemoryRequest) error {
	a := r.Arguments
	base, err := strconv.ParseUint(strings.TrimPrefix(a.MemoryReference, "0x"), 16, 64)
	if err != nil || a.Count < 0 || a.Count > 1<<20 {
		return s.fail(r, "readMemory: bad reference %q or count %d", a.MemoryReference, a.Count)
	}
	addr := base + uint64(int64(a.Offset))
	b, err := s.d.ReadMemory(s.d.State(), addr, uint64(a.Count))
	body := godap.ReadMemoryResponseBody{Address: fmt.Sprintf("%#x", addr)}
	if err != nil {
		body.UnreadableBytes = a.Count
	} else {
		body.Data = base64.StdEncoding.EncodeToString(b)
	}
	return s.send(&godap.ReadMemoryResponse{Response: response(r), Body: body})
}
