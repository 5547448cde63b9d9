package abci

import (
	"bytes"
	"context"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm/bank"
)

// freePorts returns n TCP ports free on 127.0.0.1 right now.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

func startTestNode(t *testing.T, home string) *Node {
	t.Helper()
	opts := NodeOptions{Lanes: 2}
	if os.Getenv("AGORA_ABCI_LOG") != "" {
		opts.Log, opts.LogLevel = os.Stderr, "info"
	}
	n, err := StartNode(home, opts)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sameHashes checks that the nodes' ledgers hold the same block, with the
// same state commitment and hash, at every height up to the lowest head,
// and that each commitment is the app hash CometBFT recorded in the next
// block's header. It returns the height checked up to.
func sameHashes(t *testing.T, nodes []*Node) uint64 {
	t.Helper()
	top := nodes[0].Height()
	for _, n := range nodes[1:] {
		top = min(top, n.Height())
	}
	for h := uint64(1); h <= top; h++ {
		first, err := nodes[0].app.st.Block(h)
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range nodes {
			r, err := n.app.st.Block(h)
			if err != nil {
				t.Fatal(err)
			}
			if r.Header != first.Header {
				t.Fatalf("height %d: node %s has header %+v, node %s %+v", h, n.home, r.Header, nodes[0].home, first.Header)
			}
			if next := n.cmt.BlockStore().LoadBlockMeta(int64(h + 1)); next != nil && !bytes.Equal(next.Header.AppHash, r.Header.StateRoot[:]) {
				t.Fatalf("node %d height %d: CometBFT's app hash %x, the ledger's %x", i, h, next.Header.AppHash, r.Header.StateRoot)
			}
		}
	}
	return top
}

// TestFourValidators runs a network of four validators in this process:
// transactions submitted to different nodes land in every ledger, all
// four agree on every block's app hash; with one stopped the other three
// go on, and once restarted it catches up to the same hashes.
func TestFourValidators(t *testing.T) {
	if testing.Short() {
		t.Skip("starts four CometBFT validators (about 20 s)")
	}
	ports := freePorts(t, 8)
	tn, err := WriteTestnet(t.TempDir(), TestnetOptions{Validators: 4, P2PPorts: ports[:4], RPCPorts: ports[4:], BlockTime: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	nodes := make([]*Node, 4)
	for i, home := range tn.Homes {
		nodes[i] = startTestNode(t, home)
	}
	defer func() {
		for _, n := range nodes {
			if n != nil {
				n.Stop()
			}
		}
	}()
	ctx := context.Background()
	if f, err := ReadFaucet(tn.Homes[1]); err != nil || !bytes.Equal(f, tn.Faucet) {
		t.Fatalf("ReadFaucet: %v", err)
	}
	var hooked atomic.Int64
	nodes[0].app.OnCommit(func(res *bank.BlockResult, txs []*txn.Transaction) {
		if len(res.Txs) == len(txs) {
			hooked.Add(1)
		}
	})
	waitFor(t, "block 2 on every node", 30*time.Second, func() bool {
		for _, n := range nodes {
			if n.Height() < 2 || n.CatchingUp() {
				return false
			}
		}
		return true
	})

	// submit sends count transfers from the faucet, one node after another
	// among those given, and returns their recipients.
	seq := byte(0)
	submit := func(via []*Node, count int) []pubkey.Pubkey {
		var tos []pubkey.Pubkey
		for i := range count {
			seq++
			to := txn.PubkeyOf(testKey(seq))
			n := via[i%len(via)]
			raw := transfer(t, tn.Faucet, to, 1_000_000_000+uint64(seq), n.app.Bank().LatestBlockhash())
			res, err := n.Broadcast(ctx, raw)
			if err != nil {
				t.Fatal(err)
			}
			if res.Code != CodeOK {
				t.Fatalf("transfer %d via %s: code %d %s", seq, n.home, res.Code, res.Log)
			}
			tos = append(tos, to)
		}
		return tos
	}
	landed := func(on []*Node, tos []pubkey.Pubkey) func() bool {
		return func() bool {
			for _, n := range on {
				for _, to := range tos {
					if a, err := n.app.Bank().Account(to); err != nil || !a.Exists() {
						return false
					}
				}
			}
			return true
		}
	}

	tos := submit(nodes, 8)
	// The Backend path: a decoded transaction through Submit.
	viaSubmit := txn.PubkeyOf(testKey(200))
	tx, err := txn.Decode(transfer(t, tn.Faucet, viaSubmit, 2_000_000_000, nodes[1].Bank().LatestBlockhash()))
	if err != nil {
		t.Fatal(err)
	}
	if err := nodes[1].Submit(tx); err != nil {
		t.Fatal(err)
	}
	if err := nodes[1].Submit(tx); err == nil {
		t.Fatal("a transaction submitted twice: no error")
	}
	tos = append(tos, viaSubmit)
	waitFor(t, "the transfers on every node", 30*time.Second, landed(nodes, tos))
	before := sameHashes(t, nodes)
	if hooked.Load() == 0 {
		t.Fatal("OnCommit was not called")
	}

	// One validator down: three of four hold more than two thirds of the
	// power, so the network goes on.
	if err := nodes[3].Stop(); err != nil {
		t.Fatal(err)
	}
	nodes[3] = nil
	alive := nodes[:3]
	stoppedAt := before
	tos2 := submit(alive, 6)
	waitFor(t, "the transfers on the three live nodes", 30*time.Second, landed(alive, tos2))
	waitFor(t, "three more blocks without node 3", 30*time.Second, func() bool { return alive[0].Height() >= stoppedAt+3 })
	sameHashes(t, alive)

	// Restarted, it replays what it missed and agrees.
	nodes[3] = startTestNode(t, tn.Homes[3])
	target := alive[0].Height()
	waitFor(t, "node 3 to catch up", 40*time.Second, func() bool { return nodes[3].Height() >= target && !nodes[3].CatchingUp() })
	waitFor(t, "the transfers on node 3", 10*time.Second, landed(nodes[3:], append(tos, tos2...)))
	if got := sameHashes(t, nodes); got < target {
		t.Fatalf("checked up to %d, want at least %d", got, target)
	}
	// And it takes transactions again.
	tos3 := submit(nodes[3:], 2)
	waitFor(t, "transfers via the restarted node", 30*time.Second, landed(nodes, tos3))
	sameHashes(t, nodes)
}
