/* econbase: the jobs of Agora's economics primitives written as an
 * ordinary sBPF program, without the econ syscalls: the baseline that
 * bench/econ_test.go measures the native primitives against (docs/costs.md:
 * "an auction settled in bytecode vs agora_auction_settle").
 *
 * It keeps its state in accounts it owns, in exactly the layouts of
 * package ext/econ (sdk/c/agora.h, ext/econ section), and applies the
 * same rules, so that a job done here and natively ends in the same bytes
 * and balances (the benchmark checks it). Where the native program calls
 * the System program, so does this one (by CPI).
 *
 * Instructions (first byte, then the econ argument struct):
 *   0 AuctionCreate (VCG) AgoraAuctionCreate
 *       [creator (s,w), auction PDA of this program (w), System program]
 *   1 AuctionSettle (VCG)
 *       [auction (w), beneficiary (w), bidders in bid order (w)]
 *   2 AuctionSettle (sealed, first or second price)
 *       [auction (w), beneficiary (w), bidders in bid order (w)]
 *   3 EscrowCreate AgoraEscrowCreate
 *       [A (s,w), escrow PDA (w), B (w, s when amount_b), System program]
 *   4 EscrowRelease
 *       [escrow (w), A (w), B (w), oracle if any, approvers (s)...]
 *   5 ReputationUpdate AgoraReputationUpdate (an agent already rated)
 *       [registry, rater (s), score (w)]
 *
 * Errors: the econ codes (AGORA_ECON_*) as Custom errors.
 */
#include "agora.h"
#include "agora_cpi.h"

/* The heap (32 KiB at 0x300000000): the VCG tables from its start, the
 * account infos (too many for a 512-byte stack frame) in its last 2 KiB. */
#define HEAP ((uint64_t *)0x300000000ULL)
#define HEAP_WORDS ((32 * 1024 - 2048) / 8)
#define ACCOUNT_INFOS ((SolAccountInfo *)(0x300000000ULL + 32 * 1024 - 2048))
#define MAX_ACCOUNTS (2 + AGORA_ECON_MAX_BIDS)
SOL_STATIC_ASSERT(MAX_ACCOUNTS * sizeof(SolAccountInfo) <= 2048, "account infos fit");

static uint64_t rd64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) {
    v = (v << 8) | p[i];
  }
  return v;
}

static void wr64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) {
    p[i] = (uint8_t)(v >> (8 * i));
  }
}

static bool is_zero(const uint8_t *p, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) {
    if (p[i]) {
      return false;
    }
  }
  return true;
}

static bool owned(const SolAccountInfo *a, const SolParameters *params) {
  return SolPubkey_same(a->owner, params->program_id);
}

static uint64_t now_slot(void) {
  SolClock c;
  sol_get_clock_sysvar(&c);
  return c.slot;
}

static uint64_t rent_minimum(uint64_t len) {
  SolRent r;
  sol_get_rent_sysvar(&r);
  return (128 + len) * r.lamports_per_byte_year * 2;
}

/* System CreateAccount of `to` (a PDA of this program, seeds given) paid
 * by `payer`, owned by this program. */
typedef struct {
  SolAccountInfo *payer, *to, *system;
  uint64_t lamports, space;
  const SolSignerSeed *seeds;
  uint64_t nseeds;
} CreateArgs;

static void create_account(SolParameters *params, const CreateArgs *c) {
  uint8_t data[4 + 8 + 8 + 32];
  wr64(data, 0);
  wr64(data + 4, c->lamports);
  wr64(data + 12, c->space);
  sol_memcpy(data + 20, params->program_id, 32);
  SolAccountMeta metas[2] = {{c->payer->key, true, true}, {c->to->key, true, true}};
  SolInstruction ix = {c->system->key, metas, 2, data, sizeof(data)};
  const SolSignerSeeds signers[1] = {{c->seeds, c->nseeds}};
  sol_invoke_signed_c(&ix, params->ka, params->ka_num, signers, 1);
}

