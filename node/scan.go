package node

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"

	"github.com/mr-tron/base58"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/token"
)

// Filter limits (Agave's).
const (
	maxFilters        = 4
	maxMemcmpBytes    = 128
	maxMemcmpBase58   = 175
	maxProgramResults = 100_000
)

type memcmp struct {
	Offset   uint64 `json:"offset"`
	Bytes    string `json:"bytes"`
	Encoding string `json:"encoding"`
}

type filter struct {
	DataSize *uint64 `json:"dataSize"`
	Memcmp   *memcmp `json:"memcmp"`
	// TokenAccountState is accepted as Agave does (an initialized token
	// account).
	TokenAccountState *struct{} `json:"tokenAccountState"`
}

// compiled is a filter ready to match.
type compiled struct {
	size   *uint64
	offset uint64
	bytes  []byte
	token  bool
}

func compileFilters(fs []filter) ([]compiled, *Error) {
	if len(fs) > maxFilters {
		return nil, errInvalidParams("Too many filters provided; max %d", maxFilters)
	}
	out := make([]compiled, len(fs))
	for i, f := range fs {
		switch {
		case f.DataSize != nil && f.Memcmp == nil:
			out[i].size = f.DataSize
		case f.Memcmp != nil && f.DataSize == nil:
			var b []byte
			var err error
			switch f.Memcmp.Encoding {
			case "", "base58":
				if len(f.Memcmp.Bytes) > maxMemcmpBase58 {
					return nil, errInvalidParams("Invalid param: encoded binary data should be less than %d bytes", maxMemcmpBase58)
				}
				b, err = base58.Decode(f.Memcmp.Bytes)
			case "base64":
				b, err = base64.StdEncoding.DecodeString(f.Memcmp.Bytes)
			default:
				return nil, errInvalidParams("Invalid params: unknown variant `%s`, expected `base58` or `base64`", f.Memcmp.Encoding)
			}
			if err != nil {
				return nil, errInvalidParams("Invalid param: invalid %s encoding in memcmp", orBase58(f.Memcmp.Encoding))
			}
			if len(b) > maxMemcmpBytes {
				return nil, errInvalidParams("Invalid param: memcmp bytes over %d", maxMemcmpBytes)
			}
			out[i].offset, out[i].bytes = f.Memcmp.Offset, b
		case f.TokenAccountState != nil:
			out[i].token = true
		default:
			return nil, errInvalidParams("Invalid params: a filter is one of dataSize, memcmp, tokenAccountState")
		}
	}
	return out, nil
}

func orBase58(s string) string {
	if s == "" {
		return "base58"
	}
	return s
}

func (c *compiled) match(a *account.Account) bool {
	switch {
	case c.size != nil:
		return uint64(len(a.Data)) == *c.size
	case c.token:
		_, ok := decodeTokenAccount(a)
		return ok
	}
	if c.offset > uint64(len(a.Data)) || uint64(len(a.Data))-c.offset < uint64(len(c.bytes)) {
		return false
	}
	return bytes.Equal(a.Data[c.offset:c.offset+uint64(len(c.bytes))], c.bytes)
}

type keyedAccount struct {
	Pubkey  string     `json:"pubkey"`
	Account *uiAccount `json:"account"`
}

