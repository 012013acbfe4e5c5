// Records a learn block's raw output tensors for the simulator (sim_main.cpp prints them).
// Included by the capture units that `eiota simulate` generates around each model's invoke.
#pragma once

#include <stddef.h>

#include "edge-impulse-sdk/tensorflow/lite/c/common.h"

// `output` is the tensor's index in its block: 0 starts the next block.
extern "C" void eiota_sim_record(int output, int type, const int* dims, int ndims, const void* data, size_t bytes);

// A learn block's capture unit: `ran` 0 once at start-up (the block exists), 1 after each invoke.
extern "C" int eiota_sim_block(const char* stem, int ran);

inline void eiota_sim_record_tensor(int output, const TfLiteTensor* t) {
  eiota_sim_record(output, (int)t->type, t->dims ? t->dims->data : NULL, t->dims ? t->dims->size : 0, t->data.raw, t->bytes);
}

// EON model files fill a tensor (2023 on) or return a pointer to one (2021-22).
inline bool eiota_sim_output(TfLiteStatus (*f)(int, TfLiteTensor*), int i, TfLiteTensor* t) { return f(i, t) == kTfLiteOk; }
inline bool eiota_sim_output(TfLiteTensor* (*f)(int), int i, TfLiteTensor* t) {
  TfLiteTensor* p = f(i);
  if (!p) return false;
  *t = *p;
  return true;
}
