// What compression and a compact region table would save on real payloads (docs/PERFORMANCE.md,
// "Smaller payloads"). Not a test: a probe, run by hand on payloads packed from real exports.
//
//   eiota_payload_compress [--manifest eiota-manifest.json] PAYLOAD...
//
// For each payload: its parts (header and signature, table, values by kind), raw DEFLATE at
// level 9 of each part and of the whole payload with a 32 KB window and a 1 KB one, and each
// region deflated on its own (what a decoder inflating into the region's own destination could
// use, a region kept raw when deflate does not shrink it).
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "payload.h"

namespace {

size_t deflated(const std::string& in, int window_bits) {
  if (in.empty()) return 0;
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, -window_bits, 9, Z_DEFAULT_STRATEGY) != Z_OK) throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  size_t n = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
  return n;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(path + ": cannot open");
  return {std::istreambuf_iterator<char>(f), {}};
}

void row(const char* what, const std::string& bytes, size_t payload_size) {
  if (bytes.empty()) return;
  size_t z15 = deflated(bytes, 15), z10 = deflated(bytes, 10);
  std::printf("  %-34s %9zu B (%5.1f%%)  deflate %9zu (%.3f)  1 KB window %9zu (%.3f)\n", what, bytes.size(),
              100.0 * bytes.size() / payload_size, z15, double(z15) / bytes.size(), z10, double(z10) / bytes.size());
}

}  // namespace

int main(int argc, char** argv) try {
  std::map<uint32_t, std::string> kind_of;  // region index -> manifest kind
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--manifest" && i + 1 < argc) {
      auto j = nlohmann::json::parse(read_file(argv[++i]));
      for (const auto& r : j.at("regions")) kind_of[r.at("index").get<uint32_t>()] = r.at("kind").get<std::string>();
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: eiota_payload_compress [--manifest eiota-manifest.json] PAYLOAD...\n");
    return 2;
  }
  for (const auto& path : files) {
    std::string p = read_file(path);
    auto info = eiota::host::read_payload(p, nullptr);
    if (!info.problems.empty() || !info.hash_checked) throw std::runtime_error(path + ": not a whole, well-formed payload");
    size_t table_at = info.header.header_len + EIOTA_SIGNATURE_LEN;
    std::map<std::string, std::string> by_kind;
    size_t per_region = 0, at = info.data_offset;
    for (const auto& e : info.entries) {
      std::string v = p.substr(at, e.stored_len);
      at += e.stored_len;
      std::string kind = e.elem_type == EIOTA_INT8 || e.elem_type == EIOTA_UINT8 ? "int8/uint8 values" : "wider values";
      if (auto k = kind_of.find(e.region); k != kind_of.end()) kind = k->second + " (" + eiota::host::elem_type_name(e.elem_type) + ")";
      by_kind[kind] += v;
      size_t z = deflated(v, 15);
      per_region += z < v.size() ? z : v.size();
    }
    size_t data_len = info.header.data_len;
    std::printf("%s: %zu B, %zu regions\n", path.c_str(), p.size(), info.entries.size());
    row("header + signature", p.substr(0, table_at), p.size());
    row("region table", p.substr(table_at, info.data_offset - table_at), p.size());
    for (const auto& [k, v] : by_kind) row(k.c_str(), v, p.size());
    row("whole payload", p, p.size());
    std::printf("  each region deflated alone: data %zu -> %zu B (%.3f), payload %.1f%% smaller\n", data_len, per_region,
                double(per_region) / data_len, 100.0 * (data_len - per_region) / p.size());
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "eiota_payload_compress: %s\n", e.what());
  return 1;
}