static void transfer(SolParameters *params, SolAccountInfo *from, SolAccountInfo *to,
                     SolAccountInfo *system, uint64_t lamports) {
  uint8_t data[12];
  data[0] = 2;
  data[1] = data[2] = data[3] = 0;
  wr64(data + 4, lamports);
  SolAccountMeta metas[2] = {{from->key, true, true}, {to->key, true, false}};
  SolInstruction ix = {system->key, metas, 2, data, sizeof(data)};
  sol_invoke_signed_c(&ix, params->ka, params->ka_num, NULL, 0);
}

static bool system_payer(const SolAccountInfo *a, uint64_t amount) {
  const SolPubkey system = {{0}};
  return a->is_signer && a->is_writable && SolPubkey_same(a->owner, &system) &&
         a->data_len == 0 && *a->lamports >= amount;
}

static bool fresh(const SolAccountInfo *a) {
  const SolPubkey system = {{0}};
  return a->is_writable && SolPubkey_same(a->owner, &system) && *a->lamports == 0 &&
         a->data_len == 0;
}

/* ---- 0: VCG auction create --------------------------------------------- */

static __attribute__((noinline)) uint64_t auction_create(SolParameters *params) {
  if (params->ka_num < 3) {
    return AGORA_ECON_NOT_ENOUGH_ACCOUNTS;
  }
  if (params->data_len != 1 + sizeof(AgoraAuctionCreate)) {
    return AGORA_ECON_INVALID_INSTRUCTION;
  }
  /* sBPF loads need no alignment: read the arguments in place. */
  const AgoraAuctionCreate *ap = (const AgoraAuctionCreate *)(params->data + 1);
  SolAccountInfo *creator = &params->ka[0], *auction = &params->ka[1];
  if (ap->kind != AGORA_AUCTION_VCG || ap->_pad != 0) {
    return AGORA_ECON_INVALID_INSTRUCTION;
  }
  const SolPubkey zero = {{0}};
  if (ap->bid_slots == 0 || SolPubkey_same(&ap->beneficiary, &zero) || ap->reveal_slots || ap->penalty ||
      ap->max_bids == 0 || ap->max_bids > AGORA_ECON_MAX_BIDS || ap->items == 0 ||
      ap->items > AGORA_ECON_MAX_VCG_ITEMS || ap->start_price || ap->increment ||
      !is_zero((const uint8_t *)ap->weights, sizeof(ap->weights))) {
    return AGORA_ECON_INVALID_PARAMETER;
  }
  uint64_t slot = now_slot();
  uint64_t end = slot + ap->bid_slots;
  if (end < slot) {
    return AGORA_ECON_OVERFLOW;
  }
  uint8_t id[8];
  wr64(id, ap->id);
  const SolSignerSeed seeds[4] = {
      {(const uint8_t *)"auction", 7}, {creator->key->x, 32}, {id, 8}, {&ap->bump, 1}};
  SolPubkey derived;
  if (!auction->is_writable ||
      sol_create_program_address(seeds, 4, params->program_id, &derived) != 0 ||
      !SolPubkey_same(&derived, auction->key)) {
    return AGORA_ECON_WRONG_ACCOUNT;
  }
  if (!fresh(auction)) {
    return AGORA_ECON_ALREADY_INITIALIZED;
  }
  uint64_t size = AGORA_AUCTION_HEADER_SIZE + (uint64_t)ap->max_bids * sizeof(AgoraBidRecord);
  uint64_t rent = rent_minimum(size);
  if (!creator->is_signer) {
    return AGORA_ECON_MISSING_SIGNATURE;
  }
  if (!system_payer(creator, rent)) {
    return AGORA_ECON_INSUFFICIENT_FUNDS;
  }
  const CreateArgs c = {creator, auction, &params->ka[2], rent, size, seeds, 4};
  create_account(params, &c);
  uint8_t *d = auction->data;
  d[0] = 1;
  d[1] = 1;
  d[2] = ap->kind;
  d[3] = 0;
  d[4] = ap->bump;
  d[5] = ap->items;
  d[6] = ap->max_bids;
  d[7] = 0;
  wr64(d + 8, ap->id);
  sol_memcpy(d + 16, creator->key, 32);
  sol_memcpy(d + 48, &ap->beneficiary, 32);
  wr64(d + 80, slot);
  wr64(d + 88, end);
  wr64(d + 96, end);
  wr64(d + 104, ap->reserve);
  return SUCCESS;
}

