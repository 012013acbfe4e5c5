// eiota-fixture-gen: writes an Edge Impulse-style library (EON model file,
// model parameters, fake SDK) from a .tflite file or a built-in recipe, for
// eiota's tests. Output is byte-for-byte deterministic.
#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "library_writer.h"
#include "output_writer.h"
#include "perturb.h"
#include "synthetic_models.h"
#include "tflite_reader.h"
#include "tflite_writer.h"

namespace {

using namespace fixturegen;

const char kUsage[] =
    "usage: eiota-fixture-gen (--tflite <model.tflite> | --synthetic <name>)\n"
    "                         --era 2021|2023|2024|2025|2026 --out <dir> [--layout arduino|cpp|zephyr|split] [--zip]\n"
    "                         [--project-id 1234] [--block 13] [--name demo] [--perturb <seed> [--tune-last <n>]]\n"
    "                         [--deploy-version N] [--labels a,b,c] [--anomaly kmeans]\n"
    "       eiota-fixture-gen (--tflite <model.tflite> | --synthetic <name>) --as-tflite\n"
    "                         --out <file.tflite> [--perturb <seed> [--tune-last <n>]]\n"
    "\n"
    "  --tflite <file>     convert a TensorFlow Lite model (int8 or float32)\n"
    "  --synthetic <name>  built-in model: fc-int8, fc-float, conv-int8-perchannel,\n"
    "                      fc-mixed (uint8, int16 and int64 tensors), fc-int8-renumbered\n"
    "                      (fc-int8, tensors in another order), fc-int8-wide (12 inputs),\n"
    "                      fc-int8-large (about 300 KB of weights)\n"
    "  --era <year>        export format: 2021, 2023, 2024, 2025 or 2026 (2021: the shape\n"
    "                      Edge Impulse used from 2020 to mid-2023; 2026: Studio 1.75 on,\n"
    "                      from Oct 2025)\n"
    "  --out <path>        folder to create (must not exist or be empty); with --zip,\n"
    "                      the zip file to write\n"
    "  --layout <kind>     arduino (default: library.properties, src/, examples/),\n"
    "                      cpp (edge-impulse-sdk/, model-parameters/, tflite-model/ at the root,\n"
    "                      as in ESP-IDF projects), zephyr (the same under ei-model/) or split\n"
    "                      (model in src/edge-impulse/model/, SDK in src/edge-impulse-sdk/)\n"
    "  --zip               write a zip archive instead of a folder\n"
    "  --project-id <n>    Edge Impulse project id (default 1234)\n"
    "  --block <n>         learning block id, as in tflite_learn_<n> (default 13)\n"
    "  --name <name>       library name stem: <name>_inferencing (default demo)\n"
    "  --perturb <seed>    simulate a retrain of the same architecture\n"
    "  --tune-last <n>     with --perturb: a fine-tuning retrain, only the last n layers with\n"
    "                      weights change (transfer learning; the others stay bit for bit)\n"
    "  --deploy-version <n>  EI_CLASSIFIER_PROJECT_DEPLOY_VERSION (default 1)\n"
    "  --labels <a,b,c>    labels, one per output value (default: the recipe's, or label0..)\n"
    "  --anomaly kmeans    add a K-means anomaly block (moved by --perturb too)\n"
    "  --as-tflite         write the model itself as a .tflite flatbuffer, not an export\n"
    "                      (for tests of the TFLite-interpreter path)\n";

struct Args {
  std::string tflite, synthetic, out;
  std::optional<Era> era;
  Layout layout = Layout::Arduino;
  bool zip = false, as_tflite = false;
  int project_id = 1234, block = 13, deploy_version = 1;
  std::string name = "demo";
  std::optional<uint64_t> perturb;
  int tune_last = 0;
  std::optional<std::vector<std::string>> labels;
  bool kmeans = false;
};

[[noreturn]] void usage_error(const std::string& msg) { throw std::invalid_argument(msg); }

long long parse_number(const std::string& flag, const std::string& text, long long lo, long long hi) {
  size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used, 10);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || v < lo || v > hi)
    usage_error(flag + " needs a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got '" +
                text + "'");
  return v;
}

