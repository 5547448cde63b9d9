// Package ring implements ring-buffer message passing for sBPF programs
// (docs/ring.md): a queue of messages in the
// program's own writable memory that several consumers read
// independently.
//
//	agora_ring_create(addr, len, capacity, max_msg) -> 0
//	agora_ring_push(ring, msg_ptr, msg_len)         -> 0 pushed, 1 full
//	agora_ring_pop(ring, consumer, out_ptr, out_cap)  -> length, or Empty
//	agora_ring_peek(ring, consumer, out_ptr, out_cap) -> as pop, without consuming
//	agora_ring_size(ring, consumer)                 -> messages pending
//
// Register adds them to a vm.Registry; Aliases gives mnemonics (ring_push
// and so on, taking their arguments in r1-r5); sdk/c/agora.h declares
// them with the header layout (AgoraRingHeader).
//
// # Layout
//
// A ring is a byte range that the program can write: in the heap, it
// serves producer and consumers within one instruction; in an account's
// data (the input region), it persists from one transaction to the next,
// and the runtime carries it like any account data. The layout (see
// layout.go) is a 192-byte little-endian header — magic, version,
// capacity, max_msg, consumers, slot size, length, head sequence, and a
// cursor per consumer for up to MaxConsumers (16) — followed by capacity
// slots of a 16-byte slot header {seq u64, len u32, 0} and max_msg bytes
// rounded up to 8. The third argument of agora_ring_create packs the
// capacity (bits 0-31) and the number of consumers (bits 32-39, 0 meaning
// one): CapacityArg, or AGORA_RING_CAPACITY in C. Format and Messages do
// the same on the host (a client preparing a ring account, a tool showing
// one).
//
// # Semantics
//
// Messages are numbered by sequence from 0; every consumer reads every
// message, in order, at its own pace. A push that would leave the slowest
// consumer more than capacity messages behind returns 1 and changes
// nothing, so no consumer ever misses a message; the producer decides
// what to do (retry later, fail). Pop copies the consumer's next message
// and advances its cursor; peek copies without advancing; both return
// Empty (all ones) when the consumer is up to date. Everything is integer
// arithmetic on the ring's bytes, so the same inputs replay to the same
// sequence on every machine. Every operation checks the header first
// (RingCorrupt when its fields disagree, a cursor is out of range, or a
// slot does not hold the sequence number it should), then its arguments
// (MessageTooLarge, InvalidConsumer; InvalidArgument for create), and
// maps every pointer through the VM (AccessViolation outside writable
// memory). A push writes only the slot and the head, a pop only the
// output and the cursor, so inside a transaction (ext/txmem) only those
// bytes enter the undo log, and an abort undoes the ring operations with
// the rest.
//
// Within the Solana account model only the ring account's owner can write
// it, so only the owner's program can push or advance a cursor; consumers
// in other programs read through it by CPI (examples/c/ringbus.c and
// ringreader.c, run in ext/exttest).
//
// # Prices
//
// From the price rule of docs/costs.md (Costs lists them): create
// 1 CU, size 1, push 1 + max(⌈n/1024⌉, 1), pop and peek 1 + max(⌈n/512⌉,
// 1) for an n-byte message (1 when nothing is pending). Measured on the
// development machine (2 vCPUs, shared; BenchmarkCalibration and
// TestCalibrationTable repeat it): create 12 ns, size 23–26 ns, an empty
// pop 26 ns, push 37–40 ns plus 0.02 ns per byte, pop and peek 41–47 ns
// plus 0.01–0.04 ns per byte. The per-byte term's first CU also covers the
// few nanoseconds by which these exceed one CU, rather than rounding the
// base up to two and charging a small message three times its time.
//
// This package keeps no global mutable state and never panics on anything
// a program passes it or on any bytes posing as a ring.
package ring
