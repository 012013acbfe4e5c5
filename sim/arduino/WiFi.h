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

class WiFiClient : public Stream {
 public:
  int connect(const char*, int) {
    const char* path = getenv("EIOTA_HOST_HTTP_RESPONSE");
    if (f_) fclose(f_);
    f_ = fopen(path ? path : "response.bin", "rb");
    return f_ != nullptr;
  }
  bool connected() { return f_ != nullptr; }
  void stop() { if (f_) fclose(f_); f_ = nullptr; }
  size_t write(uint8_t) override { return 1; }
  int available() override {
    if (!f_) return 0;
    int c = fgetc(f_);
    if (c == EOF) return 0;
    ungetc(c, f_);
    return 1;
  }
  int read() override { return f_ ? fgetc(f_) : -1; }
  int peek() override { int c = read(); if (c >= 0) ungetc(c, f_); return c; }

 private:
  FILE* f_ = nullptr;
};

#endif
