// LocalSupervisor::runSandboxOnce: one sandbox's life, from launch to exit: the engine's output
// into the log, the health checks (starting -> running), the start timeout, and stop (SIGTERM,
// grace, then SIGKILL of the sandbox's init).

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "runtime/agent_state.h"
#include "runtime/engine_config.h"
#include "runtime/health_check.h"
#include "sandbox/agent_home.h"
#include "sandbox/bwrap_launcher.h"

namespace pinfold::runtime {
namespace {

constexpr size_t kMaxLineBytes = 16384;

// Splits a pipe's bytes into log lines; a line longer than kMaxLineBytes is cut.
class LineSplitter {
  public:
    template <typename Emit>
    void feed(const char* data, size_t size, Emit&& emit) {
        buffer_.append(data, size);
        size_t start = 0;
        for (;;) {
            size_t nl = buffer_.find('\n', start);
            if (nl == std::string::npos)
                break;
            emit(buffer_.substr(start, nl - start));
            start = nl + 1;
        }
        buffer_.erase(0, start);
        while (buffer_.size() > kMaxLineBytes) {
            emit(buffer_.substr(0, kMaxLineBytes));
            buffer_.erase(0, kMaxLineBytes);
        }
    }
    template <typename Emit>
    void flush(Emit&& emit) {
        if (!buffer_.empty())
            emit(buffer_);
        buffer_.clear();
    }

  private:
    std::string buffer_;
};

std::string DescribeExit(int waitStatus) {
    if (WIFSIGNALED(waitStatus)) {
        return "engine was killed by signal " + std::to_string(WTERMSIG(waitStatus));
    }
    int code = WIFEXITED(waitStatus) ? WEXITSTATUS(waitStatus) : -1;
    // bwrap reports an engine killed by signal S as exit code 128 + S.
    if (code > 128 && code <= 128 + 64) {
        return "engine was killed by signal " + std::to_string(code - 128);
    }
    return "engine exited with code " + std::to_string(code);
}

// True while `pid` runs; a zombie (waiting for its parent to reap it) counts as gone.
bool Alive(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat))
        return false;
    size_t close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

void WaitUntilGone(pid_t pid, milliseconds limit) {
    SteadyTime start = std::chrono::steady_clock::now();
    while (Alive(pid) && Since(start) < limit) {
        std::this_thread::sleep_for(milliseconds(5));
    }
}

}  // namespace

