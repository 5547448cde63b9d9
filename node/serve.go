package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/svm/bank"
)

// Options configures Serve.
type Options struct {
	// Dir is the chain directory (created on first start).
	Dir string
	// RPC and WS are the listen addresses of JSON-RPC (with /metrics) and
	// of the subscriptions; ":0" picks a port.
	RPC, WS string
	Config
	// Executor runs the transactions (nil: a plain Solana runtime; the
	// CLI passes Agora's composition).
	Executor *svm.Executor
	// Ready, if set, is called once both listeners are open, with their
	// addresses.
	Ready func(rpc, ws net.Addr)
}

// Serve runs a node until ctx is done: it opens (or creates) the chain,
// listens, produces blocks, and on shutdown commits the block being built,
// stops the listeners and closes the store.
func Serve(ctx context.Context, o Options) error {
	log := o.Log
	if log == nil {
		log = io.Discard
	}
	st, faucet, created, err := OpenDir(o.Dir, o.Executor)
	if err != nil {
		return err
	}
	defer st.Close()
	b, err := bank.Open(st, o.Executor)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(log, "node: created a chain in %s (faucet %s)\n", o.Dir, faucetAddress(faucet))
	}
	n := New(st, b, o.Config)
	srv := NewServer(n, ServerConfig{Faucet: faucet, Log: log})
	n.SetServer(srv)

	rl, err := net.Listen("tcp", o.RPC)
	if err != nil {
		return fmt.Errorf("node: --rpc: %w", err)
	}
	wl, err := net.Listen("tcp", o.WS)
	if err != nil {
		rl.Close()
		return fmt.Errorf("node: --ws: %w", err)
	}
	rpcSrv := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	wsSrv := &http.Server{Handler: srv.WSHandler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 3)
	go func() { errc <- ignoreClosed(rpcSrv.Serve(rl)) }()
	go func() { errc <- ignoreClosed(wsSrv.Serve(wl)) }()
	head := b.Head()
	fmt.Fprintf(log, "node: chain %s at block %d; JSON-RPC on http://%s, WebSocket on ws://%s, a block every %v\n", o.Dir, head.Height, rl.Addr(), wl.Addr(), n.cfg.BlockTime)
	if o.Ready != nil {
		o.Ready(rl.Addr(), wl.Addr())
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	runDone := make(chan error, 1)
	go func() { runDone <- n.Run(runCtx) }()
	var runErr error
	select {
	case <-ctx.Done():
		stop()
		runErr = <-runDone // once the block being built has committed
	case runErr = <-runDone:
	case runErr = <-errc:
		stop()
		<-runDone
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rpcSrv.Shutdown(sctx)
	wsSrv.Close()
	fmt.Fprintf(log, "node: stopped at block %d (%d transactions were still waiting)\n", b.Head().Height, n.Pending())
	return runErr
}

func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
