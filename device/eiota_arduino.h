// The Arduino-facing API, kept call-compatible with the predecessor's sketches:
//   String err = ei_update_weights(stream);   // "" on success, else what went wrong
//   String err = ei_restore_weights();        // back to the factory values
// Any Stream works: WiFiClient, File on an SD card, Serial. The stream must be positioned at
// the first payload byte. The header is C++ (Arduino sketches); without a Stream (C, or no
// Arduino core) it declares nothing beyond eiota_model.h. On the host, define EIOTA_HOST_ARDUINO_SHIM to a header that
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
// With a slot store (eiota_store.h): keeps the model on trial for good. Returns "" on success.
String ei_confirm_weights();
// Like ei_update_weights, with the eiota_err code instead of a message. A stream that sends
// nothing within its timeout (setTimeout) before the payload is complete has ended:
// EIOTA_ERR_TRUNCATED.
int eiota_update_from_stream(Stream& stream);

// Says whether the source is still open (a network client still connected): then silence
// within the timeout is EIOTA_ERR_TIMEOUT rather than TRUNCATED.
typedef bool (*eiota_stream_open_fn)(Stream& stream);
int eiota_update_from_stream(Stream& stream, eiota_stream_open_fn still_open);

// For a network client (WiFiClient, EthernetClient, anything with connected()): a stall while
// connected is EIOTA_ERR_TIMEOUT, a closed connection before the end EIOTA_ERR_TRUNCATED.
template <class C>
bool eiota_client_open(Stream& s) { return static_cast<C&>(s).connected(); }
template <class C>
int eiota_update_from_client(C& client) { return eiota_update_from_stream(client, &eiota_client_open<C>); }
#endif

#endif  // EIOTA_ARDUINO_H
