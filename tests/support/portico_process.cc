#include "portico_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace portico::testing {
namespace {

std::vector<std::string> EnvStrings(const EnvVars& env) {
  std::vector<std::string> out;
  bool has_path = false;
  for (const auto& [k, v] : env) {
    out.push_back(k + "=" + v);
    has_path |= (k == "PATH");
  }
  if (!has_path) out.push_back("PATH=/usr/local/bin:/usr/bin:/bin");
  return out;
}

// fork + exec with stdout/stderr redirected to files.
pid_t Spawn(const std::vector<std::string>& args, const EnvVars& env, const std::string& cwd,
            const std::string& out_path, const std::string& err_path) {
  std::vector<std::string> env_strings = EnvStrings(env);
  std::string binary = PorticoBinary();
  std::vector<char*> argv;
  argv.push_back(binary.data());
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, 1);
    dup2(err, 2);
    const int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string TempPath(const std::string& stem) {
  char dir[] = "/tmp/portico-proc.XXXXXX";
  if (mkdtemp(dir) == nullptr) return "/tmp/" + stem;
  return std::string(dir) + "/" + stem;
}

std::optional<int> WaitPid(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return -WTERMSIG(status);
      return -1;
    }
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

std::string PorticoBinary() {
  const char* bin = std::getenv("PORTICO_BIN");
  return bin ? bin : "portico";
}

CommandResult RunPortico(const std::vector<std::string>& args, const EnvVars& env,
                         const std::string& cwd, std::chrono::milliseconds timeout) {
  const std::string out_path = TempPath("out");
  const std::string err_path = out_path.substr(0, out_path.rfind('/')) + "/err";
  CommandResult result;
  const pid_t pid = Spawn(args, env, cwd, out_path, err_path);
  if (pid < 0) return result;
  std::optional<int> code = WaitPid(pid, timeout);
  if (!code) {
    kill(pid, SIGKILL);
    code = WaitPid(pid, std::chrono::seconds(5));
    result.exit_code = -1;
  } else {
    result.exit_code = *code;
  }
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  std::error_code ignored;
  std::filesystem::remove_all(std::filesystem::path(out_path).parent_path(), ignored);
  return result;
}

PorticoServer::~PorticoServer() {
  Kill();
  if (!log_path_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(std::filesystem::path(log_path_).parent_path(), ignored);
  }
}

bool PorticoServer::Start(const EnvVars& env_in, std::string* error,
                          std::chrono::milliseconds timeout) {
  EnvVars env = env_in;
  if (!env.count("PORTICO_LISTEN")) env["PORTICO_LISTEN"] = "127.0.0.1:0";
  log_path_ = TempPath("server.log");
  const std::string out_path = log_path_ + ".out";
  pid_ = Spawn({"serve"}, env, "", out_path, log_path_);
  exit_code_.reset();
  static const std::regex kListening(R"re("event":"listening".*"port":(\d+))re");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string log = Log();
    std::smatch m;
    if (std::regex_search(log, m, kListening)) {
      port_ = static_cast<uint16_t>(std::stoi(m[1]));
      return true;
    }
    if (auto code = WaitPid(pid_, std::chrono::milliseconds(0))) {
      exit_code_ = code;
      pid_ = -1;
      if (error) *error = "portico exited with " + std::to_string(*code) + ":\n" + Log();
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (error) *error = "portico did not listen in time:\n" + Log();
  Kill();
  return false;
}

void PorticoServer::Signal(int signal) {
  if (pid_ > 0) kill(pid_, signal);
}

std::optional<int> PorticoServer::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return exit_code_;
  std::optional<int> code = WaitPid(pid_, timeout);
  if (code) {
    exit_code_ = code;
    pid_ = -1;
  }
  return code;
}

void PorticoServer::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  Wait(std::chrono::seconds(10));
}

std::string PorticoServer::Log() const { return log_path_.empty() ? "" : ReadFile(log_path_); }

bool PorticoServer::WaitForLog(const std::string& needle, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Log().find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

uint16_t FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace portico::testing
