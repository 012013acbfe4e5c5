// `eiota patch --storage flash`: EON tensors read their values in place through
// eiota_region_values (no RAM working arrays), compute exactly what the unpatched export does,
// for every generator era; every region table carries slot offsets that match
// device/eiota_slot_layout.h; non-EON exports are refused; old manifests still load.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <string>

#include "eiota_model.h"
#include "eiota_slot_layout.h"
#include "manifest.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace eiota::test;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

struct Work {
  explicit Work(const std::string& name) : dir(fs::path(EIOTA_BINARY_DIR) / "storage-flash" / name) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  Result sh(const std::string& cmd) const { return run("cd '" + dir.string() + "' && " + cmd); }
  fs::path operator/(const std::string& f) const { return dir / f; }
  fs::path dir;
};

// Objects shared by every build of this file: the fake SDK compiles once.
const std::string kObjects = std::string(EIOTA_BINARY_DIR) + "/storage-flash/objects";

fs::path model_file(const fs::path& exp) {
  for (const auto& e : fs::recursive_directory_iterator(exp))
    if (e.path().filename().string().find("_compiled.cpp") != std::string::npos) return e.path();
  return {};
}

// Outputs of a build-sim executable: the raw output tensors and the results.
std::string outputs(const Work& w, const std::string& exp, const std::string& sim, const std::string& env = "") {
  Result b = w.sh(kCli + " build-sim --objects '" + kObjects + "' " + exp + " " + sim);
  EXPECT_EQ(b.code, 0) << b.out;
  Result r = w.sh(env + "./" + sim);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("raw 0.0 "), std::string::npos) << r.out;
  return r.out;
}

// A test unit in the patched library through which every eiota_region_values call of the model
// file goes: with EIOTA_TEST_POKE=copy it serves each region from a RAM copy elsewhere (a
// stand-in for a slot, the count word before COUNTED values), with =zero it zeroes tensor data.
const char* kPoke = R"(#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "eiota/eiota_model.h"
#include "eiota/eiota_slot_layout.h"
extern "C" const void* eiota_test_values(const eiota_model* m, uint32_t i) {
  static void* copies[1024];
  static int calls = 0;
  const char* mode = getenv("EIOTA_TEST_POKE");
  const void* v = eiota_region_values(m, i);
  if (!mode || !v || i >= 1024) return v;
  if (!copies[i]) {
    const eiota_region* r = eiota_model_region(m, i);
    uint32_t n = eiota_region_size(r);
    char* p = (char*)aligned_alloc(16, 16 + ((n + 15) / 16) * 16) + 16;
    if (r->flags & EIOTA_REGION_COUNTED) memcpy(p - 4, (const char*)v - 4, 4);
    if (strcmp(mode, "zero") == 0 && (r->flags & EIOTA_REGION_ALIGN16)) memset(p, 0, n);
    else memcpy(p, v, n);
    copies[i] = p;
  }
  if (++calls == 1) fprintf(stderr, "poke: %s\n", mode);
  return copies[i];
}
)";

void add_poke(const fs::path& lib) {
  fs::path mf = model_file(lib);
  std::string text = slurp(mf);
  const std::string call = "eiota_region_values(&eiota_default_model";
  size_t n = 0;
  for (size_t at = text.find(call); at != std::string::npos; at = text.find(call, at + 1), n++)
    text.replace(at, 19, "eiota_test_values");
  ASSERT_GT(n, 0u) << "the flash-mode model file calls eiota_region_values nowhere";
  const std::string inc = "#include \"eiota/eiota_model.h\"\n";
  size_t at = text.find(inc);
  ASSERT_NE(at, std::string::npos);
  text.insert(at + inc.size(), "extern \"C\" const void* eiota_test_values(const eiota_model*, uint32_t);\n");
  std::ofstream(mf, std::ios::binary) << text;
  std::ofstream(mf.parent_path() / "eiota_test_poke.cpp") << kPoke;
}

