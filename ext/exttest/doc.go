// Package exttest runs the extension families (ext/txmem, ext/ring) inside
// the runtime: programs deployed with the upgradeable loader and executed
// in signed transactions by runtime.Executor, with the accounts carried
// from one transaction to the next. It holds tests only; they show what
// the unit tests of each family cannot: that the runtime's account checks
// see the memory a transaction left, and that state in an account (a
// ring) persists across transactions.
package exttest
