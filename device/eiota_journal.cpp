#include "eiota_journal.h"

#include <string.h>

#include "eiota_format.h"

namespace {

const uint32_t kMagic = 0x4A4F4945u;  // "EIOJ"
const uint8_t kVersion = 1;
const uint32_t kCrcAt = EIOTA_JOURNAL_RECORD_LEN - 4;

struct Record {
  uint32_t seq;
  uint8_t event;
  eiota_journal_status status;
};

void encode(const Record& r, uint8_t pad, uint32_t size, uint8_t* out) {
  memset(out, pad, size);
  const eiota_journal_status& s = r.status;
  eiota_put_u32(out, kMagic);
  eiota_put_u32(out + 4, r.seq);
  out[8] = r.event;
  out[9] = s.active;
  out[10] = s.confirmed;
  out[11] = s.trial;
  out[12] = s.boots;
  out[13] = s.pending;
  out[14] = s.reason;
  out[15] = kVersion;
  eiota_put_u64(out + 16, s.floor);
  eiota_put_u64(out + 24, s.slot_sequence[EIOTA_SLOT_A]);
  eiota_put_u64(out + 32, s.slot_sequence[EIOTA_SLOT_B]);
  eiota_put_u32(out + 40, 0);
  eiota_put_u32(out + kCrcAt, eiota_crc32(out, kCrcAt));
}

// A record is trusted only whole: magic, CRC, version and every field in range.
bool decode(const uint8_t* in, Record* r) {
  if (eiota_get_u32(in) != kMagic || in[15] != kVersion) return false;
  if (eiota_get_u32(in + kCrcAt) != eiota_crc32(in, kCrcAt)) return false;
  r->seq = eiota_get_u32(in + 4);
  r->event = in[8];
  eiota_journal_status& s = r->status;
  memset(&s, 0, sizeof s);
  s.active = in[9];
  s.confirmed = in[10];
  s.trial = in[11];
  s.boots = in[12];
  s.pending = in[13];
  s.reason = in[14];
  s.last_event = r->event;
  s.floor = eiota_get_u64(in + 16);
  s.slot_sequence[EIOTA_SLOT_A] = eiota_get_u64(in + 24);
  s.slot_sequence[EIOTA_SLOT_B] = eiota_get_u64(in + 32);
  return r->seq != 0 && r->event >= EIOTA_JOURNAL_NEW && r->event <= EIOTA_JOURNAL_SELECT && s.active <= EIOTA_SLOT_B &&
         s.confirmed <= EIOTA_SLOT_B && s.trial <= 1 && s.pending <= EIOTA_SLOT_B;
}

uint32_t block_addr(const eiota_journal* j, uint32_t block) { return j->offset + block * j->flash->erase_size; }

bool updatable(uint8_t slot) { return slot == EIOTA_SLOT_A || slot == EIOTA_SLOT_B; }

// The trial slot is forgotten: a model that failed its trial is never served again, by a swap either.
void revert(eiota_journal_status* s, uint8_t reason) {
  if (s->trial && s->active != s->confirmed) s->slot_sequence[s->active] = 0;
  s->active = s->confirmed;
  s->trial = 0;
  s->boots = 0;
  s->reason = reason;
  s->last_event = EIOTA_JOURNAL_REVERT;
}

void reject(eiota_journal_status* s, uint8_t slot) {
  s->slot_sequence[slot] = 0;
  if (s->pending == slot) s->pending = EIOTA_SLOT_FACTORY;
  if (s->confirmed == slot) s->confirmed = EIOTA_SLOT_FACTORY;
  if (s->active == slot) {
    bool was_trial = s->trial != 0;
    revert(s, was_trial ? (uint8_t)EIOTA_REVERT_REJECTED : s->reason);
  }
  s->last_event = EIOTA_JOURNAL_REJECT;
}

}  // namespace

