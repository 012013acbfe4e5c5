/* A TCG plugin for qemu-system-arm (plugin API version 1, QEMU 7.2) that counts executed guest
 * instructions: every translated block adds its instruction count inline when it runs, and the
 * total is printed at exit as "insns N".
 *
 * mark=0xADDR (repeatable, up to 16): each time a block starting at ADDR runs, prints
 * "mark K N": K the mark's position among the mark= arguments (0 for the first), N the count so far.
 * A firmware brackets a span by calling a noinline marker function
 * at ADDR before and after it (a call always starts a new block); the difference is the span plus
 * the marker's own instructions.
 *
 * Output goes through qemu_plugin_outs, i.e. QEMU's log: run with -d plugin (and -D FILE to keep it
 * apart from the guest's output).
 *   gcc -shared -fPIC -O2 -o libicount.so icount.c
 *   qemu-system-arm -M mps2-an386 -nographic -semihosting -kernel fw.elf \
 *     -plugin ./libicount.so,mark=0x1234 -d plugin -D icount.log */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

#define MAX_MARKS 16

static uint64_t count;
static uint64_t marks[MAX_MARKS];
static unsigned mark_count;

static void on_mark(unsigned int vcpu, void* userdata) {
  char line[64];
  (void)vcpu;
  snprintf(line, sizeof line, "mark %u %" PRIu64 "\n", (unsigned)(uintptr_t)userdata, count);
  qemu_plugin_outs(line);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb* tb) {
  uint64_t at = qemu_plugin_tb_vaddr(tb);
  unsigned i;
  (void)id;
  /* Whether a mark's count holds the marker's own block depends on the order QEMU runs a block's
   * callbacks and inline ops; spans are differences of marks at one address, where it cancels. */
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &count, qemu_plugin_tb_n_insns(tb));
  for (i = 0; i < mark_count; i++)
    if (marks[i] == at) qemu_plugin_register_vcpu_tb_exec_cb(tb, on_mark, QEMU_PLUGIN_CB_NO_REGS, (void*)(uintptr_t)i);
}

static void on_exit_cb(qemu_plugin_id_t id, void* userdata) {
  char line[64];
  (void)id;
  (void)userdata;
  snprintf(line, sizeof line, "insns %" PRIu64 "\n", count);
  qemu_plugin_outs(line);
}

static int parse_mark(const char* text) {
  char* end;
  unsigned long long v;
  if (mark_count == MAX_MARKS) return -1;
  v = strtoull(text, &end, 0);
  if (end == text || *end != '\0') return -1;
  marks[mark_count++] = v & ~1ull; /* a Thumb function's address has bit 0 set; its code does not */
  return 0;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* info, int argc, char** argv) {
  int i;
  (void)info;
  for (i = 0; i < argc; i++) {
    if (strncmp(argv[i], "mark=", 5) == 0 && parse_mark(argv[i] + 5) == 0) continue;
    fprintf(stderr, "icount: bad argument '%s' (mark=0xADDR, at most %d)\n", argv[i], MAX_MARKS);
    return -1;
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_exit_cb, NULL);
  return 0;
}
