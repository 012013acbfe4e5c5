// The firmware whose size docs/FIGURES.md reports (bench/cortex_m/firmware.sh): it runs the
// export's classifier on a static feature buffer. A patched build (EIOTA_FW_PATCHED) also links
// the update path: eiota_update_pull over a transport stub, so the update context and code are
// counted. With EIOTA_FW_STORE it is the firmware a user of the slot store builds: at boot it
// attaches the store (journal and slots A and B in memory-mapped flash outside the image, as
// partitions would be), applies an update into the inactive slot, classifies, and confirms a
// model on trial once it classified. The update context and the store are static, so
// arm-none-eabi-size counts them; the flash descriptions are const and live in flash.
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

EI_IMPULSE_ERROR classify() {
  signal_t signal;
  signal.total_length = EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE;
  signal.get_data = &get_features;
  ei_impulse_result_t result;
  memset(&result, 0, sizeof(result));
  return run_classifier(&signal, &result, false);
}

#if EIOTA_FW_PATCHED
eiota_update g_update;

// The transport: a real firmware reads a socket or a UART here; this one has nothing to give.
int read_transport(void*, uint8_t*, uint32_t) { return 0; }
#endif

#if EIOTA_FW_STORE
// An nRF52840-like map (1 MB of memory-mapped flash at 0, 4 KB pages, 32-bit word writes): the
// image below 512 KB, slots A and B of 192 KB each, the journal's two pages at the top.
const uint32_t kPage = 4096u;
const uint32_t kWord = 4u;
const uint32_t kSlotSize = 192u * 1024u;
const uintptr_t kSlotA = 0x00080000u, kSlotB = 0x000B0000u, kJournal = 0x000FE000u;

// The MCU's flash driver (NVMC: enable write, write words, wait for ready) goes here; the
// addresses are offsets inside the area whose base `ctx` holds.
int flash_prog(void* ctx, uint32_t addr, const uint8_t* buf, uint32_t len) {
  (void)ctx; (void)addr; (void)buf; (void)len;
  return 0;
}
int flash_erase(void* ctx, uint32_t addr, uint32_t len) {
  (void)ctx; (void)addr; (void)len;
  return 0;
}

#define FW_AREA(base, size) \
  { (void*)(base), nullptr, flash_prog, flash_erase, (size), kPage, kWord, 0xFF, (const uint8_t*)(base) }

const eiota_flash g_journal_area = FW_AREA(kJournal, 2u * kPage);
const eiota_flash g_slot_a = FW_AREA(kSlotA, kSlotSize);
const eiota_flash g_slot_b = FW_AREA(kSlotB, kSlotSize);
const eiota_store_config g_store_cfg = {&g_journal_area, 0, {&g_slot_a, &g_slot_b}, 3, nullptr, nullptr, nullptr};
eiota_store g_store;
#endif

}  // namespace

int main() {
  int err = 0;
#if EIOTA_FW_STORE
  eiota_store_report boot;
  err = eiota_store_attach(&eiota_default_model, &g_store, &g_store_cfg, &boot);
#endif
#if EIOTA_FW_PATCHED
  // The old model keeps serving while the new one is written; a verified one serves, on trial,
  // from the next inference.
  err += eiota_update_pull(&g_update, &eiota_default_model, read_transport, nullptr);
#endif
  EI_IMPULSE_ERROR r = classify();
#if EIOTA_FW_STORE
  const eiota_journal_status* st = eiota_store_status(&eiota_default_model);
  if (r == EI_IMPULSE_OK && st != nullptr && st->trial) err += eiota_store_confirm(&eiota_default_model);
#endif
  return err + (int)r;
}
