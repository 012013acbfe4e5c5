// Cortex-M4 link check and footprint probe: a firmware that attaches the slot store (slots in
// memory-mapped flash outside the image), applies a payload through the pull API, runs the
// patched model once and confirms, then checks for an update over HTTP (eiota_client_run on a
// board's transport). Linked with newlib-nano and no system calls; the link must not
// pull in malloc, operator new or any exception support.
#include <stdint.h>
#include <string.h>

#include "edge-impulse-sdk/classifier/ei_run_classifier.h"
#include "eiota/eiota_client.h"
#include "eiota/eiota_store.h"
#include "eiota/eiota_update.h"

namespace {

const uint8_t* g_src;
uint32_t g_len, g_pos;
eiota_update g_update;
float g_features[EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE];

// A board's flash driver goes here.
int flash_prog(void*, uint32_t, const uint8_t*, uint32_t) { return 0; }
int flash_erase(void*, uint32_t, uint32_t) { return 0; }
const eiota_flash g_journal = {nullptr, nullptr, flash_prog, flash_erase, 8192, 4096, 4, 0xFF, (const uint8_t*)0x000FE000u};
const eiota_flash g_slot_a = {nullptr, nullptr, flash_prog, flash_erase, 65536, 4096, 4, 0xFF, (const uint8_t*)0x00080000u};
const eiota_flash g_slot_b = {nullptr, nullptr, flash_prog, flash_erase, 65536, 4096, 4, 0xFF, (const uint8_t*)0x00090000u};
const eiota_store_config g_store_cfg = {&g_journal, 0, {&g_slot_a, &g_slot_b}, 3, nullptr, nullptr, nullptr};
eiota_store g_store;

int read_source(void*, uint8_t* buf, uint32_t max) {
  if (max == 0) return g_pos < g_len ? 1 : 0;
  uint32_t n = g_len - g_pos < max ? g_len - g_pos : max;
  memcpy(buf, g_src + g_pos, n);
  g_pos += n;
  return (int)n;
}

// A board's network stack goes here (lwIP, a modem): a transport that never connects.
int net_connect(void*, const char*, uint16_t, uint32_t) { return EIOTA_ERR_NET; }
int net_send(void*, const uint8_t*, size_t, uint32_t) { return EIOTA_ERR_NET; }
int net_recv(void*, uint8_t*, size_t, uint32_t) { return EIOTA_ERR_NET; }
void net_close(void*) {}
const eiota_transport g_net = {nullptr, net_connect, net_send, net_recv, net_close};
const eiota_client_config g_client_cfg = {&g_net, "http://updates.example.com/eiota/v1", "demo", "stable", "m4-1", 0, 0, nullptr, nullptr};
eiota_client g_client;

}  // namespace

// A board's port would send this to a UART; printf from newlib would bring its heap in.
void ei_printf(const char*, ...) {}

int main() {
  eiota_store_report boot;
  int err = eiota_store_attach(&eiota_default_model, &g_store, &g_store_cfg, &boot);
  err += eiota_update_pull(&g_update, &eiota_default_model, read_source, nullptr);
  signal_t signal;
  numpy::signal_from_buffer(g_features, EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE, &signal);
  ei_impulse_result_t result;
  run_classifier(&signal, &result, false);
  err += eiota_store_confirm(&eiota_default_model);
  if (eiota_client_init(&g_client, &g_client_cfg) == EIOTA_OK) err += eiota_client_run(&g_client, &eiota_default_model, &g_update);
  return err + (int)result.classification[0].value;
}
