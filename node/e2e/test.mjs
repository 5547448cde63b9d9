// End-to-end test of `agora node` with Solana's JavaScript clients
// (@solana/web3.js 1.x and @solana/spl-token, pinned in package.json).
// run.sh starts the node and sets the environment:
//   AGORA_RPC           the node's JSON-RPC URL
//   AGORA_WS            its WebSocket URL
//   AGORA_OVSM_PROGRAM  the address of counter.ovsm, deployed before the
//                       node started
//   AGORA_OVSM_SO       counter.ovsm compiled (agora compile), which the
//                       test deploys again itself through the upgradeable
//                       loader, as `solana program deploy` does
// The steps run in order, each within a minute; any failure fails the run
// (exit code 1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  AddressLookupTableProgram, Connection, Keypair, LAMPORTS_PER_SOL, PACKET_DATA_SIZE, PublicKey, SYSVAR_CLOCK_PUBKEY,
  SYSVAR_RENT_PUBKEY, SystemProgram, Transaction, TransactionInstruction, TransactionMessage, VersionedTransaction,
  sendAndConfirmTransaction,
} from "@solana/web3.js";
import * as spl from "@solana/spl-token";
import * as kit from "@solana/kit";
import { LiteSVM } from "litesvm";

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

test("the node answers", { timeout: 60_000 }, async () => {
  assert.equal(await conn.getGenesisHash() !== "", true);
  const v = await conn.getVersion();
  assert.ok(v["solana-core"]);
  const e = await conn.getEpochInfo();
  assert.ok(e.absoluteSlot >= 0);
});

test("airdrop", { timeout: 60_000 }, async () => {
  await confirm(await conn.requestAirdrop(payer.publicKey, 10 * LAMPORTS_PER_SOL));
  assert.equal(await conn.getBalance(payer.publicKey), 10 * LAMPORTS_PER_SOL);
});

