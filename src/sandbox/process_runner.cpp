#include "sandbox/process_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "sandbox/child_util.h"
#include "sandbox/output_collector.h"

extern char** environ;

namespace pinfold::sandbox {
namespace {

Result<Pipe> MakePipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return Status::Internal(std::string("pipe2 failed: ") + std::strerror(errno));
    }
    return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// A memory file holding `data`, read from the start; /dev/null when empty.
Result<UniqueFd> StdinFor(const std::string& data) {
    if (data.empty()) {
        UniqueFd devNull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        if (!devNull)
            return Status::Internal("cannot open /dev/null");
        return devNull;
    }
    UniqueFd fd(::memfd_create("stdin", MFD_CLOEXEC));
    if (!fd)
        return Status::Internal(std::string("memfd_create failed: ") + std::strerror(errno));
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return Status::Internal(std::string("cannot buffer stdin: ") + std::strerror(errno));
        done += static_cast<size_t>(n);
    }
    if (::lseek(fd.get(), 0, SEEK_SET) != 0)
        return Status::Internal("cannot rewind stdin");
    return fd;
}

std::string PathFrom(const std::vector<std::string>& env) {
    for (const auto& entry : env) {
        if (entry.rfind("PATH=", 0) == 0)
            return entry.substr(5);
    }
    const char* own = std::getenv("PATH");
    return own ? own : "/usr/local/bin:/usr/bin:/bin";
}

}  // namespace

std::string FindExecutable(const std::string& name, const std::string& path) {
    if (name.empty())
        return "";
    if (name.find('/') != std::string::npos) {
        return ::access(name.c_str(), X_OK) == 0 ? name : "";
    }
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find(':', start);
        if (end == std::string::npos)
            end = path.size();
        std::string dir = path.substr(start, end - start);
        if (dir.empty())
            dir = ".";
        std::string candidate = dir + "/" + name;
        struct stat st;
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
            ::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
        start = end + 1;
    }
    return "";
}

Result<ProcessOutput> RealProcessRunner::run(const std::vector<std::string>& argv,
                                             const RunOptions& options) {
    if (argv.empty())
        return Status::InvalidArgument("Empty command");
    std::string exe = FindExecutable(argv[0], PathFrom(options.env));
    if (exe.empty())
        return Status::NotFound("Executable not found: " + argv[0]);

    // Everything the child touches is built before fork(): after it, only async-signal-safe
    // calls are allowed (the server has other threads).
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& e : options.env)
        envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    char* const* childEnv = options.env.empty() ? environ : envp.data();
    const char* cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();

    PINFOLD_ASSIGN_OR_RETURN(Pipe outPipe, MakePipe());
    PINFOLD_ASSIGN_OR_RETURN(Pipe errPipe, MakePipe());
    PINFOLD_ASSIGN_OR_RETURN(UniqueFd stdinFd, StdinFor(options.stdinData));
    const uid_t uid = options.runAsUid;

    pid_t pid = ::fork();
    if (pid < 0)
        return Status::Internal(std::string("fork failed: ") + std::strerror(errno));
    if (pid == 0) {
        ::setpgid(0, 0);
        ::dup2(stdinFd.get(), 0);
        ::dup2(outPipe.writeEnd.get(), 1);
        ::dup2(errPipe.writeEnd.get(), 2);
        ::close_range(3, ~0U, 0);
        child::ResetSignals();
        if (uid != 0 && (::setgroups(0, nullptr) != 0 || ::setresgid(uid, uid, uid) != 0 ||
                         ::setresuid(uid, uid, uid) != 0)) {
            child::WriteText(2, "cannot switch to the agent's uid\n");
            ::_exit(126);
        }
        if (cwd && ::chdir(cwd) != 0) {
            child::WriteText(2, "cannot change to the working directory\n");
            ::_exit(126);
        }
        ::execve(exe.c_str(), args.data(), childEnv);
        ::_exit(127);
    }
    outPipe.writeEnd.reset();
    errPipe.writeEnd.reset();

    CollectLimits limits;
    limits.timeout = options.timeout;
    limits.maxOutputBytes = options.maxOutputBytes;
    return CollectOutput(pid, std::move(outPipe.readEnd), std::move(errPipe.readEnd), limits,
                         [pid] {
                             ::kill(-pid, SIGKILL);
                             ::kill(pid, SIGKILL);
                         });
}

Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv, const RunOptions& options) {
    return RealProcessRunner().run(argv, options);
}

}  // namespace pinfold::sandbox
