/* Fake Edge Impulse SDK for eiota test fixtures: the result of
 * run_classifier(). Sized by the export's model_metadata.h. */
#ifndef EIOTA_FAKE_EI_CLASSIFIER_TYPES_H
#define EIOTA_FAKE_EI_CLASSIFIER_TYPES_H

#include <stdint.h>

#include "model-parameters/model_metadata.h"

typedef struct {
  const char *label;
  float value;
} ei_impulse_result_classification_t;

typedef struct {
  const char *label;
  uint32_t x;
  uint32_t y;
  uint32_t width;
  uint32_t height;
  float value;
} ei_impulse_result_bounding_box_t;

typedef struct {
  int sampling;
  int dsp;
  int classification;
  int anomaly;
  int64_t dsp_us;
  int64_t classification_us;
  int64_t anomaly_us;
} ei_impulse_result_timing_t;

typedef struct {
  /* Object detection results; NULL and 0 for classifiers. */
  ei_impulse_result_bounding_box_t *bounding_boxes;
  uint32_t bounding_boxes_count;
  /* One entry per label, in the order of the export's labels. */
  ei_impulse_result_classification_t classification[EI_CLASSIFIER_LABEL_COUNT];
  float anomaly;
  ei_impulse_result_timing_t timing;
} ei_impulse_result_t;

#endif /* EIOTA_FAKE_EI_CLASSIFIER_TYPES_H */
