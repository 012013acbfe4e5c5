#include "eiota_arduino.h"

#if defined(EIOTA_HAVE_STREAM)

#include "eiota_update.h"

namespace {

eiota_update g_update;  // one update at a time; static so the caller's stack stays small

int read_stream(void* ctx, uint8_t* buf, uint32_t max) {
  Stream* s = static_cast<Stream*>(ctx);
  if (max == 0) return s->available() > 0 ? 1 : 0;
  size_t n = s->readBytes(reinterpret_cast<char*>(buf), max);
  return n == 0 ? EIOTA_ERR_TIMEOUT : (int)n;
}

}  // namespace

int eiota_update_from_stream(Stream& stream) {
  return eiota_update_pull(&g_update, &eiota_default_model, read_stream, &stream);
}

String ei_update_weights(Stream& stream) {
  int err = eiota_update_from_stream(stream);
  return err == EIOTA_OK ? String("") : String(eiota_strerror(err));
}

String ei_restore_weights() {
  int err = eiota_model_restore(&eiota_default_model);
  return err == EIOTA_OK ? String("") : String(eiota_strerror(err));
}

#endif  // EIOTA_HAVE_STREAM
