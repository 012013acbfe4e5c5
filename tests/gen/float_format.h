// Float text for generated C/C++ sources.
#pragma once

#include <string>

namespace fixturegen {

// `v` as Edge Impulse writes scales: printf("%.17g") of the value as a double,
// e.g. "0.0038093540351837873", "0.00390625", "5.7281144108856097e-05", "1".
// Seventeen significant digits read back as exactly the same double, so a
// float32 written through this parses back to the same float bits.
std::string format_double(double v);

}  // namespace fixturegen
