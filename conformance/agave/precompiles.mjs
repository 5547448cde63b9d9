// The precompile suite: Solana's Ed25519, Secp256k1 and Secp256r1
// signature-verification programs, valid and not, and the fee the
// signatures they claim add. Signatures come from `go run
// ./conformance/agave/sigs` (Node has no Keccak-256 or secp256k1
// recovery).
import { execFileSync } from "node:child_process";
import { SYSTEM, MEMO, keypair, ix, cat, u64le, setAccount } from "./lib.mjs";

export const ED25519 = "Ed25519SigVerify111111111111111111111111111";
export const SECP256K1 = "KeccakSecp256k11111111111111111111111111111";
export const SECP256R1 = "Secp256r1SigVerify1111111111111111111111111";
const COMPUTE_BUDGET = "ComputeBudget111111111111111111111111111111";
const SELF = 0xffff;

const hex = (s) => new Uint8Array(Buffer.from(s, "hex"));

export function signatureVectors(root, n, seed) {
  const out = execFileSync("go", ["run", "./conformance/agave/sigs", "-n", String(n), "-seed", String(seed)], { cwd: root, maxBuffer: 1 << 28 });
  return out.toString().trim().split("\n").filter(Boolean).map((l) => {
    const v = JSON.parse(l);
    return { kind: v.kind, pubkey: hex(v.pubkey), sig: hex(v.sig), recid: v.recid, msg: hex(v.msg) };
  });
}

function u16(b, off, v) { b[off] = v & 0xff; b[off + 1] = (v >> 8) & 0xff; }

// edLayout builds an Ed25519 or Secp256r1 instruction's data: a header,
// one 14-byte record per entry, then the inline bytes. Each entry is
// {sig, pubkey, msg} (bytes placed inline, referenced with SELF) or
// explicit record fields {sigOff, sigIx, pkOff, pkIx, msgOff, msgSize,
// msgIx}. count overrides the header's count.
function edLayout(entries, { count, trailing } = {}) {
  const head = 2 + 14 * entries.length;
  const inline = [];
  let off = head;
  const place = (bytes) => { const at = off; inline.push(bytes); off += bytes.length; return at; };
  const recs = entries.map((e) => {
    if (e.raw) return e.raw;
    const pk = place(e.pubkey), sg = place(e.sig), mg = place(e.msg);
    return { sigOff: sg, sigIx: SELF, pkOff: pk, pkIx: SELF, msgOff: mg, msgSize: e.msg.length, msgIx: SELF };
  });
  const d = new Uint8Array(off + (trailing ? trailing.length : 0));
  d[0] = count ?? entries.length;
  recs.forEach((r, i) => {
    const b = 2 + 14 * i;
    u16(d, b, r.sigOff); u16(d, b + 2, r.sigIx); u16(d, b + 4, r.pkOff); u16(d, b + 6, r.pkIx);
    u16(d, b + 8, r.msgOff); u16(d, b + 10, r.msgSize); u16(d, b + 12, r.msgIx);
  });
  let at = head;
  for (const p of inline) { d.set(p, at); at += p.length; }
  if (trailing) d.set(trailing, at);
  return d;
}

// k1Layout builds a Secp256k1 instruction's data: a count byte, 11-byte
// records, then inline signature‖recovery id, address and message. self
// is the instruction's own index in the transaction.
function k1Layout(entries, self, { count, trailing } = {}) {
  const head = 1 + 11 * entries.length;
  const inline = [];
  let off = head;
  const place = (bytes) => { const at = off; inline.push(bytes); off += bytes.length; return at; };
  const recs = entries.map((e) => {
    if (e.raw) return e.raw;
    const sg = place(cat(e.sig, new Uint8Array([e.recid]))), ad = place(e.pubkey), mg = place(e.msg);
    return { sigOff: sg, sigIx: self, ethOff: ad, ethIx: self, msgOff: mg, msgSize: e.msg.length, msgIx: self };
  });
  const d = new Uint8Array(off + (trailing ? trailing.length : 0));
  d[0] = count ?? entries.length;
  recs.forEach((r, i) => {
    const b = 1 + 11 * i;
    u16(d, b, r.sigOff); d[b + 2] = r.sigIx; u16(d, b + 3, r.ethOff); d[b + 5] = r.ethIx;
    u16(d, b + 6, r.msgOff); u16(d, b + 8, r.msgSize); d[b + 10] = r.msgIx;
  });
  let at = head;
  for (const p of inline) { d.set(p, at); at += p.length; }
  if (trailing) d.set(trailing, at);
  return d;
}

