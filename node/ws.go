package node

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm/bank"
)

// WebSocket limits: the largest message a client may send, and how many
// notifications may wait for a slow client before it is disconnected
// (the block producer never waits for a client).
const (
	wsReadLimit  = 64 << 10
	wsQueue      = 4096
	wsWriteLimit = 10 * time.Second
)

// sub is one subscription.
type sub struct {
	id   uint64
	conn *wsConn
	kind string // account, signature, logs, slot
	key  pubkey.Pubkey
	sig  txn.Signature
	cfg  accountConfig
	// mentions filters logs (nil: every transaction).
	mentions *pubkey.Pubkey
}

// wsConn is one client connection: its outgoing queue and subscriptions.
type wsConn struct {
	out    chan []byte
	closed chan struct{}
	once   sync.Once
	subs   map[uint64]*sub // guarded by hub.mu
}

func (c *wsConn) close() { c.once.Do(func() { close(c.closed) }) }

// send queues a message; a full queue disconnects the client.
func (c *wsConn) send(b []byte) {
	select {
	case c.out <- b:
	case <-c.closed:
	default:
		c.close()
	}
}

// hub holds every subscription.
type hub struct {
	s      *Server
	mu     sync.Mutex
	nextID uint64
	byKind map[string]map[uint64]*sub
}

func newHub(s *Server) *hub {
	return &hub{s: s, byKind: map[string]map[uint64]*sub{"account": {}, "signature": {}, "logs": {}, "slot": {}}}
}

// WSHandler serves the subscriptions: accountSubscribe, signatureSubscribe,
// logsSubscribe, slotSubscribe and their unsubscribe methods.
func (s *Server) WSHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
		if err != nil {
			return
		}
		s.hub.serve(r.Context(), c)
	})
}

func (h *hub) serve(ctx context.Context, c *websocket.Conn) {
	c.SetReadLimit(wsReadLimit)
	conn := &wsConn{out: make(chan []byte, wsQueue), closed: make(chan struct{}), subs: map[uint64]*sub{}}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case b := <-conn.out:
				wctx, wcancel := context.WithTimeout(ctx, wsWriteLimit)
				err := c.Write(wctx, websocket.MessageText, b)
				wcancel()
				if err != nil {
					conn.close()
					return
				}
			case <-conn.closed:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		select {
		case <-conn.closed:
		case <-ctx.Done():
		}
		cancel()
	}()
	for {
		_, msg, err := c.Read(ctx)
		if err != nil {
			break
		}
		h.handle(conn, msg)
	}
	conn.close()
	<-done
	h.drop(conn)
	c.CloseNow()
}

// drop removes a closed connection's subscriptions.
func (h *hub) drop(conn *wsConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, sb := range conn.subs {
		delete(h.byKind[sb.kind], id)
	}
	conn.subs = nil
}

func (h *hub) handle(conn *wsConn, msg []byte) {
	reqs, batch, derr := DecodeRequests(msg)
	if derr != nil {
		b, _ := json.Marshal(Response{Error: derr})
		conn.send(b)
		return
	}
	var out []Response
	var after []func()
	for i := range reqs {
		r := &reqs[i]
		if r.Err == nil && r.ID == nil {
			continue // a notification (web3.js sends "ping"): no answer
		}
		resp := Response{ID: r.ID, Error: r.Err}
		if r.Err == nil {
			var then func()
			resp.Result, then, resp.Error = h.call(conn, r)
			if then != nil {
				after = append(after, then)
			}
		}
		out = append(out, resp)
	}
	if len(out) > 0 {
		var b []byte
		if batch {
			b, _ = json.Marshal(out)
		} else {
			b, _ = json.Marshal(out[0])
		}
		conn.send(b)
	}
	for _, f := range after {
		f()
	}
}

