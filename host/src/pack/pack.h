// The rules `eiota pack` applies: does a retrained export fit the deployed library, and which
// values, in which order, does its payload carry. A library call so that an update server can
// decide exactly as the command line does.
#pragma once

#include <string>
#include <vector>

#include "manifest.h"
#include "model_export.h"

namespace eiota::host {

struct PackPlan {
  std::vector<std::string> diff;   // why the retrain does not fit, one line each; empty when it does
  std::vector<std::string> notes;  // differences the deployed firmware cannot see
  std::vector<Region> regions;     // the deployed library's regions in its order, with the new values
  bool fits() const { return diff.empty(); }
};

// Compares `retrained` with the deployed library's manifest. Never throws for an incompatible
// export: every reason is a diff line (with sizes where sizes differ), and `regions` is then empty.
PackPlan plan_pack(const Manifest& deployed, const ModelExport& retrained);

// A region name with the project/impulse suffix a 2025-26 Studio adds to K-means arrays removed
// (`anomaly.ei_classifier_anom_scale_43_4` -> `anomaly.ei_classifier_anom_scale`), so regions
// of exports from different Studio versions match.
std::string region_key(const std::string& name);

}  // namespace eiota::host
