#include "sandbox/cgroups.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace pinfold::sandbox {
namespace {

std::string ReadSmallFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Writes `value` with one write() (cgroup files take one value per write); returns errno or 0.
int WriteValue(const std::string& path, const std::string& value) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    ssize_t n = ::write(fd, value.data(), value.size());
    int err = n < 0 ? errno : 0;
    ::close(fd);
    return err;
}

std::vector<std::string> Split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep))
        out.push_back(cur);
    return out;
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

// A dead process that waits to be reaped still shows in cgroup.procs (bwrap's init, orphaned
// when the outer bwrap exits, waits for the host's pid 1); it cannot be killed and holds nothing.
bool IsZombie(int pid) {
    std::string stat = ReadSmallFile("/proc/" + std::to_string(pid) + "/stat");
    size_t close = stat.rfind(')');
    return close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] == 'Z';
}

std::vector<int> ReadPids(const std::string& dir) {
    std::vector<int> pids;
    std::istringstream in(ReadSmallFile(dir + "/cgroup.procs"));
    int pid;
    while (in >> pid) {
        if (!IsZombie(pid))
            pids.push_back(pid);
    }
    return pids;
}

bool IsDir(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> SubDirs(const std::string& dir) {
    std::vector<std::string> names;
    DIR* d = ::opendir(dir.c_str());
    if (!d)
        return names;
    while (dirent* e = ::readdir(d)) {
        if (e->d_type != DT_DIR)
            continue;
        std::string name = e->d_name;
        if (name != "." && name != "..")
            names.push_back(name);
    }
    ::closedir(d);
    return names;
}

// A mounted cgroup hierarchy from /proc/self/mountinfo.
struct Mount {
    std::string root;  // the mount's root inside the hierarchy
    std::string mountPoint;
    bool v2 = false;
    std::vector<std::string> controllers;  // v1 only
};

std::vector<Mount> ReadMounts() {
    std::vector<Mount> mounts;
    std::istringstream in(ReadSmallFile("/proc/self/mountinfo"));
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> f = Split(line, ' ');
        auto dash = std::find(f.begin(), f.end(), "-");
        if (f.size() < 5 || dash == f.end() || dash + 3 > f.end())
            continue;
        const std::string& fsType = *(dash + 1);
        if (fsType != "cgroup" && fsType != "cgroup2")
            continue;
        Mount m;
        m.root = f[3];
        m.mountPoint = f[4];
        m.v2 = fsType == "cgroup2";
        if (!m.v2)
            m.controllers = Split(*(dash + 3), ',');
        mounts.push_back(std::move(m));
    }
    return mounts;
}

// The server's own folder in a mounted hierarchy, given its path from /proc/self/cgroup.
std::string OwnDir(const Mount& m, std::string path) {
    if (m.root != "/" && path.rfind(m.root, 0) == 0)
        path = path.substr(m.root.size());
    if (path == "/")
        path.clear();
    return m.mountPoint + path;
}

// rmdir fails with EBUSY while a dead process of the group is not yet reaped: bwrap's init,
// orphaned when the outer bwrap exits, waits for the host's pid 1, which may take seconds. Such a
// folder is left; create() reuses it and the next server sweeps it.
bool RemoveDirSoon(const std::string& dir) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (::rmdir(dir.c_str()) == 0 || errno == ENOENT)
            return true;
        if (errno != EBUSY)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

}  // namespace

std::vector<std::string> AgentCgroup::procsFiles() const {
    std::vector<std::string> files;
    for (const auto& d : dirs)
        files.push_back(d + "/cgroup.procs");
    return files;
}

CgroupManager::CgroupManager(std::string groupName) : groupName_(std::move(groupName)) {
    detect();
}

CgroupManager::~CgroupManager() {
    for (const auto& h : hierarchies_) {
        for (const auto& agent : SubDirs(h.baseDir))
            ::rmdir((h.baseDir + "/" + agent).c_str());
        ::rmdir(h.baseDir.c_str());
    }
}

