// Models that live in flash: the factory values (the const arrays in the firmware) plus two slots,
// A and B, each holding one whole payload (docs/FORMAT.md, "Slot layout"), and an activation
// journal (eiota_journal.h) that says which one serves the model across resets.
//
// An update writes only the slot that is neither active nor confirmed, so the old model keeps
// serving inference during the whole download; a payload that verified becomes active on trial
// between two inferences (in eiota_model_ready, under the lock hook), and stays so only once it is
// confirmed: by its embedded self-test, or by the application. A trial nobody confirmed within
// `max_trial_boots` boots reverts; at boot every slot is re-validated (signature, hash, layout)
// before it serves, and a slot that fails is never served again. Flash that is memory-mapped is
// read in place by the tensors (`eiota patch --storage flash`); otherwise the active slot is
// copied into the RAM working copies (`--storage ram`), at boot and at each switch.
//
// Threads: the download may run on any thread; it only ever writes the slot nobody serves and,
// when verified, asks for a switch. The switch itself is made only by eiota_model_ready, which
// the patched model init calls at the start of every inference, so it happens on the inference
// thread between two inferences (under the lock hook, if set). Call eiota_store_selftest on the
// inference thread too (it runs inferences). A library with several learn blocks calls the init
// of each during one run_classifier: a switch asked for by another thread between them would
// give that one classification two versions, so there, ask for it (finish, confirm, revert,
// select) on the inference thread, or hold your own lock across run_classifier and those calls.
// The lock hook is held for journal writes and switches, never across an erase or a re-hash.
//
// The caller owns all memory (the eiota_store and its config must outlive the model's use).
#ifndef EIOTA_STORE_H
#define EIOTA_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "eiota_flash.h"
#include "eiota_format.h"
#include "eiota_journal.h"
#include "eiota_model.h"
#include "eiota_selftest.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*eiota_lock_fn)(void* ctx);

typedef struct eiota_store_config {
  const eiota_flash* journal;    // the journal's two erase blocks live at journal_offset
  uint32_t journal_offset;
  const eiota_flash* slot[2];    // slot A, slot B: one whole area each, erase-aligned
  uint8_t max_trial_boots;       // >= 1: the N-th boot of an unconfirmed trial reverts it
  eiota_lock_fn lock;            // optional (RTOS): held while the serving slot switches and while
  eiota_lock_fn unlock;          // inference binds its values; NULL for a single thread
  void* lock_ctx;
} eiota_store_config;

// Why the last boot or switch served what it serves (eiota_store_report).
typedef struct eiota_store_report {
  uint8_t serving;             // eiota_slot now serving
  uint8_t rejected;            // bit (1 << slot) for each slot that failed re-validation at attach
  int16_t reject_error[3];     // its eiota_err, by slot
  uint8_t reverted;            // 1 if this boot ended a trial (max_trial_boots reached)
  uint8_t journal_blank;       // 1 if the journal held no valid record: a new device, or its
                               // journal was erased (then the anti-rollback floor starts at 0 again)
} eiota_store_report;

// Writer state and what serves; fields are the store's own.
struct eiota_store {
  const eiota_store_config* cfg;
  eiota_journal journal;
  uint8_t serving;         // eiota_slot whose values inference reads
  uint8_t switch_to;       // slot to serve from the next eiota_model_ready, EIOTA_STORE_NO_SWITCH for none
  uint8_t target;          // slot being written, EIOTA_SLOT_FACTORY when no write is open
  uint8_t buf_len;         // bytes collected in buf for the prog unit at buf_addr
  uint32_t buf_addr;
  uint32_t erased_to;      // the target's bytes below this are erased (or written) by this write
  uint32_t resumed_from;   // payload offset the last resume continued from (for tests and logs)
  uint32_t keep_below;     // resuming: the target's bytes below this are kept, not written again
  uint32_t extra_len;      // bytes of extra data (the self-test) in the serving slot
  uint8_t buf[EIOTA_JOURNAL_MAX_PROG];
};

#define EIOTA_STORE_NO_SWITCH 0xFFu

// Boot: opens the journal, counts the boot of a trial (maybe reverting it), re-validates the
// active slot (falling back to the confirmed one, then factory) and makes its values the ones
// inference reads. From now on updates of `m` go to the slots. EIOTA_OK, or the flash's error
// (then nothing is attached and the model serves its factory values).
int eiota_store_attach(const eiota_model* m, eiota_store* s, const eiota_store_config* cfg,
                       eiota_store_report* report);

// The journal state (active, confirmed, trial, floor, sequences per slot); NULL if not attached.
const eiota_journal_status* eiota_store_status(const eiota_model* m);

