// The command line's own contract (docs/CLI.md): --version, labelled errors, exit codes.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <regex>
#include <string>

#include "test_support.h"

namespace {

using namespace eiota::test;

TEST(Cli, VersionNamesTheToolAndThePayloadFormat) {
  Result r = run(kCli + " --version");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(std::regex_match(r.out, std::regex(R"(eiota \d+\.\d+\.\d+ \(payload format 1\.3, reads 1\.0 to 1\.3\)\n)"))) << r.out;
}

TEST(Cli, ErrorsAreLabelledWithTheVerbAndExitOne) {
  Result r = run(kCli + " pack --base /nonexistent/eiota-base new -o /nonexistent/x.eiota --key /nonexistent/k.key");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_EQ(r.out.rfind("eiota pack: ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("/nonexistent/eiota-base"), std::string::npos) << r.out;
  r = run(kCli + " verify /nonexistent/p.eiota --key /nonexistent/k.pub");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_EQ(r.out.rfind("eiota verify: ", 0), 0u) << r.out;
}

// A sequence a device could apply but never move past (-1 wraps to 2^64-1), or the factory's 0,
// is refused before anything is read; no --sequence means seconds since 1970.
TEST(Cli, SequenceMustBeAReleaseNumber) {
  for (const char* bad : {"-1", "0", "18446744073709551615", "abc"}) {
    Result r = run(kCli + " pack --base /nonexistent/b new -o /nonexistent/x.eiota --sequence " + bad);
    EXPECT_EQ(r.code, 1) << bad << ": " << r.out;
    EXPECT_NE(r.out.find("eiota pack: --sequence: '" + std::string(bad) + "'"), std::string::npos) << r.out;
  }
}

TEST(Cli, ParseErrorsKeepCli11ExitCodes) {
  EXPECT_EQ(run(kCli).code, 106);                                  // no verb
  EXPECT_EQ(run(kCli + " pack --base b new").code, 106);           // -o missing
  EXPECT_EQ(run(kCli + " patch e -o x --reserve abc").code, 104);
  EXPECT_EQ(run(kCli + " patch e -o x --no-such-flag").code, 109);
}

}  // namespace
