package node

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/svm/bank"
)

// TestServeStopsCleanly: Serve creates the chain, serves, and on
// cancellation commits what is waiting and closes the store; the
// transaction it accepted is in the reopened chain.
func TestServeStopsCleanly(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var log strings.Builder
	go func() {
		done <- Serve(ctx, Options{Dir: dir, RPC: "127.0.0.1:0", WS: "127.0.0.1:0", Config: Config{BlockTime: time.Hour, Log: &log},
			Ready: func(rpc, ws net.Addr) { ready <- rpc.String() }})
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	c := &rpcClient{url: "http://" + addr, hc: &http.Client{Timeout: 10 * time.Second}}
	var sig string
	if err := c.call("requestAirdrop", []any{pubkey.Pubkey{3, 3}.String(), 2_000_000}, &sig); err != nil {
		t.Fatal(err)
	}
	// The block time is an hour: only the stop commits the airdrop.
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st, _, created, err := OpenDir(dir, nil)
	if err != nil || created {
		t.Fatal(created, err)
	}
	defer st.Close()
	b, _ := bank.Open(st, nil)
	srv := NewServer(New(st, b, Config{}), ServerConfig{})
	var r rpcReply
	json.Unmarshal(srv.HandleBody([]byte(`{"jsonrpc":"2.0","id":1,"method":"getBalance","params":["`+pubkey.Pubkey{3, 3}.String()+`"]}`)), &r)
	var bal withContext[uint64]
	if err := json.Unmarshal(r.Result, &bal); err != nil || bal.Value != 2_000_000 {
		t.Fatalf("after a clean stop: %s (%v)\n%s", r.Result, err, log.String())
	}
	if !strings.Contains(log.String(), "node: stopped at block 1") {
		t.Fatalf("log: %s", log.String())
	}
}
