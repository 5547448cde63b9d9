/* counter: adds to a little-endian u64 kept in the first 8 bytes of
 * account 0's data.
 *
 * Accounts: 0, the counter: writable, owned by this program, at least 8
 * bytes of data.
 * Instruction data: empty (add 1) or a little-endian u64 to add.
 *
 * Errors: no account, NOT_ENOUGH_ACCOUNT_KEYS; account not owned by the
 * program, INCORRECT_PROGRAM_ID; not writable, INVALID_ARGUMENT; data
 * shorter than 8 bytes, ACCOUNT_DATA_TOO_SMALL; instruction data neither
 * empty nor 8 bytes, INVALID_INSTRUCTION_DATA; the counter would wrap,
 * ARITHMETIC_OVERFLOW. */
#include "agora.h"

uint64_t entrypoint(const uint8_t *input) {
  SolAccountInfo accounts[1];
  SolParameters params = {.ka = accounts};
  if (!sol_deserialize(input, &params, SOL_ARRAY_SIZE(accounts))) {
    return ERROR_INVALID_ARGUMENT;
  }
  if (params.ka_num < 1) {
    return ERROR_NOT_ENOUGH_ACCOUNT_KEYS;
  }
  SolAccountInfo *counter = &accounts[0];
  if (!SolPubkey_same(counter->owner, params.program_id)) {
    sol_log("counter: account not owned by this program");
    return ERROR_INCORRECT_PROGRAM_ID;
  }
  if (!counter->is_writable) {
    sol_log("counter: account not writable");
    return ERROR_INVALID_ARGUMENT;
  }
  if (counter->data_len < sizeof(uint64_t)) {
    return ERROR_ACCOUNT_DATA_TOO_SMALL;
  }

  uint64_t amount = 1;
  if (params.data_len == sizeof(uint64_t)) {
    amount = *(const uint64_t *)params.data;
  } else if (params.data_len != 0) {
    return ERROR_INVALID_INSTRUCTION_DATA;
  }

  /* The data of an account starts 8-aligned in the input. */
  uint64_t *value = (uint64_t *)counter->data;
  uint64_t next = *value + amount;
  if (next < *value) {
    return ERROR_ARITHMETIC_OVERFLOW;
  }
  *value = next;
  sol_log_64(next, amount, 0, 0, 0);
  return SUCCESS;
}
