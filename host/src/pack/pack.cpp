#include "pack.h"

#include <algorithm>

#include "eiota_format.h"
#include "impulse_config.h"
#include "payload.h"

namespace eiota::host {
namespace {

// What a region is, in the user's terms: "the weights of tensor 3 (tensorData[5])",
// "K-means ei_classifier_anom_scale".
std::string what(const Region& r, bool interpreter) {
  std::string tensor = "tensor " + std::to_string(r.tensor) + " (" +
                       (interpreter ? "TFLite tensor " + std::to_string(r.export_tensor)
                                    : "tensorData[" + std::to_string(r.export_tensor) + "]") + ")";
  std::string block = r.block > 0 ? "block " + std::to_string(r.block) + " " : "";
  std::string name = r.name.substr(r.name.find('.') + 1);
  switch (r.kind) {
    case Region::kData: return "the values of " + block + tensor;
    case Region::kScale: return "the quantization scales of " + block + tensor;
    case Region::kZero: return "the zero points of " + block + tensor;
    case Region::kConfig: return "result config " + name;
    case Region::kMacro: return "the macro " + name;
    case Region::kModel: return "the " + block + "model";
    case Region::kModelLength: return "the " + block + "model length";
    case Region::kScaler: return "data normalization " + name;
    default: return "K-means " + name;
  }
}

std::string count_of(const Region& r) {
  return std::to_string(r.count) + " " + elem_type_name(r.elem_type) + (r.count == 1 ? " value" : " values");
}

// The retrained export's values for one region of the deployed library, or a diff line.
bool match_region(const Region& want, const ModelExport& x, bool interpreter, Region* out, std::string* why) {
  std::string key = region_key(want.name);
  auto it = std::find_if(x.regions.begin(), x.regions.end(), [&](const Region& r) { return region_key(r.name) == key; });
  if (it == x.regions.end()) {
    *why = what(want, interpreter) + ": the deployed library replaces " + count_of(want) + ", the new export has none";
    return false;
  }
  Region r = *it;
  r.name = want.name;  // the deployed library's name, as its manifest and tables spell it
  if (r.kind == Region::kModel) {
    if (r.count > want.count) {
      *why = what(want, interpreter) + " is " + std::to_string(r.count) + " bytes, the deployed library reserved " +
             std::to_string(want.count) + " (" + std::to_string(r.count - want.count) +
             " too many; eiota patch --reserve sets the room)";
      return false;
    }
    // A whole non-EON model: only its bytes travel; the device clears the rest of the reserved
    // room (EIOTA_REGION_PREFIX, docs/FORMAT.md).
  }
  if ((r.kind != Region::kModel && r.count != want.count) || r.elem_type != want.elem_type) {
    *why = what(want, interpreter) + ": " + count_of(want) + " deployed, " + count_of(r) + " new";
    return false;
  }
  *out = std::move(r);
  return true;
}

}  // namespace

std::string region_key(const std::string& name) { return without_kmeans_suffix(name); }

PackPlan plan_pack(const Manifest& deployed, const ModelExport& retrained) {
  PackPlan plan;
  plan.diff = arch_diff(deployed.arch, retrained.arch, &plan.notes);
  if (deployed.regions.empty()) plan.diff.push_back("the deployed library replaces no values, so there is nothing to pack");
  // The payload carries exactly the deployed library's regions, in its order; a newer SDK's
  // extra values (e.g. result configs the deployed SDK does not read) are left out.
  for (const Region& want : deployed.regions) {
    Region r;
    std::string why;
    if (match_region(want, retrained, deployed.arch.interpreter, &r, &why)) plan.regions.push_back(std::move(r));
    else if (std::find(plan.diff.begin(), plan.diff.end(), why) == plan.diff.end()) plan.diff.push_back(why);
  }
  if (!plan.fits()) plan.regions.clear();
  return plan;
}

}  // namespace eiota::host
