#pragma once

#include <string>
#include <vector>

namespace portico::server {

// Exit codes: 0 success, 1 runtime failure (database down, slug taken),
// 2 usage or configuration error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// `portico serve | migrate | tenant create … | version | help`.
int RunCli(const std::vector<std::string>& args);

}  // namespace portico::server
