// Supervisor: owns every running agent sandbox on this server. Starts each agent's engine under
// bubblewrap, health-checks it (starting -> running), restarts it with backoff when it crashes,
// keeps its log ring, and runs exec, file and socket operations inside the agent's namespaces.
//
// Thread-safe: every public method may be called from any thread. Sandboxes are launched from
// one long-lived thread (bwrap's --die-with-parent follows the launching thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "runtime/engine.h"

namespace pinfold::runtime {

enum class ProcessState { kStarting, kRunning, kNotRunning };

std::string_view ProcessStateName(ProcessState s);  // "starting", "running", "not_running"

// A value masked as "[secret:NAME]" in an agent's log lines.
struct LogRedaction {
    std::string name;
    std::string value;
};

// Everything needed to (re)start one agent. The service layer builds it from the stored agent.
struct AgentLaunchSpec {
    std::string agentId;
    uint32_t hostUid = 0;  // the agent's own unprivileged host uid (and gid)
    std::string homeDir;   // host folder mounted at /home/node, owned by hostUid
    std::string logFile;   // host file where the agent's log lines persist (outside homeDir)
    EngineDefinition engine;
    std::string engineVersion;
    std::string gatewayToken;
    std::map<std::string, std::string> env;  // extra environment, the agent's secrets included
    uint64_t memoryLimitBytes = 0;           // 0 = no limit
    uint32_t pidsLimit = 0;                  // 0 = no limit
    // Secret values masked in the agent's log lines; gatewayToken is always masked as well.
    std::vector<LogRedaction> redact;
};

struct ProcessStatus {
    ProcessState state = ProcessState::kNotRunning;
    std::optional<int> enginePid;  // host pid of the engine (pid 2 in the sandbox)
    int restarts = 0;              // crash restarts since the last explicit start
    std::string lastError;         // why it is not running, when known
};

struct ExecRequest {
    std::string command;  // run as `sh -c command`
    std::string cwd = "/home/node/clawd/workspace";
    std::chrono::milliseconds timeout{60000};
    size_t maxOutputBytes = 1 << 20;  // per stream
    // An fd that becomes readable to cancel the command (killed as on timeout); -1: none.
    int cancelFd = -1;
};

struct ExecResult {
    std::string stdoutText;
    std::string stderrText;
    int exitCode = 0;
    bool truncated = false;  // stdout or stderr hit maxOutputBytes
    bool timedOut = false;
    bool cancelled = false;  // ended through ExecRequest::cancelFd
};

struct LogLine {
    int64_t timestampMs = 0;
    std::string level;   // "INFO", "ERROR", ...
    std::string source;  // "engine/stdout", "engine/stderr", "supervisor"
    std::string message;
};

// Told what happens to supervised agents, from the supervisor's own threads. Calls must return
// quickly: they hold up the agent's health checks or its removal.
class SupervisorListener {
  public:
    virtual ~SupervisorListener() = default;
    // The engine passed its health check after a start, restart or crash restart: one boot.
    virtual void engineRunning(const std::string& agentId) = 0;
    // remove() is about to stop the agent and forget it.
    virtual void agentRemoving(const std::string& agentId) = 0;
};

class Supervisor {
  public:
    virtual ~Supervisor() = default;

    // Starts the agent (if not already running); returns at once with state kStarting.
    virtual Status start(const AgentLaunchSpec& spec) = 0;
    // Stops the engine (SIGTERM, then SIGKILL of the whole sandbox after `grace`) and waits.
    virtual Status stop(const std::string& agentId, std::chrono::milliseconds grace) = 0;
    // stop() then start() with the new spec; the returned pid is the one that was stopped.
    virtual Result<std::optional<int>> restart(const AgentLaunchSpec& spec) = 0;
    // Stops the agent and forgets it (its log ring too).
    virtual Status remove(const std::string& agentId) = 0;
    // Makes the agent known without starting it, so that its persisted log lines can be read
    // (after a server restart, for agents that stay stopped). Does nothing by default.
    virtual void track(const AgentLaunchSpec& spec) { (void)spec; }

    virtual ProcessStatus status(const std::string& agentId) const = 0;

    // The last `n` log lines (from memory, or from the log file after a server restart).
    virtual std::vector<LogLine> lastLogLines(const std::string& agentId, size_t n) const = 0;
    // Appends a supervisor line to the agent's log (e.g. "engine not installed").
    virtual void appendLog(const std::string& agentId, LogLine line) = 0;

    // Runs a command inside all of the agent's namespaces as its uid. Conflict when not running.
    virtual Result<ExecResult> exec(const std::string& agentId, const ExecRequest& req) = 0;

    // A connected TCP socket to 127.0.0.1:port inside the agent's network namespace; the caller
    // owns the fd. Conflict when the agent is not running.
    virtual Result<int> connect(const std::string& agentId, uint16_t port) = 0;

    // The agent's filesystem root as the server may open it: "/proc/<pid>/root" while running.
    virtual std::optional<std::string> sandboxRoot(const std::string& agentId) const = 0;

    // The one listener (nullptr: none). Returns once no call to the previous one runs, so that
    // one may be destroyed right after it is replaced.
    virtual void setListener(SupervisorListener* listener) = 0;
};

}  // namespace pinfold::runtime
