// ConsoleService: runs one shell command inside a running agent (POST .../console/exec), as the
// agent's own uid in all of its namespaces. Thread-safe; each call blocks until the command ends
// or times out, so callers run it off the I/O threads.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "runtime/supervisor.h"
#include "services/agent_service.h"

namespace pinfold::services {

struct ExecInput {
    std::string command;
    std::optional<std::string> cwd;    // absolute, or relative to /home/node/clawd
    std::optional<int64_t> timeoutMs;  // default 60 s, at most 10 min
};

struct ExecOutcome {
    runtime::ExecResult result;
    std::string command;
    int64_t timestampMs = 0;
};

class ConsoleService {
  public:
    // Commands that may run at once in one agent: the server's worker threads are shared by all
    // agents, so one agent's token must not be able to take them all.
    static constexpr int kMaxConcurrentPerAgent = 4;

    ConsoleService(AgentService& agents, runtime::Supervisor& supervisor, const Clock& clock);

    Result<ExecOutcome> exec(const std::string& workspace, const std::string& agentId,
                             const ExecInput& input);

  private:
    AgentService& agents_;
    runtime::Supervisor& supervisor_;
    const Clock& clock_;

    std::mutex runningMutex_;             // guards running_
    std::map<std::string, int> running_;  // agent id -> commands running now
};

// "/home/node/clawd" joined with a relative path; absolute paths are returned unchanged.
std::string ResolveAgentPath(const std::string& path);

}  // namespace pinfold::services
