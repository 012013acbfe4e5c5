/* Fake Edge Impulse SDK for eiota test fixtures: registrations for ops that
 * have no kernel here. Their prepare and invoke steps fail with the op's
 * name, so the model's init fails and run_classifier() returns an error. */
#include "../micro_mutable_op_resolver.h"
#include "kernel_util.h"

namespace tflite {

#define EIOTA_FAKE_DEFINE_UNSUPPORTED(name)                                               \
  static TfLiteStatus Unsupported_##name(TfLiteContext*, TfLiteNode*) {                  \
    return fake::Fail(#name, "no kernel for this operator in the fake SDK");             \
  }                                                                                       \
  TfLiteRegistration Register_##name() {                                                  \
    TfLiteRegistration r = fake::MakeRegistration(Unsupported_##name, Unsupported_##name, -1); \
    r.custom_name = #name;                                                                \
    return r;                                                                             \
  }
EIOTA_FAKE_UNSUPPORTED_OPS(EIOTA_FAKE_DEFINE_UNSUPPORTED)
EIOTA_FAKE_DEFINE_UNSUPPORTED(UNSUPPORTED)
#undef EIOTA_FAKE_DEFINE_UNSUPPORTED

}  // namespace tflite
