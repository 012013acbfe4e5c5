// eiota simulator: runs an export (patched or not) on the host. Built by scripts/build-sim.sh
// from the export's own sources.
//   sim [--store DIR] [--payload p.eiota] [--selftest] [--confirm] [--restore] [--features f.csv] [--regions]
// --store DIR: the device keeps its model in slots (files in DIR, memory-mapped like a
// microcontroller's flash): each run is a boot (eiota_store_attach), an update lands in a slot on
// trial, --selftest runs the payload's self-test and confirms or reverts, --confirm confirms.
// "store:" lines say what serves.
//   sim [--store DIR] --server URL --model M [--channel C] [--device-id ID] [--net-attempts K]
//       [--net-timeout MS] [--net-drop-after N] [--report RESULT]
// --server: after the other options, the device checks for an update over HTTP and applies it
// (eiota_client_run: pointer, payload with resume, verify, activate, report) and prints one line
//   ota: <applied|current|failed <code> <message>> id=<payload id> status=<http status> body_bytes=<n>
// (body_bytes: payload bytes received over the network). --net-drop-after N: the connection of the
// first download attempt drops once N body bytes arrived (up to one 512-byte receive more), as a
// lost link would; the client resumes with Range. --report RESULT: send only a report (running and
// target: the payload running), printed as "ota: report <result> status=<http status>". With
// --selftest, a decided self-test is reported (confirmed or reverted) instead of a check.
//   sim --selftest-samples samples.txt
// Prints the raw bytes of every learn block's output tensors as each invoke left them ("raw" lines,
// captured by the units `eiota simulate` generates around the invokes), then run_classifier's
// results with their exact float bits, so two builds can be compared.
// --selftest-samples runs each line's features (one sample a line) and prints the self-test
// outputs eiota_selftest_ei.h gives a device for them: "selftest-shape <inputs> <outputs>", then
// per sample "selftest <n> <error> <float bits in hex, comma-separated>" (what pack --selftest embeds).
// Exit: 0 ok, 1 run_classifier failed, 2 input error (bad arguments, features, files), 3 the
// device refused a payload, a self-test failed or reverted, a confirm was refused, or an update
// over --server failed or its --report was not delivered (the outputs
// are still printed: what the device runs after that).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include <map>
#include <string>
#include <vector>

#include "edge-impulse-sdk/classifier/ei_run_classifier.h"
#include "eiota_rt/eiota_selftest_ei.h"  // written beside this file by eiota simulate
#if defined(EIOTA_SIM_PATCHED)
#include "eiota/eiota_update.h"
#if __has_include("eiota/eiota_store.h")  // libraries patched before slots have no store
#define EIOTA_SIM_STORE 1
#include <sys/mman.h>
#include <sys/stat.h>

#include "eiota/eiota_file_flash.h"
#include "eiota/eiota_store.h"
#endif
#if __has_include("eiota/eiota_client.h")  // libraries patched before delivery have no client
#define EIOTA_SIM_CLIENT 1
#include "eiota/eiota_client.h"
#include "eiota/eiota_posix_transport.h"
#endif
#endif

