/* Fake Edge Impulse SDK for eiota test fixtures: the raw-data DSP block
 * (features = samples * scale_axes). */
#ifndef EIOTA_FAKE_EI_RUN_DSP_H
#define EIOTA_FAKE_EI_RUN_DSP_H

#include "edge-impulse-sdk/dsp/numpy.hpp"
#include "model-parameters/model_metadata.h"

/* Copies the whole window into `output` (output_size must equal the
 * signal's length) and scales it. Returns 0 on success. */
inline int extract_raw_features(ei::signal_t *signal, float *output, size_t output_size, void *config,
                                const float frequency) {
  (void)frequency;
  const ei_dsp_config_raw_t *raw = (const ei_dsp_config_raw_t *)config;
  if (signal->total_length != output_size) return -1;
  if (ei::numpy::signal_read(signal, 0, output_size, output) != 0) return -1;
  for (size_t i = 0; i < output_size; ++i) output[i] *= raw->scale_axes;
  return 0;
}

#endif /* EIOTA_FAKE_EI_RUN_DSP_H */
