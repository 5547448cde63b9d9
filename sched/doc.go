// Package sched executes a block of transactions on N workers with a
// result that does not depend on N: the same statuses, errors, logs,
// compute units, fees, return data and account writes as running the
// block one transaction after another, in block order.
//
// A block runs in three steps.
//
//  1. Admission, on every worker: each transaction is sanitized and its
//     signatures verified (svm.Check, Agave's sigverify stage), the
//     caller's checks run (recent blockhash, not already processed), and
//     its declared account locks and estimated cost are computed. Ed25519
//     verification is most of a simple transaction's time, and it
//     depends on nothing but the transaction.
//  2. Packing, in block order on one goroutine: Agave's cost tracker
//     reserves each admitted transaction's estimated cost (its requested
//     compute-unit limit, signatures, write locks, data) against 50M CU
//     per block and 12M per writable account; one that does not fit is
//     left out with WouldExceedMaxBlockCostLimit or
//     WouldExceedMaxAccountCostLimit. The conflict graph is built from
//     the locks: a transaction follows the last earlier transaction that
//     writes any account it reads or writes, and, for the accounts it
//     writes, every earlier transaction that reads them since.
//  3. Execution, on every worker: a transaction runs once all the
//     transactions it follows have finished, against the latest state of
//     its declared accounts.
//
// Why this is deterministic. Every input to a transaction's execution is
// fixed by the block alone: svm.Executor.Execute reads nothing but the
// accounts the transaction declares (and the block's sysvars and programs,
// which no transaction of the block changes). For each declared account,
// the value a transaction reads is the write of the last earlier
// transaction that declared it writable (or the block's starting state):
// that transaction is an ancestor in the graph, so it has finished, and
// every later writer is a descendant, so it has not started. That is the
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
