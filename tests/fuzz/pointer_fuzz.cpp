// libFuzzer target for the device's pointer parser (eiota_client_parse_pointer, device/eiota_client.h).
// Any input: no crash, no read past it; an accepted pointer holds only what the protocol allows
// (docs/DELIVERY.md: no path segment that starts with a dot), and written back out it parses to the same fields.
//   cmake -S . -B build-fuzz -DEIOTA_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang
//   cmake --build build-fuzz --target pointer_fuzz && build-fuzz/pointer_fuzz -max_total_time=60
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eiota_client.h"

namespace {

bool only(const char* s, const char* allowed) {
  for (; *s != '\0'; s++)
    if (strchr(allowed, *s) == NULL) return false;
  return true;
}

const char* kAlnum = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  char* copy = static_cast<char*>(malloc(size ? size : 1));  // exact size: ASan sees any over-read
  memcpy(copy, data, size);
  eiota_client_pointer p;
  int err = eiota_client_parse_pointer(copy, size, &p);
  free(copy);
  if (err != EIOTA_OK) {
    if (err != EIOTA_ERR_POINTER) abort();
    return 0;
  }
  if (strlen(p.id) < 18 || strlen(p.id) >= EIOTA_PAYLOAD_ID_MAX || strlen(p.sha256) != 64 || !only(p.sha256, "0123456789abcdef"))
    abort();
  if (p.size == 0 || p.payload[0] == '\0' || p.payload[0] == '.' || strstr(p.payload, "/.") != NULL) abort();
  char allowed[80];
  snprintf(allowed, sizeof allowed, "%s/._-", kAlnum);
  if (!only(p.payload, allowed)) abort();
  char seq[24];
  snprintf(seq, sizeof seq, "%llu-", (unsigned long long)p.sequence);
  if (strncmp(p.id, seq, strlen(seq)) != 0) abort();
  char text[EIOTA_CLIENT_MAX_POINTER * 2];
  int n = snprintf(text, sizeof text, "eiota-pointer 1\nid %s\nsequence %llu\nsize %u\nsha256 %s\npayload %s\n", p.id,
                   (unsigned long long)p.sequence, (unsigned)p.size, p.sha256, p.payload);
  eiota_client_pointer q;
  if (n <= 0 || eiota_client_parse_pointer(text, (size_t)n, &q) != EIOTA_OK || memcmp(&p, &q, sizeof p) != 0) abort();
  return 0;
}
