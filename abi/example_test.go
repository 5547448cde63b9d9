package abi_test

import (
	"encoding/binary"
	"fmt"

	"github.com/agora-vm/agora/abi"
)

// The flow of `agora run PROGRAM.so --accounts FILE.json --data HEX`: parse
// the accounts, build the instruction, serialize it as the program's
// input, run the program on it (here simulated by writing the input as a
// program would), and when it returns 0, write the accounts back and
// report the changes.
func Example() {
	doc := []byte(`[
	  {"key": "Payer11111111111111111111111111111111111111", "owner": "` + abi.DefaultProgramID + `",
	   "lamports": 500, "signer": true, "writable": true},
	  {"key": "Recipient1111111111111111111111111111111111", "owner": "` + abi.DefaultProgramID + `",
	   "lamports": 100, "data_hex": "00", "writable": true}
	]`)
	programID, _ := abi.ParseKey(abi.DefaultProgramID)
	inputs, err := abi.ParseAccountsJSON(doc)
	if err != nil {
		fmt.Println(err)
		return
	}
	accounts, ix, err := abi.Build(programID, inputs, []byte{42})
	if err != nil {
		fmt.Println(err)
		return
	}
	input, layout, err := abi.Serialize(accounts, ix)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("input bytes:", len(input))

	// The program (mapped at 0x400000000 with r1 = that address) moves 50
	// lamports and writes its data; say it returned r0 = 0.
	le := binary.LittleEndian
	from, to := layout.Entry(0), layout.Entry(1)
	le.PutUint64(input[from.LamportsOffset:], le.Uint64(input[from.LamportsOffset:])-50)
	le.PutUint64(input[to.LamportsOffset:], le.Uint64(input[to.LamportsOffset:])+50)
	input[to.DataOffset] = 7
	if err := abi.Status(0); err != nil {
		fmt.Println("program failed:", err)
		return
	}

	after, err := abi.Deserialize(input, layout)
	if err != nil {
		fmt.Println("instruction failed:", err)
		return
	}
	for _, c := range abi.Diff(accounts, after) {
		fmt.Printf("%s: lamports %d -> %d, data [%x] -> [%x]\n", abi.EncodeKey(c.Key), c.LamportsBefore, c.LamportsAfter, c.DataBefore, c.DataAfter)
	}

	// A program that returned an error code instead:
	fmt.Println(abi.Status(6 << 32))
	// Output:
	// input bytes: 20729
	// Payer11111111111111111111111111111111111111: lamports 500 -> 450, data [] -> []
	// Recipient1111111111111111111111111111111111: lamports 100 -> 150, data [00] -> [07]
	// insufficient funds for instruction
}
