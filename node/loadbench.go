package node

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/svm/bank"
)

// LoadOptions configures Load.
type LoadOptions struct {
	// Clients is how many goroutines send (8 by default).
	Clients int
	// Duration is how long the sustained run sends (5s by default).
	Duration time.Duration
	// Burst, when positive, replaces the sustained run: that many signed
	// transactions are sent as fast as the clients can, and each is
	// counted as accepted or rejected (by error message).
	Burst int
	// SkipPreflight sends with skipPreflight (no simulation per request).
	SkipPreflight bool
	// Node configures the node (block time, lanes, mempool).
	Node Config
	// Executor runs the transactions (nil: a plain Solana runtime).
	Executor *svm.Executor
}

// LoadFigure is what Load measured.
type LoadFigure struct {
	Mode    string  `json:"mode"` // "sustained" or "burst"
	Clients int     `json:"clients"`
	Lanes   int     `json:"lanes"`
	Seconds float64 `json:"seconds"`
	// Sent is how many sendTransaction requests were made; Accepted how
	// many returned a signature; Rejected counts the others by error.
	Sent     int            `json:"sent"`
	Accepted int            `json:"accepted"`
	Rejected map[string]int `json:"rejected"`
	// Confirmed is how many accepted transactions getSignatureStatuses
	// reported committed. Dropped is how many accepted ones it never did
	// before their blockhash expired: a block refused them (the node logs
	// each, with the reason, and counts it in agora_node_transactions_total
	// {status="dropped"}), as Solana drops a transaction whose blockhash
	// expires while it waits.
	Confirmed int `json:"confirmed"`
	Dropped   int `json:"dropped"`
	// TPS is confirmed transactions per second, from the first send to
	// the last confirmation.
	TPS float64 `json:"tps"`
	// P50 and P99 are confirmation latencies (send to the status poll
	// that saw it committed; the poll runs every 10ms), in milliseconds.
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
}

// loadSeed derives the load's keys.
func loadSeed(i int, tag byte) ed25519.PrivateKey {
	var s [32]byte
	s[0], s[1] = tag, 0x10
	binary.LittleEndian.PutUint32(s[2:], uint32(i))
	return ed25519.NewKeyFromSeed(s[:])
}

// sendersPerClient spreads a client's transfers over accounts, so that
// Agave's per-account cost limit (12M CU a block) never binds.
const sendersPerClient = 16

