#include "eiota_arduino.h"

#if defined(EIOTA_HAVE_STREAM)

#include "eiota_store.h"
#include "eiota_update.h"

namespace {

eiota_update g_update;  // one update at a time; static so the caller's stack stays small

struct Source {
  Stream* stream;
  eiota_stream_open_fn still_open;  // NULL: a Stream has no other end-of-stream signal
};

// Stream::readBytes returns 0 both when the source has ended and when it stalled for the
// stream's timeout. A plain Stream cannot say which, and a source that sends nothing more has
// ended for Arduino's Stream (File, a closed HTTP body): that is a truncated payload. A source
// that can say it is still open (a connected Client) makes it a timeout.
int read_stream(void* ctx, uint8_t* buf, uint32_t max) {
  Source* src = static_cast<Source*>(ctx);
  Stream* s = src->stream;
  if (max == 0) return s->available() > 0 ? 1 : 0;
  size_t n = s->readBytes(reinterpret_cast<char*>(buf), max);
  if (n > 0) return (int)n;
  return src->still_open && src->still_open(*s) ? EIOTA_ERR_TIMEOUT : 0;
}

}  // namespace

int eiota_update_from_stream(Stream& stream, eiota_stream_open_fn still_open) {
  Source src = {&stream, still_open};
  return eiota_update_pull(&g_update, &eiota_default_model, read_stream, &src);
}

int eiota_update_from_stream(Stream& stream) { return eiota_update_from_stream(stream, NULL); }

String ei_update_weights(Stream& stream) {
  int err = eiota_update_from_stream(stream);
  return err == EIOTA_OK ? String("") : String(eiota_strerror(err));
}

String ei_restore_weights() {
  int err = eiota_model_restore(&eiota_default_model);
  return err == EIOTA_OK ? String("") : String(eiota_strerror(err));
}

String ei_confirm_weights() {
  int err = eiota_store_confirm(&eiota_default_model);
  return err == EIOTA_OK ? String("") : String(eiota_strerror(err));
}

#endif  // EIOTA_HAVE_STREAM
