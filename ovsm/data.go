package ovsm

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/mr-tron/base58"

	"github.com/agora-vm/agora/abi"
)

// The OVSM data encoding: how structured instruction data (and ring
// messages, and the maps passed to extension syscalls) are laid out, so
// that (get instruction-data "field") can find fields. It is compact and
// needs no alignment:
//
//	value := tag payload
//	  0x00 nil
//	  0x01 false
//	  0x02 true
//	  0x03 int      8 bytes, little-endian two's complement
//	  0x04 u64      8 bytes, little-endian
//	  0x05 decimal  8 bytes: a signed count of 10^-9
//	  0x06 string   u32 length (little-endian), UTF-8 bytes
//	  0x07 bytes    u32 length, bytes
//	  0x08 vector   u32 count, count values
//	  0x09 map      u32 count, then per entry: u8 key length, key bytes, value
//
// Map keys are names of at most 255 bytes, kept in the order written;
// a program finds a field by comparing names. Instruction data for
// (get instruction-data "field") is one map value.

// Data tags.
const (
	DataNil    = 0x00
	DataFalse  = 0x01
	DataTrue   = 0x02
	DataInt    = 0x03
	DataU64    = 0x04
	DataDec    = 0x05
	DataString = 0x06
	DataBytes  = 0x07
	DataVector = 0x08
	DataMap    = 0x09
)

// Limits of the encoding the program side enforces (the runtime library
// rejects deeper or longer data).
const (
	MaxDataDepth = 16
	MaxDataItems = 4096
)

