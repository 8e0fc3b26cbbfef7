#include "services/script_service.h"

#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/text.h"
#include "runtime/agent_log.h"
#include "sandbox/safe_files.h"
#include "services/workspace_git.h"

namespace pinfold::services {
namespace {

constexpr const char* kBuild = "build";
constexpr const char* kStart = "start";
constexpr const char* kBuildSource = "script/build";
constexpr const char* kStartSource = "script/start";
constexpr const char* kBuildLog = "/tmp/user-build.log";
constexpr const char* kStartLog = "/tmp/user-start.log";
constexpr const char* kManifestInHome = "clawd/manifest.json";
// Launching start, or stopping the one before it (TERM, up to 5 s, then KILL), takes less.
constexpr auto kStartExecTimeout = std::chrono::seconds(15);
// Of a build's output, the tail read back for the agent's log (then cut to buildLogLines).
constexpr size_t kBuildTailBytes = 16384;
constexpr size_t kCommandShownBytes = 200;

constexpr const char* kInterruptedByServer =
    "Interrupted: the server stopped; runs again when the engine is back";
constexpr const char* kInterruptedByEngine =
    "Interrupted: the engine stopped; runs again when it is back";
constexpr const char* kStartAfterEngine = "Runs again when the engine is back";
constexpr const char* kWaitsForEngine = "Waits for the engine to run";
constexpr const char* kBuildFailedFirst = "Not run: the build failed";

constexpr std::string_view kStateNames[] = {"Not configured", "pending", "running", "success",
                                            "failed"};

ScriptState ParseState(std::string_view name) {
    for (size_t i = 0; i < std::size(kStateNames); ++i) {
        if (kStateNames[i] == name)
            return static_cast<ScriptState>(i);
    }
    return ScriptState::kFailed;  // only this binary writes the column
}

// One shell word: the script reaches `sh -c` exactly as the manifest wrote it.
std::string ShellQuote(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

// A script as one short line of the agent's log.
std::string Shown(std::string_view command) {
    std::string line;
    for (char c : command.substr(0, kCommandShownBytes))
        line += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    if (command.size() > kCommandShownBytes)
        line += "...";
    return "`" + line + "`";
}

std::string DurationText(std::chrono::milliseconds d) {
    if (d.count() % 1000 == 0)
        return std::to_string(d.count() / 1000) + " s";
    return std::to_string(d.count()) + " ms";
}

ScriptView StateOnly(ScriptState state, std::optional<std::string> error = std::nullopt) {
    ScriptView view;
    view.state = state;
    view.error = std::move(error);
    return view;
}

std::vector<std::string_view> Lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        lines.push_back(text.substr(0, nl));
        if (nl == std::string_view::npos)
            break;
        text.remove_prefix(nl + 1);
    }
    return lines;
}

// The exec failed because the sandbox it ran in is gone (stopped, restarting, removed).
bool SandboxGone(const Status& s) {
    return s.IsConflict() || s.IsNotFound();
}

}  // namespace

std::string_view ScriptStateName(ScriptState state) {
    return kStateNames[static_cast<size_t>(state)];
}

AgentScriptsView ScriptsFromRecords(const std::vector<store::ScriptRecord>& records,
                                    runtime::ProcessState engine) {
    AgentScriptsView view;
    for (const store::ScriptRecord& r : records) {
        ScriptView v{ParseState(r.state), r.exitCode, r.startedAtMs, r.finishedAtMs, r.error};
        if (r.script == kBuild)
            view.build = std::move(v);
        else if (r.script == kStart)
            view.start = std::move(v);
    }
    if (view.start.state == ScriptState::kRunning && engine != runtime::ProcessState::kRunning) {
        view.start.state = ScriptState::kPending;
        view.start.error = kStartAfterEngine;
    }
    return view;
}

Result<AgentScriptsView> LoadAgentScripts(store::Db& db, const std::string& agentId,
                                          runtime::ProcessState engine) {
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::ScriptRecord> records,
                             store::ScriptRepository(db).list(agentId));
    return ScriptsFromRecords(records, engine);
}

ScriptService::ScriptService(store::Db& db, runtime::Supervisor& supervisor, const Clock& clock,
                             DataLayout layout, ScriptServiceOptions options)
    : db_(db),
      supervisor_(supervisor),
      clock_(clock),
      layout_(std::move(layout)),
      options_(options),
      cancelFd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    for (size_t i = 0; i < std::max<size_t>(1, options_.workers); ++i)
        workers_.emplace_back([this] { workerMain(); });
    supervisor_.setListener(this);
}