test("transfer SOL", { timeout: 60_000 }, async () => {
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

test("SPL Token: a mint, token accounts, mint to, transfer, balances", { timeout: 60_000 }, async () => {
  const mint = await spl.createMint(conn, payer, payer.publicKey, null, 6);
  const a = await spl.createAccount(conn, payer, mint, payer.publicKey, Keypair.generate());
  const b = await spl.createAccount(conn, payer, mint, bob.publicKey, Keypair.generate());
  await spl.mintTo(conn, payer, mint, a, payer, 1_000_000n);
  const sig = await spl.transfer(conn, payer, a, b, payer, 250_000n);
  // The transfer's token balances, before and after, as Agave reports them.
  const txn = await conn.getParsedTransaction(sig, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
  const keys = txn.transaction.message.accountKeys.map((k) => k.pubkey.toBase58());
  const amounts = (balances) => Object.fromEntries(balances.map((t) => {
    assert.equal(t.mint, mint.toBase58());
    assert.equal(t.programId, spl.TOKEN_PROGRAM_ID.toBase58());
    assert.equal(t.uiTokenAmount.decimals, 6);
    assert.equal(t.owner, keys[t.accountIndex] === a.toBase58() ? payer.publicKey.toBase58() : bob.publicKey.toBase58());
    return [keys[t.accountIndex], t.uiTokenAmount.amount + " " + t.uiTokenAmount.uiAmountString];
  }));
  assert.deepEqual(amounts(txn.meta.preTokenBalances), { [a.toBase58()]: "1000000 1", [b.toBase58()]: "0 0" });
  assert.deepEqual(amounts(txn.meta.postTokenBalances), { [a.toBase58()]: "750000 0.75", [b.toBase58()]: "250000 0.25" });
  assert.deepEqual(txn.meta.innerInstructions, []);
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

test("an OVSM program deployed with agora compile and agora chain deploy", { timeout: 60_000 }, async () => {
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

test("an associated token account: its CPIs are the inner instructions", { timeout: 60_000 }, async () => {
  const mint = await spl.createMint(conn, payer, payer.publicKey, null, 0);
  const owner = Keypair.generate().publicKey;
  const ata = spl.getAssociatedTokenAddressSync(mint, owner);
  const ix = spl.createAssociatedTokenAccountInstruction(payer.publicKey, ata, owner, mint);
  // simulateTransaction reports them when asked.
  const { blockhash } = await conn.getLatestBlockhash();
  const vtx = new VersionedTransaction(new TransactionMessage({ payerKey: payer.publicKey, recentBlockhash: blockhash, instructions: [ix] }).compileToLegacyMessage());
  vtx.sign([payer]);
  const sim = await conn.simulateTransaction(vtx, { innerInstructions: true });
  assert.equal(sim.value.err, null);
  assert.equal(sim.value.innerInstructions[0].index, 0);
  assert.ok(sim.value.innerInstructions[0].instructions.length >= 2);

  const sig = await sendAndConfirmTransaction(conn, new Transaction().add(ix), [payer]);
  assert.equal((await spl.getAccount(conn, ata)).owner.toBase58(), owner.toBase58());
  const parsed = await conn.getParsedTransaction(sig, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
  assert.equal(parsed.meta.innerInstructions.length, 1);
  const inner = parsed.meta.innerInstructions[0];
  assert.equal(inner.index, 0);
  const programs = inner.instructions.map((i) => i.programId.toBase58());
  assert.ok(programs.includes(SystemProgram.programId.toBase58()), programs.join(" "));
  assert.ok(programs.includes(spl.TOKEN_PROGRAM_ID.toBase58()), programs.join(" "));
  assert.ok(inner.instructions.every((i) => i.stackHeight === 2));
  assert.deepEqual(sim.value.innerInstructions[0].instructions.map((i) => String(i.programId)), programs);
  // The new account's balance: none before, 0 after.
  assert.deepEqual(parsed.meta.preTokenBalances, []);
  assert.equal(parsed.meta.postTokenBalances.length, 1);
  assert.equal(parsed.meta.postTokenBalances[0].owner, owner.toBase58());
  assert.equal(parsed.meta.postTokenBalances[0].uiTokenAmount.amount, "0");
  // The json encoding: indexes into the account keys.
  const plain = await conn.getTransaction(sig, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
  const keys = plain.transaction.message.staticAccountKeys.map(String);
  assert.deepEqual(plain.meta.innerInstructions[0].instructions.map((i) => keys[i.programIdIndex]), programs);

  // Agave's runtime (LiteSVM, with the same SPL binaries) makes the same
  // inner instructions: programs, accounts, data and stack heights.
  const ours = plain.meta.innerInstructions[0].instructions.map((i) => ({
    program: keys[i.programIdIndex], accounts: i.accounts.map((a) => keys[a]), data: Buffer.from(bs58decode(i.data)).toString("hex"), stackHeight: i.stackHeight,
  }));
  assert.deepEqual(await liteInner(ix, mint), ours);
});

// bs58decode decodes base58 (kit's codec).
const bs58decode = (s) => kit.getBase58Encoder().encode(s);

// liteInner runs ix, paid by payer, on LiteSVM holding the node's copy
// of mint, and returns its first instruction's inner instructions with
// addresses in place of indexes.
async function liteInner(ix, mint) {
  const lite = new LiteSVM();
  lite.airdrop(kit.address(payer.publicKey.toBase58()), BigInt(LAMPORTS_PER_SOL));
  const m = await conn.getAccountInfo(mint);
  lite.setAccount({ address: kit.address(mint.toBase58()), lamports: BigInt(m.lamports), programAddress: kit.address(m.owner.toBase58()),
    executable: false, data: new Uint8Array(m.data), space: BigInt(m.data.length) });
  const signer = await kit.createKeyPairSignerFromBytes(payer.secretKey);
  const R = kit.AccountRole;
  const role = (k) => (k.isSigner ? (k.isWritable ? R.WRITABLE_SIGNER : R.READONLY_SIGNER) : (k.isWritable ? R.WRITABLE : R.READONLY));
  const kix = { programAddress: kit.address(ix.programId.toBase58()), data: new Uint8Array(ix.data),
    accounts: ix.keys.map((k) => ({ address: kit.address(k.pubkey.toBase58()), role: role(k) })) };
  const msg = kit.pipe(kit.createTransactionMessage({ version: "legacy" }), (x) => kit.setTransactionMessageFeePayerSigner(signer, x),
    (x) => kit.setTransactionMessageLifetimeUsingBlockhash({ blockhash: lite.latestBlockhash(), lastValidBlockHeight: 1000n }, x),
    (x) => kit.appendTransactionMessageInstructions([kix], x));
  const tx = await kit.signTransactionMessageWithSigners(msg);
  const r = lite.sendTransaction(tx);
  assert.notEqual(r.constructor.name, "FailedTransactionMetadata", String(r.err?.()));
  const keys = kit.getCompiledTransactionMessageDecoder().decode(tx.messageBytes).staticAccounts.map(String);
  return r.innerInstructions()[0].map((ii) => {
    const c = ii.instruction();
    return { program: keys[c.programIdIndex()], accounts: Array.from(c.accounts()).map((a) => keys[a]), data: Buffer.from(c.data()).toString("hex"), stackHeight: ii.stackHeight() };
  });
}

// The upgradeable BPF loader's instructions (bincode: a u32 tag, then
// the fields), as `solana program deploy` sends them.
const LOADER = new PublicKey("BPFLoaderUpgradeab1e11111111111111111111111");
const BUFFER_HEADER = 37; // UpgradeableLoaderState::size_of_buffer_metadata
const PROGRAM_SIZE = 36; // UpgradeableLoaderState::size_of_program
const PROGRAM_DATA_HEADER = 45; // size_of_programdata_metadata
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return b; };
const meta = (pubkey, isSigner, isWritable) => ({ pubkey, isSigner, isWritable });
const initializeBuffer = (buffer, authority) => new TransactionInstruction({
  programId: LOADER, keys: [meta(buffer, false, true), meta(authority, false, false)], data: u32(0),
});
const writeBuffer = (buffer, authority, offset, bytes) => new TransactionInstruction({
  programId: LOADER, keys: [meta(buffer, false, true), meta(authority, true, false)],
  data: Buffer.concat([u32(1), u32(offset), u64(bytes.length), bytes]),
});
const deployWithMaxDataLen = (payer, programData, program, buffer, authority, maxDataLen) => new TransactionInstruction({
  programId: LOADER,
  keys: [meta(payer, true, true), meta(programData, false, true), meta(program, false, true), meta(buffer, false, true),
    meta(SYSVAR_RENT_PUBKEY, false, false), meta(SYSVAR_CLOCK_PUBKEY, false, false), meta(SystemProgram.programId, false, false),
    meta(authority, true, false)],
  data: Buffer.concat([u32(2), u64(maxDataLen)]),
});

test("a web3.js deploy through the upgradeable loader, as solana program deploy does", { timeout: 60_000 }, async () => {
  const elf = readFileSync(process.env.AGORA_OVSM_SO);
  const buffer = Keypair.generate();
  const program = Keypair.generate();
  // 1. The buffer: System CreateAccount and InitializeBuffer, one transaction.
  const bufferLen = BUFFER_HEADER + elf.length;
  await sendAndConfirmTransaction(conn, new Transaction().add(
    SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: buffer.publicKey,
      lamports: await conn.getMinimumBalanceForRentExemption(bufferLen), space: bufferLen, programId: LOADER }),
    initializeBuffer(buffer.publicKey, payer.publicKey)), [payer, buffer]);
  // 2. Write: chunks as large as a packet allows, computed as the CLI
  // does (a packet less a Write of no bytes, less one byte for the
  // length prefix growing), all sent before any is confirmed.
  const { blockhash } = await conn.getLatestBlockhash();
  const probe = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(writeBuffer(buffer.publicKey, payer.publicKey, 0, Buffer.alloc(0)));
  const chunk = PACKET_DATA_SIZE - probe.serialize({ requireAllSignatures: false, verifySignatures: false }).length - 1;
  assert.equal(chunk, 1012);
  const writes = [];
  for (let off = 0; off < elf.length; off += chunk) {
    const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(writeBuffer(buffer.publicKey, payer.publicKey, off, elf.subarray(off, off + chunk)));
    tx.sign(payer);
    const wire = tx.serialize();
    assert.ok(wire.length <= PACKET_DATA_SIZE, `a Write of ${wire.length} bytes`);
    writes.push(await conn.sendRawTransaction(wire));
  }
  assert.ok(writes.length >= 2, `${elf.length} bytes in ${writes.length} writes`);
  for (const sig of writes) await confirm(sig);
  assert.ok(Buffer.from((await conn.getAccountInfo(buffer.publicKey)).data.subarray(BUFFER_HEADER)).equals(elf));
  // 3. DeployWithMaxDataLen, after the program account's creation.
  const [programData] = PublicKey.findProgramAddressSync([program.publicKey.toBuffer()], LOADER);
  const sig = await sendAndConfirmTransaction(conn, new Transaction().add(
    SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: program.publicKey,
      lamports: await conn.getMinimumBalanceForRentExemption(PROGRAM_SIZE), space: PROGRAM_SIZE, programId: LOADER }),
    deployWithMaxDataLen(payer.publicKey, programData, program.publicKey, buffer.publicKey, payer.publicKey, elf.length)), [payer, program]);
  const prog = await conn.getAccountInfo(program.publicKey);
  assert.ok(prog.executable && prog.owner.equals(LOADER));
  const pd = await conn.getAccountInfo(programData);
  assert.equal(pd.data.length, PROGRAM_DATA_HEADER + elf.length);
  assert.equal(await conn.getAccountInfo(buffer.publicKey), null); // closed into the program data
  // The loader created the program data account through System: an inner instruction.
  const deployed = await conn.getParsedTransaction(sig, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
  assert.equal(deployed.meta.innerInstructions[0].index, 1);
  assert.ok(deployed.meta.innerInstructions[0].instructions.some((i) => i.programId.equals(SystemProgram.programId)));
  // 4. It runs from the next slot on.
  const start = await conn.getSlot();
  while (await conn.getSlot() <= start) await new Promise((r) => setTimeout(r, 50));
  const counter = Keypair.generate();
  const invoke = await sendAndConfirmTransaction(conn, new Transaction().add(
    SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: counter.publicKey,
      lamports: await conn.getMinimumBalanceForRentExemption(8), space: 8, programId: program.publicKey }),
    new TransactionInstruction({ programId: program.publicKey, keys: [meta(counter.publicKey, false, true)], data: Buffer.from([3]) })),
  [payer, counter]);
  const got = await conn.getTransaction(invoke, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
  assert.ok(got.meta.logMessages.includes("Program log: counter value=3"), got.meta.logMessages.join("\n"));
  assert.equal((await conn.getAccountInfo(counter.publicKey)).data.readBigUInt64LE(0), 3n);
});

test("signature and account subscriptions", { timeout: 60_000 }, async () => {
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
  await new Promise((r) => setTimeout(r, 1000));
  const b58 = await conn.sendRawTransaction(tx.serialize());
  const note = await new Promise((resolve) => conn.onSignature(b58, (res, ctx) => resolve({ res, ctx }), "confirmed"));
  assert.equal(note.res.err, null);
  assert.ok(note.ctx.slot > 0);
  const { a } = await account;
  assert.equal(a.lamports, LAMPORTS_PER_SOL / 2);
  assert.ok(sig);
});

test("a v0 transaction with an address lookup table", { timeout: 60_000 }, async () => {
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
