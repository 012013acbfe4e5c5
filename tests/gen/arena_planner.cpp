#include "arena_planner.h"

#include <algorithm>
#include <numeric>

namespace fixturegen {
namespace {

size_t align16(size_t v) { return (v + 15) & ~size_t(15); }

// Bytes a tensor takes in the arena; never 0, so every tensor has an address.
size_t footprint(const Tensor& t) { return align16(std::max<size_t>(t.byte_size(), 1)); }

}  // namespace

ArenaPlan plan_arena(const Model& model) {
  const size_t n = model.tensors.size();
  const int last_op = static_cast<int>(model.operators.size());
  std::vector<int> first(n, last_op + 1), last(n, -1);
  auto touch = [&](int t, int step) {
    if (t < 0) return;
    first[t] = std::min(first[t], step);
    last[t] = std::max(last[t], step);
  };
  for (int k = 0; k < last_op; ++k) {
    for (int t : model.operators[k].inputs) touch(t, k);
    for (int t : model.operators[k].outputs) touch(t, k);
  }
  for (int t : model.inputs) touch(t, 0);
  for (int t : model.outputs) touch(t, last_op);

  ArenaPlan plan;
  plan.offset.assign(n, -1);
  std::vector<int> order;
  for (size_t i = 0; i < n; ++i) {
    if (model.tensors[i].is_constant()) continue;
    if (last[i] < 0) {  // never used: give it the whole run
      first[i] = 0;
      last[i] = last_op;
    }
    order.push_back(static_cast<int>(i));
  }
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return model.tensors[a].byte_size() > model.tensors[b].byte_size();
  });

  std::vector<int> placed;
  for (int t : order) {
    const size_t size = footprint(model.tensors[t]);
    std::vector<std::pair<size_t, size_t>> busy;  // [start, end) of live neighbours
    for (int p : placed)
      if (first[p] <= last[t] && first[t] <= last[p])
        busy.emplace_back(size_t(plan.offset[p]), size_t(plan.offset[p]) + footprint(model.tensors[p]));
    std::sort(busy.begin(), busy.end());
    size_t candidate = 0;
    for (const auto& [start, end] : busy) {
      if (candidate + size <= start) break;
      candidate = std::max(candidate, end);
    }
    plan.offset[t] = static_cast<int64_t>(candidate);
    plan.size = std::max(plan.size, candidate + size);
    placed.push_back(t);
  }
  plan.size = align16(std::max<size_t>(plan.size, 16));
  return plan;
}

}  // namespace fixturegen
