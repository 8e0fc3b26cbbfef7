// ExtractSkillArchive (declared in skill_package.h): read every entry of a hostile tar into
// memory with its checks, settle the layout, then write files and folders without following
// anything.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/text.h"
#include "sandbox/unique_fd.h"
#include "services/skill_package.h"

namespace pinfold::services {
namespace {

using sandbox::UniqueFd;

constexpr size_t kMaxNamePartBytes = 255;
constexpr size_t kMaxShownNameBytes = 200;

struct ArchiveEntry {
    std::string name;                // as stored, for messages
    std::vector<std::string> parts;  // normalised, then stripped of a shared top folder
    bool isDirectory = false;
    std::string data;
};

using ArchivePtr = std::unique_ptr<archive, decltype(&archive_read_free)>;

// A name as it may appear in a message shown to API users: valid UTF-8, bounded.
std::string Shown(std::string_view name) {
    if (name.size() > kMaxShownNameBytes)
        return ToValidUtf8(name.substr(0, kMaxShownNameBytes)) + "...";
    return ToValidUtf8(name);
}

Status EntryError(std::string_view name, const std::string& what) {
    return Status::InvalidArgument("Archive entry \"" + Shown(name) + "\" " + what);
}

std::string Join(const std::vector<std::string>& parts, size_t count) {
    std::string path;
    for (size_t i = 0; i < count; ++i) {
        if (i > 0)
            path += '/';
        path += parts[i];
    }
    return path;
}

// "./a//b/./c" -> {a, b, c}; refuses what could leave the folder or is not a name at all.
Result<std::vector<std::string>> SplitName(std::string_view name,
                                           const SkillArchiveLimits& limits) {
    if (name.empty())
        return Status::InvalidArgument("Archive entry with an empty name");
    if (name.size() > limits.maxNameBytes) {
        return EntryError(
            name, "has a name longer than " + std::to_string(limits.maxNameBytes) + " bytes");
    }
    if (name.front() == '/')
        return EntryError(name, "has an absolute name");
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= name.size()) {
        size_t end = name.find('/', start);
        if (end == std::string_view::npos)
            end = name.size();
        std::string_view part = name.substr(start, end - start);
        if (part == "..")
            return EntryError(name, "has a \"..\" part");
        if (part.size() > kMaxNamePartBytes)
            return EntryError(name, "has a name part longer than 255 bytes");
        if (!part.empty() && part != ".")
            parts.emplace_back(part);
        start = end + 1;
    }
    return parts;
}

// macOS tar adds "._name" AppleDouble files beside each file, and zip tools a "__MACOSX" folder.
bool IsJunk(const std::vector<std::string>& parts) {
    return !parts.empty() && (parts.front() == "__MACOSX" || parts.back().starts_with("._"));
}

// Why an entry that is neither a regular file nor a folder is refused.
std::string RefusedKind(archive_entry* entry) {
    if (archive_entry_hardlink(entry) != nullptr)
        return "is a hardlink";
    switch (archive_entry_filetype(entry)) {
        case AE_IFLNK:
            return "is a symlink";
        case AE_IFCHR:
            return "is a character device";
        case AE_IFBLK:
            return "is a block device";
        case AE_IFIFO:
            return "is a FIFO";
        case AE_IFSOCK:
            return "is a socket";
        case AE_IFREG:
        case AE_IFDIR:
            return "";
        default:
            return "has an unknown type";
    }
}

Status ArchiveError(archive* a) {
    const char* reason = archive_error_string(a);
    return Status::InvalidArgument(std::string("Invalid skill archive: ") +
                                   (reason ? Shown(reason) : "unreadable"));
}

Status ReadData(archive* a, uint64_t size, std::string& out) {
    out.resize(size);
    size_t done = 0;
    while (done < size) {
        la_ssize_t n = archive_read_data(a, out.data() + done, size - done);
        if (n < 0)
            return ArchiveError(a);
        if (n == 0)
            return Status::InvalidArgument("Invalid skill archive: truncated entry");
        done += static_cast<size_t>(n);
    }
    return Status::Ok();
}

// What the archive has cost so far. Every entry counts, junk included: libarchive decompresses
// the data it skips as well.
struct Budget {
    uint64_t entries = 0;
    uint64_t dataBytes = 0;  // declared sizes of all entries so far
};

// Charges one header to the budget before its data is read or skipped.
Status Charge(archive* a, archive_entry* header, const std::string& name,
              const SkillArchiveLimits& limits, Budget& used) {
    if (++used.entries > limits.maxEntries) {
        return Status::TooLarge("Skill archive has more than " + std::to_string(limits.maxEntries) +
                                " entries");
    }
    // The unpacked stream so far, less the data in it: headers, pax records and padding.
    uint64_t streamBytes = static_cast<uint64_t>(archive_filter_bytes(a, 0));
    if (streamBytes > used.dataBytes + limits.maxHeaderBytes) {
        return Status::TooLarge("Skill archive has more than " +
                                std::to_string(limits.maxHeaderBytes) + " bytes of headers");
    }
    la_int64_t size = archive_entry_size_is_set(header) ? archive_entry_size(header) : 0;
    if (size < 0)
        return EntryError(name, "has a negative size");
    if (static_cast<uint64_t>(size) > limits.maxFileBytes) {
        return Status::TooLarge("Archive entry \"" + Shown(name) + "\" is larger than " +
                                std::to_string(limits.maxFileBytes) + " bytes");
    }
    used.dataBytes += static_cast<uint64_t>(size);
    if (used.dataBytes > limits.maxTotalBytes) {
        return Status::TooLarge("Skill archive unpacks to more than " +
                                std::to_string(limits.maxTotalBytes) + " bytes");
    }
    return Status::Ok();
}

// Checks one header and, for a file, reads its bytes; nullopt for junk and for the root itself.
Result<std::optional<ArchiveEntry>> ReadEntry(archive* a, archive_entry* header,
                                              const SkillArchiveLimits& limits, Budget& used) {
    ArchiveEntry entry;
    const char* name = archive_entry_pathname_utf8(header);
    if (name == nullptr)
        name = archive_entry_pathname(header);
    entry.name = name ? name : "";
    PINFOLD_TRY(Charge(a, header, entry.name, limits, used));
    PINFOLD_ASSIGN_OR_RETURN(entry.parts, SplitName(entry.name, limits));
    using Kept = std::optional<ArchiveEntry>;
    if (IsJunk(entry.parts))
        return Kept();
    std::string refused = RefusedKind(header);
    if (!refused.empty())
        return EntryError(entry.name, refused + "; only files and folders are allowed");
    entry.isDirectory = archive_entry_filetype(header) == AE_IFDIR;
    if (entry.isDirectory)
        return entry.parts.empty() ? Kept() : Kept(std::move(entry));
    if (entry.parts.empty())
        return EntryError(entry.name, "is a file without a name");
    PINFOLD_TRY(ReadData(a, static_cast<uint64_t>(archive_entry_size(header)), entry.data));
    return Kept(std::move(entry));
}

Result<std::vector<ArchiveEntry>> ReadArchive(std::string_view bytes,
                                              const SkillArchiveLimits& limits) {
    ArchivePtr a(archive_read_new(), &archive_read_free);
    if (!a)
        return Status::Internal("libarchive: out of memory");
    archive_read_support_filter_gzip(a.get());
    archive_read_support_format_tar(a.get());
    if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK)
        return ArchiveError(a.get());
    std::vector<ArchiveEntry> entries;
    Budget used;
    archive_entry* header = nullptr;
    while (true) {
        int r = archive_read_next_header(a.get(), &header);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN)  // a warning: a name not in the locale's charset
            return ArchiveError(a.get());
        PINFOLD_ASSIGN_OR_RETURN(std::optional<ArchiveEntry> entry,
                                 ReadEntry(a.get(), header, limits, used));
        if (entry)
            entries.push_back(std::move(*entry));
    }
    return entries;
}

