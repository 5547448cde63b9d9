package abi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrDuplicateField marks a JSON object that names a field twice.
var ErrDuplicateField = errors.New("field appears twice")

// FieldError is a problem with one field of a JSON document, at its
// 1-based line and column (in bytes).
type FieldError struct {
	Line, Col int
	Field     string
	Err       error
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("line %d, column %d: field %q: %v", e.Line, e.Col, e.Field, e.Err)
}

// Unwrap returns the cause, such as ErrDuplicateField.
func (e *FieldError) Unwrap() error { return e.Err }

// CheckDuplicateFields reports the first object in a JSON document that
// names a field twice, as a *FieldError wrapping ErrDuplicateField.
// encoding/json keeps the last value silently; a file that says "key"
// twice is a mistake to point at, not a choice to make for its author.
// With foldCase, field names compare as encoding/json matches them to
// struct fields (ignoring case); without it, exactly. A document that is not valid JSON is left to the
// decoder that reads it (nil is returned).
func CheckDuplicateFields(data []byte, foldCase bool) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		object bool
		seen   map[string]bool
		key    bool // the next string token is a key
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return nil
		}
		top := len(stack) - 1
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				if top >= 0 && stack[top].object {
					stack[top].key = true
				}
				stack = append(stack, frame{object: true, seen: map[string]bool{}, key: true})
				continue
			case '[':
				if top >= 0 && stack[top].object {
					stack[top].key = true
				}
				stack = append(stack, frame{})
				continue
			default:
				stack = stack[:top]
				continue
			}
		case string:
			if top >= 0 && stack[top].object && stack[top].key {
				fold := t
				if foldCase {
					fold = strings.ToLower(t)
				}
				if stack[top].seen[fold] {
					end := int(dec.InputOffset())
					start := max(bytes.LastIndexByte(data[:end], '"'), 0)
					start = max(bytes.LastIndexByte(data[:start], '"'), 0)
					line, col := Position(data, start)
					return &FieldError{Line: line, Col: col, Field: t, Err: ErrDuplicateField}
				}
				stack[top].seen[fold] = true
				stack[top].key = false
				continue
			}
		}
		if top >= 0 && stack[top].object {
			stack[top].key = true
		}
	}
}

// Position turns a byte offset of data into a 1-based line and column.
func Position(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	line = 1 + bytes.Count(data[:off], []byte("\n"))
	return line, off - bytes.LastIndexByte(data[:off], '\n')
}

// ErrUnknownField marks a JSON field that the reader does not know.
var ErrUnknownField = errors.New("unknown field")

// DecodeStrict decodes a JSON document into v as encoding/json does, but
// rejects a field named twice and a field v does not have, each as a
// *FieldError with its position, and anything after the value.
func DecodeStrict(data []byte, v any) error {
	if err := CheckDuplicateFields(data, true); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			field := strings.Trim(name, `"`)
			line, col := Position(data, bytes.Index(data, []byte(name)))
			return &FieldError{Line: line, Col: col, Field: field, Err: ErrUnknownField}
		}
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := Position(data, int(dec.InputOffset()))
		return fmt.Errorf("line %d, column %d: data after the JSON value", line, col)
	}
	return nil
}