/* ---- settlement helpers ------------------------------------------------- */

static AgoraBidRecord *bid_at(uint8_t *d, uint64_t i) {
  return (AgoraBidRecord *)(d + AGORA_AUCTION_HEADER_SIZE + i * sizeof(AgoraBidRecord));
}

/* Checks the auction and the accounts of a settlement; returns the
 * number of bids in *n. */
static uint64_t settle_accounts(SolParameters *params, uint64_t *n, uint64_t *slot) {
  if (params->ka_num < 2) {
    return AGORA_ECON_NOT_ENOUGH_ACCOUNTS;
  }
  SolAccountInfo *auction = &params->ka[0];
  if (!auction->is_writable) {
    return AGORA_ECON_NOT_WRITABLE;
  }
  if (!owned(auction, params)) {
    return AGORA_ECON_WRONG_OWNER;
  }
  uint8_t *d = auction->data;
  if (auction->data_len < AGORA_AUCTION_HEADER_SIZE || d[0] != 1 || d[1] != 1 ||
      auction->data_len != AGORA_AUCTION_HEADER_SIZE + d[6] * sizeof(AgoraBidRecord)) {
    return AGORA_ECON_INVALID_STATE;
  }
  if (d[3] != 0) {
    return AGORA_ECON_CLOSED;
  }
  *n = d[7];
  *slot = now_slot();
  uint64_t opens = (d[2] == AGORA_AUCTION_SEALED_FIRST || d[2] == AGORA_AUCTION_SEALED_SECOND) ? rd64(d + 96) : rd64(d + 88);
  if (*slot < opens) {
    return AGORA_ECON_TOO_EARLY;
  }
  if (params->ka_num < 2 + *n) {
    return AGORA_ECON_NOT_ENOUGH_ACCOUNTS;
  }
  if (!SolPubkey_same(params->ka[1].key, (const SolPubkey *)(d + 48))) {
    return AGORA_ECON_WRONG_ACCOUNT;
  }
  if (!params->ka[1].is_writable) {
    return AGORA_ECON_NOT_WRITABLE;
  }
  for (uint64_t i = 0; i < *n; i++) {
    if (!SolPubkey_same(params->ka[2 + i].key, &bid_at(d, i)->bidder)) {
      return AGORA_ECON_WRONG_ACCOUNT;
    }
    if (!params->ka[2 + i].is_writable) {
      return AGORA_ECON_NOT_WRITABLE;
    }
  }
  return SUCCESS;
}

/* Pays out: pay[i] to the beneficiary, lock - pay[i] back to bidder i. */
static void pay_out(SolParameters *params, uint64_t n, const uint64_t *pay, uint64_t winners,
                    uint64_t slot) {
  uint8_t *d = params->ka[0].data;
  uint64_t proceeds = 0;
  for (uint64_t i = 0; i < n; i++) {
    AgoraBidRecord *b = bid_at(d, i);
    uint64_t refund = b->locked - pay[i];
    proceeds += pay[i];
    *params->ka[0].lamports -= b->locked;
    *params->ka[2 + i].lamports += refund;
    b->paid = pay[i];
    if (winners & (1ULL << i)) {
      b->flags |= 4;
    }
  }
  *params->ka[1].lamports += proceeds;
  d[3] = 1;
  wr64(d + 200, slot);
  wr64(d + 208, proceeds);
}

/* ---- 1: VCG settlement -------------------------------------------------- */