const flip = (b, i) => { const c = new Uint8Array(b); c[i % c.length] ^= 1 << (i % 8); return c; };

// Ed25519's group order l, little-endian, and edge encodings.
const L = hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
const addLE = (a, b) => { const o = new Uint8Array(32); let c = 0; for (let i = 0; i < 32; i++) { const s = a[i] + b[i] + c; o[i] = s & 0xff; c = s >> 8; } return o; };
const IDENTITY = (() => { const b = new Uint8Array(32); b[0] = 1; return b; })();
const ORDER4 = new Uint8Array(32); // y = 0: a point of order 4
const NONCANON_Y = (() => { const b = new Uint8Array(32).fill(0xff); b[0] = 0xed; b[31] = 0x7f; return b; })(); // y = p: decodes as y = 0
const NOT_ON_CURVE = (() => { const b = new Uint8Array(32); b[0] = 2; return b; })();

// ed25519Edge are the verify_strict edge cases as {name, pubkey, sig}
// over message msg, from a valid vector v.
function ed25519Edge(v) {
  const R_ = v.sig.subarray(0, 32), S = v.sig.subarray(32);
  return [
    ["small-order-key", IDENTITY, v.sig],
    ["order4-key", ORDER4, v.sig],
    ["noncanonical-key", NONCANON_Y, v.sig],
    ["undecodable-key", NOT_ON_CURVE, v.sig],
    ["noncanonical-s", v.pubkey, cat(R_, addLE(S, L))],
    ["high-bit-s", v.pubkey, cat(R_, S.map((x, i) => (i === 31 ? x | 0x80 : x)))],
    ["identity-r", v.pubkey, cat(IDENTITY, S)],
    ["noncanonical-r", v.pubkey, cat(NONCANON_Y, S)],
    ["zero-sig", v.pubkey, new Uint8Array(64)],
  ];
}

