package abi

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mr-tron/base58"
)

// MaxAccountsJSONSize is the largest accounts document ParseAccountsJSON
// reads: enough for a few accounts of the maximum size in hex.
const MaxAccountsJSONSize = 64 << 20

// DefaultProgramID is the program id (base58) that tools use when none
// is given, and that the examples' accounts files name as owner. It is
// not a key anyone holds: just a readable constant.
const DefaultProgramID = "AgoraProgram1111111111111111111111111111111"

// maxKeyText is the longest base58 text of 32 bytes; longer strings are
// rejected before decoding (base58 decoding is quadratic).
const maxKeyText = 44

// AccountInput is one entry of an accounts document: an account of the
// instruction with its privileges.
type AccountInput struct {
	Key        [32]byte
	Owner      [32]byte
	Lamports   uint64
	Data       []byte
	Executable bool
	Signer     bool
	Writable   bool
}

// Errors of ParseAccountsJSON and Build, wrapped in a *JSONError.
var (
	// ErrJSONTooLarge: the document exceeds MaxAccountsJSONSize.
	ErrJSONTooLarge = errors.New("accounts document too large")
	// ErrJSONSyntax: the document is not a JSON array of objects with
	// known fields of the right types.
	ErrJSONSyntax = errors.New("malformed accounts document")
	// ErrTooManyAccounts: more than MaxAccountsPerInstruction entries.
	ErrTooManyAccounts = errors.New("too many accounts")
	// ErrMissingKey: an entry has no "key".
	ErrMissingKey = errors.New("missing key")
	// ErrBadKey: a key or owner is not the base58 text of 32 bytes.
	ErrBadKey = errors.New("not the base58 text of a 32-byte key")
	// ErrBadLamports: lamports is not an integer from 0 to 2^64-1.
	ErrBadLamports = errors.New("lamports is not an unsigned 64-bit integer")
	// ErrBadData: data_hex or data_base64 does not decode, or both are
	// given.
	ErrBadData = errors.New("bad account data")
	// ErrDataTooLarge: data longer than MaxPermittedDataLength.
	ErrDataTooLarge = errors.New("account data too large")
	// ErrDuplicateMismatch: an entry repeats an earlier key with a
	// different owner, lamports, data or executable flag.
	ErrDuplicateMismatch = errors.New("duplicate account differs from its first entry")
)

// JSONError is a failure of ParseAccountsJSON or Build: which entry,
// which field, and one of the Err* values above.
type JSONError struct {
	// Entry is the index of the offending entry, or -1 for the document.
	Entry int
	// Field is the JSON field name, or "" for the whole entry.
	Field  string
	Err    error
	Detail string
}

