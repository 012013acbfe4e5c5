// The Arduino-facing API, kept call-compatible with the predecessor's sketches:
//   String err = ei_update_weights(stream);   // "" on success, else what went wrong
//   String err = ei_restore_weights();        // back to the factory values
// Any Stream works: WiFiClient, File on an SD card, Serial. The stream must be positioned at
// the first payload byte. On the host, define EIOTA_HOST_ARDUINO_SHIM to a header that
// provides String and Stream.
#ifndef EIOTA_ARDUINO_H
#define EIOTA_ARDUINO_H

#if defined(ARDUINO)
#include <Arduino.h>
#define EIOTA_HAVE_STREAM 1
#elif defined(EIOTA_HOST_ARDUINO_SHIM)
#include EIOTA_HOST_ARDUINO_SHIM
#define EIOTA_HAVE_STREAM 1
#endif

#include "eiota_model.h"

#if defined(EIOTA_HAVE_STREAM)
// Reads a payload from `stream` and applies it to the model. Returns "" on success.
String ei_update_weights(Stream& stream);
// Makes the factory values active again. Returns "" on success.
String ei_restore_weights();
// Like ei_update_weights, with the eiota_err code instead of a message.
int eiota_update_from_stream(Stream& stream);
#endif

#endif  // EIOTA_ARDUINO_H
