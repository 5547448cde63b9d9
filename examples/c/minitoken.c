/* minitoken: a small token program, the C counterpart of the SPL Token
 * flow, that exercises the runtime: CPI to the System program signed with
 * program-derived-address seeds, the Clock and Rent sysvars (through the
 * syscalls and the Rent account), return data across CPI, and the invoke
 * stack height.
 *
 * Accounts are owned by this program. A mint (48 bytes: authority[32],
 * supply u64, decimals u8, initialized u8, padding) is created by the
 * client with the System program. Token accounts (80 bytes: mint[32],
 * owner[32], amount u64, created_slot u64) live at the PDA of
 * ["token", owner, mint, bump] and are created by this program.
 *
 * Instructions (first byte):
 *   0 InitMint {decimals u8}       [mint (w), authority (s), Rent sysvar]
 *   1 CreateAccount {bump u8}      [payer (s,w), token PDA (w), owner, mint,
 *                                   System program]
 *   2 MintTo {amount u64}          [mint (w), token (w), authority (s)]
 *   3 Transfer {amount u64}        [source (w), destination (w), owner (s)]
 *   4 Balance                      [token]: return data = amount u64,
 *                                   stack height u64
 *   5 BalanceViaCPI                [token, this program]: invokes Balance on
 *                                   itself and returns what it returned
 *   6 Recurse {n u8}               [this program]: invokes itself with n-1
 *                                   until n is 0, logging n and the stack
 *                                   height (the invoke depth limit)
 *
 * Errors: Custom(1) not initialized, Custom(2) wrong mint, Custom(3)
 * insufficient balance, Custom(4) wrong PDA, Custom(5) overflow, Custom(6)
 * unexpected return data; and the SDK's ERROR_* codes.
 */
#include "agora.h"
#include "agora_cpi.h"

#define MINT_SIZE 48
#define TOKEN_SIZE 80

#define E_UNINITIALIZED 1
#define E_WRONG_MINT 2
#define E_INSUFFICIENT 3
#define E_WRONG_PDA 4
#define E_OVERFLOW 5
#define E_RETURN_DATA 6

static uint64_t read_u64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) {
    v = (v << 8) | p[i];
  }
  return v;
}

static void write_u64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) {
    p[i] = (uint8_t)(v >> (8 * i));
  }
}

static bool owned(const SolAccountInfo *a, const SolParameters *params) {
  return SolPubkey_same(a->owner, params->program_id);
}

/* The rent-exempt minimum: (128 + len) * lamports_per_byte_year * 2. */
static uint64_t rent_minimum(const SolRent *rent, uint64_t len) {
  return (128 + len) * rent->lamports_per_byte_year * 2;
}

static __attribute__((noinline)) uint64_t init_mint(SolParameters *params) {
  if (params->ka_num < 3 || params->data_len < 2) {
    return ERROR_NOT_ENOUGH_ACCOUNT_KEYS;
  }
  SolAccountInfo *mint = &params->ka[0];
  SolAccountInfo *authority = &params->ka[1];
  SolAccountInfo *rent_account = &params->ka[2];
  if (!owned(mint, params) || mint->data_len != MINT_SIZE) {
    return ERROR_INVALID_ACCOUNT_DATA;
  }
  if (mint->data[41]) {
    return ERROR_ACCOUNT_ALREADY_INITIALIZED;
  }
  if (!authority->is_signer) {
    return ERROR_MISSING_REQUIRED_SIGNATURES;
  }
  /* The Rent account (bincode) and the syscall must agree. */
  SolRent rent;
  sol_get_rent_sysvar(&rent);
  if (rent_account->data_len < 17 ||
      read_u64(rent_account->data) != rent.lamports_per_byte_year ||
      rent.exemption_threshold_f64_bits != 0x4000000000000000ULL) {
    return ERROR_INVALID_ARGUMENT;
  }
  if (*mint->lamports < rent_minimum(&rent, MINT_SIZE)) {
    return ERROR_ACCOUNT_NOT_RENT_EXEMPT;
  }
  sol_memcpy(mint->data, authority->key, 32);
  write_u64(mint->data + 32, 0);
  mint->data[40] = params->data[1];
  mint->data[41] = 1;
  sol_log("minitoken: mint initialized");
  return SUCCESS;
}

