// Package abi is the Solana program input ABI: the aligned serialization
// that BPF loader v2 and v3 programs receive in r1, and the write-back of
// the accounts once the program returns, exactly as Agave performs them
// (program-runtime's serialize_parameters / deserialize_parameters, and
// the BorrowedAccount checks they go through), with the features that
// change the layout inactive: stricter_abi_and_runtime_constraints,
// account_data_direct_mapping and direct_account_pointers_in_program_input
// (SIMD-0449).
//
// Serialize lays out the instruction's accounts, instruction data and
// program id in one buffer, to be mapped writable at the input region
// (sbpf.InputStart) with r1 pointing at its first byte. After a run that
// returned 0, Deserialize reads the buffer back: lamports, data length
// (a realloc within MaxPermittedDataIncrease), data and owner, applying
// the reference runtime's rules in the reference's order, and then checks
// that no lamports were created or destroyed. Every violation is an
// *Error whose Kind is the InstructionError variant Agave reports.
// StatusError turns a nonzero r0 into the InstructionError Agave derives
// from it.
//
// ParseAccountsJSON reads the account list of the command line's
// --accounts file; Build turns it into the accounts and the instruction
// that Serialize takes; Diff lists what an instruction changed.
//
// The package sits below the runtime: it knows nothing of the VM, of
// transactions or of stores, it never keeps global mutable state, and it
// never panics on any input buffer, layout misuse or JSON document (fuzz
// tests keep it that way). It lives outside runtime/ because the CLI,
// the examples' tests and the runtime all need the same byte layout, and
// the C SDK (sdk/c/agora.h) mirrors it.
package abi
