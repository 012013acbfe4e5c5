// Runs a sketch on the host: setup(), then loop() once per line given on the command line, fed
// to Serial as if typed into the serial monitor.
#include "Arduino.h"

HostSerial Serial;
#include "SD.h"
SDClass SD;
#include "WiFi.h"
WiFiClass WiFi;

unsigned long millis() {
  static auto t0 = std::chrono::steady_clock::now();
  return (unsigned long)std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
}
void delay(unsigned long) {}

void setup();
void loop();

int main(int argc, char** argv) {
  setup();
  for (int i = 1; i < argc; i++) {
    Serial.input = std::string(argv[i]) + "\n";
    Serial.pos = 0;
    loop();
  }
  return 0;
}
