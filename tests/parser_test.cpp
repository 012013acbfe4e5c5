// The structural reader of generated model files: tokens, declarations, initialisers, and the
// values as the compiler would store them.
#include <gtest/gtest.h>

#include <cstring>

#include "cpp_decls.h"
#include "eiota_format.h"
#include "eon_model.h"
#include "impulse_config.h"
#include "model_arch.h"

using namespace eiota::host;

TEST(Tokens, SkipsCommentsDirectivesAndLaterBranches) {
  auto t = tokenize(
      "// c\n#if defined(X)\nint a = 1;\n#else\nint a = { 2;\n#endif\n/* } */ const char* s = \"}\\\"\";\n", "t.cpp");
  std::string joined;
  for (const auto& k : t) joined += std::string(k.text) + " ";
  EXPECT_EQ(joined, "int a = 1 ; const char * s = \"}\\\"\" ; ");
  EXPECT_EQ(t[0].line, 3);
}

TEST(Tokens, ErrorsNameTheFileAndLine) {
  try {
    tokenize("int a;\nconst char* s = \"open\n", "model.cpp");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "model.cpp:2: newline in string literal");
  }
}

TEST(Decls, NamespacesFunctionsAndInitialisers) {
  Source s = parse_source("m.cpp",
                          "namespace {\nnamespace g0 {\nconst ALIGN(16) int8_t tensor_data3[2*3] = { 1, -2, };\n}\n"
                          "TfLiteStatus tflite_learn_3_init(void*(*f)(size_t,size_t)) { if (x) { return 1; } }\n"
                          "const int z[] = { 1,\n};const NodeInfo_t nodeData[] = { { (TfLiteIntArray*)&inputs0, nullptr, OP_X, }, };\n}\n");
  const Decl* d = s.find("tensor_data3");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ns, "g0");
  EXPECT_EQ(d->kind, Decl::kVariable);
  ASSERT_EQ(d->init.items.size(), 2u);
  EXPECT_EQ(d->init.items[1].text(s.toks), "- 2");
  const Decl* f = s.find("tflite_learn_3_init");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, Decl::kFunction);
  EXPECT_EQ(s.toks[f->body_open].text, "{");
  const Decl* n = s.find("nodeData");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->init.items[0].items.size(), 3u);
}

TEST(EonModel, FloatsAreStoredAsTheCompilerStoresThem) {
  // A minimal EON file: one quantized constant tensor and one operator.
  const char* text =
      "template <int SZ, class T> struct TfArray { int sz; T elem[SZ]; };\n"
      "namespace {\nnamespace g0 {\n"
      "const TfArray<2, int> tensor_dimension0 = { 2, { 1,2 } };\n"
      "const TfArray<1, float> quant0_scale = { 1, { 0.0038093540351837873, } };\n"
      "const TfArray<1, int> quant0_zero = { 1, { -128 } };\n"
      "const TfLiteAffineQuantization quant0 = { (TfLiteFloatArray*)&quant0_scale, (TfLiteIntArray*)&quant0_zero, 0 };\n"
      "const ALIGN(16) float tensor_data0[1*2] = { 0.1, -3.4028234663852886e+38, };\n"
      "const TfArray<1, int> inputs0 = { 1, { 0 } };\nconst TfArray<1, int> outputs0 = { 1, { 0 } };\n"
      "}\nTensorInfo_t tensorData[] = {\n"
      "{ kTfLiteMmapRo, kTfLiteFloat32, (int32_t*)g0::tensor_data0, (TfLiteIntArray*)&g0::tensor_dimension0, 8, "
      "{kTfLiteAffineQuantization, const_cast<void*>(static_cast<const void*>(&g0::quant0))}, },\n};\n"
      "TfLiteNode tflNodes[1] = { { (TfLiteIntArray*)&g0::inputs0, (TfLiteIntArray*)&g0::outputs0, nullptr, }, };\n"
      "used_operators_e used_ops[] = { OP_ABS };\n"
      "static const int in_tensor_indices[] = { 0, };\nstatic const int out_tensor_indices[] = { 0, };\n"
      "}\nTfLiteStatus tflite_learn_9_init(void*(*a)(size_t,size_t)) { return kTfLiteOk; }\n";
  EonModel m = read_eon_model("dir/tflite_learn_9_compiled.cpp", text);
  EXPECT_EQ(m.stem, "tflite_learn_9");
  EXPECT_EQ(m.init_function, "tflite_learn_9_init");
  ASSERT_EQ(m.tensors.size(), 1u);
  EXPECT_EQ(m.tensors[0].data_array, "tensor_data0");
  EXPECT_EQ(m.tensors[0].scale_array, "quant0_scale");
  EXPECT_EQ(m.ops.at(0).kind, "ABS");

  float scale = (float)0.0038093540351837873;  // what the compiler does with this literal
  EXPECT_EQ(std::memcmp(m.array("quant0_scale").bytes.data(), &scale, 4), 0);
  const float values[2] = {(float)0.1, (float)-3.4028234663852886e+38};
  ASSERT_EQ(m.array("tensor_data0").bytes.size(), 8u);
  EXPECT_EQ(std::memcmp(m.array("tensor_data0").bytes.data(), values, 8), 0);
  EXPECT_EQ(eiota::get_u32(m.array("quant0_zero").bytes.data()), (uint32_t)-128);
}

