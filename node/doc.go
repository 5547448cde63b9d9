// Package node serves a chain to Solana's clients: a single-node block
// producer over package bank (Node), and a JSON-RPC 2.0 and WebSocket
// server with Solana's method names, parameters, encodings and error
// codes (Server), with Prometheus metrics.
//
// The server reads committed state from a bank and its store and hands
// transactions to a Backend; Node is the Backend of a single node, which
// queues them in a bounded mempool and produces a block every block time.
// A consensus engine serves the same RPC by implementing Backend over its
// own mempool and calling Server.Committed after each block it commits.
//
// On a single node every commitment level (processed, confirmed,
// finalized) is the committed head: a block is final once its store
// write returns, and nothing the RPC reports is ever rolled back.
//
// The server never panics on input: every request is decoded with typed
// errors, request bodies are capped, and a recovered panic answers as an
// internal error. It holds no global state (its metrics live in its own
// registry).
package node
