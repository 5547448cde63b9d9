module github.com/agora-vm/agora

go 1.26.0

require (
	github.com/mr-tron/base58 v1.3.0
	github.com/spf13/cobra v1.10.2
	golang.org/x/crypto v0.59.0
	lukechampine.com/blake3 v1.4.1
)

require (
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/klauspost/cpuid/v2 v2.0.9 // indirect
	github.com/spf13/pflag v1.0.9 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
