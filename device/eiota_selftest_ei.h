// The self-test's inference glue for Edge Impulse SDKs: an eiota_infer_fn that runs
// run_classifier on a self-test sample and gives its outputs in the block's order. Header-only
// C++; include it once, in the application file that includes <project>_inferencing.h, AFTER it
// (the SDK's model_variables.h may be included only once, so no eiota source includes this):
//
//   #include <demo_inferencing.h>
//   #include "eiota/eiota_selftest_ei.h"
//   ... eiota_store_selftest(&eiota_default_model, eiota_selftest_ei_infer, NULL, &report);
//
// The outputs, one float each, in this order (eiota_selftest_ei_outputs; `eiota pack --selftest`
// computes the expected ones with this same function on the host):
//   - object detection (EI_CLASSIFIER_OBJECT_DETECTION == 1): the first EIOTA_SELFTEST_EI_BOXES
//     bounding boxes, each as value, x, y, width, height; boxes past the result's count are zeros;
//   - otherwise result.classification[i].value for each of the EI_CLASSIFIER_LABEL_COUNT labels;
//   - then result.anomaly when EI_CLASSIFIER_HAS_ANOMALY.
// The inputs are the raw features (EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE per sample), pulled by the
// SDK through signal_t.get_data from the block as it needs them: never all in RAM at once.
//
// Included before the SDK, it declares nothing (so it also compiles on its own, as eiota patch
// checks every file it adds), and eiota_selftest_ei_infer is then not declared.
#if defined(EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE) && !defined(EIOTA_SELFTEST_EI_H)
#define EIOTA_SELFTEST_EI_H

#include <string.h>

#include "eiota_selftest.h"

#ifndef EIOTA_SELFTEST_EI_BOXES
#define EIOTA_SELFTEST_EI_BOXES 10  // boxes compared; changing it changes the outputs (re-pack)
#endif

#if defined(EI_CLASSIFIER_OBJECT_DETECTION) && EI_CLASSIFIER_OBJECT_DETECTION == 1
#define EIOTA_SELFTEST_EI_DETECTION 1
#else
#define EIOTA_SELFTEST_EI_DETECTION 0
#endif
#if defined(EI_CLASSIFIER_HAS_ANOMALY) && EI_CLASSIFIER_HAS_ANOMALY
#define EIOTA_SELFTEST_EI_ANOMALY 1
#else
#define EIOTA_SELFTEST_EI_ANOMALY 0
#endif

namespace eiota_selftest_ei {

// Boxes in a result: a count field since 2023, a fixed-size array before.
template <class R>
inline auto box_count(const R& r, int) -> decltype(r.bounding_boxes_count, size_t()) {
  return r.bounding_boxes_count;
}
template <class R>
inline size_t box_count(const R& r, long) {
  return sizeof(r.bounding_boxes) / sizeof(r.bounding_boxes[0]);
}

// The boxes array (a pointer since 2023, an array before), as a pointer that may be NULL.
template <class R>
inline const ei_impulse_result_bounding_box_t* boxes(const R& r) {
  return r.bounding_boxes;
}

// The sample the SDK's get_data reads (signal_t.get_data is a plain function in some SDKs).
inline eiota_selftest_sample*& current() {
  static eiota_selftest_sample* s = NULL;
  return s;
}

inline int get_data(size_t offset, size_t length, float* out) {
  eiota_selftest_sample* s = current();
  if (!s || offset > 0xFFFFFFFFu || length > 0xFFFFFFFFu) return -1;
  return eiota_selftest_inputs(s, (uint32_t)offset, (uint32_t)length, out) == EIOTA_OK ? 0 : -1;
}

// A mismatch is recorded in the report; the remaining outputs are still compared.
inline int put_output(void* ctx, float v) {
  (void)eiota_selftest_output(static_cast<eiota_selftest_sample*>(ctx), v);
  return 0;
}

}  // namespace eiota_selftest_ei

// Outputs per sample, in the order above.
inline uint32_t eiota_selftest_ei_output_count() {
  return (EIOTA_SELFTEST_EI_DETECTION ? 5u * EIOTA_SELFTEST_EI_BOXES : (uint32_t)EI_CLASSIFIER_LABEL_COUNT) +
         (EIOTA_SELFTEST_EI_ANOMALY ? 1u : 0u);
}

// Gives each output of `result` to put(ctx, value), in the order above.
inline void eiota_selftest_ei_outputs(const ei_impulse_result_t& result, int (*put)(void*, float), void* ctx) {
#if EIOTA_SELFTEST_EI_DETECTION
  size_t n = eiota_selftest_ei::box_count(result, 0);
  const ei_impulse_result_bounding_box_t* boxes = eiota_selftest_ei::boxes(result);
  for (size_t i = 0; i < (size_t)EIOTA_SELFTEST_EI_BOXES; i++) {
    if (i < n && boxes != NULL) {
      const ei_impulse_result_bounding_box_t& b = boxes[i];
      put(ctx, b.value);
      put(ctx, (float)b.x);
      put(ctx, (float)b.y);
      put(ctx, (float)b.width);
      put(ctx, (float)b.height);
    } else {
      for (int k = 0; k < 5; k++) put(ctx, 0.0f);
    }
  }
#else
  for (size_t i = 0; i < (size_t)EI_CLASSIFIER_LABEL_COUNT; i++) put(ctx, result.classification[i].value);
#endif
#if EIOTA_SELFTEST_EI_ANOMALY
  put(ctx, result.anomaly);
#endif
}

// Runs the impulse on `signal` and gives its outputs to put(ctx, value). Returns
// run_classifier's error (0 when it ran).
inline int eiota_selftest_ei_classify(signal_t* signal, int (*put)(void*, float), void* ctx) {
  ei_impulse_result_t result;
  memset(&result, 0, sizeof(result));
  EI_IMPULSE_ERROR err = run_classifier(signal, &result, false);
  if (err != EI_IMPULSE_OK) return (int)err;
  eiota_selftest_ei_outputs(result, put, ctx);
  return 0;
}

// The eiota_infer_fn for eiota_store_selftest / eiota_selftest_run (`ctx` unused). A block made
// for another model (other input or output counts) fails with EIOTA_ERR_SIZE_MISMATCH.
inline int eiota_selftest_ei_infer(void* ctx, eiota_selftest_sample* sample) {
  (void)ctx;
  if (eiota_selftest_input_count(sample) != (uint32_t)EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE ||
      eiota_selftest_output_count(sample) != eiota_selftest_ei_output_count())
    return EIOTA_ERR_SIZE_MISMATCH;
  signal_t signal;
  signal.total_length = eiota_selftest_input_count(sample);
  signal.get_data = &eiota_selftest_ei::get_data;
  eiota_selftest_ei::current() = sample;
  int err = eiota_selftest_ei_classify(&signal, &eiota_selftest_ei::put_output, sample);
  eiota_selftest_ei::current() = NULL;
  return err;
}

#endif  // EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE, EIOTA_SELFTEST_EI_H