namespace {

bool g_refused = false;  // an update, self-test or confirm did not succeed: exit 3

uint32_t bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

struct Captured {
  int block, output;
  int type;
  std::vector<int> dims;
  std::vector<uint8_t> bytes;
};
std::vector<Captured>& captured() {
  static std::vector<Captured> c;
  return c;
}

const char* type_name(int t) {
  switch (t) {
    case 1: return "float32";
    case 2: return "int32";
    case 3: return "uint8";
    case 4: return "int64";
    case 7: return "int16";
    case 9: return "int8";
    case 10: return "float16";
    default: return nullptr;
  }
}

void push_token(std::vector<float>& v, std::string& tok, const char* path) {
  if (tok.empty()) return;
  char* end = nullptr;
  float x = strtof(tok.c_str(), &end);
  if (end == tok.c_str() || *end) {
    fprintf(stderr, "sim: input error: %s: '%s' is not a number\n", path, tok.c_str());
    exit(2);
  }
  v.push_back(x);
  tok.clear();
}

std::vector<float> read_features(const char* path) {
  std::vector<float> v;
  FILE* f = fopen(path, "r");
  if (!f) { fprintf(stderr, "sim: input error: cannot open %s\n", path); exit(2); }
  std::string tok;
  int c;
  while ((c = fgetc(f)) != EOF) {
    if (c == ',' || c == '\n' || c == '\r' || c == ' ' || c == '\t') push_token(v, tok, path);
    else tok += (char)c;
  }
  push_token(v, tok, path);
  fclose(f);
  return v;
}

// Deterministic features: a gray gradient for image models, a mixture of tones otherwise.
std::vector<float> generated_features() {
  std::vector<float> v(EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE);
  for (size_t i = 0; i < v.size(); i++) {
#if defined(EI_CLASSIFIER_INPUT_WIDTH) && EI_CLASSIFIER_INPUT_WIDTH > 0
    uint32_t g = (uint32_t)((i * 7 + (i / EI_CLASSIFIER_INPUT_WIDTH) * 3) % 256);
    v[i] = (float)((g << 16) | (g << 8) | g);
#else
    v[i] = (float)(((i * 7919) % 2001) / 1000.0 - 1.0);
#endif
  }
  return v;
}

#if defined(EIOTA_SIM_PATCHED)
int read_file(void* ctx, uint8_t* buf, uint32_t max) {
  FILE* f = static_cast<FILE*>(ctx);
  if (max == 0) {
    int c = fgetc(f);
    if (c == EOF) return 0;
    ungetc(c, f);
    return 1;
  }
  return (int)fread(buf, 1, max, f);
}

int apply_payload(const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "sim: input error: cannot open %s\n", path); return 2; }
  static eiota_update u;
  int err = eiota_update_pull(&u, &eiota_default_model, read_file, f);
  fclose(f);
  printf("apply %s: %s\n", path, eiota_strerror(err));
  if (err != EIOTA_OK) g_refused = true;
  return err == EIOTA_OK ? 0 : 1;
}

#if defined(EIOTA_SIM_STORE)
struct SimStore {
  eiota_file_flash files[3];
  eiota_store_config cfg;
  eiota_store store;
  eiota_store_report report;
};
SimStore g_store;

const char* slot_name(int slot) { return slot == EIOTA_SLOT_A ? "slot A" : slot == EIOTA_SLOT_B ? "slot B" : "factory"; }

void print_store(const char* when) {
  const eiota_journal_status* j = eiota_store_status(&eiota_default_model);
  if (!j) return;
  printf("store: %s: %s serves (sequence %llu)%s, confirmed %s, floor %llu\n", when, slot_name(j->active),
         (unsigned long long)j->slot_sequence[j->active], j->trial ? ", on trial" : "", slot_name(j->confirmed),
         (unsigned long long)j->floor);
}

// Three files: the journal's two 4 KiB blocks and two slots, room for the model and a self-test.
int attach_store(const std::string& dir) {
  mkdir(dir.c_str(), 0755);
  const eiota_model* m = &eiota_default_model;
  const eiota_region* last = eiota_model_region(m, m->region_count - 1);
  uint64_t need = (uint64_t)last->slot_offset + eiota_region_size(last) + (1u << 20);
  uint32_t slot = (uint32_t)((need + 4095) / 4096 * 4096);
  const char* names[3] = {"journal.bin", "slot-a.bin", "slot-b.bin"};
  for (int i = 0; i < 3; i++) {
    std::string path = dir + "/" + names[i];
    errno = 0;
    if (eiota_file_flash_open(&g_store.files[i], path.c_str(), i == 0 ? 8192 : slot, 4096, 4, 0xFF) != EIOTA_OK) {
      fprintf(stderr, "sim: input error: cannot open %s: %s\n", path.c_str(), errno ? strerror(errno) : "not a usable file");
      return 2;
    }
    if (i > 0) {  // read in place, as from a microcontroller's memory-mapped flash
      void* p = mmap(NULL, slot, PROT_READ, MAP_SHARED, fileno(g_store.files[i].file), 0);
      if (p == MAP_FAILED) { fprintf(stderr, "sim: cannot map %s\n", path.c_str()); return 2; }
      g_store.files[i].flash.mapped = (const uint8_t*)p;
    }
  }
  g_store.cfg = {&g_store.files[0].flash, 0, {&g_store.files[1].flash, &g_store.files[2].flash}, 3, NULL, NULL, NULL};
  int err = eiota_store_attach(m, &g_store.store, &g_store.cfg, &g_store.report);
  if (err != EIOTA_OK) {
    printf("store: attach: %s\n", eiota_strerror(err));
    return 1;
  }
  for (int s = EIOTA_SLOT_A; s <= EIOTA_SLOT_B; s++)
    if (g_store.report.rejected & (1u << s))
      printf("store: boot: %s failed re-validation (%s), never served again\n", slot_name(s),
             eiota_strerror(g_store.report.reject_error[s]));
  if (g_store.report.reverted) printf("store: boot: the trial was not confirmed in time: reverted\n");
  if (g_store.report.journal_blank) printf("store: boot: the journal holds no record: a new device (anti-rollback floor 0)\n");
  print_store("boot");
  return 0;
}