// When every entry lies in one top-level folder, that folder becomes the root.
void StripSharedTopFolder(std::vector<ArchiveEntry>& entries) {
    if (entries.empty())
        return;
    const std::string& top = entries.front().parts.front();
    for (const ArchiveEntry& e : entries) {
        if (e.parts.front() != top || (!e.isDirectory && e.parts.size() == 1))
            return;
    }
    std::vector<ArchiveEntry> stripped;
    for (ArchiveEntry& e : entries) {
        e.parts.erase(e.parts.begin());
        if (!e.parts.empty())
            stripped.push_back(std::move(e));
    }
    entries = std::move(stripped);
}

// Depth, duplicates, and names used both as a file and as a folder.
Status CheckLayout(const std::vector<ArchiveEntry>& entries, const SkillArchiveLimits& limits) {
    std::map<std::string, bool> isDirectoryAt;
    auto claim = [&](const ArchiveEntry& e, const std::string& path, bool directory) -> Status {
        auto [it, added] = isDirectoryAt.emplace(path, directory);
        if (added || (directory && it->second))
            return Status::Ok();
        if (!directory && !it->second)
            return EntryError(e.name, "appears twice");
        return EntryError(e.name, "makes \"" + Shown(path) + "\" both a file and a folder");
    };
    for (const ArchiveEntry& e : entries) {
        size_t folders = e.isDirectory ? e.parts.size() : e.parts.size() - 1;
        if (folders > limits.maxDepth) {
            return EntryError(
                e.name, "is nested deeper than " + std::to_string(limits.maxDepth) + " folders");
        }
        for (size_t i = 1; i < e.parts.size(); ++i)
            PINFOLD_TRY(claim(e, Join(e.parts, i), true));
        PINFOLD_TRY(claim(e, Join(e.parts, e.parts.size()), e.isDirectory));
    }
    return Status::Ok();
}

