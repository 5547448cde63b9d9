package node

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

// childEnv names the chain directory a re-executed test binary serves.
const childEnv = "AGORA_NODE_TEST_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		err := Serve(context.Background(), Options{Dir: dir, RPC: "127.0.0.1:0", WS: "127.0.0.1:0",
			Config: Config{BlockTime: 50 * time.Millisecond, Lanes: 2},
			Ready:  func(rpc, ws net.Addr) { fmt.Printf("READY %s\n", rpc) }})
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// rpcClient is a minimal JSON-RPC client.
type rpcClient struct {
	url string
	hc  *http.Client
}

func (c *rpcClient) call(method string, params []any, out any) error {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	resp, err := c.hc.Post(c.url, "application/json", bytes.NewReader(b))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r rpcReply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return err
	}
	if r.Error != nil {
		return r.Error
	}
	if out != nil {
		return json.Unmarshal(r.Result, out)
	}
	return nil
}

// allThere checks, with batches of getTransaction, that every signature
// has its committed transaction.
func (c *rpcClient) allThere(sigs []string) error {
	for len(sigs) > 0 {
		n := min(len(sigs), 200)
		batch := make([]map[string]any, n)
		for i, s := range sigs[:n] {
			batch[i] = map[string]any{"jsonrpc": "2.0", "id": i, "method": "getTransaction", "params": []any{s, map[string]any{"encoding": "base64"}}}
		}
		b, _ := json.Marshal(batch)
		resp, err := c.hc.Post(c.url, "application/json", bytes.NewReader(b))
		if err != nil {
			return err
		}
		var out []rpcReply
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if len(out) != n {
			return fmt.Errorf("%d answers to %d requests", len(out), n)
		}
		for _, r := range out {
			var i int
			json.Unmarshal(r.ID, &i)
			if r.Error != nil || string(r.Result) == "null" || i < 0 || i >= n {
				return fmt.Errorf("confirmed %s is lost (%v)", sigs[max(0, min(i, n-1))], r.Error)
			}
		}
		sigs = sigs[n:]
	}
	return nil
}

// startChild runs the node in a child process and returns its RPC client.
func startChild(t *testing.T, dir string) (*exec.Cmd, *rpcClient) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				ready <- a
			}
		}
	}()
	select {
	case a := <-ready:
		return cmd, &rpcClient{url: "http://" + a, hc: &http.Client{Timeout: 10 * time.Second}}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the node did not start: %s", stderr.String())
	}
	return nil, nil
}

// TestCrashSafety kills the node with SIGKILL under load, again and
// again: every transaction getSignatureStatuses reported is still there
// after the restart.
func TestCrashSafety(t *testing.T) {
	rounds, load := 3, 600*time.Millisecond
	if !testing.Short() {
		rounds, load = 6, 1500*time.Millisecond
	}
	dir := t.TempDir()
	// Create the chain (and its faucet key) once, in this process.
	st, faucet, _, err := OpenDir(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	var confirmed []string
	seq := 0
	for round := range rounds {
		cmd, c := startChild(t, dir)
		// Everything confirmed before is still there.
		if err := c.allThere(confirmed); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("round %d, after a restart: %v", round, err)
		}
		var mu sync.Mutex
		var sent []string
		stop := time.Now().Add(load)
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var bh struct {
					Value struct {
						Blockhash string `json:"blockhash"`
					} `json:"value"`
				}
				if c.call("getLatestBlockhash", nil, &bh) != nil {
					return
				}
				h, _ := decodeHash(bh.Value.Blockhash)
				for i := 0; time.Now().Before(stop); i++ {
					mu.Lock()
					seq++
					to := pubkey.Pubkey{byte(round), byte(g), byte(seq), byte(seq >> 8), byte(seq >> 16), 0xc0}
					mu.Unlock()
					tx := signedTransfer(faucet, to, 1_000_000, h)
					var sig string
					if err := c.call("sendTransaction", []any{base64.StdEncoding.EncodeToString(tx.Encode()), map[string]any{"encoding": "base64", "skipPreflight": true}}, &sig); err != nil {
						continue
					}
					mu.Lock()
					sent = append(sent, sig)
					mu.Unlock()
				}
			}()
		}
		// Meanwhile, poll the statuses.
		poll := func() {
			mu.Lock()
			batch := append([]string(nil), sent...)
			mu.Unlock()
			for len(batch) > 0 {
				n := min(len(batch), MaxSignatureStatuses)
				var st withContext[[]*struct {
					ConfirmationStatus string `json:"confirmationStatus"`
				}]
				if c.call("getSignatureStatuses", []any{batch[:n]}, &st) == nil {
					for i, s := range st.Value {
						if s != nil && s.ConfirmationStatus == "finalized" {
							confirmed = append(confirmed, batch[i])
						}
					}
				}
				batch = batch[n:]
			}
		}
		// Poll while the clients send, and kill the node in the middle of
		// it: requests in flight, transactions waiting, a block perhaps
		// being written.
		before := len(confirmed)
		for time.Now().Before(stop) {
			time.Sleep(load / 4)
			poll()
		}
		cmd.Process.Kill()
		cmd.Wait()
		wg.Wait()
		confirmed = dedupe(confirmed)
		t.Logf("round %d: %d sent, %d confirmed so far (+%d)", round, len(sent), len(confirmed), len(confirmed)-before)
	}
	if len(confirmed) == 0 {
		t.Fatal("no transaction was ever confirmed")
	}
	cmd, c := startChild(t, dir)
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if err := c.allThere(confirmed); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, LedgerDir)); err != nil {
		t.Fatal(err)
	}
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func signedTransfer(from ed25519.PrivateKey, to pubkey.Pubkey, lamports uint64, h txn.Hash) *txn.Transaction {
	m, _ := txn.Compile(txn.PubkeyOf(from), []txn.Instruction{system.Transfer(txn.PubkeyOf(from), to, lamports)}, h)
	tx, _ := txn.Sign(m, from)
	return tx
}