ScriptService::~ScriptService() {
    supervisor_.setListener(nullptr);
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    // Every exec of a job polls this fd: each one's process group is killed at once.
    uint64_t one = 1;
    (void)!::write(cancelFd_.get(), &one, sizeof one);
    wake_.notify_all();
    for (std::thread& worker : workers_)
        worker.join();
}

Status ScriptService::recover() {
    return store::ScriptRepository(db_).requeueRunning(kInterruptedByServer).status();
}

bool ScriptService::stopping() {
    std::lock_guard lock(mu_);
    return stopping_;
}

void ScriptService::enqueueLocked(const std::string& agentId, Job job) {
    Entry& entry = entries_[agentId];
    if (entry.removed)
        return;
    entry.next = std::max(entry.next, job);  // a build's job runs start too, as a boot would
    if (!entry.queued && !entry.active) {
        queue_.push_back(agentId);
        entry.queued = true;
        wake_.notify_one();
    }
}

void ScriptService::record(const std::string& agentId, const char* script, const ScriptView& view) {
    std::lock_guard lock(mu_);
    if (entries_[agentId].removed)
        return;
    store::ScriptRecord r{agentId,       script,           std::string(ScriptStateName(view.state)),
                          view.exitCode, view.startedAtMs, view.finishedAtMs,
                          view.error};
    Status s = store::ScriptRepository(db_).put(r);
    if (!s.ok())
        spdlog::warn("script state of {} not stored: {}", agentId, s.ToString());
}

void ScriptService::log(const std::string& agentId, const char* source, const char* level,
                        std::string message) {
    std::lock_guard lock(mu_);
    // A removed agent's log must not come back to life in the supervisor.
    if (entries_[agentId].removed)
        return;
    supervisor_.appendLog(agentId, {clock_.nowMs(), level, source, std::move(message)});
}

Result<RetryOutcome> ScriptService::retry(const std::string& workspace,
                                          const std::string& agentId) {
    PINFOLD_ASSIGN_OR_RETURN(store::AgentRecord agent,
                             store::AgentRepository(db_).getInWorkspace(workspace, agentId));
    if (!agent.desiredRunning ||
        supervisor_.status(agent.id).state != runtime::ProcessState::kRunning) {
        return Status::Conflict("Agent is not running");
    }
    Result<ManifestScripts> scripts = readScripts(agent);
    if (!scripts.ok()) {
        return Status::InvalidArgument("No build or start script configured: " +
                                       scripts.status().message());
    }
    const bool build = !scripts->build.empty();
    const bool start = !scripts->start.empty();
    if (!build && !start)
        return Status::InvalidArgument("No build or start script configured");
    RetryOutcome outcome;
    {
        std::lock_guard lock(mu_);
        if (stopping_)
            return Status::Internal("Script launch failed: the server is stopping");
        Entry& entry = entries_[agent.id];
        if (entry.building || entry.next == Job::kBuild)
            return Status::Conflict("A build is already running");
        store::ScriptRepository rows(db_);
        for (auto [script, configured] : {std::pair{kBuild, build}, std::pair{kStart, start}}) {
            ScriptState state = configured ? ScriptState::kPending : ScriptState::kNotConfigured;
            Status s = rows.put({agent.id, script, std::string(ScriptStateName(state)),
                                 std::nullopt, std::nullopt, std::nullopt, std::nullopt});
            if (!s.ok())
                return Status::Internal("Script launch failed: " + s.message());
        }
        // Read before the job is queued, so the answer shows what was queued, not a later state.
        PINFOLD_ASSIGN_OR_RETURN(outcome.scripts,
                                 LoadAgentScripts(db_, agent.id, runtime::ProcessState::kRunning));
        enqueueLocked(agent.id, Job::kBuild);
    }
    outcome.message = build && start ? "Running build, then start"
                      : build        ? "Running build"
                                     : "Running start";
    return outcome;
}

void ScriptService::afterPush(const std::string& agentId) {
    const bool running = supervisor_.status(agentId).state == runtime::ProcessState::kRunning;
    std::lock_guard lock(mu_);
    Entry& entry = entries_[agentId];
    if (stopping_ || entry.removed)
        return;
    // A build that runs now keeps showing `running`; the queued one follows it.
    if (!entry.building) {
        std::optional<std::string> waits;
        if (!running)
            waits = kWaitsForEngine;
        Status s = store::ScriptRepository(db_).put(
            {agentId, kBuild, std::string(ScriptStateName(ScriptState::kPending)), std::nullopt,
             std::nullopt, std::nullopt, waits});
        if (!s.ok())
            spdlog::warn("script state of {} not stored: {}", agentId, s.ToString());
    }
    // Not running: the engine's next boot finds the build pending and runs it.
    if (running)
        enqueueLocked(agentId, Job::kBuild);
}

