// `eiota pack --selftest`: the samples file, the retrained export's outputs for them (built and
// run on the host as `eiota simulate` builds it, through the device's own glue
// device/eiota_selftest_ei.h), and the self-test block (docs/FORMAT.md) that carries both.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model_arch.h"

namespace eiota::host {

using Sample = std::vector<float>;

// An impulse setting of model_metadata.h as a number (a literal or a product of settings), -1
// when it is not plain: EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE is the raw features per sample.
int64_t arch_setting(const Arch& a, const std::string& name);

// One sample per non-blank line, numbers separated by commas or whitespace. Throws naming the
// file and line. With `want` > 0 every sample must have `want` numbers.
std::vector<Sample> read_selftest_samples(const std::string& path, int64_t want);

// Parses a tolerance: a finite number >= 0. Throws naming `what`.
float parse_tolerance(const std::string& text, const std::string& what);

// Builds `export_path` in `cache` and runs every sample through it: the outputs a device's
// eiota_selftest_ei_infer gives for each, in order. Throws naming the export.
std::vector<Sample> selftest_outputs(const std::string& export_path, const std::vector<Sample>& samples,
                                     const std::string& cache);

// The block: header, then each sample's inputs and expected outputs. Throws when counts differ
// between samples or the block would not fit in 32 bits.
std::string selftest_block(const std::vector<Sample>& inputs, const std::vector<Sample>& outputs, float tolerance);

}  // namespace eiota::host
