#include "model_export.h"

#include <stdexcept>

namespace eiota::host {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"') return std::string(s.substr(1, s.size() - 2));
  return std::string(s);
}

// `.scale = v` / `.zero_point = v` items of a designated initialiser.
void read_outside_quant(const Source& s, const Decl& d, std::map<std::string, std::string>& out) {
  for (const auto& item : d.init.items) {
    if (item.is_list || item.last - item.first < 4) continue;
    const auto& t = s.toks;
    std::string_view field = t[item.first + 1].text;
    if (t[item.first].text != "." || t[item.first + 2].text != "=" || (field != "scale" && field != "zero_point")) continue;
    std::string value;
    for (size_t k = item.first + 3; k < item.last; k++) value += t[k].text;
    out[d.name + "." + std::string(field)] = value;
  }
}

void read_impulse_config(ModelExport& x) {
  const std::string params = x.files.root + "model-parameters/";
  for (const char* name : {"model_variables.h", "model_metadata.h"}) {
    std::string path = params + name;
    if (!x.files.has(path)) continue;
    Source s = parse_source(x.files.origin + "/" + path, x.files.files.at(path));
    for (const auto& [macro, value] : read_defines(s.text))  // read by the 2021-22 SDK
      if (macro.rfind("EI_CLASSIFIER_TFLITE_INPUT_", 0) == 0 || macro.rfind("EI_CLASSIFIER_TFLITE_OUTPUT_", 0) == 0)
        if (macro.ends_with("_SCALE") || macro.ends_with("_ZEROPOINT")) x.arch.outside_quant[macro] = value;
    for (const auto& d : s.decls) {
      if (d.kind != Decl::kVariable || !d.has_init) continue;
      if (d.name.rfind("ei_classifier_inferencing_categories", 0) == 0 && d.init.is_list && x.arch.labels.empty()) {
        for (const auto& item : d.init.items) x.arch.labels.push_back(unquote(item.text(s.toks)));
      } else if (d.init.is_list && name == std::string("model_variables.h")) {
        read_outside_quant(s, d, x.arch.outside_quant);
      }
      if (d.name.rfind("ei_dsp_config_", 0) == 0) {
        std::string text;
        for (size_t k = d.eq_tok + 1; k + 1 < d.last; k++) text += std::string(s.toks[k].text) + " ";
        x.arch.dsp.emplace(d.name, text);
      }
    }
  }
}

std::string non_eon_hint(const ExportFiles& f) {
  for (const auto& [path, _] : f.files) {
    if (path.rfind(f.root + "tflite-model/", 0) != 0) continue;
    if (ends_with(path, "tflite-trained.h") || (path.find("tflite_learn_") != std::string::npos && ends_with(path, ".h")))
      return f.origin + ": this export runs the TFLite interpreter (no *_compiled.cpp, model as a flatbuffer in " + path +
             "); eiota supports EON-compiled exports for now: re-export with the EON Compiler enabled";
  }
  return f.origin + ": no EON-compiled model (tflite-model/*_compiled.cpp) found";
}

}  // namespace

ModelExport analyze_export(ExportFiles files) {
  ModelExport x;
  x.files = std::move(files);
  const ExportFiles& f = x.files;
  x.patched = f.has(f.library + kManifestName) || f.has(f.root + kManifestName) ||
              f.has(f.root + kRuntimeDir + "eiota_update.h");
  if (x.patched)
    throw std::runtime_error(f.origin + ": already patched by eiota (it holds " + std::string(kManifestName) +
                             "); use the export as Edge Impulse wrote it");
  for (const auto& [path, _] : f.files)
    if (path.rfind(f.root + "tflite-model/", 0) == 0 && ends_with(path, "_compiled.cpp")) x.model_paths.push_back(path);
  if (x.model_paths.empty()) throw std::runtime_error(non_eon_hint(f));
  for (size_t b = 0; b < x.model_paths.size(); b++) {
    const std::string& p = x.model_paths[b];
    x.models.push_back(read_eon_model(f.origin + "/" + p, f.files.at(p)));
    x.arch.blocks.push_back(build_block(x.models.back(), (int)b, &x.regions));
  }
  read_impulse_config(x);
  x.fp = fingerprint(x.arch);
  return x;
}

ModelExport analyze_export(const std::string& path) { return analyze_export(load_export(path)); }

}  // namespace eiota::host
