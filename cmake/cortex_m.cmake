# Cortex-M under QEMU: the instruction-counting TCG plugin (tools/qemu) and one emulated device test
# per board (tests/cortex_m/run.sh). The tests are registered whether or not qemu-system-arm and
# arm-none-eabi-gcc are installed: without them they fail, they do not skip (CI installs both).
find_program(QEMU_SYSTEM_ARM qemu-system-arm)
if(QEMU_SYSTEM_ARM)
  add_library(eiota_icount MODULE ${CMAKE_SOURCE_DIR}/tools/qemu/icount.c)
  set_target_properties(eiota_icount PROPERTIES PREFIX "lib" OUTPUT_NAME icount C_VISIBILITY_PRESET hidden)
  target_compile_options(eiota_icount PRIVATE -Wall -Wextra)
endif()
foreach(board microbit mps2-an385 mps2-an386 mps2-an500 mps2-an505)
  add_test(NAME cortex_m_${board} COMMAND bash ${CMAKE_SOURCE_DIR}/tests/cortex_m/run.sh ${board})
  set_tests_properties(cortex_m_${board} PROPERTIES TIMEOUT 600
    ENVIRONMENT "EIOTA_BUILD_DIR=${CMAKE_BINARY_DIR};EIOTA_SHARED_FIXTURES=${SHARED_FIXTURES}")
endforeach()
