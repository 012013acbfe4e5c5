#include "eiota_store.h"

#include <string.h>

#include "eiota_format.h"
#include "eiota_sha256.h"
#include "eiota_slot_layout.h"
#include "eiota_update.h"

namespace {

eiota_store* store_of(const eiota_model* m) { return m->state->store; }

const eiota_flash* slot_flash(const eiota_store* s, uint8_t slot) {
  if (slot == EIOTA_SLOT_A) return s->cfg->slot[0];
  if (slot == EIOTA_SLOT_B) return s->cfg->slot[1];
  return NULL;
}

class Lock {
 public:
  explicit Lock(const eiota_store* s) : c_(s->cfg) {
    if (c_->lock) c_->lock(c_->lock_ctx);
  }
  ~Lock() {
    if (c_->unlock) c_->unlock(c_->lock_ctx);
  }

 private:
  const eiota_store_config* c_;
};

const eiota_journal_status* status_of(const eiota_store* s) { return &s->journal.status; }

int record(eiota_store* s, uint8_t type, uint8_t slot, uint8_t reason, uint64_t sequence) {
  eiota_journal_event ev;
  ev.type = type;
  ev.slot = slot;
  ev.reason = reason;
  ev.sequence = sequence;
  return eiota_journal_record(&s->journal, &ev);
}

uint64_t region_end(const eiota_region* r) { return (uint64_t)r->slot_offset + eiota_region_size(r); }

uint64_t values_end(const eiota_model* m) {
  const eiota_region* last = eiota_model_region(m, m->region_count - 1);
  return last ? region_end(last) : eiota_slot_values_start(m->region_count);
}

// The generated table must place every region where eiota_slot_layout.h does.
int check_layout(const eiota_model* m) {
  uint64_t at = eiota_slot_values_start(m->region_count);
  for (uint32_t i = 0; i < m->region_count; i++) {
    const eiota_region* r = eiota_model_region(m, i);
    if (r == NULL || eiota_elem_size(r->elem_type) == 0) return EIOTA_ERR_SIZE_MISMATCH;
    if ((r->flags & EIOTA_REGION_COUNTED) && ((r->flags & EIOTA_REGION_ALIGN16) || eiota_elem_size(r->elem_type) != 4))
      return EIOTA_ERR_UNSUPPORTED;
    if (r->working == NULL && (r->flags & EIOTA_REGION_PREFIX))  // its unsent tail would read as erased, not zeros
      return EIOTA_ERR_UNSUPPORTED;
    uint64_t want = eiota_slot_place(at, r->elem_type, r->flags);
    if (r->slot_offset != want) return EIOTA_ERR_UNSUPPORTED;  // a table from before slots, or another layout
    at = region_end(r);
    if (at > UINT32_MAX) return EIOTA_ERR_SLOT_TOO_SMALL;
  }
  return EIOTA_OK;
}

bool has_in_place(const eiota_model* m) {
  for (uint32_t i = 0; i < m->region_count; i++)
    if (eiota_model_region(m, i)->working == NULL) return true;
  return false;
}

int read_header(const eiota_flash* f, eiota_header* h, uint8_t* head) {
  int err = eiota_flash_read(f, 0, head, EIOTA_HEADER_LEN);
  if (err != EIOTA_OK) return err;
  if (eiota_decode_header(head, EIOTA_HEADER_LEN, h) != EIOTA_DECODE_OK) return EIOTA_ERR_BAD_MAGIC;
  err = eiota_flash_read(f, EIOTA_HEADER_LEN, head + EIOTA_HEADER_LEN, h->header_len - EIOTA_HEADER_LEN);
  if (err != EIOTA_OK) return err;
  return eiota_decode_header_ext(head, h->header_len, h) == EIOTA_DECODE_OK ? EIOTA_OK : EIOTA_ERR_BAD_VERSION;
}

// Feeds `len` bytes of the slot at `addr` to `u`, or stops at `*budget` payload bytes.
int feed(const eiota_flash* f, eiota_update* u, uint64_t addr, uint64_t len, uint64_t* budget) {
  uint8_t buf[64];
  while (len > 0 && *budget > 0) {
    uint32_t n = len < sizeof buf ? (uint32_t)len : (uint32_t)sizeof buf;
    if (n > *budget) n = (uint32_t)*budget;
    if (addr > UINT32_MAX) return EIOTA_ERR_FLASH_RANGE;
    int err = eiota_flash_read(f, (uint32_t)addr, buf, n);
    if (err == EIOTA_OK) err = eiota_update_write(u, buf, n);
    if (err != EIOTA_OK) return err;
    addr += n;
    len -= n;
    *budget -= n;
  }
  return EIOTA_OK;
}

// Reads the payload kept in `slot` back in payload order and feeds its first `budget` bytes to
// `u`: the same reader that accepted it judges it again.
int replay(const eiota_store* s, uint8_t slot, const eiota_model* m, eiota_update* u, uint64_t budget) {
  const eiota_flash* f = slot_flash(s, slot);
  uint8_t head[EIOTA_MAX_HEADER_LEN];
  eiota_header h;
  int err = read_header(f, &h, head);
  if (err != EIOTA_OK) return err;
  const uint64_t table = eiota_table_offset(h.header_len);
  err = feed(f, u, 0, table + (uint64_t)EIOTA_ENTRY_LEN * h.region_count, &budget);
  if (err != EIOTA_OK || budget == 0) return err;
  // The header and table passed the reader: at most the model's region count, each entry's region
  // the model's (entry i names region i, but a delta's names the regions it carries).
  for (uint32_t i = 0; i < h.region_count && i < m->region_count && budget > 0; i++) {
    uint8_t raw[EIOTA_ENTRY_LEN];
    eiota_entry e;
    err = eiota_flash_read(f, (uint32_t)(table + EIOTA_ENTRY_LEN * i), raw, EIOTA_ENTRY_LEN);
    if (err != EIOTA_OK) return err;
    eiota_decode_entry(raw, sizeof raw, &e);
    const eiota_region* r = eiota_model_region(m, e.region);
    if (r == NULL) return EIOTA_ERR_SIZE_MISMATCH;
    // The values as the slot keeps them: what was sent, decoded (1.3: not stored_len).
    err = feed(f, u, r->slot_offset, (uint64_t)e.count * eiota_elem_size(r->elem_type), &budget);
    if (err != EIOTA_OK) return err;
  }
  return feed(f, u, eiota_store_extra_at(m), h.extra_len, &budget);
}

// A counted region's count word is layout, not payload: it must still say what the tensor expects.
int check_counts(const eiota_store* s, uint8_t slot, const eiota_model* m) {
  const eiota_flash* f = slot_flash(s, slot);
  for (uint32_t i = 0; i < m->region_count; i++) {
    const eiota_region* r = eiota_model_region(m, i);
    if (!(r->flags & EIOTA_REGION_COUNTED)) continue;
    uint8_t w[4];
    int err = eiota_flash_read(f, r->slot_offset - 4u, w, 4);
    if (err != EIOTA_OK) return err;
    if (eiota_get_u32(w) != r->count) return EIOTA_ERR_HASH_MISMATCH;
  }
  return EIOTA_OK;
}

// SHA-256 of every region's values as the slot holds them, in region order: the full-data digest.
int hash_values(const eiota_flash* f, const eiota_model* m, uint8_t out[32]) {
  eiota_sha256 sha;
  uint8_t buf[64];
  eiota_sha256_init(&sha);
  for (uint32_t i = 0; i < m->region_count; i++) {
    const eiota_region* r = eiota_model_region(m, i);
    uint32_t size = eiota_region_size(r);
    for (uint32_t at = 0; at < size;) {
      uint32_t n = size - at < sizeof buf ? size - at : (uint32_t)sizeof buf;
      int err = eiota_flash_read(f, r->slot_offset + at, buf, n);
      if (err != EIOTA_OK) return err;
      eiota_sha256_update(&sha, buf, n);
      at += n;
    }
  }
  eiota_sha256_final(&sha, out);
  return EIOTA_OK;
}

// A delta kept in a slot: the reader checked its own bytes; the values copied from its base are
// proven by the full-data digest over the whole slot.
int check_assembled(const eiota_flash* f, const eiota_model* m, const eiota_header* h) {
  if (!(h->flags & EIOTA_FLAG_DELTA)) return EIOTA_OK;
  uint8_t digest[32];
  int err = hash_values(f, m, digest);
  if (err != EIOTA_OK) return err;
  return memcmp(digest, h->result_digest, 32) == 0 ? EIOTA_OK : EIOTA_ERR_DELTA_RESULT;
}

int validate(const eiota_store* s, const eiota_model* m, uint8_t slot) {
  if (slot == EIOTA_SLOT_FACTORY) return EIOTA_OK;
  const uint64_t sequence = status_of(s)->slot_sequence[slot];
  if (sequence == 0) return EIOTA_ERR_STATE;
  eiota_update u;
  eiota_update_begin_check(&u, m);
  int err = replay(s, slot, m, &u, UINT64_MAX);
  if (err == EIOTA_OK) err = eiota_update_finish(&u);
  if (err == EIOTA_OK && u.header.sequence != sequence) err = EIOTA_ERR_OLD_SEQUENCE;  // not the payload recorded
  if (err == EIOTA_OK) err = check_counts(s, slot, m);
  if (err == EIOTA_OK) err = check_assembled(slot_flash(s, slot), m, &u.header);
  return err;
}

// Makes `slot`'s values the ones inference reads: the working copies are filled from it; in-place
// regions follow `serving`. On a read error the factory values serve.
void serve(const eiota_model* m, eiota_store* s, uint8_t slot) {
  const eiota_flash* f = slot_flash(s, slot);
  eiota_model_state* st = m->state;
  eiota_header h;
  uint8_t head[EIOTA_MAX_HEADER_LEN];
  int err = f != NULL ? read_header(f, &h, head) : EIOTA_OK;
  for (uint32_t i = 0; i < m->region_count && err == EIOTA_OK; i++) {
    const eiota_region* r = eiota_model_region(m, i);
    if (r->working == NULL) continue;
    uint32_t size = eiota_region_size(r);
    if (f == NULL) {
      memcpy(r->working, r->factory, size);
      continue;
    }
    uint8_t raw[EIOTA_ENTRY_LEN];
    eiota_entry e;
    e.count = r->count;  // a delta's slot holds every region whole
    if (!(h.flags & EIOTA_FLAG_DELTA)) {
      err = eiota_flash_read(f, eiota_table_offset(h.header_len) + EIOTA_ENTRY_LEN * i, raw, EIOTA_ENTRY_LEN);
      if (err != EIOTA_OK) break;
      eiota_decode_entry(raw, sizeof raw, &e);
    }
    uint32_t sent = e.count < r->count ? e.count * eiota_elem_size(r->elem_type) : size;
    err = eiota_flash_read(f, r->slot_offset, (uint8_t*)r->working, sent);
    memset((uint8_t*)r->working + sent, 0, size - sent);  // a prefix region: zeros past what was sent
  }
  if (err != EIOTA_OK) {
    st->last_error = (int16_t)err;
    serve(m, s, EIOTA_SLOT_FACTORY);
    return;
  }
  s->serving = slot;
  s->extra_len = f != NULL ? h.extra_len : 0;
  st->loaded = 1;
  st->status = slot == EIOTA_SLOT_FACTORY ? EIOTA_STATUS_FACTORY : EIOTA_STATUS_UPDATED;
  st->applied_sequence = status_of(s)->slot_sequence[slot];
  memset(st->applied_digest, 0, EIOTA_DIGEST_KEPT);
  if (f != NULL) memcpy(st->applied_digest, head + 48, EIOTA_DIGEST_KEPT);
}

// A slot is forgotten only for what it holds, never because the flash could not be read this time.
bool verdict(int err) { return err != EIOTA_ERR_STORAGE && err != EIOTA_ERR_FLASH_RANGE; }

void sync_floor(const eiota_model* m, const eiota_store* s) {
  if (status_of(s)->floor > m->state->sequence_floor) m->state->sequence_floor = status_of(s)->floor;
}

// The slot an update may write: neither active, confirmed, nor serving.
uint8_t writable_slot(const eiota_store* s) {
  const eiota_journal_status* j = status_of(s);
  for (uint8_t slot = EIOTA_SLOT_A; slot <= EIOTA_SLOT_B; slot++)
    if (slot != j->active && slot != j->confirmed && slot != s->serving) return slot;
  return EIOTA_SLOT_FACTORY;
}

uint64_t span_of(const eiota_model* m, const eiota_header* h) {
  return eiota_store_extra_at(m) + h->extra_len;
}

// Bytes buffered for the prog at `at`: whole prog units, up to the buffer, never past the erase
// block's end, so a prog torn by a power cut stays inside one block (resume rewrites that block).
uint32_t capacity(const eiota_flash* f, uint32_t at) {
  uint32_t cap = (uint32_t)sizeof(((eiota_store*)0)->buf) / f->prog_size * f->prog_size;
  uint32_t left = f->erase_size - at % f->erase_size;
  return cap < left ? cap : left;
}

// Programs what is buffered, padded with erased bytes to whole prog units; an all-erased run is skipped.
int flush(eiota_store* s) {
  if (s->buf_len == 0) return EIOTA_OK;
  const eiota_flash* f = slot_flash(s, s->target);
  const uint32_t ps = f->prog_size;
  uint32_t n = (s->buf_len + ps - 1) / ps * ps;
  memset(s->buf + s->buf_len, f->erased_value, n - s->buf_len);
  // Whole erased units at either end (layout gaps) are left alone: they already read as erased.
  uint32_t first = 0, last = n;
  while (first < last && s->buf[first] == f->erased_value) first++;
  while (last > first && s->buf[last - 1] == f->erased_value) last--;
  first = first / ps * ps;
  last = (last + ps - 1) / ps * ps;
  int err = first == last ? EIOTA_OK : eiota_flash_prog(f, s->buf_addr + first, s->buf + first, last - first);
  s->buf_addr += n;
  s->buf_len = 0;
  return err;
}

}  // namespace