// call runs one subscription method; then, if not nil, runs after the
// answer is queued (a signature already committed is notified at once).
func (h *hub) call(conn *wsConn, r *Request) (result any, then func(), e *Error) {
	p, e := parseParams(r.Params)
	if e != nil {
		return nil, nil, e
	}
	sb := &sub{conn: conn}
	switch r.Method {
	case "accountSubscribe":
		sb.kind = "account"
		if sb.key, e = h.s.pubkeyParam(p, 0); e != nil {
			return nil, nil, e
		}
		if _, e = p.get(1, &sb.cfg, true); e != nil {
			return nil, nil, e
		}
		if e = checkEncoding(sb.cfg.Encoding); e != nil {
			return nil, nil, e
		}
		if e = checkCommitment(sb.cfg.Commitment); e != nil {
			return nil, nil, e
		}
	case "signatureSubscribe":
		sb.kind = "signature"
		var ss string
		if _, e = p.get(0, &ss, false); e != nil {
			return nil, nil, e
		}
		if sb.sig, e = decodeSignature(ss); e != nil {
			return nil, nil, e
		}
		var c struct {
			Commitment                 string `json:"commitment"`
			EnableReceivedNotification bool   `json:"enableReceivedNotification"`
		}
		if _, e = p.get(1, &c, true); e != nil {
			return nil, nil, e
		}
		if e = checkCommitment(c.Commitment); e != nil {
			return nil, nil, e
		}
	case "logsSubscribe":
		sb.kind = "logs"
		if len(p) == 0 {
			return nil, nil, errInvalidParams("Invalid params: missing parameter 0")
		}
		var all string
		if _, err := p.get(0, &all, false); err == nil {
			if all != "all" && all != "allWithVotes" {
				return nil, nil, errInvalidParams("Invalid params: unknown variant `%s`, expected `all` or `allWithVotes`", all)
			}
		} else {
			var m struct {
				Mentions []string `json:"mentions"`
			}
			if _, e = p.get(0, &m, false); e != nil {
				return nil, nil, e
			}
			if len(m.Mentions) != 1 {
				return nil, nil, errInvalidParams("Invalid Request: Only 1 address supported")
			}
			k, e := decodePubkey(m.Mentions[0])
			if e != nil {
				return nil, nil, e
			}
			sb.mentions = &k
		}
		var c commitmentConfig
		if _, e = p.get(1, &c, true); e != nil {
			return nil, nil, e
		}
		if e = checkCommitment(c.Commitment); e != nil {
			return nil, nil, e
		}
	case "slotSubscribe":
		sb.kind = "slot"
	case "accountUnsubscribe", "signatureUnsubscribe", "logsUnsubscribe", "slotUnsubscribe":
		var id uint64
		if _, e = p.get(0, &id, false); e != nil {
			return nil, nil, e
		}
		kind := r.Method[:len(r.Method)-len("Unsubscribe")]
		h.mu.Lock()
		defer h.mu.Unlock()
		if s, ok := conn.subs[id]; ok && s.kind == kind {
			delete(conn.subs, id)
			delete(h.byKind[kind], id)
			return true, nil, nil
		}
		return nil, nil, errInvalidParams("Invalid subscription id.")
	default:
		return nil, nil, &Error{Code: CodeMethodNotFound, Message: "Method not found"}
	}
	h.mu.Lock()
	if conn.subs == nil {
		h.mu.Unlock()
		return nil, nil, &Error{Code: CodeInternal, Message: "Internal error: connection closed"}
	}
	h.nextID++
	sb.id = h.nextID
	conn.subs[sb.id] = sb
	h.byKind[sb.kind][sb.id] = sb
	h.mu.Unlock()
	if sb.kind == "signature" {
		then = func() {
			rec, e := h.s.record(sb.sig)
			if e != nil || rec == nil {
				return
			}
			h.mu.Lock()
			defer h.mu.Unlock()
			if _, ok := h.byKind["signature"][sb.id]; ok {
				h.notifySignature(sb, rec.Slot, txErrorJSON(rec.Err))
			}
		}
	}
	return sb.id, then, nil
}

// notification is a subscription's message.
func notification(method string, id uint64, result any) []byte {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": map[string]any{"result": result, "subscription": id}})
	return b
}

func contextValue(slot uint64, v any) any {
	return map[string]any{"context": map[string]any{"slot": slot}, "value": v}
}

// notifySignature notifies and ends a signature subscription (h.mu held).
func (h *hub) notifySignature(sb *sub, slot uint64, errJSON any) {
	sb.conn.send(notification("signatureNotification", sb.id, contextValue(slot, map[string]any{"err": errJSON})))
	delete(h.byKind["signature"], sb.id)
	if sb.conn.subs != nil {
		delete(sb.conn.subs, sb.id)
	}
}

// committed notifies the subscriptions of a committed block.
func (h *hub) committed(res *bank.BlockResult, txs []*txn.Transaction) {
	slot := res.Header.Height
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.byKind["slot"]) > 0 {
		parent := slot
		if slot > 0 {
			parent = slot - 1
		}
		for _, sb := range sortedSubs(h.byKind["slot"]) {
			sb.conn.send(notification("slotNotification", sb.id, map[string]any{"parent": parent, "root": slot, "slot": slot}))
		}
	}
	sigSubs := map[txn.Signature][]*sub{}
	for _, sb := range sortedSubs(h.byKind["signature"]) {
		sigSubs[sb.sig] = append(sigSubs[sb.sig], sb)
	}
	logSubs := sortedSubs(h.byKind["logs"])
	written := map[pubkey.Pubkey]bool{}
	var writtenOrder []pubkey.Pubkey
	for i, t := range res.Txs {
		if !t.Charged {
			continue
		}
		var errJSON any
		if t.Err != nil {
			errJSON = txErrorJSON(t.Err.String())
		}
		for _, sb := range sigSubs[t.Signature] {
			h.notifySignature(sb, slot, errJSON)
		}
		if len(logSubs) > 0 && i < len(txs) {
			for _, sb := range logSubs {
				if sb.mentions != nil && !mentions(txs[i], *sb.mentions) {
					continue
				}
				sb.conn.send(notification("logsNotification", sb.id, contextValue(slot, map[string]any{
					"signature": t.Signature.String(), "err": errJSON, "logs": nonNilStr(t.Logs)})))
			}
		}
		for _, w := range t.Writes {
			if !written[w.Key] {
				written[w.Key] = true
				writtenOrder = append(writtenOrder, w.Key)
			}
		}
	}
	if len(h.byKind["account"]) == 0 {
		return
	}
	for _, k := range writtenOrder {
		var a *account.Account
		for _, sb := range sortedSubs(h.byKind["account"]) {
			if sb.key != k {
				continue
			}
			if a == nil {
				acct, err := h.s.be.Store().Account(k)
				if err != nil {
					return
				}
				if !acct.Exists() {
					acct = account.Account{Owner: pubkey.SystemProgram()}
				}
				a = &acct
			}
			u, e := encodeAccount(k, a, sb.cfg.Encoding, sb.cfg.DataSlice, h.s.be.Store().Account)
			if e != nil {
				continue
			}
			sb.conn.send(notification("accountNotification", sb.id, contextValue(slot, u)))
		}
	}
}

func mentions(tx *txn.Transaction, k pubkey.Pubkey) bool {
	for _, a := range tx.Message.AccountKeys {
		if a == k {
			return true
		}
	}
	return false
}

// sortedSubs lists subscriptions by id: notifications go out in a fixed
// order.
func sortedSubs(m map[uint64]*sub) []*sub {
	out := make([]*sub, 0, len(m))
	for _, s := range m {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *sub) int { return cmp.Compare(a.id, b.id) })
	return out
}