static __attribute__((noinline)) uint64_t vcg_settle(SolParameters *params) {
  uint64_t n, slot;
  uint64_t r = settle_accounts(params, &n, &slot);
  if (r != SUCCESS) {
    return r;
  }
  uint8_t *d = params->ka[0].data;
  if (d[2] != AGORA_AUCTION_VCG) {
    return AGORA_ECON_WRONG_KIND;
  }
  uint64_t m = d[5];
  uint64_t full = 1ULL << m;
  if ((n + 1) * full + full > HEAP_WORDS) {
    return AGORA_ECON_INVALID_PARAMETER; /* this baseline's heap */
  }
  uint64_t *h = HEAP, *g = HEAP + (n + 1) * full;
  for (uint64_t s = 0; s < full; s++) {
    h[n * full + s] = 0;
  }
  for (uint64_t k = n; k-- > 0;) {
    AgoraBidRecord *b = bid_at(d, k);
    uint64_t bk = b->bundle, vk = b->value;
    uint64_t *row = h + k * full, *next = h + (k + 1) * full;
    for (uint64_t s = 0; s < full; s++) {
      uint64_t best = next[s];
      if ((s & bk) == bk) {
        uint64_t c = vk + next[s & ~bk];
        if (c < vk) {
          return AGORA_ECON_OVERFLOW;
        }
        if (c > best) {
          best = c;
        }
      }
      row[s] = best;
    }
  }
  uint64_t welfare = h[full - 1], winners = 0, s = full - 1;
  for (uint64_t k = 0; k < n; k++) {
    AgoraBidRecord *b = bid_at(d, k);
    if ((s & b->bundle) == b->bundle && b->value + h[(k + 1) * full + (s & ~b->bundle)] == h[k * full + s]) {
      winners |= 1ULL << k;
      s &= ~b->bundle;
    }
  }
  uint64_t pay[AGORA_ECON_MAX_BIDS];
  for (uint64_t i = 0; i < n; i++) {
    pay[i] = 0;
    if (!(winners & (1ULL << i))) {
      continue;
    }
    for (uint64_t t = 0; t < full; t++) {
      g[t] = 0;
    }
    for (uint64_t k = 0; k < n; k++) {
      if (k == i) {
        continue;
      }
      AgoraBidRecord *b = bid_at(d, k);
      uint64_t bk = b->bundle, vk = b->value;
      for (uint64_t t = full; t-- > 0;) {
        if ((t & bk) == bk && vk + g[t & ~bk] > g[t]) {
          g[t] = vk + g[t & ~bk];
        }
      }
    }
    pay[i] = g[full - 1] - (welfare - bid_at(d, i)->value);
  }
  pay_out(params, n, pay, winners, slot);
  uint64_t ret[3] = {rd64(d + 208), winners, welfare};
  sol_set_return_data((const uint8_t *)ret, sizeof(ret));
  return SUCCESS;
}

/* ---- 2: sealed settlement ------------------------------------------------ */

static __attribute__((noinline)) uint64_t sealed_settle(SolParameters *params) {
  uint64_t n, slot;
  uint64_t r = settle_accounts(params, &n, &slot);
  if (r != SUCCESS) {
    return r;
  }
  uint8_t *d = params->ka[0].data;
  if (d[2] != AGORA_AUCTION_SEALED_FIRST && d[2] != AGORA_AUCTION_SEALED_SECOND) {
    return AGORA_ECON_WRONG_KIND;
  }
  uint64_t reserve = rd64(d + 104), penalty = rd64(d + 128);
  uint64_t min = reserve > 1 ? reserve : 1;
  uint64_t pay[AGORA_ECON_MAX_BIDS];
  int64_t first = -1, second = -1;
  for (uint64_t i = 0; i < n; i++) {
    AgoraBidRecord *b = bid_at(d, i);
    pay[i] = 0;
    if (!(b->flags & 1)) {
      pay[i] = penalty < b->locked ? penalty : b->locked;
      b->flags |= 8;
      continue;
    }
    if (b->value < min) {
      continue;
    }
    if (first < 0 || b->value > bid_at(d, first)->value) {
      second = first;
      first = (int64_t)i;
    } else if (second < 0 || b->value > bid_at(d, second)->value) {
      second = (int64_t)i;
    }
  }
  uint64_t winners = 0, welfare = 0;
  if (first >= 0) {
    AgoraBidRecord *w = bid_at(d, first);
    uint64_t price = w->value;
    if (d[2] == AGORA_AUCTION_SEALED_SECOND) {
      price = reserve;
      if (second >= 0 && bid_at(d, second)->value > price) {
        price = bid_at(d, second)->value;
      }
    }
    pay[first] = price;
    winners = 1ULL << first;
    welfare = w->value;
  }
  pay_out(params, n, pay, winners, slot);
  uint64_t ret[3] = {rd64(d + 208), winners, welfare};
  sol_set_return_data((const uint8_t *)ret, sizeof(ret));
  return SUCCESS;
}

