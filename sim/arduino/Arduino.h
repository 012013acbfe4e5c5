// A small host stand-in for the parts of the Arduino core that eiota's API and the example
// sketches use: String, Stream, Serial, millis(), delay(). Host only (uses the C++ library).
#ifndef EIOTA_HOST_ARDUINO_H
#define EIOTA_HOST_ARDUINO_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <chrono>
#include <string>
#include <thread>

class String {
 public:
  String(const char* s = "") : s_(s ? s : "") {}
  String(const std::string& s) : s_(s) {}
  String(char c) : s_(1, c) {}
  String(int v) : s_(std::to_string(v)) {}
  const char* c_str() const { return s_.c_str(); }
  unsigned int length() const { return (unsigned)s_.size(); }
  bool startsWith(const String& p) const { return s_.rfind(p.s_, 0) == 0; }
  bool endsWith(const String& p) const {
    return s_.size() >= p.s_.size() && s_.compare(s_.size() - p.s_.size(), p.s_.size(), p.s_) == 0;
  }
  String& operator+=(const String& o) { s_ += o.s_; return *this; }
  String& operator+=(char c) { s_ += c; return *this; }
  bool operator==(const String& o) const { return s_ == o.s_; }
  bool operator!=(const String& o) const { return s_ != o.s_; }
  bool operator==(const char* o) const { return s_ == o; }
  bool operator!=(const char* o) const { return s_ != o; }

 private:
  std::string s_;
};

class Print {
 public:
  virtual ~Print() {}
  virtual size_t write(uint8_t c) = 0;
  size_t print(const String& s) { return print(s.c_str()); }
  size_t print(const char* s) { size_t n = 0; while (*s) n += write((uint8_t)*s++); return n; }
  size_t print(int v) { return print(String(v)); }
  size_t print(unsigned v) { return print(String((int)v)); }
  size_t print(float v) { char b[32]; snprintf(b, sizeof b, "%.2f", v); return print(b); }
  size_t println() { return write('\n'); }
  template <class T> size_t println(const T& v) { size_t n = print(v); return n + println(); }
};

class Stream : public Print {
 public:
  virtual int available() = 0;
  virtual int read() = 0;
  virtual int peek() = 0;
  void setTimeout(unsigned long ms) { timeout_ = ms; }
  // Like Arduino: waits up to the timeout for each byte; returns how many were read.
  size_t readBytes(char* buf, size_t len) {
    size_t n = 0;
    while (n < len) {
      int c = timedRead();
      if (c < 0) break;
      buf[n++] = (char)c;
    }
    return n;
  }
  String readStringUntil(char term) {
    String s;
    int c;
    while ((c = timedRead()) >= 0 && c != term) s += (char)c;
    return s;
  }

 protected:
  int timedRead() {
    auto start = std::chrono::steady_clock::now();
    do {
      int c = read();
      if (c >= 0) return c;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    } while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(timeout_));
    return -1;
  }
  unsigned long timeout_ = 1000;
};

// Serial: writes to stdout, reads from a string the host harness feeds.
class HostSerial : public Stream {
 public:
  void begin(unsigned long) {}
  explicit operator bool() const { return true; }
  size_t write(uint8_t c) override { return fputc(c, stdout) == EOF ? 0 : 1; }
  int available() override { return (int)(input.size() - pos); }
  int read() override { return pos < input.size() ? (uint8_t)input[pos++] : -1; }
  int peek() override { return pos < input.size() ? (uint8_t)input[pos] : -1; }
  std::string input;
  size_t pos = 0;
};
extern HostSerial Serial;

// A Stream reading a FILE*: the base of File (SD) and WiFiClient on the host.
class FileReader : public Stream {
 public:
  FileReader() {}
  FileReader(const FileReader&) = delete;
  FileReader(FileReader&& o) : f_(o.f_) { o.f_ = nullptr; }
  ~FileReader() { close(); }
  bool open(const char* path) { close(); f_ = fopen(path, "rb"); return f_ != nullptr; }
  void close() { if (f_) fclose(f_); f_ = nullptr; }
  bool is_open() const { return f_ != nullptr; }
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

// A file opened as a Stream, like a File on an SD card.
class FileStream : public FileReader {
 public:
  explicit FileStream(const char* path) { open(path); }
  explicit operator bool() const { return is_open(); }
};

unsigned long millis();
void delay(unsigned long ms);

#endif
