/* transfer: moves lamports between two accounts owned by this program.
 *
 * Accounts: 0, the source: writable, signer, owned by the program;
 * 1, the destination: writable, owned by the program, not the source.
 * Instruction data: the amount, a little-endian u64.
 *
 * Errors: fewer than 2 accounts, NOT_ENOUGH_ACCOUNT_KEYS; instruction
 * data not 8 bytes, INVALID_INSTRUCTION_DATA; an account not owned by the
 * program, INCORRECT_PROGRAM_ID; the source not a signer,
 * MISSING_REQUIRED_SIGNATURES; an account not writable or the two the
 * same, INVALID_ARGUMENT; the source holds less than the amount,
 * INSUFFICIENT_FUNDS; the destination would overflow, ARITHMETIC_OVERFLOW.
 */
#include "agora.h"

uint64_t entrypoint(const uint8_t *input) {
  SolAccountInfo accounts[2];
  SolParameters params = {.ka = accounts};
  if (!sol_deserialize(input, &params, SOL_ARRAY_SIZE(accounts))) {
    return ERROR_INVALID_ARGUMENT;
  }
  if (params.ka_num < 2) {
    return ERROR_NOT_ENOUGH_ACCOUNT_KEYS;
  }
  if (params.data_len != sizeof(uint64_t)) {
    return ERROR_INVALID_INSTRUCTION_DATA;
  }
  uint64_t amount = *(const uint64_t *)params.data;
  SolAccountInfo *from = &accounts[0];
  SolAccountInfo *to = &accounts[1];

  if (!SolPubkey_same(from->owner, params.program_id) ||
      !SolPubkey_same(to->owner, params.program_id)) {
    sol_log("transfer: accounts must be owned by this program");
    return ERROR_INCORRECT_PROGRAM_ID;
  }
  if (!from->is_signer) {
    sol_log("transfer: source must sign");
    return ERROR_MISSING_REQUIRED_SIGNATURES;
  }
  if (!from->is_writable || !to->is_writable) {
    sol_log("transfer: accounts must be writable");
    return ERROR_INVALID_ARGUMENT;
  }
  if (SolPubkey_same(from->key, to->key)) {
    sol_log("transfer: source and destination are the same account");
    return ERROR_INVALID_ARGUMENT;
  }
  if (*from->lamports < amount) {
    sol_log_64(*from->lamports, amount, 0, 0, 0);
    return ERROR_INSUFFICIENT_FUNDS;
  }
  if (*to->lamports + amount < *to->lamports) {
    return ERROR_ARITHMETIC_OVERFLOW;
  }
  *from->lamports -= amount;
  *to->lamports += amount;
  sol_log_64(amount, *from->lamports, *to->lamports, 0, 0);
  return SUCCESS;
}
