// Package offload implements hardware offload for sBPF programs (part 8 of
// the design): a program hands a fixed-layout request (integer kernels for
// inference, ed25519 and BLS signature batches, BN254 and BLS12-381 multi-scalar
// multiplications, Poseidon hashes) to an accelerator backend, gets a task
// id back, and polls for the result.
//
//	agora_hw_offload_query(out_ptr, out_cap)            -> backends available
//	agora_hw_offload_submit(accel_id, req_ptr, req_len) -> task id (> 0), or 0 (status written)
//	agora_hw_offload_poll(task_id, out_ptr, out_cap)    -> 0 pending, 1 done, 2 cancelled
//	agora_hw_offload_cancel(task_id)                    -> 0
//
// Backends implement Backend and are listed in a Backends registry; the
// only one shipped is the CPU backend (NewCPU), which runs the kernels on
// goroutines and whose results do not depend on the number of cores. docs/offload.md gives the request and result layouts, the pending
// rule and the prices; sdk/c/agora.h declares them for C.
//
// Determinism: results are integer arithmetic with wrapping defined to
// the bit; whether a task is pending depends only on the compute units the
// program has consumed since it submitted it, never on wall time. Task
// state lives per run, in a table the run's context provides (Host or
// StateHost); this package keeps no global mutable state and must never
// use floating point or the clock on a consensus path.
package offload
