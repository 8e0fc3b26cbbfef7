#include "sandbox/bwrap_launcher.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <future>

#include "sandbox/child_util.h"
#include "sandbox/process_runner.h"

namespace pinfold::sandbox {
namespace {

// What the sandbox may see of /etc: name-service and library configuration, certificates, time
// zone. Never shadow files, sudoers, ssh host keys or anything else the host keeps there.
constexpr const char* kEtcEntries[] = {
    "resolv.conf",
    "nsswitch.conf",
    "host.conf",
    "gai.conf",
    "services",
    "protocols",
    "networks",
    "rpc",
    "ethers",
    "mime.types",
    "mailcap",
    "localtime",
    "timezone",
    "ssl",
    "ca-certificates",
    "ca-certificates.conf",
    "pki",
    "alternatives",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "os-release",
    "debian_version",
    "lsb-release",
    "issue",
    "bash.bashrc",
    "profile",
    "profile.d",
    "environment",
    "inputrc",
    "shells",
    "locale.alias",
    "magic",
    "magic.mime",
    "mtab",
    "python3",
    "perl",
    "gitconfig",
    "xdg",
    "fonts",
    "terminfo",
    "login.defs",
    "papersize",
};

// Top-level system folders: bound read-only when real folders, recreated when symlinks (a
// merged-/usr system has /bin -> usr/bin and so on).
constexpr const char* kRootEntries[] = {"bin", "sbin", "lib", "lib32", "lib64", "libx32"};

void AddPathEntry(std::vector<std::string>& args, const std::string& hostPath,
                  const std::string& sandboxPath) {
    struct stat st;
    if (::lstat(hostPath.c_str(), &st) != 0)
        return;
    if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = ::readlink(hostPath.c_str(), target, sizeof target - 1);
        if (n <= 0)
            return;
        args.insert(args.end(), {"--symlink", std::string(target, n), sandboxPath});
        return;
    }
    args.insert(args.end(), {"--ro-bind", hostPath, sandboxPath});
}

bool ValidHostname(const std::string& name) {
    if (name.empty() || name.size() > 63 || name.front() == '-')
        return false;
    for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
            return false;
    }
    return true;
}

Result<UniqueFd> MemFdWith(const char* name, const std::string& data) {
    UniqueFd fd(static_cast<int>(::syscall(SYS_memfd_create, name, MFD_CLOEXEC)));
    if (!fd)
        return Status::Internal(std::string("memfd_create failed: ") + std::strerror(errno));
    child::WriteAll(fd.get(), data.data(), data.size());
    ::lseek(fd.get(), 0, SEEK_SET);
    return fd;
}

Result<Pipe> MakePipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return Status::Internal(std::string("pipe2 failed: ") + std::strerror(errno));
    }
    return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Reads bwrap's --info-fd JSON ({"child-pid": N, ...}) until it is complete or bwrap is gone.
std::optional<pid_t> ReadInfoChildPid(int fd, std::chrono::milliseconds timeout) {
    std::string text;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (text.find('}') == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            break;
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(left.count()));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        char buf[512];
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        text.append(buf, n);
    }
    size_t key = text.find("\"child-pid\"");
    if (key == std::string::npos)
        return std::nullopt;
    size_t colon = text.find(':', key);
    if (colon == std::string::npos)
        return std::nullopt;
    pid_t pid = static_cast<pid_t>(std::atol(text.c_str() + colon + 1));
    if (pid <= 0)
        return std::nullopt;
    return pid;
}

std::string DrainText(int fd) {
    std::string text;
    char buf[4096];
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0)
            break;
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        text.append(buf, n);
        if (text.size() > 8192)
            break;
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

// Formats a pid for the child without allocating.
size_t FormatPid(pid_t pid, char* buf) {
    char tmp[16];
    size_t n = 0;
    do {
        tmp[n++] = static_cast<char>('0' + pid % 10);
        pid /= 10;
    } while (pid > 0);
    for (size_t i = 0; i < n; ++i)
        buf[i] = tmp[n - 1 - i];
    return n;
}