uint32_t eiota_crc32(const uint8_t* data, size_t len) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < len; i++) {
    crc ^= data[i];
    for (int b = 0; b < 8; b++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

int eiota_journal_apply(const eiota_journal_status* s, const eiota_journal_event* ev, uint8_t max_trial_boots,
                        eiota_journal_status* out) {
  if (s == NULL || ev == NULL || out == NULL) return EIOTA_ERR_STATE;
  eiota_journal_status n = *s;
  n.last_event = ev->type;
  switch (ev->type) {
    case EIOTA_JOURNAL_NEW:
      if (!updatable(ev->slot) || ev->slot == s->active || ev->slot == s->confirmed) return EIOTA_ERR_STATE;
      if (ev->sequence <= s->floor) return EIOTA_ERR_OLD_SEQUENCE;
      n.pending = ev->slot;
      n.slot_sequence[ev->slot] = ev->sequence;
      n.floor = ev->sequence;
      break;
    case EIOTA_JOURNAL_TRIAL:
      if (s->trial || s->pending == EIOTA_SLOT_FACTORY) return EIOTA_ERR_STATE;
      n.active = s->pending;
      n.pending = EIOTA_SLOT_FACTORY;
      n.trial = 1;
      n.boots = 0;
      break;
    case EIOTA_JOURNAL_CONFIRM:
      if (!s->trial) return EIOTA_ERR_STATE;
      n.confirmed = s->active;
      n.trial = 0;
      n.boots = 0;
      break;
    case EIOTA_JOURNAL_REVERT:
      if (!s->trial) return EIOTA_ERR_STATE;
      revert(&n, ev->reason);
      break;
    case EIOTA_JOURNAL_BOOT:
      if (!s->trial) {
        *out = *s;
        return EIOTA_OK;
      }
      if (max_trial_boots == 0) return EIOTA_ERR_STATE;
      if (s->boots + 1u >= max_trial_boots) {
        revert(&n, EIOTA_REVERT_BOOTS);
      } else {
        n.boots = (uint8_t)(s->boots + 1);
      }
      break;
    case EIOTA_JOURNAL_REJECT:
      if (!updatable(ev->slot)) return EIOTA_ERR_STATE;
      reject(&n, ev->slot);
      break;
    case EIOTA_JOURNAL_SELECT:
      if (ev->slot > EIOTA_SLOT_B || (ev->slot != EIOTA_SLOT_FACTORY && s->slot_sequence[ev->slot] == 0))
        return EIOTA_ERR_STATE;
      n.active = ev->slot;
      n.confirmed = ev->slot;
      n.trial = 0;
      n.boots = 0;
      n.pending = EIOTA_SLOT_FACTORY;  // the application chose: a payload never activated is not served later
      break;
    default:
      return EIOTA_ERR_STATE;
  }
  *out = n;
  return EIOTA_OK;
}

int eiota_journal_open(eiota_journal* j, const eiota_flash* flash, uint32_t offset, uint8_t max_trial_boots) {
  if (j == NULL) return EIOTA_ERR_STATE;
  memset(j, 0, sizeof *j);
  int err = eiota_flash_check(flash);
  if (err != EIOTA_OK) return err;
  if (max_trial_boots == 0) return EIOTA_ERR_STATE;
  const uint32_t es = flash->erase_size;
  if (offset % es != 0 || offset > flash->size || flash->size - offset < es || flash->size - offset - es < es)
    return EIOTA_ERR_FLASH_RANGE;
  if (flash->prog_size > EIOTA_JOURNAL_MAX_PROG) return EIOTA_ERR_UNSUPPORTED;
  const uint32_t record_size = (EIOTA_JOURNAL_RECORD_LEN + flash->prog_size - 1) / flash->prog_size * flash->prog_size;
  if (record_size > es) return EIOTA_ERR_FLASH_RANGE;
  j->flash = flash;
  j->offset = offset;
  j->record_size = record_size;
  j->per_block = es / record_size;
  j->max_trial_boots = max_trial_boots;

  // Records are appended in ascending sequence within a block, so scanning each block from its end
  // finds its write position (past the last slot that is not erased, torn ones included) and then its
  // newest valid record without checking the older ones.
  uint8_t buf[EIOTA_JOURNAL_MAX_PROG];
  uint32_t used[2] = {0, 0};
  Record best;
  memset(&best, 0, sizeof best);
  bool found = false;
  for (uint32_t b = 0; b < 2; b++) {
    for (uint32_t i = j->per_block; i-- > 0;) {
      err = eiota_flash_read(flash, block_addr(j, b) + i * record_size, buf, record_size);
      if (err != EIOTA_OK) return err;
      bool erased = true;
      for (uint32_t k = 0; k < record_size && erased; k++) erased = buf[k] == flash->erased_value;
      if (erased && used[b] == 0) continue;
      if (used[b] == 0) used[b] = i + 1;
      Record r;
      if (!erased && decode(buf, &r)) {
        if (!found || r.seq > best.seq) {
          best = r;
          found = true;
          j->block = (uint8_t)b;
        }
        break;
      }
    }
  }
  memset(&j->status, 0, sizeof j->status);
  if (found) {
    j->status = best.status;
    j->seq = best.seq;
  }
  j->next = used[j->block];
  j->open = 1;
  return EIOTA_OK;
}

const eiota_journal_status* eiota_journal_state(const eiota_journal* j) {
  return j != NULL && j->open ? &j->status : NULL;
}

int eiota_journal_record(eiota_journal* j, const eiota_journal_event* ev) {
  if (j == NULL || !j->open || ev == NULL) return EIOTA_ERR_STATE;
  eiota_journal_status next;
  int err = eiota_journal_apply(&j->status, ev, j->max_trial_boots, &next);
  if (err != EIOTA_OK) return err;
  if (ev->type == EIOTA_JOURNAL_BOOT && !j->status.trial) return EIOTA_OK;
  if (j->seq == 0xFFFFFFFFu) return EIOTA_ERR_STATE;

  Record r;
  r.seq = j->seq + 1;
  r.event = next.last_event;
  r.status = next;
  uint8_t buf[EIOTA_JOURNAL_MAX_PROG];
  encode(r, (uint8_t)~j->flash->erased_value, j->record_size, buf);

  uint32_t block = j->block;
  uint32_t index = j->next;
  if (index >= j->per_block) {
    // Full: the other block holds only older records; the newest stays here until the write lands.
    block = 1u - block;
    index = 0;
    err = eiota_flash_erase(j->flash, block_addr(j, block), j->flash->erase_size);
    if (err != EIOTA_OK) return err;
  }
  err = eiota_flash_prog(j->flash, block_addr(j, block) + index * j->record_size, buf, j->record_size);
  // The slot and the number are spent either way: a write that failed may still have landed.
  j->seq = r.seq;
  j->block = (uint8_t)block;
  j->next = index + 1;
  if (err != EIOTA_OK) return err;
  j->status = next;
  return EIOTA_OK;
}
