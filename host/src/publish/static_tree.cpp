#include "static_tree.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "names.h"

namespace fs = std::filesystem;

namespace eiota::host {
namespace {

[[noreturn]] void fail(const fs::path& p, const std::string& why) { throw std::runtime_error(p.string() + ": " + why); }

// What is at `p`, refusing anything a write could follow out of the tree.
fs::file_status status_no_links(const fs::path& p) {
  std::error_code ec;
  fs::file_status st = fs::symlink_status(p, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) fail(p, ec.message());
  if (fs::is_symlink(st)) fail(p, "is a symbolic link; publish writes only inside the tree, not through links");
  return st;
}

// A folder that exists, or will be created: never a link, never a file.
bool check_dir(const fs::path& p) {
  fs::file_status st = status_no_links(p);
  if (!fs::exists(st)) return false;
  if (!fs::is_directory(st)) fail(p, "exists and is not a folder");
  return true;
}

std::string read_regular(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) fail(p, std::strerror(errno));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void make_dir(const fs::path& p) {
  std::error_code ec;
  if (!fs::create_directory(p, ec) && ec) fail(p, "cannot create: " + ec.message());
}

void fsync_dir(const fs::path& p) {
  int fd = open(p.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

// Written to a new file beside `p` (a name servers are unlikely to be asked for), flushed,
// then renamed over `p`: a reader sees the old file or the new one, never a part.
// `newer_than_old`: the new file's modification time is made later, in whole seconds, than the
// file it replaces. Static servers derive the ETag from it (nginx: seconds and size), so two
// same-sized pointers written in one second would otherwise share an ETag, and a device that
// holds the first would get 304s for the second.
void write_replace(const fs::path& p, const std::string& data, bool newer_than_old = false) {
  struct stat old{};
  bool had_old = newer_than_old && stat(p.c_str(), &old) == 0;
  std::random_device rd;
  fs::path tmp = p.parent_path() / ("." + p.filename().string() + ".tmp-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) fail(tmp, std::string("cannot create: ") + std::strerror(errno));
  size_t done = 0;
  errno = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  int err = done == data.size() ? 0 : errno ? errno : EIO;
  struct stat now{};
  if (!err && had_old && fstat(fd, &now) == 0 && now.st_mtim.tv_sec <= old.st_mtim.tv_sec) {
    timespec t[2] = {{0, UTIME_NOW}, {old.st_mtim.tv_sec + 1, 0}};
    if (futimens(fd, t) != 0) err = errno;
  }
  if (!err && fsync(fd) != 0) err = errno;
  if (close(fd) != 0 && !err) err = errno;
  if (!err && rename(tmp.c_str(), p.c_str()) != 0) err = errno;
  if (err) {
    unlink(tmp.c_str());
    fail(p, std::string("cannot write: ") + std::strerror(err));
  }
  fsync_dir(p.parent_path());
}

}  // namespace

void check_name(const std::string& what, const std::string& name) {
  if (!valid_name(name))
    throw std::runtime_error(what + " '" + name + "' is not a name of 1-64 characters from [A-Za-z0-9._-] not starting with a dot");
}

std::string pointer_text(const DeliveryPayload& p) {
  return "eiota-pointer 1\nid " + p.id + "\nsequence " + std::to_string(p.sequence) + "\nsize " + std::to_string(p.size) +
         "\nsha256 " + p.sha256 + "\npayload payloads/" + p.sha256 + ".eiota\n";
}

long long pointer_sequence(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != "eiota-pointer 1") return -1;
  while (std::getline(in, line)) {
    if (line.rfind("sequence ", 0) != 0) continue;
    std::string v = line.substr(9);
    if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos) return -1;
    unsigned long long n = 0;
    for (char c : v) n = n * 10 + static_cast<unsigned>(c - '0');  // 19 digits fit in 64 bits
    return n > static_cast<unsigned long long>(INT64_MAX) ? -1 : static_cast<long long>(n);
  }
  return -1;
}

StaticPublish publish_static(const std::string& dir, const std::string& model, const std::string& channel,
                             const std::string& bytes, const std::string& payload_name, const Manifest& m) {
  check_name("model", model);
  check_name("channel", channel);
  if (channel == "payloads" || channel == "devices" || channel == "report")
    throw std::runtime_error("channel '" + channel + "' is reserved (docs/DELIVERY.md: it names one of the model's URLs)");
  StaticPublish r;
  r.payload = check_delivery_payload(bytes, m);
  if (!r.payload.ok) throw std::runtime_error(payload_name + ": refused, nothing published: " + r.payload.problem);

  // Everything is checked before anything is written, so a refusal leaves the tree as it was.
  fs::path root(dir), model_dir = root / model, payloads = model_dir / "payloads", channel_dir = model_dir / channel;
  fs::path payload_path = payloads / (r.payload.sha256 + ".eiota"), pointer_path = channel_dir / "pointer";
  r.payload_path = payload_path.string();
  r.pointer_path = pointer_path.string();
  bool have_root = check_dir(root), have_model = have_root && check_dir(model_dir);
  bool have_payloads = have_model && check_dir(payloads), have_channel = have_model && check_dir(channel_dir);
  if (have_payloads) {
    fs::file_status st = status_no_links(payload_path);
    if (fs::exists(st)) {
      if (!fs::is_regular_file(st)) fail(payload_path, "exists and is not a file");
      std::string sha = sha256_hex(read_regular(payload_path));
      if (sha != r.payload.sha256)
        fail(payload_path, "exists with other content (sha256 " + sha + "); payloads never change once written: remove the damaged file");
    } else {
      r.payload_written = true;
    }
  } else {
    r.payload_written = true;
  }
  std::string text = pointer_text(r.payload);
  r.pointer_written = true;
  if (have_channel) {
    fs::file_status st = status_no_links(pointer_path);
    if (fs::exists(st)) {
      if (!fs::is_regular_file(st)) fail(pointer_path, "exists and is not a file");
      r.pointer_existed = true;
      std::string old = read_regular(pointer_path);
      long long seq = pointer_sequence(old);
      if (old == text) r.pointer_written = false;
      else if (seq >= 0 && static_cast<unsigned long long>(seq) >= r.payload.sequence)
        fail(pointer_path, "names sequence " + std::to_string(seq) + ", not lower than " + payload_name + "'s " +
                               std::to_string(r.payload.sequence) + "; devices that applied it refuse " +
                               (static_cast<unsigned long long>(seq) == r.payload.sequence ? "another payload under that number" : "a lower one") +
                               ": pack with a higher --sequence");
    }
  }

  if (!have_root) {
    std::error_code ec;
    fs::create_directories(root, ec);
    if (ec) fail(root, "cannot create: " + ec.message());
  }
  if (!have_model) make_dir(model_dir);
  if (!have_payloads) make_dir(payloads);
  if (!have_channel) make_dir(channel_dir);
  // The payload first: a pointer never names a file that is not there.
  if (r.payload_written) write_replace(payload_path, bytes);
  if (r.pointer_written) write_replace(pointer_path, text, true);
  return r;
}

}  // namespace eiota::host
