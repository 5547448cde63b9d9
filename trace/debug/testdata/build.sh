#!/bin/sh
# Rebuilds overflow.o (BPF object with DWARF 4) and overflow.so from
# overflow.c. Needs clang-14; run from this directory.
set -e
ROOT=$(cd ../../.. && pwd)
clang-14 -target bpf -mcpu=v2 -O1 -g -gdwarf-4 -std=c17 -ffreestanding -fno-builtin \
	-I"$ROOT/sdk/c" -fdebug-prefix-map="$(pwd)=." -fdebug-prefix-map="$ROOT=." -c overflow.c -o overflow.o
(cd "$ROOT" && go run ./sdk/c/agora-ld -o trace/debug/testdata/overflow.so trace/debug/testdata/overflow.o)
