// Malformed input to the readers (issue 7, "host parser safety"): each case crashed, read out of
// bounds, allocated what the input merely claimed, or failed with a bare `stoul`, and must now be
// a std::runtime_error naming the file and the reason.
#include <gtest/gtest.h>

#include <zip.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "alloc_cap.h"
#include "cpp_decls.h"
#include "eon_model.h"
#include "export_files.h"
#include "numbers.h"

namespace fs = std::filesystem;
using namespace eiota::host;

namespace {

// A minimal EON file (one constant tensor, one operator); `edit` replaces `from` with `to`.
std::string eon(const std::string& from = "", const std::string& to = "") {
  std::string text =
      "template <int SZ, class T> struct TfArray { int sz; T elem[SZ]; };\n"
      "namespace {\n"
      "const TfArray<2, int> tensor_dimension0 = { 2, { 1,2 } };\n"
      "const ALIGN(16) int8_t tensor_data0[1*2] = { 3, -4, };\n"
      "const TfArray<1, int> inputs0 = { 1, { 0 } };\nconst TfArray<1, int> outputs0 = { 1, { 0 } };\n"
      "const TensorInfo_t tensorData[] = {\n"
      "  { kTfLiteMmapRo, kTfLiteInt8, (void*)tensor_data0, (TfLiteIntArray*)&tensor_dimension0, 2, },\n};\n"
      "const NodeInfo_t nodeData[] = { { (TfLiteIntArray*)&inputs0, (TfLiteIntArray*)&outputs0, nullptr, OP_ABS, }, };\n"
      "static const int inTensorIndices[] = { 0, };\nstatic const int outTensorIndices[] = { 0, };\n"
      "}\nTfLiteStatus tflite_learn_1_init(void*(*a)(size_t,size_t)) { return kTfLiteOk; }\n";
  if (!from.empty()) {
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
  }
  return text;
}

// The message of the runtime_error `f` throws ("" and a test failure if it throws nothing or
// something else).
template <class F>
std::string refusal(F f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a runtime_error: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no error";
  return "";
}

std::string eon_refusal(const std::string& text) {
  return refusal([&] { read_eon_model("dir/tflite_learn_1_compiled.cpp", text); });
}

#define EXPECT_HAS(s, part) EXPECT_NE((s).find(part), std::string::npos) << (s)

fs::path scratch(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("eiota_parser_safety_" + std::to_string(::getpid())) / name;
  fs::remove_all(p);
  fs::create_directories(p.parent_path());
  return p;
}

// A zip of (name, contents) entries, deflated.
void make_zip(const fs::path& path, const std::vector<std::pair<std::string, std::string>>& entries) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  ASSERT_TRUE(z);
  for (const auto& [name, data] : entries) {
    zip_source_t* s = zip_source_buffer(z, data.data(), data.size(), 0);
    ASSERT_GE(zip_file_add(z, name.c_str(), s, ZIP_FL_ENC_UTF_8), 0) << zip_strerror(z);
  }
  ASSERT_EQ(zip_close(z), 0);
}

std::vector<std::pair<std::string, std::string>> export_entries() {
  return {{"demo/src/model-parameters/model_metadata.h", "#define EI_CLASSIFIER_PROJECT_ID 1\n"},
          {"demo/src/tflite-model/tflite_learn_1_compiled.cpp", eon()}};
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), {});
}

void spit(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

uint32_t le32(const std::string& s, size_t at) {
  return (uint8_t)s[at] | (uint8_t)s[at + 1] << 8 | (uint8_t)s[at + 2] << 16 | (uint32_t)(uint8_t)s[at + 3] << 24;
}
void put_le32(std::string& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; i++) s[at + i] = (char)(v >> (8 * i));
}

// Sets the uncompressed size the central directory and the local header claim for `entry`.
void claim_size(const fs::path& zip, const std::string& entry, uint32_t size) {
  std::string z = slurp(zip);
  size_t eocd = z.rfind(std::string("PK\x05\x06", 4));
  ASSERT_NE(eocd, std::string::npos);
  size_t cd = le32(z, eocd + 16);
  bool found = false;
  while (cd + 46 <= z.size() && le32(z, cd) == 0x02014b50) {
    size_t name_len = (uint8_t)z[cd + 28] | (uint8_t)z[cd + 29] << 8;
    size_t extra = (uint8_t)z[cd + 30] | (uint8_t)z[cd + 31] << 8;
    size_t comment = (uint8_t)z[cd + 32] | (uint8_t)z[cd + 33] << 8;
    if (z.compare(cd + 46, name_len, entry) == 0) {
      put_le32(z, cd + 24, size);
      put_le32(z, le32(z, cd + 42) + 22, size);
      found = true;
    }
    cd += 46 + name_len + extra + comment;
  }
  ASSERT_TRUE(found);
  spit(zip, z);
}

}  // namespace

