#include "sandbox/ns_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "sandbox/bwrap_launcher.h"
#include "sandbox/child_util.h"
#include "sandbox/output_collector.h"
#include "sandbox/unique_fd.h"

namespace pinfold::sandbox {
namespace {

// Records the children send on the status pipe: a type byte and an int.
enum : char {
    kRecordPid = 'P',       // the intermediate child: host pid of the command
    kRecordSetns = 'S',     // the intermediate child: entering namespace #value failed
    kRecordCwd = 'C',       // the command's child: chdir failed with errno value
    kRecordIdentity = 'U',  // the command's child: setresuid/setresgid failed
    kRecordExec = 'E',      // the command's child: execve failed with errno value
};

struct Record {
    char type;
    int value;
    int err;  // errno of the failed step
};

void SendRecord(int fd, char type, int value) {
    Record r{type, value, errno};
    child::WriteAll(fd, &r, sizeof r);
}

// Reads one record; false at EOF (the command was exec'd) or after `timeout`.
bool ReadRecord(int fd, Record* out, std::chrono::milliseconds timeout) {
    size_t got = 0;
    char* p = reinterpret_cast<char*>(out);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (got < sizeof *out) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return false;
        pollfd pfd{fd, POLLIN, 0};
        int r = ::poll(&pfd, 1, static_cast<int>(left.count()));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        ssize_t n = ::read(fd, p + got, sizeof *out - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        got += static_cast<size_t>(n);
    }
    return true;
}

// The namespaces in the order they are entered. The user namespace comes last: bwrap's
// --disable-userns moves the sandbox into a nested user namespace after the others were made,
// so they belong to its parent, and capabilities gained by entering the nested one first would
// not reach them. Host root may enter them all; the user namespace and the uid switch after it
// then take every privilege away before anything of the agent's runs.
constexpr const char* kNamespaces[] = {"mnt", "pid", "net", "ipc", "uts", "cgroup", "user"};
constexpr int kNamespaceTypes[] = {CLONE_NEWNS,  CLONE_NEWPID,    CLONE_NEWNET, CLONE_NEWIPC,
                                   CLONE_NEWUTS, CLONE_NEWCGROUP, CLONE_NEWUSER};
constexpr int kNamespaceCount = 7;

Result<Pipe> MakePipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return Status::Internal(std::string("pipe2 failed: ") + std::strerror(errno));
    }
    return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace

Result<ProcessOutput> ExecInNamespaces(const NsExecRequest& req) {
    if (req.targetPid <= 0)
        return Status::InvalidArgument("Invalid sandbox pid");
    if (req.command.empty())
        return Status::InvalidArgument("Invalid command: empty");
    std::string procDir = "/proc/" + std::to_string(req.targetPid);
    // All namespace fds are opened before the first setns(): after entering the mount
    // namespace, /proc would no longer be the host's.
    UniqueFd nsFds[kNamespaceCount];
    for (int i = 0; i < kNamespaceCount; ++i) {
        nsFds[i].reset(::open((procDir + "/ns/" + kNamespaces[i]).c_str(), O_RDONLY | O_CLOEXEC));
        if (!nsFds[i]) {
            if (errno == ENOENT || errno == ESRCH) {
                return Status::NotFound("Sandbox process " + std::to_string(req.targetPid) +
                                        " not found");
            }
            return Status::Internal(std::string("cannot open ") + kNamespaces[i] +
                                    " namespace: " + std::strerror(errno));
        }
    }
    UniqueFd rootFd(::open((procDir + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!rootFd)
        return Status::NotFound("Sandbox process " + std::to_string(req.targetPid) + " not found");

    // Built before fork(): the children only make async-signal-safe calls.
    std::map<std::string, std::string> env = {
        {"HOME", kSandboxHome}, {"USER", "node"}, {"LOGNAME", "node"}, {"PATH", kDefaultPath}};
    for (const auto& [k, v] : req.env)
        env[k] = v;
    std::vector<std::string> envText;
    for (const auto& [k, v] : env)
        envText.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : envText)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string shell = "sh";
    std::string dashC = "-c";
    std::string command = req.command;
    char* argv[] = {shell.data(), dashC.data(), command.data(), nullptr};
    std::vector<const char*> procsFiles;
    for (const auto& f : req.cgroupProcsFiles)
        procsFiles.push_back(f.c_str());
    const char* cwd = req.cwd.empty() ? "/" : req.cwd.c_str();
    const uid_t uid = req.uidInside;

    PINFOLD_ASSIGN_OR_RETURN(Pipe outPipe, MakePipe());
    PINFOLD_ASSIGN_OR_RETURN(Pipe errPipe, MakePipe());
    PINFOLD_ASSIGN_OR_RETURN(Pipe statusPipe, MakePipe());
    UniqueFd devNull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!devNull)
        return Status::Internal("cannot open /dev/null");
    int rawNs[kNamespaceCount];
    for (int i = 0; i < kNamespaceCount; ++i)
        rawNs[i] = nsFds[i].get();
    const int sources[3] = {devNull.get(), outPipe.writeEnd.get(), errPipe.writeEnd.get()};
    const int statusFd = statusPipe.writeEnd.get();
    const int root = rootFd.get();

    pid_t middle = ::fork();
    if (middle < 0)
        return Status::Internal(std::string("fork failed: ") + std::strerror(errno));
    if (middle == 0) {
        // The intermediate child: joins the cgroups as root, drops host groups, enters the
        // namespaces, and forks again because a new pid namespace applies only to children.
        char pidText[16];
        int len = 0;
        for (pid_t p = ::getpid(); p > 0; p /= 10)
            pidText[len++] = static_cast<char>('0' + p % 10);
        for (int i = 0; i < len / 2; ++i)
            std::swap(pidText[i], pidText[len - 1 - i]);
        for (const char* file : procsFiles) {
            int fd = ::open(file, O_WRONLY | O_CLOEXEC);
            if (fd >= 0) {
                (void)!::write(fd, pidText, len);
                ::close(fd);
            }
        }
        if (::syscall(SYS_setgroups, 0, nullptr) != 0) {
            SendRecord(statusFd, kRecordSetns, -1);
            ::_exit(125);
        }
        for (int i = 0; i < kNamespaceCount; ++i) {
            if (::setns(rawNs[i], kNamespaceTypes[i]) != 0) {
                SendRecord(statusFd, kRecordSetns, i);
                ::_exit(125);
            }
            if (kNamespaceTypes[i] == CLONE_NEWNS && (::fchdir(root) != 0 || ::chroot(".") != 0)) {
                SendRecord(statusFd, kRecordSetns, 100 + i);
                ::_exit(125);
            }
        }
        pid_t cmd = ::fork();
        if (cmd < 0) {
            SendRecord(statusFd, kRecordSetns, kNamespaceCount);
            ::_exit(125);
        }
        if (cmd == 0) {
            ::setsid();
            int moved[3];
            for (int i = 0; i < 3; ++i)
                moved[i] = ::fcntl(sources[i], F_DUPFD_CLOEXEC, 64);
            int status = ::fcntl(statusFd, F_DUPFD_CLOEXEC, 64);
            for (int i = 0; i < 3; ++i)
                ::dup2(moved[i], i);
            ::dup3(status, 3, O_CLOEXEC);
            ::close_range(4, ~0U, 0);
            if (::syscall(SYS_setresgid, uid, uid, uid) != 0 ||
                ::syscall(SYS_setresuid, uid, uid, uid) != 0) {
                SendRecord(3, kRecordIdentity, errno);
                ::_exit(125);
            }
            // The uid change leaves capabilities in place (uid 0 is not mapped in the
            // sandbox); no_new_privs plus execve of a plain binary drops them all.
            ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
            if (::chdir(cwd) != 0) {
                SendRecord(3, kRecordCwd, errno);
                ::_exit(126);
            }
            child::ResetSignals();
            ::execve("/bin/sh", argv, envp.data());
            SendRecord(3, kRecordExec, errno);
            ::_exit(127);
        }
        SendRecord(statusFd, kRecordPid, cmd);
        ::close(statusFd);
        ::close(sources[1]);
        ::close(sources[2]);
        int st = 0;
        while (::waitpid(cmd, &st, 0) < 0 && errno == EINTR) {
        }
        if (WIFSIGNALED(st))
            ::_exit(128 + WTERMSIG(st));
        ::_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 125);
    }
    statusPipe.writeEnd.reset();
    outPipe.writeEnd.reset();
    errPipe.writeEnd.reset();
    for (auto& fd : nsFds)
        fd.reset();
    rootFd.reset();