#if defined(EIOTA_SIM_CLIENT)
// What a --selftest decided, for --server to report: NULL nothing, else "confirmed" or "reverted".
const char* g_selftest_verdict = nullptr;
char g_selftest_target[EIOTA_PAYLOAD_ID_MAX];
#endif

void run_store_selftest() {
  eiota_selftest_report r;
#if defined(EIOTA_SIM_CLIENT)
  char target[EIOTA_PAYLOAD_ID_MAX];
  eiota_model_ready(&eiota_default_model);
  eiota_client_running_id(&eiota_default_model, target);
#endif
  int err = eiota_store_selftest(&eiota_default_model, eiota_selftest_ei_infer, NULL, &r);
#if defined(EIOTA_SIM_CLIENT)
  if (err == EIOTA_OK || err == EIOTA_ERR_SELFTEST_FAILED) {
    g_selftest_verdict = err == EIOTA_OK ? "confirmed" : "reverted";
    memcpy(g_selftest_target, target, sizeof target);
  }
#endif
  if (err == EIOTA_OK) {
    printf("store: self-test: %u samples, every output as expected: confirmed\n", (unsigned)r.samples_run);
  } else if (err == EIOTA_ERR_SELFTEST_FAILED) {
    printf("store: self-test: %u mismatches (first: sample %u output %u, expected %.9g got %.9g): reverted\n",
           (unsigned)r.mismatches, (unsigned)r.fail_sample, (unsigned)r.fail_output, r.expected, r.got);
  } else {
    printf("store: self-test: %s\n", err == EIOTA_ERR_SELFTEST_BLOCK ? "this payload carries no self-test: confirm it with --confirm" : eiota_strerror(err));
  }
  if (err != EIOTA_OK) g_refused = true;
  print_store("now");
}
#else
void print_store(const char*) {}
#endif

void print_regions() {
  const eiota_model* m = &eiota_default_model;
  eiota_model_ready(m);
  for (uint32_t i = 0; i < m->region_count; i++) {
    const eiota_region* r = eiota_model_region(m, i);
    size_t n = r->count * eiota::elem_size(r->elem_type);
    eiota_sha256 h;
    uint8_t d[32];
    eiota_sha256_init(&h);
    eiota_sha256_update(&h, (const uint8_t*)eiota_region_values(m, i), n);  // working copy, or read in place
    eiota_sha256_final(&h, d);
    printf("region %u working ", (unsigned)i);
    for (int k = 0; k < 8; k++) printf("%02x", d[k]);
    eiota_sha256_init(&h);
    eiota_sha256_update(&h, (const uint8_t*)r->factory, n);
    eiota_sha256_final(&h, d);
    printf(" factory ");
    for (int k = 0; k < 8; k++) printf("%02x", d[k]);
    printf("\n");
  }
}
#endif

#if defined(EIOTA_SIM_CLIENT)
// --server and its options.
struct Ota {
  std::string server, model, channel = "stable", device_id = "sim-device", report;
  long attempts = 3, timeout_ms = 10000, drop_after = -1;
};
Ota g_ota;

// The POSIX transport, with a lost link on demand: once `cut` is set, receives fail until the
// next connect (the client then resumes on a new connection).
struct SimNet {
  eiota_posix_socket sock;
  eiota_transport inner;
  bool drop = false;      // --net-drop-after given
  uint32_t drop_after = 0;
  bool dropped = false;   // it happened: only the first download attempt loses its link
  bool cut = false;       // this connection is lost
};
SimNet g_net;

int net_connect(void* ctx, const char* host, uint16_t port, uint32_t timeout_ms) {
  SimNet* n = static_cast<SimNet*>(ctx);
  n->cut = false;
  return n->inner.connect(n->inner.ctx, host, port, timeout_ms);
}
int net_send(void* ctx, const uint8_t* data, size_t len, uint32_t timeout_ms) {
  SimNet* n = static_cast<SimNet*>(ctx);
  return n->inner.send(n->inner.ctx, data, len, timeout_ms);
}
int net_recv(void* ctx, uint8_t* buf, size_t cap, uint32_t timeout_ms) {
  SimNet* n = static_cast<SimNet*>(ctx);
  if (n->cut) return EIOTA_ERR_NET;
  return n->inner.recv(n->inner.ctx, buf, cap, timeout_ms);
}
void net_close(void* ctx) {
  SimNet* n = static_cast<SimNet*>(ctx);
  n->inner.close(n->inner.ctx);
}

