/* Fake Edge Impulse SDK for eiota test fixtures: the signal a sketch hands to
 * run_classifier(). */
#ifndef EIOTA_FAKE_NUMPY_TYPES_H
#define EIOTA_FAKE_NUMPY_TYPES_H

#include <stddef.h>

namespace ei {

/* Either a callback that copies `length` samples starting at `offset` into
 * `out_ptr` (returns 0 on success), or a buffer set by
 * numpy::signal_from_buffer(). */
struct signal_t {
  int (*get_data)(size_t offset, size_t length, float *out_ptr);
  size_t total_length;
  const float *buffer;

  signal_t() : get_data(NULL), total_length(0), buffer(NULL) {}
};

}  // namespace ei

#endif /* EIOTA_FAKE_NUMPY_TYPES_H */
