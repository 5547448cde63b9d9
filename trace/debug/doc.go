// Package debug is a time-travel debugger over a recorded run: it steps
// forward and backward, stops at breakpoints and watchpoints, and shows
// registers, memory, call frames and source lines. It drives a
// trace.Replayer; going backward restores the nearest checkpoint before
// the target and re-executes forward, so every position shows exactly the
// state the recorded run had there.
//
// The Debugger type is the engine (used by the REPL here and by the DAP
// server); REPL turns text commands into its calls. It must never run
// anything but the recorded program on recorded answers.
package debug
