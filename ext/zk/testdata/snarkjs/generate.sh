#!/bin/sh
# Regenerates the snarkjs/circom Groth16 BN254 fixture of this directory:
# verification_key.json, proof.json and public.json for multiplier.circom
# with input.json. Run it from this directory with Node.js (20) and npm;
# it installs circom2 and snarkjs into a temporary directory and leaves
# nothing else behind. The entropy of the two ceremonies' contributions
# and of the proof is random (snarkjs mixes the -e text with random
# bytes), so every run gives different, equally valid files.
set -eu
here=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --silent snarkjs@0.7.6 circom2@0.2.23
bin=$work/node_modules/.bin
cp "$here/multiplier.circom" "$here/input.json" .
"$bin/circom2" multiplier.circom --r1cs --wasm --sym -o .
"$bin/snarkjs" powersoftau new bn128 4 pot4_0000.ptau
"$bin/snarkjs" powersoftau contribute pot4_0000.ptau pot4_0001.ptau --name="agora test contribution" -e="agora zk testdata entropy 1"
"$bin/snarkjs" powersoftau prepare phase2 pot4_0001.ptau pot4_final.ptau
"$bin/snarkjs" groth16 setup multiplier.r1cs pot4_final.ptau multiplier_0000.zkey
"$bin/snarkjs" zkey contribute multiplier_0000.zkey multiplier_final.zkey --name="agora phase2 contribution" -e="agora zk testdata entropy 2"
"$bin/snarkjs" zkey export verificationkey multiplier_final.zkey verification_key.json
"$bin/snarkjs" wtns calculate multiplier_js/multiplier.wasm input.json witness.wtns
"$bin/snarkjs" groth16 prove multiplier_final.zkey witness.wtns proof.json public.json
"$bin/snarkjs" groth16 verify verification_key.json public.json proof.json
cp verification_key.json proof.json public.json "$here/"