extern "C" {

uint64_t eiota_store_extra_at(const eiota_model* m) { return eiota_slot_extra_start(values_end(m)); }

const void* eiota_store_values(const eiota_model* m, const eiota_region* r) {
  const eiota_store* s = store_of(m);
  const eiota_flash* f = s ? slot_flash(s, s->serving) : NULL;
  if (f == NULL || f->mapped == NULL) return r->factory;
  return f->mapped + r->slot_offset;
}

int eiota_store_attach(const eiota_model* m, eiota_store* s, const eiota_store_config* cfg, eiota_store_report* report) {
  eiota_store_report rep;
  memset(&rep, 0, sizeof rep);
  if (report) *report = rep;
  if (m == NULL || s == NULL || cfg == NULL || cfg->slot[0] == NULL || cfg->slot[1] == NULL) return EIOTA_ERR_STATE;
  memset(s, 0, sizeof *s);
  s->cfg = cfg;
  s->switch_to = EIOTA_STORE_NO_SWITCH;
  int err = check_layout(m);
  for (int i = 0; i < 2 && err == EIOTA_OK; i++) {
    err = eiota_flash_check(cfg->slot[i]);
    if (err == EIOTA_OK && cfg->slot[i]->prog_size > EIOTA_JOURNAL_MAX_PROG) err = EIOTA_ERR_UNSUPPORTED;
    if (err == EIOTA_OK && has_in_place(m) && cfg->slot[i]->mapped == NULL) err = EIOTA_ERR_UNSUPPORTED;
  }
  if (err == EIOTA_OK) err = eiota_journal_open(&s->journal, cfg->journal, cfg->journal_offset, cfg->max_trial_boots);
  if (err != EIOTA_OK) return err;
  sync_floor(m, s);  // kept even if attaching fails below: the floor holds in RAM mode too
  rep.journal_blank = s->journal.seq == 0;

  Lock lock(s);
  const eiota_journal_status* j = status_of(s);
  if (j->trial) {
    err = record(s, EIOTA_JOURNAL_BOOT, 0, 0, 0);
    if (err != EIOTA_OK) return err;
    rep.reverted = !j->trial;
  }
  bool checked = false;
  if (!j->trial && j->pending != EIOTA_SLOT_FACTORY) {  // verified, but the reset came before its trial
    uint8_t p = j->pending;
    int bad = validate(s, m, p);
    if (bad == EIOTA_OK || verdict(bad)) {
      err = bad == EIOTA_OK ? record(s, EIOTA_JOURNAL_TRIAL, 0, 0, 0) : record(s, EIOTA_JOURNAL_REJECT, p, 0, 0);
      if (err != EIOTA_OK) return err;
      checked = bad == EIOTA_OK;
    }
    if (bad != EIOTA_OK) {
      rep.rejected |= (uint8_t)(1u << p);
      rep.reject_error[p] = (int16_t)bad;
    }
  }
  uint8_t serve_slot = j->active;
  while (serve_slot != EIOTA_SLOT_FACTORY && !checked) {  // at most twice: each reject forgets a slot
    int bad = validate(s, m, serve_slot);
    if (bad == EIOTA_OK) break;
    rep.rejected |= (uint8_t)(1u << serve_slot);
    rep.reject_error[serve_slot] = (int16_t)bad;
    if (!verdict(bad)) {  // unreadable now: factory serves this boot, the journal is left alone
      serve_slot = EIOTA_SLOT_FACTORY;
      break;
    }
    err = record(s, EIOTA_JOURNAL_REJECT, serve_slot, 0, 0);
    if (err != EIOTA_OK) return err;
    serve_slot = j->active;
  }
  m->state->store = s;
  sync_floor(m, s);
  serve(m, s, serve_slot);
  rep.serving = s->serving;
  if (report) *report = rep;
  return EIOTA_OK;
}

const eiota_journal_status* eiota_store_status(const eiota_model* m) {
  const eiota_store* s = store_of(m);
  return s ? status_of(s) : NULL;
}

int eiota_store_confirm(const eiota_model* m) {
  eiota_store* s = store_of(m);
  if (s == NULL) return EIOTA_ERR_STATE;
  Lock lock(s);
  return record(s, EIOTA_JOURNAL_CONFIRM, 0, 0, 0);
}

int eiota_store_revert(const eiota_model* m, uint8_t reason) {
  eiota_store* s = store_of(m);
  if (s == NULL || !status_of(s)->trial) return EIOTA_ERR_STATE;
  // The slot reverted to must still verify (it was checked at boot, before this trial began).
  uint8_t back = status_of(s)->confirmed;
  int bad = back == EIOTA_SLOT_FACTORY ? EIOTA_OK : validate(s, m, back);
  Lock lock(s);
  if (bad != EIOTA_OK) {
    int err = record(s, EIOTA_JOURNAL_REJECT, back, 0, 0);  // factory becomes the one reverted to
    if (err != EIOTA_OK) return err;
  }
  int err = record(s, EIOTA_JOURNAL_REVERT, 0, reason, 0);
  if (err == EIOTA_OK) s->switch_to = status_of(s)->active;
  return err;
}

int eiota_store_select(const eiota_model* m, uint8_t slot) {
  eiota_store* s = store_of(m);
  if (s == NULL || slot > EIOTA_SLOT_B || (s->target != EIOTA_SLOT_FACTORY && s->target == slot)) return EIOTA_ERR_STATE;
  int err = validate(s, m, slot);  // outside the lock: a whole re-hash
  if (err != EIOTA_OK) return err;
  Lock lock(s);
  if (slot != EIOTA_SLOT_FACTORY && s->target == slot) return EIOTA_ERR_STATE;  // an update took it meanwhile
  err = record(s, EIOTA_JOURNAL_SELECT, slot, 0, 0);
  if (err == EIOTA_OK) s->switch_to = slot;
  return err;
}

int eiota_store_validate(const eiota_model* m, uint8_t slot) {
  const eiota_store* s = store_of(m);
  if (s == NULL || slot > EIOTA_SLOT_B) return EIOTA_ERR_STATE;
  return validate(s, m, slot);
}

uint32_t eiota_store_extra_len(const eiota_model* m) {
  const eiota_store* s = store_of(m);
  return s ? s->extra_len : 0;
}

int eiota_store_read_extra(const eiota_model* m, uint32_t offset, uint8_t* buf, uint32_t len) {
  const eiota_store* s = store_of(m);
  const eiota_flash* f = s ? slot_flash(s, s->serving) : NULL;
  uint32_t total = eiota_store_extra_len(m);
  if (f == NULL || offset > total || len > total - offset) return EIOTA_ERR_STATE;
  uint64_t at = eiota_store_extra_at(m) + offset;
  return at > UINT32_MAX ? EIOTA_ERR_FLASH_RANGE : eiota_flash_read(f, (uint32_t)at, buf, len);
}

static int read_extra(void* m, uint32_t offset, uint8_t* buf, uint32_t len) {
  return eiota_store_read_extra((const eiota_model*)m, offset, buf, len);
}

int eiota_store_selftest(const eiota_model* m, eiota_infer_fn infer, void* ctx, eiota_selftest_report* report) {
  eiota_selftest_report local;
  if (report == NULL) report = &local;
  memset(report, 0, sizeof *report);
  eiota_store* s = store_of(m);
  if (s == NULL || infer == NULL || !status_of(s)->trial) return EIOTA_ERR_STATE;
  eiota_model_ready(m);  // the trial's values serve
  if (s->serving != status_of(s)->active) return EIOTA_ERR_STATE;
  uint32_t len = eiota_store_extra_len(m);
  if (len == 0) return report->result = EIOTA_ERR_SELFTEST_BLOCK;
  int err = eiota_selftest_run(read_extra, (void*)m, len, infer, ctx, report);
  if (err == EIOTA_OK) return eiota_store_confirm(m);
  if (err != EIOTA_ERR_SELFTEST_FAILED && err != EIOTA_ERR_SELFTEST_BLOCK) return err;
  int rec = eiota_store_revert(m, EIOTA_REVERT_SELFTEST);
  return rec != EIOTA_OK ? rec : err;
}

// True if the slot starts with exactly these header bytes: the stream resumed is the one stored.
bool same_header(const eiota_flash* f, const uint8_t* head, uint32_t len) {
  uint8_t buf[EIOTA_MAX_HEADER_LEN];
  return len <= sizeof buf && eiota_flash_read(f, 0, buf, len) == EIOTA_OK && memcmp(buf, head, len) == 0;
}

int eiota_store_open(const eiota_model* m, const eiota_header* h, const uint8_t* head) {
  eiota_store* s = store_of(m);
  if (s == NULL) return EIOTA_ERR_STATE;
  const eiota_journal_status* j = status_of(s);
  uint8_t slot;
  const eiota_flash* f;
  uint64_t span;
  {
    Lock lock(s);
    if (j->trial) return EIOTA_ERR_TRIAL;
    if (h->sequence <= j->floor) return EIOTA_ERR_OLD_SEQUENCE;
    slot = writable_slot(s);
    if (slot == EIOTA_SLOT_FACTORY) return EIOTA_ERR_TRIAL;
    f = slot_flash(s, slot);
    span = span_of(m, h);
    if (span > f->size || !eiota_slot_head_fits(h->header_len, h->region_count, m->region_count))
      return EIOTA_ERR_SLOT_TOO_SMALL;
    s->target = EIOTA_SLOT_FACTORY;
    if (s->keep_below != 0 && !same_header(f, head, h->header_len)) s->keep_below = 0;  // another payload
    // The slot is forgotten before a byte of it changes, so no reset can serve it half-written.
    if (s->keep_below == 0 && j->slot_sequence[slot] != 0) {
      int err = record(s, EIOTA_JOURNAL_REJECT, slot, 0, 0);
      if (err != EIOTA_OK) return err;
    }
  }
  if (s->keep_below == 0) {
    for (uint64_t at = 0; at < span; at += f->erase_size) {  // block by block, as drivers do
      int err = eiota_flash_erase(f, (uint32_t)at, f->erase_size);
      if (err != EIOTA_OK) return err;
    }
    s->buf_addr = 0;
  } else {
    s->buf_addr = s->keep_below;
  }
  s->buf_len = 0;
  s->target = slot;
  return EIOTA_OK;
}

int eiota_store_put(const eiota_model* m, uint64_t addr, const uint8_t* data, uint32_t len) {
  eiota_store* s = store_of(m);
  if (s == NULL || s->target == EIOTA_SLOT_FACTORY) return EIOTA_ERR_STATE;
  const eiota_flash* f = slot_flash(s, s->target);
  if (addr + len <= s->keep_below) return EIOTA_OK;  // resuming: already in the slot
  if (addr < s->keep_below) {
    uint32_t skip = (uint32_t)(s->keep_below - addr);
    addr += skip;
    data += skip;
    len -= skip;
  }
  uint64_t pos = (uint64_t)s->buf_addr + s->buf_len;
  if (addr < pos || addr + len > f->size) return EIOTA_ERR_STORAGE;
  if (addr > pos) {  // a gap stays erased
    if (addr - s->buf_addr >= capacity(f, s->buf_addr)) {
      int err = flush(s);
      if (err != EIOTA_OK) return err;
      s->buf_addr = (uint32_t)addr / f->prog_size * f->prog_size;  // addr < f->size: 32-bit division
    }
    uint32_t to = (uint32_t)(addr - s->buf_addr);
    memset(s->buf + s->buf_len, f->erased_value, to - s->buf_len);
    s->buf_len = (uint8_t)to;
  }
  while (len > 0) {
    const uint32_t cap = capacity(f, s->buf_addr);
    if (s->buf_len == 0 && len >= cap) {  // whole units straight from the caller, up to the block's end
      uint32_t block_left = f->erase_size - s->buf_addr % f->erase_size;
      uint32_t n = (len < block_left ? len : block_left) / f->prog_size * f->prog_size;
      int err = eiota_flash_prog(f, s->buf_addr, data, n);
      if (err != EIOTA_OK) return err;
      s->buf_addr += n;
      data += n;
      len -= n;
      continue;
    }
    uint32_t n = cap - s->buf_len;
    if (n > len) n = len;
    memcpy(s->buf + s->buf_len, data, n);
    s->buf_len = (uint8_t)(s->buf_len + n);
    data += n;
    len -= n;
    if (s->buf_len == cap) {
      int err = flush(s);
      if (err != EIOTA_OK) return err;
    }
  }
  return EIOTA_OK;
}

int eiota_store_read_back(const eiota_model* m, uint64_t addr, uint8_t* buf, uint32_t len) {
  const eiota_store* s = store_of(m);
  if (s == NULL || s->target == EIOTA_SLOT_FACTORY) return EIOTA_ERR_STATE;
  if (addr < s->buf_addr) {  // programmed already (or kept by a resume)
    uint32_t n = s->buf_addr - addr < len ? (uint32_t)(s->buf_addr - addr) : len;
    int err = eiota_flash_read(slot_flash(s, s->target), (uint32_t)addr, buf, n);
    if (err != EIOTA_OK) return err;
    addr += n;
    buf += n;
    len -= n;
  }
  if (addr + len > (uint64_t)s->buf_addr + s->buf_len) return EIOTA_ERR_STORAGE;  // not put yet
  memcpy(buf, s->buf + (addr - s->buf_addr), len);
  return EIOTA_OK;
}

int eiota_store_commit(const eiota_model* m, const eiota_header* h) {
  eiota_store* s = store_of(m);
  if (s == NULL || s->target == EIOTA_SLOT_FACTORY) return EIOTA_ERR_STATE;
  int err = flush(s);
  if (err != EIOTA_OK) return err;
  Lock lock(s);
  uint8_t slot = s->target;
  err = record(s, EIOTA_JOURNAL_NEW, slot, 0, h->sequence);
  if (err == EIOTA_OK) err = record(s, EIOTA_JOURNAL_TRIAL, 0, 0, 0);
  if (err != EIOTA_OK) return err;
  s->target = EIOTA_SLOT_FACTORY;
  s->keep_below = 0;
  s->switch_to = slot;
  sync_floor(m, s);
  return EIOTA_OK;
}

void eiota_store_forget_resume(const eiota_model* m) {
  eiota_store* s = store_of(m);
  if (s != NULL && s->target == EIOTA_SLOT_FACTORY) s->keep_below = 0;
}

void eiota_store_close(const eiota_model* m) {
  eiota_store* s = store_of(m);
  if (s == NULL) return;
  s->target = EIOTA_SLOT_FACTORY;
  s->keep_below = 0;
  s->buf_len = 0;
}

// Called by eiota_model_ready (eiota_model.cpp) before every inference.
bool eiota_store_switch(const eiota_model* m) {
  eiota_store* s = store_of(m);
  if (s == NULL) return false;
  if (s->switch_to != EIOTA_STORE_NO_SWITCH) {
    Lock lock(s);
    uint8_t to = s->switch_to;
    s->switch_to = EIOTA_STORE_NO_SWITCH;
    serve(m, s, to);
  }
  return true;
}

int eiota_update_resume(eiota_update* u, const eiota_model* m, uint32_t* offset) {
  eiota_store* s = store_of(m);
  if (u == NULL || s == NULL || offset == NULL) return EIOTA_ERR_STATE;
  *offset = 0;
  const eiota_journal_status* j = status_of(s);
  uint8_t slot = writable_slot(s);
  if (j->trial || slot == EIOTA_SLOT_FACTORY || j->slot_sequence[slot] != 0) return EIOTA_ERR_STATE;
  const eiota_flash* f = slot_flash(s, slot);
  eiota_header h;
  uint8_t head[EIOTA_MAX_HEADER_LEN];
  if (read_header(f, &h, head) != EIOTA_OK || h.sequence <= j->floor) return EIOTA_ERR_STATE;
  if (h.flags & EIOTA_FLAG_DEFLATE) return EIOTA_ERR_STATE;  // a stream cannot be entered midway: start again
  uint64_t span = span_of(m, &h);
  if (span > f->size) return EIOTA_ERR_STATE;

  // The last byte that is not erased: everything before its erase block landed whole (writes go in
  // order, one prog at a time); that block may hold a torn prog, so it is written again.
  uint64_t last = 0;
  uint8_t buf[64];
  for (uint64_t end = span; end > 0 && last == 0;) {
    uint32_t n = end < sizeof buf ? (uint32_t)end : (uint32_t)sizeof buf;
    end -= n;
    if (eiota_flash_read(f, (uint32_t)end, buf, n) != EIOTA_OK) return EIOTA_ERR_STORAGE;
    for (uint32_t i = n; i-- > 0;)
      if (buf[i] != f->erased_value) {
        last = end + i + 1;
        break;
      }
  }
  uint64_t block = last == 0 ? 0 : (uint32_t)(last - 1) / f->erase_size * f->erase_size;  // last <= span <= size: 32-bit
  // Nothing whole to keep, or not even the header (which the replay reads back after the erase):
  // start again.
  if (block < h.header_len) return EIOTA_ERR_STATE;

  // The payload bytes that lie below `block` in the slot: the header part, then each region's.
  uint64_t table_end = eiota_table_offset(h.header_len) + (uint64_t)EIOTA_ENTRY_LEN * h.region_count;
  uint64_t keep = 0;
  if (block < table_end) {
    keep = block;
  } else if (h.region_count == m->region_count || ((h.flags & EIOTA_FLAG_DELTA) && h.region_count < m->region_count)) {
    keep = table_end;
    bool done = false;
    for (uint32_t i = 0; i < h.region_count && !done; i++) {
      uint8_t raw[EIOTA_ENTRY_LEN];
      eiota_entry e;
      if (eiota_flash_read(f, (uint32_t)(eiota_table_offset(h.header_len) + EIOTA_ENTRY_LEN * i), raw, sizeof raw) != EIOTA_OK)
        return EIOTA_ERR_STORAGE;
      eiota_decode_entry(raw, sizeof raw, &e);
      const eiota_region* r = eiota_model_region(m, e.region);  // a delta's entries name their regions
      if (r == NULL) return EIOTA_ERR_STATE;
      uint64_t at = r->slot_offset;
      if (at + e.stored_len <= block) {
        keep += e.stored_len;
      } else {
        keep += block > at ? block - at : 0;
        done = true;
      }
    }
    if (!done) {
      uint64_t at = eiota_store_extra_at(m);
      keep += block > at ? (block - at < h.extra_len ? block - at : h.extra_len) : 0;
    }
  } else {
    return EIOTA_ERR_STATE;
  }
  if (keep > UINT32_MAX) return EIOTA_ERR_STATE;

  int err = eiota_flash_erase(f, (uint32_t)block, f->erase_size);
  if (err != EIOTA_OK) return err;
  eiota_update_begin(u, m);
  s->keep_below = (uint32_t)block;  // only for this stream: open checks it is the header stored
  err = replay(s, slot, m, u, keep);
  if (err != EIOTA_OK) {
    eiota_update_abort(u, err);
    s->keep_below = 0;
    return err;
  }
  s->resumed_from = (uint32_t)keep;
  *offset = (uint32_t)keep;
  return EIOTA_OK;
}

int eiota_store_base(const eiota_model* m, uint8_t* slot, uint64_t* sequence, uint8_t digest[32]) {
  const eiota_store* s = store_of(m);
  if (s == NULL) return EIOTA_ERR_STATE;
  // What serves from the next inference: a switch already asked for (a commit, select or revert) counts.
  *slot = s->switch_to != EIOTA_STORE_NO_SWITCH ? s->switch_to : s->serving;
  *sequence = status_of(s)->slot_sequence[*slot];
  const eiota_flash* f = slot_flash(s, *slot);
  if (f == NULL) {
    *sequence = 0;
    if (m->factory_digest == NULL) return EIOTA_ERR_NO_BASE_DIGEST;
    memcpy(digest, m->factory_digest, 32);
    return EIOTA_OK;
  }
  eiota_header h;
  uint8_t head[EIOTA_MAX_HEADER_LEN];
  int err = read_header(f, &h, head);
  if (err != EIOTA_OK) return err;
  if (h.flags & EIOTA_FLAG_DELTA) {
    memcpy(digest, h.result_digest, 32);
  } else if (h.extra_len == 0) {
    memcpy(digest, h.data_sha256, 32);  // the data section is the values
  } else {
    return hash_values(f, m, digest);
  }
  return EIOTA_OK;
}

int eiota_store_copy_region(const eiota_model* m, uint8_t from, uint32_t region) {
  const eiota_store* s = store_of(m);
  const eiota_region* r = eiota_model_region(m, region);
  if (s == NULL || r == NULL) return EIOTA_ERR_STATE;
  if (r->flags & EIOTA_REGION_COUNTED) {
    uint8_t count[4];
    eiota_put_u32(count, r->count);
    int err = eiota_store_put(m, (uint64_t)r->slot_offset - 4u, count, 4);
    if (err != EIOTA_OK) return err;
  }
  const eiota_flash* f = slot_flash(s, from);
  const uint32_t size = eiota_region_size(r);
  if (f == NULL) return eiota_store_put(m, r->slot_offset, (const uint8_t*)r->factory, size);
  uint8_t buf[64];
  for (uint32_t at = 0; at < size;) {
    uint32_t n = size - at < sizeof buf ? size - at : (uint32_t)sizeof buf;
    int err = eiota_flash_read(f, r->slot_offset + at, buf, n);
    if (err == EIOTA_OK) err = eiota_store_put(m, (uint64_t)r->slot_offset + at, buf, n);
    if (err != EIOTA_OK) return err;
    at += n;
  }
  return EIOTA_OK;
}

int eiota_store_check_result(const eiota_model* m, const uint8_t digest[32]) {
  eiota_store* s = store_of(m);
  if (s == NULL || s->target == EIOTA_SLOT_FACTORY) return EIOTA_ERR_STATE;
  int err = flush(s);
  if (err != EIOTA_OK) return err;
  uint8_t have[32];
  err = hash_values(slot_flash(s, s->target), m, have);
  if (err != EIOTA_OK) return err;
  return memcmp(have, digest, 32) == 0 ? EIOTA_OK : EIOTA_ERR_DELTA_RESULT;
}

}  // extern "C"
