#include "sandbox/safe_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <future>
#include <thread>

#include "sandbox/unique_fd.h"

namespace pinfold::sandbox {
namespace {

const char kNotFound[] = "File not found";
const char kDirNotFound[] = "Directory not found";

// Makes the calling thread act on files as `uid` (and gid `uid`) with no supplementary groups.
// Raw syscalls: they change only this thread, unlike glibc's setgroups(). Call it only on a
// thread that ends afterwards.
Status TakeAgentIdentity(uint32_t uid) {
    ::syscall(SYS_setgroups, 0, nullptr);
    ::syscall(SYS_setfsgid, uid);
    ::syscall(SYS_setfsuid, uid);
    // setfsuid() reports the previous value; asking again with an invalid id returns the
    // current one without changing it.
    if (static_cast<uint32_t>(::syscall(SYS_setfsuid, -1)) != uid ||
        static_cast<uint32_t>(::syscall(SYS_setfsgid, -1)) != uid) {
        return Status::Internal("cannot take the agent's file identity");
    }
    // The file uid alone leaves root's other capabilities (CAP_SYS_ADMIN opens files in
    // /proc that the agent cannot read). This thread keeps only CAP_SYS_PTRACE, which
    // /proc/<pid>/root of the (non-dumpable) sandbox needs.
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3] = {};
    caps[0].effective = caps[0].permitted = 1u << CAP_SYS_PTRACE;
    if (::syscall(SYS_capset, &header, caps) != 0)
        return Status::Internal("cannot drop capabilities for file access");
    return Status::Ok();
}

// Runs `body` on a new thread that has taken the agent's file identity.
template <typename T>
Result<T> AsAgent(uint32_t uid, const std::function<Result<T>()>& body) {
    if (uid == 0)
        return Status::InvalidArgument("File access as root (uid 0) is refused");
    Result<T> result = Status::Internal("file worker did not run");
    std::thread worker([&] {
        Status identity = TakeAgentIdentity(uid);
        if (!identity.ok()) {
            result = identity;
            return;
        }
        result = body();
    });
    worker.join();
    return result;
}

int OpenInRoot(int rootFd, const std::string& path, uint64_t flags, uint64_t mode = 0) {
    open_how how{};
    how.flags = flags | O_CLOEXEC;
    how.mode = mode;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const char* p = path.empty() ? "." : path.c_str();
    for (int attempt = 0;; ++attempt) {
        int fd = static_cast<int>(::syscall(SYS_openat2, rootFd, p, &how, sizeof how));
        // EAGAIN: a concurrent rename made the in-root check unsure; the kernel asks to retry.
        if (fd >= 0 || errno != EAGAIN || attempt >= 8)
            return fd;
    }
}

Result<UniqueFd> OpenRoot(const std::string& rootDir) {
    UniqueFd root(::open(rootDir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root)
        return Status::NotFound(kNotFound);
    return root;
}

Status WriteErrno(int err, const char* notFoundText) {
    switch (err) {
        case ENOENT:
        case ENOTDIR:
        case ELOOP:
        case EXDEV:
            return Status::NotFound(notFoundText);
        case EACCES:
        case EPERM:
        case EROFS:
            return Status::Forbidden("Permission denied");
        case EISDIR:
            return Status::InvalidArgument("Path is a directory");
        case EEXIST:
        case ENOTEMPTY:
            return Status::Conflict("File already exists");
        case ENOSPC:
        case EDQUOT:
            return Status::TooLarge("No space left for the file");
        default:
            return Status::Internal(std::string("write failed: ") + std::strerror(err));
    }
}

// "a/b/c.txt" -> ("a/b", "c.txt"); "c.txt" -> ("", "c.txt").
std::pair<std::string, std::string> SplitLast(const std::string& path) {
    size_t slash = path.find_last_of('/');
    if (slash == std::string::npos)
        return {"", path};
    std::string dir = path.substr(0, slash);
    if (dir.empty())
        dir = "/";
    return {dir, path.substr(slash + 1)};
}

// Opens (creating when asked) the folder `dir` inside the root, one component at a time so
// each new folder is made by the agent's identity with mkdirat() in an already-resolved parent.
Result<UniqueFd> OpenParent(int rootFd, const std::string& dir, bool create) {
    if (!create) {
        UniqueFd fd(OpenInRoot(rootFd, dir, O_PATH | O_DIRECTORY));
        if (!fd)
            return WriteErrno(errno, kDirNotFound);
        return fd;
    }
    std::string prefix;
    size_t pos = 0;
    while (pos <= dir.size()) {
        size_t slash = dir.find('/', pos);
        if (slash == std::string::npos)
            slash = dir.size();
        std::string part = dir.substr(pos, slash - pos);
        pos = slash + 1;
        std::string next = prefix.empty() ? part : prefix + "/" + part;
        if (part.empty() || part == "." || part == "..") {
            prefix = next.empty() ? "/" : next;
            continue;
        }
        UniqueFd fd(OpenInRoot(rootFd, next, O_PATH | O_DIRECTORY));
        if (!fd && errno == ENOENT) {
            UniqueFd parent(
                OpenInRoot(rootFd, prefix.empty() ? "." : prefix, O_PATH | O_DIRECTORY));
            if (!parent)
                return WriteErrno(errno, kDirNotFound);
            if (::mkdirat(parent.get(), part.c_str(), 0755) != 0 && errno != EEXIST) {
                return WriteErrno(errno, kDirNotFound);
            }
            fd.reset(OpenInRoot(rootFd, next, O_PATH | O_DIRECTORY));
        }
        if (!fd)
            return WriteErrno(errno, kDirNotFound);
        prefix = next;
    }
    UniqueFd fd(OpenInRoot(rootFd, dir, O_PATH | O_DIRECTORY));
    if (!fd)
        return WriteErrno(errno, kDirNotFound);
    return fd;
}

std::string TempName(const std::string& base) {
    static std::atomic<uint64_t> counter{0};
    char buf[64];
    std::snprintf(buf, sizeof buf, ".pinfold-%d-%llu.tmp", static_cast<int>(::getpid()),
                  static_cast<unsigned long long>(counter.fetch_add(1)));
    std::string prefix = base.substr(0, std::min<size_t>(base.size(), 100));
    return "." + prefix + buf;
}

}  // namespace

Result<std::string> ReadFileInRoot(const std::string& rootDir, const std::string& path,
                                   uint32_t fsUid, size_t maxBytes) {
    return AsAgent<std::string>(fsUid, [&]() -> Result<std::string> {
        PINFOLD_ASSIGN_OR_RETURN(UniqueFd root, OpenRoot(rootDir));
        // O_PATH first: opening a FIFO or a device for reading could block or act on it.
        UniqueFd pathFd(OpenInRoot(root.get(), path, O_PATH));
        if (!pathFd)
            return Status::NotFound(kNotFound);
        struct stat st;
        if (::fstat(pathFd.get(), &st) != 0)
            return Status::NotFound(kNotFound);
        if (S_ISDIR(st.st_mode))
            return Status::InvalidArgument("Path is a directory");
        if (!S_ISREG(st.st_mode))
            return Status::InvalidArgument("Path is not a regular file");
        if (static_cast<uint64_t>(st.st_size) > maxBytes)
            return Status::TooLarge("File too large");
        // Re-opening our own O_PATH fd checks read permission against the agent's identity.
        std::string self = "/proc/self/fd/" + std::to_string(pathFd.get());
        UniqueFd fd(::open(self.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
        if (!fd)
            return Status::NotFound(kNotFound);
        std::string data;
        data.resize(std::min<uint64_t>(st.st_size, maxBytes) + 1);
        size_t got = 0;
        for (;;) {
            if (got == data.size()) {
                if (data.size() > maxBytes)
                    break;  // grew past the limit while reading
                data.resize(std::min(maxBytes + 1, data.size() * 2 + 4096));
            }
            ssize_t n = ::read(fd.get(), data.data() + got, data.size() - got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return Status::NotFound(kNotFound);
            if (n == 0)
                break;
            got += static_cast<size_t>(n);
        }
        if (got > maxBytes)
            return Status::TooLarge("File too large");
        data.resize(got);
        return data;
    });
}

Result<WriteResult> WriteFileInRoot(const std::string& rootDir, const std::string& path,
                                    uint32_t fsUid, std::string_view data, WriteMode mode) {
    const bool createParents = mode == WriteMode::kCreateParents;
    const bool exclusive = mode == WriteMode::kCreateNew;
    if (path.empty() || path.back() == '/')
        return Status::InvalidArgument("Path is a directory");
    auto [dir, base] = SplitLast(path);
    if (base.empty() || base == "." || base == "..")
        return Status::InvalidArgument("Invalid path");
    return AsAgent<WriteResult>(fsUid, [&]() -> Result<WriteResult> {
        PINFOLD_ASSIGN_OR_RETURN(UniqueFd root, OpenRoot(rootDir));
        PINFOLD_ASSIGN_OR_RETURN(UniqueFd parent, OpenParent(root.get(), dir, createParents));
        WriteResult result;
        struct stat st;
        if (::fstatat(parent.get(), base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
            if (S_ISDIR(st.st_mode))
                return Status::InvalidArgument("Path is a directory");
            if (exclusive)
                return Status::Conflict("File already exists");
        } else if (errno == ENOENT) {
            result.created = true;
        } else {
            return WriteErrno(errno, kDirNotFound);
        }

        std::string tmp = TempName(base);
        UniqueFd fd(::openat(parent.get(), tmp.c_str(),
                             O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd)
            return WriteErrno(errno, kDirNotFound);
        auto fail = [&](int err) {
            ::unlinkat(parent.get(), tmp.c_str(), 0);
            return WriteErrno(err, kDirNotFound);
        };
        if (::fchmod(fd.get(), 0644) != 0)
            return fail(errno);
        size_t off = 0;
        while (off < data.size()) {
            ssize_t n = ::write(fd.get(), data.data() + off, data.size() - off);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return fail(errno);
            off += static_cast<size_t>(n);
        }
        if (::fsync(fd.get()) != 0)
            return fail(errno);
        fd.reset();
        unsigned int flags = exclusive ? RENAME_NOREPLACE : 0;
        if (::renameat2(parent.get(), tmp.c_str(), parent.get(), base.c_str(), flags) != 0) {
            return fail(errno);
        }
        result.bytesWritten = data.size();
        return result;
    });
}

Result<std::vector<DirEntry>> ListDirInRoot(const std::string& rootDir, const std::string& path,
                                            uint32_t fsUid, size_t maxEntries) {
    return AsAgent<std::vector<DirEntry>>(fsUid, [&]() -> Result<std::vector<DirEntry>> {
        PINFOLD_ASSIGN_OR_RETURN(UniqueFd root, OpenRoot(rootDir));
        UniqueFd pathFd(OpenInRoot(root.get(), path, O_PATH));
        if (!pathFd)
            return Status::NotFound(kDirNotFound);
        struct stat st;
        if (::fstat(pathFd.get(), &st) != 0)
            return Status::NotFound(kDirNotFound);
        if (!S_ISDIR(st.st_mode))
            return Status::InvalidArgument("Path is not a directory");
        std::string self = "/proc/self/fd/" + std::to_string(pathFd.get());
        int fd = ::open(self.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            return Status::NotFound(kDirNotFound);
        DIR* d = ::fdopendir(fd);
        if (!d) {
            ::close(fd);
            return Status::NotFound(kDirNotFound);
        }
        std::vector<DirEntry> entries;
        while (dirent* e = ::readdir(d)) {
            std::string name = e->d_name;
            if (name == "." || name == "..")
                continue;
            DirEntry entry;
            entry.name = name;
            struct stat es;
            if (::fstatat(::dirfd(d), e->d_name, &es, AT_SYMLINK_NOFOLLOW) == 0) {
                entry.type = S_ISREG(es.st_mode)   ? 'f'
                             : S_ISDIR(es.st_mode) ? 'd'
                             : S_ISLNK(es.st_mode) ? 'l'
                                                   : '?';
                entry.size = S_ISREG(es.st_mode) ? static_cast<uint64_t>(es.st_size) : 0;
            }
            entries.push_back(std::move(entry));
        }
        ::closedir(d);
        std::sort(entries.begin(), entries.end(),
                  [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
        if (entries.size() > maxEntries)
            entries.resize(maxEntries);
        return entries;
    });
}

namespace {

int OpenNoSymlinks(int rootFd, const std::string& path, uint64_t flags, uint64_t mode = 0) {
    open_how how{};
    how.flags = flags | O_CLOEXEC;
    how.mode = mode;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS;
    for (int attempt = 0;; ++attempt) {
        int fd = static_cast<int>(::syscall(SYS_openat2, rootFd, path.c_str(), &how, sizeof how));
        if (fd >= 0 || errno != EAGAIN || attempt >= 8)
            return fd;
    }
}

// The folder of `path` (created when missing) and the last name, with whatever was at the name
// removed unless it is a folder, or a regular file when keepRegularFile (to be truncated).
// InvalidArgument for an empty, ".", ".." or trailing-slash name.
Result<std::pair<UniqueFd, std::string>> ClearNameForCreate(int rootFd, const std::string& path,
                                                            bool keepRegularFile) {
    auto [dir, base] = SplitLast(path);
    if (base.empty() || base == "." || base == "..")
        return Status::InvalidArgument("Invalid path");
    PINFOLD_ASSIGN_OR_RETURN(UniqueFd parent, OpenParent(rootFd, dir.empty() ? "." : dir, true));
    struct stat st;
    if (::fstatat(parent.get(), base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        !S_ISDIR(st.st_mode) && !(keepRegularFile && S_ISREG(st.st_mode))) {
        ::unlinkat(parent.get(), base.c_str(), 0);
    }
    return std::pair<UniqueFd, std::string>(std::move(parent), base);
}

constexpr size_t kMaxRemoveDepth = 256;
constexpr int kRemovePasses = 3;  // a folder refilled this often while removing it stays

constexpr int kTooDeep = -1;

// Removes every entry of the folder open at dirFd (O_RDONLY | O_DIRECTORY), depth first. Each
// entry is unlinked as it is; one that is a folder is opened O_NOFOLLOW from dirFd, emptied and
// removed, so no symlink is ever followed. Returns 0, an errno, or kTooDeep.
int RemoveContents(int dirFd, size_t depth) {
    if (depth > kMaxRemoveDepth)
        return kTooDeep;
    UniqueFd listFd(::fcntl(dirFd, F_DUPFD_CLOEXEC, 0));
    if (!listFd)
        return errno;
    DIR* d = ::fdopendir(listFd.get());
    if (!d)
        return errno;
    listFd.release();
    ::rewinddir(d);
    std::vector<std::string> names;
    errno = 0;
    while (dirent* e = ::readdir(d)) {
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
            names.emplace_back(e->d_name);
    }
    int readError = errno;
    ::closedir(d);
    if (readError != 0)
        return readError;
    for (const std::string& name : names) {
        if (::unlinkat(dirFd, name.c_str(), 0) == 0 || errno == ENOENT)
            continue;
        if (errno != EISDIR)
            return errno;
        UniqueFd child(
            ::openat(dirFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!child && (errno == ELOOP || errno == ENOTDIR)) {
            // Swapped for a symlink or file since the unlink: remove that.
            if (::unlinkat(dirFd, name.c_str(), 0) != 0 && errno != ENOENT)
                return errno;
            continue;
        }
        if (!child) {
            if (errno == ENOENT)
                continue;
            return errno;
        }
        if (int err = RemoveContents(child.get(), depth + 1); err != 0)
            return err;
        if (::unlinkat(dirFd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
            return errno;
    }
    return 0;
}

}  // namespace

Result<std::unique_ptr<AgentFileAccess>> AgentFileAccess::Open(const std::string& rootDir,
                                                               uint32_t fsUid) {
    if (fsUid == 0)
        return Status::InvalidArgument("File access as root (uid 0) is refused");
    std::unique_ptr<AgentFileAccess> access(new AgentFileAccess());
    std::promise<Status> started;
    std::future<Status> startedResult = started.get_future();
    AgentFileAccess* self = access.get();
    access->worker_ = std::thread([self, fsUid, rootDir, promise = std::move(started)]() mutable {
        self->workerMain(fsUid, rootDir, promise);
    });
    PINFOLD_TRY(startedResult.get());  // on failure the worker has ended; the destructor joins it
    return access;
}

void AgentFileAccess::workerMain(uint32_t fsUid, const std::string& rootDir,
                                 std::promise<Status>& started) {
    Status identity = TakeAgentIdentity(fsUid);
    if (!identity.ok()) {
        started.set_value(identity);
        return;
    }
    root_.reset(::open(rootDir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root_) {
        started.set_value(Status::NotFound(kDirNotFound));
        return;
    }
    started.set_value(Status::Ok());
    for (;;) {
        std::function<void()>* job = nullptr;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty())
                return;
            job = jobs_.front();
            jobs_.pop_front();
        }
        (*job)();
        {
            std::lock_guard lock(mu_);
            *job = nullptr;
        }
        cv_.notify_all();
    }
}

AgentFileAccess::~AgentFileAccess() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (worker_.joinable())
        worker_.join();
}

void AgentFileAccess::run(const std::function<void()>& job) {
    std::function<void()> pending = job;
    std::unique_lock lock(mu_);
    jobs_.push_back(&pending);
    cv_.notify_all();
    cv_.wait(lock, [&] { return !pending; });
}

Result<UniqueFd> AgentFileAccess::openForRead(const std::string& path) {
    Result<UniqueFd> result = Status::NotFound(kNotFound);
    run([&] {
        UniqueFd pathFd(OpenNoSymlinks(root_.get(), path, O_PATH | O_NOFOLLOW));
        struct stat st;
        if (!pathFd || ::fstat(pathFd.get(), &st) != 0 || !S_ISREG(st.st_mode))
            return;
        // Re-opening our own O_PATH fd checks read permission against the agent's identity.
        std::string self = "/proc/self/fd/" + std::to_string(pathFd.get());
        UniqueFd fd(::open(self.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
        if (fd)
            result = std::move(fd);
    });
    return result;
}

Result<std::string> AgentFileAccess::readLink(const std::string& path) {
    Result<std::string> result = Status::NotFound(kNotFound);
    run([&] {
        UniqueFd pathFd(OpenNoSymlinks(root_.get(), path, O_PATH | O_NOFOLLOW));
        if (!pathFd)
            return;
        char target[4096];
        ssize_t n = ::readlinkat(pathFd.get(), "", target, sizeof target);
        if (n >= 0 && static_cast<size_t>(n) < sizeof target)
            result = std::string(target, static_cast<size_t>(n));
    });
    return result;
}

Result<UniqueFd> AgentFileAccess::createFile(const std::string& path) {
    Result<UniqueFd> result = Status::Internal("file worker did not run");
    run([&] {
        auto parent = ClearNameForCreate(root_.get(), path, true);
        if (!parent.ok()) {
            result = parent.status();
            return;
        }
        auto& [dirFd, base] = *parent;
        UniqueFd fd(::openat(dirFd.get(), base.c_str(),
                             O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
        if (fd)
            result = std::move(fd);
        else
            result = WriteErrno(errno, kDirNotFound);
    });
    return result;
}

Status AgentFileAccess::createSymlink(const std::string& path, const std::string& target) {
    Status result = Status::Internal("file worker did not run");
    run([&] {
        auto parent = ClearNameForCreate(root_.get(), path, false);
        if (!parent.ok()) {
            result = parent.status();
            return;
        }
        auto& [dirFd, base] = *parent;
        result = ::symlinkat(target.c_str(), dirFd.get(), base.c_str()) == 0
                     ? Status::Ok()
                     : WriteErrno(errno, kDirNotFound);
    });
    return result;
}

Status AgentFileAccess::removeTree(const std::string& path) {
    std::string trimmed = path;
    while (trimmed.size() > 1 && trimmed.back() == '/')
        trimmed.pop_back();
    auto [dir, base] = SplitLast(trimmed);
    if (base.empty() || base == "." || base == "..")
        return Status::InvalidArgument("Invalid path");
    Status result = Status::Internal("file worker did not run");
    run([&] {
        UniqueFd parent(OpenInRoot(root_.get(), dir.empty() ? "." : dir, O_PATH | O_DIRECTORY));
        if (!parent) {
            result = errno == ENOENT || errno == ENOTDIR ? Status::Ok()
                                                         : WriteErrno(errno, kDirNotFound);
            return;
        }
        if (::unlinkat(parent.get(), base.c_str(), 0) == 0 || errno == ENOENT) {
            result = Status::Ok();
            return;
        }
        if (errno != EISDIR) {
            result = WriteErrno(errno, kDirNotFound);
            return;
        }
        for (int pass = 0; pass < kRemovePasses; ++pass) {
            UniqueFd folder(::openat(parent.get(), base.c_str(),
                                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!folder) {
                // Replaced by a file or symlink meanwhile: remove that instead.
                int err = errno;
                if (err == ENOENT || ::unlinkat(parent.get(), base.c_str(), 0) == 0 ||
                    errno == ENOENT) {
                    result = Status::Ok();
                } else {
                    result = WriteErrno(err, kDirNotFound);
                }
                return;
            }
            if (int err = RemoveContents(folder.get(), 1); err != 0) {
                result = err == kTooDeep ? Status::InvalidArgument("Directory tree too deep")
                                         : WriteErrno(err, kDirNotFound);
                return;
            }
            if (::unlinkat(parent.get(), base.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT) {
                result = Status::Ok();
                return;
            }
            if (errno != ENOTEMPTY) {
                result = WriteErrno(errno, kDirNotFound);
                return;
            }
        }
        result = Status::Conflict("Directory kept changing while it was removed");
    });
    return result;
}

}  // namespace pinfold::sandbox
