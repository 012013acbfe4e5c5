/* Fake Edge Impulse SDK for eiota test fixtures: the impulse description
 * that an export's model_variables.h fills in. Member order matters: the
 * generated file uses designated initializers. */
#ifndef EIOTA_FAKE_EI_MODEL_TYPES_H
#define EIOTA_FAKE_EI_MODEL_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "edge-impulse-sdk/dsp/numpy_types.h"
#include "edge-impulse-sdk/tensorflow/lite/c/common.h"

/* Entry points of an EON-compiled graph (tflite_learn_<n>_*). */
typedef struct {
  uint16_t implementation_version;
  TfLiteStatus (*model_init)(void *(*alloc_fnc)(size_t, size_t));
  TfLiteStatus (*model_invoke)();
  TfLiteStatus (*model_reset)(void (*free)(void *ptr));
  TfLiteStatus (*model_input)(int, TfLiteTensor *);
  TfLiteStatus (*model_output)(int, TfLiteTensor *);
} ei_config_tflite_eon_graph_t;

typedef struct {
  uint16_t implementation_version;
  uint32_t block_id;
  const uint8_t *output_tensors_indices;
  uint8_t output_tensors_size;
  uint8_t quantized;
  uint8_t compiled;
  void *graph_config;
  uint8_t dequantize_output;
} ei_learning_block_config_tflite_graph_t;

typedef struct {
  uint32_t blockId;
  void *config;
  const uint32_t *input_block_ids;
  uint32_t input_block_ids_size;
} ei_learning_block_t;

/* A DSP block turns the raw signal into `output_size` features. */
typedef int (*ei_dsp_extract_fn_t)(ei::signal_t *signal, float *output, size_t output_size, void *config,
                                   const float frequency);

typedef struct {
  uint32_t blockId;
  size_t n_output_features;
  ei_dsp_extract_fn_t extract_fn;
  void *config;
  uint8_t *axes;
  size_t axes_size;
} ei_model_dsp_t;

/* Output quantization of an int8 classifier, kept beside the tensor's own. */
typedef struct {
  int32_t zero_point;
  float scale;
} ei_fill_result_classification_i8_config_t;

typedef struct {
  uint32_t project_id;
  const char *project_owner;
  const char *project_name;
  uint32_t deploy_version;

  uint32_t nn_input_frame_size;
  uint32_t raw_sample_count;
  uint32_t raw_samples_per_frame;
  uint32_t dsp_input_frame_size;
  uint32_t input_width;
  uint32_t input_height;
  uint32_t input_frames;
  float interval_ms;
  float frequency;

  size_t dsp_blocks_size;
  ei_model_dsp_t *dsp_blocks;

  size_t learning_blocks_size;
  const ei_learning_block_t *learning_blocks;

  uint32_t inferencing_engine;
  int sensor;
  const char *fusion_string;
  uint32_t has_anomaly;
  uint32_t label_count;
  const char **categories;
} ei_impulse_t;

#endif /* EIOTA_FAKE_EI_MODEL_TYPES_H */
