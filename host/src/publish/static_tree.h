// `eiota publish --static`: a tree any HTTP server, object store or CDN serves with the URLs of
// docs/DELIVERY.md: DIR/<model>/payloads/<sha256>.eiota (immutable) and DIR/<model>/<channel>/pointer.
#pragma once

#include <string>

#include "manifest.h"
#include "payload_check.h"

namespace eiota::host {

// Throws std::runtime_error naming `what` unless `name` is a model or channel name (DELIVERY.md).
void check_name(const std::string& what, const std::string& name);

// The pointer file's text, byte for byte as DELIVERY.md gives it.
std::string pointer_text(const DeliveryPayload& p);

// The `sequence` of a pointer's text, or -1 when it is not a pointer (first line, keys).
long long pointer_sequence(const std::string& text);

struct StaticPublish {
  DeliveryPayload payload;
  std::string payload_path, pointer_path;
  bool payload_written = false;  // false: it was already there, identical
  bool pointer_written = false;  // false: the pointer already named this payload, byte for byte
  bool pointer_existed = false;  // a pointer was there before (replaced, not created)
};

// Verifies `bytes` against `m` (check_delivery_payload), then writes the payload (once) and the
// pointer (a temp file beside it, renamed over it). Throws std::runtime_error naming the file and
// the problem; a refused payload, a bad name or a lower sequence than the current pointer's leave
// the tree exactly as it was. Writes nothing outside `dir` (symbolic links inside it are refused).
StaticPublish publish_static(const std::string& dir, const std::string& model, const std::string& channel,
                             const std::string& bytes, const std::string& payload_name, const Manifest& m);

}  // namespace eiota::host
