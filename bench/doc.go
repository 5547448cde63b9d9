// Package bench holds Agora's benchmark workloads and the code that times
// them next to a baseline measured in the same process: a native Go
// implementation of the same algorithm. `go test -bench . ./bench` and
// `agora bench vm` both run these workloads.
//
// Figures are reported per executed sBPF instruction, so a ratio of 10
// means the interpreter spends ten times as long per sBPF instruction as
// native Go spends on the same work divided by that instruction count.
package bench
