package node

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

type wsClient struct {
	t    testing.TB
	c    *websocket.Conn
	ctx  context.Context
	next int
}

func (e *env) dialWS() *wsClient {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	e.t.Cleanup(cancel)
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.http.URL, "http")+"/ws", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.CloseNow() })
	return &wsClient{t: e.t, c: c, ctx: ctx}
}

// read returns the next message.
func (w *wsClient) read() map[string]any {
	w.t.Helper()
	_, b, err := w.c.Read(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		w.t.Fatalf("%v: %s", err, b)
	}
	return m
}

// request sends a request and returns its answer.
func (w *wsClient) request(method string, params ...any) map[string]any {
	w.t.Helper()
	w.next++
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": w.next, "method": method, "params": params})
	if err := w.c.Write(w.ctx, websocket.MessageText, b); err != nil {
		w.t.Fatal(err)
	}
	m := w.read()
	if m["id"].(float64) != float64(w.next) {
		w.t.Fatalf("answer %v to request %d", m, w.next)
	}
	return m
}

func (w *wsClient) subscribe(method string, params ...any) float64 {
	w.t.Helper()
	m := w.request(method, params...)
	id, ok := m["result"].(float64)
	if !ok {
		w.t.Fatalf("%s: %v", method, m)
	}
	return id
}

func TestSubscriptions(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.dialWS()
	tx := e.transfer(e.alice, e.bob, 1_000_000)
	slotID := w.subscribe("slotSubscribe")
	sigID := w.subscribe("signatureSubscribe", tx.ID().String(), map[string]any{"commitment": "confirmed"})
	accID := w.subscribe("accountSubscribe", e.bob.String(), map[string]any{"encoding": "base64", "commitment": "finalized"})
	logID := w.subscribe("logsSubscribe", map[string]any{"mentions": []string{e.bob.String()}})
	allID := w.subscribe("logsSubscribe", "all")
	if m := w.request("logsSubscribe", map[string]any{"mentions": []string{e.bob.String(), e.bob.String()}}); m["error"] == nil {
		t.Fatalf("two mentions: %v", m)
	}
	if m := w.request("getSlot"); m["error"].(map[string]any)["code"].(float64) != CodeMethodNotFound {
		t.Fatalf("getSlot over the WebSocket: %v", m)
	}
	e.ok(nil, "sendTransaction", b64(tx), map[string]any{"encoding": "base64"})
	e.produce()
	got := map[string]map[string]any{}
	for len(got) < 5 {
		m := w.read()
		p := m["params"].(map[string]any)
		got[m["method"].(string)+jsonOf(p["subscription"])] = p["result"].(map[string]any)
	}
	if r := got["slotNotification"+jsonOf(slotID)]; r["slot"].(float64) != 1 || r["parent"].(float64) != 0 {
		t.Errorf("slot: %v", r)
	}
	if r := got["signatureNotification"+jsonOf(sigID)]; jsonOf(r) != `{"context":{"slot":1},"value":{"err":null}}` {
		t.Errorf("signature: %v", r)
	}
	if r := got["accountNotification"+jsonOf(accID)]; r["value"].(map[string]any)["lamports"].(float64) != 1_001_000_000 {
		t.Errorf("account: %v", r)
	}
	for _, id := range []float64{logID, allID} {
		if r := got["logsNotification"+jsonOf(id)]; r["value"].(map[string]any)["signature"] != tx.ID().String() {
			t.Errorf("logs %v: %v", id, r)
		}
	}
	// The signature subscription ended with its notification.
	if m := w.request("signatureUnsubscribe", sigID); m["error"] == nil {
		t.Errorf("signatureUnsubscribe after the notification: %v", m)
	}
	for _, u := range []struct {
		method string
		id     float64
	}{{"slotUnsubscribe", slotID}, {"accountUnsubscribe", accID}, {"logsUnsubscribe", logID}, {"logsUnsubscribe", allID}} {
		if m := w.request(u.method, u.id); m["result"] != true {
			t.Errorf("%s: %v", u.method, m)
		}
	}
	// A signature already committed is notified at once.
	id := w.subscribe("signatureSubscribe", tx.ID().String())
	m := w.read()
	if m["method"] != "signatureNotification" || m["params"].(map[string]any)["subscription"].(float64) != id {
		t.Errorf("late signatureSubscribe: %v", m)
	}
	// Nothing else is subscribed: a block sends nothing, and the next
	// message is the answer to the next request.
	e.produce()
	if m := w.request("slotUnsubscribe", slotID); m["error"] == nil {
		t.Errorf("second slotUnsubscribe: %v", m)
	}
}
