// Package conformance checks that Agora's sBPF toolchain (sbpf/asm,
// verify, vm and syscalls) behaves exactly as the reference implementation
// (anza-xyz/sbpf, with Agave's syscall prices) does: the same r0, the same
// error kind and the same compute units.
//
// It has two sources of truth:
//
//   - The project's own vectors in testdata/vectors/*.txt, written from the
//     reference's semantics (its interpreter, verifier and test suite) in
//     the text format that testdata/vectors/README.md describes. ParseVectors
//     reads them; the package's tests assemble, verify and run each one in
//     every version it names.
//   - The eBPF ISA conformance suite (bpf_conformance), optional test data
//     that the tests use when a copy sits beside the module (see
//     internal/testutil.ConformanceDir). sBPF is not plain eBPF, so the test
//     that runs it classifies every file, per version, as the same, as
//     different by design or as rejected by design, with a stated reason,
//     and fails on anything else.
//
// The package holds test machinery only. It never changes what the
// packages under test do, and nothing in the runtime imports it.
package conformance