/* ---- 3: escrow create ---------------------------------------------------- */

#define ESCROW_SIZE (176 + 8 * 32)

static __attribute__((noinline)) uint64_t escrow_create(SolParameters *params) {
  if (params->ka_num < 4) {
    return AGORA_ECON_NOT_ENOUGH_ACCOUNTS;
  }
  if (params->data_len != 1 + sizeof(AgoraEscrowCreate)) {
    return AGORA_ECON_INVALID_INSTRUCTION;
  }
  const AgoraEscrowCreate *ep = (const AgoraEscrowCreate *)(params->data + 1);
  SolAccountInfo *a = &params->ka[0], *escrow = &params->ka[1], *b = &params->ka[2];
  if ((ep->conditions & ~7) || ep->oracle_op > 5 || ep->n > 8 || ep->_pad[0] || ep->_pad[1] || ep->_pad[2] || ep->_pad2) {
    return AGORA_ECON_INVALID_INSTRUCTION;
  }
  const SolPubkey zero = {{0}};
  if (ep->conditions == 0 || (ep->amount_a == 0 && ep->amount_b == 0) || ep->timeout_slots == 0) {
    return AGORA_ECON_INVALID_PARAMETER;
  }
  if (ep->conditions & AGORA_ESCROW_ORACLE ? SolPubkey_same(&ep->oracle, &zero)
                                          : (!SolPubkey_same(&ep->oracle, &zero) || ep->oracle_offset || ep->threshold || ep->oracle_op)) {
    return AGORA_ECON_INVALID_PARAMETER;
  }
  if (ep->conditions & AGORA_ESCROW_TIME_LOCK ? ep->lock_slots >= ep->timeout_slots : ep->lock_slots != 0) {
    return AGORA_ECON_INVALID_PARAMETER;
  }
  if (ep->conditions & AGORA_ESCROW_APPROVALS ? (ep->k == 0 || ep->k > ep->n) : (ep->k || ep->n)) {
    return AGORA_ECON_INVALID_PARAMETER;
  }
  for (uint64_t i = 0; i < 8; i++) {
    bool z = SolPubkey_same(&ep->approvers[i], &zero);
    if (i >= ep->n ? !z : z) {
      return AGORA_ECON_INVALID_PARAMETER;
    }
    for (uint64_t j = 0; j < i && i < ep->n; j++) {
      if (SolPubkey_same(&ep->approvers[i], &ep->approvers[j])) {
        return AGORA_ECON_INVALID_PARAMETER;
      }
    }
  }
  if (SolPubkey_same(a->key, b->key)) {
    return AGORA_ECON_INVALID_PARAMETER;
  }
  uint64_t slot = now_slot();
  uint64_t unlock = slot + ep->lock_slots, timeout = slot + ep->timeout_slots;
  if (unlock < slot || timeout < slot || ep->amount_a + ep->amount_b < ep->amount_a) {
    return AGORA_ECON_OVERFLOW;
  }
  uint8_t id[8];
  wr64(id, ep->id);
  const SolSignerSeed seeds[4] = {
      {(const uint8_t *)"escrow", 6}, {a->key->x, 32}, {id, 8}, {&ep->bump, 1}};
  SolPubkey derived;
  if (!escrow->is_writable ||
      sol_create_program_address(seeds, 4, params->program_id, &derived) != 0 ||
      !SolPubkey_same(&derived, escrow->key)) {
    return AGORA_ECON_WRONG_ACCOUNT;
  }
  if (!fresh(escrow)) {
    return AGORA_ECON_ALREADY_INITIALIZED;
  }
  uint64_t need = rent_minimum(ESCROW_SIZE) + ep->amount_a;
  if (!system_payer(a, need) || (ep->amount_b > 0 ? !system_payer(b, ep->amount_b) : !b->is_writable)) {
    return AGORA_ECON_INSUFFICIENT_FUNDS;
  }
  const CreateArgs c = {a, escrow, &params->ka[3], need, ESCROW_SIZE, seeds, 4};
  create_account(params, &c);
  if (ep->amount_b > 0) {
    transfer(params, b, escrow, &params->ka[3], ep->amount_b);
  }
  uint8_t *d = escrow->data;
  d[0] = 2;
  d[1] = 1;
  d[2] = 0;
  d[3] = ep->bump;
  d[4] = ep->conditions;
  d[5] = ep->oracle_op;
  d[6] = ep->k;
  d[7] = ep->n;
  wr64(d + 8, ep->id);
  sol_memcpy(d + 16, a->key, 32);
  sol_memcpy(d + 48, b->key, 32);
  wr64(d + 80, ep->amount_a);
  wr64(d + 88, ep->amount_b);
  sol_memcpy(d + 96, &ep->oracle, 32);
  wr64(d + 128, ep->oracle_offset);
  wr64(d + 136, ep->threshold);
  wr64(d + 144, (ep->conditions & AGORA_ESCROW_TIME_LOCK) ? unlock : slot);
  wr64(d + 152, timeout);
  wr64(d + 160, slot);
  sol_memcpy(d + 176, ep->approvers, 8 * 32);
  return SUCCESS;
}

