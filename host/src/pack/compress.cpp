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