LocalSupervisor::RunOutcome LocalSupervisor::runSandboxOnce(const std::shared_ptr<Agent>& agent) {
    RunOutcome outcome;
    AgentLaunchSpec spec;
    std::shared_ptr<AgentLog> agentLog;
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (agent->stopRequested) {
            outcome.stopped = true;
            return outcome;
        }
        spec = agent->spec;
        agentLog = agent->log;
    }
    const EngineDefinition& engine = spec.engine;
    std::string version = !spec.engineVersion.empty() ? spec.engineVersion
                          : engine.versions.empty()   ? ""
                                                      : engine.versions.front();

    Status home = sandbox::PrepareAgentHome(spec.homeDir, spec.hostUid);
    if (!home.ok()) {
        outcome.reason = "cannot prepare the agent's home: " + home.message();
        log(*agent, "ERROR", outcome.reason);
        return outcome;
    }
    Status config = PrepareEngineConfig(spec);
    if (!config.ok())
        log(*agent, "WARN", "engine config not written: " + config.message());

    sandbox::AgentCgroup cgroup;
    bool limited = spec.memoryLimitBytes > 0 || spec.pidsLimit > 0;
    if (limited && (!cgroups_ || !cgroups_->support().supported)) {
        log(*agent, "WARN", "memory and pids limits not applied: " + cgroupSupportText());
    }
    if (cgroups_ && cgroups_->support().supported) {
        sandbox::CgroupLimits limits{spec.memoryLimitBytes, spec.pidsLimit};
        Result<sandbox::AgentCgroup> made = cgroups_->create(spec.agentId, limits);
        if (made.ok()) {
            cgroup = std::move(*made);
            if (!cgroup.note.empty())
                log(*agent, "WARN", cgroup.note);
        } else {
            log(*agent, "WARN", "no cgroup: " + made.status().message());
        }
    }

    sandbox::SandboxSpec box;
    box.agentId = spec.agentId;
    box.hostUid = spec.hostUid;
    box.homeDir = spec.homeDir;
    for (const auto& arg : engine.command) {
        box.argv.push_back(ExpandPlaceholders(arg, engine.port, spec.gatewayToken, version));
    }
    for (const auto& [k, v] : engine.env) {
        box.env[k] = ExpandPlaceholders(v, engine.port, spec.gatewayToken, version);
    }
    for (const auto& [k, v] : spec.env)
        box.env[k] = v;
    for (const auto& m : engine.mounts) {
        // bwrap runs as the agent's uid and must reach the folder to bind it.
        if (::access(m.hostPath.c_str(), F_OK) == 0)
            sandbox::MakeParentsTraversable(m.hostPath);
        box.mounts.push_back({m.hostPath, m.sandboxPath});
    }
    box.cgroupProcsFiles = cgroup.procsFiles();

    log(*agent, "INFO", "starting engine " + engine.id + (version.empty() ? "" : " " + version));
    Result<sandbox::LaunchedSandbox> launched = launcher_->launch(box);
    if (!launched.ok()) {
        outcome.reason = "cannot start the sandbox: " + launched.status().message();
        log(*agent, "ERROR", outcome.reason);
        if (!cgroup.dirs.empty())
            cgroups_->remove(cgroup);
        return outcome;
    }
    sandbox::LaunchedSandbox sb = std::move(*launched);
    sandbox::UniqueFd pidFd(static_cast<int>(::syscall(SYS_pidfd_open, sb.bwrapPid, 0)));
    {
        std::lock_guard<std::mutex> lock(mu_);
        agent->initPid = sb.initPid;
        agent->cgroup = cgroup;
    }

    LineSplitter splitters[2];
    const char* sources[2] = {"engine/stdout", "engine/stderr"};
    const char* levels[2] = {"INFO", "ERROR"};
    auto emit = [&](int stream) {
        return [&, stream](const std::string& text) {
            agentLog->append({options_.clock->nowMs(), levels[stream], sources[stream],
                              StripControlSequences(text)});
        };
    };
    sandbox::UniqueFd* pipes[2] = {&sb.stdoutFd, &sb.stderrFd};
    auto pump = [&](int stream) {
        char buf[65536];
        ssize_t n = ::read(pipes[stream]->get(), buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            return;
        if (n <= 0) {
            splitters[stream].flush(emit(stream));
            pipes[stream]->reset();
            return;
        }
        splitters[stream].feed(buf, static_cast<size_t>(n), emit(stream));
    };

    SteadyTime startedAt = std::chrono::steady_clock::now();
    // A starting engine is asked early and then less often (10 ms, doubling up to
    // healthInterval): a quick engine shows as running within milliseconds, a slow one
    // (OpenClaw: 10-20 s) costs a handful of extra probes.
    milliseconds startingProbeDelay{10};
    SteadyTime nextHealth = startedAt + startingProbeDelay;
    SteadyTime stopDeadline{};
    SteadyTime killedAt{};
    std::optional<pid_t> enginePid;
    bool running = false;
    auto runningSince = options_.clock->steadyNow();
    bool stopping = false;
    bool killed = false;
    bool exited = false;
    int waitStatus = 0;

    // Killing bwrap's init ends every process of the sandbox's pid namespace; the outer bwrap
    // then reaps it and exits by itself. Killing the outer one first would orphan the init.
    auto killSandbox = [&] {
        ::kill(sb.initPid, SIGKILL);
        killed = true;
        killedAt = std::chrono::steady_clock::now();
    };

    while (!exited) {
        // The pidfd in the poll set below wakes the loop when bwrap exits.
        pid_t reaped = ::waitpid(sb.bwrapPid, &waitStatus, WNOHANG);
        if (reaped == sb.bwrapPid || (reaped < 0 && errno == ECHILD)) {
            exited = true;
            break;
        }
        bool stopNow;
        milliseconds grace;
        {
            std::lock_guard<std::mutex> lock(mu_);
            stopNow = agent->stopRequested;
            grace = agent->stopGrace;
        }
        if (stopNow && !stopping) {
            stopping = true;
            log(*agent, "INFO", "stopping engine");
            if (!enginePid)
                enginePid = sandbox::FindEnginePid(sb.initPid);
            if (enginePid && grace.count() > 0) {
                ::kill(*enginePid, SIGTERM);
                stopDeadline = std::chrono::steady_clock::now() + grace;
            } else {
                killSandbox();
            }
        }
        if (stopping && !killed && std::chrono::steady_clock::now() >= stopDeadline) {
            log(*agent, "WARN", "engine did not stop within " + Seconds(grace) + "; killing it");
            killSandbox();
        }
        if (killed && Since(killedAt) > milliseconds(3000)) {
            // Only when bwrap itself is stuck: take everything down from outside.
            if (!cgroup.dirs.empty())
                cgroups_->killAll(cgroup);
            ::kill(sb.bwrapPid, SIGKILL);
            if (Since(killedAt) > milliseconds(10000))
                break;
        }

        if (!stopping && !enginePid) {
            enginePid = sandbox::FindEnginePid(sb.initPid);
            if (enginePid) {
                std::lock_guard<std::mutex> lock(mu_);
                agent->enginePid = *enginePid;
            }
        }
        if (!stopping && !killed && enginePid && std::chrono::steady_clock::now() >= nextHealth) {
            bool healthy =
                ProbeHealth(sb.initPid, engine.port, engine.healthPath, options_.healthTimeout);
            if (healthy && !running) {
                running = true;
                runningSince = options_.clock->steadyNow();
                bool booted = false;
                {
                    std::lock_guard<std::mutex> lock(mu_);
                    if (!agent->stopRequested) {
                        agent->state = ProcessState::kRunning;
                        booted = true;
                    }
                    agent->lastError.clear();
                }
                log(*agent, "INFO", "engine is running (health check passed)");
                if (booted)
                    notify(&SupervisorListener::engineRunning, agent->id);
            }
            startingProbeDelay = std::min(startingProbeDelay * 2, options_.healthInterval);
            nextHealth = std::chrono::steady_clock::now() +
                         (running ? options_.runningHealthInterval : startingProbeDelay);
        }
        if (!running && !stopping && !killed && Since(startedAt) > options_.startTimeout) {
            outcome.reason =
                "engine did not pass its health check within " + Seconds(options_.startTimeout);
            log(*agent, "ERROR", outcome.reason + "; killing it");
            killSandbox();
        }

        pollfd fds[4];
        int n = 0;
        int at[2] = {-1, -1};
        for (int i = 0; i < 2; ++i) {
            if (!pipes[i]->valid())
                continue;
            at[i] = n;
            fds[n++] = {pipes[i]->get(), POLLIN, 0};
        }
        if (pidFd.valid())
            fds[n++] = {pidFd.get(), POLLIN, 0};
        fds[n++] = {agent->wakeFd.get(), POLLIN, 0};
        int waitMs = 100;
        if (!running && !stopping) {
            auto toHealth = std::chrono::duration_cast<milliseconds>(
                nextHealth - std::chrono::steady_clock::now());
            waitMs = static_cast<int>(std::clamp<int64_t>(toHealth.count(), 0, 100));
        }
        int ready = ::poll(fds, n, waitMs);
        if (ready <= 0)
            continue;
        for (int i = 0; i < 2; ++i) {
            if (at[i] >= 0 && (fds[at[i]].revents & (POLLIN | POLLHUP | POLLERR)))
                pump(i);
        }
        agent->drainWake();
    }
    if (!exited) {
        ::kill(sb.bwrapPid, SIGKILL);
        ::waitpid(sb.bwrapPid, &waitStatus, 0);
    }
    // What the engine printed last is still in the pipes; nothing else can hold them once the
    // pid namespace is gone, but bound the wait anyway.
    SteadyTime drainStart = std::chrono::steady_clock::now();
    while ((pipes[0]->valid() || pipes[1]->valid()) && Since(drainStart) < milliseconds(500)) {
        for (int i = 0; i < 2; ++i) {
            if (!pipes[i]->valid())
                continue;
            pollfd p{pipes[i]->get(), POLLIN, 0};
            if (::poll(&p, 1, 50) > 0) {
                pump(i);
            } else {
                splitters[i].flush(emit(i));
                pipes[i]->reset();
            }
        }
    }
    ::kill(sb.initPid, SIGKILL);
    WaitUntilGone(sb.initPid, milliseconds(5000));
    if (!cgroup.dirs.empty()) {
        Status removed = cgroups_->remove(cgroup);
        if (!removed.ok())
            log(*agent, "WARN", removed.message());
    }
    {
        std::lock_guard<std::mutex> lock(mu_);
        agent->enginePid.reset();
        agent->initPid = -1;
        agent->cgroup = {};
    }

    outcome.stopped = stopping;
    if (running) {
        outcome.healthyFor =
            std::chrono::duration_cast<milliseconds>(options_.clock->steadyNow() - runningSince);
    }
    if (stopping) {
        log(*agent, "INFO", "engine stopped");
    } else {
        std::string exit = DescribeExit(waitStatus);
        if (outcome.reason.empty())
            outcome.reason = exit;
        log(*agent, "ERROR", exit);
    }
    return outcome;
}

}  // namespace pinfold::runtime
