// Host stand-in for the Arduino WiFi library, enough to compile network sketches: the client
// reads its response from a file named by EIOTA_HOST_HTTP_RESPONSE (default "response.bin").
#ifndef EIOTA_HOST_WIFI_H
#define EIOTA_HOST_WIFI_H

#include <stdlib.h>

#include "Arduino.h"

#define WL_CONNECTED 3

class WiFiClass {
 public:
  void begin(const char*, const char*) {}
  int status() { return WL_CONNECTED; }
};
extern WiFiClass WiFi;

class WiFiClient : public FileReader {
 public:
  int connect(const char*, int) {
    const char* path = getenv("EIOTA_HOST_HTTP_RESPONSE");
    return open(path ? path : "response.bin");
  }
  bool connected() { return is_open(); }
  void stop() { close(); }
};

#endif