void CgroupManager::detect() {
    std::vector<Mount> mounts = ReadMounts();
    std::string v2Path;
    std::vector<std::pair<std::vector<std::string>, std::string>> v1Paths;
    std::istringstream in(ReadSmallFile("/proc/self/cgroup"));
    std::string line;
    while (std::getline(in, line)) {
        size_t a = line.find(':');
        size_t b = line.find(':', a + 1);
        if (a == std::string::npos || b == std::string::npos)
            continue;
        std::string ctrls = line.substr(a + 1, b - a - 1);
        std::string path = line.substr(b + 1);
        if (line.substr(0, a) == "0" && ctrls.empty()) {
            v2Path = path;
        } else {
            v1Paths.push_back({Split(ctrls, ','), path});
        }
    }

    std::vector<std::string> problems;
    std::string suffix = "/" + groupName_ + "." + std::to_string(::getpid());
    auto addHierarchy = [&](Hierarchy h, const std::string& what) {
        if (!IsDir(h.ownDir)) {
            problems.push_back(what + ": " + h.ownDir + " is missing");
            return false;
        }
        h.baseDir = h.ownDir + suffix;
        if (::mkdir(h.baseDir.c_str(), 0755) != 0 && errno != EEXIST) {
            problems.push_back(what + ": cannot create " + h.baseDir + ": " + std::strerror(errno));
            return false;
        }
        sweepStale(h);
        hierarchies_.push_back(std::move(h));
        return true;
    };

    bool haveV2 = false;
    bool v2Memory = false;
    bool v2Pids = false;
    for (const auto& m : mounts) {
        if (!m.v2 || v2Path.empty())
            continue;
        Hierarchy h;
        h.v2 = true;
        h.ownDir = OwnDir(m, v2Path);
        std::vector<std::string> avail =
            Split(ReadSmallFile(h.ownDir + "/cgroup.controllers"), ' ');
        for (auto& c : avail)
            c.erase(std::remove(c.begin(), c.end(), '\n'), c.end());
        if (Contains(avail, "memory"))
            h.memory = true;
        if (Contains(avail, "pids"))
            h.pids = true;
        if (h.memory || h.pids) {
            // The "no internal processes" rule: controllers can be handed to children only by
            // a group without processes of its own (or the root). A server that owns its
            // delegated group moves itself into a leaf first.
            std::string enable = std::string(h.memory ? "+memory " : "") + (h.pids ? "+pids" : "");
            int err = WriteValue(h.ownDir + "/cgroup.subtree_control", enable);
            if (err == EBUSY) {
                std::string leaf = h.ownDir + "/" + groupName_ + "-server";
                ::mkdir(leaf.c_str(), 0755);
                if (WriteValue(leaf + "/cgroup.procs", std::to_string(::getpid())) == 0) {
                    err = WriteValue(h.ownDir + "/cgroup.subtree_control", enable);
                }
            }
            if (err != 0) {
                problems.push_back("cgroup v2 controllers cannot be enabled in " + h.ownDir + ": " +
                                   std::strerror(err));
                h.memory = h.pids = false;
            }
        }
        if (addHierarchy(h, "cgroup v2")) {
            haveV2 = true;
            v2Memory = hierarchies_.back().memory;
            v2Pids = hierarchies_.back().pids;
            if (v2Memory || v2Pids) {
                std::string enable =
                    std::string(v2Memory ? "+memory " : "") + (v2Pids ? "+pids" : "");
                WriteValue(hierarchies_.back().baseDir + "/cgroup.subtree_control", enable);
            }
        }
        break;
    }

    bool haveV1 = false;
    for (const char* controller : {"memory", "pids"}) {
        bool wanted = std::string(controller) == "memory" ? !v2Memory : !v2Pids;
        if (!wanted)
            continue;
        for (const auto& m : mounts) {
            if (m.v2 || !Contains(m.controllers, controller))
                continue;
            for (const auto& [ctrls, path] : v1Paths) {
                if (!Contains(ctrls, controller))
                    continue;
                Hierarchy h;
                h.ownDir = OwnDir(m, path);
                h.memory = std::string(controller) == "memory";
                h.pids = !h.memory;
                if (addHierarchy(h, std::string("cgroup v1 ") + controller))
                    haveV1 = true;
                break;
            }
            break;
        }
    }

    support_.supported = !hierarchies_.empty();
    for (const auto& h : hierarchies_) {
        support_.memoryLimit = support_.memoryLimit || h.memory;
        support_.pidsLimit = support_.pidsLimit || h.pids;
    }
    support_.layout = haveV2 && haveV1 ? "hybrid" : haveV2 ? "v2" : haveV1 ? "v1" : "none";
    if (!support_.supported && problems.empty())
        problems.push_back("no cgroup hierarchy mounted");
    if (support_.supported && !support_.memoryLimit)
        problems.push_back("no memory controller");
    if (support_.supported && !support_.pidsLimit)
        problems.push_back("no pids controller");
    for (const auto& p : problems) {
        if (!support_.reason.empty())
            support_.reason += "; ";
        support_.reason += p;
    }
}