// Region table lines of the generated sources: name -> {flags, slot offset, working}.
struct TableEntry {
  int flags;
  uint64_t offset;
  std::string working;
};
std::map<std::string, TableEntry> table_entries(const fs::path& lib) {
  static const std::regex line(R"(^  \{ [^\n]*, ([^,\n]+), \d+, \d+, (\d+), (\d+)u \},  // (\S+) )");
  std::map<std::string, TableEntry> out;
  for (const auto& e : fs::recursive_directory_iterator(lib)) {
    if (!e.is_regular_file()) continue;
    std::string ext = e.path().extension().string();
    if (ext != ".cpp" && ext != ".h") continue;
    std::string text = slurp(e.path());
    if (text.find("eiota: replaceable regions") == std::string::npos) continue;
    std::istringstream in(text);
    std::string l;
    std::smatch m;
    while (std::getline(in, l))
      if (std::regex_search(l, m, line)) out[m[4]] = {std::stoi(m[2]), std::stoull(m[3]), m[1]};
  }
  return out;
}

// The offsets are the layout's, strictly increasing, aligned as the flags say, and the tables say
// what the manifest says.
void check_slots(const fs::path& lib, bool flash) {
  eiota::host::Manifest man = eiota::host::load_manifest(lib.string());
  EXPECT_EQ(man.storage, flash ? "flash" : "ram");
  auto tables = table_entries(lib);
  ASSERT_EQ(tables.size(), man.regions.size());
  uint64_t at = eiota_slot_values_start((uint32_t)man.regions.size()), prev_end = at;
  for (const auto& r : man.regions) {
    SCOPED_TRACE(r.name);
    uint64_t off = eiota_slot_place(at, r.elem_type, r.flags);
    EXPECT_EQ(r.slot_offset, off);
    ASSERT_TRUE(tables.count(r.name));
    EXPECT_EQ(tables[r.name].offset, r.slot_offset);
    EXPECT_EQ(tables[r.name].flags, r.flags);
    EXPECT_GE(off, prev_end);
    if (r.kind == eiota::host::Region::kData || r.kind == eiota::host::Region::kModel)
      EXPECT_TRUE(r.flags & EIOTA_REGION_ALIGN16);
    if (r.kind == eiota::host::Region::kScale || r.kind == eiota::host::Region::kZero) {
      EXPECT_EQ(r.flags, EIOTA_REGION_COUNTED);
      EXPECT_GE(off, prev_end + 4);  // room for the count word
    }
    if (r.flags & EIOTA_REGION_ALIGN16) EXPECT_EQ(off % 16, 0u);
    EXPECT_EQ(off % eiota_elem_size(r.elem_type), 0u);
    bool in_place = flash && r.bind.to == eiota::host::Region::Binding::kTensor;
    EXPECT_EQ(tables[r.name].working == "NULL", in_place) << tables[r.name].working;
    at = prev_end = off + (uint64_t)r.count * eiota_elem_size(r.elem_type);
  }
  EXPECT_EQ(man.slot_size, at);
}

struct Case {
  std::string era, synthetic, layout;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.era << " " << c.synthetic << " " << c.layout; }

class FlashEra : public ::testing::TestWithParam<Case> {};

