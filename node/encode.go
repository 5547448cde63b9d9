package node

import (
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/mr-tron/base58"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/token"
	"github.com/agora-vm/agora/solana/txn"
)

// Account data encodings (Solana's UiAccountEncoding).
const (
	encBinary     = "binary" // base58, as a plain string (deprecated)
	encBase58     = "base58"
	encBase64     = "base64"
	encBase64Zstd = "base64+zstd"
	encJSONParsed = "jsonParsed"
)

// maxBase58Data is the most account data base58 encodes (Agave's limit).
const maxBase58Data = 128

// dataSlice is a window of account data.
type dataSlice struct {
	Offset uint64 `json:"offset"`
	Length uint64 `json:"length"`
}

// accountConfig is the config of the account-reading methods.
type accountConfig struct {
	Commitment     string     `json:"commitment"`
	Encoding       string     `json:"encoding"`
	DataSlice      *dataSlice `json:"dataSlice"`
	MinContextSlot *uint64    `json:"minContextSlot"`
}

func checkEncoding(enc string) *Error {
	switch enc {
	case "", encBinary, encBase58, encBase64, encBase64Zstd, encJSONParsed:
		return nil
	}
	return errInvalidParams("Invalid params: unknown variant `%s`, expected one of `binary`, `base58`, `base64`, `jsonParsed`, `base64+zstd`", enc)
}

// uiAccount is an account as the RPC shows it.
type uiAccount struct {
	Data       any    `json:"data"`
	Executable bool   `json:"executable"`
	Lamports   uint64 `json:"lamports"`
	Owner      string `json:"owner"`
	RentEpoch  uint64 `json:"rentEpoch"`
	Space      uint64 `json:"space"`
}

// encodeAccount renders a (existing) account's data in enc.
func encodeAccount(k pubkey.Pubkey, a *account.Account, enc string, slice *dataSlice, mints func(pubkey.Pubkey) (account.Account, error)) (*uiAccount, *Error) {
	u := &uiAccount{Executable: a.Executable, Lamports: a.Lamports, Owner: a.Owner.String(), RentEpoch: a.RentEpoch, Space: uint64(len(a.Data))}
	data := a.Data
	if slice != nil && enc != encJSONParsed {
		off := min(slice.Offset, uint64(len(data)))
		end := min(off+min(slice.Length, uint64(len(data))), uint64(len(data)))
		data = data[off:end]
	}
	switch enc {
	case "", encBinary:
		if len(data) > maxBase58Data {
			return nil, &Error{Code: CodeInvalidRequest, Message: "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding."}
		}
		u.Data = base58.Encode(data)
	case encBase58:
		if len(data) > maxBase58Data {
			return nil, &Error{Code: CodeInvalidRequest, Message: "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding."}
		}
		u.Data = []string{base58.Encode(data), encBase58}
	case encBase64:
		u.Data = []string{base64.StdEncoding.EncodeToString(data), encBase64}
	case encBase64Zstd:
		u.Data = []string{base64.StdEncoding.EncodeToString(zstdEncode(data)), encBase64Zstd}
	case encJSONParsed:
		if p := parseTokenAccount(a, mints); p != nil {
			u.Data = p
		} else {
			// Agave falls back to base64 for data it cannot parse.
			u.Data = []string{base64.StdEncoding.EncodeToString(data), encBase64}
		}
	}
	return u, nil
}

func zstdEncode(b []byte) []byte {
	w, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil
	}
	defer w.Close()
	return w.EncodeAll(b, nil)
}

// decodeTokenAccount parses an initialized SPL Token account.
func decodeTokenAccount(a *account.Account) (token.Account, bool) {
	return token.DecodeAccount(a.Owner, a.Data)
}

// mintDecimals returns a mint's decimals.
func mintDecimals(a *account.Account) (uint8, bool) {
	m, ok := token.DecodeMint(a.Owner, a.Data)
	return m.Decimals, ok
}

// uiTokenAmount is Solana's UiTokenAmount.
type uiTokenAmount struct {
	Amount         string   `json:"amount"`
	Decimals       uint8    `json:"decimals"`
	UIAmount       *float64 `json:"uiAmount"`
	UIAmountString string   `json:"uiAmountString"`
}

func tokenAmount(amount uint64, decimals uint8) uiTokenAmount {
	s := strconv.FormatUint(amount, 10)
	ui := s
	if decimals > 0 {
		for len(s) <= int(decimals) {
			s = "0" + s
		}
		ui = s[:len(s)-int(decimals)] + "." + s[len(s)-int(decimals):]
		ui = strings.TrimRight(strings.TrimRight(ui, "0"), ".")
	}
	f, _ := strconv.ParseFloat(ui, 64)
	return uiTokenAmount{Amount: strconv.FormatUint(amount, 10), Decimals: decimals, UIAmount: &f, UIAmountString: ui}
}

var tokenStates = [...]string{"uninitialized", "initialized", "frozen"}

