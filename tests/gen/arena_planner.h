// Places the non-constant tensors of a model in one tensor arena.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model.h"

namespace fixturegen {

struct ArenaPlan {
  std::vector<int64_t> offset;  // per tensor; -1 for constants
  size_t size = 0;              // bytes, a multiple of 16
};

// Greedy first-fit by decreasing size: tensors whose lifetimes (first to last
// operator touching them; graph inputs from the start, outputs to the end)
// overlap never share bytes. Offsets are 16-byte aligned. Depends only on
// shapes, dtypes and the graph, so a retrain keeps the plan.
ArenaPlan plan_arena(const Model& model);

}  // namespace fixturegen
