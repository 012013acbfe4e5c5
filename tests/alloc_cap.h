// Included by exactly one file of a test binary: every C++ allocation above kAllocCap throws
// std::bad_alloc, so code that sizes a buffer from a size it merely read fails the test (a
// runtime_error is what a refusal looks like) instead of taking the machine's memory.
#pragma once

#include <cstdlib>
#include <new>

inline constexpr std::size_t kAllocCap = std::size_t(1) << 30;

namespace alloc_cap_detail {
inline void* allocate(std::size_t n) {
  if (n > kAllocCap) throw std::bad_alloc();
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
}  // namespace alloc_cap_detail

void* operator new(std::size_t n) { return alloc_cap_detail::allocate(n); }
void* operator new[](std::size_t n) { return alloc_cap_detail::allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return n > kAllocCap ? nullptr : std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return n > kAllocCap ? nullptr : std::malloc(n ? n : 1);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
