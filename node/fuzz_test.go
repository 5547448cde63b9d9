package node

import (
	"encoding/json"
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
