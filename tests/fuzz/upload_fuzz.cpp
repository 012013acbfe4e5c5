// libFuzzer target for what `eiota serve` and `eiota publish` do with an upload before storing
// it: check_delivery_payload (the `eiota verify` verdict) over a fixed manifest of a generated
// model, the delivery name validators and the pointer reader, all on the same input. Checks that
// nothing crashes and that what is accepted is what the protocol promises (docs/DELIVERY.md).
//   EIOTA_FUZZ_MANIFEST=<patched library>/eiota-manifest.json build-fuzz/upload_fuzz corpus/
// scripts/fuzz.sh makes the manifest and a seed payload (fixture generator, patch, pack).
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "manifest.h"
#include "names.h"
#include "payload_check.h"
#include "static_tree.h"

using namespace eiota::host;

namespace {

const Manifest* g_manifest = nullptr;

bool name_chars(const std::string& s, const char* extra) {
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || std::string_view(extra).find(c) != std::string_view::npos)) return false;
  return true;
}

bool hex16_lower(const std::string& s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

void check_names(const std::string& s) {
  // Whatever the validators let through can be a path segment: no separator, no "..", no hidden file.
  if (valid_name(s) && (s.empty() || s.size() > 64 || s[0] == '.' || !name_chars(s, "._-") || s.find('/') != std::string::npos))
    abort();
  if (valid_device_id(s) && (s.empty() || s.size() > 64 || !name_chars(s, "._:-"))) abort();
  if (valid_sha256_hex(s) && (s.size() != 64 || !hex16_lower(s))) abort();
  if (valid_payload_id(s)) {
    size_t dash = s.find('-');
    if (dash == std::string::npos || dash == 0 || s.size() - dash - 1 != 16 || !hex16_lower(s.substr(dash + 1))) abort();
    for (size_t i = 0; i < dash; i++)
      if (s[i] < '0' || s[i] > '9') abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* path = getenv("EIOTA_FUZZ_MANIFEST");
  if (!path || !*path) {
    fprintf(stderr, "upload_fuzz: set EIOTA_FUZZ_MANIFEST to a generated patched library's eiota-manifest.json (scripts/fuzz.sh does)\n");
    exit(2);
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  static Manifest m = manifest_from_json(s.str(), path);
  g_manifest = &m;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  DeliveryPayload p = check_delivery_payload(bytes, *g_manifest, 1u << 20);
  if (p.ok) {
    if (p.size != size || !valid_sha256_hex(p.sha256) || p.sha256 != sha256_hex(bytes) || !valid_payload_id(p.id) ||
        p.id.rfind(std::to_string(p.sequence) + "-", 0) != 0)
      abort();
    std::string text = pointer_text(p);
    if (text.size() > 512 || pointer_sequence(text) != static_cast<long long>(p.sequence)) abort();
  } else if (p.problem.empty()) {
    abort();
  }
  check_names(bytes);
  check_names(bytes.substr(0, bytes.find('\n')));
  if (pointer_sequence(bytes) < -1) abort();
  return 0;
}