Result<LaunchedSandbox> LaunchOnThisThread(const std::string& bwrapPath, const SandboxSpec& spec) {
    std::vector<std::string> options = BuildBwrapArgs(spec);
    std::string packed;
    for (const auto& o : options) {
        packed += o;
        packed.push_back('\0');
    }
    // fds 3..7 in the child, in this order.
    PINFOLD_ASSIGN_OR_RETURN(UniqueFd argsFd, MemFdWith("bwrap-args", packed));
    PINFOLD_ASSIGN_OR_RETURN(Pipe infoPipe, MakePipe());
    PINFOLD_ASSIGN_OR_RETURN(UniqueFd passwdFd, MemFdWith("passwd", SandboxPasswd()));
    PINFOLD_ASSIGN_OR_RETURN(UniqueFd groupFd, MemFdWith("group", SandboxGroup()));
    PINFOLD_ASSIGN_OR_RETURN(UniqueFd hostsFd, MemFdWith("hosts", SandboxHosts(spec.agentId)));
    PINFOLD_ASSIGN_OR_RETURN(Pipe outPipe, MakePipe());
    PINFOLD_ASSIGN_OR_RETURN(Pipe errPipe, MakePipe());
    UniqueFd devNull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!devNull)
        return Status::Internal("cannot open /dev/null");

    // argv[0] is plain "bwrap": the sandbox's /proc/1/cmdline shows no host path at all.
    std::vector<std::string> argvText = {"bwrap", "--args", "3", "--"};
    argvText.insert(argvText.end(), spec.argv.begin(), spec.argv.end());
    std::vector<char*> argv;
    for (auto& a : argvText)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    char envPath[] = "PATH=/usr/bin:/bin";
    char* envp[] = {envPath, nullptr};
    std::vector<const char*> procsFiles;
    for (const auto& f : spec.cgroupProcsFiles)
        procsFiles.push_back(f.c_str());
    const int sources[8] = {
        devNull.get(),           outPipe.writeEnd.get(), errPipe.writeEnd.get(), argsFd.get(),
        infoPipe.writeEnd.get(), passwdFd.get(),         groupFd.get(),          hostsFd.get()};
    const uid_t uid = spec.hostUid;
    const pid_t parentPid = ::getpid();

    pid_t pid = ::fork();
    if (pid < 0)
        return Status::Internal(std::string("fork failed: ") + std::strerror(errno));
    if (pid == 0) {
        ::setpgid(0, 0);
        // Join the agent's cgroups while still root: an unprivileged uid may not move itself.
        char pidText[16];
        size_t pidLen = FormatPid(::getpid(), pidText);
        for (const char* file : procsFiles) {
            int fd = ::open(file, O_WRONLY | O_CLOEXEC);
            if (fd < 0 || ::write(fd, pidText, pidLen) < 0) {
                child::WriteText(sources[2], "pinfold: cannot join the agent's cgroup\n");
                ::_exit(125);
            }
            ::close(fd);
        }
        int moved[8];
        for (int i = 0; i < 8; ++i)
            moved[i] = ::fcntl(sources[i], F_DUPFD_CLOEXEC, 64);
        for (int i = 0; i < 8; ++i)
            ::dup2(moved[i], i);
        ::close_range(8, ~0U, 0);
        // Raw syscalls: glibc's wrappers would try to reach threads that only the parent has.
        if (::syscall(SYS_setgroups, 0, nullptr) != 0 ||
            ::syscall(SYS_setresgid, uid, uid, uid) != 0 ||
            ::syscall(SYS_setresuid, uid, uid, uid) != 0) {
            child::WriteText(2, "pinfold: cannot switch to the agent's uid\n");
            ::_exit(125);
        }
        // Cleared by the uid change above, so set now; bwrap sets its own as well.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parentPid)
            ::_exit(125);
        child::ResetSignals();
        ::execve(bwrapPath.c_str(), argv.data(), envp);
        child::WriteText(2, "pinfold: cannot run bwrap\n");
        ::_exit(127);
    }
    outPipe.writeEnd.reset();
    errPipe.writeEnd.reset();
    infoPipe.writeEnd.reset();

    std::optional<pid_t> initPid =
        ReadInfoChildPid(infoPipe.readEnd.get(), std::chrono::seconds(20));
    if (!initPid) {
        ::kill(pid, SIGKILL);
        std::string why = DrainText(errPipe.readEnd.get());
        ::waitpid(pid, nullptr, 0);
        return Status::Internal("bwrap failed to start the sandbox of " + spec.agentId +
                                (why.empty() ? std::string() : ": " + why));
    }
    LaunchedSandbox out;
    out.bwrapPid = pid;
    out.initPid = *initPid;
    out.stdoutFd = std::move(outPipe.readEnd);
    out.stderrFd = std::move(errPipe.readEnd);
    return out;
}

