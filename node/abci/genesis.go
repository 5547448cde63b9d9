package abci

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
)

// MaxAppStateBytes bounds the genesis app state a validator accepts.
const MaxAppStateBytes = 64 << 20

// MaxGenesisAccounts bounds the accounts of a genesis app state.
const MaxGenesisAccounts = 1 << 20

// AppState is the app_state of a CometBFT genesis file: the accounts the
// genesis block holds, besides the native programs and sysvars.
//
//	{"accounts":[{"pubkey":"<base58>","lamports":500000000000}]}
//
// An account may also give "owner" (base58, the System program when
// absent), "data" (base64) and "executable".
type AppState struct {
	Accounts []GenesisAccount `json:"accounts"`
}

// GenesisAccount is one account of the app state.
type GenesisAccount struct {
	Pubkey     string `json:"pubkey"`
	Lamports   uint64 `json:"lamports"`
	Owner      string `json:"owner,omitempty"`
	Data       string `json:"data,omitempty"`
	Executable bool   `json:"executable,omitempty"`
}

// ErrAppState is wrapped by every AppStateError.
var ErrAppState = errors.New("abci: bad genesis app state")

// AppStateError is an app state that cannot be a genesis: Account is the
// index of the offending account, or -1 when the problem is the whole
// document.
type AppStateError struct {
	Account int
	Field   string
	Reason  string
}

func (e *AppStateError) Error() string {
	if e.Account < 0 {
		return fmt.Sprintf("%v: %s", ErrAppState, e.Reason)
	}
	return fmt.Sprintf("%v: account %d: %s: %s", ErrAppState, e.Account, e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrAppState) true.
func (e *AppStateError) Unwrap() error { return ErrAppState }

// DecodeAppState reads an app state: exactly the JSON object AppState
// describes (no unknown fields, no trailing data), with valid base58
// keys, valid base64 data, no account given twice and no account without
// lamports. Empty input is an app state with no accounts.
func DecodeAppState(b []byte) ([]account.Keyed, error) {
	if len(b) > MaxAppStateBytes {
		return nil, &AppStateError{Account: -1, Reason: fmt.Sprintf("%d bytes, at most %d", len(b), MaxAppStateBytes)}
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var st AppState
	if err := dec.Decode(&st); err != nil {
		return nil, &AppStateError{Account: -1, Reason: err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &AppStateError{Account: -1, Reason: "trailing data after the object"}
	}
	if len(st.Accounts) > MaxGenesisAccounts {
		return nil, &AppStateError{Account: -1, Reason: fmt.Sprintf("%d accounts, at most %d", len(st.Accounts), MaxGenesisAccounts)}
	}
	out := make([]account.Keyed, 0, len(st.Accounts))
	seen := make(map[pubkey.Pubkey]int, len(st.Accounts))
	var total uint64
	for i, g := range st.Accounts {
		k, err := pubkey.Parse(g.Pubkey)
		if err != nil {
			return nil, &AppStateError{Account: i, Field: "pubkey", Reason: err.Error()}
		}
		if j, ok := seen[k]; ok {
			return nil, &AppStateError{Account: i, Field: "pubkey", Reason: fmt.Sprintf("%s is also account %d", k, j)}
		}
		seen[k] = i
		if g.Lamports == 0 {
			return nil, &AppStateError{Account: i, Field: "lamports", Reason: "an account without lamports does not exist"}
		}
		if total+g.Lamports < total {
			return nil, &AppStateError{Account: i, Field: "lamports", Reason: "the accounts' lamports overflow a u64"}
		}
		total += g.Lamports
		a := account.Account{Lamports: g.Lamports, Owner: pubkey.SystemProgram(), Executable: g.Executable}
		if g.Owner != "" {
			if a.Owner, err = pubkey.Parse(g.Owner); err != nil {
				return nil, &AppStateError{Account: i, Field: "owner", Reason: err.Error()}
			}
		}
		if g.Data != "" {
			if a.Data, err = base64.StdEncoding.Strict().DecodeString(g.Data); err != nil {
				return nil, &AppStateError{Account: i, Field: "data", Reason: err.Error()}
			}
			if len(a.Data) > account.MaxDataLen {
				return nil, &AppStateError{Account: i, Field: "data", Reason: fmt.Sprintf("%d bytes, at most %d", len(a.Data), account.MaxDataLen)}
			}
		}
		out = append(out, account.Keyed{Key: k, Account: a})
	}
	return out, nil
}

// EncodeAppState writes accounts as an app state DecodeAppState reads.
func EncodeAppState(accounts []account.Keyed) []byte {
	st := AppState{Accounts: make([]GenesisAccount, len(accounts))}
	for i, a := range accounts {
		g := GenesisAccount{Pubkey: a.Key.String(), Lamports: a.Account.Lamports, Executable: a.Account.Executable}
		if a.Account.Owner != pubkey.SystemProgram() {
			g.Owner = a.Account.Owner.String()
		}
		if len(a.Account.Data) > 0 {
			g.Data = base64.StdEncoding.EncodeToString(a.Account.Data)
		}
		st.Accounts[i] = g
	}
	b, _ := json.Marshal(st) // strings, numbers and bools only: cannot fail
	return b
}
