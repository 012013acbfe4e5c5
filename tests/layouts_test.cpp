// The runtime `patch` adds is compiled by the firmware's own build, whatever the project layout.
// Each test generates an export in one layout, patches it, and builds it the way that layout's
// projects build an Edge Impulse export: a build file written here that collects sources with the
// same globs (ESP-IDF component, Zephyr app with ei-model/, EI's C++ library CMake, EI's
// Makefile, Arduino's "every source under src/"). The firmware applies a payload made by
// `eiota pack` and must then compute what the retrained export computes.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>

#include "test_support.h"

namespace fs = std::filesystem;

namespace {

using namespace eiota::test;

const std::string kGenArgs = " --era 2025 --synthetic fc-int8 --name demo";

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

// The firmware: runs the impulse, applies the payload named on the command line (if any) through
// the C API, runs it again. Built without -DEIOTA for the unpatched retrained export.
const char kMain[] = R"(#include <stdio.h>
#include "demo_inferencing.h"
#ifdef EIOTA
#include "eiota/eiota_update.h"
static int from_file(void* f, uint8_t* b, uint32_t n) {
  if (n == 0) { int c = fgetc((FILE*)f); if (c == EOF) return 0; ungetc(c, (FILE*)f); return 1; }
  return (int)fread(b, 1, n, (FILE*)f);
}
#endif
static float features[EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE];
static int classify(const char* tag) {
  signal_t signal;
  numpy::signal_from_buffer(features, EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE, &signal);
  ei_impulse_result_t result = { 0 };
  int err = run_classifier(&signal, &result, false);
  printf("%s", tag);
  for (size_t i = 0; i < EI_CLASSIFIER_LABEL_COUNT; i++) printf(" %.6f", result.classification[i].value);
  printf("\n");
  return err;
}
int main(int argc, char** argv) {
  for (size_t i = 0; i < EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE; i++) features[i] = (float)((int)(i % 13) - 6) / 6.0f;
  if (classify("values") != 0) return 1;
#ifdef EIOTA
  if (argc < 2) return 0;
  static eiota_update u;
  FILE* f = fopen(argv[1], "rb");
  if (!f) return 1;
  int err = eiota_update_pull(&u, &eiota_default_model, from_file, f);
  fclose(f);
  printf("apply %s\n", eiota_strerror(err));
  if (err != 0 || classify("values") != 0) return 1;
#endif
  (void)argc; (void)argv;
  return 0;
}
)";

// CMake text shared by the builds below: sources of `dir` matching `pattern`, recursively,
// leaving out CMSIS (as EI's RECURSIVE_FIND_FILE_EXCLUDE_DIR does).
std::string cmake_glob(const std::string& var, const std::string& dir, const std::string& pattern) {
  return "file(GLOB_RECURSE " + var + " \"" + dir + "/" + pattern + "\")\nlist(FILTER " + var +
         " EXCLUDE REGEX \"/CMSIS/\")\nlist(APPEND SRCS ${" + var + "})\n";
}

const char kCmakeHead[] = "cmake_minimum_required(VERSION 3.16)\nproject(fw CXX C)\nset(CMAKE_CXX_STANDARD 14)\n";

struct Layout {
  std::string gen_layout;   // eiota-fixture-gen --layout
  std::string main_path;    // where the firmware's main.cpp goes
  std::function<void(const fs::path&)> write_build;  // writes the build files into the project
  std::string build;        // shell command run in the project folder; leaves ./fw
};

// ESP-IDF (firmware-espressif-esp32, example-standalone-inferencing-espressif-esp32): the export
// at the repo root, main/CMakeLists.txt globs ../edge-impulse-sdk and ../tflite-model recursively.
void espidf(const fs::path& p) {
  write(p / "CMakeLists.txt", std::string(kCmakeHead) + "add_subdirectory(main)\n");
  write(p / "main/CMakeLists.txt", "set(MODEL_FOLDER ${CMAKE_CURRENT_SOURCE_DIR}/..)\n" +
                                       cmake_glob("SDK_CPP", "${MODEL_FOLDER}/edge-impulse-sdk", "*.cpp") +
                                       cmake_glob("SDK_CC", "${MODEL_FOLDER}/edge-impulse-sdk", "*.cc") +
                                       cmake_glob("SDK_C", "${MODEL_FOLDER}/edge-impulse-sdk", "*.c") +
                                       cmake_glob("MODEL_FILES", "${MODEL_FOLDER}/tflite-model", "*.cpp") +
                                       "add_executable(fw main.cpp ${SRCS})\n"
                                       "set_target_properties(fw PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${MODEL_FOLDER})\n"
                                       "target_compile_definitions(fw PRIVATE EIOTA)\n"
                                       "target_include_directories(fw PRIVATE ${MODEL_FOLDER} ${MODEL_FOLDER}/tflite-model "
                                       "${MODEL_FOLDER}/model-parameters ${MODEL_FOLDER}/edge-impulse-sdk)\n");
}