// EncodeData turns a JSON document into the data encoding. The mapping:
//
//   - null, true, false, strings: nil, booleans, strings;
//   - numbers: an int when integral and within int64, a u64 when
//     integral and above it, a decimal (9 fractional digits at most)
//     otherwise;
//   - arrays: vectors; objects: maps (keys in document order);
//   - typed values are objects with one "$" key: {"$u64": "123"} (or a
//     number), {"$int": "-5"}, {"$decimal": "0.95"}, {"$hex": "00ff"},
//     {"$base64": "…"}, {"$base58": "…"} (bytes, e.g. a public key),
//     {"$bytes": [1, 2, 3]}.
//
// This is what `agora chain call --data-json` sends as instruction data.
func EncodeData(jsonDoc []byte) ([]byte, error) {
	if err := abi.CheckDuplicateFields(jsonDoc, false); err != nil {
		return nil, fmt.Errorf("ovsm: data JSON: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(jsonDoc))
	dec.UseNumber()
	var out []byte
	out, err := encodeJSON(dec, out, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("ovsm: data JSON: more than one value")
	}
	return out, nil
}

func encodeJSON(dec *json.Decoder, out []byte, depth int) ([]byte, error) {
	if depth > MaxDataDepth {
		return nil, fmt.Errorf("ovsm: data JSON nested deeper than %d", MaxDataDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("ovsm: data JSON: %w", err)
	}
	switch t := tok.(type) {
	case nil:
		return append(out, DataNil), nil
	case bool:
		if t {
			return append(out, DataTrue), nil
		}
		return append(out, DataFalse), nil
	case string:
		return appendBlob(out, DataString, []byte(t))
	case json.Number:
		return appendNumber(out, string(t), "")
	case json.Delim:
		switch t {
		case '[':
			start := len(out)
			out = append(out, DataVector, 0, 0, 0, 0)
			n := 0
			for dec.More() {
				if out, err = encodeJSON(dec, out, depth+1); err != nil {
					return nil, err
				}
				n++
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("ovsm: data JSON: %w", err)
			}
			if n > MaxDataItems {
				return nil, fmt.Errorf("ovsm: data JSON: array of %d items (at most %d)", n, MaxDataItems)
			}
			binary.LittleEndian.PutUint32(out[start+1:], uint32(n))
			return out, nil
		case '{':
			return encodeObject(dec, out, depth)
		}
	}
	return nil, fmt.Errorf("ovsm: data JSON: unexpected %v", tok)
}

func encodeObject(dec *json.Decoder, out []byte, depth int) ([]byte, error) {
	start := len(out)
	out = append(out, DataMap, 0, 0, 0, 0)
	n := 0
	seen := map[string]bool{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("ovsm: data JSON: %w", err)
		}
		key, _ := kt.(string)
		if strings.HasPrefix(key, "$") && n == 0 {
			// a typed value
			v, err := typedValue(dec, key)
			if err != nil {
				return nil, err
			}
			if dec.More() {
				return nil, fmt.Errorf("ovsm: data JSON: a %s object has one key", key)
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("ovsm: data JSON: %w", err)
			}
			return append(out[:start], v...), nil
		}
		if len(key) > 255 {
			return nil, fmt.Errorf("ovsm: data JSON: key %.20q… longer than 255 bytes", key)
		}
		if seen[key] {
			return nil, fmt.Errorf("ovsm: data JSON: key %q appears twice", key)
		}
		seen[key] = true
		out = append(out, byte(len(key)))
		out = append(out, key...)
		if out, err = encodeJSON(dec, out, depth+1); err != nil {
			return nil, err
		}
		n++
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("ovsm: data JSON: %w", err)
	}
	if n > MaxDataItems {
		return nil, fmt.Errorf("ovsm: data JSON: object of %d keys (at most %d)", n, MaxDataItems)
	}
	binary.LittleEndian.PutUint32(out[start+1:], uint32(n))
	return out, nil
}

func typedValue(dec *json.Decoder, key string) ([]byte, error) {
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("ovsm: data JSON: %w", err)
	}
	var s string
	str := func() error {
		if err := json.Unmarshal(raw, &s); err != nil {
			var num json.Number
			if err2 := json.Unmarshal(raw, &num); err2 == nil {
				s = string(num)
				return nil
			}
			return fmt.Errorf("ovsm: data JSON: %s takes a string", key)
		}
		return nil
	}
	switch key {
	case "$u64", "$int", "$decimal":
		if err := str(); err != nil {
			return nil, err
		}
		return appendNumber(nil, s, key)
	case "$hex", "$base64", "$base58":
		if err := str(); err != nil {
			return nil, err
		}
		var b []byte
		var err error
		switch key {
		case "$hex":
			b, err = hex.DecodeString(strings.TrimPrefix(s, "0x"))
		case "$base64":
			b, err = base64.StdEncoding.DecodeString(s)
		case "$base58":
			b, err = base58.Decode(s)
		}
		if err != nil {
			return nil, fmt.Errorf("ovsm: data JSON: %s %q: %v", key, s, err)
		}
		return appendBlob(nil, DataBytes, b)
	case "$bytes":
		var bs []int
		if err := json.Unmarshal(raw, &bs); err != nil {
			return nil, fmt.Errorf("ovsm: data JSON: $bytes takes an array of bytes")
		}
		b := make([]byte, len(bs))
		for i, v := range bs {
			if v < 0 || v > 255 {
				return nil, fmt.Errorf("ovsm: data JSON: $bytes element %d is not a byte", v)
			}
			b[i] = byte(v)
		}
		return appendBlob(nil, DataBytes, b)
	}
	return nil, fmt.Errorf("ovsm: data JSON: unknown typed value %q (want $u64, $int, $decimal, $hex, $base64, $base58 or $bytes)", key)
}

func appendBlob(out []byte, tag byte, b []byte) ([]byte, error) {
	if len(b) > math.MaxUint32 {
		return nil, errors.New("ovsm: data too long")
	}
	out = append(out, tag)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(b)))
	return append(out, b...), nil
}

// appendNumber encodes a JSON number; as forces a kind ("$u64", "$int",
// "$decimal").
func appendNumber(out []byte, s, as string) ([]byte, error) {
	isInt := !strings.ContainsAny(s, ".eE")
	if as == "$decimal" || (!isInt && as == "") {
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			return nil, fmt.Errorf("ovsm: data JSON: number %q", s)
		}
		r.Mul(r, new(big.Rat).SetInt64(1_000_000_000))
		if !r.IsInt() || !r.Num().IsInt64() {
			return nil, fmt.Errorf("ovsm: data JSON: %s is not a decimal with at most 9 fractional digits in range", s)
		}
		out = append(out, DataDec)
		return binary.LittleEndian.AppendUint64(out, uint64(r.Num().Int64())), nil
	}
	if !isInt {
		return nil, fmt.Errorf("ovsm: data JSON: %s for %s is not an integer", s, as)
	}
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, fmt.Errorf("ovsm: data JSON: number %q", s)
	}
	switch {
	case as == "$u64" || (as == "" && !v.IsInt64() && v.Sign() > 0):
		if !v.IsUint64() {
			return nil, fmt.Errorf("ovsm: data JSON: %s does not fit a u64", s)
		}
		out = append(out, DataU64)
		return binary.LittleEndian.AppendUint64(out, v.Uint64()), nil
	default:
		if !v.IsInt64() {
			return nil, fmt.Errorf("ovsm: data JSON: %s does not fit an int", s)
		}
		out = append(out, DataInt)
		return binary.LittleEndian.AppendUint64(out, uint64(v.Int64())), nil
	}
}