/* ---- 4: escrow release --------------------------------------------------- */

static __attribute__((noinline)) uint64_t escrow_release(SolParameters *params) {
  if (params->ka_num < 3) {
    return AGORA_ECON_NOT_ENOUGH_ACCOUNTS;
  }
  SolAccountInfo *escrow = &params->ka[0];
  if (!escrow->is_writable) {
    return AGORA_ECON_NOT_WRITABLE;
  }
  if (!owned(escrow, params)) {
    return AGORA_ECON_WRONG_OWNER;
  }
  uint8_t *d = escrow->data;
  if (escrow->data_len != ESCROW_SIZE || d[0] != 2 || d[1] != 1 || d[2] > 2 || (d[4] & ~7) ||
      d[5] > 5 || d[7] > 8 || d[6] > d[7]) {
    return AGORA_ECON_INVALID_STATE;
  }
  if (d[2] != 0) {
    return AGORA_ECON_CLOSED;
  }
  for (int i = 0; i < 2; i++) {
    if (!SolPubkey_same(params->ka[1 + i].key, (const SolPubkey *)(d + 16 + 32 * i))) {
      return AGORA_ECON_WRONG_ACCOUNT;
    }
    if (!params->ka[1 + i].is_writable) {
      return AGORA_ECON_NOT_WRITABLE;
    }
  }
  uint64_t slot = now_slot();
  if (slot >= rd64(d + 152)) {
    return AGORA_ECON_TOO_LATE;
  }
  uint8_t cond = d[4];
  uint64_t next = 3;
  if ((cond & AGORA_ESCROW_TIME_LOCK) && slot < rd64(d + 144)) {
    return AGORA_ECON_TOO_EARLY;
  }
  if (cond & AGORA_ESCROW_ORACLE) {
    if (params->ka_num < 4) {
      return AGORA_ECON_NOT_ENOUGH_ACCOUNTS;
    }
    SolAccountInfo *oracle = &params->ka[3];
    if (!SolPubkey_same(oracle->key, (const SolPubkey *)(d + 96))) {
      return AGORA_ECON_WRONG_ACCOUNT;
    }
    uint64_t off = rd64(d + 128) & 0xffffffff;
    if (off + 8 > oracle->data_len) {
      return AGORA_ECON_CONDITION_NOT_MET;
    }
    uint64_t v = rd64(oracle->data + off), t = rd64(d + 136);
    bool holds;
    switch (d[5]) {
    case AGORA_ORACLE_EQ: holds = v == t; break;
    case AGORA_ORACLE_NE: holds = v != t; break;
    case AGORA_ORACLE_LT: holds = v < t; break;
    case AGORA_ORACLE_LE: holds = v <= t; break;
    case AGORA_ORACLE_GT: holds = v > t; break;
    default: holds = v >= t; break;
    }
    if (!holds) {
      return AGORA_ECON_CONDITION_NOT_MET;
    }
    next = 4;
  }
  if (cond & AGORA_ESCROW_APPROVALS) {
    uint32_t approved = 0;
    for (uint64_t i = next; i < params->ka_num; i++) {
      if (!params->ka[i].is_signer) {
        continue;
      }
      for (uint64_t j = 0; j < d[7]; j++) {
        if (SolPubkey_same(params->ka[i].key, (const SolPubkey *)(d + 176 + 32 * j))) {
          approved |= 1u << j;
        }
      }
    }
    uint64_t count = 0;
    for (; approved; approved &= approved - 1) {
      count++;
    }
    if (count < d[6]) {
      return AGORA_ECON_CONDITION_NOT_MET;
    }
  }
  uint64_t amount_a = rd64(d + 80), amount_b = rd64(d + 88);
  *escrow->lamports -= amount_a + amount_b;
  *params->ka[2].lamports += amount_a;
  *params->ka[1].lamports += amount_b;
  d[2] = 1;
  wr64(d + 168, slot);
  return SUCCESS;
}