func (e *JSONError) Error() string {
	where := "accounts"
	if e.Entry >= 0 {
		where = fmt.Sprintf("accounts[%d]", e.Entry)
	}
	if e.Field != "" {
		where += "." + e.Field
	}
	s := where + ": " + e.Err.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the Err* value.
func (e *JSONError) Unwrap() error { return e.Err }

func jsonErr(entry int, field string, err error, format string, args ...any) *JSONError {
	return &JSONError{Entry: entry, Field: field, Err: err, Detail: fmt.Sprintf(format, args...)}
}

// accountJSON is the wire form of one entry. Pointers tell absent
// fields from zero values.
type accountJSON struct {
	Key        *string      `json:"key"`
	Owner      *string      `json:"owner"`
	Lamports   *json.Number `json:"lamports"`
	DataHex    *string      `json:"data_hex"`
	DataBase64 *string      `json:"data_base64"`
	Executable *bool        `json:"executable"`
	Signer     *bool        `json:"signer"`
	Writable   *bool        `json:"writable"`
}

func (a *accountJSON) hasState() bool {
	return a.Owner != nil || a.Lamports != nil || a.DataHex != nil || a.DataBase64 != nil || a.Executable != nil
}

// ParseAccountsJSON reads an accounts document: a JSON array with one
// object per account of the instruction, in instruction order:
//
//	[
//	  {"key": "<base58>", "owner": "<base58>", "lamports": 1000000,
//	   "data_hex": "0a0b0c", "signer": true, "writable": true},
//	  {"key": "<base58>", "data_base64": "AAAAAAAAAAA=", "writable": true}
//	]
//
// Fields:
//   - key (required): the account's address, base58 of 32 bytes.
//   - owner: the owning program, base58 of 32 bytes; default the system
//     program (32 zero bytes, "11111111111111111111111111111111").
//   - lamports: an integer from 0 to 18446744073709551615, as a JSON
//     number or a string holding one (read exactly, never as a float);
//     default 0.
//   - data_hex (hex digits, even count, no prefix) or data_base64
//     (standard base64 with padding): the data; at most one of the two;
//     default empty. At most MaxPermittedDataLength bytes.
//   - executable, signer, writable: booleans, default false.
//
// Unknown fields are errors (a misspelt "data" must not silently mean
// no data); field names match as in encoding/json, ignoring case. An entry whose key repeats an earlier one is a duplicate
// account of the instruction, as in Solana: it may give only key, signer
// and writable, or repeat the first entry's owner, lamports, data and
// executable exactly; its state is the first entry's. Every failure is a
// *JSONError wrapping one of the Err* values.
func ParseAccountsJSON(data []byte) ([]AccountInput, error) {
	if len(data) > MaxAccountsJSONSize {
		return nil, jsonErr(-1, "", ErrJSONTooLarge, "%d bytes, at most %d", len(data), MaxAccountsJSONSize)
	}
	var fe *FieldError
	if errors.As(CheckDuplicateFields(data, true), &fe) {
		return nil, jsonErr(-1, "", ErrDuplicateField, "%q at line %d, column %d", fe.Field, fe.Line, fe.Col)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, jsonErr(-1, "", ErrJSONSyntax, "the document is not an array of account objects")
	}
	var out []AccountInput
	first := map[[32]byte]int{}
	for i := 0; dec.More(); i++ {
		if i == MaxAccountsPerInstruction {
			return nil, jsonErr(-1, "", ErrTooManyAccounts, "more than %d entries", MaxAccountsPerInstruction)
		}
		var aj *accountJSON
		start := int(dec.InputOffset())
		if err := dec.Decode(&aj); err != nil {
			if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
				line, col := Position(data, start+bytes.Index(data[start:], []byte(name)))
				return nil, jsonErr(i, "", ErrJSONSyntax, "unknown field %s at line %d, column %d (fields: key, owner, lamports, data_hex, data_base64, executable, signer, writable)", name, line, col)
			}
			return nil, jsonErr(i, "", ErrJSONSyntax, "%v", err)
		}
		if aj == nil {
			return nil, jsonErr(i, "", ErrJSONSyntax, "null (want an object)")
		}
		in, err := aj.toInput(i)
		if err != nil {
			return nil, err
		}
		if f, dup := first[in.Key]; dup {
			if aj.hasState() && !sameState(&in, &out[f]) {
				return nil, jsonErr(i, "", ErrDuplicateMismatch, "key %s first listed at entry %d", EncodeKey(in.Key), f)
			}
			prev := out[f]
			prev.Signer, prev.Writable = in.Signer, in.Writable
			out = append(out, prev)
			continue
		}
		first[in.Key] = i
		out = append(out, in)
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonErr(-1, "", ErrJSONSyntax, "%v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, jsonErr(-1, "", ErrJSONSyntax, "data after the array")
	}
	if out == nil {
		out = []AccountInput{}
	}
	return out, nil
}

func (aj *accountJSON) toInput(i int) (AccountInput, error) {
	var in AccountInput
	if aj.Key == nil {
		return in, jsonErr(i, "key", ErrMissingKey, "")
	}
	var err error
	if in.Key, err = ParseKey(*aj.Key); err != nil {
		return in, jsonErr(i, "key", ErrBadKey, "%v", err)
	}
	if aj.Owner != nil {
		if in.Owner, err = ParseKey(*aj.Owner); err != nil {
			return in, jsonErr(i, "owner", ErrBadKey, "%v", err)
		}
	}
	if aj.Lamports != nil {
		if in.Lamports, err = strconv.ParseUint(aj.Lamports.String(), 10, 64); err != nil {
			return in, jsonErr(i, "lamports", ErrBadLamports, "%q", aj.Lamports.String())
		}
	}
	switch {
	case aj.DataHex != nil && aj.DataBase64 != nil:
		return in, jsonErr(i, "", ErrBadData, "both data_hex and data_base64 given")
	case aj.DataHex != nil:
		if len(*aj.DataHex) > 2*MaxPermittedDataLength {
			return in, jsonErr(i, "data_hex", ErrDataTooLarge, "%d hex digits, at most %d bytes", len(*aj.DataHex), MaxPermittedDataLength)
		}
		if in.Data, err = hex.DecodeString(*aj.DataHex); err != nil {
			return in, jsonErr(i, "data_hex", ErrBadData, "%v", err)
		}
	case aj.DataBase64 != nil:
		if base64.StdEncoding.DecodedLen(len(*aj.DataBase64)) > MaxPermittedDataLength+2 {
			return in, jsonErr(i, "data_base64", ErrDataTooLarge, "%d base64 characters, at most %d bytes", len(*aj.DataBase64), MaxPermittedDataLength)
		}
		if in.Data, err = base64.StdEncoding.Strict().DecodeString(*aj.DataBase64); err != nil {
			return in, jsonErr(i, "data_base64", ErrBadData, "%v", err)
		}
	}
	if len(in.Data) > MaxPermittedDataLength {
		return in, jsonErr(i, "", ErrDataTooLarge, "%d bytes, at most %d", len(in.Data), MaxPermittedDataLength)
	}
	if in.Data == nil {
		in.Data = []byte{}
	}
	in.Executable = aj.Executable != nil && *aj.Executable
	in.Signer = aj.Signer != nil && *aj.Signer
	in.Writable = aj.Writable != nil && *aj.Writable
	return in, nil
}

func sameState(a, b *AccountInput) bool {
	return a.Owner == b.Owner && a.Lamports == b.Lamports && a.Executable == b.Executable && bytes.Equal(a.Data, b.Data)
}

// ParseKey decodes the base58 text of a 32-byte key.
func ParseKey(s string) ([32]byte, error) {
	var k [32]byte
	if len(s) > maxKeyText {
		return k, fmt.Errorf("%d characters, a key has at most %d", len(s), maxKeyText)
	}
	b, err := base58.Decode(s)
	if err != nil {
		return k, fmt.Errorf("%q: %v", s, err)
	}
	if len(b) != len(k) {
		return k, fmt.Errorf("%q decodes to %d bytes", s, len(b))
	}
	copy(k[:], b)
	return k, nil
}

// Build turns the entries of an accounts document into the accounts and
// the instruction Serialize takes: one Account per distinct key, in order
// of first appearance, and one AccountMeta per entry (a repeated key is a
// duplicate entry). Duplicates must agree on the account's state
// (ErrDuplicateMismatch). The accounts' RentEpoch is SerializedRentEpoch.
// The data slices are copied.
func Build(programID [32]byte, inputs []AccountInput, data []byte) ([]Account, *Instruction, error) {
	if len(inputs) > MaxAccountsPerInstruction {
		return nil, nil, jsonErr(-1, "", ErrTooManyAccounts, "%d entries, at most %d", len(inputs), MaxAccountsPerInstruction)
	}
	ix := &Instruction{ProgramID: programID, Data: append([]byte{}, data...), Accounts: make([]AccountMeta, len(inputs))}
	var accounts []Account
	index := map[[32]byte]int{}   // key -> account index
	firstIn := map[[32]byte]int{} // key -> entry of first appearance
	for i := range inputs {
		in := &inputs[i]
		if len(in.Data) > MaxPermittedDataLength {
			return nil, nil, jsonErr(i, "", ErrDataTooLarge, "%d bytes, at most %d", len(in.Data), MaxPermittedDataLength)
		}
		j, dup := index[in.Key]
		if dup {
			if !sameState(in, &inputs[firstIn[in.Key]]) {
				return nil, nil, jsonErr(i, "", ErrDuplicateMismatch, "key %s", EncodeKey(in.Key))
			}
		} else {
			j = len(accounts)
			index[in.Key], firstIn[in.Key] = j, i
			accounts = append(accounts, Account{
				Key: in.Key, Owner: in.Owner, Lamports: in.Lamports,
				Data: append([]byte{}, in.Data...), Executable: in.Executable,
				RentEpoch: SerializedRentEpoch,
			})
		}
		ix.Accounts[i] = AccountMeta{Index: j, Signer: in.Signer, Writable: in.Writable}
	}
	return accounts, ix, nil
}
