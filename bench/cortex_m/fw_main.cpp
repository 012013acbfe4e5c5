// The firmware whose size docs/FIGURES.md reports (bench/cortex_m/firmware.sh): it runs the
// export's classifier once on a static feature buffer. A patched build (EIOTA_FW_PATCHED) also
// links the update path, eiota_update_pull over a reader that has nothing to give, so the update
// context and code are counted; with EIOTA_FW_STORE it attaches the slot store first, its slots in
// memory-mapped flash outside the image (as a partition would be), so the store's context and code
// are counted too.
#include <stdint.h>
#include <string.h>

#include "edge-impulse-sdk/classifier/ei_run_classifier.h"

#if EIOTA_FW_PATCHED
#include "eiota/eiota_update.h"
#endif
#if EIOTA_FW_STORE
#include "eiota/eiota_store.h"
#endif

namespace {

float g_features[EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE];

int get_features(size_t offset, size_t length, float* out) {
  memcpy(out, g_features + offset, length * sizeof(float));
  return 0;
}

#if EIOTA_FW_PATCHED
eiota_update g_update;

// The transport: a real firmware reads a socket or a UART here.
int read_nothing(void*, uint8_t*, uint32_t) { return 0; }
#endif

#if EIOTA_FW_STORE
// Slots and journal at fixed flash addresses past the image; a board's HAL programs and erases.
const uint32_t kAreaSize = 256u * 1024u;
const uint32_t kEraseSize = 4096u;

int hal_prog(void*, uint32_t, const uint8_t*, uint32_t) { return -1; }
int hal_erase(void*, uint32_t, uint32_t) { return -1; }

eiota_flash make_area(uintptr_t base, uint32_t size) {
  eiota_flash f;
  memset(&f, 0, sizeof(f));
  f.prog = hal_prog;
  f.erase = hal_erase;
  f.size = size;
  f.erase_size = kEraseSize;
  f.prog_size = 8;
  f.erased_value = 0xFF;
  f.mapped = (const uint8_t*)base;
  return f;
}

eiota_flash g_journal_area, g_slot_a, g_slot_b;
eiota_store_config g_store_cfg;
eiota_store g_store;

void attach_store() {
  g_journal_area = make_area(0x08100000u, 2 * kEraseSize);
  g_slot_a = make_area(0x08110000u, kAreaSize);
  g_slot_b = make_area(0x08150000u, kAreaSize);
  g_store_cfg.journal = &g_journal_area;
  g_store_cfg.journal_offset = 0;
  g_store_cfg.slot[0] = &g_slot_a;
  g_store_cfg.slot[1] = &g_slot_b;
  g_store_cfg.max_trial_boots = 3;
  eiota_store_report report;
  eiota_store_attach(&eiota_default_model, &g_store, &g_store_cfg, &report);
}
#endif

}  // namespace

int main() {
  int err = 0;
#if EIOTA_FW_STORE
  attach_store();
#endif
#if EIOTA_FW_PATCHED
  err = eiota_update_pull(&g_update, &eiota_default_model, read_nothing, nullptr);
#endif
  signal_t signal;
  signal.total_length = EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE;
  signal.get_data = &get_features;
  ei_impulse_result_t result;
  memset(&result, 0, sizeof(result));
  EI_IMPULSE_ERROR r = run_classifier(&signal, &result, false);
  return err + (int)r;
}