// Ends the trial of the active slot: it becomes the confirmed one.
int eiota_store_confirm(const eiota_model* m);

// Ends the trial: the confirmed slot serves again from the next inference. `reason` is an
// eiota_revert_reason or the application's own code (16..255), kept in the journal.
int eiota_store_revert(const eiota_model* m, uint8_t reason);

// Serves `slot` (factory, A or B) from the next inference, confirmed, after re-validating it: the
// way to swap between stored models. A slot the device keeps may be older than the floor.
int eiota_store_select(const eiota_model* m, uint8_t slot);

// Re-validates a slot now (signature, table, hash, layout): EIOTA_OK or why not.
int eiota_store_validate(const eiota_model* m, uint8_t slot);

// Resume after a reset mid-download: if the writable slot holds the start of a payload whose header
// and signature still verify, re-hashes what is whole in it, sets up `u` to continue and stores in
// *offset the payload byte the source must send next (feed it with eiota_update_write from there).
// What is sent again is at most one erase block and the 64-byte write buffer, plus any bytes at the
// end of what was written that equal the erased value (they cannot be told from unwritten ones). EIOTA_ERR_STATE when there is
// nothing to resume (then begin a fresh update), else the error that made it unusable.
struct eiota_update;
int eiota_update_resume(struct eiota_update* u, const eiota_model* m, uint32_t* offset);

// Runs the self-test the trial's payload carries (eiota_selftest.h) through `infer` (for EI SDKs:
// eiota_selftest_ei_infer from eiota_selftest_ei.h) and records the verdict: confirmed when every
// output matched (EIOTA_OK); reverted (EIOTA_REVERT_SELFTEST, served from the next inference) when
// one did not, inference failed or the block is malformed (EIOTA_ERR_SELFTEST_FAILED / _BLOCK).
// EIOTA_ERR_STATE when no trial is running; EIOTA_ERR_SELFTEST_BLOCK with report->samples 0 and
// the trial left undecided when the payload carries no self-test; a flash error leaves it too.
int eiota_store_selftest(const eiota_model* m, eiota_infer_fn infer, void* ctx, eiota_selftest_report* report);

// The value pointer of an in-place region (working == NULL) for eiota_region_values.
const void* eiota_store_values(const eiota_model* m, const eiota_region* r);

// Bytes of extra data (the self-test block) in the serving slot, and a reader over them.
uint32_t eiota_store_extra_len(const eiota_model* m);
int eiota_store_read_extra(const eiota_model* m, uint32_t offset, uint8_t* buf, uint32_t len);

// --- used by eiota_update.cpp -------------------------------------------------------------------
// A payload whose whole header `head` (header_len bytes) passed the header checks starts: picks the
// writable slot, forgets what it held and erases the span the payload needs (unless resuming).
int eiota_store_open(const eiota_model* m, const eiota_header* h, const uint8_t* head);
// Where the extra data starts in a slot of this model.
uint64_t eiota_store_extra_at(const eiota_model* m);
// Payload bytes at `addr` in the slot being written, in ascending order (gaps stay erased).
int eiota_store_put(const eiota_model* m, uint64_t addr, const uint8_t* data, uint32_t len);
// Reads back `len` bytes at `addr` of the slot being written that were put already (from flash, or
// from the write buffer): the matches of a compressed payload (1.3) copy from them.
int eiota_store_read_back(const eiota_model* m, uint64_t addr, uint8_t* buf, uint32_t len);
// Verified: flushes, records the slot (NEW then TRIAL) and asks the next inference to switch to it.
int eiota_store_commit(const eiota_model* m, const eiota_header* h);
// The write ended without a commit: the slot is left as it is (resumable), the serving one untouched.
void eiota_store_close(const eiota_model* m);
// A new update context begins: a resume set up for another is void.
void eiota_store_forget_resume(const eiota_model* m);
// Delta payloads (1.2): the base that serves now: its slot, sequence and full-data digest (for
// factory, the generated table's digest: EIOTA_ERR_NO_BASE_DIGEST without one).
int eiota_store_base(const eiota_model* m, uint8_t* slot, uint64_t* sequence, uint8_t digest[32]);
// Copies region `region` (its count word too) from `from` (a slot, or factory) into the slot being written.
int eiota_store_copy_region(const eiota_model* m, uint8_t from, uint32_t region);
// Flushes the slot being written and checks that its regions' values hash to `digest`
// (EIOTA_ERR_DELTA_RESULT otherwise).
int eiota_store_check_result(const eiota_model* m, const uint8_t digest[32]);
// --- used by eiota_model.cpp: makes a requested switch (under the lock); false without a store.
bool eiota_store_switch(const eiota_model* m);

#ifdef __cplusplus
}
#endif

#endif  // EIOTA_STORE_H