TEST_P(FlashEra, ReadsValuesInPlaceAndComputesTheUnpatchedOutputs) {
  const Case& c = GetParam();
  Work w("era-" + c.era + "-" + c.synthetic + "-" + c.layout);
  std::string gen = kGen + " --era " + c.era + " --layout " + c.layout + " --name demo --synthetic " + c.synthetic;
  ASSERT_EQ(w.sh(gen + " --out old").code, 0);
  Result p = w.sh(kCli + " patch old -o flash --key k.key --storage flash");
  ASSERT_EQ(p.code, 0) << p.out;
  EXPECT_NE(p.out.find("with g++ -fsyntax-only"), std::string::npos) << p.out;  // the patch's own compile check ran
  EXPECT_NE(p.out.find("storage flash"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("slot size needed: "), std::string::npos) << p.out;
  check_slots(w / "flash", true);

  // No RAM working arrays for tensors: the model file declares none.
  std::string text = slurp(model_file(w / "flash"));
  EXPECT_EQ(text.find("alignas(16) EIOTA_RAM_ATTR"), std::string::npos);
  EXPECT_EQ(text.find("EIOTA_RAM_ATTR TfArray"), std::string::npos);
  EXPECT_NE(text.find("eiota_tensor_data("), std::string::npos);

  if (c.layout != "cpp") return;  // build-sim builds the cpp layout; the others are the compile check's
  std::string want = outputs(w, "old", "sim-old");
  EXPECT_EQ(outputs(w, "flash", "sim-flash"), want);

  // The tensors really read through eiota_region_values: served from elsewhere, the same outputs;
  // with the tensor data zeroed there, other outputs.
  add_poke(w / "flash");
  std::string copy = outputs(w, "flash", "sim-poke", "EIOTA_TEST_POKE=copy ");
  ASSERT_NE(copy.find("poke: copy\n"), std::string::npos) << copy;
  EXPECT_EQ(copy.substr(copy.find("run_classifier")), want);
  std::string zero = outputs(w, "flash", "sim-poke", "EIOTA_TEST_POKE=zero ");
  ASSERT_NE(zero.find("poke: zero\n"), std::string::npos) << zero;
  EXPECT_NE(zero.substr(zero.find("raw ")), want.substr(want.find("raw ")));
}

std::vector<Case> cases() {
  std::vector<Case> v;
  for (const char* era : {"2021", "2023", "2024", "2025", "2026"})
    for (const char* s : {"fc-int8", "fc-float", "conv-int8-perchannel"}) v.push_back({era, s, "cpp"});
  for (const char* l : {"arduino", "zephyr", "split"}) v.push_back({"2025", "fc-int8", l});
  v.push_back({"2021", "fc-mixed", "cpp"});
  return v;
}

INSTANTIATE_TEST_SUITE_P(Generator, FlashEra, ::testing::ValuesIn(cases()), [](const auto& i) {
  std::string n = "e" + i.param.era + "_" + i.param.synthetic + "_" + i.param.layout;
  for (char& ch : n)
    if (!std::isalnum((unsigned char)ch)) ch = '_';
  return n;
});

// RAM mode keeps its working copies, and its tables carry the same slot layout.
TEST(StorageRam, TablesCarrySlotOffsetsAndFlags) {
  Work w("ram");
  ASSERT_EQ(w.sh(kGen + " --era 2025 --layout cpp --name demo --synthetic conv-int8-perchannel --anomaly kmeans --out old").code, 0);
  Result p = w.sh(kCli + " patch old -o ram --key k.key");
  ASSERT_EQ(p.code, 0) << p.out;
  EXPECT_NE(p.out.find("storage ram"), std::string::npos) << p.out;
  check_slots(w / "ram", false);
  eiota::host::Manifest man = eiota::host::load_manifest((w / "ram").string());
  EXPECT_NE(p.out.find("slot size needed: " + std::to_string(man.slot_size) + " bytes (without a self-test)"), std::string::npos) << p.out;
  // Flash mode over the same export: config and anomaly regions keep RAM copies.
  ASSERT_EQ(w.sh(kCli + " patch old -o flash --key k.key --storage flash").code, 0);
  check_slots(w / "flash", true);
  std::string want = outputs(w, "old", "sim-old");
  EXPECT_EQ(outputs(w, "flash", "sim-flash"), want);
  EXPECT_EQ(outputs(w, "ram", "sim-ram"), want);
}

// Without a store nothing can update a region read in place: the update is refused, inference
// goes on with the factory values.
TEST(StorageFlash, AnUpdateWithoutAStoreIsRefusedNotWrittenThroughNull) {
  Work w("no-store");
  std::string gen = kGen + " --era 2024 --layout cpp --name demo --synthetic fc-int8";
  ASSERT_EQ(w.sh(gen + " --out old").code, 0);
  ASSERT_EQ(w.sh(gen + " --perturb 5 --out new").code, 0);
  ASSERT_EQ(w.sh(kCli + " patch old -o flash --key k.key --storage flash").code, 0);
  ASSERT_EQ(w.sh(kCli + " pack --base flash new -o u.eiota --key k.key").code, 0);
  Result i = w.sh(kCli + " inspect u.eiota --base flash");
  EXPECT_EQ(i.code, 0) << i.out;
  eiota::host::Manifest man = eiota::host::load_manifest((w / "flash").string());
  EXPECT_NE(i.out.find("base         storage flash, slot size " + std::to_string(man.slot_size) + " bytes"), std::string::npos) << i.out;
  std::string want = outputs(w, "old", "sim-old");
  Result b = w.sh(kCli + " build-sim --objects '" + kObjects + "' flash sim-flash");
  ASSERT_EQ(b.code, 0) << b.out;
  Result r = w.sh("./sim-flash --payload u.eiota --regions");
  EXPECT_NE(r.out.find("apply u.eiota: this library reads its values from flash slots"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.substr(r.out.find("run_classifier")), want.substr(want.find("run_classifier")));
}

TEST(StorageFlash, RefusesANonEonExport) {
  Work w("non-eon");
  ASSERT_EQ(w.sh(kGen + " --as-tflite --synthetic fc-int8 --out m.tflite").code, 0);
  std::string bytes = slurp(w / "m.tflite");
  fs::create_directories(w / "interp/tflite-model");
  fs::create_directories(w / "interp/model-parameters");
  std::ofstream(w / "interp/model-parameters/model_metadata.h") << "#define EI_CLASSIFIER_TFLITE_ARENA_SIZE 4096\n";
  std::ofstream h(w / "interp/tflite-model/tflite-trained.h");
  h << "#ifndef TRAINED_H\n#define TRAINED_H\nconst unsigned char trained_tflite[] = {\n";
  for (unsigned char ch : bytes) h << (int)ch << ", ";
  h << "\n};\nunsigned int trained_tflite_len = " << bytes.size() << ";\n#endif\n";
  h.close();
  Result ram = w.sh(kCli + " patch interp -o ram --key k.key --no-check");
  ASSERT_EQ(ram.code, 0) << ram.out;  // the export itself is fine
  Result flash = w.sh(kCli + " patch interp -o flash --key k.key --storage flash");
  EXPECT_EQ(flash.code, 1);
  EXPECT_NE(flash.out.find("--storage flash needs an EON export; use --storage ram, which also persists updates with a store"),
            std::string::npos) << flash.out;
  EXPECT_FALSE(fs::exists(w / "flash"));
  Result bad = w.sh(kCli + " patch interp -o x --key k.key --storage rom");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.out.find("rom"), std::string::npos) << bad.out;
}

// A manifest from before slots (no storage, slot_size, flags, slot_offset) still loads; offsets
// that disagree with the layout are refused.
TEST(StorageManifest, OldManifestsLoadAndWrongOffsetsAreRefused) {
  Work w("manifest");
  ASSERT_EQ(w.sh(kGen + " --era 2024 --layout cpp --name demo --synthetic fc-int8 --out old").code, 0);
  ASSERT_EQ(w.sh(kCli + " patch old -o p --key k.key --no-check").code, 0);
  std::string text = slurp(w / "p/eiota-manifest.json");
  std::string old = std::regex_replace(text, std::regex(R"re(,?\s*"(storage|slot_size|flags|slot_offset)": ("[a-z]+"|\d+))re"), "");
  ASSERT_EQ(old.find("slot_offset"), std::string::npos);
  ASSERT_EQ(old.find("\"storage\""), std::string::npos);
  eiota::host::Manifest m = eiota::host::manifest_from_json(old, "old.json");
  EXPECT_EQ(m.storage, "ram");
  EXPECT_EQ(m.slot_size, 0u);
  for (const auto& r : m.regions) {
    EXPECT_EQ(r.flags, 0);
    EXPECT_EQ(r.slot_offset, 0u);
  }
  eiota::host::Manifest now = eiota::host::manifest_from_json(text, "new.json");
  ASSERT_GT(now.regions.size(), 1u);
  std::string off = std::to_string(now.regions[1].slot_offset);
  std::string moved = std::regex_replace(text, std::regex("\"slot_offset\": " + off + "\\b"), "\"slot_offset\": " + off + "0",
                                         std::regex_constants::format_first_only);
  ASSERT_NE(moved, text);
  try {
    eiota::host::manifest_from_json(moved, "moved.json");
    ADD_FAILURE() << "a wrong slot offset was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("slot_offset " + off + "0, the slot layout gives " + off), std::string::npos) << e.what();
  }
  std::string flags = std::regex_replace(text, std::regex("\"flags\": \\d+"), "\"flags\": 64", std::regex_constants::format_first_only);
  EXPECT_THROW(eiota::host::manifest_from_json(flags, "flags.json"), std::runtime_error);
}

}  // namespace