// TfArray<2, int8_t> dims were read as 4 bytes per element: a heap read past the array (ASan) and,
// in a release build, "success" with a fingerprint of whatever followed.
TEST(ParserSafety, DimsOfAnotherElementTypeAreRefused) {
  std::string e = eon_refusal(eon("TfArray<2, int> tensor_dimension0", "TfArray<2, int8_t> tensor_dimension0"));
  EXPECT_HAS(e, "dir/tflite_learn_1_compiled.cpp:");
  EXPECT_HAS(e, "tensor_dimension0 is not a TfArray<N, int>");
}

TEST(ParserSafety, OperatorListsOfAnotherElementTypeAreRefused) {
  std::string e = eon_refusal(eon("TfArray<1, int> inputs0", "TfArray<1, uint8_t> inputs0"));
  EXPECT_HAS(e, "operator list inputs0 is not a TfArray<N, int>");
}

// parse_list recursed once per brace: a deep nest overflowed the stack (SIGSEGV).
TEST(ParserSafety, DeepNestingIsAnErrorNotACrash) {
  std::string deep = "int a = " + std::string(200000, '{') + "1" + std::string(200000, '}') + ";\n";
  std::string e = refusal([&] { parse_source("deep.h", deep); });
  EXPECT_HAS(e, "deep.h:1: initialiser lists nested more than 64 deep");
  // What generated headers do (a few levels) still parses.
  Source s = parse_source("ok.h", "const T x[2] = { { (float[2]) { 1, 2 }, 3 }, { { { 4 } } } };\n");
  EXPECT_EQ(s.decls.at(0).init.items.size(), 2u);
}

// A TfArray count was trusted: 4294967295 elements were allocated before a value was read.
TEST(ParserSafety, ACountIsCheckedAgainstTheValuesWritten) {
  std::string e = eon_refusal(eon("TfArray<2, int> tensor_dimension0 = { 2,", "TfArray<4294967295, int> tensor_dimension0 = { 4294967295,"));
  EXPECT_HAS(e, "tensor_dimension0 declares 4294967295 values but its initialiser has 2");
  e = eon_refusal(eon("tensor_data0[1*2]", "tensor_data0[65536*65535]"));
  EXPECT_HAS(e, "tensor_data0 declares 4294901760 values but its initialiser has 2");
  e = eon_refusal(eon("TfArray<2, int> tensor_dimension0 = { 2,", "TfArray<2, int> tensor_dimension0 = { 7,"));
  EXPECT_HAS(e, "tensor_dimension0 is declared with 2 values but says 7");
}

// 2*27*19*43*5419*77158673929 = 2^64 + 2 wraps to 2 in 64 bits: the array was accepted as two values.
TEST(ParserSafety, ASizeProductThatOverflowsIsRefused) {
  std::string e = eon_refusal(eon("tensor_data0[1*2]", "tensor_data0[2*27*19*43*5419*77158673929]"));
  EXPECT_HAS(e, "array size of tensor_data0: the size overflows");
  e = eon_refusal(eon("tensor_data0[1*2]", "tensor_data0[1*2*]"));
  EXPECT_HAS(e, "array size of tensor_data0 is not a product of numbers");
}

// std::stoul / std::stoull escaped as "stoul" (invalid_argument / out_of_range).
TEST(ParserSafety, NumbersThatDoNotParseNameTheFileAndTheValue) {
  std::string e = eon_refusal(eon("TfArray<2, int> tensor_dimension0", "TfArray<N, int> tensor_dimension0"));
  EXPECT_HAS(e, "dir/tflite_learn_1_compiled.cpp:3: TfArray size of tensor_dimension0: 'N' is not a whole number");
  e = eon_refusal(eon("tensor_data0[1*2]", "tensor_data0[99999999999999999999999]"));
  EXPECT_HAS(e, "array size of tensor_data0: '99999999999999999999999' is out of range");
  e = eon_refusal(eon("{ 3, -4, }", "{ 3, 99999999999999999999999, }"));
  EXPECT_HAS(e, "'99999999999999999999999' is out of range");
  e = eon_refusal(eon("inTensorIndices[] = { 0, }", "inTensorIndices[] = { 4294967296, }"));
  EXPECT_HAS(e, "'4294967296' is out of range");
}

