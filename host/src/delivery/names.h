// Names in delivery URLs (docs/DELIVERY.md): models and channels, device ids, content addresses.
#pragma once

#include <string_view>

namespace eiota::host {

// 1-64 characters of [A-Za-z0-9._-], not starting with a dot: a model or channel name.
bool valid_name(std::string_view s);
// 1-64 characters of [A-Za-z0-9._:-]: a device id.
bool valid_device_id(std::string_view s);
// 64 lower-case hex digits.
bool valid_sha256_hex(std::string_view s);
// "<decimal sequence>-<16 lower-case hex digits>".
bool valid_payload_id(std::string_view s);

}  // namespace eiota::host
