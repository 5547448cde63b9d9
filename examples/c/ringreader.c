/* ringreader: a consumer of ringbus's price stream.
 *
 * Accounts: 0, the ring (writable, owned by ringbus); 1, this reader's
 * state (writable, owned by this program, at least 32 bytes); 2, the
 * ringbus program. Instruction data: {consumer u8, max u8}, optionally
 * followed by a flag byte.
 *
 * Reads up to max messages for its consumer index through ringbus (a
 * cross-program invocation of Next each, the message coming back as
 * return data) and records in its state the messages read (u64 at 0), the
 * last sequence number (8), the last price (16) and the sum of the prices
 * read (24). Deploy it under several program ids, each with its own
 * consumer index and state: every one reads the whole stream.
 *
 * With the flag byte 1 the reads run inside a transaction (ext/txmem).
 * The runtime refuses a cross-program invocation while a transaction is
 * open (CPIInTransaction), so that instruction fails: the flag is there to
 * show the rule. The transaction is closed on every path, testing
 * agora_tx_test, so that `agora verify` proves the pairing.
 *
 * Errors: fewer than 3 accounts, NOT_ENOUGH_ACCOUNT_KEYS; bad data,
 * INVALID_INSTRUCTION_DATA; bad state account, INVALID_ARGUMENT; return
 * data that is not from ringbus or not a message, custom error 2.
 */
#include "agora.h"
#include "agora_cpi.h"

#define E_BAD_MESSAGE 2

uint64_t entrypoint(const uint8_t *input) {
  SolAccountInfo accounts[3];
  SolParameters params = {.ka = accounts};
  if (!sol_deserialize(input, &params, SOL_ARRAY_SIZE(accounts))) {
    return ERROR_INVALID_ARGUMENT;
  }
  if (params.ka_num < 3) {
    return ERROR_NOT_ENOUGH_ACCOUNT_KEYS;
  }
  if (params.data_len != 2 && params.data_len != 3) {
    return ERROR_INVALID_INSTRUCTION_DATA;
  }
  bool atomic = params.data_len == 3 && params.data[2] == 1;
  SolAccountInfo *ring = &accounts[0], *state = &accounts[1], *bus = &accounts[2];
  if (!SolPubkey_same(state->owner, params.program_id) || !state->is_writable ||
      state->data_len < 32) {
    return ERROR_INVALID_ARGUMENT;
  }
  uint64_t *st = (uint64_t *)state->data;
  SolAccountMeta metas[1] = {{ring->key, true, false}};
  uint8_t data[2] = {2, params.data[0]};
  SolInstruction ix = {bus->key, metas, 1, data, sizeof(data)};
  if (atomic) {
    agora_tx_begin();
  }
  for (uint8_t i = 0; i < params.data[1]; i++) {
    sol_invoke_signed_c(&ix, accounts, params.ka_num, NULL, 0);
    uint64_t msg[4];
    SolPubkey from;
    uint64_t n = sol_get_return_data((uint8_t *)msg, sizeof(msg), &from);
    if (n == 0) {
      break; /* nothing pending */
    }
    if (n != sizeof(msg) || !SolPubkey_same(&from, bus->key)) {
      if (agora_tx_test()) {
        agora_tx_abort();
      }
      return E_BAD_MESSAGE;
    }
    st[0] += 1;
    st[1] = msg[0];
    st[2] = msg[1];
    st[3] += msg[1];
  }
  if (agora_tx_test()) {
    agora_tx_commit();
  }
  sol_log_64(st[0], st[1], st[2], st[3], 0);
  return SUCCESS;
}
