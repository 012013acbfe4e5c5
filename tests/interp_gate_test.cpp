// The inference gate of TFLite-interpreter (non-EON) exports: with the push API, run_classifier
// between two writes of an update must fail without running the interpreter on a half-written
// flatbuffer; after finish it runs the new model, after an abort the factory one. Both eras: 2023
// on (a learning-block table whose infer_fn is wrapped) and 2021-22 (the arena size macro).
// The export's SDK here is a small interpreter stand-in that, like the real SDK, allocates its
// arena with ei_aligned_malloc (NULL for 0 bytes) and reads the whole model array on every run.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_support.h"

namespace fs = std::filesystem;

namespace {

using namespace eiota::test;

// The deployed and retrained .tflite: the real keyword-spotting pair when ../shared is there, else
// a generated model and its retrain (another converter's tensor order, so another length too).
std::pair<std::string, std::string> models(const std::string& dir) {
  if (fs::exists(kShared + "/tflite/ei-kws-v1.tflite"))
    return {kShared + "/tflite/ei-kws-v1.tflite", kShared + "/tflite/ei-kws-v2.tflite"};
  std::string v1 = dir + "/gen-v1.tflite", v2 = dir + "/gen-v2.tflite";
  fs::create_directories(dir);
  EXPECT_EQ(run(kGen + " --as-tflite --synthetic fc-int8 --out " + v1).code, 0);
  EXPECT_EQ(run(kGen + " --as-tflite --synthetic fc-int8-renumbered --perturb 7 --out " + v2).code, 0);
  return {v1, v2};
}

void write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// The SDK stand-in: types, an aligned malloc that refuses 0 bytes, and an "interpreter" whose
// output is a hash of the model bytes it read (so a half-written model gives a third value).
const char* kTypes = R"(#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
typedef enum { EI_IMPULSE_OK = 0, EI_IMPULSE_TFLITE_ERROR = -3, EI_IMPULSE_TFLITE_ARENA_ALLOC_FAILED = -6 } EI_IMPULSE_ERROR;
typedef struct { size_t total_length; } signal_t;
typedef struct { const char* label; float value; } ei_impulse_result_classification_t;
typedef struct { ei_impulse_result_classification_t classification[1]; float anomaly; } ei_impulse_result_t;
namespace ei { namespace numpy {
inline int signal_from_buffer(const float*, size_t n, signal_t* s) { s->total_length = n; return 0; }
} }
using namespace ei;
inline void* ei_aligned_malloc(size_t align, size_t size) { return align && size ? malloc(size) : NULL; }
inline void ei_aligned_free(void* p) { free(p); }
extern int eiota_test_interpreter_runs;
inline float eiota_test_interpret(const unsigned char* model, size_t len) {
  eiota_test_interpreter_runs++;
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; i++) h = (h ^ model[i]) * 16777619u;
  return (float)(h >> 8) / 16777216.0f;
}
typedef struct { const unsigned char* model; size_t model_size; size_t arena_size; } ei_config_tflite_graph_t;
struct ei_impulse;
typedef struct {
  uint32_t blockId;
  EI_IMPULSE_ERROR (*infer_fn)(const ei_impulse* impulse, float* fmatrix, uint32_t learn_block_index, ei_impulse_result_t* result, void* config, bool debug);
  void* config;
} ei_learning_block_t;
EI_IMPULSE_ERROR run_nn_inference(const ei_impulse* impulse, float* fmatrix, uint32_t learn_block_index, ei_impulse_result_t* result, void* config, bool debug = false);
)";

const char* kRun2023 = R"(#pragma once
#include "edge-impulse-sdk/classifier/ei_model_types.h"
#include "model-parameters/model_metadata.h"
#include "model-parameters/model_variables.h"
int eiota_test_interpreter_runs = 0;
EI_IMPULSE_ERROR run_nn_inference(const ei_impulse*, float*, uint32_t, ei_impulse_result_t* result, void* config, bool) {
  const ei_config_tflite_graph_t* g = (const ei_config_tflite_graph_t*)config;
  void* arena = ei_aligned_malloc(16, g->arena_size);
  if (!arena) return EI_IMPULSE_TFLITE_ARENA_ALLOC_FAILED;
  // The SDK never reads model_size (initialised once from the factory length): TFLM follows the
  // flatbuffer's own offsets. The stand-in reads a span both fixtures hold.
  result->classification[0].value = eiota_test_interpret(g->model, EIOTA_TEST_SPAN);
  ei_aligned_free(arena);
  return EI_IMPULSE_OK;
}
inline EI_IMPULSE_ERROR run_classifier(signal_t*, ei_impulse_result_t* result, bool debug = false) {
  result->classification[0].label = "hash";
  float features[1] = { 0 };
  const ei_learning_block_t& b = ei_learning_blocks[0];
  return b.infer_fn(nullptr, features, 0, result, b.config, debug);
}
)";

