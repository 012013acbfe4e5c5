// Host stand-in for the Arduino SD library: files are opened from the current directory.
#ifndef EIOTA_HOST_SD_H
#define EIOTA_HOST_SD_H

#include "Arduino.h"

typedef FileStream File;

class SDClass {
 public:
  bool begin(int = 0) { return true; }
  File open(const char* path) { return File(path[0] == '/' ? path + 1 : path); }
};
extern SDClass SD;

#endif