// precompileSuite sends about n cases over the vectors.
export async function precompileSuite(run, rng, vectors, n) {
  const ed = vectors.filter((v) => v.kind === "ed25519");
  const k1 = vectors.filter((v) => v.kind === "secp256k1");
  const r1 = vectors.filter((v) => v.kind === "secp256r1");
  const payer = await keypair(rng);
  const fund = (lamports = 10_000_000_000n) => setAccount(run.svm, { pubkey: payer.address, lamports, owner: SYSTEM, data: new Uint8Array() });
  fund();
  const send = (name, ixs) => run.send(`precompile-${name}`, payer, ixs);
  const E = (data) => ix(ED25519, [], data);
  const K = (data) => ix(SECP256K1, [], data);
  const P = (data) => ix(SECP256R1, [], data);

  // Fixed cases: one of each rule.
  const [e0, e1, e2] = ed, [k0, k1b, k2] = k1, [p0, p1] = r1;
  await send("ed-one", [E(edLayout([e0]))]);
  await send("ed-three", [E(edLayout([e0, e1, e2]))]);
  await send("ed-two-ix", [E(edLayout([e0])), E(edLayout([e1, e2]))]);
  await send("ed-empty", [E(new Uint8Array())]);
  await send("ed-one-byte", [E(new Uint8Array([1]))]);
  await send("ed-zero", [E(new Uint8Array([0, 0]))]);
  await send("ed-zero-extra", [E(new Uint8Array([0, 0, 0]))]);
  await send("ed-short-record", [E(edLayout([e0]).subarray(0, 15))]);
  await send("ed-count-over", [E(edLayout([e0], { count: 2 }))]);
  await send("ed-trailing", [E(edLayout([e0], { trailing: new Uint8Array([1, 2, 3]) }))]);
  await send("ed-bad-sig", [E(edLayout([{ ...e0, sig: flip(e0.sig, 3) }]))]);
  await send("ed-bad-msg", [E(edLayout([{ ...e0, msg: cat(e0.msg, new Uint8Array([0])) }]))]);
  for (const [name, pubkey, sig] of ed25519Edge(e0)) await send(`ed-${name}`, [E(edLayout([{ pubkey, sig, msg: e0.msg }]))]);
  // The key, signature and message in another instruction: a second
  // Ed25519 instruction (itself valid) or a Memo holding the message.
  {
    const other = edLayout([e1]);
    const pk = 16, sg = 48, mg = 112;
    const raw = { sigOff: sg, sigIx: 1, pkOff: pk, pkIx: 1, msgOff: mg, msgSize: e1.msg.length, msgIx: 1 };
    await send("ed-other-ix", [E(edLayout([{ raw }])), E(other)]);
    await send("ed-other-ix-before", [E(other), E(edLayout([{ raw: { ...raw, sigIx: 0, pkIx: 0, msgIx: 0 } }]))]);
    await send("ed-other-ix-missing", [E(edLayout([{ raw: { ...raw, msgIx: 2 } }])), E(other)]);
    await send("ed-memo-msg-key-out-of-range", [ix(MEMO, [], e0.msg), E(edLayout([{ raw: { sigOff: 0, sigIx: SELF, pkOff: 0, pkIx: SELF, msgOff: 0, msgSize: e0.msg.length, msgIx: 0 } }]))]);
    const withPkSig = edLayout([{ raw: { sigOff: 48, sigIx: SELF, pkOff: 16, pkIx: SELF, msgOff: 0, msgSize: e0.msg.length, msgIx: 0 } }], { trailing: cat(e0.pubkey, e0.sig) });
    await send("ed-memo-msg-inline-key", [ix(MEMO, [], e0.msg), E(withPkSig)]);
  }
  // Secp256k1.
  await send("k1-one", [K(k1Layout([k0], 0))]);
  await send("k1-three", [K(k1Layout([k0, k1b, k2], 0))]);
  await send("k1-second-ix", [E(edLayout([e0])), K(k1Layout([k0], 1))]);
  await send("k1-self-index-wrong", [E(edLayout([e0])), K(k1Layout([k0], 0))]);
  await send("k1-empty", [K(new Uint8Array())]);
  await send("k1-zero", [K(new Uint8Array([0]))]);
  await send("k1-zero-extra", [K(new Uint8Array([0, 0]))]);
  await send("k1-count-over", [K(k1Layout([k0], 0, { count: 2 }))]);
  await send("k1-trailing", [K(k1Layout([k0], 0, { trailing: new Uint8Array([9, 9]) }))]);
  await send("k1-bad-sig", [K(k1Layout([{ ...k0, sig: flip(k0.sig, 40) }], 0))]);
  await send("k1-wrong-address", [K(k1Layout([{ ...k0, pubkey: k1b.pubkey }], 0))]);
  await send("k1-other-recid", [K(k1Layout([{ ...k0, recid: k0.recid ^ 1 }], 0))]);
  for (const id of [2, 3, 4, 27, 255]) await send(`k1-recid-${id}`, [K(k1Layout([{ ...k0, recid: id }], 0))]);
  await send("k1-r-zero", [K(k1Layout([{ ...k0, sig: cat(new Uint8Array(32), k0.sig.subarray(32)) }], 0))]);
  await send("k1-r-overflow", [K(k1Layout([{ ...k0, sig: cat(new Uint8Array(32).fill(0xff), k0.sig.subarray(32)), recid: 9 }], 0))]);
  {
    const n = hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    let c = 0n; for (const x of n) c = (c << 8n) | BigInt(x);
    let s = 0n; for (const x of k0.sig.subarray(32)) s = (s << 8n) | BigInt(x);
    const hs = c - s, hb = new Uint8Array(32);
    for (let i = 31, v = hs; i >= 0; i--, v >>= 8n) hb[i] = Number(v & 0xffn);
    await send("k1-high-s", [K(k1Layout([{ ...k0, sig: cat(k0.sig.subarray(0, 32), hb), recid: k0.recid ^ 1 }], 0))]);
  }
  // Secp256r1 (enable_secp256r1_precompile).
  await send("r1-one", [P(edLayout([p0]))]);
  await send("r1-two", [P(edLayout([p0, p1]))]);
  await send("r1-zero", [P(new Uint8Array([0, 0]))]);
  {
    // Nine records over one inline signature: over the limit of 8.
    const raw = { sigOff: 2 + 14 * 9 + 33, sigIx: SELF, pkOff: 2 + 14 * 9, pkIx: SELF, msgOff: 2 + 14 * 9 + 97, msgSize: p0.msg.length, msgIx: SELF };
    await send("r1-nine", [P(edLayout(Array(9).fill({ raw }), { trailing: cat(p0.pubkey, p0.sig, p0.msg) }))]);
    await send("r1-eight", [P(edLayout(Array(8).fill({ raw: { ...raw, sigOff: raw.sigOff - 14, pkOff: raw.pkOff - 14, msgOff: raw.msgOff - 14 } }), { trailing: cat(p0.pubkey, p0.sig, p0.msg) }))]);
  }
  await send("r1-bad-sig", [P(edLayout([{ ...p0, sig: flip(p0.sig, 5) }]))]);
  await send("r1-bad-key", [P(edLayout([{ ...p0, pubkey: cat(new Uint8Array([4]), p0.pubkey.subarray(1)) }]))]);
  {
    const nn = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let c = 0n; for (const x of nn) c = (c << 8n) | BigInt(x);
    let s = 0n; for (const x of p0.sig.subarray(32)) s = (s << 8n) | BigInt(x);
    const hb = new Uint8Array(32);
    for (let i = 31, v = c - s; i >= 0; i--, v >>= 8n) hb[i] = Number(v & 0xffn);
    await send("r1-high-s", [P(edLayout([{ ...p0, sig: cat(p0.sig.subarray(0, 32), hb) }]))]);
  }
  // The fee: every claimed signature is paid for, verified or not.
  await send("fee-many", [E(edLayout([e0, e1])), K(k1Layout([k0, k1b], 1)), P(edLayout([p0]))]);
  await send("fee-claimed-255", [E(new Uint8Array([255, 0]))]);
  await send("fee-priority", [ix(COMPUTE_BUDGET, [], cat(new Uint8Array([3]), u64le(1_000_000n))), E(edLayout([e0])), P(edLayout([p0]))]);
  fund(5_000n * 3n - 1n);
  await send("fee-insufficient", [E(edLayout([e0, e1]))]);
  fund(5_000n * 3n);
  await send("fee-exact", [E(edLayout([e0, e1]))]);
  fund();

  // Generated: valid instructions of each kind, some mutated (a byte of
  // the records, the inline bytes, the count; truncated; data moved to
  // another instruction), several per transaction.
  const start = run.cases.length;
  for (let i = 0; run.cases.length - start < n; i++) {
    const ixs = [];
    const m = 1 + rng.int(3);
    for (let j = 0; j < m; j++) {
      const kind = rng.int(3);
      const cnt = 1 + rng.int(2);
      let data;
      if (kind === 0) data = edLayout(Array.from({ length: cnt }, () => rng.pick(ed)));
      else if (kind === 1) data = k1Layout(Array.from({ length: cnt }, () => rng.pick(k1)), j);
      else data = edLayout(Array.from({ length: cnt }, () => rng.pick(r1)));
      if (rng.chance(0.5)) {
        data = new Uint8Array(data);
        switch (rng.int(5)) {
          case 0: data[rng.int(data.length)] ^= 1 << rng.int(8); break;
          case 1: data = data.subarray(0, rng.int(data.length)); break;
          case 2: data[0] = rng.pick([0, cnt + 1, 255]); break;
          case 3: { const at = kind === 1 ? 1 + rng.int(11) : 2 + rng.int(14); data[at] = rng.pick([0, 1, 2, 0xff]); break; }
          default: data = cat(data, new Uint8Array(1 + rng.int(4))); break;
        }
      }
      ixs.push(ix([ED25519, SECP256K1, SECP256R1][kind], [], data));
    }
    await send(`gen-${i}`, ixs);
  }
}
