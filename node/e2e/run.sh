#!/usr/bin/env bash
# End-to-end test of agora node with Solana's JavaScript clients: builds
# agora, creates a chain, deploys the real SPL Token and Associated Token
# Account programs (their mainnet ELFs, taken from the pinned LiteSVM
# package) and an OVSM program, starts the node, runs test.mjs against it
# (which also deploys a program itself through the upgradeable loader) and
# stops the node.
#   AGORA_E2E_PORT  the JSON-RPC port (default 18899; WebSocket on +1)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
work=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

port=${AGORA_E2E_PORT:-18899}
go build -o "$work/agora" ./cmd/agora
agora="$work/agora"
(cd node/e2e && npm install --no-save --no-audit --no-fund --loglevel=error)

"$agora" chain init --dir "$work/chain" --json
node node/e2e/dump-spl.mjs "$work/spl_token.so"
"$agora" chain deploy --dir "$work/chain" --program-id TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA "$work/spl_token.so" --json
node node/e2e/dump-spl.mjs "$work/spl_ata.so" ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL
"$agora" chain deploy --dir "$work/chain" --program-id ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL "$work/spl_ata.so" --json
"$agora" compile node/e2e/counter.ovsm -o "$work/counter.so"
program=$("$agora" chain deploy --dir "$work/chain" "$work/counter.so" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).program_id))')
echo "counter.ovsm deployed at $program"

"$agora" node --dir "$work/chain" --rpc "127.0.0.1:$port" --ws "127.0.0.1:$((port + 1))" --block-time 100ms 2>"$work/node.log" &
pid=$!
for _ in $(seq 100); do
	if node -e 'fetch(process.argv[1],{method:"POST",headers:{"content-type":"application/json"},body:JSON.stringify({jsonrpc:"2.0",id:1,method:"getHealth"})}).then(r=>r.json()).then(j=>process.exit(j.result==="ok"?0:1),()=>process.exit(1))' "http://127.0.0.1:$port"; then
		break
	fi
	sleep 0.2
done

status=0
(cd node/e2e && AGORA_RPC="http://127.0.0.1:$port" AGORA_WS="ws://127.0.0.1:$((port + 1))" AGORA_OVSM_PROGRAM="$program" AGORA_OVSM_SO="$work/counter.so" node --test --test-concurrency=1 test.mjs) || status=$?
kill -TERM "$pid"
wait "$pid" || status=1
pid=
if [ "$status" -ne 0 ]; then
	echo "node log:"
	tail -50 "$work/node.log"
fi
exit "$status"
