// `portico --help` and `portico COMMAND --help` on the real binary: exit 0,
// describe the command's options, and list every environment variable the
// configuration reads, taken from the same table LoadConfig reads
// (src/server/config.h), so a new variable cannot go undocumented.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "src/server/config.h"
#include "support/portico_process.h"
#include "support/test_servers.h"

namespace portico::testing {
namespace {

struct HelpCase {
  std::vector<std::string> args;
  std::vector<std::string> mentions;  // besides every variable
};

const std::vector<HelpCase>& HelpCases() {
  static const std::vector<HelpCase> cases = {
      {{"--help"},
       {"portico serve", "portico migrate", "portico tenant create --slug S --name N",
        "portico webhook add --tenant SLUG --url URL --events", "portico version"}},
      {{"help"}, {"portico serve", "portico clients prune"}},
      {{"-h"}, {"portico serve"}},
      {{"serve", "--help"}, {"Usage: portico serve", "SIGTERM", "PORTICO_TLS_CERT"}},
      {{"migrate", "--help"}, {"Usage: portico migrate"}},
      {{"tenant", "create", "--help"},
       {"Usage: portico tenant create", "--slug S", "--name N", "--modules a,b", "--admin-email E",
        "integrationKey"}},
      {{"tenant", "create", "--slug", "x", "--help"}, {"Usage: portico tenant create"}},
      {{"tenant", "--help"}, {"Usage: portico tenant create"}},
      {{"version", "--help"}, {"Usage: portico version"}},
      {{"clients", "prune", "--help"}, {"Usage: portico clients prune", "DCR_CLIENT_TTL_DAYS"}},
      {{"webhook", "add", "--help"},
       {"Usage: portico webhook add", "--tenant SLUG", "--url URL", "--events",
        "scim.user.created"}},
      {{"webhook", "list", "--help"}, {"Usage: portico webhook list", "--tenant SLUG"}},
      {{"webhook", "remove", "--help"},
       {"Usage: portico webhook remove", "--tenant SLUG", "--id ID"}},
      {{"webhook", "--help"},
       {"Usage: portico webhook add", "Usage: portico webhook list",
        "Usage: portico webhook remove"}},
      {{"help", "webhook", "remove"}, {"Usage: portico webhook remove"}},
  };
  return cases;
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

TEST(CliHelpTest, EveryCommandsHelpExitsZeroDescribingItsOptionsAndEveryVariable) {
  ASSERT_FALSE(server::ConfigVariables().empty());
  // Help never opens the database: run where one would be created.
  const std::filesystem::path cwd = MakeTempDir();
  for (const HelpCase& c : HelpCases()) {
    const CommandResult r = RunPortico(c.args, {}, cwd.string());
    EXPECT_EQ(r.exit_code, 0) << Join(c.args) << "\n" << r.err;
    EXPECT_EQ(r.err, "") << Join(c.args);
    for (const std::string& text : c.mentions) {
      EXPECT_NE(r.out.find(text), std::string::npos) << Join(c.args) << " lacks " << text;
    }
    for (const server::ConfigVariable& v : server::ConfigVariables()) {
      const std::string name(v.name);
      EXPECT_NE(r.out.find("  " + name + " "), std::string::npos)
          << Join(c.args) << " lacks " << name;
      EXPECT_NE(r.out.find(std::string(v.description)), std::string::npos)
          << Join(c.args) << " lacks the description of " << name;
      if (!v.default_value.empty()) {
        EXPECT_NE(r.out.find("(default " + std::string(v.default_value) + ")"), std::string::npos)
            << Join(c.args) << " lacks the default of " << name;
      }
    }
  }
  EXPECT_TRUE(std::filesystem::is_empty(cwd)) << "help created files in " << cwd;
  std::filesystem::remove_all(cwd);
}

TEST(CliHelpTest, HelpForAnUnknownCommandIsAUsageError) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"frobnicate", "--help"}, {"help", "frobnicate"}}) {
    const CommandResult r = RunPortico(args, {});
    EXPECT_EQ(r.exit_code, 2) << Join(args);
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

// packaging/portico.env.example documents every variable, commented out.
TEST(CliHelpTest, ExampleEnvironmentFileListsEveryVariable) {
  const std::string example =
      ReadFile(std::filesystem::path(PORTICO_SOURCE_DIR) / "packaging" / "portico.env.example");
  ASSERT_FALSE(example.empty());
  for (const server::ConfigVariable& v : server::ConfigVariables()) {
    const std::string line = "\n#" + std::string(v.name) + "=";
    EXPECT_NE(example.find(line), std::string::npos) << "portico.env.example lacks " << v.name;
  }
}

}  // namespace
}  // namespace portico::testing