    // The intermediate child reaps the command before it exits. Killing it first would hand the
    // command's zombie to the host's pid 1, and the sandbox's pid namespace could not end until
    // that one reaps it (seconds, on some hosts); so it is killed only when it is stuck.
    auto waitMiddle = [middle](bool kill) {
        if (kill)
            ::kill(middle, SIGKILL);
        while (::waitpid(middle, nullptr, 0) < 0 && errno == EINTR) {
        }
    };
    // Two processes write to the status pipe: the command's child can report a failure before
    // its parent has sent the pid, so that report may come first.
    auto fromCommand = [](const Record& r) {
        return r.type == kRecordCwd || r.type == kRecordIdentity || r.type == kRecordExec;
    };
    Record rec{};
    std::optional<Record> failure;
    bool got = ReadRecord(statusPipe.readEnd.get(), &rec, std::chrono::seconds(10));
    if (got && fromCommand(rec)) {
        failure = rec;
        got = ReadRecord(statusPipe.readEnd.get(), &rec, std::chrono::seconds(10));
    }
    if (!got || rec.type != kRecordPid) {
        waitMiddle(rec.type != kRecordSetns);
        if (rec.type == kRecordSetns && rec.value >= 0 && rec.value < kNamespaceCount) {
            return Status::Internal(std::string("cannot enter the sandbox's ") +
                                    kNamespaces[rec.value] +
                                    " namespace: " + std::strerror(rec.err));
        }
        if (rec.type == kRecordSetns && rec.value >= 100) {
            return Status::Internal(std::string("cannot enter the sandbox's root: ") +
                                    std::strerror(rec.err));
        }
        return Status::Internal("cannot enter the sandbox's namespaces");
    }
    const pid_t cmdPid = rec.value;
    if (cmdPid <= 1) {
        waitMiddle(true);
        return Status::Internal("cannot enter the sandbox's namespaces");
    }
    auto killCommand = [cmdPid] {
        ::kill(-cmdPid, SIGKILL);
        ::kill(cmdPid, SIGKILL);
    };
    if (!failure) {
        Record late{};
        if (ReadRecord(statusPipe.readEnd.get(), &late, std::chrono::seconds(10)))
            failure = late;
    }
    if (failure) {
        // The command's child reported why it did not exec, and exits; nothing ran.
        waitMiddle(false);
        if (failure->type == kRecordCwd) {
            return Status::InvalidArgument("Invalid command: cwd does not exist");
        }
        if (failure->type == kRecordIdentity) {
            return Status::Internal("cannot switch to uid " + std::to_string(uid) +
                                    " in the sandbox: " + std::strerror(failure->err));
        }
        return Status::Internal(std::string("cannot run /bin/sh in the sandbox: ") +
                                std::strerror(failure->err));
    }

    CollectLimits limits;
    limits.timeout = req.timeout;
    limits.maxOutputBytes = req.maxOutputBytes;
    limits.cancelFd = req.cancelFd;
    return CollectOutput(middle, std::move(outPipe.readEnd), std::move(errPipe.readEnd), limits,
                         killCommand);
}

Result<ProcessOutput> ExecInNamespaces(pid_t targetPid, uint32_t uidInside,
                                       const std::string& command, const std::string& cwd,
                                       std::chrono::milliseconds timeout, size_t maxOutputBytes) {
    NsExecRequest req;
    req.targetPid = targetPid;
    req.uidInside = uidInside;
    req.command = command;
    req.cwd = cwd;
    req.timeout = timeout;
    req.maxOutputBytes = maxOutputBytes;
    return ExecInNamespaces(req);
}

}  // namespace pinfold::sandbox