void CgroupManager::sweepStale(const Hierarchy& h) const {
    std::string prefix = groupName_ + ".";
    for (const auto& name : SubDirs(h.ownDir)) {
        if (name.rfind(prefix, 0) != 0)
            continue;
        std::string pidText = name.substr(prefix.size());
        if (pidText.empty() || pidText.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        int pid = std::stoi(pidText);
        if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH)
            continue;
        std::string base = h.ownDir + "/" + name;
        for (const auto& agent : SubDirs(base)) {
            AgentCgroup stale;
            stale.dirs.push_back(base + "/" + agent);
            remove(stale);
        }
        ::rmdir(base.c_str());
    }
}

Result<AgentCgroup> CgroupManager::create(const std::string& agentId,
                                          const CgroupLimits& limits) const {
    AgentCgroup group;
    if (agentId.empty() || agentId.find('/') != std::string::npos || agentId[0] == '.') {
        return Status::InvalidArgument("Invalid agent id for a cgroup: " + agentId);
    }
    std::vector<std::string> notes;
    for (const auto& h : hierarchies_) {
        std::string dir = h.baseDir + "/" + agentId;
        if (::mkdir(dir.c_str(), 0755) != 0) {
            if (errno != EEXIST) {
                return Status::Internal("cannot create cgroup " + dir + ": " +
                                        std::strerror(errno));
            }
            AgentCgroup leftover;
            leftover.dirs.push_back(dir);
            PINFOLD_TRY(killAll(leftover));
        }
        group.dirs.push_back(dir);
        if (h.memory && limits.memoryBytes > 0) {
            std::string limit = std::to_string(limits.memoryBytes);
            // No swapping past the limit either. v1's memory+swap limit must never be below the
            // memory limit, so it is lifted first (the file exists only with swap accounting).
            std::string memsw = dir + "/memory.memsw.limit_in_bytes";
            bool hasMemsw = !h.v2 && ::access(memsw.c_str(), W_OK) == 0;
            if (hasMemsw)
                WriteValue(memsw, "-1");
            int err = WriteValue(dir + (h.v2 ? "/memory.max" : "/memory.limit_in_bytes"), limit);
            if (err == 0 && h.v2)
                WriteValue(dir + "/memory.swap.max", "0");
            if (err == 0 && hasMemsw)
                WriteValue(memsw, limit);
            if (err == 0) {
                group.memoryLimited = true;
            } else {
                notes.push_back("memory limit not applied: " + std::string(std::strerror(err)));
            }
        }
        if (h.pids && limits.pids > 0) {
            int err = WriteValue(dir + "/pids.max", std::to_string(limits.pids));
            if (err == 0) {
                group.pidsLimited = true;
            } else {
                notes.push_back("pids limit not applied: " + std::string(std::strerror(err)));
            }
        }
    }
    if (limits.memoryBytes > 0 && !support_.memoryLimit) {
        notes.push_back("memory limit not applied: " + support_.reason);
    }
    if (limits.pids > 0 && !support_.pidsLimit) {
        notes.push_back("pids limit not applied: " + support_.reason);
    }
    for (const auto& n : notes) {
        if (!group.note.empty())
            group.note += "; ";
        group.note += n;
    }
    return group;
}

Status CgroupManager::killAll(const AgentCgroup& group) const {
    for (const auto& dir : group.dirs) {
        // cgroup.kill (v2, Linux 5.14+) kills atomically, racing no fork.
        if (::access((dir + "/cgroup.kill").c_str(), W_OK) == 0)
            WriteValue(dir + "/cgroup.kill", "1");
    }
    for (int round = 0; round < 200; ++round) {
        std::vector<int> left = pids(group);
        if (left.empty())
            return Status::Ok();
        for (int pid : left) {
            if (pid > 1 && pid != ::getpid())
                ::kill(pid, SIGKILL);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Status::Internal("processes remain in cgroup " +
                            (group.dirs.empty() ? std::string() : group.dirs[0]));
}

Status CgroupManager::remove(const AgentCgroup& group) const {
    Status killed = killAll(group);
    for (const auto& dir : group.dirs) {
        if (!RemoveDirSoon(dir)) {
            return Status::Internal("cannot remove cgroup " + dir + ": " + std::strerror(errno));
        }
    }
    return killed;
}

std::vector<int> CgroupManager::pids(const AgentCgroup& group) const {
    std::set<int> all;
    for (const auto& dir : group.dirs) {
        for (int pid : ReadPids(dir))
            all.insert(pid);
    }
    return {all.begin(), all.end()};
}

std::vector<std::string> CgroupManager::baseDirs() const {
    std::vector<std::string> dirs;
    for (const auto& h : hierarchies_)
        dirs.push_back(h.baseDir);
    return dirs;
}

}  // namespace pinfold::sandbox