static __attribute__((noinline)) uint64_t create_account(SolParameters *params) {
  if (params->ka_num < 5 || params->data_len < 2) {
    return ERROR_NOT_ENOUGH_ACCOUNT_KEYS;
  }
  SolAccountInfo *payer = &params->ka[0];
  SolAccountInfo *token = &params->ka[1];
  SolAccountInfo *owner = &params->ka[2];
  SolAccountInfo *mint = &params->ka[3];
  SolAccountInfo *system = &params->ka[4];
  uint8_t bump = params->data[1];

  const SolSignerSeed seeds[4] = {
      {(const uint8_t *)"token", 5},
      {owner->key->x, 32},
      {mint->key->x, 32},
      {&bump, 1},
  };
  SolPubkey derived;
  if (sol_create_program_address(seeds, 4, params->program_id, &derived) != 0 ||
      !SolPubkey_same(&derived, token->key)) {
    return E_WRONG_PDA;
  }
  /* The same address, found by search. */
  SolPubkey found;
  uint8_t found_bump;
  if (sol_try_find_program_address(seeds, 3, params->program_id, &found,
                                   &found_bump) != 0 ||
      found_bump != bump || !SolPubkey_same(&found, &derived)) {
    return E_WRONG_PDA;
  }

  SolRent rent;
  sol_get_rent_sysvar(&rent);
  /* SystemInstruction::CreateAccount { lamports, space, owner }. */
  uint8_t data[4 + 8 + 8 + 32];
  write_u64(data, 0); /* tag 0 (u32) and the first 4 bytes, rewritten below */
  write_u64(data + 4, rent_minimum(&rent, TOKEN_SIZE));
  write_u64(data + 12, TOKEN_SIZE);
  sol_memcpy(data + 20, params->program_id, 32);
  SolAccountMeta metas[2] = {{payer->key, true, true}, {token->key, true, true}};
  SolInstruction ix = {system->key, metas, 2, data, sizeof(data)};
  const SolSignerSeeds signers[1] = {{seeds, 4}};
  sol_invoke_signed_c(&ix, params->ka, params->ka_num, signers, 1);

  /* The CPI grew the account: the runtime updated data_len. */
  if (token->data_len != TOKEN_SIZE || !owned(token, params)) {
    return ERROR_INVALID_ACCOUNT_DATA;
  }
  SolClock clock;
  sol_get_clock_sysvar(&clock);
  sol_memcpy(token->data, mint->key, 32);
  sol_memcpy(token->data + 32, owner->key, 32);
  write_u64(token->data + 64, 0);
  write_u64(token->data + 72, clock.slot);
  sol_log_64(clock.slot, clock.unix_timestamp, sol_get_stack_height(), 0, 0);
  return SUCCESS;
}

static uint64_t check_token(const SolAccountInfo *token, const SolParameters *params) {
  if (!owned(token, params) || token->data_len != TOKEN_SIZE) {
    return ERROR_INVALID_ACCOUNT_DATA;
  }
  return SUCCESS;
}

static __attribute__((noinline)) uint64_t mint_to(SolParameters *params) {
  if (params->ka_num < 3 || params->data_len < 9) {
    return ERROR_NOT_ENOUGH_ACCOUNT_KEYS;
  }
  SolAccountInfo *mint = &params->ka[0];
  SolAccountInfo *token = &params->ka[1];
  SolAccountInfo *authority = &params->ka[2];
  if (!owned(mint, params) || mint->data_len != MINT_SIZE || !mint->data[41]) {
    return E_UNINITIALIZED;
  }
  uint64_t r = check_token(token, params);
  if (r != SUCCESS) {
    return r;
  }
  if (!SolPubkey_same((SolPubkey *)token->data, mint->key)) {
    return E_WRONG_MINT;
  }
  if (!authority->is_signer || !SolPubkey_same((SolPubkey *)mint->data, authority->key)) {
    return ERROR_MISSING_REQUIRED_SIGNATURES;
  }
  uint64_t amount = read_u64(params->data + 1);
  uint64_t supply = read_u64(mint->data + 32);
  uint64_t balance = read_u64(token->data + 64);
  if (supply + amount < supply || balance + amount < balance) {
    return E_OVERFLOW;
  }
  write_u64(mint->data + 32, supply + amount);
  write_u64(token->data + 64, balance + amount);
  return SUCCESS;
}

