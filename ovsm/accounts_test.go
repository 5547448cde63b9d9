package ovsm

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/agora-vm/agora/abi"
)

func acct(b byte, lamports uint64, data []byte) abi.Account {
	var a abi.Account
	a.Key[0] = b
	a.Owner[0] = 0xAA // the test program id
	a.Lamports = lamports
	a.Data = data
	return a
}

const transferSrc = `
(define-program transfer
  (entrypoint (accounts instruction-data)
    (define from (get accounts 0))
    (define to (get accounts 1))
    (define amount (get instruction-data "amount"))
    (assert (signer? from) "source must sign")
    (assert (writable? to) "destination must be writable")
    (define balance (get-balance from))
    (assert (>= balance amount) "insufficient funds")
    (set-balance! from (- balance amount))
    (set-balance! to (+ (get-balance to) amount))
    (log :message "transferred" :amount amount :to (get-balance to))
    0))`

func TestTransfer(t *testing.T) {
	data, err := EncodeData([]byte(`{"amount": 300}`))
	if err != nil {
		t.Fatal(err)
	}
	accs := []abi.Account{acct(1, 1000, nil), acct(2, 50, []byte{1, 2, 3})}
	r := run(t, transferSrc, runOpts{accounts: accs, data: data})
	if r.Err != nil {
		t.Fatalf("%v %q", r.Err, r.Logs)
	}
	if r.Accounts[0].Lamports != 700 || r.Accounts[1].Lamports != 350 {
		t.Fatalf("balances %d %d", r.Accounts[0].Lamports, r.Accounts[1].Lamports)
	}
	if !logsContain(r.Logs, "transferred amount=300 to=350") {
		t.Fatalf("logs %q", r.Logs)
	}
	// insufficient funds
	data, _ = EncodeData([]byte(`{"amount": 3000}`))
	r = run(t, transferSrc, runOpts{accounts: accs, data: data})
	if r.Err == nil || !logsContain(r.Logs, "insufficient funds") {
		t.Fatalf("err %v logs %q", r.Err, r.Logs)
	}
	// not a signer
	data, _ = EncodeData([]byte(`{"amount": 3}`))
	r = run(t, transferSrc, runOpts{accounts: accs, data: data, metas: []abi.AccountMeta{{Index: 0, Writable: true}, {Index: 1, Writable: true}}})
	if r.Err == nil || !logsContain(r.Logs, "source must sign") {
		t.Fatalf("err %v logs %q", r.Err, r.Logs)
	}
	// too few accounts
	r = run(t, transferSrc, runOpts{accounts: accs[:1], data: data})
	if r.Err == nil || !logsContain(r.Logs, "account index out of range") {
		t.Fatalf("err %v logs %q", r.Err, r.Logs)
	}
}