// Zephyr (firmware-nordic-thingy53): the export under ei-model/, the app globs
// ei-model/tflite-model recursively; the SDK comes from its own cmake/zephyr (all of it).
void zephyr(const fs::path& p) {
  write(p / "CMakeLists.txt", std::string(kCmakeHead) + "add_executable(app src/main.cpp)\n" +
                                  cmake_glob("EI_SOURCE_FILES", "${CMAKE_CURRENT_SOURCE_DIR}/ei-model/edge-impulse-sdk", "*.cpp") +
                                  cmake_glob("MODEL_FILES", "${CMAKE_CURRENT_SOURCE_DIR}/ei-model/tflite-model", "*.cpp") +
                                  "target_sources(app PRIVATE ${SRCS})\n"
                                  "set_target_properties(app PROPERTIES OUTPUT_NAME fw RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})\n"
                                  "target_compile_definitions(app PRIVATE EIOTA)\n"
                                  "include_directories(. ei-model ei-model/tflite-model ei-model/model-parameters src)\n");
}

// EI's C++ library CMake: the library's CMakeLists adds tflite-model/**/*.cpp and the SDK to a
// target named app, with the library folder as the include folder.
void ei_cmake(const fs::path& p) {
  write(p / "ei-library.cmake", "if(NOT TARGET app)\n  message(FATAL_ERROR \"needs a target named app\")\nendif()\n" +
                                    cmake_glob("MODEL_SOURCE", "${CMAKE_CURRENT_LIST_DIR}/tflite-model", "*.cpp") +
                                    cmake_glob("EI_SDK", "${CMAKE_CURRENT_LIST_DIR}/edge-impulse-sdk", "*.cpp") +
                                    "target_sources(app PRIVATE ${SRCS})\ntarget_include_directories(app PRIVATE ${CMAKE_CURRENT_LIST_DIR})\n");
  write(p / "CMakeLists.txt", std::string(kCmakeHead) + "add_executable(app main.cpp)\ninclude(ei-library.cmake)\n"
                              "set_target_properties(app PROPERTIES OUTPUT_NAME fw RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})\n"
                              "target_compile_definitions(app PRIVATE EIOTA)\n");
}

// EI's Makefile (example-standalone-inferencing): $(wildcard tflite-model/*.cpp), not recursive,
// the SDK by folder, -I. for the export root.
void makefile(const fs::path& p) {
  write(p / "Makefile", "CXXFLAGS += -std=c++14 -I. $(DEFS)\n"
                        "CXXSOURCES = main.cpp $(wildcard tflite-model/*.cpp) $(shell find edge-impulse-sdk -name '*.cpp')\n"
                        "fw: $(CXXSOURCES:.cpp=.o)\n\t$(CXX) -o $@ $^\n");
}

// Arduino (and PlatformIO): every .c/.cpp under the library's src/, recursively, src/ on the
// include path; examples/ are sketches, not library sources. `extra` adds include folders.
void all_under_src(const fs::path& p, const std::string& extra) {
  write(p / "Makefile", "CXXFLAGS += -std=c++14 -DEIOTA -Isrc " + extra + "\n"
                        "CXXSOURCES = sketch/main.cpp $(shell find src -name '*.cpp')\n"
                        "fw: $(CXXSOURCES:.cpp=.o)\n\t$(CXX) -o $@ $^\n");
}

const std::string kMake = "make -s -j2 fw";
const std::string kCmake = "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build build -j2 >/dev/null";

const std::map<std::string, Layout>& layouts() {
  static const std::map<std::string, Layout> m = {
      {"EspIdf", {"cpp", "main/main.cpp", espidf, kCmake}},
      {"Zephyr", {"zephyr", "src/main.cpp", zephyr, kCmake}},
      {"EiCmake", {"cpp", "main.cpp", ei_cmake, kCmake}},
      {"Makefile", {"cpp", "main.cpp", makefile, kMake + " DEFS=-DEIOTA"}},
      {"Arduino", {"arduino", "sketch/main.cpp", [](const fs::path& p) { all_under_src(p, ""); }, kMake}},
      {"Split", {"split", "sketch/main.cpp", [](const fs::path& p) { all_under_src(p, "-Isrc/edge-impulse/model"); }, kMake}},
  };
  return m;
}