// DecodeData renders encoded data as JSON, using the typed objects of
// EncodeData where JSON has no type of its own (u64 above 2^63,
// decimals, bytes), so that EncodeData(DecodeData(b)) == b.
func DecodeData(b []byte) ([]byte, error) {
	var sb strings.Builder
	rest, err := decodeValue(&sb, b, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("ovsm: data: %d bytes after the value", len(rest))
	}
	return []byte(sb.String()), nil
}

func decodeValue(sb *strings.Builder, b []byte, depth int) ([]byte, error) {
	if depth > MaxDataDepth {
		return nil, errors.New("ovsm: data: nested too deeply")
	}
	if len(b) == 0 {
		return nil, errors.New("ovsm: data: truncated")
	}
	tag, b := b[0], b[1:]
	word := func() (uint64, error) {
		if len(b) < 8 {
			return 0, errors.New("ovsm: data: truncated number")
		}
		v := binary.LittleEndian.Uint64(b)
		b = b[8:]
		return v, nil
	}
	count := func() (int, error) {
		if len(b) < 4 {
			return 0, errors.New("ovsm: data: truncated length")
		}
		n := binary.LittleEndian.Uint32(b)
		b = b[4:]
		return int(n), nil
	}
	switch tag {
	case DataNil:
		sb.WriteString("null")
	case DataFalse:
		sb.WriteString("false")
	case DataTrue:
		sb.WriteString("true")
	case DataInt:
		v, err := word()
		if err != nil {
			return nil, err
		}
		sb.WriteString(strconv.FormatInt(int64(v), 10))
	case DataU64:
		v, err := word()
		if err != nil {
			return nil, err
		}
		if v > math.MaxInt64 {
			fmt.Fprintf(sb, `{"$u64":"%d"}`, v)
		} else {
			fmt.Fprintf(sb, `{"$u64":%d}`, v)
		}
	case DataDec:
		v, err := word()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(sb, `{"$decimal":"%s"}`, formatDecimal(int64(v)))
	case DataString, DataBytes:
		n, err := count()
		if err != nil {
			return nil, err
		}
		if len(b) < n {
			return nil, errors.New("ovsm: data: truncated bytes")
		}
		if tag == DataString {
			q, _ := json.Marshal(string(b[:n]))
			sb.Write(q)
		} else {
			fmt.Fprintf(sb, `{"$hex":"%s"}`, hex.EncodeToString(b[:n]))
		}
		b = b[n:]
	case DataVector:
		n, err := count()
		if err != nil {
			return nil, err
		}
		if n > MaxDataItems {
			return nil, errors.New("ovsm: data: vector too long")
		}
		sb.WriteByte('[')
		for i := 0; i < n; i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			if b, err = decodeValue(sb, b, depth+1); err != nil {
				return nil, err
			}
		}
		sb.WriteByte(']')
	case DataMap:
		n, err := count()
		if err != nil {
			return nil, err
		}
		if n > MaxDataItems {
			return nil, errors.New("ovsm: data: map too long")
		}
		sb.WriteByte('{')
		for i := 0; i < n; i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			if len(b) < 1 || len(b) < 1+int(b[0]) {
				return nil, errors.New("ovsm: data: truncated key")
			}
			k := string(b[1 : 1+int(b[0])])
			b = b[1+int(b[0]):]
			q, _ := json.Marshal(k)
			sb.Write(q)
			sb.WriteByte(':')
			if b, err = decodeValue(sb, b, depth+1); err != nil {
				return nil, err
			}
		}
		sb.WriteByte('}')
	default:
		return nil, fmt.Errorf("ovsm: data: unknown tag %#x", tag)
	}
	return b, nil
}
