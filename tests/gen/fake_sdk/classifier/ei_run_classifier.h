/* Fake Edge Impulse SDK for eiota test fixtures: run_classifier().
 *
 * Follows the real SDK's EON path step by step, so that a model whose arrays
 * are replaced behaves as it would on a device:
 *   1. the DSP block turns the signal into features;
 *   2. model_init() runs before every inference (it re-reads tensorData[],
 *      including each tensor's first scale and zero point);
 *   3. the features are quantized with the input tensor's scale and zero
 *      point as model_input() reports them;
 *   4. model_invoke(); the output tensor (model_output()) is dequantized with
 *      its own scale and zero point;
 *   5. model_reset().
 *
 * Like the real SDK, this header defines functions and includes the export's
 * model_variables.h: include it from one translation unit only. */
#ifndef EIOTA_FAKE_EI_RUN_CLASSIFIER_H
#define EIOTA_FAKE_EI_RUN_CLASSIFIER_H

#include <math.h>
#include <string.h>

#include "edge-impulse-sdk/classifier/ei_classifier_types.h"
#include "edge-impulse-sdk/classifier/ei_model_types.h"
#include "edge-impulse-sdk/classifier/ei_run_dsp.h"
#include "edge-impulse-sdk/dsp/numpy.hpp"
#include "edge-impulse-sdk/porting/ei_classifier_porting.h"
#include "model-parameters/model_metadata.h"
#include "model-parameters/model_variables.h"

using namespace ei;

namespace eiota_fake_sdk {

/* Quantizes (or copies) `count` features into the input tensor. */
inline EI_IMPULSE_ERROR fill_input(TfLiteTensor *input, const float *features, size_t count) {
  size_t per_element = input->type == kTfLiteFloat32 ? 4 : 1;
  if (input->bytes != count * per_element) {
    ei_printf("ERR: the input tensor holds %d bytes, %d features need %d\n", (int)input->bytes, (int)count,
              (int)(count * per_element));
    return EI_IMPULSE_ERROR_SHAPES_DONT_MATCH;
  }
  for (size_t i = 0; i < count; ++i) {
    if (input->type == kTfLiteFloat32) {
      input->data.f[i] = features[i];
      continue;
    }
    double q = features[i] / input->params.scale + input->params.zero_point;
    double lo = input->type == kTfLiteInt8 ? -128 : 0, hi = input->type == kTfLiteInt8 ? 127 : 255;
    q = q < lo ? lo : (q > hi ? hi : q);
    q = floor(q + 0.5);
    if (input->type == kTfLiteInt8) {
      input->data.int8[i] = (int8_t)q;
    } else if (input->type == kTfLiteUInt8) {
      input->data.uint8[i] = (uint8_t)q;
    } else {
      ei_printf("ERR: input tensor type %d is not supported\n", (int)input->type);
      return EI_IMPULSE_UNSUPPORTED_INFERENCING_ENGINE;
    }
  }
  return EI_IMPULSE_OK;
}

/* Output element `i` as a float, dequantized with the tensor's parameters. */
inline bool read_output(const TfLiteTensor *output, size_t i, float *value) {
  switch (output->type) {
    case kTfLiteFloat32: *value = output->data.f[i]; return true;
    case kTfLiteInt8: *value = (output->data.int8[i] - output->params.zero_point) * output->params.scale; return true;
    case kTfLiteUInt8: *value = (output->data.uint8[i] - output->params.zero_point) * output->params.scale; return true;
    default: return false;
  }
}

inline EI_IMPULSE_ERROR run_graph(const ei_impulse_t &impulse, const float *features, size_t count,
                                  ei_impulse_result_t *result) {
  const ei_learning_block_config_tflite_graph_t *block =
      (const ei_learning_block_config_tflite_graph_t *)impulse.learning_blocks[0].config;
  const ei_config_tflite_eon_graph_t *graph = (const ei_config_tflite_eon_graph_t *)block->graph_config;

  if (graph->model_init(ei_aligned_calloc) != kTfLiteOk) {
    graph->model_reset(ei_aligned_free);
    ei_printf("ERR: the model failed to initialize\n");
    return EI_IMPULSE_TFLITE_ERROR;
  }
  TfLiteTensor input, output;
  memset(&input, 0, sizeof(input));
  memset(&output, 0, sizeof(output));
  graph->model_input(0, &input);
  graph->model_output(block->output_tensors_indices[0], &output);

  EI_IMPULSE_ERROR err = fill_input(&input, features, count);
  if (err == EI_IMPULSE_OK && graph->model_invoke() != kTfLiteOk) {
    ei_printf("ERR: inference failed\n");
    err = EI_IMPULSE_TFLITE_ERROR;
  }
  for (size_t i = 0; err == EI_IMPULSE_OK && i < impulse.label_count; ++i) {
    result->classification[i].label = impulse.categories[i];
    if (!read_output(&output, i, &result->classification[i].value)) {
      ei_printf("ERR: output tensor type %d is not supported\n", (int)output.type);
      err = EI_IMPULSE_UNSUPPORTED_INFERENCING_ENGINE;
    }
  }
  graph->model_reset(ei_aligned_free);
  return err;
}

}  // namespace eiota_fake_sdk

/* Runs the impulse on `signal` and fills `result`. The signal must hold
 * EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE samples. */
inline EI_IMPULSE_ERROR run_classifier(signal_t *signal, ei_impulse_result_t *result, bool debug = false) {
  const ei_impulse_t &impulse = ei_default_impulse;
  static float features[EI_CLASSIFIER_NN_INPUT_FRAME_SIZE];

  memset(result, 0, sizeof(*result));
  result->bounding_boxes = NULL;
  result->bounding_boxes_count = 0;

  const ei_model_dsp_t &dsp = impulse.dsp_blocks[0];
  if (signal->total_length != impulse.dsp_input_frame_size) {
    ei_printf("ERR: the signal holds %d samples, the impulse needs %d\n", (int)signal->total_length,
              (int)impulse.dsp_input_frame_size);
    return EI_IMPULSE_DSP_ERROR;
  }
  if (dsp.n_output_features != EI_CLASSIFIER_NN_INPUT_FRAME_SIZE ||
      dsp.extract_fn(signal, features, dsp.n_output_features, dsp.config, impulse.frequency) != 0) {
    ei_printf("ERR: the DSP block failed\n");
    return EI_IMPULSE_DSP_ERROR;
  }
  if (ei_run_impulse_check_canceled() == EI_IMPULSE_CANCELED) return EI_IMPULSE_CANCELED;

  EI_IMPULSE_ERROR err = eiota_fake_sdk::run_graph(impulse, features, EI_CLASSIFIER_NN_INPUT_FRAME_SIZE, result);
  if (err == EI_IMPULSE_OK && debug) {
    for (size_t i = 0; i < impulse.label_count; ++i)
      ei_printf("%s: %f\n", result->classification[i].label, (double)result->classification[i].value);
  }
  return err;
}

#endif /* EIOTA_FAKE_EI_RUN_CLASSIFIER_H */
