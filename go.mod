module github.com/agora-vm/agora

go 1.26.0

require (
	filippo.io/edwards25519 v1.2.0
	github.com/consensys/gnark-crypto v0.21.0
	github.com/decred/dcrd/dcrec/secp256k1/v4 v4.4.1
	github.com/gtank/ristretto255 v0.1.2
	github.com/iden3/go-iden3-crypto v0.0.17
	github.com/mr-tron/base58 v1.3.0
	github.com/spf13/cobra v1.10.2
	golang.org/x/crypto v0.59.0
	lukechampine.com/blake3 v1.4.1
)

require (
	github.com/bits-and-blooms/bitset v1.24.6 // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/klauspost/cpuid/v2 v2.0.9 // indirect
	github.com/spf13/pflag v1.0.9 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
