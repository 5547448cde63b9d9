// Package bench holds Agora's benchmark workloads and the code that times
// them next to a baseline measured in the same process: a native Go
// implementation of the same algorithm. `go test -bench . ./bench` and
// `agora bench vm` both run these workloads.
//
// Figures are reported per executed sBPF instruction, so a ratio of 10
// means the interpreter spends ten times as long per sBPF instruction as
// native Go spends on the same work divided by that instruction count.
//
// The package also calibrates syscall prices (docs/costs.md, `agora bench
// costs`, docs/costs.md). Each CostSample calls one priced syscall over
// valid inputs from an sBPF loop; the loop's compute units, less those of
// a baseline loop with the call replaced by a mov, must equal the published
// price exactly, and the difference of their times is the syscall's own
// cost. A CostRow compares that time with Agave's rate of 33 ns per CU and
// flags prices off by more than 2×; FitPrice derives base + per_unit·n
// from measured times, the rule extension prices follow. The families
// calibrated are listed in one table, costFamilies in costs_samples.go.
//
// ExtRows reproduces the proposal's tables for transactional memory and
// message passing (ext/txmem, ext/ring): each row is one job done with
// the extension and, measured in the same run, without it (validating
// first, an undo log written in bytecode, a message slot in an account,
// a ring written in bytecode), in CU and in wall time per job;
// BenchmarkStoresOutsideTransaction shows that registering the
// extensions costs a program that never opens a transaction nothing.
//
// Timings depend on the machine; nothing here feeds consensus.
package bench
