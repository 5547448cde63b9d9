// Package trace records a run of an sBPF program so that it can be
// replayed exactly, and replays it.
//
// A trace holds only what re-execution cannot recompute: the program and
// its limits, the initial input region, the compute budget, and every
// syscall's answer (its r0, its compute units, the bytes it wrote and the
// log lines it emitted). Periodic checkpoints of the machine's state
// (registers, call frames, stack, heap and input) let tools seek: to
// reach any instruction, restore the nearest checkpoint before it and
// re-execute forward. Replay substitutes the recorded answers for the
// syscalls, so it needs neither the chain nor the syscall implementations,
// and checks at every checkpoint and at the end that the run is the one
// that was recorded.
//
// A program that spawns parallel lanes (ext/lanes) has each child
// recorded as a Lane: the recorder runs children serially inside their
// spawn and records each child's own syscall answers; replay checks the
// parent against its recorded spawn and join answers, then re-executes
// every child from its start state.
//
// Recording attaches through vm.Hook (with a stride, so the interpreter's
// hot loop is interrupted once per checkpoint interval, not per
// instruction) and by wrapping the syscall registry; the VM knows nothing
// of this package. The file format is documented in docs/trace.md.
//
// This package must never touch the outside world during replay: a
// replayed run sees only what the trace holds.
package trace
