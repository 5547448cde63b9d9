/*
 * agora_cpi.h - cross-program invocation, program-derived addresses,
 * sysvars and the invoke stack, for C programs run by Agora's runtime
 * (and by Solana). Include after agora.h.
 *
 * The structs are Solana's C ABI (sol_invoke_signed_c reads them from the
 * program's memory exactly as laid out here); sysvar structs are the
 * in-memory layouts the sol_get_*_sysvar syscalls write.
 */
#ifndef AGORA_CPI_H
#define AGORA_CPI_H

#include "agora.h"

/* An account of an instruction to invoke. */
typedef struct {
  SolPubkey *pubkey;
  bool is_writable;
  bool is_signer;
} SolAccountMeta;

/* An instruction to invoke. */
typedef struct {
  SolPubkey *program_id;
  SolAccountMeta *accounts;
  uint64_t account_len;
  uint8_t *data;
  uint64_t data_len;
} SolInstruction;

/* One seed, and the seeds of one program-derived signer. */
typedef struct {
  const uint8_t *addr;
  uint64_t len;
} SolSignerSeed;

typedef struct {
  const SolSignerSeed *addr;
  uint64_t len;
} SolSignerSeeds;

/* Invokes instruction. account_infos must hold every account it names
 * (as sol_deserialize filled them); signers_seeds are the seeds of the
 * program-derived addresses this program signs for. Returns 0; a failing
 * callee fails the caller. */
uint64_t sol_invoke_signed_c(const SolInstruction *instruction,
                             const SolAccountInfo *account_infos,
                             uint64_t account_infos_len,
                             const SolSignerSeeds *signers_seeds,
                             uint64_t signers_seeds_len);

/* The program-derived address of seeds under program_id: 0 on success,
 * 1 when the seeds give a point on the curve (1,500 CU). */
uint64_t sol_create_program_address(const SolSignerSeed *seeds,
                                    uint64_t seeds_len,
                                    const SolPubkey *program_id,
                                    SolPubkey *address);

/* Finds the first bump from 255 down for which seeds + bump give a
 * program-derived address (1,500 CU per try). */
uint64_t sol_try_find_program_address(const SolSignerSeed *seeds,
                                      uint64_t seeds_len,
                                      const SolPubkey *program_id,
                                      SolPubkey *address, uint8_t *bump_seed);

/* The instruction stack height: 1 for a top-level instruction. */
uint64_t sol_get_stack_height(void);

/* Sysvars. */
typedef struct {
  uint64_t slot;
  int64_t epoch_start_timestamp;
  uint64_t epoch;
  uint64_t leader_schedule_epoch;
  int64_t unix_timestamp;
} SolClock;

typedef struct {
  uint64_t lamports_per_byte_year;
  uint64_t exemption_threshold_f64_bits; /* an f64; 2.0 on every cluster */
  uint8_t burn_percent;
} SolRent;

typedef struct {
  uint64_t slots_per_epoch;
  uint64_t leader_schedule_slot_offset;
  bool warmup;
  uint64_t first_normal_epoch;
  uint64_t first_normal_slot;
} SolEpochSchedule;

SOL_STATIC_ASSERT(sizeof(SolClock) == 40, "Clock layout");
SOL_STATIC_ASSERT(sizeof(SolRent) == 24, "Rent layout");
SOL_STATIC_ASSERT(sizeof(SolEpochSchedule) == 40, "EpochSchedule layout");

uint64_t sol_get_clock_sysvar(SolClock *clock);
uint64_t sol_get_rent_sysvar(SolRent *rent);
uint64_t sol_get_epoch_schedule_sysvar(SolEpochSchedule *schedule);

#endif /* AGORA_CPI_H */
