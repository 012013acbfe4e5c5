// eiota simulator: runs an export (patched or not) on the host. Built by scripts/build-sim.sh
// from the export's own sources.
//   sim [--payload p.eiota] [--restore] [--features f.csv] [--regions]
// Prints the raw bytes of every learn block's output tensors as each invoke left them ("raw" lines,
// captured by the units `eiota simulate` generates around the invokes), then run_classifier's
// results with their exact float bits, so two builds can be compared.
// Exit: 0 ok, 1 run_classifier failed, 2 input error (bad arguments, features, files).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <map>
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

struct Captured {
  int block, output;
  int type;
  std::vector<int> dims;
  std::vector<uint8_t> bytes;
};
std::vector<Captured>& captured() {
  static std::vector<Captured> c;
  return c;
}

const char* type_name(int t) {
  switch (t) {
    case 1: return "float32";
    case 2: return "int32";
    case 3: return "uint8";
    case 4: return "int64";
    case 7: return "int16";
    case 9: return "int8";
    case 10: return "float16";
    default: return nullptr;
  }
}

void push_token(std::vector<float>& v, std::string& tok, const char* path) {
  if (tok.empty()) return;
  char* end = nullptr;
  float x = strtof(tok.c_str(), &end);
  if (end == tok.c_str() || *end) {
    fprintf(stderr, "sim: input error: %s: '%s' is not a number\n", path, tok.c_str());
    exit(2);
  }
  v.push_back(x);
  tok.clear();
}

std::vector<float> read_features(const char* path) {
  std::vector<float> v;
  FILE* f = fopen(path, "r");
  if (!f) { fprintf(stderr, "sim: input error: cannot open %s\n", path); exit(2); }
  std::string tok;
  int c;
  while ((c = fgetc(f)) != EOF) {
    if (c == ',' || c == '\n' || c == '\r' || c == ' ' || c == '\t') push_token(v, tok, path);
    else tok += (char)c;
  }
  push_token(v, tok, path);
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
  if (!f) { fprintf(stderr, "sim: input error: cannot open %s\n", path); return 2; }
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
    eiota_sha256_update(&h, (const uint8_t*)eiota_region_values(m, i), n);  // working copy, or read in place
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

void print_captured() {
  for (size_t i = 0; i < captured().size(); i++) {
    const Captured& c = captured()[i];
    // raw <block>.<output> <type> <dims> <byte count> <bytes in hex>
    printf("raw %d.%d ", c.block, c.output);
    if (type_name(c.type)) printf("%s ", type_name(c.type));
    else printf("type%d ", c.type);
    for (size_t d = 0; d < c.dims.size(); d++) printf("%s%d", d ? "x" : "", c.dims[d]);
    printf(" %zu ", c.bytes.size());
    for (uint8_t b : c.bytes) printf("%02x", b);
    printf("\n");
  }
}

}  // namespace

// Learn blocks the build captures (stem -> whether it ran). A function-local static: the capture
// units register from their own static initialisers.
static std::map<std::string, bool>& blocks() {
  static std::map<std::string, bool> b;
  return b;
}

extern "C" int eiota_sim_block(const char* stem, int ran) {
  bool& r = blocks()[stem];
  r = r || ran;
  return 0;
}

// Called after each learn block's invoke, once per output tensor, in the order they ran.
extern "C" void eiota_sim_record(int output, int type, const int* dims, int ndims, const void* data, size_t bytes) {
  static int block = -1;
  if (output == 0) block++;
  Captured c{block, output, type, {}, {}};
  for (int i = 0; dims && i < ndims; i++) c.dims.push_back(dims[i]);
  if (data) c.bytes.assign((const uint8_t*)data, (const uint8_t*)data + bytes);
  captured().push_back(c);
}

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
      fprintf(stderr, "sim: input error: usage: sim [--payload p.eiota] [--restore] [--features f.csv] [--regions]\n");
      return 2;
    }
  }
#if defined(EIOTA_SIM_PATCHED)
  if (regions) print_regions();
#endif
  (void)regions;
  if (features.empty()) features = generated_features();
  if (features.size() != EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE) {
    fprintf(stderr, "sim: input error: %zu features given, the model takes %d\n", features.size(), (int)EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE);
    return 2;
  }
  signal_t signal;
  numpy::signal_from_buffer(features.data(), features.size(), &signal);
  ei_impulse_result_t result;
  memset(&result, 0, sizeof(result));
  EI_IMPULSE_ERROR err = run_classifier(&signal, &result, false);
  printf("run_classifier: %d\n", (int)err);
  print_captured();
  for (const auto& b : blocks())
    if (!b.second) printf("not run: learn block %s\n", b.first.c_str());
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
