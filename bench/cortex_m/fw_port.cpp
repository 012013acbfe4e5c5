// The porting layer a bare Cortex-M4 firmware gives the Edge Impulse SDK (its own porting/ folder
// is left out of the build): logging goes nowhere, timers read a counter nobody advances, memory
// comes from newlib-nano's malloc. Only the figures need this; a board's port replaces it.
#include <stdlib.h>

#include "edge-impulse-sdk/porting/ei_classifier_porting.h"

namespace {
volatile uint32_t g_ticks;  // a SysTick handler would advance it
}

EI_IMPULSE_ERROR ei_run_impulse_check_canceled() { return EI_IMPULSE_OK; }

EI_IMPULSE_ERROR ei_sleep(int32_t time_ms) {
  (void)time_ms;
  return EI_IMPULSE_OK;
}

uint64_t ei_read_timer_ms() { return g_ticks; }
uint64_t ei_read_timer_us() { return (uint64_t)g_ticks * 1000u; }
void ei_serial_set_baudrate(int) {}
void ei_putchar(char) {}
char ei_getchar(void) { return 0; }

// A board's port would send these to a UART; newlib's printf would add its own buffers.
void ei_printf(const char*, ...) {}
void ei_printf_float(float) {}

void* ei_malloc(size_t size) { return malloc(size); }
void* ei_calloc(size_t nitems, size_t size) { return calloc(nitems, size); }
void ei_free(void* ptr) { free(ptr); }

extern "C" void DebugLog(const char*) {}