void on_progress(void* ctx, uint32_t bytes, uint32_t) {
  SimNet* n = static_cast<SimNet*>(ctx);
  if (n->drop && !n->dropped && bytes >= n->drop_after) {
    n->cut = true;
    n->dropped = true;
  }
}

bool parse_count(const char* flag, const char* v, long min, long* out) {
  char* end = nullptr;
  errno = 0;
  long x = strtol(v, &end, 10);
  if (end == v || *end || errno || x < min || x > 0x7FFFFFFFL) {
    fprintf(stderr, "sim: input error: %s takes a whole number >= %ld, not '%s'\n", flag, min, v);
    return false;
  }
  *out = x;
  return true;
}

// Runs what --server asks for; returns 2 for an input error, else 0 (a failure sets g_refused).
int run_ota() {
  static eiota_transport t;
  static eiota_client c;
  static eiota_update u;
  static eiota_client_config cfg;
  if (g_ota.model.empty()) {
    fprintf(stderr, "sim: input error: --server needs --model\n");
    return 2;
  }
  eiota_posix_transport_init(&g_net.sock, &g_net.inner);
  g_net.drop = g_ota.drop_after >= 0;
  g_net.drop_after = g_net.drop ? (uint32_t)g_ota.drop_after : 0;
  t = {&g_net, net_connect, net_send, net_recv, net_close};
  cfg = {&t, g_ota.server.c_str(), g_ota.model.c_str(), g_ota.channel.c_str(), g_ota.device_id.c_str(),
         (uint32_t)g_ota.timeout_ms, (uint8_t)(g_ota.attempts > 255 ? 255 : g_ota.attempts), on_progress, &g_net};
  int err = eiota_client_init(&c, &cfg);
  if (err != EIOTA_OK) {
    fprintf(stderr, "sim: input error: --server %s, --model, --channel or --device-id: %s\n", g_ota.server.c_str(), eiota_strerror(err));
    return 2;
  }
  const char* report = !g_ota.report.empty() ? g_ota.report.c_str() : g_selftest_verdict;
  if (report != NULL) {
    eiota_model_ready(&eiota_default_model);  // a revert serves the confirmed slot from here
    char running[EIOTA_PAYLOAD_ID_MAX];
    eiota_client_running_id(&eiota_default_model, running);
    const char* target = g_ota.report.empty() ? g_selftest_target : running;
    err = eiota_client_report(&c, report, running, target, 0);
    if (err == EIOTA_OK) {
      printf("ota: report %s status=%u\n", report, (unsigned)c.report_status);
    } else {
      printf("ota: report %s failed %d %s status=%u\n", report, err, eiota_strerror(err), (unsigned)c.report_status);
      g_refused = true;
    }
    return 0;
  }
  char running[EIOTA_PAYLOAD_ID_MAX];
  eiota_client_running_id(&eiota_default_model, running);
  int r = eiota_client_run(&c, &eiota_default_model, &u);
  const char* id = c.has_pointer ? c.pointer.id : running;
  if (r == EIOTA_CLIENT_APPLIED) {
    printf("ota: applied id=%s status=%u body_bytes=%u\n", id, (unsigned)c.status, (unsigned)c.body_bytes);
    print_store("applied");
  } else if (r == EIOTA_CLIENT_CURRENT) {
    printf("ota: current id=%s status=%u body_bytes=%u\n", running, (unsigned)c.status, (unsigned)c.body_bytes);
  } else {
    printf("ota: failed %d %s id=%s status=%u body_bytes=%u\n", r, eiota_strerror(r), id, (unsigned)c.status,
           (unsigned)c.body_bytes);
    g_refused = true;
  }
  return 0;
}
#endif

int collect_output(void* ctx, float v) {
  static_cast<std::vector<float>*>(ctx)->push_back(v);
  return 0;
}

