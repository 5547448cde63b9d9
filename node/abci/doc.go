// Package abci runs Agora's chain as a CometBFT ABCI++ application, so
// that several machines agree on one ledger: CometBFT orders the blocks,
// Agora executes them through the bank and the parallel scheduler, and
// the application hash is the store's state commitment (the lattice hash
// over every account).
//
// The application (App) checks transactions for the mempool (CheckTx:
// decoding, sanitization, signatures, a recent blockhash, a fee payer
// that can pay), proposes and validates blocks within Agave's block cost
// limits (PrepareProposal, ProcessProposal), executes a decided block
// without writing it (FinalizeBlock) and writes it when CometBFT commits
// (Commit), so a crash between the two replays the block instead of
// leaving the ledger ahead of the engine. Info reports the last committed
// height and state commitment for CometBFT's restart handshake; InitChain
// writes the genesis block from the genesis file's app_state.
//
// Node starts a validator in this process (CometBFT's node package, file
// private-validator keys, a p2p node key) over a home directory that
// WriteTestnet lays out for a local network.
//
// Every result on a consensus path depends only on the decided blocks:
// a block's Clock and block hash come from the block's height and its
// BFT time, never from this machine's clock, and execution gives the
// same result at every number of lanes. This package is the only one
// (with one file of the CLI) that imports CometBFT, so that a build
// without it stays possible. It keeps no global state.
package abci