const char* kRun2021 = R"(#pragma once
#include "edge-impulse-sdk/classifier/ei_model_types.h"
#include "model-parameters/model_metadata.h"
#include "tflite-model/tflite-trained.h"
int eiota_test_interpreter_runs = 0;
inline EI_IMPULSE_ERROR run_classifier(signal_t*, ei_impulse_result_t* result, bool = false) {
  uint8_t* arena = (uint8_t*)ei_aligned_malloc(16, EI_CLASSIFIER_TFLITE_ARENA_SIZE);
  if (arena == NULL) return EI_IMPULSE_TFLITE_ARENA_ALLOC_FAILED;
  result->classification[0].label = "hash";
  result->classification[0].value = eiota_test_interpret(trained_tflite, trained_tflite_len);
  ei_aligned_free(arena);
  return EI_IMPULSE_OK;
}
)";

// The device: the push API fed half a payload, run_classifier in between, then abort or finish.
const char* kSketch = R"(
#include <stdio.h>
#include <string.h>
#include <vector>
#include "edge-impulse-sdk/classifier/ei_run_classifier.h"
#if defined(EIOTA_SIM_PATCHED)
#include "eiota/eiota_update.h"
#endif
static int classify(const char* when) {
  static float features[EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE];
  signal_t signal;
  numpy::signal_from_buffer(features, EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE, &signal);
  ei_impulse_result_t result;
  memset(&result, 0, sizeof(result));
  int err = (int)run_classifier(&signal, &result, false);
  printf("%s: run_classifier %d", when, err);
  if (err == 0) printf(" value %.9g", (double)result.classification[0].value);
  printf("\n");
  return err;
}
void setup() {
#if !defined(EIOTA_SIM_PATCHED)  // an unpatched export: its own output only
  classify("factory");
  return;
#else
  FILE* f = fopen("update.eiota", "rb");
  std::vector<uint8_t> p;
  int c;
  while (f && (c = fgetc(f)) != EOF) p.push_back((uint8_t)c);
  if (f) fclose(f);
  size_t half = p.size() / 2;
  static eiota_update u;
  classify("factory");
  eiota_update_begin(&u, &eiota_default_model);
  printf("write half: %s\n", eiota_strerror(eiota_update_write(&u, p.data(), half)));
  classify("half");
  eiota_update_abort(&u, 0);
  classify("aborted");
  eiota_update_begin(&u, &eiota_default_model);
  eiota_update_write(&u, p.data(), half);
  classify("half again");
  printf("write rest: %s\n", eiota_strerror(eiota_update_write(&u, p.data() + half, p.size() - half)));
  printf("finish: %s\n", eiota_strerror(eiota_update_finish(&u)));
  classify("updated");
#endif
}
void loop() {}
)";

std::string byte_array(const std::string& bytes) {
  std::ostringstream h;
  char b[8];
  for (unsigned char c : bytes) {
    snprintf(b, sizeof b, "0x%02x, ", c);
    h << b;
  }
  return h.str();
}

// A non-EON export of `tflite` in the format of `era` ("2021" or "2023") with the SDK stand-in.
// `span`: how many model bytes the 2023 stand-in reads (both models of a test hold them).
void write_export(const std::string& dir, const std::string& era, const std::string& tflite, size_t span) {
  std::string bytes = slurp(tflite);
  write(dir + "/edge-impulse-sdk/classifier/ei_model_types.h", kTypes);
  write(dir + "/edge-impulse-sdk/classifier/ei_run_classifier.h", era == "2021" ? kRun2021 : kRun2023);
  write(dir + "/edge-impulse-sdk/porting/ei_port.cpp", "// the stand-in needs no porting functions\n");
  std::string meta = "#pragma once\n#define EI_CLASSIFIER_PROJECT_ID 32970\n#define EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE 4\n"
                     "#define EI_CLASSIFIER_LABEL_COUNT 1\n#define EIOTA_TEST_SPAN " + std::to_string(span) + "\n";
  if (era == "2021") {
    write(dir + "/model-parameters/model_metadata.h", meta + "#define EI_CLASSIFIER_TFLITE_ARENA_SIZE 18822\n");
    write(dir + "/tflite-model/tflite-trained.h", "#ifndef TRAINED_H\n#define TRAINED_H\nconst unsigned char trained_tflite[] = {\n" +
                                                      byte_array(bytes) + "\n};\nunsigned int trained_tflite_len = " +
                                                      std::to_string(bytes.size()) + ";\n#endif\n");
    return;
  }
  write(dir + "/model-parameters/model_metadata.h", meta);
  write(dir + "/tflite-model/tflite_learn_5.h", "#ifndef LEARN_5_H\n#define LEARN_5_H\nconst size_t tflite_learn_5_arena_size = 2944;\n"
                                                "const unsigned char tflite_learn_5[] = {\n" + byte_array(bytes) +
                                                "\n};\nunsigned int tflite_learn_5_len = " + std::to_string(bytes.size()) + ";\n#endif\n");
  write(dir + "/model-parameters/model_variables.h", R"(#ifndef MODEL_VARIABLES_H
#define MODEL_VARIABLES_H
#include "edge-impulse-sdk/classifier/ei_model_types.h"
#include "tflite-model/tflite_learn_5.h"
ei_config_tflite_graph_t ei_config_tflite_graph_5 = { tflite_learn_5, tflite_learn_5_len, tflite_learn_5_arena_size };
const ei_learning_block_t ei_learning_blocks[1] = {
    {
        5,
        &run_nn_inference,
        (void*)&ei_config_tflite_graph_5,
    },
};
#endif
)");
}