// parseTokenAccount is jsonParsed for SPL Token accounts and mints; nil
// for anything else.
func parseTokenAccount(a *account.Account, mints func(pubkey.Pubkey) (account.Account, error)) any {
	program := "spl-token"
	if a.Owner == token.Program2022 {
		program = "spl-token-2022"
	}
	if t, ok := decodeTokenAccount(a); ok {
		var dec uint8
		if mints != nil {
			if m, err := mints(t.Mint); err == nil {
				dec, _ = mintDecimals(&m)
			}
		}
		state := "initialized"
		if int(t.State) < len(tokenStates) {
			state = tokenStates[t.State]
		}
		return map[string]any{"program": program, "space": len(a.Data), "parsed": map[string]any{
			"type": "account",
			"info": map[string]any{"mint": t.Mint.String(), "owner": t.Owner.String(), "tokenAmount": tokenAmount(t.Amount, dec),
				"state": state, "isNative": t.IsNative},
		}}
	}
	if m, ok := token.DecodeMint(a.Owner, a.Data); ok {
		var authority, freeze any
		if m.MintAuthority != nil {
			authority = m.MintAuthority.String()
		}
		if m.FreezeAuthority != nil {
			freeze = m.FreezeAuthority.String()
		}
		return map[string]any{"program": program, "space": len(a.Data), "parsed": map[string]any{
			"type": "mint",
			"info": map[string]any{"mintAuthority": authority, "supply": strconv.FormatUint(m.Supply, 10),
				"decimals": m.Decimals, "isInitialized": true, "freezeAuthority": freeze},
		}}
	}
	return nil
}

// Transaction errors as JSON: Agave serializes TransactionError with
// serde, so a unit variant is a string and the others are objects. The
// runtime and the store both carry the Debug text, which this parses.
var (
	reInstructionError = regexp.MustCompile(`^InstructionError\((\d+), (.+)\)$`)
	reIndexed          = regexp.MustCompile(`^(\w+)\((\d+)\)$`)
	reAccountIndex     = regexp.MustCompile(`^(\w+) \{ account_index: (\d+) \}$`)
)

// txErrorJSON returns the JSON value of a transaction error's Debug text
// (nil for success).
func txErrorJSON(debug string) any {
	if debug == "" {
		return nil
	}
	if m := reInstructionError.FindStringSubmatch(debug); m != nil {
		idx, _ := strconv.Atoi(m[1])
		var inner any = m[2]
		if c := reIndexed.FindStringSubmatch(m[2]); c != nil {
			n, _ := strconv.ParseUint(c[2], 10, 32)
			inner = map[string]any{c[1]: n}
		}
		return map[string]any{"InstructionError": []any{idx, inner}}
	}
	if m := reAccountIndex.FindStringSubmatch(debug); m != nil {
		n, _ := strconv.Atoi(m[2])
		return map[string]any{m[1]: map[string]any{"account_index": n}}
	}
	if m := reIndexed.FindStringSubmatch(debug); m != nil {
		n, _ := strconv.Atoi(m[2])
		return map[string]any{m[1]: n}
	}
	return debug
}

// statusJSON is the deprecated status member: {"Ok":null} or {"Err":...}.
func statusJSON(debug string) any {
	if debug == "" {
		return map[string]any{"Ok": nil}
	}
	return map[string]any{"Err": txErrorJSON(debug)}
}

// Transaction encodings (Solana's UiTransactionEncoding).
const (
	txJSON       = "json"
	txJSONParsed = "jsonParsed"
	txBase58     = "base58"
	txBase64     = "base64"
)

func checkTxEncoding(enc string) *Error {
	switch enc {
	case "", txJSON, txJSONParsed, txBase58, txBase64, encBinary:
		return nil
	}
	return errInvalidParams("Invalid params: unknown variant `%s`, expected one of `binary`, `base64`, `base58`, `json`, `jsonParsed`", enc)
}

// uiMessage is a message in the json encoding.
type uiMessage struct {
	AccountKeys         []string        `json:"accountKeys"`
	Header              uiHeader        `json:"header"`
	Instructions        []uiInstruction `json:"instructions"`
	RecentBlockhash     string          `json:"recentBlockhash"`
	AddressTableLookups []uiLookup      `json:"addressTableLookups,omitempty"`
}

// uiLookup is a v0 message's address table lookup.
type uiLookup struct {
	AccountKey      string `json:"accountKey"`
	WritableIndexes []int  `json:"writableIndexes"`
	ReadonlyIndexes []int  `json:"readonlyIndexes"`
}

func ints(b []uint8) []int {
	out := make([]int, len(b))
	for i, v := range b {
		out[i] = int(v)
	}
	return out
}

type uiHeader struct {
	NumRequiredSignatures       uint8 `json:"numRequiredSignatures"`
	NumReadonlySignedAccounts   uint8 `json:"numReadonlySignedAccounts"`
	NumReadonlyUnsignedAccounts uint8 `json:"numReadonlyUnsignedAccounts"`
}

type uiInstruction struct {
	ProgramIDIndex uint8 `json:"programIdIndex"`
	// Accounts are numbers ([]uint8 would marshal as base64).
	Accounts    []int   `json:"accounts"`
	Data        string  `json:"data"`
	StackHeight *uint32 `json:"stackHeight"`
}

