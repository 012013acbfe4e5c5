// CMSIS-DSP functions that some Edge Impulse SDKs (2021) reference on paths a host build never
// takes. Weak, so a real definition wins; abort if ever called.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

extern "C" {

__attribute__((weak)) void arm_rfft_q15(const void*, void*, void*) {
  fprintf(stderr, "sim: arm_rfft_q15 called; this SDK path needs CMSIS-DSP\n");
  abort();
}

__attribute__((weak)) int arm_rfft_init_q15(void*, uint32_t, uint32_t, uint32_t) {
  fprintf(stderr, "sim: arm_rfft_init_q15 called; this SDK path needs CMSIS-DSP\n");
  abort();
}

}