TEST(ParserSafety, CheckedNumberHelpers) {
  EXPECT_EQ(parse_int("-12", "x"), -12);
  EXPECT_EQ(parse_int("ff", "x", 0, 255, 16), 255);
  EXPECT_EQ(parse_c_int("0x10u", "x"), 16);
  EXPECT_EQ(parse_c_int("-128", "x"), -128);
  EXPECT_EQ(parse_c_int("010", "x"), 8);
  EXPECT_EQ(parse_double("1.5f", "x"), 1.5);
  EXPECT_EQ(parse_double("0x1p3", "x"), 8.0);
  EXPECT_EQ(refusal([] { parse_int("12a", "manifest.json: key_id"); }), "manifest.json: key_id: '12a' is not a whole number");
  EXPECT_EQ(refusal([] { parse_int("300", "f", 0, 255); }), "f: '300' is out of range (0 to 255)");
  EXPECT_EQ(refusal([] { parse_int("", "f"); }), "f: '' is not a whole number");
  EXPECT_EQ(refusal([] { parse_double("nan", "f"); }), "f: 'nan' is not a number");
  EXPECT_EQ(refusal([] { parse_double("1e999", "f"); }), "f: '1e999' is out of range");
  EXPECT_EQ(refusal([] { checked_mul(1ull << 33, 1ull << 31, "f"); }), "f: the size overflows");
}

// Zip slip: entries named ../x or /x were unpacked outside the cache by build-sim/simulate.
TEST(ParserSafety, ZipEntriesOutsideTheirFolderAreRefused) {
  for (const std::string bad : {"../evil.txt", "demo/../../evil.txt", "/tmp/evil.txt", "demo\\..\\..\\evil.txt"}) {
    fs::path z = scratch("slip.zip");
    auto entries = export_entries();
    entries.push_back({bad, "x"});
    make_zip(z, entries);
    std::string e = refusal([&] { load_export(z.string()); });
    EXPECT_HAS(e, z.string() + ": entry '" + bad + "'");
    EXPECT_HAS(e, "refusing to unpack it");
  }
  fs::path ok = scratch("ok.zip");
  make_zip(ok, export_entries());
  EXPECT_EQ(load_export(ok.string()).root, "demo/src/");
}

TEST(ParserSafety, WriteExportNeverWritesOutsideItsFolder) {
  fs::path dir = scratch("write");
  fs::create_directories(dir);
  ExportFiles e;
  e.files["ok.txt"] = "ok";
  e.files["../escaped.txt"] = "bad";
  std::string msg = refusal([&] { write_export(e, (dir / "out").string()); });
  EXPECT_HAS(msg, "will not write '../escaped.txt'");
  EXPECT_FALSE(fs::exists(dir / "escaped.txt"));
  EXPECT_FALSE(fs::exists(dir / "out"));
  e.files.erase("../escaped.txt");
  e.files["/abs.txt"] = "bad";
  msg = refusal([&] { write_export(e, (dir / "out").string()); });
  EXPECT_HAS(msg, "an absolute path");
}

// An entry that claims 4 GB was allocated whole before a byte was read.
TEST(ParserSafety, AZipEntryClaimingMoreThanTheArchiveHoldsIsRefused) {
  fs::path z = scratch("claims.zip");
  auto entries = export_entries();
  entries.push_back({"demo/big.bin", std::string(5000, 'a')});
  make_zip(z, entries);
  claim_size(z, "demo/big.bin", 0xfffffff0u);
  std::string e = refusal([&] { load_export(z.string()); });
  EXPECT_HAS(e, z.string() + ": entry 'demo/big.bin' claims 4294967280 bytes");
  // A smaller lie is caught while reading, without holding more than was produced.
  make_zip(z, entries);
  claim_size(z, "demo/big.bin", 4000);
  e = refusal([&] { load_export(z.string()); });
  EXPECT_HAS(e, "entry 'demo/big.bin'");
}

TEST(ParserSafety, IoAndZipErrorsGiveTheReason) {
  fs::path missing = scratch("missing.h");
  EXPECT_EQ(refusal([&] { read_file(missing.string()); }), missing.string() + ": cannot open: No such file or directory");
  fs::path notzip = scratch("notzip.zip");
  spit(notzip, "this is not a zip archive at all");
  std::string e = refusal([&] { load_export(notzip.string()); });
  EXPECT_HAS(e, notzip.string() + ": cannot open as a zip archive: Not a zip archive");
  fs::path truncated = scratch("truncated.zip");
  make_zip(truncated, export_entries());
  std::string bytes = slurp(truncated);
  spit(truncated, bytes.substr(0, bytes.size() / 2));
  e = refusal([&] { load_export(truncated.string()); });
  EXPECT_HAS(e, truncated.string() + ": ");
}
