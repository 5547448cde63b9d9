// End-to-end test of `agora node` with Solana's JavaScript clients
// (@solana/web3.js 1.x and @solana/spl-token, pinned in package.json).
// run.sh starts the node and sets the environment:
//   AGORA_RPC           the node's JSON-RPC URL
//   AGORA_WS            its WebSocket URL
//   AGORA_OVSM_PROGRAM  the address of counter.ovsm, deployed before the
//                       node started
// The steps run in order; any failure fails the run (exit code 1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  AddressLookupTableProgram, Connection, Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram,
  Transaction, TransactionInstruction, TransactionMessage, VersionedTransaction, sendAndConfirmTransaction,
} from "@solana/web3.js";
import * as spl from "@solana/spl-token";

const RPC = process.env.AGORA_RPC ?? "http://127.0.0.1:8899";
const WS = process.env.AGORA_WS ?? "ws://127.0.0.1:8900";
const conn = new Connection(RPC, { commitment: "confirmed", wsEndpoint: WS });
const payer = Keypair.generate();
const bob = Keypair.generate();

async function confirm(signature) {
  const bh = await conn.getLatestBlockhash();
  const r = await conn.confirmTransaction({ signature, ...bh }, "confirmed");
  assert.equal(r.value.err, null);
}

test("the node answers", async () => {
  assert.equal(await conn.getGenesisHash() !== "", true);
  const v = await conn.getVersion();
  assert.ok(v["solana-core"]);
  const e = await conn.getEpochInfo();
  assert.ok(e.absoluteSlot >= 0);
});

test("airdrop", async () => {
  await confirm(await conn.requestAirdrop(payer.publicKey, 10 * LAMPORTS_PER_SOL));
  assert.equal(await conn.getBalance(payer.publicKey), 10 * LAMPORTS_PER_SOL);
});

test("transfer SOL", async () => {
  const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: bob.publicKey, lamports: LAMPORTS_PER_SOL }));
  const sig = await sendAndConfirmTransaction(conn, tx, [payer]);
  assert.equal(await conn.getBalance(bob.publicKey), LAMPORTS_PER_SOL);
  assert.equal(await conn.getBalance(payer.publicKey), 9 * LAMPORTS_PER_SOL - 5000);
  const got = await conn.getTransaction(sig, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
  assert.equal(got.meta.err, null);
  assert.equal(got.meta.fee, 5000);
  assert.equal(got.version, "legacy");
  const hist = await conn.getSignaturesForAddress(bob.publicKey);
  assert.equal(hist[0].signature, sig);
  const st = await conn.getSignatureStatuses([sig], { searchTransactionHistory: true });
  assert.equal(st.value[0].confirmationStatus, "finalized");
});

test("SPL Token: a mint, token accounts, mint to, transfer, balances", async () => {
  const mint = await spl.createMint(conn, payer, payer.publicKey, null, 6);
  const a = await spl.createAccount(conn, payer, mint, payer.publicKey, Keypair.generate());
  const b = await spl.createAccount(conn, payer, mint, bob.publicKey, Keypair.generate());
  await spl.mintTo(conn, payer, mint, a, payer, 1_000_000n);
  await spl.transfer(conn, payer, a, b, payer, 250_000n);
  const bal = await conn.getTokenAccountBalance(b);
  assert.equal(bal.value.amount, "250000");
  assert.equal(bal.value.uiAmountString, "0.25");
  assert.equal((await spl.getAccount(conn, a)).amount, 750_000n);
  assert.equal((await spl.getMint(conn, mint)).supply, 1_000_000n);
  const mine = await conn.getTokenAccountsByOwner(bob.publicKey, { mint });
  assert.equal(mine.value.length, 1);
  assert.ok(mine.value[0].pubkey.equals(b));
  const parsed = await conn.getParsedAccountInfo(b);
  assert.equal(parsed.value.data.parsed.info.tokenAmount.amount, "250000");
  const byProgram = await conn.getProgramAccounts(spl.TOKEN_PROGRAM_ID, {
    filters: [{ dataSize: 165 }, { memcmp: { offset: 0, bytes: mint.toBase58() } }],
  });
  assert.equal(byProgram.length, 2);
});