// Load starts a node in a temporary directory on loopback and pushes
// System transfers through JSON-RPC sendTransaction from several clients,
// reporting throughput and confirmation latency.
func Load(ctx context.Context, o LoadOptions) (LoadFigure, error) {
	if o.Clients <= 0 {
		o.Clients = 8
	}
	if o.Duration <= 0 {
		o.Duration = 5 * time.Second
	}
	if o.Node.BlockTime <= 0 {
		// A burst is signed up front: its blockhash must outlive the
		// sending and the queue (150 blocks of 4s are ten minutes).
		o.Node.BlockTime = 100 * time.Millisecond
		if o.Burst > 0 {
			o.Node.BlockTime = 4 * time.Second
		}
	}
	if o.Burst > 0 && o.Node.MempoolSize <= 0 {
		o.Node.MempoolSize = 100_000
	}
	fig := LoadFigure{Mode: "sustained", Clients: o.Clients, Rejected: map[string]int{}}
	if o.Burst > 0 {
		fig.Mode = "burst"
	}
	dir, err := os.MkdirTemp("", "agora-bench-node-")
	if err != nil {
		return fig, err
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(dir)
	if err != nil {
		return fig, err
	}
	defer st.Close()
	n := o.Clients * sendersPerClient
	senders := make([]ed25519.PrivateKey, n)
	var genesis []bank.GenesisAccount
	for i := range senders {
		senders[i] = loadSeed(i, 1)
		genesis = append(genesis, bank.GenesisAccount{Key: txn.PubkeyOf(senders[i]), Account: account.Account{Lamports: 1 << 50}},
			bank.GenesisAccount{Key: txn.PubkeyOf(loadSeed(i, 2)), Account: account.Account{Lamports: 1 << 30}})
	}
	if _, err := bank.Genesis(st, o.Executor, time.Now().Unix(), genesis); err != nil {
		return fig, err
	}
	b, err := bank.Open(st, o.Executor)
	if err != nil {
		return fig, err
	}
	nd := New(st, b, o.Node)
	fig.Lanes = nd.cfg.Lanes
	if fig.Lanes == 0 {
		fig.Lanes = -1 // one per core
	}
	srv := NewServer(nd, ServerConfig{})
	nd.SetServer(srv)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fig, err
	}
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(l)
	defer hs.Close()
	runCtx, stop := context.WithCancel(ctx)
	runDone := make(chan error, 1)
	go func() { runDone <- nd.Run(runCtx) }()
	defer func() { stop(); <-runDone }()

	url := "http://" + l.Addr().String()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Clients * 2}, Timeout: 30 * time.Second}
	send := func(tx *txn.Transaction) (string, error) {
		cfg := map[string]any{"encoding": "base64", "skipPreflight": o.SkipPreflight}
		body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "sendTransaction", "params": []any{base64.StdEncoding.EncodeToString(tx.Encode()), cfg}})
		resp, err := hc.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		var r struct {
			Result string `json:"result"`
			Error  *Error `json:"error"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
			return "", err
		}
		if r.Error != nil {
			return "", r.Error
		}
		return r.Result, nil
	}
	build := func(client, k int) *txn.Transaction {
		blockhash := b.LatestBlockhash()
		i := client*sendersPerClient + k%sendersPerClient
		from := senders[i]
		m, _ := txn.Compile(txn.PubkeyOf(from), []txn.Instruction{system.Transfer(txn.PubkeyOf(from), txn.PubkeyOf(loadSeed(i, 2)), uint64(1+k/sendersPerClient))}, blockhash)
		tx, _ := txn.Sign(m, from)
		return tx
	}
	// The transactions of a burst are signed before the clock starts.
	var burst [][]*txn.Transaction
	if o.Burst > 0 {
		burst = make([][]*txn.Transaction, o.Clients)
		var wg sync.WaitGroup
		for c := range o.Clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := c; k < o.Burst; k += o.Clients {
					burst[c] = append(burst[c], build(c, k/o.Clients))
				}
			}()
		}
		wg.Wait()
	}

	var mu sync.Mutex
	sentAt := map[string]time.Time{}
	var latencies []time.Duration
	var lastConfirm time.Time
	start := time.Now()
	var wg sync.WaitGroup
	for c := range o.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; ; k++ {
				var tx *txn.Transaction
				if burst != nil {
					if k >= len(burst[c]) {
						return
					}
					tx = burst[c][k]
				} else {
					if time.Since(start) >= o.Duration || ctx.Err() != nil {
						return
					}
					tx = build(c, k)
				}
				t0 := time.Now()
				sig, err := send(tx)
				mu.Lock()
				fig.Sent++
				if err != nil {
					msg := err.Error()
					var re *Error
					if errors.As(err, &re) {
						msg = fmt.Sprintf("%d %s", re.Code, re.Message)
					}
					fig.Rejected[msg]++
				} else {
					fig.Accepted++
					sentAt[sig] = t0
				}
				mu.Unlock()
			}
		}()
	}
	sendersDone := make(chan struct{})
	go func() { wg.Wait(); close(sendersDone) }()
	// Poll the statuses until every accepted transaction is confirmed, or
	// the blockhash the transactions use has expired.
	expiry := time.Duration(bank.MaxRecentBlockhashes+2) * nd.cfg.BlockTime
	deadline := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return fig, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
		mu.Lock()
		waiting := make([]string, 0, len(sentAt))
		for s := range sentAt {
			waiting = append(waiting, s)
		}
		mu.Unlock()
		slices.Sort(waiting)
		for len(waiting) > 0 {
			k := min(len(waiting), MaxSignatureStatuses)
			res := srv.HandleBody(statusRequest(waiting[:k]))
			var r struct {
				Result withContextAny `json:"result"`
			}
			if err := json.Unmarshal(res, &r); err != nil {
				return fig, err
			}
			now := time.Now()
			mu.Lock()
			for i, v := range r.Result.Value {
				if v != nil {
					latencies = append(latencies, now.Sub(sentAt[waiting[i]]))
					delete(sentAt, waiting[i])
					fig.Confirmed++
					lastConfirm = now
				}
			}
			mu.Unlock()
			waiting = waiting[k:]
		}
		select {
		case <-sendersDone:
			if deadline.IsZero() {
				deadline = time.Now().Add(expiry)
			}
		default:
		}
		mu.Lock()
		left := len(sentAt)
		mu.Unlock()
		if !deadline.IsZero() && (left == 0 || time.Now().After(deadline)) {
			fig.Dropped = left
			break
		}
	}
	end := lastConfirm
	if end.IsZero() {
		end = time.Now()
	}
	fig.Seconds = end.Sub(start).Seconds()
	if fig.Seconds > 0 {
		fig.TPS = float64(fig.Confirmed) / fig.Seconds
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	fig.P50, fig.P99 = percentileMS(latencies, 50), percentileMS(latencies, 99)
	return fig, nil
}

type withContextAny struct {
	Value []map[string]any `json:"value"`
}

func statusRequest(sigs []string) []byte {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "getSignatureStatuses", "params": []any{sigs}})
	return b
}

func percentileMS(sorted []time.Duration, p int) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p+99)/100 - 1
	return float64(sorted[max(i, 0)].Microseconds()) / 1000
}
