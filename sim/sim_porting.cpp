// The porting functions the Edge Impulse SDK needs, for a host build of an export that ships
// without porting/posix (Arduino and firmware exports).
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "edge-impulse-sdk/porting/ei_classifier_porting.h"
#if __has_include("edge-impulse-sdk/tensorflow/lite/micro/debug_log.h")
#include "edge-impulse-sdk/tensorflow/lite/micro/debug_log.h"
#define EIOTA_SIM_HAS_DEBUGLOG 1
#endif

#if defined(__cplusplus) && EI_C_LINKAGE == 1
extern "C" {
#endif

EI_IMPULSE_ERROR ei_run_impulse_check_canceled() { return EI_IMPULSE_OK; }

EI_IMPULSE_ERROR ei_sleep(int32_t time_ms) {
  struct timespec t = {time_ms / 1000, (long)(time_ms % 1000) * 1000000L};
  nanosleep(&t, nullptr);
  return EI_IMPULSE_OK;
}

uint64_t ei_read_timer_us() {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

uint64_t ei_read_timer_ms() { return ei_read_timer_us() / 1000u; }

void ei_printf(const char* format, ...) {
  va_list args;
  va_start(args, format);
  vprintf(format, args);
  va_end(args);
}

void ei_printf_float(float f) { printf("%f", f); }
void ei_putchar(char c) { putchar(c); }
char ei_getchar(void) { return (char)getchar(); }
void ei_serial_set_baudrate(int) {}
void* ei_malloc(size_t size) { return malloc(size); }
void* ei_calloc(size_t nitems, size_t size) { return calloc(nitems, size); }
void ei_free(void* ptr) { free(ptr); }

#if defined(__cplusplus) && EI_C_LINKAGE == 1
}
#endif

// TFLite Micro's log hook, which 2021-22 SDKs leave to the port (porting/<target>/debug_log.cpp).
// Weak: an SDK whose own debug_log.cc defines it wins. Its linkage is the header's declaration.
#if defined(EIOTA_SIM_HAS_DEBUGLOG)
#if defined(EIOTA_SIM_DEBUGLOG_VA)
__attribute__((weak)) void DebugLog(const char* format, va_list args) { vfprintf(stderr, format, args); }
#else
__attribute__((weak)) void DebugLog(const char* s) { fputs(s, stderr); }
#endif
#endif