std::string ReadLink(const std::string& path) {
    char buf[256];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    return n > 0 ? std::string(buf, n) : std::string();
}

}  // namespace

std::string SandboxPasswd() {
    return "root:x:0:0:root:/root:/usr/sbin/nologin\n"
           "node:x:1000:1000:node:/home/node:/bin/bash\n"
           "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
}

std::string SandboxGroup() {
    return "root:x:0:\n"
           "node:x:1000:\n"
           "nogroup:x:65534:\n";
}

std::string SandboxHosts(const std::string& hostname) {
    return "127.0.0.1\tlocalhost\n"
           "127.0.1.1\t" +
           hostname +
           "\n"
           "::1\tlocalhost ip6-localhost ip6-loopback\n";
}

void AppendSystemFolders(std::vector<std::string>& args) {
    args.insert(args.end(), {"--ro-bind", "/usr", "/usr"});
    for (const char* name : kRootEntries)
        AddPathEntry(args, std::string("/") + name, std::string("/") + name);
}

std::vector<std::string> BuildBwrapArgs(const SandboxSpec& spec) {
    std::vector<std::string> a = {
        "--unshare-user",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--disable-userns",
        "--uid",
        std::to_string(kSandboxUid),
        "--gid",
        std::to_string(kSandboxUid),
        "--die-with-parent",
        "--new-session",
        "--hostname",
        spec.agentId,
        "--clearenv",
        "--setenv",
        "HOME",
        kSandboxHome,
        "--setenv",
        "USER",
        "node",
        "--setenv",
        "LOGNAME",
        "node",
        "--setenv",
        "PATH",
        kDefaultPath,
    };
    for (const auto& [key, value] : spec.env)
        a.insert(a.end(), {"--setenv", key, value});
    AppendSystemFolders(a);
    a.insert(a.end(), {"--tmpfs", "/etc"});
    for (const char* name : kEtcEntries) {
        AddPathEntry(a, std::string("/etc/") + name, std::string("/etc/") + name);
    }
    a.insert(a.end(), {"--perms", "0644", "--ro-bind-data", "5", "/etc/passwd"});
    a.insert(a.end(), {"--perms", "0644", "--ro-bind-data", "6", "/etc/group"});
    a.insert(a.end(), {"--perms", "0644", "--ro-bind-data", "7", "/etc/hosts"});
    a.insert(a.end(), {"--remount-ro", "/etc"});
    a.insert(a.end(), {"--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"});
    a.insert(a.end(), {"--bind", spec.homeDir, kSandboxHome});
    for (const auto& m : spec.mounts)
        a.insert(a.end(), {"--ro-bind", m.hostPath, m.sandboxPath});
    a.insert(a.end(), {"--chdir", spec.cwd, "--info-fd", "4"});
    return a;
}

