/* Fake Edge Impulse SDK for eiota test fixtures: default porting functions.
 * Timers read 0 so that fixture output is deterministic. */
#include "ei_classifier_porting.h"

#include <stdio.h>
#if defined(EIOTA_FAKE_SDK_USE_HEAP)
#include <stdlib.h>
#endif

#if defined(__GNUC__)
#define EIOTA_WEAK __attribute__((weak))
#else
#define EIOTA_WEAK
#endif

EIOTA_WEAK void ei_printf(const char *format, ...) {
  va_list args;
  va_start(args, format);
  vprintf(format, args);
  va_end(args);
}

EIOTA_WEAK void ei_printf_float(float f) { ei_printf("%f", (double)f); }

EIOTA_WEAK EI_IMPULSE_ERROR ei_sleep(int32_t time_ms) {
  (void)time_ms;
  return EI_IMPULSE_OK;
}

EIOTA_WEAK EI_IMPULSE_ERROR ei_run_impulse_check_canceled(void) { return EI_IMPULSE_OK; }

EIOTA_WEAK uint64_t ei_read_timer_ms(void) { return 0; }

EIOTA_WEAK uint64_t ei_read_timer_us(void) { return 0; }

#if defined(EIOTA_FAKE_SDK_USE_HEAP)
/* Stores the offset to the malloc'd block in the byte before the aligned
 * pointer; align must be a power of two no larger than 128. */
void *ei_aligned_calloc(size_t align, size_t size) {
  if (align == 0 || align > 128 || (align & (align - 1)) != 0) return NULL;
  unsigned char *raw = (unsigned char *)calloc(1, size + align);
  if (!raw) return NULL;
  size_t shift = align - ((uintptr_t)raw & (align - 1));
  unsigned char *aligned = raw + shift;
  aligned[-1] = (unsigned char)shift;
  return aligned;
}

void ei_aligned_free(void *ptr) {
  if (!ptr) return;
  unsigned char *aligned = (unsigned char *)ptr;
  free(aligned - aligned[-1]);
}
#else
void *ei_aligned_calloc(size_t align, size_t size) {
  (void)align;
  (void)size;
  return NULL;
}

void ei_aligned_free(void *ptr) { (void)ptr; }
#endif