void ScriptService::engineRunning(const std::string& agentId) {
    std::lock_guard lock(mu_);
    if (!stopping_)
        enqueueLocked(agentId, Job::kBoot);
}

void ScriptService::agentRemoving(const std::string& agentId) {
    std::lock_guard lock(mu_);
    // Kept as a tombstone (ids are never reused): a job still running for it, or a trigger
    // racing the deletion, then writes nothing. Its build dies with the sandbox.
    Entry& entry = entries_[agentId];
    entry.removed = true;
    entry.next = Job::kNone;
    Status s = store::ScriptRepository(db_).deleteAll(agentId);
    if (!s.ok())
        spdlog::warn("script states of {} not deleted: {}", agentId, s.ToString());
}

void ScriptService::workerMain() {
    std::unique_lock lock(mu_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_)
            return;
        std::string agentId = std::move(queue_.front());
        queue_.pop_front();
        Entry& entry = entries_[agentId];  // std::map: the reference outlives other inserts
        entry.queued = false;
        if (entry.removed || entry.next == Job::kNone)
            continue;
        Job job = entry.next;
        entry.next = Job::kNone;
        entry.active = true;
        entry.building = job == Job::kBuild;
        lock.unlock();
        runJob(agentId, job);
        lock.lock();
        entry.active = false;
        entry.building = false;
        if (!entry.removed && entry.next != Job::kNone && !stopping_) {
            queue_.push_back(agentId);
            entry.queued = true;
            wake_.notify_one();
        }
    }
}

void ScriptService::runJob(const std::string& agentId, Job job) {
    Result<store::AgentRecord> agent = store::AgentRepository(db_).get(agentId);
    if (!agent.ok())
        return;  // deleted meanwhile
    if (job == Job::kBoot) {
        Result<std::vector<store::ScriptRecord>> rows = store::ScriptRepository(db_).list(agentId);
        if (!rows.ok()) {
            spdlog::warn("script states of {} not read: {}", agentId, rows.status().ToString());
            return;
        }
        bool built = std::any_of(rows->begin(), rows->end(),
                                 [](const store::ScriptRecord& r) { return r.script == kBuild; });
        AgentScriptsView last = ScriptsFromRecords(*rows, runtime::ProcessState::kRunning);
        // The first boot is the deploy; a pending build was queued or cut short before.
        if (!built || last.build.state == ScriptState::kPending ||
            last.build.state == ScriptState::kRunning) {
            job = Job::kBuild;
            std::lock_guard lock(mu_);
            entries_[agentId].building = true;
        } else if (last.build.state == ScriptState::kFailed) {
            if (last.start.state != ScriptState::kNotConfigured) {
                log(agentId, kStartSource, "WARN",
                    "start not run: the last build failed (retry or push to build again)");
            }
            return;
        }
    }

    Result<ManifestScripts> scripts = readScripts(*agent);
    if (!scripts.ok()) {
        const std::string& reason = scripts.status().message();
        // Most agents have no manifest: a plain boot says nothing about it.
        if (job == Job::kBuild || !scripts.status().IsNotFound()) {
            log(agentId, job == Job::kBuild ? kBuildSource : kStartSource, "WARN",
                "no lifecycle scripts: " + reason);
        }
        if (job == Job::kBuild)
            record(agentId, kBuild, StateOnly(ScriptState::kNotConfigured, reason));
        record(agentId, kStart, StateOnly(ScriptState::kNotConfigured, reason));
        return;
    }
    const bool hasStart = !scripts->start.empty();
    if (job == Job::kBuild) {
        if (scripts->build.empty()) {
            record(agentId, kBuild, StateOnly(ScriptState::kNotConfigured));
        } else {
            record(agentId, kStart,
                   StateOnly(hasStart ? ScriptState::kPending : ScriptState::kNotConfigured));
            BuildResult built = runBuild(*agent, scripts->build);
            if (built.state != ScriptState::kSuccess) {
                if (hasStart) {
                    std::string why =
                        built.state == ScriptState::kPending ? *built.error : kBuildFailedFirst;
                    record(agentId, kStart, StateOnly(ScriptState::kPending, why));
                }
                return;
            }
        }
        std::lock_guard lock(mu_);
        entries_[agentId].building = false;
    }
    if (!hasStart) {
        record(agentId, kStart, StateOnly(ScriptState::kNotConfigured));
        return;
    }
    if (!stopping())
        runStart(*agent, scripts->start);
}

