// eiota simulator: runs an export (patched or not) on the host. Built by scripts/build-sim.sh
// from the export's own sources.
//   sim [--payload p.eiota] [--restore] [--features f.csv] [--regions]
// Prints one line per output value with its exact float bits, so two builds can be compared.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

#include "edge-impulse-sdk/classifier/ei_run_classifier.h"
#if defined(EIOTA_SIM_PATCHED)
#include "eiota/eiota_update.h"
#endif

namespace {

uint32_t bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

std::vector<float> read_features(const char* path) {
  std::vector<float> v;
  FILE* f = fopen(path, "r");
  if (!f) { fprintf(stderr, "sim: cannot open %s\n", path); exit(2); }
  char tok[64];
  int c, n = 0;
  while ((c = fgetc(f)) != EOF) {
    if (c == ',' || c == '\n' || c == '\r' || c == ' ' || c == '\t') {
      if (n) { tok[n] = 0; v.push_back(strtof(tok, nullptr)); n = 0; }
    } else if (n < 63) {
      tok[n++] = (char)c;
    }
  }
  if (n) { tok[n] = 0; v.push_back(strtof(tok, nullptr)); }
  fclose(f);
  return v;
}

// Deterministic features: a gray gradient for image models, a mixture of tones otherwise.
std::vector<float> generated_features() {
  std::vector<float> v(EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE);
  for (size_t i = 0; i < v.size(); i++) {
#if defined(EI_CLASSIFIER_INPUT_WIDTH) && EI_CLASSIFIER_INPUT_WIDTH > 0
    uint32_t g = (uint32_t)((i * 7 + (i / EI_CLASSIFIER_INPUT_WIDTH) * 3) % 256);
    v[i] = (float)((g << 16) | (g << 8) | g);
#else
    v[i] = (float)(((i * 7919) % 2001) / 1000.0 - 1.0);
#endif
  }
  return v;
}

#if defined(EIOTA_SIM_PATCHED)
int read_file(void* ctx, uint8_t* buf, uint32_t max) {
  FILE* f = static_cast<FILE*>(ctx);
  if (max == 0) {
    int c = fgetc(f);
    if (c == EOF) return 0;
    ungetc(c, f);
    return 1;
  }
  return (int)fread(buf, 1, max, f);
}

int apply_payload(const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "sim: cannot open %s\n", path); return 2; }
  static eiota_update u;
  int err = eiota_update_pull(&u, &eiota_default_model, read_file, f);
  fclose(f);
  printf("apply %s: %s\n", path, eiota_strerror(err));
  return err == EIOTA_OK ? 0 : 1;
}

void print_regions() {
  const eiota_model* m = &eiota_default_model;
  eiota_model_ready(m);
  for (uint32_t i = 0; i < m->region_count; i++) {
    const eiota_region* r = eiota_model_region(m, i);
    size_t n = r->count * eiota::elem_size(r->elem_type);
    eiota_sha256 h;
    uint8_t d[32];
    eiota_sha256_init(&h);
    eiota_sha256_update(&h, (const uint8_t*)r->working, n);
    eiota_sha256_final(&h, d);
    printf("region %u working ", (unsigned)i);
    for (int k = 0; k < 8; k++) printf("%02x", d[k]);
    eiota_sha256_init(&h);
    eiota_sha256_update(&h, (const uint8_t*)r->factory, n);
    eiota_sha256_final(&h, d);
    printf(" factory ");
    for (int k = 0; k < 8; k++) printf("%02x", d[k]);
    printf("\n");
  }
}
#endif

// Boxes in a result: a count field since 2023, a fixed-size array before.
template <class R>
auto box_count(const R& r, int) -> decltype(r.bounding_boxes_count, size_t()) { return r.bounding_boxes_count; }
template <class R>
size_t box_count(const R& r, long) { return sizeof(r.bounding_boxes) / sizeof(r.bounding_boxes[0]); }

}  // namespace

int main(int argc, char** argv) {
  std::vector<float> features;
  bool regions = false;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--features" && i + 1 < argc) {
      features = read_features(argv[++i]);
#if defined(EIOTA_SIM_PATCHED)
    } else if (a == "--payload" && i + 1 < argc) {
      if (apply_payload(argv[++i]) == 2) return 2;
    } else if (a == "--restore") {
      printf("restore: %s\n", eiota_strerror(eiota_model_restore(&eiota_default_model)));
    } else if (a == "--regions") {
      regions = true;
#endif
    } else {
      fprintf(stderr, "usage: sim [--payload p.eiota] [--restore] [--features f.csv] [--regions]\n");
      return 2;
    }
  }
#if defined(EIOTA_SIM_PATCHED)
  if (regions) print_regions();
#endif
  (void)regions;
  if (features.empty()) features = generated_features();
  if (features.size() != EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE) {
    fprintf(stderr, "sim: %zu features given, the model takes %d\n", features.size(), (int)EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE);
    return 2;
  }
  signal_t signal;
  numpy::signal_from_buffer(features.data(), features.size(), &signal);
  ei_impulse_result_t result;
  memset(&result, 0, sizeof(result));
  EI_IMPULSE_ERROR err = run_classifier(&signal, &result, false);
  printf("run_classifier: %d\n", (int)err);
  if (err != EI_IMPULSE_OK) return 1;
#if EI_CLASSIFIER_OBJECT_DETECTION == 1
  for (size_t i = 0; i < box_count(result, 0); i++) {
    const auto& b = result.bounding_boxes[i];
    if (b.value == 0) continue;
    printf("box %s %u %u %u %u %.9g 0x%08x\n", b.label, (unsigned)b.x, (unsigned)b.y, (unsigned)b.width,
           (unsigned)b.height, b.value, (unsigned)bits(b.value));
  }
#else
  for (size_t i = 0; i < EI_CLASSIFIER_LABEL_COUNT; i++)
    printf("%s %.9g 0x%08x\n", result.classification[i].label, result.classification[i].value,
           (unsigned)bits(result.classification[i].value));
#endif
#if EI_CLASSIFIER_HAS_ANOMALY
  printf("anomaly %.9g 0x%08x\n", result.anomaly, (unsigned)bits(result.anomaly));
#endif
  return 0;
}
