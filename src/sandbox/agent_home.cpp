#include "sandbox/agent_home.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "sandbox/unique_fd.h"

namespace pinfold::sandbox {
namespace {

Status Errno(const std::string& what, const std::string& path) {
    return Status::Internal(what + " " + path + ": " + std::strerror(errno));
}

// nftw() takes no context pointer; the uid travels in a thread-local.
thread_local uint32_t tChownUid = 0;

int ChownEntry(const char* path, const struct stat*, int, FTW*) {
    ::lchown(path, tChownUid, tChownUid);
    return 0;
}

int MakeEntryReadable(const char* path, const struct stat* st, int type, FTW*) {
    if (type == FTW_SL)
        return 0;
    mode_t mode = st->st_mode & 07777;
    mode_t want = mode | 0444;
    if (S_ISDIR(st->st_mode) || (mode & 0111) != 0)
        want |= 0111;
    if (want != mode)
        ::chmod(path, want);
    return 0;
}

}  // namespace

Status MakeReadableByAll(const std::string& dir) {
    if (::nftw(dir.c_str(), MakeEntryReadable, 32, FTW_PHYS) != 0) {
        return Errno("cannot make readable", dir);
    }
    return Status::Ok();
}

// Makes every ancestor of `path` traversable by others, creating missing ones as root 0711.
Status MakeParentsTraversable(const std::string& path) {
    std::string prefix;
    size_t pos = 1;
    while ((pos = path.find('/', pos)) != std::string::npos) {
        prefix = path.substr(0, pos);
        ++pos;
        if (prefix.empty() || prefix.back() == '/')
            continue;
        struct stat st;
        if (::lstat(prefix.c_str(), &st) != 0) {
            if (errno != ENOENT)
                return Errno("cannot stat", prefix);
            if (::mkdir(prefix.c_str(), 0711) != 0 && errno != EEXIST) {
                return Errno("cannot create", prefix);
            }
            continue;
        }
        if (S_ISLNK(st.st_mode)) {
            if (::stat(prefix.c_str(), &st) != 0)
                return Errno("cannot stat", prefix);
        }
        if (!S_ISDIR(st.st_mode)) {
            return Status::Internal("not a directory: " + prefix);
        }
        if ((st.st_mode & S_IXOTH) == 0 && ::chmod(prefix.c_str(), (st.st_mode & 07777) | 0011)) {
            return Errno("cannot chmod", prefix);
        }
    }
    return Status::Ok();
}

namespace {

// Creates `name` in `parent` as hostUid's folder unless it exists; returns the opened folder,
// or an invalid fd when the agent replaced it with something else (a symlink, a file): that is
// the agent's own business inside its home, and must not make root follow it.
UniqueFd EnsureSubdir(int parent, const char* name, uint32_t hostUid) {
    if (::mkdirat(parent, name, 0755) == 0) {
        UniqueFd fd(::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (fd)
            ::fchown(fd.get(), hostUid, hostUid);
        return fd;
    }
    return UniqueFd(::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

}  // namespace

Status PrepareAgentHome(const std::string& homeDir, uint32_t hostUid) {
    if (hostUid == 0)
        return Status::InvalidArgument("An agent never runs as root (uid 0)");
    if (homeDir.empty() || homeDir[0] != '/') {
        return Status::InvalidArgument("Agent home must be an absolute path: " + homeDir);
    }
    PINFOLD_TRY(MakeParentsTraversable(homeDir));
    if (::mkdir(homeDir.c_str(), 0700) != 0 && errno != EEXIST) {
        return Errno("cannot create", homeDir);
    }
    UniqueFd home(::open(homeDir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!home)
        return Errno("cannot open", homeDir);
    struct stat st;
    if (::fstat(home.get(), &st) != 0)
        return Errno("cannot stat", homeDir);
    if (st.st_uid != hostUid || st.st_gid != hostUid) {
        tChownUid = hostUid;
        ::nftw(homeDir.c_str(), ChownEntry, 32, FTW_PHYS | FTW_MOUNT);
        if (::fchown(home.get(), hostUid, hostUid) != 0)
            return Errno("cannot chown", homeDir);
    }
    if (::fchmod(home.get(), 0700) != 0)
        return Errno("cannot chmod", homeDir);

    UniqueFd clawd = EnsureSubdir(home.get(), "clawd", hostUid);
    if (clawd)
        EnsureSubdir(clawd.get(), "workspace", hostUid);
    return Status::Ok();
}

}  // namespace pinfold::sandbox
