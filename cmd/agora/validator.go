//go:build cometbft

// This file is the CLI's only link to CometBFT (through package
// node/abci): `agora testnet` and the validator mode of `agora node`
// (--cometbft-home). It is built with -tags cometbft; the default build
// has validator_nocometbft.go instead, which keeps the commands and flags
// but refuses to run them, and leaves CometBFT out of the binary.

package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/node"
	"github.com/agora-vm/agora/node/abci"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm/bank"
)

const testnetLong = `Write the configuration of a local network of validators in DIR: DIR/node0,
DIR/node1, ... each a validator's home for 'agora node --cometbft-home'
(CometBFT's config/ and data/, and the validator's Agora chain directory
agora/ with its ledger and keystore). The genesis gives every validator equal
power and funds a keypair "payer" with 1M SOL (DIR/payer.json, and in every
validator's keystore); every validator lists the others as persistent peers.
Node i listens on 127.0.0.1, p2p on --base-port+2i and CometBFT RPC on
--base-port+2i+1. Consensus timeouts are short (--block-time), for one machine.

Prints each validator's home and ports, or with --json
{"homes":[...],"p2p":[...],"rpc":[...],"payer":"<base58>"}.
Exit codes: 0 written, 2 usage errors or DIR already holds a testnet.`

func newTestnetCmd(s *streams) *cobra.Command {
	var f *testnetFlags
	cmd := &cobra.Command{
		Use:   "testnet --validators N --dir DIR",
		Short: "Write the configuration of a local CometBFT network of Agora validators",
		Long:  testnetLong,
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.dir == "" {
				return usageErr("--dir is required")
			}
			if f.n < 1 || f.n > 100 {
				return usageErr("--validators: %d is outside 1..100", f.n)
			}
			if f.base < 1024 || f.base+2*f.n > 65535 {
				return usageErr("--base-port: %d leaves no room for %d validators below 65536", f.base, f.n)
			}
			if f.blockTime < 10*time.Millisecond || f.blockTime > time.Minute {
				return usageErr("--block-time: %v is outside 10ms..1m", f.blockTime)
			}
			tn, err := abci.WriteTestnet(f.dir, abci.TestnetOptions{Validators: f.n, BasePort: f.base, BlockTime: f.blockTime, ChainID: f.chainID})
			if err != nil {
				return &exitError{code: exitBadCall, err: err}
			}
			payer := txn.PubkeyOf(tn.Faucet).String()
			if f.asJSON {
				return writeJSON(s, map[string]any{"homes": tn.Homes, "p2p": tn.P2P, "rpc": tn.RPC, "payer": payer})
			}
			for i, h := range tn.Homes {
				fmt.Fprintf(s.out, "validator %d: %s (p2p %s, CometBFT RPC %s)\n", i, h, tn.P2P[i], tn.RPC[i])
			}
			fmt.Fprintf(s.out, "payer: %s (%s)\nstart each with: agora node --cometbft-home %s\n", payer, filepath.Join(f.dir, "payer.json"), filepath.Join(f.dir, "nodeI"))
			return nil
		},
	}
	f = addTestnetFlags(cmd)
	return cmd
}

// runValidator runs a validator in this process until SIGINT or SIGTERM;
// with rpc (and ws) set it also serves Solana's JSON-RPC (and
// subscriptions) over the validator's chain, sending transactions to
// CometBFT's mempool.
func runValidator(cmd *cobra.Command, s *streams, f *validatorFlags, lanes int, rpc, ws string) error {
	if lanes < 0 || lanes > 1024 {
		return usageErr("--lanes: %d is outside 1..1024", lanes)
	}
	created, err := abci.InitHome(f.home, abci.TestnetOptions{})
	if err != nil {
		return &exitError{code: exitBadCall, err: err}
	}
	if created {
		fmt.Fprintf(s.err, "agora: wrote a one-validator network in %s (payer key: %s)\n", f.home, filepath.Join(f.home, abci.ChainDir, "keys", abci.FaucetKeyName+".json"))
	}
	ex, err := newExecutor()
	if err != nil {
		return err
	}
	n, err := abci.StartNode(f.home, abci.NodeOptions{Lanes: lanes, Log: s.err, LogLevel: "error", Executor: ex})
	if err != nil {
		return &exitError{code: exitBadCall, err: err}
	}
	conf, _ := abci.LoadConfig(f.home)
	fmt.Fprintf(s.err, "agora: validator %s running at block %d (p2p %s, CometBFT RPC %s); SIGINT or SIGTERM stops it\n",
		f.home, n.Height(), conf.P2P.ListenAddress, conf.RPC.ListenAddress)
	var servers []*http.Server
	if rpc != "" {
		faucet, err := abci.ReadFaucet(f.home)
		if err != nil {
			n.Stop()
			return &exitError{code: exitBadCall, err: err}
		}
		srv := node.NewServer(n, node.ServerConfig{Faucet: faucet, Log: s.err})
		n.App().OnCommit(func(res *bank.BlockResult, txs []*txn.Transaction) { srv.Committed(res, txs, nil) })
		for _, l := range []struct {
			flag, addr string
			h          http.Handler
		}{{"--rpc", rpc, srv.Handler()}, {"--ws", ws, srv.WSHandler()}} {
			ln, err := net.Listen("tcp", l.addr)
			if err != nil {
				n.Stop()
				return usageErr("%s: %v", l.flag, err)
			}
			hs := &http.Server{Handler: l.h, ReadHeaderTimeout: 10 * time.Second}
			servers = append(servers, hs)
			go hs.Serve(ln)
			fmt.Fprintf(s.err, "agora: Solana %s on %s\n", map[string]string{"--rpc": "JSON-RPC", "--ws": "WebSocket"}[l.flag], ln.Addr())
		}
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	for _, hs := range servers {
		hs.Close()
	}
	if err := n.Stop(); err != nil {
		return &exitError{code: exitBadCall, err: err}
	}
	fmt.Fprintf(s.err, "agora: validator stopped at block %d\n", n.Height())
	return nil
}
