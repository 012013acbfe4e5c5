/* Fake Edge Impulse SDK for eiota test fixtures: the one image helper that
 * camera sketches call (nearest-neighbour resize of packed RGB888). */
#ifndef EIOTA_FAKE_IMAGE_HPP
#define EIOTA_FAKE_IMAGE_HPP

#include <stdint.h>

namespace ei {
namespace image {
namespace processing {

inline int crop_and_interpolate_rgb888(const uint8_t *src, int src_width, int src_height, uint8_t *dst,
                                       int dst_width, int dst_height) {
  if (src_width <= 0 || src_height <= 0 || dst_width <= 0 || dst_height <= 0) return -1;
  for (int y = 0; y < dst_height; ++y) {
    const int sy = (int)((long)y * src_height / dst_height);
    for (int x = 0; x < dst_width; ++x) {
      const int sx = (int)((long)x * src_width / dst_width);
      for (int c = 0; c < 3; ++c) dst[(y * dst_width + x) * 3 + c] = src[(sy * src_width + sx) * 3 + c];
    }
  }
  return 0;
}

}  // namespace processing
}  // namespace image
}  // namespace ei

#endif /* EIOTA_FAKE_IMAGE_HPP */