std::vector<std::string> split_labels(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (out.back().empty()) usage_error("--labels has an empty label");
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--zip") {
      a.zip = true;
      continue;
    }
    if (flag == "--as-tflite") {
      a.as_tflite = true;
      continue;
    }
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) usage_error(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--tflite") a.tflite = value;
    else if (flag == "--synthetic") a.synthetic = value;
    else if (flag == "--out") a.out = value;
    else if (flag == "--era") {
      if (value == "2021") a.era = Era::E2021;
      else if (value == "2023") a.era = Era::E2023;
      else if (value == "2024") a.era = Era::E2024;
      else if (value == "2025") a.era = Era::E2025;
      else if (value == "2026") a.era = Era::E2026;
      else usage_error("--era must be 2021, 2023, 2024, 2025 or 2026, got '" + value + "'");
    } else if (flag == "--layout") {
      if (value == "arduino") a.layout = Layout::Arduino;
      else if (value == "cpp") a.layout = Layout::Cpp;
      else if (value == "zephyr") a.layout = Layout::Zephyr;
      else if (value == "split") a.layout = Layout::Split;
      else usage_error("--layout must be arduino, cpp, zephyr or split, got '" + value + "'");
    } else if (flag == "--project-id") a.project_id = int(parse_number(flag, value, 1, 2147483647));
    else if (flag == "--block") a.block = int(parse_number(flag, value, 1, 65535));
    else if (flag == "--deploy-version") a.deploy_version = int(parse_number(flag, value, 1, 2147483647));
    else if (flag == "--name") a.name = value;
    else if (flag == "--perturb") a.perturb = uint64_t(parse_number(flag, value, 0, 9223372036854775807LL));
    else if (flag == "--tune-last") a.tune_last = int(parse_number(flag, value, 1, 1000000));
    else if (flag == "--labels") a.labels = split_labels(value);
    else if (flag == "--anomaly") {
      if (value != "kmeans") usage_error("--anomaly must be kmeans, got '" + value + "'");
      a.kmeans = true;
    }
    else usage_error("unknown option " + flag);
  }
  if (a.tflite.empty() == a.synthetic.empty()) usage_error("give exactly one of --tflite and --synthetic");
  if (!a.era && !a.as_tflite) usage_error("--era is required");
  if (a.out.empty()) usage_error("--out is required");
  return a;
}

int run(const Args& a) {
  Model model;
  std::vector<std::string> labels;
  if (!a.synthetic.empty()) {
    SyntheticModel s = make_synthetic(a.synthetic);
    model = std::move(s.model);
    labels = std::move(s.labels);
  } else {
    model = read_tflite_file(a.tflite);
  }
  if (a.tune_last && !a.perturb) usage_error("--tune-last needs --perturb <seed>");
  if (a.perturb) model = a.tune_last ? perturb_last_layers(model, *a.perturb, a.tune_last) : perturb(model, *a.perturb);
  if (a.labels) labels = *a.labels;
  if (a.as_tflite) {
    const std::vector<uint8_t> bytes = write_tflite(model);
    std::FILE* f = std::fopen(a.out.c_str(), "wb");
    if (!f) throw std::runtime_error(a.out + ": cannot create the file");
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    if (std::fclose(f) != 0 || !ok) throw std::runtime_error(a.out + ": write failed");
    return 0;
  }

  ExportOptions o;
  o.era = *a.era;
  o.layout = a.layout;
  o.name = a.name;
  o.project_id = a.project_id;
  o.block = a.block;
  o.deploy_version = a.deploy_version;
  o.labels = labels;
  o.kmeans = a.kmeans;
  o.anomaly_seed = a.perturb ? *a.perturb : 0;
  const FileSet files = build_export(model, o);

  if (a.zip) {
    std::string path = a.out;
    if (path.size() < 4 || path.compare(path.size() - 4, 4, ".zip") != 0) path += ".zip";
    write_zip(files, path, a.layout == Layout::Arduino ? a.name + "_inferencing/" : "");
  } else {
    write_folder(files, a.out);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_args(argc, argv));
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "eiota-fixture-gen: %s\n\n%s", e.what(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "eiota-fixture-gen: %s\n", e.what());
    return 1;
  }
}
