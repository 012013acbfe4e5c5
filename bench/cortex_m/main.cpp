// Cortex-M4 link check and footprint probe: a firmware that applies a payload through the pull
// API and runs the patched model once. Linked with newlib-nano and no system calls; the link
// must not pull in malloc, operator new or any exception support.
#include <stdint.h>
#include <string.h>

#include "edge-impulse-sdk/classifier/ei_run_classifier.h"
#include "eiota/eiota_update.h"

namespace {

const uint8_t* g_src;
uint32_t g_len, g_pos;
eiota_update g_update;
float g_features[EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE];

int read_source(void*, uint8_t* buf, uint32_t max) {
  if (max == 0) return g_pos < g_len ? 1 : 0;
  uint32_t n = g_len - g_pos < max ? g_len - g_pos : max;
  memcpy(buf, g_src + g_pos, n);
  g_pos += n;
  return (int)n;
}

}  // namespace

// A board's port would send this to a UART; printf from newlib would bring its heap in.
void ei_printf(const char*, ...) {}

int main() {
  int err = eiota_update_pull(&g_update, &eiota_default_model, read_source, nullptr);
  signal_t signal;
  numpy::signal_from_buffer(g_features, EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE, &signal);
  ei_impulse_result_t result;
  run_classifier(&signal, &result, false);
  return err + (int)result.classification[0].value;
}