BwrapLauncher::BwrapLauncher(std::string bwrapPath) : bwrapPath_(std::move(bwrapPath)) {
    if (bwrapPath_.empty()) {
        const char* path = std::getenv("PATH");
        bwrapPath_ = FindExecutable("bwrap", path ? path : kDefaultPath);
        if (bwrapPath_.empty())
            bwrapPath_ = FindExecutable("bwrap", kDefaultPath);
    }
    thread_ = std::thread([this] { threadMain(); });
}

BwrapLauncher::~BwrapLauncher() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void BwrapLauncher::threadMain() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock<std::mutex> lock(mu_);
            cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty())
                return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        job();
    }
}

Result<LaunchedSandbox> BwrapLauncher::launch(const SandboxSpec& spec) {
    if (spec.hostUid == 0)
        return Status::InvalidArgument("An agent never runs as root (uid 0)");
    if (!ValidHostname(spec.agentId)) {
        return Status::InvalidArgument("Invalid agent id for a sandbox: " + spec.agentId);
    }
    if (spec.argv.empty())
        return Status::InvalidArgument("Empty engine command");
    if (spec.homeDir.empty() || spec.homeDir[0] != '/') {
        return Status::InvalidArgument("Agent home must be an absolute path: " + spec.homeDir);
    }
    if (bwrapPath_.empty())
        return Status::Unavailable("bwrap (bubblewrap) is not installed");

    std::promise<Result<LaunchedSandbox>> promise;
    std::future<Result<LaunchedSandbox>> done = promise.get_future();
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_)
            return Status::Unavailable("The sandbox launcher is shutting down");
        jobs_.push_back([&] { promise.set_value(LaunchOnThisThread(bwrapPath_, spec)); });
    }
    cv_.notify_one();
    return done.get();
}

std::optional<pid_t> FindEnginePid(pid_t initPid) {
    std::string path =
        "/proc/" + std::to_string(initPid) + "/task/" + std::to_string(initPid) + "/children";
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char buf[256];
        ssize_t n = ::read(fd, buf, sizeof buf - 1);
        ::close(fd);
        if (n > 0) {
            buf[n] = '\0';
            pid_t pid = static_cast<pid_t>(std::atol(buf));
            if (pid > 0)
                return pid;
        }
        return std::nullopt;
    }
    // Without /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN), look for the oldest
    // process whose parent is init.
    std::optional<pid_t> found;
    for (pid_t pid : SandboxProcesses(initPid)) {
        if (pid == initPid)
            continue;
        std::string stat;
        int sfd = ::open(("/proc/" + std::to_string(pid) + "/stat").c_str(), O_RDONLY | O_CLOEXEC);
        if (sfd < 0)
            continue;
        char buf[512];
        ssize_t n = ::read(sfd, buf, sizeof buf - 1);
        ::close(sfd);
        if (n <= 0)
            continue;
        buf[n] = '\0';
        const char* close = std::strrchr(buf, ')');
        int ppid = 0;
        char state;
        if (close && std::sscanf(close + 1, " %c %d", &state, &ppid) == 2 && ppid == initPid) {
            if (!found || pid < *found)
                found = pid;
        }
    }
    return found;
}

std::vector<pid_t> SandboxProcesses(pid_t initPid) {
    std::vector<pid_t> pids;
    std::string ns = ReadLink("/proc/" + std::to_string(initPid) + "/ns/pid");
    if (ns.empty())
        return pids;
    pids.push_back(initPid);
    DIR* d = ::opendir("/proc");
    if (!d)
        return pids;
    while (dirent* e = ::readdir(d)) {
        char* end = nullptr;
        long pid = std::strtol(e->d_name, &end, 10);
        if (pid <= 0 || *end != '\0' || pid == initPid)
            continue;
        if (ReadLink(std::string("/proc/") + e->d_name + "/ns/pid") == ns) {
            pids.push_back(static_cast<pid_t>(pid));
        }
    }
    ::closedir(d);
    return pids;
}

}  // namespace pinfold::sandbox