// scan lists the accounts owned by owner that pass every filter.
func (s *Server) scan(owner pubkey.Pubkey, fs []compiled, keep func(*account.Account) bool, c *accountConfig) ([]keyedAccount, *Error) {
	out := []keyedAccount{}
	var e *Error
	err := s.be.Store().Accounts(func(k pubkey.Pubkey, a account.Account) (bool, error) {
		if a.Owner != owner {
			return true, nil
		}
		for i := range fs {
			if !fs[i].match(&a) {
				return true, nil
			}
		}
		if keep != nil && !keep(&a) {
			return true, nil
		}
		var u *uiAccount
		if u, e = encodeAccount(k, &a, c.Encoding, c.DataSlice, s.be.Store().Account); e != nil {
			return false, nil
		}
		out = append(out, keyedAccount{Pubkey: k.String(), Account: u})
		if len(out) > maxProgramResults {
			e = &Error{Code: CodeServerError, Message: "scan aborted: the result is over 100000 accounts; narrow the filters"}
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return nil, internal(err)
	}
	return out, e
}

func (s *Server) getProgramAccounts(p params) (any, *Error) {
	owner, e := s.pubkeyParam(p, 0)
	if e != nil {
		return nil, e
	}
	var c struct {
		accountConfig
		Filters     []filter `json:"filters"`
		WithContext bool     `json:"withContext"`
	}
	if _, e := p.get(1, &c, true); e != nil {
		return nil, e
	}
	head := s.head().Height
	if e := c.check(head); e != nil {
		return nil, e
	}
	fs, e := compileFilters(c.Filters)
	if e != nil {
		return nil, e
	}
	out, e := s.scan(owner, fs, nil, &c.accountConfig)
	if e != nil {
		return nil, e
	}
	if c.WithContext {
		return s.context(head, out), nil
	}
	return out, nil
}

func (s *Server) getTokenAccountBalance(p params) (any, *Error) {
	k, e := s.pubkeyParam(p, 0)
	if e != nil {
		return nil, e
	}
	head, e := s.commitmentParam(p, 1)
	if e != nil {
		return nil, e
	}
	a, e := s.readAccountOrZero(k)
	if e != nil {
		return nil, e
	}
	if !a.Exists() {
		return nil, errInvalidParams("Invalid param: could not find account")
	}
	t, ok := decodeTokenAccount(&a)
	if !ok {
		return nil, errInvalidParams("Invalid param: not a Token account")
	}
	m, e := s.readAccountOrZero(t.Mint)
	if e != nil {
		return nil, e
	}
	dec, ok := mintDecimals(&m)
	if !ok {
		return nil, errInvalidParams("Invalid param: could not find mint")
	}
	return s.context(head, tokenAmount(t.Amount, dec)), nil
}

func (s *Server) getTokenAccountsByOwner(p params) (any, *Error) {
	owner, e := s.pubkeyParam(p, 0)
	if e != nil {
		return nil, e
	}
	var f struct {
		Mint      string `json:"mint"`
		ProgramID string `json:"programId"`
	}
	if _, e := p.get(1, &f, false); e != nil {
		return nil, e
	}
	var c accountConfig
	if _, e := p.get(2, &c, true); e != nil {
		return nil, e
	}
	head := s.head().Height
	if e := c.check(head); e != nil {
		return nil, e
	}
	var program pubkey.Pubkey
	var mint *pubkey.Pubkey
	switch {
	case f.Mint != "" && f.ProgramID == "":
		m, e := decodePubkey(f.Mint)
		if e != nil {
			return nil, e
		}
		ma, e := s.readAccountOrZero(m)
		if e != nil {
			return nil, e
		}
		if _, ok := mintDecimals(&ma); !ok {
			return nil, errInvalidParams("Invalid param: could not find mint")
		}
		program, mint = ma.Owner, &m
	case f.ProgramID != "" && f.Mint == "":
		pk, e := decodePubkey(f.ProgramID)
		if e != nil {
			return nil, e
		}
		if !token.IsProgram(pk) {
			return nil, errInvalidParams("Invalid param: unrecognized Token program id")
		}
		program = pk
	default:
		return nil, errInvalidParams("Invalid params: the filter is {\"mint\": ...} or {\"programId\": ...}")
	}
	out, e := s.scan(program, nil, func(a *account.Account) bool {
		t, ok := decodeTokenAccount(a)
		return ok && t.Owner == owner && (mint == nil || t.Mint == *mint)
	}, &c)
	if e != nil {
		return nil, e
	}
	return s.context(head, out), nil
}

func (s *Server) getTokenSupply(p params) (any, *Error) {
	k, e := s.pubkeyParam(p, 0)
	if e != nil {
		return nil, e
	}
	head, e := s.commitmentParam(p, 1)
	if e != nil {
		return nil, e
	}
	m, e := s.readAccountOrZero(k)
	if e != nil {
		return nil, e
	}
	dec, ok := mintDecimals(&m)
	if !ok {
		return nil, errInvalidParams("Invalid param: not a Token mint")
	}
	return s.context(head, tokenAmount(binary.LittleEndian.Uint64(m.Data[36:44]), dec)), nil
}
