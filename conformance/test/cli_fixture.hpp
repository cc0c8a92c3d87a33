// Runs the asyncconf binary as a user would, for the CLI tests: each test
// gets its own directory; stdout and stderr of a run land in files there.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace asyncconf::cli::testing {

namespace fs = std::filesystem;

struct Result {
  int exit_code = -1;  ///< 128 + the signal when killed
  std::string out;
  std::string err;
};

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class CliFixture : public ::testing::Test {
protected:
  /// `prefix` names the test's directory (with the pid and the test's name).
  explicit CliFixture(std::string prefix) : prefix_(std::move(prefix)) {}

  // A test that sets ASYNCREF_FAULT sets it for its own runs only.
  void SetUp() override {
    ::unsetenv("ASYNCREF_FAULT");
    dir_ = fs::path(::testing::TempDir()) /
           (prefix_ + "-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    ::unsetenv("ASYNCREF_FAULT");
    fs::remove_all(dir_);
  }

  /// Starts asyncconf with `args`; stdout and stderr go to files in dir_.
  pid_t spawn(const std::vector<std::string>& args) {
    std::vector<char*> argv{const_cast<char*>(ASYNCCONF_TEST_CLI)};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, (dir_ / "out").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, (dir_ / "err").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0);
    return pid;
  }

  Result wait_for(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    Result r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = read_file(dir_ / "out");
    r.err = read_file(dir_ / "err");
    return r;
  }

  Result run(const std::vector<std::string>& args) { return wait_for(spawn(args)); }

  fs::path dir_;

private:
  std::string prefix_;
};

}  // namespace asyncconf::cli::testing
