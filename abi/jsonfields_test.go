package abi

import (
	"errors"
	"testing"
)

func TestCheckDuplicateFields(t *testing.T) {
	tests := []struct {
		doc       string
		fold      bool
		line, col int // 0: no duplicate
		field     string
	}{
		{`{"a": 1, "b": 2}`, true, 0, 0, ""},
		{`{"a": 1, "a": 2}`, false, 1, 10, "a"},
		{`{"a": 1, "A": 2}`, true, 1, 10, "A"},
		{`{"a": 1, "A": 2}`, false, 0, 0, ""},
		{"[{\"k\": {\"x\": [1, {\"y\": 1}], \"y\": 2}},\n {\"k\": 1, \"z\": {}, \"k\": 2}]", false, 2, 20, "k"},
		{`{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}`, false, 0, 0, ""},
		{`{"a": 1, "a"`, false, 1, 10, "a"},
		{`not json`, false, 0, 0, ""},
	}
	for _, tt := range tests {
		err := CheckDuplicateFields([]byte(tt.doc), tt.fold)
		if tt.line == 0 {
			if err != nil {
				t.Errorf("%s: %v", tt.doc, err)
			}
			continue
		}
		var fe *FieldError
		if !errors.As(err, &fe) || !errors.Is(err, ErrDuplicateField) || fe.Line != tt.line || fe.Col != tt.col || fe.Field != tt.field {
			t.Errorf("%s: got %v, want %q at %d:%d", tt.doc, err, tt.field, tt.line, tt.col)
		}
	}
}

func TestDecodeStrict(t *testing.T) {
	type doc struct {
		A int `json:"a"`
	}
	var d doc
	if err := DecodeStrict([]byte(`{"a": 1}`), &d); err != nil || d.A != 1 {
		t.Fatalf("%v %v", err, d)
	}
	var fe *FieldError
	if err := DecodeStrict([]byte("{\"a\": 1,\n \"b\": 2}"), &d); !errors.As(err, &fe) || !errors.Is(err, ErrUnknownField) || fe.Line != 2 || fe.Col != 2 {
		t.Errorf("unknown field: %v", err)
	}
	if err := DecodeStrict([]byte(`{"a": 1, "a": 2}`), &d); !errors.Is(err, ErrDuplicateField) {
		t.Errorf("duplicate field: %v", err)
	}
	if err := DecodeStrict([]byte(`{"a": 1} {}`), &d); err == nil {
		t.Error("trailing data accepted")
	}
}

func FuzzCheckDuplicateFields(f *testing.F) {
	f.Add([]byte(`{"a": 1, "a": 2}`))
	f.Add([]byte(`[{"k": [1, {"y": 1}]}, {"k": 1}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := CheckDuplicateFields(data, true); err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Line < 1 || fe.Col < 1 {
				t.Fatalf("bad error %v", err)
			}
		}
	})
}
