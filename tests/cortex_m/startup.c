// Reset and fault handling for every board: a vector table (initial SP, reset, faults), .data
// copied from flash, .bss zeroed, the FPU enabled when the code may use it, static constructors,
// then main(); its return value is the semihosting exit (0 = every test passed).
#include <stdint.h>

#include "semihost.h"

extern uint32_t __data_load, __data_start, __data_end, __bss_start, __bss_end, __stack_top;
extern void (*__init_array_start[])(void);
extern void (*__init_array_end[])(void);
int main(void);

__attribute__((noreturn)) void reset_handler(void) {
  uint32_t *src = &__data_load, *dst = &__data_start;
  while (dst < &__data_end) *dst++ = *src++;
  for (dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
#if defined(__ARM_FP)
  *(volatile uint32_t*)0xE000ED88u |= 0xFu << 20;  // CPACR: CP10 and CP11 full access
  __asm__ volatile("dsb\n isb" ::: "memory");
#endif
  for (void (**f)(void) = __init_array_start; f < __init_array_end; f++) (*f)();
  sh_exit(main() == 0);
}

static __attribute__((noreturn)) void fault_handler(void) {
  sh_write0("FAIL: fault exception\n");
  sh_exit(0);
}

__attribute__((section(".vectors"), used)) void* const g_vectors[16] = {
    &__stack_top, (void*)reset_handler, (void*)fault_handler, (void*)fault_handler,
    (void*)fault_handler, (void*)fault_handler, (void*)fault_handler, 0, 0, 0, 0,
    (void*)fault_handler, (void*)fault_handler, 0, (void*)fault_handler, (void*)fault_handler,
};