// One sample per line of `path`, each run through the self-test glue.
int run_selftest_samples(const char* path) {
  FILE* f = fopen(path, "r");
  if (!f) { fprintf(stderr, "sim: input error: cannot open %s\n", path); return 2; }
  std::vector<std::vector<float>> samples(1);
  std::string tok;
  int c;
  while ((c = fgetc(f)) != EOF) {
    if (c == ',' || c == ' ' || c == '\t' || c == '\r') push_token(samples.back(), tok, path);
    else if (c == '\n') { push_token(samples.back(), tok, path); if (!samples.back().empty()) samples.emplace_back(); }
    else tok += (char)c;
  }
  push_token(samples.back(), tok, path);
  fclose(f);
  if (samples.back().empty()) samples.pop_back();
  printf("selftest-shape %d %u\n", (int)EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE, (unsigned)eiota_selftest_ei_output_count());
  for (size_t i = 0; i < samples.size(); i++) {
    if (samples[i].size() != EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE) {
      fprintf(stderr, "sim: input error: %s: sample %zu has %zu features, the model takes %d\n", path, i + 1,
              samples[i].size(), (int)EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE);
      return 2;
    }
    signal_t signal;
    numpy::signal_from_buffer(samples[i].data(), samples[i].size(), &signal);
    std::vector<float> out;
    int err = eiota_selftest_ei_classify(&signal, collect_output, &out);
    printf("selftest %zu %d ", i, err);
    for (size_t k = 0; k < out.size(); k++) printf("%s%08x", k ? "," : "", (unsigned)bits(out[k]));
    printf("\n");
    if (err != 0) return 1;
  }
  return 0;
}

// Boxes in a result: a count field since 2023, a fixed-size array before.
template <class R>
auto box_count(const R& r, int) -> decltype(r.bounding_boxes_count, size_t()) { return r.bounding_boxes_count; }
template <class R>
size_t box_count(const R& r, long) { return sizeof(r.bounding_boxes) / sizeof(r.bounding_boxes[0]); }

void print_captured() {
  for (size_t i = 0; i < captured().size(); i++) {
    const Captured& c = captured()[i];
    // raw <block>.<output> <type> <dims> <byte count> <bytes in hex>
    printf("raw %d.%d ", c.block, c.output);
    if (type_name(c.type)) printf("%s ", type_name(c.type));
    else printf("type%d ", c.type);
    for (size_t d = 0; d < c.dims.size(); d++) printf("%s%d", d ? "x" : "", c.dims[d]);
    printf(" %zu ", c.bytes.size());
    for (uint8_t b : c.bytes) printf("%02x", b);
    printf("\n");
  }
}

}  // namespace

// Learn blocks the build captures (stem -> whether it ran). A function-local static: the capture
// units register from their own static initialisers.
static std::map<std::string, bool>& blocks() {
  static std::map<std::string, bool> b;
  return b;
}

extern "C" int eiota_sim_block(const char* stem, int ran) {
  bool& r = blocks()[stem];
  r = r || ran;
  return 0;
}

// Called after each learn block's invoke, once per output tensor, in the order they ran.
extern "C" void eiota_sim_record(int output, int type, const int* dims, int ndims, const void* data, size_t bytes) {
  int block = -1;  // the outputs captured so far that opened a block, counting this one
  for (const Captured& k : captured()) block += k.output == 0;
  block += output == 0;
  Captured c{block, output, type, {}, {}};
  for (int i = 0; dims && i < ndims; i++) c.dims.push_back(dims[i]);
  if (data) c.bytes.assign((const uint8_t*)data, (const uint8_t*)data + bytes);
  captured().push_back(c);
}

