// The generated tables the patched library keeps in model-parameters/model_variables.h (the
// configuration regions, with the impulse they belong to): one translation unit includes it,
// as the SDK's run_classifier does in a real firmware.
#include "model-parameters/model_variables.h"
