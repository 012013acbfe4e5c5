// The file backend (device/eiota_file_flash.h): an eiota_flash over a stdio file, for SD cards
// and filesystems. It must behave like NOR flash behind the seam and keep its bytes across a close.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

#include "eiota_file_flash.h"
#include "eiota_flash.h"
#include "eiota_journal.h"

namespace fs = std::filesystem;

namespace {

class FileFlash : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("eiota-file-flash-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const char* name) const { return (dir_ / name).string(); }

  static std::vector<uint8_t> bytes_of(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  fs::path dir_;
};

TEST_F(FileFlash, CreatesTheFileErasedAndDescribesItsGeometry) {
  for (uint8_t erased : {uint8_t(0xFF), uint8_t(0x00)}) {
    std::string p = path(erased ? "ff.bin" : "00.bin");
    eiota_file_flash ff;
    ASSERT_EQ(eiota_file_flash_open(&ff, p.c_str(), 3 * 4096, 4096, 8, erased), EIOTA_OK);
    EXPECT_EQ(eiota_flash_check(&ff.flash), EIOTA_OK);
    EXPECT_EQ(ff.flash.ctx, &ff);
    EXPECT_EQ(ff.flash.size, 3u * 4096);
    EXPECT_EQ(ff.flash.erase_size, 4096u);
    EXPECT_EQ(ff.flash.prog_size, 8u);
    EXPECT_EQ(ff.flash.erased_value, erased);
    EXPECT_EQ(ff.flash.mapped, nullptr);
    EXPECT_EQ(eiota_flash_erased(&ff.flash, 0, 3 * 4096), EIOTA_OK);
    ASSERT_EQ(eiota_file_flash_close(&ff), EIOTA_OK);
    EXPECT_EQ(bytes_of(p), std::vector<uint8_t>(3 * 4096, erased));
  }
}

TEST_F(FileFlash, RefusesABadGeometryAndLeavesNothingOpen) {
  eiota_file_flash ff;
  std::string p = path("bad.bin");
  EXPECT_EQ(eiota_file_flash_open(&ff, p.c_str(), 4096, 4096, 0, 0xFF), EIOTA_ERR_FLASH_RANGE);
  EXPECT_EQ(eiota_file_flash_open(&ff, p.c_str(), 4096, 1000, 8, 0xFF), EIOTA_ERR_FLASH_RANGE);  // not a multiple of prog
  EXPECT_EQ(eiota_file_flash_open(&ff, p.c_str(), 6000, 4096, 8, 0xFF), EIOTA_ERR_FLASH_RANGE);  // not whole blocks
  EXPECT_EQ(eiota_file_flash_open(&ff, p.c_str(), 0, 4096, 8, 0xFF), EIOTA_ERR_FLASH_RANGE);
  EXPECT_EQ(eiota_file_flash_open(&ff, p.c_str(), 0x80000000u, 0x1000, 8, 0xFF), EIOTA_ERR_FLASH_RANGE);
  EXPECT_EQ(ff.file, nullptr);
  EXPECT_EQ(fs::file_size(p), 0u);  // created, never extended
  EXPECT_EQ(eiota_file_flash_open(nullptr, p.c_str(), 4096, 4096, 8, 0xFF), EIOTA_ERR_STATE);
  EXPECT_EQ(eiota_file_flash_open(&ff, nullptr, 4096, 4096, 8, 0xFF), EIOTA_ERR_STATE);
  EXPECT_EQ(eiota_file_flash_attach(&ff, nullptr, 4096, 4096, 8, 0xFF), EIOTA_ERR_STATE);
  EXPECT_EQ(eiota_file_flash_close(&ff), EIOTA_ERR_STATE);
}

TEST_F(FileFlash, ReadsBackWhatItProgramsAndErasesWholeBlocks) {
  eiota_file_flash ff;
  std::string p = path("rw.bin");
  ASSERT_EQ(eiota_file_flash_open(&ff, p.c_str(), 2 * 256, 256, 4, 0xFF), EIOTA_OK);
  std::vector<uint8_t> data(200);
  for (size_t i = 0; i < data.size(); i++) data[i] = (uint8_t)(i * 7 + 1);
  ASSERT_EQ(eiota_flash_prog(&ff.flash, 240, data.data(), (uint32_t)data.size()), EIOTA_OK);  // spans both blocks
  std::vector<uint8_t> back(200);
  ASSERT_EQ(eiota_flash_read(&ff.flash, 240, back.data(), 200), EIOTA_OK);
  EXPECT_EQ(back, data);
  EXPECT_EQ(eiota_flash_erased(&ff.flash, 0, 240), EIOTA_OK);
  EXPECT_EQ(eiota_flash_erased(&ff.flash, 440, 72), EIOTA_OK);

  ASSERT_EQ(eiota_flash_erase(&ff.flash, 256, 256), EIOTA_OK);
  EXPECT_EQ(eiota_flash_erased(&ff.flash, 256, 256), EIOTA_OK);
  ASSERT_EQ(eiota_flash_read(&ff.flash, 240, back.data(), 16), EIOTA_OK);  // the first block keeps its part
  EXPECT_TRUE(std::equal(back.begin(), back.begin() + 16, data.begin()));
  EXPECT_EQ(eiota_flash_erase(&ff.flash, 100, 256), EIOTA_ERR_FLASH_RANGE);  // the seam checks alignment
  EXPECT_EQ(eiota_flash_read(&ff.flash, 500, back.data(), 13), EIOTA_ERR_FLASH_RANGE);
  EXPECT_EQ(eiota_file_flash_close(&ff), EIOTA_OK);
}

TEST_F(FileFlash, RefusesToProgramBytesThatAreNotErasedAndWritesNothingThen) {
  for (uint8_t erased : {uint8_t(0xFF), uint8_t(0x00)}) {
    eiota_file_flash ff;
    std::string p = path(erased ? "nor-ff.bin" : "nor-00.bin");
    ASSERT_EQ(eiota_file_flash_open(&ff, p.c_str(), 4096, 4096, 1, erased), EIOTA_OK);
    const uint8_t first[4] = {1, 2, 3, 4};
    ASSERT_EQ(eiota_flash_prog(&ff.flash, 100, first, 4), EIOTA_OK);
    // 96..103 overlaps the programmed bytes at its end: nothing of it may land, not even 96..99.
    const uint8_t second[8] = {9, 9, 9, 9, 9, 9, 9, 9};
    EXPECT_EQ(eiota_flash_prog(&ff.flash, 96, second, 8), EIOTA_ERR_STORAGE);
    EXPECT_EQ(eiota_flash_erased(&ff.flash, 0, 100), EIOTA_OK);
    uint8_t back[4];
    ASSERT_EQ(eiota_flash_read(&ff.flash, 100, back, 4), EIOTA_OK);
    EXPECT_EQ(std::vector<uint8_t>(back, back + 4), std::vector<uint8_t>(first, first + 4));
    // A byte that holds the erased value as data may be programmed again, as on NOR.
    const uint8_t same_as_erased[1] = {erased};
    EXPECT_EQ(eiota_flash_prog(&ff.flash, 200, same_as_erased, 1), EIOTA_OK);
    EXPECT_EQ(eiota_flash_prog(&ff.flash, 200, first, 1), EIOTA_OK);
    // After an erase the bytes take data again.
    ASSERT_EQ(eiota_flash_erase(&ff.flash, 0, 4096), EIOTA_OK);
    EXPECT_EQ(eiota_flash_prog(&ff.flash, 96, second, 8), EIOTA_OK);
    EXPECT_EQ(eiota_file_flash_close(&ff), EIOTA_OK);
  }
}

TEST_F(FileFlash, KeepsItsBytesAcrossCloseAndReopenAndNeverShrinksALongerFile) {
  std::string p = path("persist.bin");
  const uint8_t data[16] = {0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  {
    eiota_file_flash ff;
    ASSERT_EQ(eiota_file_flash_open(&ff, p.c_str(), 8192, 4096, 16, 0xFF), EIOTA_OK);
    ASSERT_EQ(eiota_flash_prog(&ff.flash, 4096 + 32, data, 16), EIOTA_OK);
    ASSERT_EQ(eiota_file_flash_close(&ff), EIOTA_OK);
  }
  {
    eiota_file_flash ff;  // reopened larger: the old bytes stay, the new block is erased
    ASSERT_EQ(eiota_file_flash_open(&ff, p.c_str(), 3 * 4096, 4096, 16, 0xFF), EIOTA_OK);
    uint8_t back[16];
    ASSERT_EQ(eiota_flash_read(&ff.flash, 4096 + 32, back, 16), EIOTA_OK);
    EXPECT_EQ(std::vector<uint8_t>(back, back + 16), std::vector<uint8_t>(data, data + 16));
    EXPECT_EQ(eiota_flash_erased(&ff.flash, 8192, 4096), EIOTA_OK);
    EXPECT_EQ(eiota_flash_prog(&ff.flash, 4096 + 32, data, 16), EIOTA_ERR_STORAGE);  // still programmed
    ASSERT_EQ(eiota_file_flash_close(&ff), EIOTA_OK);
  }
  {
    eiota_file_flash ff;  // reopened smaller: only the first block is the area, the file keeps its length
    ASSERT_EQ(eiota_file_flash_open(&ff, p.c_str(), 4096, 4096, 16, 0xFF), EIOTA_OK);
    ASSERT_EQ(eiota_file_flash_close(&ff), EIOTA_OK);
    EXPECT_EQ(fs::file_size(p), 3u * 4096);
  }
}

TEST_F(FileFlash, AnActivationJournalOnAFileSurvivesAReopen) {
  std::string p = path("journal.bin");
  {
    eiota_file_flash ff;
    ASSERT_EQ(eiota_file_flash_open(&ff, p.c_str(), 2 * 4096, 4096, 8, 0xFF), EIOTA_OK);
    eiota_journal j;
    ASSERT_EQ(eiota_journal_open(&j, &ff.flash, 0, 3), EIOTA_OK);
    eiota_journal_event e = {};
    e.type = EIOTA_JOURNAL_NEW;
    e.slot = EIOTA_SLOT_B;
    e.sequence = 42;
    ASSERT_EQ(eiota_journal_record(&j, &e), EIOTA_OK);
    e = {};
    e.type = EIOTA_JOURNAL_TRIAL;
    ASSERT_EQ(eiota_journal_record(&j, &e), EIOTA_OK);
    ASSERT_EQ(eiota_file_flash_close(&ff), EIOTA_OK);
  }
  eiota_file_flash ff;
  ASSERT_EQ(eiota_file_flash_open(&ff, p.c_str(), 2 * 4096, 4096, 8, 0xFF), EIOTA_OK);
  eiota_journal j;
  ASSERT_EQ(eiota_journal_open(&j, &ff.flash, 0, 3), EIOTA_OK);
  const eiota_journal_status* s = eiota_journal_state(&j);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->active, EIOTA_SLOT_B);
  EXPECT_EQ(s->trial, 1);
  EXPECT_EQ(s->floor, 42u);
  EXPECT_EQ(eiota_file_flash_close(&ff), EIOTA_OK);
}

TEST_F(FileFlash, ReportsAFileItCannotWrite) {
  // A missing folder: neither opened nor created.
  eiota_file_flash ff;
  EXPECT_EQ(eiota_file_flash_open(&ff, path("no/such/dir/x.bin").c_str(), 4096, 4096, 8, 0xFF), EIOTA_ERR_STORAGE);

  // A read-only stream the caller opened: it cannot be extended...
  std::string p = path("ro.bin");
  { std::ofstream(p, std::ios::binary) << std::string(100, '\xff'); }
  FILE* ro = std::fopen(p.c_str(), "rb");
  ASSERT_NE(ro, nullptr);
  EXPECT_EQ(eiota_file_flash_attach(&ff, ro, 4096, 4096, 8, 0xFF), EIOTA_ERR_STORAGE);
  EXPECT_EQ(ff.file, nullptr);
  std::fclose(ro);
  EXPECT_EQ(fs::file_size(p), 100u);

  // ...and one already long enough reads but refuses programs and erases.
  { std::ofstream(p, std::ios::binary) << std::string(4096, '\xff'); }
  ro = std::fopen(p.c_str(), "rb");
  ASSERT_NE(ro, nullptr);
  ASSERT_EQ(eiota_file_flash_attach(&ff, ro, 4096, 4096, 8, 0xFF), EIOTA_OK);
  EXPECT_EQ(eiota_flash_erased(&ff.flash, 0, 4096), EIOTA_OK);
  const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(eiota_flash_prog(&ff.flash, 0, data, 8), EIOTA_ERR_STORAGE);
  EXPECT_EQ(eiota_flash_erase(&ff.flash, 0, 4096), EIOTA_ERR_STORAGE);
  EXPECT_EQ(eiota_file_flash_close(&ff), EIOTA_OK);  // attached: the caller closes
  EXPECT_EQ(std::fclose(ro), 0);

  // A device with no room left: the buffered writes fail when flushed.
  if (fs::exists("/dev/full")) {
    FILE* full = std::fopen("/dev/full", "r+b");
    ASSERT_NE(full, nullptr);
    EXPECT_EQ(eiota_file_flash_attach(&ff, full, 4096, 4096, 8, 0xFF), EIOTA_ERR_STORAGE);
    std::fclose(full);
  }

  // A file that shrank under the area (another program truncated it): reads fail, not garbage.
  std::string t = path("trunc.bin");
  ASSERT_EQ(eiota_file_flash_open(&ff, t.c_str(), 8192, 4096, 8, 0xFF), EIOTA_OK);
  fs::resize_file(t, 4096);
  uint8_t back[8];
  EXPECT_EQ(eiota_flash_read(&ff.flash, 4096, back, 8), EIOTA_ERR_STORAGE);
  EXPECT_EQ(eiota_flash_prog(&ff.flash, 4096, data, 8), EIOTA_ERR_STORAGE);
  EXPECT_EQ(eiota_file_flash_close(&ff), EIOTA_OK);
}

}  // namespace