class InterpGate : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    dir_ = std::string(EIOTA_BINARY_DIR) + "/interp_gate/" + GetParam();
    fs::create_directories(dir_);
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().extension() != ".objs") fs::remove_all(e.path());
  }
  std::string sh(const std::string& cmd) const { return "cd '" + dir_ + "' && " + cmd; }
  std::string dir_;
};

TEST_P(InterpGate, NoInferenceOnAHalfWrittenModel) {
  std::string era = GetParam();
  auto [old_tflite, new_tflite] = models(dir_ + "/models");
  size_t span = std::min(fs::file_size(old_tflite), fs::file_size(new_tflite));
  write_export(dir_ + "/v1", era, old_tflite, span);
  write_export(dir_ + "/v2", era, new_tflite, span);
  write(dir_ + "/push.ino", kSketch);
  Result p = run(sh(kCli + " patch v1 -o patched --key k.key"));
  ASSERT_EQ(p.code, 0) << p.out;
  Result k = run(sh(kCli + " pack --base patched v2 -o update.eiota --key k.key"));
  ASSERT_EQ(k.code, 0) << k.out;
  for (const char* v : {"v1", "v2"}) {  // the unpatched exports' own outputs
    Result b = run(sh(kCli + " build-sim " + v + " " + v + "-dev --sketch push.ino"));
    ASSERT_EQ(b.code, 0) << b.out;
  }
  auto value = [&](const std::string& dev) {  // what the unpatched device computes
    std::string out = run(sh("./" + dev)).out;
    const std::string key = "factory: run_classifier 0 value ";
    size_t at = out.find(key);
    return at == std::string::npos ? out : out.substr(at + key.size(), out.find('\n', at) - at - key.size());
  };
  std::string v1 = value("v1-dev"), v2 = value("v2-dev");
  ASSERT_NE(v1, v2);
  Result b = run(sh(kCli + " build-sim patched dev --sketch push.ino"));
  ASSERT_EQ(b.code, 0) << b.out;
  Result d = run(sh("./dev"));
  EXPECT_EQ(d.code, 0) << d.out;
  EXPECT_NE(d.out.find("factory: run_classifier 0 value " + v1 + "\n"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("write half: ok"), std::string::npos) << d.out;
  // Between two writes: an error, and the interpreter never ran (else its value would show).
  EXPECT_NE(d.out.find("half: run_classifier -"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("half again: run_classifier -"), std::string::npos) << d.out;
  EXPECT_EQ(d.out.find("half: run_classifier 0"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("aborted: run_classifier 0 value " + v1 + "\n"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("finish: ok"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("updated: run_classifier 0 value " + v2 + "\n"), std::string::npos) << d.out;
}

INSTANTIATE_TEST_SUITE_P(Eras, InterpGate, ::testing::Values("2021", "2023"));

// The gate needs a hook: an interpreter export with neither is refused, nothing written.
TEST(InterpGateRefusal, AnExportWithNoHookIsRefused) {
  std::string dir = std::string(EIOTA_BINARY_DIR) + "/interp_gate/nohook";
  fs::remove_all(dir);
  std::string tflite = models(dir + "/models").first;
  write_export(dir + "/v1", "2021", tflite, fs::file_size(tflite));
  write(dir + "/v1/model-parameters/model_metadata.h", "#define EI_CLASSIFIER_PROJECT_ID 32970\n");
  Result p = run("cd '" + dir + "' && " + kCli + " patch v1 -o patched --key k.key");
  EXPECT_NE(p.code, 0) << p.out;
  EXPECT_NE(p.out.find("no place to stop inferences"), std::string::npos) << p.out;
  EXPECT_FALSE(fs::exists(dir + "/patched"));
}

}  // namespace
