package node

import (
	"encoding/json"
	"fmt"
	"testing"
)

var fuzzSeeds = []string{
	`{"jsonrpc":"2.0","id":1,"method":"getSlot"}`,
	`[{"jsonrpc":"2.0","id":1,"method":"getBalance","params":["11111111111111111111111111111111"]},{"jsonrpc":"2.0","method":"x"}]`,
	`{"jsonrpc":"2.0","id":"a","method":"getProgramAccounts","params":["TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",{"filters":[{"memcmp":{"offset":1e30,"bytes":"1"}}]}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getAccountInfo","params":["11111111111111111111111111111111",{"encoding":"jsonParsed","dataSlice":{"offset":18446744073709551615,"length":18446744073709551615}}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"sendTransaction","params":["AQ==",{"encoding":"base64"}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"simulateTransaction","params":["",{"replaceRecentBlockhash":true}]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getSignatureStatuses","params":[["1"]]}`,
	`{"jsonrpc":"2.0","id":1,"method":"getBlock","params":[18446744073709551615]}`,
	`{"jsonrpc":"2.0","id":null,"method":"getFeeForMessage","params":["AQABAg=="]}`,
	`[]`, `[1,2]`, `{`, `"x"`, `{"jsonrpc":"2.0","id":{},"method":"getSlot"}`,
}

// FuzzDecodeRequests: the decoder never panics, and every request it
// returns either carries an error or a method.
func FuzzDecodeRequests(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		reqs, _, err := DecodeRequests(body)
		if err != nil {
			if len(reqs) != 0 {
				t.Fatal("requests with a body error")
			}
			return
		}
		if len(reqs) == 0 || len(reqs) > MaxBatch {
			t.Fatalf("%d requests", len(reqs))
		}
		for _, r := range reqs {
			if r.Err == nil && r.Params != nil && !json.Valid(r.Params) {
				t.Fatalf("params %q", r.Params)
			}
		}
	})
}

// FuzzServer: any body gets a JSON answer (or none, for notifications)
// and no handler panics (the server logs a recovered panic, which fails
// the test).
func FuzzServer(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	e := newEnv(f, Config{})
	e.produce()
	// A committed transaction with inner instructions and token
	// balances, for the history methods to render.
	deployCollect(f, e.bank)
	tx := collectTx(f, e.bank, e.alice, testTokenA, e.bob, 1000)
	if err := e.node.Submit(tx); err != nil {
		f.Fatal(err)
	}
	slot := e.produce().Header.Height
	for _, enc := range []string{"json", "jsonParsed", "base64", "base58"} {
		f.Add([]byte(fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"getTransaction","params":[%q,{"encoding":%q}]}`, tx.ID().String(), enc)))
		f.Add([]byte(fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"getBlock","params":[%d,{"encoding":%q,"transactionDetails":"full"}]}`, slot, enc)))
	}
	f.Add([]byte(fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"simulateTransaction","params":[%q,{"encoding":"base64","innerInstructions":true}]}`, b64(tx))))
	f.Fuzz(func(t *testing.T, body []byte) {
		out := e.srv.HandleBody(body)
		if out != nil && !json.Valid(out) {
			t.Fatalf("answer is not JSON: %q", out)
		}
		if e.log.Len() > 0 {
			t.Fatalf("panic on %q: %s", body, e.log)
		}
	})
}

// FuzzSubscriptions: any WebSocket message gets JSON answers and no
// panic, and a block after it notifies without one.
func FuzzSubscriptions(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"slotSubscribe"}`,
		`{"jsonrpc":"2.0","id":1,"method":"accountSubscribe","params":["11111111111111111111111111111111",{"encoding":"jsonParsed","dataSlice":{"offset":99,"length":1}}]}`,
		`{"jsonrpc":"2.0","id":1,"method":"logsSubscribe","params":[{"mentions":["11111111111111111111111111111111"]}]}`,
		`{"jsonrpc":"2.0","id":1,"method":"signatureSubscribe","params":["1",{"commitment":"x"}]}`,
		`[{"jsonrpc":"2.0","id":1,"method":"slotUnsubscribe","params":[1]},{"jsonrpc":"2.0","method":"ping"}]`,
	} {
		f.Add([]byte(s))
	}
	e := newEnv(f, Config{})
	f.Fuzz(func(t *testing.T, msg []byte) {
		conn := &wsConn{out: make(chan []byte, wsQueue), closed: make(chan struct{}), subs: map[uint64]*sub{}}
		e.srv.hub.handle(conn, msg)
		if _, err := e.node.Produce(); err != nil {
			t.Fatal(err)
		}
		e.srv.hub.drop(conn)
		close(conn.out)
		for b := range conn.out {
			if !json.Valid(b) {
				t.Fatalf("not JSON: %q", b)
			}
		}
		if e.log.Len() > 0 {
			t.Fatalf("panic on %q: %s", msg, e.log)
		}
	})
}
