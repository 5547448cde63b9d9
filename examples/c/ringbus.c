/* ringbus: price messages through a ring buffer held in an account
 * (ext/ring), with a producer and any number of consumer programs.
 *
 * The program owns the ring account; only it can advance the ring, so
 * consumer programs read through it with a cross-program invocation (see
 * ringreader.c). Instructions (first byte of data):
 *
 *   0 Init {capacity u32}         [ring: writable, owned]: formats the
 *                                 account's data as a ring of capacity
 *                                 PriceMsg for RINGBUS_CONSUMERS consumers
 *   1 Publish {PriceMsg}          [ring]: pushes the message; a full ring
 *                                 (the slowest consumer is capacity behind)
 *                                 fails with custom error 1
 *   2 Next {consumer u8}          [ring]: pops the consumer's next message
 *                                 into return data (none when empty)
 *
 * Errors: no accounts, NOT_ENOUGH_ACCOUNT_KEYS; bad data,
 * INVALID_INSTRUCTION_DATA; the ring not owned or not writable,
 * INVALID_ARGUMENT; ring misuse aborts with the ring's error kind.
 */
#include "agora.h"

#define RINGBUS_CONSUMERS 2
#define E_RING_FULL 1

/* One price update: 32 bytes. */
typedef struct {
  uint64_t seq;      /* the publisher's sequence number */
  uint64_t price;    /* in micro-units */
  uint64_t slot;     /* when it was observed */
  uint8_t asset[8];  /* e.g. "SOL/USD" */
} PriceMsg;
SOL_STATIC_ASSERT(sizeof(PriceMsg) == 32, "PriceMsg is 32 bytes");

uint64_t entrypoint(const uint8_t *input) {
  SolAccountInfo accounts[1];
  SolParameters params = {.ka = accounts};
  if (!sol_deserialize(input, &params, SOL_ARRAY_SIZE(accounts))) {
    return ERROR_INVALID_ARGUMENT;
  }
  if (params.ka_num < 1) {
    return ERROR_NOT_ENOUGH_ACCOUNT_KEYS;
  }
  if (params.data_len < 1) {
    return ERROR_INVALID_INSTRUCTION_DATA;
  }
  SolAccountInfo *ring = &accounts[0];
  if (!SolPubkey_same(ring->owner, params.program_id) || !ring->is_writable) {
    return ERROR_INVALID_ARGUMENT;
  }
  AgoraRingHeader *hdr = (AgoraRingHeader *)ring->data;
  switch (params.data[0]) {
  case 0: {
    if (params.data_len != 5) {
      return ERROR_INVALID_INSTRUCTION_DATA;
    }
    uint32_t capacity = *(const uint32_t *)(params.data + 1);
    agora_ring_create(ring->data, ring->data_len,
                      AGORA_RING_CAPACITY(capacity, RINGBUS_CONSUMERS), sizeof(PriceMsg));
    return SUCCESS;
  }
  case 1:
    if (params.data_len != 1 + sizeof(PriceMsg)) {
      return ERROR_INVALID_INSTRUCTION_DATA;
    }
    if (agora_ring_push(hdr, params.data + 1, sizeof(PriceMsg)) == AGORA_RING_FULL) {
      sol_log("ringbus: full");
      return E_RING_FULL;
    }
    return SUCCESS;
  case 2: {
    if (params.data_len != 2) {
      return ERROR_INVALID_INSTRUCTION_DATA;
    }
    PriceMsg msg;
    uint64_t n = agora_ring_pop(hdr, params.data[1], &msg, sizeof(msg));
    sol_set_return_data((const uint8_t *)&msg, n == AGORA_RING_EMPTY ? 0 : n);
    return SUCCESS;
  }
  }
  return ERROR_INVALID_INSTRUCTION_DATA;
}
