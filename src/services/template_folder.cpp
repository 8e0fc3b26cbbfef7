#include "services/template_folder.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/text.h"
#include "sandbox/unique_fd.h"

namespace pinfold::services {

namespace {

using sandbox::UniqueFd;

// Any walk examines at most this many directory entries, files and folders together, so a tree
// of a million empty folders ends as quickly as one of a million files.
constexpr size_t kMaxEntriesExamined = 10 * kMaxTemplateFiles;

// Reads `name` in the folder `dirFd` into `out` (at most maxBytes), refusing a symlink at the
// name. Returns "" or the problem, worded to follow the name ("is missing").
std::string ReadTopLevelFile(int dirFd, const char* name, size_t maxBytes, std::string& out) {
    // O_NONBLOCK: a FIFO planted under the name must not hang the open.
    UniqueFd fd(::openat(dirFd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!fd) {
        if (errno == ENOENT)
            return "is missing";
        if (errno == ELOOP)
            return "must not be a symlink";
        return std::string("cannot be read: ") + std::strerror(errno);
    }
    struct stat st;
    if (::fstat(fd.get(), &st) != 0)
        return std::string("cannot be read: ") + std::strerror(errno);
    if (!S_ISREG(st.st_mode))
        return "must be a regular file";
    out.clear();
    char buffer[64 << 10];
    while (out.size() < maxBytes) {
        ssize_t n = ::read(fd.get(), buffer, std::min(sizeof buffer, maxBytes - out.size()));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return std::string("cannot be read: ") + std::strerror(errno);
        if (n == 0)
            break;
        out.append(buffer, static_cast<size_t>(n));
    }
    return "";
}

class FileLister {
  public:
    explicit FileLister(TemplateFolderCheck& check) : check_(check) {}

    // Lists the entries of the open folder `dirFd` (whose path relative to the root is
    // `prefix`), descending into sub-folders through O_NOFOLLOW opens only.
    void walk(int dirFd, const std::string& prefix, int depth) {
        int listFd = ::dup(dirFd);
        DIR* handle = listFd < 0 ? nullptr : ::fdopendir(listFd);
        if (!handle) {
            int error = errno;
            if (listFd >= 0)
                ::close(listFd);
            cannotRead(prefix, error);
            return;
        }
        std::vector<std::string> names;
        errno = 0;
        while (dirent* e = ::readdir(handle)) {
            std::string_view name = e->d_name;
            if (name == "." || name == ".." || name == ".git")
                continue;
            if (++examined_ > kMaxEntriesExamined) {
                check_.filesTruncated = true;
                break;
            }
            names.emplace_back(name);
        }
        int readError = check_.filesTruncated ? 0 : errno;
        ::closedir(handle);
        if (readError != 0)
            cannotRead(prefix, readError);
        std::sort(names.begin(), names.end());

        for (const std::string& name : names) {
            if (check_.filesTruncated)
                return;
            std::string path = prefix.empty() ? name : prefix + "/" + name;
            struct stat st;
            if (::fstatat(dirFd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
                continue;  // gone since it was listed
            if (S_ISDIR(st.st_mode)) {
                if (depth >= kMaxTemplateDepth) {
                    check_.filesTruncated = true;
                    return;
                }
                UniqueFd child(
                    ::openat(dirFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                if (child)
                    walk(child.get(), path, depth + 1);
                else
                    cannotRead(path, errno);
            } else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
                if (check_.files.size() == kMaxTemplateFiles) {
                    check_.filesTruncated = true;
                    return;
                }
                check_.files.push_back(ToValidUtf8(path));
            }
        }
    }

  private:
    void cannotRead(const std::string& path, int error) {
        check_.errors.push_back(ToValidUtf8(path.empty() ? "." : path) +
                                "/ cannot be read: " + std::strerror(error));
    }

    TemplateFolderCheck& check_;
    size_t examined_ = 0;
};

}  // namespace

Result<TemplateFolderCheck> ValidateTemplateFolder(const std::string& dir) {
    UniqueFd root(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root) {
        std::string message = dir + ": " + std::strerror(errno);
        if (errno == ENOENT)
            return Status::NotFound(message);
        return Status::InvalidArgument(message);
    }

    TemplateFolderCheck check;
    // One byte past the limit, so that ValidateManifest sees an oversize file as one.
    std::string problem =
        ReadTopLevelFile(root.get(), "manifest.json", kMaxManifestBytes + 1, check.manifestText);
    if (problem.empty()) {
        ManifestCheck manifest = ValidateManifest(check.manifestText);
        check.errors = std::move(manifest.errors);
        check.manifest = std::move(manifest.manifest);
    } else {
        check.manifestText.clear();
        check.errors.push_back("manifest.json " + problem);
    }

    std::string readme;
    problem = ReadTopLevelFile(root.get(), "README.md", kMaxReadmeBytes, readme);
    if (problem.empty())
        check.readme = ToValidUtf8(readme);
    else
        check.errors.push_back("README.md " + problem);

    struct stat st;
    if (::fstatat(root.get(), "workspace", &st, AT_SYMLINK_NOFOLLOW) != 0) {
        check.errors.push_back(errno == ENOENT ? "workspace/ is missing"
                                               : std::string("workspace/ cannot be read: ") +
                                                     std::strerror(errno));
    } else if (S_ISLNK(st.st_mode)) {
        check.errors.push_back("workspace/ must be a folder, not a symlink");
    } else if (!S_ISDIR(st.st_mode)) {
        check.errors.push_back("workspace/ must be a folder");
    }

    FileLister(check).walk(root.get(), "", 0);
    std::sort(check.files.begin(), check.files.end());
    return check;
}

}  // namespace pinfold::services
