/* Fake Edge Impulse SDK for eiota test fixtures: the porting layer. The
 * functions are weak in ei_classifier_porting.cpp, so a board port can
 * replace any of them. */
#ifndef EIOTA_FAKE_EI_CLASSIFIER_PORTING_H
#define EIOTA_FAKE_EI_CLASSIFIER_PORTING_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* The fake SDK runs without a heap: the generated model's static arena is
 * used unless EIOTA_FAKE_SDK_USE_HEAP is defined for every translation unit. */
#if !defined(EI_CLASSIFIER_ALLOCATION_STATIC) && !defined(EIOTA_FAKE_SDK_USE_HEAP)
#define EI_CLASSIFIER_ALLOCATION_STATIC 1
#endif

typedef enum {
  EI_IMPULSE_OK = 0,
  EI_IMPULSE_ERROR_SHAPES_DONT_MATCH = -1,
  EI_IMPULSE_CANCELED = -2,
  EI_IMPULSE_TFLITE_ERROR = -3,
  EI_IMPULSE_DSP_ERROR = -5,
  EI_IMPULSE_TFLITE_ARENA_ALLOC_FAILED = -6,
  EI_IMPULSE_UNSUPPORTED_INFERENCING_ENGINE = -10,
  EI_IMPULSE_OUT_OF_MEMORY = -11,
} EI_IMPULSE_ERROR;

void ei_printf(const char *format, ...);
void ei_printf_float(float f);
EI_IMPULSE_ERROR ei_sleep(int32_t time_ms);
EI_IMPULSE_ERROR ei_run_impulse_check_canceled(void);
uint64_t ei_read_timer_ms(void);
uint64_t ei_read_timer_us(void);

/* Used by the generated model in its heap build only. With the static arena
 * (the default) ei_aligned_calloc returns NULL and nothing is allocated. */
void *ei_aligned_calloc(size_t align, size_t size);
void ei_aligned_free(void *ptr);

#endif /* EIOTA_FAKE_EI_CLASSIFIER_PORTING_H */
