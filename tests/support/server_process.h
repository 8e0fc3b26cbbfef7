// ServerProcess: the real `pinfold serve` binary, started on a free loopback port with a fresh
// data folder, as a user would run it; stopped (SIGTERM, then SIGKILL) when destroyed.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace pinfold::testing {

struct ServerOptions {
    std::vector<std::string> extraArgs;  // e.g. {"--agent-limit", "2"}
    std::string enginesFile;             // default: tests/engines/engines.json
    std::string dataDir;                 // default: a fresh temp folder (kept across restart())
};

class ServerProcess {
  public:
    explicit ServerProcess(ServerOptions options = {});
    ~ServerProcess();

    uint16_t port() const { return port_; }
    const std::string& dataDir() const { return dataDir_; }
    std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }

    // Runs `pinfold keys create` on this server's data folder; returns the JWT.
    std::string createKey(const std::string& workspace) const;

    // Stops the server and starts it again on the same port and data folder.
    void restart();
    void stop();
    // The server's stderr so far (its log).
    std::string log() const;

  private:
    void start();

    ServerOptions options_;
    TempDir temp_;
    std::string dataDir_;
    uint16_t port_ = 0;
    pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
uint16_t FreePort();

// The binary under test and the source tree, from the build.
std::string PinfoldBinary();
std::string SourceDir();

}  // namespace pinfold::testing
