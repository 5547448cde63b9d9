package main

import (
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/node"
)

func newNodeCmd(s *streams) *cobra.Command {
	var o node.Options
	var engine string
	cmd := &cobra.Command{
		Use:   "node --dir DIR",
		Short: "Run a single-node chain that Solana's clients use: JSON-RPC, WebSocket, metrics",
		Long: `Run a node over the chain in DIR (the directory 'agora chain' uses; created
on first start, like 'agora chain init', with a keypair "payer" holding 500
SOL that pays requestAirdrop). Transactions sent with sendTransaction wait in
a mempool; every --block-time the node executes them as a block through the
scheduler (--lanes) and commits it with every transaction's outcome, so
getTransaction answers after a restart.

JSON-RPC 2.0 (Solana's method names, parameters, encodings and error codes)
is served on --rpc, with Prometheus metrics at /metrics and GET /health;
subscriptions (accountSubscribe, signatureSubscribe, logsSubscribe,
slotSubscribe) on --ws. On one node every commitment level is the committed
head. SIGINT or SIGTERM commits the block being built and stops the node.

Progress goes to stderr. Exit codes: 0 stopped cleanly, 2 usage or setup
errors.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Dir == "" {
				return usageErr("--dir is required")
			}
			if o.Lanes < 0 || o.Lanes > 1024 {
				return usageErr("--lanes: %d is outside 1..1024", o.Lanes)
			}
			if o.BlockTime < time.Millisecond || o.BlockTime > time.Minute {
				return usageErr("--block-time: %v is outside 1ms..1m", o.BlockTime)
			}
			ex, err := newExecutor()
			if err != nil {
				return err
			}
			eng, err := newEngine(engine, s.err, nil)
			if err != nil {
				return err
			}
			ex.Engine = eng
			o.Executor = ex
			o.Log = s.err
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := node.Serve(ctx, o); err != nil {
				return &exitError{code: exitBadCall, err: err}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.Dir, "dir", "", "chain directory (created on first start)")
	cmd.Flags().StringVar(&o.RPC, "rpc", "127.0.0.1:8899", "JSON-RPC listen address (also /metrics and /health)")
	cmd.Flags().StringVar(&o.WS, "ws", "127.0.0.1:8900", "WebSocket (subscriptions) listen address")
	cmd.Flags().DurationVar(&o.BlockTime, "block-time", 400*time.Millisecond, "time between blocks")
	cmd.Flags().IntVar(&o.Lanes, "lanes", 0, "scheduler lanes (0: one per core; 1: serial); results are the same at every N")
	cmd.Flags().IntVar(&o.MempoolSize, "mempool", 100_000, "most transactions waiting for a block; more are refused with an error")
	cmd.Flags().StringVar(&engine, "engine", "auto", "execution engine for BPF programs: "+engineNames+" (results are identical)")
	return cmd
}
