package node

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// JSON-RPC 2.0 error codes, and Solana's server errors.
const (
	CodeParseError     = -32700
	CodeInvalidRequest = -32600
	CodeMethodNotFound = -32601
	CodeInvalidParams  = -32602
	CodeInternal       = -32603
	// CodeServerError is a generic server error; the node uses it when
	// its mempool is full.
	CodeServerError = -32000

	CodeBlockCleanedUp                  = -32001
	CodeSendTransactionPreflightFailure = -32002
	CodeSignatureVerificationFailure    = -32003
	CodeBlockNotAvailable               = -32004
	CodeNodeUnhealthy                   = -32005
	CodeSlotSkipped                     = -32007
	CodeTransactionHistoryNotAvailable  = -32011
	CodeSignatureLenMismatch            = -32013
	CodeUnsupportedTransactionVersion   = -32015
	CodeMinContextSlotNotReached        = -32016
)

// Error is a JSON-RPC error object.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

func (e *Error) Error() string { return fmt.Sprintf("rpc error %d: %s", e.Code, e.Message) }

func errInvalidParams(format string, args ...any) *Error {
	return &Error{Code: CodeInvalidParams, Message: fmt.Sprintf(format, args...)}
}

// Request is one decoded JSON-RPC request.
type Request struct {
	// ID is the request's id as sent (a number, a string or null); nil
	// for a notification (no id member).
	ID     json.RawMessage
	Method string
	// Params is the params member: an array, an object, or nil.
	Params json.RawMessage
	// Err is set when the request is not a valid JSON-RPC request; the
	// answer is this error.
	Err *Error
}

// MaxBatch is the most requests one batch may hold.
const MaxBatch = 1000

// DecodeRequests decodes a request body: one request or a batch. A body
// that is not JSON returns a parse error; an empty batch or a batch over
// MaxBatch an invalid-request error. Each request of a batch is decoded on
// its own: a bad one answers with its own error.
func DecodeRequests(body []byte) (reqs []Request, batch bool, err *Error) {
	body = bytes.TrimSpace(body)
	if !json.Valid(body) {
		return nil, false, &Error{Code: CodeParseError, Message: "Parse error"}
	}
	if len(body) > 0 && body[0] == '[' {
		var raws []json.RawMessage
		if e := json.Unmarshal(body, &raws); e != nil {
			return nil, true, &Error{Code: CodeParseError, Message: "Parse error"}
		}
		if len(raws) == 0 {
			return nil, true, &Error{Code: CodeInvalidRequest, Message: "Invalid request"}
		}
		if len(raws) > MaxBatch {
			return nil, true, &Error{Code: CodeInvalidRequest, Message: fmt.Sprintf("Invalid request: a batch holds at most %d requests, not %d", MaxBatch, len(raws))}
		}
		reqs = make([]Request, len(raws))
		for i, r := range raws {
			reqs[i] = decodeRequest(r)
		}
		return reqs, true, nil
	}
	return []Request{decodeRequest(body)}, false, nil
}

// wireRequest is a request as sent; pointers tell absent members apart.
type wireRequest struct {
	JSONRPC *string          `json:"jsonrpc"`
	ID      *json.RawMessage `json:"id"`
	Method  *string          `json:"method"`
	Params  json.RawMessage  `json:"params"`
}

func decodeRequest(raw json.RawMessage) Request {
	invalid := func(detail string) Request {
		return Request{ID: json.RawMessage("null"), Err: &Error{Code: CodeInvalidRequest, Message: "Invalid request: " + detail}}
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return invalid("a request is a JSON object")
	}
	var w wireRequest
	if err := json.Unmarshal(raw, &w); err != nil {
		return invalid(err.Error())
	}
	r := Request{}
	if w.ID != nil {
		id := bytes.TrimSpace(*w.ID)
		switch {
		case len(id) == 0:
			r.ID = json.RawMessage("null")
		case id[0] == '"' || id[0] == '-' || (id[0] >= '0' && id[0] <= '9') || string(id) == "null":
			r.ID = append(json.RawMessage(nil), id...)
		default:
			return invalid("id must be a number, a string or null")
		}
	}
	if w.JSONRPC == nil || *w.JSONRPC != "2.0" {
		r.ID = orNull(r.ID)
		r.Err = &Error{Code: CodeInvalidRequest, Message: "Invalid request: jsonrpc must be \"2.0\""}
		return r
	}
	if w.Method == nil {
		r.ID = orNull(r.ID)
		r.Err = &Error{Code: CodeInvalidRequest, Message: "Invalid request: method is missing"}
		return r
	}
	r.Method = *w.Method
	p := bytes.TrimSpace(w.Params)
	if len(p) > 0 && string(p) != "null" {
		if p[0] != '[' && p[0] != '{' {
			r.ID = orNull(r.ID)
			r.Err = &Error{Code: CodeInvalidParams, Message: "Invalid params: params must be an array or an object"}
			return r
		}
		r.Params = append(json.RawMessage(nil), p...)
	}
	return r
}

func orNull(id json.RawMessage) json.RawMessage {
	if id == nil {
		return json.RawMessage("null")
	}
	return id
}

// Response is one JSON-RPC response.
type Response struct {
	JSONRPC string          `json:"jsonrpc"`
	Result  any             `json:"result,omitempty"`
	Error   *Error          `json:"error,omitempty"`
	ID      json.RawMessage `json:"id"`
}

// MarshalJSON writes result (even a null one) unless there is an error.
func (r Response) MarshalJSON() ([]byte, error) {
	if r.Error != nil {
		return json.Marshal(struct {
			JSONRPC string          `json:"jsonrpc"`
			Error   *Error          `json:"error"`
			ID      json.RawMessage `json:"id"`
		}{"2.0", r.Error, orNull(r.ID)})
	}
	return json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		Result  any             `json:"result"`
		ID      json.RawMessage `json:"id"`
	}{"2.0", r.Result, orNull(r.ID)})
}

// params are a request's positional parameters.
type params []json.RawMessage

// parseParams splits a request's params: an array (or nothing).
func parseParams(raw json.RawMessage) (params, *Error) {
	if raw == nil {
		return nil, nil
	}
	if raw[0] != '[' {
		return nil, errInvalidParams("Invalid params: expected an array of parameters")
	}
	var p params
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, errInvalidParams("Invalid params: %v", err)
	}
	return p, nil
}

// get decodes parameter i into v; a missing one is an error unless
// optional. It reports whether the parameter was present (and not null).
func (p params) get(i int, v any, optional bool) (bool, *Error) {
	if i >= len(p) || string(bytes.TrimSpace(p[i])) == "null" {
		if optional {
			return false, nil
		}
		return false, errInvalidParams("Invalid params: missing parameter %d", i)
	}
	d := json.NewDecoder(bytes.NewReader(p[i]))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return false, errInvalidParams("Invalid params: parameter %d: %v", i, err)
	}
	return true, nil
}

// most refuses more than n parameters.
func (p params) most(n int) *Error {
	if len(p) > n {
		return errInvalidParams("Invalid params: expected at most %d parameters, got %d", n, len(p))
	}
	return nil
}
