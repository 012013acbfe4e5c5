#include "compress.h"

#include <zlib.h>

#include <stdexcept>

#include "eiota_format.h"
#include "payload.h"

namespace eiota::host {

std::string deflate_raw(const uint8_t* data, size_t len) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK) throw std::runtime_error("zlib: deflateInit2 failed");
  std::string out(deflateBound(&z, len), '\0');
  z.next_in = const_cast<Bytef*>(data);
  z.avail_in = static_cast<uInt>(len);
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib: deflate did not finish");
  return out;
}

std::string inflate_entry(const uint8_t* in, size_t len, uint64_t want, const std::function<void(const uint8_t*, size_t)>& out) {
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) throw std::runtime_error("zlib: inflateInit2 failed");
  z.next_in = const_cast<Bytef*>(in);
  z.avail_in = static_cast<uInt>(len);
  uint8_t buf[16384];
  uint64_t got = 0;
  std::string problem;
  for (;;) {
    z.next_out = buf;
    z.avail_out = sizeof buf;
    int rc = inflate(&z, Z_NO_FLUSH);
    size_t n = sizeof buf - z.avail_out;
    if (n > want - got) {
      problem = "decodes to more than " + std::to_string(want) + " bytes";
      break;
    }
    if (n) out(buf, n);
    got += n;
    if (rc == Z_STREAM_END) break;
    if (rc == Z_DATA_ERROR) {
      problem = "malformed DEFLATE stream at byte " + std::to_string(z.total_in) + " of it (zlib: " + (z.msg ? z.msg : "data error") + ")";
      break;
    }
    if (rc == Z_BUF_ERROR || (rc == Z_OK && z.avail_in == 0 && n == 0)) {
      problem = "the stream does not end within its stored_len " + std::to_string(len) + " bytes (" + std::to_string(got) +
                " bytes decoded)";
      break;
    }
    if (rc != Z_OK) {
      problem = "zlib inflate error " + std::to_string(rc);
      break;
    }
  }
  if (problem.empty() && got != want)
    problem = "decodes to " + std::to_string(got) + " bytes, not " + std::to_string(want);
  else if (problem.empty() && z.avail_in != 0)
    problem = "the stream ends after " + std::to_string(z.total_in) + " bytes, stored_len says " + std::to_string(len);
  inflateEnd(&z);
  return problem;
}

std::string deflate_payload(const std::string& plain, const SecretKey& key) {
  PayloadInfo p = read_payload(plain, nullptr);
  if (!p.problems.empty()) throw std::runtime_error("cannot compress a malformed payload: " + p.problems.front());
  if (p.header.flags & EIOTA_FLAG_DEFLATE) throw std::runtime_error("the payload is compressed already");
  if (plain.size() != p.data_offset + p.header.data_len) throw std::runtime_error("cannot compress a truncated payload");
  std::string table, data;
  size_t at = p.data_offset;
  for (eiota::Entry e : p.entries) {
    std::string stream = deflate_raw(reinterpret_cast<const uint8_t*>(plain.data()) + at, e.stored_len);
    at += e.stored_len;
    e.encoding = eiota::kDeflate;
    e.stored_len = static_cast<uint32_t>(stream.size());
    uint8_t raw[eiota::kEntryLen];
    eiota::encode_entry(e, raw);
    table.append(reinterpret_cast<const char*>(raw), sizeof raw);
    data += stream;
  }
  data.append(plain, at, p.header.extra_len);
  if (data.size() > UINT32_MAX) throw std::runtime_error("compressed data section over 4 GB");
  std::string head = plain.substr(0, p.header.header_len);
  uint8_t* h = reinterpret_cast<uint8_t*>(head.data());
  h[5] = EIOTA_FORMAT_MINOR_DEFLATE;
  eiota::put_u32(h + 12, static_cast<uint32_t>(data.size()));
  eiota::put_u32(h + 44, p.header.flags | EIOTA_FLAG_DEFLATE);
  return signed_payload(head, table, data, key);
}

}  // namespace eiota::host