class LayoutBuild : public ::testing::TestWithParam<std::string> {
 protected:
  static fs::path dir(const std::string& name) {
    fs::path d = fs::path(EIOTA_BINARY_DIR) / "layouts" / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
  }
  static std::string sh(const fs::path& d, const std::string& cmd) { return "cd '" + d.string() + "' && " + cmd; }

  // What the retrained export computes, built from its own sources with EI's Makefile rule.
  static std::string retrained_values(const fs::path& d) {
    Result g = run(sh(d, kGen + kGenArgs + " --layout cpp --perturb 5 --out ref"));
    if (g.code != 0) return "generator failed: " + g.out;
    makefile(d / "ref");
    write(d / "ref/main.cpp", kMain);
    Result b = run(sh(d / "ref", kMake + " && ./fw"));
    return b.code == 0 ? b.out : "build failed: " + b.out;
  }
};

TEST_P(LayoutBuild, TheProjectsOwnBuildCompilesTheRuntimeAndTheUpdateApplies) {
  const Layout& l = layouts().at(GetParam());
  fs::path d = dir(GetParam());
  ASSERT_EQ(run(sh(d, kGen + kGenArgs + " --layout " + l.gen_layout + " --out old")).code, 0);
  ASSERT_EQ(run(sh(d, kGen + kGenArgs + " --layout " + l.gen_layout + " --perturb 5 --out new")).code, 0);
  Result p = run(sh(d, kCli + " patch old -o fw --key k.key"));
  ASSERT_EQ(p.code, 0) << p.out;
  // patch says where the runtime went, under the export's own root.
  std::string root = l.gen_layout == "arduino" ? "src/" : l.gen_layout == "zephyr" ? "ei-model/"
                   : l.gen_layout == "split" ? "src/edge-impulse/model/" : "";
  EXPECT_NE(p.out.find("runtime: " + root + "tflite-model/eiota_*.cpp (compiled by every EI build"), std::string::npos) << p.out;
  Result k = run(sh(d, kCli + " pack --base fw new -o update.eiota --key k.key"));
  ASSERT_EQ(k.code, 0) << k.out;

  l.write_build(d / "fw");
  write(d / "fw" / l.main_path, kMain);
  Result b = run(sh(d / "fw", l.build));
  ASSERT_EQ(b.code, 0) << "the " << GetParam() << " build of the patched library failed:\n" << b.out;
  Result r = run(sh(d / "fw", "./fw ../update.eiota"));
  ASSERT_EQ(r.code, 0) << r.out;
  size_t apply = r.out.find("apply ok\n");
  ASSERT_NE(apply, std::string::npos) << r.out;
  std::string before = r.out.substr(0, apply), after = r.out.substr(apply + 9);
  std::string want = retrained_values(d);
  EXPECT_EQ(after, want) << "after the update the firmware must compute what the retrained export computes";
  EXPECT_NE(before, want) << "the retrain must change the outputs, or the test proves nothing";
}

INSTANTIATE_TEST_SUITE_P(EveryKnownBuild, LayoutBuild,
                         ::testing::Values("EspIdf", "Zephyr", "EiCmake", "Makefile", "Arduino", "Split"),
                         [](const auto& info) { return info.param; });

// Arduino compiles every source under src/ once: a runtime source in two places would be a
// duplicate symbol there, and one outside tflite-model/ is missed by the CMake and Make builds.
TEST(RuntimeLayout, EachRuntimeSourceExistsOnceInsideTfliteModel) {
  fs::path d = fs::path(EIOTA_BINARY_DIR) / "layouts" / "once";
  fs::remove_all(d);
  fs::create_directories(d);
  ASSERT_EQ(run("cd '" + d.string() + "' && " + kGen + kGenArgs + " --layout arduino --out old").code, 0);
  ASSERT_EQ(run("cd '" + d.string() + "' && " + kCli + " patch old -o fw --key k.key").code, 0);
  int runtime_sources = 0;
  for (const auto& e : fs::recursive_directory_iterator(d / "fw")) {
    std::string name = e.path().filename().string();
    if (name.rfind("eiota_", 0) != 0 || e.path().extension() != ".cpp") continue;
    EXPECT_EQ(e.path().parent_path(), d / "fw/src/tflite-model") << e.path();
    runtime_sources++;
  }
  EXPECT_GE(runtime_sources, 6);
  // The headers the sketch and the patched files include still resolve from the library root.
  EXPECT_TRUE(fs::exists(d / "fw/src/eiota/eiota_update.h"));
  EXPECT_TRUE(fs::exists(d / "fw/src/eiota/eiota_arduino.h"));
}

}  // namespace
