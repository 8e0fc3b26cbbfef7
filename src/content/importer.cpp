#include "content/importer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>

#include "content/directory_tree.h"
#include "content/file_hasher.h"
#include "content/unixfs_nodes.h"

namespace pinfold::content {
namespace {

using Parts = std::vector<std::string_view>;

Result<Parts> SplitPath(std::string_view path) {
    Parts parts;
    size_t start = 0;
    while (true) {
        size_t slash = path.find('/', start);
        std::string_view part =
            path.substr(start, slash == std::string_view::npos ? slash : slash - start);
        if (part.empty() || part == "." || part == ".." ||
            part.find('\0') != std::string_view::npos) {
            return Status::InvalidArgument("Invalid path: \"" + std::string(path) + "\"");
        }
        parts.push_back(part);
        if (slash == std::string_view::npos)
            return parts;
        start = slash + 1;
    }
}

bool IsPrefix(const Parts& prefix, const Parts& parts) {
    return prefix.size() < parts.size() && std::equal(prefix.begin(), prefix.end(), parts.begin());
}

Status OsError(const std::string& what, const std::string& path) {
    return Status::Internal(what + " " + path + ": " + std::strerror(errno));
}

// Appends the entries below `dir` to `out`, with paths relative to the walk's root (`relative`
// is dir's own); ImportTree sorts them.
Status WalkFolder(const std::string& dir, const std::string& relative,
                  std::vector<TreeEntry>& out) {
    DIR* handle = ::opendir(dir.c_str());
    if (!handle)
        return OsError("Cannot open folder", dir);
    std::vector<std::string> names;
    errno = 0;
    while (dirent* e = ::readdir(handle)) {
        std::string_view name = e->d_name;
        if (name != "." && name != "..")
            names.emplace_back(name);
    }
    bool readFailed = errno != 0;
    ::closedir(handle);
    if (readFailed)
        return OsError("Cannot read folder", dir);

    for (const std::string& name : names) {
        std::string full = dir + "/" + name;
        std::string path = relative.empty() ? name : relative + "/" + name;
        struct stat st;
        if (::lstat(full.c_str(), &st) != 0)
            return OsError("Cannot stat", full);
        if (S_ISDIR(st.st_mode)) {
            out.push_back({path, TreeEntry::Kind::kDirectory, {}, {}});
            PINFOLD_TRY(WalkFolder(full, path, out));
        } else if (S_ISREG(st.st_mode)) {
            out.push_back({path, TreeEntry::Kind::kFile, {}, [full]() -> Result<int> {
                               int fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                               if (fd < 0)
                                   return OsError("Cannot open", full);
                               return fd;
                           }});
        } else if (S_ISLNK(st.st_mode)) {
            std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
            ssize_t n = ::readlink(full.c_str(), target.data(), target.size());
            if (n < 0)
                return OsError("Cannot read symlink", full);
            if (static_cast<size_t>(n) >= target.size())
                return Status::Conflict("File changed while importing: " + full);
            target.resize(static_cast<size_t>(n));
            out.push_back({path, TreeEntry::Kind::kSymlink, target, {}});
        }
    }
    return Status::Ok();
}

}  // namespace

Result<ImportResult> ImportTree(std::vector<TreeEntry> entries, BlockSink& sink,
                                const ImportOptions& options) {
    PINFOLD_TRY(ValidateImportOptions(options));
    struct Item {
        Parts parts;
        const TreeEntry* entry;
    };
    std::vector<Item> items;
    items.reserve(entries.size());
    for (const TreeEntry& e : entries) {
        PINFOLD_ASSIGN_OR_RETURN(Parts parts, SplitPath(e.path));
        if (e.kind == TreeEntry::Kind::kFile && !e.open)
            return Status::InvalidArgument("No content for file: " + e.path);
        if (e.kind == TreeEntry::Kind::kSymlink &&
            (e.symlinkTarget.empty() || e.symlinkTarget.find('\0') != std::string::npos)) {
            return Status::InvalidArgument("Invalid symlink target: " + e.path);
        }
        items.push_back({std::move(parts), &e});
    }
    // Parts compare as bytes, so a folder sorts right before everything below it.
    std::sort(items.begin(), items.end(),
              [](const Item& a, const Item& b) { return a.parts < b.parts; });
    for (size_t i = 0; i + 1 < items.size(); ++i) {
        if (items[i].parts == items[i + 1].parts)
            return Status::InvalidArgument("Duplicate path: " + items[i].entry->path);
        if (items[i].entry->kind != TreeEntry::Kind::kDirectory &&
            IsPrefix(items[i].parts, items[i + 1].parts)) {
            return Status::InvalidArgument("Path below a file: " + items[i + 1].entry->path);
        }
    }

    std::vector<FileSource> sources;
    for (const Item& item : items) {
        if (item.entry->kind == TreeEntry::Kind::kFile)
            sources.push_back({item.entry->path, item.entry->open});
    }
    PINFOLD_ASSIGN_OR_RETURN(std::vector<HashedFile> hashed, HashFiles(sources, options, sink));

    DirectoryTree tree(options.shardSplitThresholdBytes);
    std::optional<DagNode> emptyFolder;
    std::vector<ImportedFile> files;
    files.reserve(hashed.size());
    uint64_t totalBytes = 0;
    for (const Item& item : items) {
        const TreeEntry& e = *item.entry;
        switch (e.kind) {
            case TreeEntry::Kind::kFile: {
                const HashedFile& file = hashed[files.size()];
                files.push_back({e.path, file.size, file.node.cid});
                totalBytes += file.size;
                tree.Add(item.parts, file.node);
                break;
            }
            case TreeEntry::Kind::kSymlink: {
                PINFOLD_ASSIGN_OR_RETURN(DagNode link,
                                         PutSymlink(e.symlinkTarget, options.cidVersion, sink));
                tree.Add(item.parts, link);
                break;
            }
            case TreeEntry::Kind::kDirectory: {
                if (!emptyFolder) {
                    PINFOLD_ASSIGN_OR_RETURN(emptyFolder,
                                             PutEmptyDirectory(options.cidVersion, sink));
                }
                tree.Add(item.parts, *emptyFolder);
                break;
            }
        }
    }
    PINFOLD_ASSIGN_OR_RETURN(DagNode root, tree.Write(options.cidVersion, sink));
    return ImportResult{root.cid, totalBytes, std::move(files)};
}

Result<ImportResult> ImportFolder(const std::string& dir, BlockSink& sink,
                                  const ImportOptions& options) {
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return Status::InvalidArgument("Not a folder: " + dir);
    std::vector<TreeEntry> entries;
    PINFOLD_TRY(WalkFolder(dir, "", entries));
    return ImportTree(std::move(entries), sink, options);
}

Result<Cid> ImportFile(int fd, BlockSink& sink, const ImportOptions& options) {
    std::vector<FileSource> source{{"(file)", [fd]() -> Result<int> {
                                        int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
                                        if (copy < 0)
                                            return OsError("Cannot duplicate fd of", "(file)");
                                        return copy;
                                    }}};
    PINFOLD_ASSIGN_OR_RETURN(std::vector<HashedFile> hashed, HashFiles(source, options, sink));
    return hashed[0].node.cid;
}

}  // namespace pinfold::content
