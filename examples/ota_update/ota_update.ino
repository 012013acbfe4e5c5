/**
 * eiota example: update the model's weights from an SD card, the predecessor's way.
 * Type "ota" in the serial monitor to apply /update.eiota, "restore" to go back to the
 * weights the board was flashed with. The calls are the ones the predecessor's sketches use,
 * so sketches written for it keep working: any Stream (WiFiClient, File, Serial) will do.
 */
#include <SD.h>
#include <demo_inferencing.h>

static float features[EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE];

void updateWeights(Stream& updateSource);
void restoreWeights();

void setup() {
  Serial.begin(115200);
  while (!Serial);
  Serial.println("Edge Impulse OTA from SD card");
  SD.begin();
  for (size_t i = 0; i < EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE; i++) features[i] = (float)((i * 37) % 17) / 8.0f - 1.0f;
}

void loop() {
  String userInput = Serial.available() ? Serial.readStringUntil('\n') : "";

  if (userInput.startsWith("ota")) {
    File update = SD.open("/update.eiota");
    if (update) updateWeights(update);
    else Serial.println("no /update.eiota on the SD card");
  }

  if (userInput.startsWith("restore")) {
    restoreWeights();
  }

  signal_t input;
  ei_impulse_result_t result;
  if (numpy::signal_from_buffer(features, EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE, &input) != 0) {
    Serial.println("numpy::signal_from_buffer failed");
    return;
  }
  if (run_classifier(&input, &result, false) != 0) {
    Serial.println("run_classifier failed");
    return;
  }
  for (size_t ix = 0; ix < EI_CLASSIFIER_LABEL_COUNT; ix++) {
    Serial.print(result.classification[ix].label);
    Serial.print(": ");
    Serial.println(result.classification[ix].value);
  }
}

void updateWeights(Stream& updateSource) {
  Serial.println("Updating weights...");
  String updateError = ei_update_weights(updateSource);

  if (updateError != "") {
    Serial.print("Update error: ");
    Serial.println(updateError);
    restoreWeights();
  }
  else {
    Serial.println("Update ok!");
  }
}

void restoreWeights() {
  Serial.println("Restoring original weights...");

  String restoreError = ei_restore_weights();

  if (restoreError != "") {
    Serial.print("Restore error: ");
    Serial.println(restoreError);
  }
  else {
    Serial.println("Restore ok!");
  }
}