func TestAccountAccess(t *testing.T) {
	d := make([]byte, 16)
	binary.LittleEndian.PutUint64(d, 0x1122334455667788)
	d[8] = 0xFF // -1 as i8
	accs := []abi.Account{acct(1, 5, d), acct(2, 7, nil), acct(1, 5, d)}
	accs[2].Key[0] = 1
	runCases := []struct {
		src  string
		want uint64
		err  string
	}{
		{"(read-u64 (get accounts 0) 0)", 0x1122334455667788, ""},
		{"(read-u32 (get accounts 0) 4)", 0x11223344, ""},
		{"(read-u16 (get accounts 0) 0)", 0x7788, ""},
		{"(read-u8 (get accounts 0) 8)", 0xFF, ""},
		{"(+ 10 (read-i8 (get accounts 0) 8))", 9, ""},
		{"(read-u64 (get accounts 0) 9)", 0, "outside the data"},
		{"(define a (get accounts 0)) (write-u16! a 10 513) (read-u16 a 10)", 513, ""},
		{"(define a (get accounts 0)) (define v 300) (set! v v) (write-u8! a 15 v) 0", 0, "does not fit"},
		{"(data-len (get accounts 0))", 16, ""},
		{"(num-accounts)", 3, ""},
		{"(length accounts)", 3, ""},
		{"(if (signer? (get accounts 0)) 1 0)", 1, ""},
		{"(if (signer? (get accounts 1)) 1 0)", 0, ""},
		{"(if (executable? (get accounts 1)) 1 0)", 0, ""},
		{"(if (key= (get accounts 0) (get accounts 1)) 1 0)", 0, ""},
		{"(if (= (key (get accounts 0)) (key (get accounts 0))) 1 0)", 1, ""},
		{"(read-u8 (key (get accounts 1)) 0)", 2, ""},
		{"(read-u8 (owner (get accounts 1)) 0)", 0xAA, ""},
		{"(if (owned-by? (get accounts 0) (program-id)) 1 0)", 1, ""},
		{"(define s 0) (for (b (data (get accounts 0))) (set! s (+ s b))) s", 0x11 + 0x22 + 0x33 + 0x44 + 0x55 + 0x66 + 0x77 + 0x88 + 0xFF, ""},
		{"(define s 0) (for (a accounts) (set! s (+ s (get-balance a)))) s", 5 + 7 + 5, ""},
		{"(get accounts 3) 0", 0, "account index out of range"},
		{"(+ (get-balance (get accounts 2)) (get-balance (get accounts 1)))", 5 + 7, ""},
		{"(define i 2) (set! i i) (get-balance (get accounts i))", 5, ""},
		{"(if (key= (get accounts 0) (get accounts 2)) 1 0)", 1, ""},
		{"(length instruction-data)", 0, ""},
	}
	for _, tc := range runCases {
		t.Run(tc.src, func(t *testing.T) {
			r := run(t, program(tc.src), runOpts{accounts: accs, metas: []abi.AccountMeta{{Index: 0, Signer: true, Writable: true}, {Index: 1}, {Index: 0, Writable: true}}})
			if tc.err != "" {
				if r.Err == nil || !strings.Contains(strings.Join(r.Logs, " "), tc.err) {
					t.Fatalf("err %v logs %q, want %q", r.Err, r.Logs, tc.err)
				}
				return
			}
			if r.Err != nil || r.R0 != tc.want {
				t.Fatalf("r0=%#x err=%v logs=%q, want %#x", r.R0, r.Err, r.Logs, tc.want)
			}
		})
	}
}

func TestInstructionData(t *testing.T) {
	data, err := EncodeData([]byte(`{"action":"bid","n":-5,"big":{"$u64":"18446744073709551615"},
		"items":["a","b"],"nested":{"x":[1,{"y":true}]},"key":{"$hex":"0102"},"price":0.95}`))
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeData(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := EncodeData(back)
	if err != nil || !bytes.Equal(again, data) {
		t.Fatalf("round trip: %s %v", back, err)
	}
	cases := []struct {
		src  string
		want uint64
		err  string
	}{
		{`(match (get instruction-data "action") ("ask" 1) ("bid" 2) (_ 3))`, 2, ""},
		{`(+ 10 (get instruction-data "n"))`, 5, ""},
		{`(define b (get instruction-data "big")) (- b 18446744073709551610)`, 5, ""},
		{`(length (get instruction-data "items"))`, 2, ""},
		{`(if (= (get (get instruction-data "items") 1) "b") 1 0)`, 1, ""},
		{`(if (get (get (get (get instruction-data "nested") "x") 1) :y) 1 0)`, 1, ""},
		{`(if (nil? (get instruction-data "missing")) 1 0)`, 1, ""},
		{`(length (get instruction-data "key"))`, 2, ""},
		{`(if (= (get instruction-data "price") 0.95) 1 0)`, 1, ""},
		{`(log :p (get instruction-data "price") :all (get instruction-data "nested")) 0`, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.src, func(t *testing.T) {
			r := run(t, program(tc.src), runOpts{data: data})
			if r.Err != nil || r.R0 != tc.want {
				t.Fatalf("r0=%d err=%v logs=%q", r.R0, r.Err, r.Logs)
			}
		})
	}
	r := run(t, program(`(log :p (get instruction-data "price") :all (get instruction-data "nested")) 0`), runOpts{data: data})
	if !logsContain(r.Logs, "p=0.95 all={:x [1 {:y true}]}") {
		t.Fatalf("logs %q", r.Logs)
	}
	// malformed data
	r = run(t, program(`(get instruction-data "x") 0`), runOpts{data: []byte{9, 1, 0, 0, 0, 5}})
	if r.Err == nil || !logsContain(r.Logs, "malformed data") {
		t.Fatalf("err %v logs %q", r.Err, r.Logs)
	}
}