int main(int argc, char** argv) {
  std::vector<float> features;
  bool regions = false;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--selftest-samples" && i + 1 < argc) {
      return run_selftest_samples(argv[++i]);
    } else if (a == "--features" && i + 1 < argc) {
      features = read_features(argv[++i]);
#if defined(EIOTA_SIM_PATCHED)
#if defined(EIOTA_SIM_STORE)
    } else if (a == "--store" && i + 1 < argc) {
      int err = attach_store(argv[++i]);
      if (err != 0) return err;
    } else if (a == "--selftest") {
      run_store_selftest();
    } else if (a == "--confirm") {
      int err = eiota_store_confirm(&eiota_default_model);
      printf("store: confirm: %s\n", err == EIOTA_ERR_STATE ? "nothing is on trial" : eiota_strerror(err));
      if (err != EIOTA_OK) g_refused = true;
      print_store("now");
#endif
    } else if (a == "--payload" && i + 1 < argc) {
      int r = apply_payload(argv[++i]);
      if (r == 2) return 2;
      if (r == 0) print_store("applied");
    } else if (a == "--restore") {
      printf("restore: %s\n", eiota_strerror(eiota_model_restore(&eiota_default_model)));
    } else if (a == "--regions") {
      regions = true;
#if defined(EIOTA_SIM_CLIENT)
    } else if (a == "--server" && i + 1 < argc) {
      g_ota.server = argv[++i];
      if (g_ota.server.rfind("https://", 0) == 0) {
        // Its transport is a plain socket: TLS is a device transport's (docs/PORTING.md).
        fprintf(stderr, "sim: --server %s: the simulated device speaks plain HTTP only (no TLS transport)\n", g_ota.server.c_str());
        return 2;
      }
    } else if (a == "--model" && i + 1 < argc) {
      g_ota.model = argv[++i];
    } else if (a == "--channel" && i + 1 < argc) {
      g_ota.channel = argv[++i];
    } else if (a == "--device-id" && i + 1 < argc) {
      g_ota.device_id = argv[++i];
    } else if (a == "--report" && i + 1 < argc) {
      g_ota.report = argv[++i];
      if (g_ota.report != "applied" && g_ota.report != "confirmed" && g_ota.report != "reverted" &&
          g_ota.report != "failed" && g_ota.report != "current") {
        fprintf(stderr, "sim: input error: --report takes applied, confirmed, reverted, failed or current, not '%s'\n", argv[i]);
        return 2;
      }
    } else if (a == "--net-attempts" && i + 1 < argc) {
      if (!parse_count("--net-attempts", argv[++i], 1, &g_ota.attempts)) return 2;
    } else if (a == "--net-timeout" && i + 1 < argc) {
      if (!parse_count("--net-timeout", argv[++i], 1, &g_ota.timeout_ms)) return 2;
    } else if (a == "--net-drop-after" && i + 1 < argc) {
      if (!parse_count("--net-drop-after", argv[++i], 0, &g_ota.drop_after)) return 2;
#endif
#endif
    } else {
      fprintf(stderr, "sim: input error: usage: sim [--store DIR] [--payload p.eiota] [--selftest] [--confirm] [--restore] [--features f.csv] [--regions] "
                      "[--server URL --model M [--channel C] [--device-id ID] [--net-attempts K] [--net-timeout MS] [--net-drop-after N] [--report RESULT]] "
                      "| sim --selftest-samples f.txt\n");
      return 2;
    }
  }
#if defined(EIOTA_SIM_CLIENT)
  if (!g_ota.server.empty()) {
    int err = run_ota();
    if (err != 0) return err;
  } else if (!g_ota.model.empty() || !g_ota.report.empty()) {
    fprintf(stderr, "sim: input error: --model and --report need --server\n");
    return 2;
  }
#endif
#if defined(EIOTA_SIM_PATCHED)
  if (regions) print_regions();
#endif
  (void)regions;
  if (features.empty()) features = generated_features();
  if (features.size() != EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE) {
    fprintf(stderr, "sim: input error: %zu features given, the model takes %d\n", features.size(), (int)EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE);
    return 2;
  }
  signal_t signal;
  numpy::signal_from_buffer(features.data(), features.size(), &signal);
  ei_impulse_result_t result;
  memset(&result, 0, sizeof(result));
  captured().clear();  // only this inference's outputs (a self-test ran others before)
  EI_IMPULSE_ERROR err = run_classifier(&signal, &result, false);
  printf("run_classifier: %d\n", (int)err);
  print_captured();
  for (const auto& b : blocks())
    if (!b.second) printf("not run: learn block %s\n", b.first.c_str());
  if (err != EI_IMPULSE_OK) return 1;
#if EI_CLASSIFIER_OBJECT_DETECTION == 1
  for (size_t i = 0; i < box_count(result, 0); i++) {
    const auto& b = result.bounding_boxes[i];
    if (b.value == 0) continue;
    printf("box %s %u %u %u %u %.9g 0x%08x\n", b.label, (unsigned)b.x, (unsigned)b.y, (unsigned)b.width,
           (unsigned)b.height, b.value, (unsigned)bits(b.value));
  }
#else
  for (size_t i = 0; i < EI_CLASSIFIER_LABEL_COUNT; i++)
    printf("%s %.9g 0x%08x\n", result.classification[i].label, result.classification[i].value,
           (unsigned)bits(result.classification[i].value));
#endif
#if EI_CLASSIFIER_HAS_ANOMALY
  printf("anomaly %.9g 0x%08x\n", result.anomaly, (unsigned)bits(result.anomaly));
#endif
  return g_refused ? 3 : 0;
}
