// Package sched executes a block of transactions on N workers with a
// result that does not depend on N: the same statuses, errors, logs,
// compute units, fees, return data and account writes as running the
// block one transaction after another, in block order.
//
// Each transaction goes through three steps.
//
//  1. Admission, on any worker: it is sanitized and its signatures
//     verified (svm.Check, Agave's sigverify stage), the caller's checks
//     run (recent blockhash, not already processed), and its estimated
//     cost is computed. Ed25519 verification is most of a simple
//     transaction's time, and it depends on nothing but the transaction.
//  2. Packing, strictly in block order, one transaction at a time:
//     Agave's cost tracker reserves each admitted transaction's estimated
//     cost (its requested compute-unit limit, signatures, write locks,
//     data) against 50M CU per block and 12M per writable account; one
//     that does not fit is left out with WouldExceedMaxBlockCostLimit or
//     WouldExceedMaxAccountCostLimit. Then it joins the conflict graph: it
//     follows the last earlier transaction that write-locks any account
//     it locks, and, for the accounts it write-locks, every earlier
//     transaction that read-locked them since.
//  3. Execution, on any worker, once all the transactions it follows
//     have finished, against the latest state of its declared accounts.
//
// With several lanes the steps overlap: a worker executes a ready
// transaction if there is one, and otherwise admits the next one of the
// block; whoever admits the transaction the packer waits for packs as far
// as admission has gone. With one lane they run one after another on the
// calling goroutine.
//
// Why this is deterministic. Every input to a transaction's execution is
// fixed by the block alone: svm.Executor.Execute reads nothing but the
// accounts the transaction declares (and the block's sysvars and programs,
// which no transaction of the block changes). For each declared account,
// the value a transaction reads is the write of the last earlier
// transaction that declared it writable (or the block's starting state):
// that transaction is an ancestor in the graph (or had finished when this
// one was packed, and then needs no edge), so it has finished, and every
// later writer is a descendant, so it has not started. That is the
// value the serial run gives it. Admission and packing depend only on the
// transactions and their order, never on execution or timing. Results
// land in per-transaction slots and the block's writes are merged in block
// order after the last transaction finishes, so which worker ran what, and
// when, changes no byte of the output. A transaction that duplicates an
// earlier one of the block follows it in the graph and is rejected as
// AlreadyProcessed exactly when the serial run rejects it.
//
// Layering. Package sched sits between the runtime (svm) and the bank
// (svm/bank): it knows transactions, accounts and the executor, never the
// store, blockhashes or commits, so that the bank executes every block
// through it and there is one execution path, serial (one lane) or
// parallel. The bank passes its own admission checks in as a function.
//
// The package never writes the state it is given, never reads the wall
// clock for a result (a Trace records timings, which change nothing), and
// keeps no global state.
package sched