test("an OVSM program deployed with agora compile and agora chain deploy", async () => {
  const program = new PublicKey(process.env.AGORA_OVSM_PROGRAM);
  const counter = Keypair.generate();
  const rent = await conn.getMinimumBalanceForRentExemption(8);
  const ix = (step) => new TransactionInstruction({ programId: program, keys: [{ pubkey: counter.publicKey, isSigner: false, isWritable: true }], data: Buffer.from([step]) });
  const tx = new Transaction().add(
    SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: counter.publicKey, lamports: rent, space: 8, programId: program }),
    ix(5));
  const sig = await sendAndConfirmTransaction(conn, tx, [payer, counter]);
  const info = await conn.getAccountInfo(counter.publicKey);
  assert.ok(info.owner.equals(program));
  assert.equal(info.data.readBigUInt64LE(0), 5n);
  const got = await conn.getTransaction(sig, { maxSupportedTransactionVersion: 0 });
  assert.ok(got.meta.logMessages.includes("Program log: counter value=5"), got.meta.logMessages.join("\n"));
  const want = createHash("sha256").update("counter").digest("base64");
  assert.equal(got.meta.returnData.data[0], want);
  // simulateTransaction: logs, compute units and return data, nothing committed.
  const sim = await conn.simulateTransaction(new Transaction().add(ix(2)), [payer]);
  assert.equal(sim.value.err, null);
  assert.ok(sim.value.logs.includes("Program log: counter value=7"));
  assert.ok(sim.value.unitsConsumed > 0);
  assert.equal(sim.value.returnData.data[0], want);
  assert.equal((await conn.getAccountInfo(counter.publicKey)).data.readBigUInt64LE(0), 5n);
});

test("signature and account subscriptions", async () => {
  const carol = Keypair.generate().publicKey;
  const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: carol, lamports: LAMPORTS_PER_SOL / 2 }));
  tx.recentBlockhash = (await conn.getLatestBlockhash()).blockhash;
  tx.feePayer = payer.publicKey;
  tx.sign(payer);
  const sig = tx.signatures[0].signature;
  const account = new Promise((resolve) => {
    const id = conn.onAccountChange(carol, (a, ctx) => { conn.removeAccountChangeListener(id); resolve({ a, ctx }); }, "confirmed");
  });
  // Give the subscription time to reach the node before the transfer.
  await new Promise((r) => setTimeout(r, 500));
  const b58 = await conn.sendRawTransaction(tx.serialize());
  const note = await new Promise((resolve) => conn.onSignature(b58, (res, ctx) => resolve({ res, ctx }), "confirmed"));
  assert.equal(note.res.err, null);
  assert.ok(note.ctx.slot > 0);
  const { a } = await account;
  assert.equal(a.lamports, LAMPORTS_PER_SOL / 2);
  assert.ok(sig);
});

test("a v0 transaction with an address lookup table", async () => {
  const slot = await conn.getSlot("finalized");
  const [create, table] = AddressLookupTableProgram.createLookupTable({ authority: payer.publicKey, payer: payer.publicKey, recentSlot: slot });
  const dave = Keypair.generate().publicKey;
  const extend = AddressLookupTableProgram.extendLookupTable({ payer: payer.publicKey, authority: payer.publicKey, lookupTable: table, addresses: [bob.publicKey, dave] });
  await sendAndConfirmTransaction(conn, new Transaction().add(create, extend), [payer]);
  // Addresses appended in a slot are usable from the next one.
  const start = await conn.getSlot();
  while (await conn.getSlot() <= start) await new Promise((r) => setTimeout(r, 50));
  const lookup = (await conn.getAddressLookupTable(table)).value;
  assert.equal(lookup.state.addresses.length, 2);
  const { blockhash } = await conn.getLatestBlockhash();
  const msg = new TransactionMessage({
    payerKey: payer.publicKey, recentBlockhash: blockhash,
    instructions: [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: dave, lamports: LAMPORTS_PER_SOL / 4 })],
  }).compileToV0Message([lookup]);
  assert.equal(msg.addressTableLookups.length, 1);
  const vtx = new VersionedTransaction(msg);
  vtx.sign([payer]);
  const sig = await conn.sendTransaction(vtx);
  await confirm(sig);
  assert.equal(await conn.getBalance(dave), LAMPORTS_PER_SOL / 4);
  const got = await conn.getTransaction(sig, { maxSupportedTransactionVersion: 0 });
  assert.equal(got.version, 0);
  assert.ok(got.meta.loadedAddresses.writable.map(String).includes(dave.toBase58()));
});