static __attribute__((noinline)) uint64_t transfer(SolParameters *params) {
  if (params->ka_num < 3 || params->data_len < 9) {
    return ERROR_NOT_ENOUGH_ACCOUNT_KEYS;
  }
  SolAccountInfo *src = &params->ka[0];
  SolAccountInfo *dst = &params->ka[1];
  SolAccountInfo *owner = &params->ka[2];
  uint64_t r = check_token(src, params);
  if (r == SUCCESS) {
    r = check_token(dst, params);
  }
  if (r != SUCCESS) {
    return r;
  }
  if (!SolPubkey_same((SolPubkey *)src->data, (SolPubkey *)dst->data)) {
    return E_WRONG_MINT;
  }
  if (!owner->is_signer || !SolPubkey_same((SolPubkey *)(src->data + 32), owner->key)) {
    return ERROR_MISSING_REQUIRED_SIGNATURES;
  }
  uint64_t amount = read_u64(params->data + 1);
  uint64_t from = read_u64(src->data + 64);
  if (from < amount) {
    return E_INSUFFICIENT;
  }
  write_u64(src->data + 64, from - amount);
  uint64_t to = read_u64(dst->data + 64);
  if (to + amount < to) {
    return E_OVERFLOW;
  }
  write_u64(dst->data + 64, to + amount);
  uint8_t ret[16];
  write_u64(ret, from - amount);
  write_u64(ret + 8, to + amount);
  sol_set_return_data(ret, sizeof(ret));
  return SUCCESS;
}

static __attribute__((noinline)) uint64_t balance(SolParameters *params) {
  if (params->ka_num < 1) {
    return ERROR_NOT_ENOUGH_ACCOUNT_KEYS;
  }
  uint64_t r = check_token(&params->ka[0], params);
  if (r != SUCCESS) {
    return r;
  }
  uint8_t ret[16];
  sol_memcpy(ret, params->ka[0].data + 64, 8);
  write_u64(ret + 8, sol_get_stack_height());
  sol_set_return_data(ret, sizeof(ret));
  return SUCCESS;
}

static __attribute__((noinline)) uint64_t balance_via_cpi(SolParameters *params) {
  if (params->ka_num < 2) {
    return ERROR_NOT_ENOUGH_ACCOUNT_KEYS;
  }
  SolAccountMeta metas[1] = {{params->ka[0].key, false, false}};
  uint8_t data[1] = {4};
  SolInstruction ix = {(SolPubkey *)params->program_id, metas, 1, data, 1};
  sol_invoke_signed_c(&ix, params->ka, params->ka_num, NULL, 0);
  uint8_t ret[16];
  SolPubkey from;
  if (sol_get_return_data(ret, sizeof(ret), &from) != 16 ||
      !SolPubkey_same(&from, params->program_id) || read_u64(ret + 8) != 2) {
    return E_RETURN_DATA;
  }
  sol_set_return_data(ret, 8);
  return SUCCESS;
}

static __attribute__((noinline)) uint64_t recurse(SolParameters *params) {
  if (params->ka_num < 1 || params->data_len < 2) {
    return ERROR_NOT_ENOUGH_ACCOUNT_KEYS;
  }
  uint8_t n = params->data[1];
  sol_log_64(n, sol_get_stack_height(), 0, 0, 0);
  if (n == 0) {
    return SUCCESS;
  }
  SolAccountMeta metas[1] = {{params->ka[0].key, false, false}};
  uint8_t data[2] = {6, (uint8_t)(n - 1)};
  SolInstruction ix = {(SolPubkey *)params->program_id, metas, 1, data, 2};
  sol_invoke_signed_c(&ix, params->ka, params->ka_num, NULL, 0);
  return SUCCESS;
}

uint64_t entrypoint(const uint8_t *input) {
  SolAccountInfo accounts[5];
  SolParameters params = {.ka = accounts};
  if (!sol_deserialize(input, &params, SOL_ARRAY_SIZE(accounts))) {
    return ERROR_INVALID_ARGUMENT;
  }
  if (params.ka_num > SOL_ARRAY_SIZE(accounts)) {
    params.ka_num = SOL_ARRAY_SIZE(accounts);
  }
  if (params.data_len < 1) {
    return ERROR_INVALID_INSTRUCTION_DATA;
  }
  switch (params.data[0]) {
  case 0:
    return init_mint(&params);
  case 1:
    return create_account(&params);
  case 2:
    return mint_to(&params);
  case 3:
    return transfer(&params);
  case 4:
    return balance(&params);
  case 5:
    return balance_via_cpi(&params);
  case 6:
    return recurse(&params);
  }
  return ERROR_INVALID_INSTRUCTION_DATA;
}
