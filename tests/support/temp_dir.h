// TempDir: a fresh folder under /tmp for one test, removed with everything in it afterwards.
#pragma once

#include <string>

namespace pinfold::testing {

class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

// Runs a command through /bin/sh and returns its stdout; exitCode receives the exit status.
std::string RunShell(const std::string& command, int* exitCode = nullptr);

}  // namespace pinfold::testing
