// The activation journal: which slot serves the model (factory, A or B), whether it is on trial or
// confirmed, and the highest payload sequence ever accepted, kept across resets in two erase
// blocks of an eiota_flash. Every change appends one fixed-size, sequence-numbered, CRC-32-checked
// record holding the whole state; at open the newest valid record wins, so a power cut while a
// record (or a block erase) is in flight leaves the state committed before it. docs/FORMAT.md,
// "Activation journal", gives the record layout. The caller owns all memory; nothing is allocated.
#ifndef EIOTA_JOURNAL_H
#define EIOTA_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "eiota_flash.h"

enum eiota_slot { EIOTA_SLOT_FACTORY = 0, EIOTA_SLOT_A = 1, EIOTA_SLOT_B = 2 };

enum eiota_journal_event_type {
  EIOTA_JOURNAL_NONE = 0,     // the state of an empty journal (no valid record)
  EIOTA_JOURNAL_NEW = 1,      // `slot` now holds a verified payload of `sequence` (not yet active)
  EIOTA_JOURNAL_TRIAL = 2,    // the new slot becomes active, on trial
  EIOTA_JOURNAL_CONFIRM = 3,  // the trial slot becomes the confirmed one
  EIOTA_JOURNAL_REVERT = 4,   // the trial ends; the confirmed slot is active again (`reason` kept)
  EIOTA_JOURNAL_BOOT = 5,     // a boot: counts trial boots, reverts after max_trial_boots
  EIOTA_JOURNAL_REJECT = 6,   // `slot` failed re-validation: it is forgotten and never served
  EIOTA_JOURNAL_SELECT = 7,   // `slot` (factory, or one holding a payload) serves, confirmed; ends a trial
};

// Why a trial ended in a revert: EIOTA_REVERT_BOOTS, or the application's own code (>= 16).
enum eiota_revert_reason { EIOTA_REVERT_NONE = 0, EIOTA_REVERT_BOOTS = 1, EIOTA_REVERT_REQUESTED = 2, EIOTA_REVERT_REJECTED = 3,
                           EIOTA_REVERT_SELFTEST = 4 };

typedef struct eiota_journal_event {
  uint8_t type;       // eiota_journal_event_type
  uint8_t slot;       // NEW, REJECT, SELECT: the slot concerned
  uint8_t reason;     // REVERT: eiota_revert_reason or an application code
  uint64_t sequence;  // NEW: the payload's sequence, above the floor
} eiota_journal_event;

typedef struct eiota_journal_status {
  uint8_t active;          // the slot to serve (eiota_slot)
  uint8_t confirmed;       // the slot a trial reverts to
  uint8_t trial;           // 1 while `active` is on trial
  uint8_t boots;           // boots since the trial began
  uint8_t pending;         // slot written by NEW and not activated yet, or EIOTA_SLOT_FACTORY for none
  uint8_t last_event;      // the event of the newest record
  uint8_t reason;          // the last revert's reason
  uint64_t floor;          // highest payload sequence accepted (anti-rollback); 0 for none
  uint64_t slot_sequence[3];  // payload sequence each slot holds; 0 = empty (factory is always 0)
} eiota_journal_status;

// Raw record bytes before padding to the flash's prog size, and the largest prog size supported.
#define EIOTA_JOURNAL_RECORD_LEN 48
#define EIOTA_JOURNAL_MAX_PROG 64

typedef struct eiota_journal {
  const eiota_flash* flash;
  uint32_t offset;       // first of the two erase blocks
  uint32_t record_size;  // EIOTA_JOURNAL_RECORD_LEN rounded up to prog_size
  uint32_t per_block;    // records per erase block
  uint8_t max_trial_boots;
  uint8_t block;         // block holding the newest record (0 or 1)
  uint8_t open;
  uint32_t next;         // index in `block` of the next free record, per_block when full
  uint32_t seq;          // the newest record's sequence number, 0 for none
  eiota_journal_status status;
} eiota_journal;

#ifdef __cplusplus
extern "C" {
#endif

// Scans the two erase blocks at `offset` (a multiple of erase_size) and recovers the newest valid
// state; a journal with no valid record gives the factory state (a read error is returned). Only
// reads the flash. The `max_trial_boots`-th (>= 1) BOOT after a trial began reverts it: with 1, a
// trial that is not confirmed before the next reset is reverted by that reset.
int eiota_journal_open(eiota_journal* j, const eiota_flash* flash, uint32_t offset, uint8_t max_trial_boots);

// The recovered or last recorded state; NULL before a successful open.
const eiota_journal_status* eiota_journal_state(const eiota_journal* j);

// Applies `ev` to the state and appends the record (compacting into the other block when this one is
// full). EIOTA_ERR_STATE if the event is not valid now, EIOTA_ERR_OLD_SEQUENCE for a NEW at or below
// the floor, a flash error otherwise (the state is then unchanged in RAM; open again to learn what
// the flash holds). A BOOT outside a trial changes nothing and writes nothing.
int eiota_journal_record(eiota_journal* j, const eiota_journal_event* ev);

// The next state after `ev` without writing it (EIOTA_OK or EIOTA_ERR_STATE / _OLD_SEQUENCE).
int eiota_journal_apply(const eiota_journal_status* s, const eiota_journal_event* ev, uint8_t max_trial_boots,
                        eiota_journal_status* out);

// CRC-32 (IEEE 802.3: reflected polynomial 0xEDB88320, initial and final value 0xFFFFFFFF).
uint32_t eiota_crc32(const uint8_t* data, size_t len);

#ifdef __cplusplus
}
#endif

#endif  // EIOTA_JOURNAL_H