Result<ManifestScripts> ScriptService::readScripts(const store::AgentRecord& agent) {
    Result<std::string> text = sandbox::ReadFileInRoot(layout_.agentHome(agent.id), kManifestInHome,
                                                       agent.hostUid, kMaxManifestBytes);
    if (!text.ok()) {
        const Status& s = text.status();
        if (s.IsNotFound())
            return Status::NotFound("manifest.json not found");
        if (s.code() == Status::Code::kTooLarge) {
            return Status::InvalidArgument("manifest.json is larger than " +
                                           std::to_string(kMaxManifestBytes) + " bytes");
        }
        return Status::InvalidArgument("manifest.json cannot be read: " + s.message());
    }
    ManifestCheck check = ValidateManifest(*text);
    if (!check.valid()) {
        std::string reason = "manifest.json is invalid: " + check.errors.front();
        if (check.errors.size() > 1)
            reason += " (and " + std::to_string(check.errors.size() - 1) + " more)";
        return Status::InvalidArgument(reason);
    }
    ManifestScripts scripts = check.manifest->scripts;
    // A NUL would cut the command short on its way to sh.
    if (scripts.build.find('\0') != std::string::npos)
        return Status::InvalidArgument("manifest.json is invalid: scripts.build contains NUL");
    if (scripts.start.find('\0') != std::string::npos)
        return Status::InvalidArgument("manifest.json is invalid: scripts.start contains NUL");
    return scripts;
}

ScriptService::BuildResult ScriptService::runBuild(const store::AgentRecord& agent,
                                                   const std::string& command) {
    const std::string& id = agent.id;
    const int64_t startedAt = clock_.nowMs();
    ScriptView running = StateOnly(ScriptState::kRunning);
    running.startedAtMs = startedAt;
    record(id, kBuild, running);
    log(id, kBuildSource, "INFO", "build started: " + Shown(command));

    // The build's output goes to its log file only, so a process it leaves behind holds no pipe
    // of ours; the file's tail is printed once it exits, for the agent's log.
    runtime::ExecRequest request;
    request.command = "/bin/sh -c " + ShellQuote(command) + " >" + kBuildLog +
                      " 2>&1 </dev/null; code=$?; tail -c " + std::to_string(kBuildTailBytes) +
                      " " + kBuildLog + " | tail -n " + std::to_string(options_.buildLogLines) +
                      "; exit $code";
    request.cwd = kRepositoryRoot;
    request.timeout = options_.buildTimeout;
    request.maxOutputBytes = 2 * kBuildTailBytes;
    request.cancelFd = cancelFd_.get();
    const std::optional<int> engine = supervisor_.status(id).enginePid;
    Result<runtime::ExecResult> out = supervisor_.exec(id, request);
    const int64_t finishedAt = clock_.nowMs();
    // A build killed with its sandbox was cut short, not wrong: it runs again at the next boot.
    auto engineStopped = [&] {
        runtime::ProcessStatus now = supervisor_.status(id);
        return now.state != runtime::ProcessState::kRunning || now.enginePid != engine;
    };

    BuildResult result;
    if (out.ok()) {
        for (std::string_view line : Lines(out->stdoutText))
            log(id, kBuildSource, "INFO", runtime::StripControlSequences(line));
    }
    if (!out.ok()) {
        if (SandboxGone(out.status()) || engineStopped()) {
            result = {ScriptState::kPending, std::nullopt, kInterruptedByEngine};
        } else {
            result = {ScriptState::kFailed, std::nullopt,
                      "Could not run: " + out.status().message()};
        }
    } else if (out->cancelled) {
        result = {ScriptState::kPending, std::nullopt, kInterruptedByServer};
    } else if (out->timedOut) {
        result = {ScriptState::kFailed, std::nullopt,
                  "Timed out after " + DurationText(options_.buildTimeout)};
    } else if (out->exitCode == 0) {
        result = {ScriptState::kSuccess, 0, std::nullopt};
    } else if (engineStopped()) {
        result = {ScriptState::kPending, std::nullopt, kInterruptedByEngine};
    } else {
        result = {ScriptState::kFailed, out->exitCode,
                  "Exited with code " + std::to_string(out->exitCode)};
    }

    ScriptView done = StateOnly(result.state, result.error);
    done.exitCode = result.exitCode;
    if (result.state != ScriptState::kPending) {
        done.startedAtMs = startedAt;
        done.finishedAtMs = finishedAt;
    }
    record(id, kBuild, done);
    std::string took = DurationText(std::chrono::milliseconds(finishedAt - startedAt));
    if (result.state == ScriptState::kSuccess) {
        log(id, kBuildSource, "INFO", "build succeeded in " + took);
    } else if (result.state == ScriptState::kPending) {
        std::string why = *result.error;  // "Interrupted: ..." -> "build interrupted: ..."
        why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
        log(id, kBuildSource, "WARN", "build " + why);
    } else if (out.ok() && out->timedOut) {
        log(id, kBuildSource, "ERROR",
            "build timed out after " + DurationText(options_.buildTimeout) +
                "; its processes were killed (output in " + kBuildLog + ")");
    } else {
        log(id, kBuildSource, "ERROR",
            "build failed: " + *result.error + " (output in " + kBuildLog + ")");
    }
    return result;
}