TEST(EonModel, MissingPiecesAreNamed) {
  try {
    read_eon_model("x/tflite_learn_1_compiled.cpp", "namespace { int a = 1; }\n");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no tensorData table: not an EON-compiled model"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("x/tflite_learn_1_compiled.cpp"), std::string::npos) << e.what();
  }
}

TEST(EonModel, FloatExportsOf2021AndMultiImpulseFileNames) {
  // 2020-22 float32 EON: tensorData entries have no quantization member; a multi-impulse
  // library names its files trained_model_compiled_<name>.cpp.
  const char* text =
      "template <int SZ, class T> struct TfArray { int sz; T elem[SZ]; };\n"
      "namespace {\n"
      "const TfArray<1, int> tensor_dimension0 = { 1, { 3 } };\n"
      "const ALIGN(8) float tensor_data0[3] = { 0.5, -1.25, 2, };\n"
      "const TfArray<1, int> inputs0 = { 1, { 0 } };\nconst TfArray<1, int> outputs0 = { 1, { 0 } };\n"
      "const TensorInfo_t tensorData[] = {\n"
      "  { kTfLiteMmapRo, kTfLiteFloat32, (void*)tensor_data0, (TfLiteIntArray*)&tensor_dimension0, 12, },\n};\n"
      "const NodeInfo_t nodeData[] = { { (TfLiteIntArray*)&inputs0, (TfLiteIntArray*)&outputs0, nullptr, OP_ABS, }, };\n"
      "static const int inTensorIndices[] = { 0, };\nstatic const int outTensorIndices[] = { 0, };\n"
      "}\nTfLiteStatus trained_model_acc_init(void*(*a)(size_t,size_t)) { return kTfLiteOk; }\n";
  EonModel m = read_eon_model("x/trained_model_compiled_acc.cpp", text);
  EXPECT_EQ(m.stem, "trained_model_acc");
  EXPECT_EQ(m.init_function, "trained_model_acc_init");
  ASSERT_EQ(m.tensors.size(), 1u);
  EXPECT_TRUE(m.tensors[0].quant.empty());
  EXPECT_EQ(m.array("tensor_data0").bytes.size(), 12u);
}

TEST(EonModel, ErrorsPointAtTheEntry) {
  const char* text =
      "namespace {\nconst TensorInfo_t tensorData[] = {\n"
      "  { kTfLiteMmapRo },\n};\n}\n";
  try {
    read_eon_model("x/tflite_learn_1_compiled.cpp", text);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("tflite_learn_1_compiled.cpp:3: unexpected tensorData entry 0"), std::string::npos) << e.what();
  }
}

TEST(ImpulseConfig, StructFieldsByNameFromTheExportsHeaders) {
  ExportFiles f;
  f.files["model-parameters/model_metadata.h"] =
      "typedef struct {\n  uint32_t block_id; // id\n  ei_dsp_named_axis_t * named_axes;\n  float window[3];\n"
      "  int (*extract)(void *cfg, float f);\n  const size_t len;\n} ei_dsp_config_x_t;\n";
  f.files["edge-impulse-sdk/classifier/t.h"] =
      "typedef struct {\n  int a, b[2];\n  float c __attribute__((aligned(4)));\n  union { int i; float f; } u;\n} ei_y_t;\n";
  auto y = struct_fields(f, "ei_y_t");
  ASSERT_EQ(y.size(), 4u);
  EXPECT_EQ(y[1], std::make_pair(std::string("int"), std::string("b")));
  EXPECT_EQ(y[2].second, "c");
  EXPECT_EQ(y[3].second, "u");
  auto fields = struct_fields(f, "ei_dsp_config_x_t");
  ASSERT_EQ(fields.size(), 5u);
  EXPECT_EQ(fields[0], std::make_pair(std::string("uint32_t"), std::string("block_id")));
  EXPECT_EQ(fields[1].second, "named_axes");
  EXPECT_EQ(fields[2].second, "window");
  EXPECT_EQ(fields[3].second, "extract");
  EXPECT_EQ(fields[4], std::make_pair(std::string("const size_t"), std::string("len")));
  EXPECT_TRUE(struct_fields(f, "ei_dsp_config_y_t").empty());
  EXPECT_EQ(dsp_config_text(fields, {"12", "NULL"}), "block_id=12; named_axes=NULL");
  EXPECT_EQ(dsp_config_text({}, {"12", "NULL"}), "12, NULL");
}

