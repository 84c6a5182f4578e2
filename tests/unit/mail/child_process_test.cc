#include "tests/support/child_process.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <string>

#include "tests/support/test_servers.h"

namespace portico::testing {
namespace {

TEST(ChildProcessTest, ReadsStdoutLinesInOrder) {
  ChildProcess child;
  ASSERT_TRUE(child.Start({"/bin/sh", "-c", "echo first; echo second"}));
  EXPECT_GT(child.pid(), 0);
  EXPECT_EQ(child.ReadLine(std::chrono::seconds(5)), "first");
  EXPECT_EQ(child.ReadLine(std::chrono::seconds(5)), "second");
  EXPECT_EQ(child.ReadLine(std::chrono::seconds(5)), std::nullopt);  // EOF
}

TEST(ChildProcessTest, ReadLineGivesUpAfterTheTimeout) {
  ChildProcess child;
  ASSERT_TRUE(child.Start({"/bin/sleep", "30"}));
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(child.ReadLine(std::chrono::milliseconds(200)), std::nullopt);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  int status = child.Terminate();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
  EXPECT_FALSE(child.running());
}

TEST(ChildProcessTest, StartFailsForAMissingProgram) {
  ChildProcess child;
  std::string error;
  EXPECT_FALSE(child.Start({"/nonexistent/program"}, &error));
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(child.running());
}

TEST(ChildProcessTest, SupportServersExitCleanlyOnSigterm) {
  for (const char* script : {"smtp_sink.py", "http_recorder.py"}) {
    std::filesystem::path dir = MakeTempDir();
    ChildProcess child;
    std::vector<std::string> args = {"--port", "0", "--dir", dir.string()};
    if (std::string(script) == "http_recorder.py") {
      args = {"--port", "0", "--out", (dir / "out.jsonl").string()};
    }
    ASSERT_NE(StartSupportScript(child, script, args), 0) << script;
    int status = child.Terminate(std::chrono::seconds(10));
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << script << " status " << status;
    std::filesystem::remove_all(dir);
  }
}

}  // namespace
}  // namespace portico::testing