Status WriteError(const std::string& path, const char* what) {
    return Status::Internal("Cannot " + std::string(what) + " " + Shown(path) + ": " +
                            std::strerror(errno));
}

// Opens (creating when missing) the folder made of parts[0, count) below root, one part at a
// time and never through a symlink.
Result<UniqueFd> OpenFolder(int root, const std::vector<std::string>& parts, size_t count) {
    UniqueFd current(::fcntl(root, F_DUPFD_CLOEXEC, 0));
    if (!current)
        return WriteError(".", "open folder");
    for (size_t i = 0; i < count; ++i) {
        const char* part = parts[i].c_str();
        const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
        UniqueFd next(::openat(current.get(), part, flags));
        if (!next && errno == ENOENT) {
            if (::mkdirat(current.get(), part, 0755) != 0 && errno != EEXIST)
                return WriteError(Join(parts, i + 1), "create folder");
            next.reset(::openat(current.get(), part, flags));
        }
        if (!next)
            return WriteError(Join(parts, i + 1), "open folder");
        current = std::move(next);
    }
    return current;
}

Status WriteFile(int root, const ArchiveEntry& entry) {
    PINFOLD_ASSIGN_OR_RETURN(UniqueFd folder,
                             OpenFolder(root, entry.parts, entry.parts.size() - 1));
    const std::string path = Join(entry.parts, entry.parts.size());
    UniqueFd file(::openat(folder.get(), entry.parts.back().c_str(),
                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!file)
        return WriteError(path, "create");
    std::string_view rest = entry.data;
    while (!rest.empty()) {
        ssize_t n = ::write(file.get(), rest.data(), rest.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return WriteError(path, "write");
        rest.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
}

Status WriteEntries(const std::vector<ArchiveEntry>& entries, const std::string& destDir) {
    UniqueFd root(::open(destDir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root)
        return WriteError(destDir, "open");
    for (const ArchiveEntry& entry : entries) {
        Status written = entry.isDirectory
                             ? OpenFolder(root.get(), entry.parts, entry.parts.size()).status()
                             : WriteFile(root.get(), entry);
        PINFOLD_TRY(written);
    }
    return Status::Ok();
}

}  // namespace

Status ExtractSkillArchive(std::string_view archive, const std::string& destDir,
                           const SkillArchiveLimits& limits) {
    PINFOLD_ASSIGN_OR_RETURN(std::vector<ArchiveEntry> entries, ReadArchive(archive, limits));
    StripSharedTopFolder(entries);
    PINFOLD_TRY(CheckLayout(entries, limits));
    return WriteEntries(entries, destDir);
}

}  // namespace pinfold::services
