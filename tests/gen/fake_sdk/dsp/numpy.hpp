/* Fake Edge Impulse SDK for eiota test fixtures: numpy::signal_from_buffer. */
#ifndef EIOTA_FAKE_NUMPY_HPP
#define EIOTA_FAKE_NUMPY_HPP

#include <string.h>

#include "numpy_types.h"

namespace ei {
namespace numpy {

/* Wraps `data` (which must outlive the signal) as a signal of `data_size`
 * samples. */
inline int signal_from_buffer(const float *data, size_t data_size, signal_t *signal) {
  signal->get_data = NULL;
  signal->buffer = data;
  signal->total_length = data_size;
  return 0;
}

/* Copies samples [offset, offset + length) of the signal into out_ptr. */
inline int signal_read(signal_t *signal, size_t offset, size_t length, float *out_ptr) {
  if (offset + length > signal->total_length) return -1;
  if (signal->get_data) return signal->get_data(offset, length, out_ptr);
  if (!signal->buffer) return -1;
  memcpy(out_ptr, signal->buffer + offset, length * sizeof(float));
  return 0;
}

}  // namespace numpy
}  // namespace ei

#endif /* EIOTA_FAKE_NUMPY_HPP */
