// Package lanes implements parallel lanes inside one sBPF program and the
// atomics that go with them: six syscalls (feature IDs 0xC0–0xC5).
//
//	agora_parallel_spawn(fn_pc, arg_ptr, arg_len, cu_limit) -> handle (>0)
//	agora_parallel_join(handle, out_ptr, out_cap)          -> the child's r0
//	agora_parallel_fence()                                  -> 0
//	agora_atomic_load(addr)                                 -> the value
//	agora_atomic_store(addr, v)                             -> the old value
//	agora_atomic_cas(addr, expected, new)                   -> the old value
//
// Register adds them to a vm.Registry (RegisterWith takes Options: Serial
// runs children inside their spawn, and an Observer, such as a trace
// recorder, sees each child's start and end); Aliases gives the assembler
// mnemonics parallel_spawn, parallel_join, parallel_fence, atomic_load,
// atomic_store and atomic_cas. sdk/c/agora.h declares them for C.
//
// # Children
//
// A child is a new run of the same executable on a vm.Machine of its own,
// starting at instruction fn_pc (a function entry) as an entry frame: its
// exit ends it. It has its own registers and stack; r1 points at a
// private copy of the argument's arg_len bytes, placed 8-byte aligned
// after the input region. Its heap and input start as copies of the
// parent's at the spawn (a copy-on-write view, made eagerly). Children run
// in parallel goroutines; the parent goes on until it joins. A child runs
// without the runtime's context: syscalls that need one (logs, CPI,
// return data) fail or do nothing in a child.
//
// A child's budget is min(cu_limit, the parent's remaining CU less the
// budgets of its children not merged yet), so the work of all lanes
// together stays bounded by the program's budget.
//
// # Merging
//
// Join and fence merge children into the parent, always in spawn order:
// joining handle h first merges every earlier child not merged yet
// (waiting for it), so the parent's memory never depends on join order or
// on timing. A merge copies into the parent every byte of the heap and of
// the parent's input whose value the child changed. If such a byte no
// longer holds, in the parent, the value it had at the child's spawn —
// another child merged before changed it, or the parent wrote it since —
// the merge fails with LaneWriteConflict and writes nothing. A byte a
// child wrote back to its old value is not a change. A child that failed
// fails the parent with LaneFault when it merges.
//
// join copies min(out_cap, arg_len) bytes of the child's argument buffer,
// as the child left it, to out_ptr: the argument is the child's in/out
// buffer. Fence merges every child spawned so far; it also releases them,
// so that exiting afterwards is no leak, and each may still be joined
// once to read its r0 and buffer. Exiting with a child neither joined nor
// fenced is TaskLeak; joining a handle never returned, or twice, is
// InvalidHandle. Children may spawn children of their own.
//
// # Atomics
//
// Atomics act on 8-byte aligned words of writable memory
// (AtomicMisaligned, or the VM's AccessViolation, otherwise). In the
// top-level program they act on memory directly. In a child they act on
// the child's own view, so a child sees its own atomics and nothing of
// its siblings'; each store and compare-and-swap is also logged, in the
// order the child made them. When the child merges, its log is replayed on
// the parent's memory: the global order of atomics is spawn order, then
// each child's own order. A word a child changed only through atomics is
// exempt from conflict detection (the replay decides its value). The order
// depends on nothing but the program, so results are the same with any
// number of cores, and equal to running each child to completion at its
// spawn (Options.Serial; the tests compare the two on random programs).
//
// # Compute units
//
// The parent's meter is charged the sum of all lanes' CU: each child's CU
// is charged when it merges, so the budget bounds the validator's total
// work. Span reports the critical path: the parent's own CU plus, at each
// merge, how far the child's span (from its spawn) reaches past the
// parent's clock. Prices follow the 33 ns rule (agora bench costs): spawn
// 80 + 4 per KiB of heap and input copied, join and fence 20 + 4 per KiB
// compared per child merged, atomics 1.
//
// # Limits
//
// A lane has at most MaxTasks (16) children outstanding, and only the
// program and its children may spawn (MaxDepth 2), so at most 272 children
// are outstanding in a run; a merge frees its child's copies. Exceeding
// either limit is TooManyTasks. An argument is at most MaxArgLen bytes. Lanes use the machine's vm.WriteWatcher slot to see the
// run's exit, so a spawn while a transaction (ext/txmem) is open fails
// with WatcherInUse, and so does tx_begin in a lane that has spawned.
//
// This package keeps no global mutable state and never panics on
// anything a program does.
package lanes
