/* econagent: an agent that runs a VCG auction through Agora's economics
 * syscalls (ext/econ): it creates the auction, bids in it, and settles
 * it, and reports what happened in its logs and return data.
 *
 * Instructions (first byte):
 *   0 Create {bump u8, items u8, id u64, bid_slots u64}
 *       [creator (s,w), auction (w)]: a VCG auction of `items` items,
 *       at most 8 bids, for bid_slots slots, the creator its beneficiary.
 *   1 Bid {bundle u64, value u64}
 *       [auction (w), bidder (s,w)]: bids value for the bundle, unless the
 *       auction is settled or the bundle names items it does not have. A
 *       bid the program refuses (too low, too late, too many...) is not a
 *       failure of the agent: it logs the code and carries on.
 *   2 Settle
 *       [auction (w), beneficiary (w), every bidder in bid order (w)]:
 *       settles, logs proceeds, winners and welfare, and returns them.
 *   3 BidFromVault {bundle u64, value u64, vault_bump u8}
 *       [auction (w), vault (w)]: as Bid, from the agent's own vault, the
 *       System account at its PDA ["vault", bump], signed with the seeds.
 *
 * Errors: ERROR_INVALID_INSTRUCTION_DATA for short data,
 * ERROR_NOT_ENOUGH_ACCOUNT_KEYS, Custom(code) when create or settle is
 * refused (a creation or settlement the agent cannot do is its failure).
 */
#include "agora.h"
#include "agora_cpi.h"

static uint64_t read_u64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) {
    v = (v << 8) | p[i];
  }
  return v;
}

static __attribute__((noinline)) uint64_t create(SolParameters *params) {
  if (params->ka_num < 2) {
    return ERROR_NOT_ENOUGH_ACCOUNT_KEYS;
  }
  if (params->data_len < 19) {
    return ERROR_INVALID_INSTRUCTION_DATA;
  }
  AgoraAuctionCreate a;
  sol_memset(&a, 0, sizeof(a));
  a.kind = AGORA_AUCTION_VCG;
  a.bump = params->data[1];
  a.items = params->data[2];
  a.id = read_u64(params->data + 3);
  a.bid_slots = read_u64(params->data + 11);
  a.max_bids = 8;
  a.reserve = 1;
  sol_memcpy(&a.beneficiary, params->ka[0].key, 32);
  const uint8_t accounts[2] = {0, 1};
  uint64_t code = agora_auction_create(accounts, 2, &a, sizeof(a), NULL);
  if (code != 0) {
    sol_log("econagent: create refused");
    return code;
  }
  sol_log("econagent: auction created");
  return SUCCESS;
}

static __attribute__((noinline)) uint64_t bid(SolParameters *params, bool from_vault) {
  if (params->ka_num < 2) {
    return ERROR_NOT_ENOUGH_ACCOUNT_KEYS;
  }
  if (params->data_len < (from_vault ? 18u : 17u)) {
    return ERROR_INVALID_INSTRUCTION_DATA;
  }
  const SolAccountInfo *auction = &params->ka[0];
  AgoraAuctionBid b;
  sol_memset(&b, 0, sizeof(b));
  b.bundle = read_u64(params->data + 1);
  b.value = read_u64(params->data + 9);
  /* The agent's own judgement, before it spends a syscall: nothing to do
   * in a settled auction or for items the auction lacks. */
  if (auction->data_len < AGORA_AUCTION_HEADER_SIZE || auction->data[3] != 0 ||
      (b.bundle >> auction->data[5]) != 0) {
    sol_log("econagent: not bidding");
    return SUCCESS;
  }
  const uint8_t accounts[2] = {0, 1};
  uint64_t code;
  if (from_vault) {
    uint8_t bump = params->data[17];
    const SolSignerSeed seeds[2] = {{(const uint8_t *)"vault", 5}, {&bump, 1}};
    const SolSignerSeeds signer = {seeds, 2};
    const AgoraEconSigners signers = {&signer, 1};
    code = agora_auction_bid(accounts, 2, &b, sizeof(b), &signers);
  } else {
    code = agora_auction_bid(accounts, 2, &b, sizeof(b), NULL);
  }
  if (code != 0) {
    sol_log("econagent: bid refused");
    sol_log_64(b.bundle, b.value, code, 0, 0);
    return SUCCESS;
  }
  uint8_t ret[16];
  SolPubkey from;
  sol_get_return_data(ret, sizeof(ret), &from);
  sol_log("econagent: bid placed");
  sol_log_64(b.bundle, b.value, read_u64(ret), read_u64(ret + 8), 0);
  return SUCCESS;
}

static __attribute__((noinline)) uint64_t settle(SolParameters *params) {
  if (params->ka_num < 2 || params->ka[0].data_len < AGORA_AUCTION_HEADER_SIZE) {
    return ERROR_NOT_ENOUGH_ACCOUNT_KEYS;
  }
  uint64_t n = params->ka[0].data[AGORA_AUCTION_BID_COUNT_OFFSET];
  if (params->ka_num < 2 + n) {
    return ERROR_NOT_ENOUGH_ACCOUNT_KEYS;
  }
  uint8_t accounts[2 + AGORA_ECON_MAX_BIDS];
  for (uint64_t i = 0; i < 2 + n; i++) {
    accounts[i] = (uint8_t)i;
  }
  uint64_t code = agora_auction_settle(accounts, 2 + n, NULL, 0, NULL);
  if (code != 0) {
    sol_log("econagent: settlement refused");
    return code;
  }
  uint8_t ret[24];
  SolPubkey from;
  const SolPubkey econ = AGORA_ECON_PROGRAM_ID;
  if (sol_get_return_data(ret, sizeof(ret), &from) != 24 || !SolPubkey_same(&from, &econ)) {
    return ERROR_INVALID_ACCOUNT_DATA;
  }
  sol_log("econagent: settled (proceeds, winners, welfare)");
  sol_log_64(read_u64(ret), read_u64(ret + 8), read_u64(ret + 16), 0, 0);
  sol_set_return_data(ret, sizeof(ret));
  return SUCCESS;
}

uint64_t entrypoint(const uint8_t *input) {
  /* Only the first two accounts are read; ka_num still counts all. */
  SolAccountInfo ka[2];
  SolParameters params = {.ka = ka};
  if (!sol_deserialize(input, &params, SOL_ARRAY_SIZE(ka)) || params.data_len < 1) {
    return ERROR_INVALID_INSTRUCTION_DATA;
  }
  switch (params.data[0]) {
  case 0:
    return create(&params);
  case 1:
    return bid(&params, false);
  case 2:
    return settle(&params);
  case 3:
    return bid(&params, true);
  }
  return ERROR_INVALID_INSTRUCTION_DATA;
}
