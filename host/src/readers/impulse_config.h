// What the SDK reads outside the model files: the impulse settings of model_metadata.h and the
// DSP block configs of model_variables.h. Both are read by name, so exports of different SDK
// versions compare field by field, and what only one side has is told apart from a real change.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "export_files.h"

namespace eiota::host {

struct Arch;

// Studio 1.74 (Aug 2025) adds the project id to generated names (ei_dsp_config_44_12 for block 12
// of project 44); compare under the older names so a newer Studio's export still matches.
std::string without_project(std::string text, const std::string& project);

// A 2025-26 Studio also suffixes K-means arrays with the project and impulse ids
// (ei_classifier_anom_scale_43_4 for ei_classifier_anom_scale): every such name in `text` loses
// the suffix. Needs no project id, so names a deployed manifest recorded compare too.
std::string without_kmeans_suffix(std::string text);

// The fields of `typedef struct { ... } type;` as (type, name) pairs, in order, from the export's
// model-parameters/ or SDK headers; empty when the struct is not found.
std::vector<std::pair<std::string, std::string>> struct_fields(const ExportFiles& f, const std::string& type);

// A DSP config initialiser as "name=value; name=value" when its struct is known, else its items
// joined by ", ". Values are as written.
std::string dsp_config_text(const std::vector<std::pair<std::string, std::string>>& fields,
                            const std::vector<std::string>& values);

// The EI_CLASSIFIER_* settings of model_metadata.h, minus those every deployment or Studio
// version changes (project id and name, deploy version, Studio version) and the quantization
// macros, which are regions. A value naming another macro of the file is resolved:
// "0 (from EI_X)". A definition outside any #if wins over those inside one (a build variant
// such as EI_CLASSIFIER_USE_FULL_TFLITE redefines it); a macro only defined inside #ifs keeps
// its values joined by " | ".
std::map<std::string, std::string> read_settings(std::string_view metadata);

// Compares what the SDK reads outside the model. A difference the deployed firmware would act on
// goes to `refusals`; one it cannot see (a setting or DSP field only one SDK version has, an EON
// arena or a setting only the interpreter reads, a constant of the SDK's vocabulary, a switch the
// deployed settings already imply) goes to `notes`. docs/COMPATIBILITY.md lists the rules.
void diff_impulse(const Arch& base, const Arch& next, std::vector<std::string>& refusals, std::vector<std::string>& notes);

}  // namespace eiota::host