TEST(ImpulseConfig, SettingsResolveNamesAndSkipWhatEveryDeploymentChanges) {
  auto s = read_settings(
      "#define EI_ANOMALY_TYPE_UNKNOWN 0\n#define EI_CLASSIFIER_HAS_ANOMALY EI_ANOMALY_TYPE_UNKNOWN\n"
      "#define EI_CLASSIFIER_PROJECT_DEPLOY_VERSION 7\n#define EI_CLASSIFIER_FREQUENCY 16000 // Hz\n"
      "#define EI_CLASSIFIER_TFLITE_INPUT_SCALE 0.5\n#define EI_CLASSIFIER_TFLITE_INPUT_DATATYPE EI_CLASSIFIER_DATATYPE_INT8\n");
  EXPECT_EQ(s.at("EI_CLASSIFIER_HAS_ANOMALY"), "0 (from EI_ANOMALY_TYPE_UNKNOWN)");
  EXPECT_EQ(s.at("EI_CLASSIFIER_FREQUENCY"), "16000");
  EXPECT_EQ(s.at("EI_CLASSIFIER_TFLITE_INPUT_DATATYPE"), "EI_CLASSIFIER_DATATYPE_INT8");
  EXPECT_FALSE(s.count("EI_CLASSIFIER_PROJECT_DEPLOY_VERSION"));
  EXPECT_FALSE(s.count("EI_CLASSIFIER_TFLITE_INPUT_SCALE"));  // a region, not a setting
  EXPECT_FALSE(s.count("EI_ANOMALY_TYPE_UNKNOWN"));
}

TEST(ImpulseConfig, NewerSdkFieldsAtNeutralValuesAreNotesChangedOnesRefusals) {
  Arch a, b;
  a.dsp["ei_dsp_config_12"] = "block_id=12; frame_length=0.02f; pre_shift=1";
  b.dsp["ei_dsp_config_12"] = "block_id=12; named_axes=NULL; frame_length=0.020; pre_shift=1";
  a.settings["EI_CLASSIFIER_HAS_ANOMALY"] = "0";
  b.settings["EI_CLASSIFIER_HAS_ANOMALY"] = "0 (from EI_ANOMALY_TYPE_UNKNOWN)";
  b.settings["EI_CLASSIFIER_THRESHOLD"] = "0.55";
  std::vector<std::string> refusals, notes;
  diff_impulse(a, b, refusals, notes);
  EXPECT_TRUE(refusals.empty()) << refusals[0];
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_NE(notes[0].find("named_axes=NULL"), std::string::npos) << notes[0];
  EXPECT_NE(notes[1].find("EI_CLASSIFIER_THRESHOLD 0.55"), std::string::npos) << notes[1];

  b.dsp["ei_dsp_config_12"] = "block_id=12; frame_length=0.025f; pre_shift=1; fancy=3";
  b.settings["EI_CLASSIFIER_HAS_ANOMALY"] = "1";
  b.settings["EI_CLASSIFIER_HAS_DATA_NORMALIZATION"] = "1";
  refusals.clear();
  diff_impulse(a, b, refusals, notes);
  ASSERT_EQ(refusals.size(), 4u);
  EXPECT_EQ(refusals[0], "DSP block ei_dsp_config_12: frame_length is 0.02f deployed vs 0.025f new");
  EXPECT_EQ(refusals[1], "DSP block ei_dsp_config_12: the new export sets fancy = 3, which the deployed SDK does not have");
  EXPECT_EQ(refusals[2], "impulse setting EI_CLASSIFIER_HAS_ANOMALY is 0 deployed vs 1 new");
  EXPECT_EQ(refusals[3], "the new export turns on EI_CLASSIFIER_HAS_DATA_NORMALIZATION (1), which the deployed SDK does not have");

  // A value holding "; " cannot be split by field: compared as written, never skipped.
  a.dsp["ei_dsp_config_12"] = "names=\"x; y\"; scale=1.0f";
  b.dsp["ei_dsp_config_12"] = "names=\"x; y\"; scale=2.0f";
  refusals.clear();
  diff_impulse(a, b, refusals, notes);
  EXPECT_NE(refusals.at(0).find("DSP block ei_dsp_config_12 differs"), std::string::npos) << refusals[0];
}

TEST(ArchDiff, ValuesOnlyTheNewExportHasAreRefused) {
  Arch a, b;
  b.anomaly["ei_dn_standard_scaler_mean_17"] = "10";
  auto d = arch_diff(a, b);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0], "data normalization ei_dn_standard_scaler_mean_17 is new (10): the deployed firmware has no such values");
}

TEST(ArchDiff, TensorsNoOperatorUsesAreMatchedByOrderAndSaidSo) {
  ArchBlock b;
  b.tensors.resize(4);
  b.first_unused = 2;
  Arch a;
  a.blocks = {b};
  std::vector<std::string> notes;
  EXPECT_TRUE(arch_diff(a, a, &notes).empty());
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("2 tensors (2 on) are used by no operator"), std::string::npos) << notes[0];
  a.blocks[0].first_unused = 3;  // one: nothing to confuse it with
  notes.clear();
  arch_diff(a, a, &notes);
  EXPECT_TRUE(notes.empty());
}
