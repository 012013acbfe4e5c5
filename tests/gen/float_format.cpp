#include "float_format.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace fixturegen {

std::string format_double(double v) {
  if (!std::isfinite(v)) throw std::runtime_error("cannot write a non-finite value into a model file");
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace fixturegen