/* ---- 5: reputation update ------------------------------------------------ */

/* x * y >> 32 for y <= 2^32, without 128-bit arithmetic. */
static uint64_t mul_q32(uint64_t x, uint64_t y) {
  return (x >> 32) * y + (((x & 0xffffffffULL) * y) >> 32);
}

static int64_t decay(int64_t v, uint64_t k, uint32_t q) {
  if (v == 0 || k == 0 || q >= 65536) {
    return v;
  }
  uint64_t p = 1ULL << 32, b = (uint64_t)q << 16;
  while (k > 0 && p > 0) {
    if (k & 1) {
      p = mul_q32(p, b);
    }
    k >>= 1;
    if (k > 0) {
      b = mul_q32(b, b);
    }
  }
  uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
  mag = mul_q32(mag, p);
  return v < 0 ? -(int64_t)mag : (int64_t)mag;
}

static __attribute__((noinline)) uint64_t reputation_update(SolParameters *params) {
  if (params->data_len != 1 + sizeof(AgoraReputationUpdate)) {
    return AGORA_ECON_INVALID_INSTRUCTION;
  }
  AgoraReputationUpdate u;
  sol_memcpy(&u, params->data + 1, sizeof(u));
  if (!is_zero(u._pad, 7)) {
    return AGORA_ECON_INVALID_INSTRUCTION;
  }
  if (params->ka_num < 3) {
    return AGORA_ECON_NOT_ENOUGH_ACCOUNTS;
  }
  SolAccountInfo *reg = &params->ka[0], *rater = &params->ka[1], *score = &params->ka[2];
  if (!owned(reg, params)) {
    return AGORA_ECON_WRONG_OWNER;
  }
  const uint8_t *r = reg->data;
  if (reg->data_len != 96 + 16 * 40 || r[0] != 3 || r[1] != 1 || r[2] > 16) {
    return AGORA_ECON_INVALID_STATE;
  }
  uint32_t q = (uint32_t)rd64(r + 48);
  uint64_t period = rd64(r + 56);
  int64_t min_rating = (int64_t)rd64(r + 64), max_rating = (int64_t)rd64(r + 72);
  int64_t score_min = (int64_t)rd64(r + 80), score_max = (int64_t)rd64(r + 88);
  if (q > 65536 || period == 0 || min_rating > max_rating || score_min > 0 || score_max < 0) {
    return AGORA_ECON_INVALID_STATE;
  }
  if (!rater->is_signer) {
    return AGORA_ECON_MISSING_SIGNATURE;
  }
  uint64_t weight = 0;
  for (uint64_t i = 0; i < r[2]; i++) {
    if (SolPubkey_same(rater->key, (const SolPubkey *)(r + 96 + 40 * i))) {
      weight = rd64(r + 96 + 40 * i + 32) & 0xffffffff;
    }
  }
  if (weight == 0) {
    return AGORA_ECON_UNAUTHORIZED;
  }
  if (u.rating < min_rating || u.rating > max_rating) {
    return AGORA_ECON_OUT_OF_BOUNDS;
  }
  if (!score->is_writable) {
    return AGORA_ECON_NOT_WRITABLE;
  }
  if (!owned(score, params)) {
    return AGORA_ECON_WRONG_OWNER; /* this baseline rates agents already rated */
  }
  uint8_t *s = score->data;
  if (score->data_len != 104 || s[0] != 4 || s[1] != 1) {
    return AGORA_ECON_INVALID_STATE;
  }
  if (!SolPubkey_same((const SolPubkey *)(s + 8), reg->key) ||
      !SolPubkey_same((const SolPubkey *)(s + 40), &u.agent)) {
    return AGORA_ECON_WRONG_ACCOUNT;
  }
  uint64_t slot = now_slot();
  int64_t value = (int64_t)rd64(s + 72);
  uint64_t anchor = rd64(s + 80);
  if (slot > anchor) {
    uint64_t k = (slot - anchor) / period;
    value = decay(value, k, q);
    anchor += k * period;
  }
  /* weight (< 2^32) times the rating, checked. */
  uint64_t mag = u.rating < 0 ? -(uint64_t)u.rating : (uint64_t)u.rating;
  if (mag != 0 && weight > ((uint64_t)1 << 63) / mag) {
    return AGORA_ECON_OVERFLOW;
  }
  uint64_t pm = weight * mag;
  if (u.rating >= 0 ? pm > 0x7fffffffffffffffULL : pm > ((uint64_t)1 << 63)) {
    return AGORA_ECON_OVERFLOW;
  }
  int64_t delta = u.rating < 0 ? (int64_t)(0 - pm) : (int64_t)pm;
  int64_t nv = (int64_t)((uint64_t)value + (uint64_t)delta);
  if ((delta > 0 && nv < value) || (delta < 0 && nv > value)) {
    return AGORA_ECON_OVERFLOW;
  }
  if (nv < score_min) {
    nv = score_min;
  }
  if (nv > score_max) {
    nv = score_max;
  }
  uint64_t updates = rd64(s + 96) + 1;
  if (updates == 0) {
    return AGORA_ECON_OVERFLOW;
  }
  wr64(s + 72, (uint64_t)nv);
  wr64(s + 80, anchor);
  wr64(s + 88, slot);
  wr64(s + 96, updates);
  uint64_t ret[4] = {(uint64_t)nv, slot, updates, slot};
  sol_set_return_data((const uint8_t *)ret, sizeof(ret));
  return SUCCESS;
}

uint64_t entrypoint(const uint8_t *input) {
  SolParameters params = {.ka = ACCOUNT_INFOS};
  if (!sol_deserialize(input, &params, MAX_ACCOUNTS) || params.data_len < 1) {
    return AGORA_ECON_INVALID_INSTRUCTION;
  }
  if (params.ka_num > MAX_ACCOUNTS) {
    return AGORA_ECON_NOT_ENOUGH_ACCOUNTS;
  }
  switch (params.data[0]) {
  case 0:
    return auction_create(&params);
  case 1:
    return vcg_settle(&params);
  case 2:
    return sealed_settle(&params);
  case 3:
    return escrow_create(&params);
  case 4:
    return escrow_release(&params);
  case 5:
    return reputation_update(&params);
  }
  return AGORA_ECON_INVALID_INSTRUCTION;
}