// encodeTransaction renders a transaction's wire bytes in enc; keys are
// its resolved account keys (static, then loaded), for jsonParsed.
func encodeTransaction(wire []byte, tx *txn.Transaction, enc string, loaded txn.LoadedAddresses) any {
	switch enc {
	case txBase64:
		return []string{base64.StdEncoding.EncodeToString(wire), txBase64}
	case txBase58, encBinary:
		return []string{base58.Encode(wire), txBase58}
	}
	m := &tx.Message
	u := map[string]any{}
	sigs := make([]string, len(tx.Signatures))
	for i, s := range tx.Signatures {
		sigs[i] = s.String()
	}
	u["signatures"] = sigs
	if enc == txJSONParsed {
		u["message"] = parsedMessage(m, loaded)
		return u
	}
	um := uiMessage{AccountKeys: make([]string, len(m.AccountKeys)), RecentBlockhash: m.RecentBlockhash.String(),
		Header: uiHeader{m.Header.NumRequiredSignatures, m.Header.NumReadonlySignedAccounts, m.Header.NumReadonlyUnsignedAccounts}}
	for i, k := range m.AccountKeys {
		um.AccountKeys[i] = k.String()
	}
	um.Instructions = make([]uiInstruction, len(m.Instructions))
	for i, ix := range m.Instructions {
		um.Instructions[i] = uiInstruction{ProgramIDIndex: ix.ProgramIDIndex, Accounts: ints(ix.Accounts), Data: base58.Encode(ix.Data)}
	}
	if m.Version == txn.V0 {
		um.AddressTableLookups = make([]uiLookup, len(m.AddressTableLookups))
		for i, l := range m.AddressTableLookups {
			um.AddressTableLookups[i] = uiLookup{AccountKey: l.AccountKey.String(), WritableIndexes: ints(l.WritableIndexes), ReadonlyIndexes: ints(l.ReadonlyIndexes)}
		}
	}
	u["message"] = um
	return u
}

// parsedMessage is the jsonParsed message: account keys with their roles,
// and every instruction partially decoded (program, accounts, data), which
// Solana's clients accept for programs the node does not parse.
func parsedMessage(m *txn.Message, loaded txn.LoadedAddresses) map[string]any {
	r := m.Resolve(loaded)
	keys := parsedKeys(m, loaded)
	ixs := make([]map[string]any, len(m.Instructions))
	for i, ix := range m.Instructions {
		ixs[i] = parsedInstruction(r.Keys, ix.ProgramIDIndex, ix.Accounts, ix.Data, nil)
	}
	out := map[string]any{"accountKeys": keys, "instructions": ixs, "recentBlockhash": m.RecentBlockhash.String()}
	if m.Version == txn.V0 {
		lookups := make([]uiLookup, len(m.AddressTableLookups))
		for i, l := range m.AddressTableLookups {
			lookups[i] = uiLookup{AccountKey: l.AccountKey.String(), WritableIndexes: ints(l.WritableIndexes), ReadonlyIndexes: ints(l.ReadonlyIndexes)}
		}
		out["addressTableLookups"] = lookups
	}
	return out
}

// parsedKeys are a message's account keys, static then loaded, with
// their roles and where each came from.
func parsedKeys(m *txn.Message, loaded txn.LoadedAddresses) []map[string]any {
	r := m.Resolve(loaded)
	keys := make([]map[string]any, len(r.Keys))
	for i, k := range r.Keys {
		source := "transaction"
		if i >= len(m.AccountKeys) {
			source = "lookupTable"
		}
		keys[i] = map[string]any{"pubkey": k.String(), "signer": r.IsSigner(i), "writable": r.IsWritable(i), "source": source}
	}
	return keys
}

// uiReturnData is a transaction's return data.
type uiReturnData struct {
	ProgramID string    `json:"programId"`
	Data      [2]string `json:"data"`
}

func returnDataJSON(program pubkey.Pubkey, data []byte) *uiReturnData {
	if program == (pubkey.Pubkey{}) && len(data) == 0 {
		return nil
	}
	return &uiReturnData{ProgramID: program.String(), Data: [2]string{base64.StdEncoding.EncodeToString(data), encBase64}}
}

// decodePubkey parses a base58 address parameter.
func decodePubkey(s string) (pubkey.Pubkey, *Error) {
	k, err := pubkey.Parse(s)
	if err != nil {
		return pubkey.Pubkey{}, errInvalidParams("Invalid param: Invalid")
	}
	return k, nil
}

// decodeSignature parses a base58 signature parameter.
func decodeSignature(s string) (txn.Signature, *Error) {
	b, err := base58.Decode(s)
	if err != nil || len(b) != txn.SignatureSize {
		return txn.Signature{}, errInvalidParams("Invalid param: Invalid")
	}
	return txn.Signature(b), nil
}

// decodeHash parses a base58 blockhash parameter.
func decodeHash(s string) (txn.Hash, *Error) {
	b, err := base58.Decode(s)
	if err != nil || len(b) != txn.HashSize {
		return txn.Hash{}, errInvalidParams("Invalid params: invalid blockhash %q", s)
	}
	return txn.Hash(b), nil
}
