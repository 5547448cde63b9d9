// Package txmem implements transactional memory for sBPF programs
// (docs/extensions.md): four syscalls with which a
// program makes a group of writes all-or-nothing inside one instruction.
//
//	agora_tx_begin()  -> 0   open a transaction
//	agora_tx_commit() -> 0   keep every write made since tx_begin
//	agora_tx_abort()  -> 0   put back every byte written since tx_begin
//	agora_tx_test()   -> 1 while a transaction is open, else 0
//
// Register adds them to a vm.Registry; Aliases gives the assembler
// mnemonics tx_begin, tx_commit, tx_abort and tx_test (pass it as
// asm.Options.Aliases). sdk/c/agora.h declares them for C.
//
// # What a transaction covers
//
// The heap and the whole input region: in the runtime, every account's
// lamports, data and data length (the serialized input), and the
// instruction data. Every write counts — store instructions of any width
// and the writes of syscalls (sol_memcpy_, sol_memset_, ring pushes...).
// Not covered: the stack and the registers (the program's own working
// state, as with hardware transactional memory), logs, return data, the
// heap allocator's position (memory allocated inside an aborted
// transaction stays allocated, its bytes restored), and compute units.
//
// # How
//
// tx_begin installs an undo log as the machine's vm.WriteWatcher. The VM
// calls it before every write to the heap or the input; the log saves the
// bytes a write overwrites for the first time since tx_begin (a shadow
// bitmap, one bit per byte, tells which are saved), so it never holds
// more than the memory it covers. tx_commit drops the log; tx_abort writes
// the saved bytes back with vm.Machine.RestoreMemory. Between transactions
// no watcher is installed and stores keep the interpreter's inline fast
// path: a program that never opens a transaction pays nothing, whether or
// not this package is registered (bench's BenchmarkStoresOutsideTransaction
// and TestStoresOutsideTransactionCostNothing show it). Logs are pooled
// per Register call, so a transaction allocates nothing once warm.
//
// # Misuse
//
// A misuse faults with an *Error whose kind vm.ErrorKindOf reports:
// NestedTransaction (tx_begin with one open), NoActiveTransaction
// (tx_commit or tx_abort with none), TransactionLeak (the program exited
// with one open: the VM calls the log's AtExit, which aborts the
// transaction — so the runtime's account checks see the memory as it was
// at tx_begin — and fails the run at the exit instruction), and
// CPIInTransaction (below). A run that faults for another reason inside a
// transaction leaves the transaction's writes in memory, as any failed
// instruction does, and the runtime discards that memory; Rollback puts it
// back for callers that keep reading it. None of the four syscalls takes
// a pointer, so none can raise AccessViolation.
//
// Package verify's TxPairing proves statically that a program makes none
// of the first three mistakes on any path, and `agora verify` and `agora
// run` use it to report and refuse programs that do.
//
// # Cross-program invocation
//
// A CPI while a transaction is open fails with CPIInTransaction. The
// callee changes the transaction's accounts in the runtime, outside the
// caller's memory, and can touch accounts the caller does not map, so
// restoring the caller's memory could not undo it; including the callee's
// writes soundly would need the runtime to snapshot and restore its own
// account state too. The runtime enforces the rule by calling CheckCPI at
// the start of sol_invoke_signed_c and sol_invoke_signed_rust (or by
// registering them wrapped with GuardCPI). A program may call other
// programs before tx_begin or after tx_commit.
//
// # Isolation
//
// A transaction lives inside one instruction, on one VM, and sees only
// that instruction's memory, which nothing else reads or writes while it
// runs: it is serializable trivially, and no read set is kept (the
// proposal's ReadCommitted/RepeatableRead/Serializable levels have nothing
// to distinguish yet). Across Solana transactions, isolation is the
// scheduler's: it runs transactions whose declared accounts conflict in
// block order, so a committed tx_begin…tx_commit group is never observed
// half done. When lanes arrive (parallel_spawn, not implemented yet), children
// read the parent's memory: a spawn while a transaction is open will be
// refused like a CPI until lanes define what a child may see of
// uncommitted writes, and conflicts between lanes will be detected on the
// accounts read and written.
//
// # Prices
//
// From the price rule of docs/costs.md (measured Go time at 33 ns
// per CU, rounded up; Costs lists them): tx_begin 1 CU, tx_test 1, and
// tx_commit 1 + ⌈w/2⌉ + ⌈b/256⌉, tx_abort 1 + ⌈w/2⌉ + ⌈b/128⌉, where w counts the
// writes since tx_begin and b the distinct bytes they changed. A store
// cannot charge more than its 1 CU when it executes, so what watching
// costs is charged when the transaction closes. Measured on the
// development machine (2 vCPUs, shared, so noisy; BenchmarkCalibration
// and TestCalibrationTable repeat it): tx_begin + tx_commit 48–85 ns
// (2 CU), tx_test 2–8 ns (1 CU), a store inside a transaction 12–24 ns more
// than outside when its bytes are already saved and 15–45 ns when it saves
// new ones (1 CU per two writes), and large syscall writes 0.10–0.20 ns per
// byte to save and about as much again to restore.
//
// This package keeps no global mutable state, never changes package vm,
// and never panics on anything a program does.
package txmem
