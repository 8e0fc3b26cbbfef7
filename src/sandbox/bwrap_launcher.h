// SandboxLauncher: starts one agent's engine in a bubblewrap sandbox, as the agent's own
// unprivileged host uid, in fresh user/pid/net/ipc/uts/cgroup namespaces (uid 1000 "node"
// inside), seeing only read-only system folders, its home and its engine's folders.
//
// BwrapLauncher forks every sandbox from one long-lived thread that it owns: bwrap's
// --die-with-parent follows the thread that forked it, so all sandboxes die with the launcher
// (and with the server). One gap: bwrap's init arms its own parent-death signal a moment after
// it is cloned, so a server killed in that instant leaves a sandbox behind; the next server's
// CgroupManager sweeps the groups of dead servers. launch() may be called from any thread; it
// hands the job to that thread and waits for it.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "sandbox/unique_fd.h"

namespace pinfold::sandbox {

inline constexpr uint32_t kSandboxUid = 1000;  // "node" inside every sandbox
inline constexpr const char* kSandboxHome = "/home/node";
inline constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

// A host folder shown read-only inside the sandbox.
struct SandboxMount {
    std::string hostPath;
    std::string sandboxPath;
};

struct SandboxSpec {
    std::string agentId;   // also the sandbox's hostname
    uint32_t hostUid = 0;  // the agent's unprivileged host uid (and gid); never 0
    std::string homeDir;   // host folder bound read-write at /home/node (see PrepareAgentHome)
    std::vector<std::string> argv;           // the engine command, looked up in PATH inside
    std::map<std::string, std::string> env;  // on top of HOME, USER, LOGNAME and PATH
    std::vector<SandboxMount> mounts;        // read-only
    std::string cwd = "/home/node/clawd";
    // cgroup.procs files the sandbox joins before it drops root (AgentCgroup::procsFiles()).
    std::vector<std::string> cgroupProcsFiles;
};

// A started sandbox. The caller reaps bwrapPid (waitpid) and reads both pipes.
struct LaunchedSandbox {
    pid_t bwrapPid = -1;  // our direct child: the outer bwrap process
    pid_t initPid = -1;   // host pid of pid 1 inside (bwrap's reaper); killing it ends them all
    UniqueFd stdoutFd;    // the engine's stdout and stderr, read ends
    UniqueFd stderrFd;
};

class SandboxLauncher {
  public:
    virtual ~SandboxLauncher() = default;
    // Starts the sandbox and returns once bwrap has created its namespaces. A mount that fails
    // later makes bwrap exit 1 with its message on stderr.
    virtual Result<LaunchedSandbox> launch(const SandboxSpec& spec) = 0;
};

class BwrapLauncher final : public SandboxLauncher {
  public:
    // `bwrapPath` empty: found in PATH. The launcher thread starts here.
    explicit BwrapLauncher(std::string bwrapPath = "");
    // Stops the launcher thread, which kills every sandbox it started (--die-with-parent).
    ~BwrapLauncher() override;

    Result<LaunchedSandbox> launch(const SandboxSpec& spec) override;

  private:
    void threadMain();

    std::string bwrapPath_;  // constant after construction

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> jobs_;  // guarded by mu_
    bool stopping_ = false;                   // guarded by mu_
    std::thread thread_;
};

// The bwrap options for `spec`, as passed through --args (the command follows "--" on the real
// command line). passwd/group/hosts contents come from fds 5, 6 and 7; info goes to fd 4.
std::vector<std::string> BuildBwrapArgs(const SandboxSpec& spec);

// Appends the read-only system folders every sandbox sees: /usr, and /bin, /lib... as folders or
// as the symlinks a merged-/usr system has.
void AppendSystemFolders(std::vector<std::string>& args);

// The generated /etc/passwd, /etc/group and /etc/hosts of a sandbox.
std::string SandboxPasswd();
std::string SandboxGroup();
std::string SandboxHosts(const std::string& hostname);

// Host pid of the engine (pid 2 inside: the first child of the sandbox's init), if it runs.
std::optional<pid_t> FindEnginePid(pid_t initPid);

// Host pids of every process in the sandbox (init's descendants), init first.
std::vector<pid_t> SandboxProcesses(pid_t initPid);

}  // namespace pinfold::sandbox