void ScriptService::runStart(const store::AgentRecord& agent, const std::string& command) {
    const std::string& id = agent.id;
    const std::optional<int> engine = supervisor_.status(id).enginePid;
    std::optional<int> previous;
    {
        std::lock_guard lock(mu_);
        Entry& entry = entries_[id];
        // A group launched in an earlier engine run went with that run's sandbox.
        if (entry.startGroup && entry.startEngine == engine)
            previous = entry.startGroup;
        entry.startGroup.reset();
    }
    runtime::ExecRequest request;
    request.cwd = kRepositoryRoot;
    request.timeout = kStartExecTimeout;
    request.cancelFd = cancelFd_.get();
    if (previous) {
        std::string group = "-" + std::to_string(*previous);
        log(id, kStartSource, "INFO",
            "stopping the start script launched before (process group " +
                std::to_string(*previous) + ")");
        request.command = "kill -TERM " + group + " 2>/dev/null; i=0; while kill -0 " + group +
                          " 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; "
                          "kill -KILL " +
                          group + " 2>/dev/null; true";
        (void)supervisor_.exec(id, request);
    }

    // setsid: a session of its own, so nothing that ends this exec's process group ends it.
    // The background shell is not a group leader, so setsid execs in place and $! is the new
    // session's id.
    request.command = "setsid /bin/sh -c " + ShellQuote(command) + " >" + kStartLog +
                      " 2>&1 </dev/null & echo $!";
    const int64_t startedAt = clock_.nowMs();
    Result<runtime::ExecResult> out = supervisor_.exec(id, request);
    if (!out.ok() && SandboxGone(out.status())) {
        record(id, kStart, StateOnly(ScriptState::kPending, kStartAfterEngine));
        return;
    }
    if (out.ok() && out->cancelled) {
        record(id, kStart, StateOnly(ScriptState::kPending, kInterruptedByServer));
        return;
    }
    int group = 0;
    std::string pidText = out.ok() ? std::string(TrimAscii(out->stdoutText)) : "";
    auto [end, ec] = std::from_chars(pidText.data(), pidText.data() + pidText.size(), group);
    if (!out.ok() || out->exitCode != 0 || ec != std::errc() ||
        end != pidText.data() + pidText.size() || group <= 1) {
        std::string why = !out.ok() ? out.status().message()
                          : !TrimAscii(out->stderrText).empty()
                              ? std::string(TrimAscii(out->stderrText))
                              : "exited with code " + std::to_string(out->exitCode);
        ScriptView failed = StateOnly(ScriptState::kFailed, "Could not start: " + why);
        failed.startedAtMs = startedAt;
        failed.finishedAtMs = clock_.nowMs();
        record(id, kStart, failed);
        log(id, kStartSource, "ERROR", "start failed: could not start: " + why);
        return;
    }
    {
        std::lock_guard lock(mu_);
        Entry& entry = entries_[id];
        entry.startGroup = group;
        entry.startEngine = engine;
    }
    ScriptView launched = StateOnly(ScriptState::kRunning);
    launched.startedAtMs = startedAt;
    record(id, kStart, launched);
    log(id, kStartSource, "INFO",
        "start launched: " + Shown(command) + " (process group " + std::to_string(group) +
            ", detached; output in " + kStartLog + ")");
}

}  // namespace pinfold::services
