#include "eiota_selftest.h"

#include <math.h>

namespace {

const float kInfinity = INFINITY;

int read_error(int err) { return err < 0 ? err : EIOTA_ERR_STORAGE; }

int finish(eiota_selftest_report* r, int result) {
  r->result = (int16_t)result;
  return result;
}

uint32_t bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

// Whether `got` matches `want`, and by how much they differ.
bool matches(float got, float want, float tolerance, float* diff) {
  if (got != got || want != want) {  // NaN never matches, not even itself
    *diff = kInfinity;
    return false;
  }
  if (bits(got) == bits(want)) {  // also equal infinities, whose difference is NaN
    *diff = 0.0f;
    return true;
  }
  double d = (double)got - (double)want;
  if (d < 0) d = -d;
  *diff = d > 3.402823466e38 ? kInfinity : (float)d;
  return tolerance > 0.0f && d <= (double)tolerance;  // 0: bit for bit (+0 and -0 differ)
}

void note_mismatch(eiota_selftest_report* r, uint32_t sample, uint32_t output, float want, float got) {
  if (r->mismatches == 0) {
    r->fail_sample = sample;
    r->fail_output = output;
    r->expected = want;
    r->got = got;
  }
  r->mismatches++;
}

// Reads the expected outputs from `first` on into the cache.
int fill_cache(eiota_selftest_sample* s, uint32_t first) {
  uint32_t n = s->output_count - first;
  if (n > EIOTA_SELFTEST_CACHE) n = EIOTA_SELFTEST_CACHE;
  int err = s->read(s->src, s->expected_at + first * 4u, s->cache, n * 4u);
  if (err != EIOTA_OK) return read_error(err);
  s->cache_first = first;
  s->cache_len = n;
  return EIOTA_OK;
}

}  // namespace

extern "C" {

uint32_t eiota_selftest_input_count(const eiota_selftest_sample* s) { return s->input_count; }
uint32_t eiota_selftest_output_count(const eiota_selftest_sample* s) { return s->output_count; }

int eiota_selftest_inputs(eiota_selftest_sample* s, uint32_t offset, uint32_t count, float* out) {
  if ((uint64_t)offset + count > s->input_count) return EIOTA_ERR_SIZE_MISMATCH;
  if (count == 0) return EIOTA_OK;
  uint8_t* bytes = (uint8_t*)out;
  int err = s->read(s->src, s->inputs_at + offset * 4u, bytes, count * 4u);
  if (err != EIOTA_OK) {
    s->error = (int16_t)read_error(err);
    return s->error;
  }
  for (uint32_t i = 0; i < count; i++) {  // little-endian to the device's float, in place
    float f = eiota_selftest_get_f32(bytes + 4u * i);
    memcpy(bytes + 4u * i, &f, 4);
  }
  return EIOTA_OK;
}

int eiota_selftest_output(eiota_selftest_sample* s, float value) {
  eiota_selftest_report* r = s->report;
  uint32_t i = s->given;
  if (s->error != EIOTA_OK) return s->error;
  if (i >= s->output_count) {
    note_mismatch(r, s->index, i, 0.0f, value);
    r->worst_diff = kInfinity;
    s->given++;
    return EIOTA_ERR_SELFTEST_FAILED;
  }
  if (s->cache_len == 0 || i < s->cache_first || i >= s->cache_first + s->cache_len) {
    int err = fill_cache(s, i);
    if (err != EIOTA_OK) {
      s->error = (int16_t)err;
      return err;
    }
  }
  float want = eiota_selftest_get_f32(s->cache + 4u * (i - s->cache_first));
  float diff;
  bool ok = matches(value, want, s->tolerance, &diff);
  if (diff > r->worst_diff) r->worst_diff = diff;
  if (!ok) note_mismatch(r, s->index, i, want, value);
  s->given++;
  return ok ? EIOTA_OK : EIOTA_ERR_SELFTEST_FAILED;
}

int eiota_selftest_run(eiota_selftest_read_fn read, void* src, uint32_t block_len, eiota_infer_fn infer, void* ctx,
                       eiota_selftest_report* report) {
  eiota_selftest_report local;
  eiota_selftest_report* r = report ? report : &local;
  memset(r, 0, sizeof(*r));
  r->fail_sample = EIOTA_SELFTEST_NONE;
  r->fail_output = EIOTA_SELFTEST_NONE;
  if (!read || !infer) return finish(r, EIOTA_ERR_STATE);
  uint8_t head[EIOTA_SELFTEST_HEADER_LEN];
  eiota_selftest_header h;
  if (block_len < EIOTA_SELFTEST_HEADER_LEN) {
    r->decode = EIOTA_SELFTEST_SHORT;
    return finish(r, EIOTA_ERR_SELFTEST_BLOCK);
  }
  int err = read(src, 0, head, sizeof(head));
  if (err != EIOTA_OK) return finish(r, read_error(err));
  r->decode = (uint8_t)eiota_selftest_decode(head, sizeof(head), block_len, &h);
  if (r->decode != EIOTA_SELFTEST_OK) return finish(r, EIOTA_ERR_SELFTEST_BLOCK);
  r->samples = h.sample_count;
  r->inputs = h.input_count;
  r->outputs = h.output_count;
  r->tolerance = h.tolerance;
  uint32_t per = (uint32_t)eiota_selftest_sample_len(&h);  // the decode checked it fits block_len
  for (uint32_t i = 0; i < h.sample_count; i++) {
    eiota_selftest_sample s;
    memset(&s, 0, sizeof(s));
    s.read = read;
    s.src = src;
    s.report = r;
    s.index = i;
    s.inputs_at = EIOTA_SELFTEST_HEADER_LEN + i * per;
    s.input_count = h.input_count;
    s.expected_at = s.inputs_at + h.input_count * 4u;
    s.output_count = h.output_count;
    s.tolerance = h.tolerance;
    int got = infer(ctx, &s);
    r->samples_run++;
    if (s.error != EIOTA_OK) return finish(r, s.error);
    if (got != 0) {
      if (r->mismatches == 0) {
        r->fail_sample = i;
        r->fail_output = EIOTA_SELFTEST_NONE;
      }
      r->infer_error = (int16_t)(got < INT16_MIN ? INT16_MIN : got > INT16_MAX ? INT16_MAX : got);
      r->mismatches++;
      return finish(r, EIOTA_ERR_SELFTEST_FAILED);
    }
    if (s.given < s.output_count) {  // outputs missing
      note_mismatch(r, i, s.given, 0.0f, 0.0f);
      r->worst_diff = kInfinity;
    }
  }
  return finish(r, r->mismatches ? EIOTA_ERR_SELFTEST_FAILED : EIOTA_OK);
}

}  // extern "C"
