package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

// The keystore of a chain directory: one file per named keypair,
// keys/NAME.json, in the Solana CLI's format (a JSON array of the 64
// bytes of the secret key and public key).
const keysDir = "keys"

var keyNameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$`)

func keyPath(dir, name string) string { return filepath.Join(dir, keysDir, name+".json") }

func validKeyName(name string) error {
	if !keyNameRE.MatchString(name) {
		return usageErr("key name %q: use letters, digits, '_', '-' and '.' (at most 64)", name)
	}
	if p, ok := aliases[name]; ok {
		// A key of that name would shadow the alias in every command.
		return usageErr("key name %q is taken: it names the built-in address %s; choose another name", name, p)
	}
	return nil
}

// writeKey stores a new keypair under name; an existing name is an error.
func writeKey(dir, name string, k ed25519.PrivateKey) error {
	if err := validKeyName(name); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, keysDir), 0o700); err != nil {
		return err
	}
	b, err := json.Marshal(bytesToInts(k))
	if err != nil {
		return err
	}
	f, err := os.OpenFile(keyPath(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return usageErr("key %q already exists in %s", name, filepath.Join(dir, keysDir))
		}
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func bytesToInts(b []byte) []int {
	out := make([]int, len(b))
	for i, c := range b {
		out[i] = int(c)
	}
	return out
}

// readKey loads the keypair named name, or reports ok=false when there
// is none.
func readKey(dir, name string) (ed25519.PrivateKey, bool, error) {
	if !keyNameRE.MatchString(name) {
		return nil, false, nil
	}
	b, err := os.ReadFile(keyPath(dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var ints []int
	if err := json.Unmarshal(b, &ints); err != nil || len(ints) != ed25519.PrivateKeySize {
		return nil, false, fmt.Errorf("%s: not a keypair file (a JSON array of 64 bytes)", keyPath(dir, name))
	}
	k := make([]byte, len(ints))
	for i, v := range ints {
		if v < 0 || v > 255 {
			return nil, false, fmt.Errorf("%s: byte %d out of range", keyPath(dir, name), i)
		}
		k[i] = byte(v)
	}
	priv := ed25519.NewKeyFromSeed(k[:32])
	if !priv.Equal(ed25519.PrivateKey(k)) {
		return nil, false, fmt.Errorf("%s: public key does not match the secret key", keyPath(dir, name))
	}
	return priv, true, nil
}

// keyByPubkey finds the keystore's keypair for an address.
func keyByPubkey(dir string, p pubkey.Pubkey) (ed25519.PrivateKey, bool, error) {
	entries, err := os.ReadDir(filepath.Join(dir, keysDir))
	if err != nil {
		return nil, false, nil
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, n := range names {
		name, ok := strings.CutSuffix(n, ".json")
		if !ok {
			continue
		}
		k, ok, err := readKey(dir, name)
		if err != nil || !ok {
			continue
		}
		if txn.PubkeyOf(k) == p {
			return k, true, nil
		}
	}
	return nil, false, nil
}

func newKeypair() (ed25519.PrivateKey, error) {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	return k, err
}

// aliases are the well-known addresses the CLI accepts by name.
var aliases = map[string]pubkey.Pubkey{
	"system":         pubkey.SystemProgram(),
	"compute-budget": pubkey.ComputeBudgetProgram(),
	"rent":           pubkey.SysvarRent(),
	"clock":          pubkey.SysvarClock(),
	"epoch-schedule": pubkey.SysvarEpochSchedule(),
	"econ":           pubkey.EconProgram(),
}

// resolveKey turns a keystore name, an alias or base58 text into an
// address, with the keypair when the keystore has one.
func resolveKey(dir, text string) (pubkey.Pubkey, ed25519.PrivateKey, error) {
	k, ok, err := readKey(dir, text)
	if err != nil {
		return pubkey.Pubkey{}, nil, err
	}
	if ok {
		return txn.PubkeyOf(k), k, nil
	}
	if p, ok := aliases[text]; ok {
		return p, nil, nil
	}
	p, err := pubkey.Parse(text)
	if err != nil {
		return pubkey.Pubkey{}, nil, usageErr("%q is neither a key name in %s nor a base58 address", text, filepath.Join(dir, keysDir))
	}
	return p, nil, nil
}

// accountArg is a parsed KEY[:s][:w].
type accountArg struct {
	key      pubkey.Pubkey
	priv     ed25519.PrivateKey
	signer   bool
	writable bool
}

func parseAccountArg(dir, arg string) (accountArg, error) {
	parts := strings.Split(arg, ":")
	var a accountArg
	for _, f := range parts[1:] {
		switch f {
		case "s":
			a.signer = true
		case "w":
			a.writable = true
		default:
			return a, usageErr("--account %q: flags are :s (signer) and :w (writable)", arg)
		}
	}
	var err error
	a.key, a.priv, err = resolveKey(dir, parts[0])
	return a, err
}
