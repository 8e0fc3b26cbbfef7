// Safe file access inside an agent's root (its home, or /proc/<pid>/root of its running sandbox).
//
// Every path is resolved with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) against the root,
// so "..", absolute paths and symlinks (even ones the agent planted) cannot leave it. And every
// call runs on its own short-lived thread whose filesystem uid/gid are the agent's host uid
// (setfsuid/setfsgid, no supplementary groups), so root's rights never reach a file the agent
// itself could not read or write. The calling thread's credentials never change.
//
// Errors never tell the agent's callers more than the agent could learn itself: a file it may not
// read is "File not found", like one that does not exist.
//
// Thread-safe: calls are independent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace pinfold::sandbox {

// Reads a regular file. Errors: NotFound "File not found" (missing, outside, or not readable by
// fsUid), InvalidArgument "Path is a directory" / "Path is not a regular file",
// TooLarge "File too large" (size > maxBytes, checked before reading).
Result<std::string> ReadFileInRoot(const std::string& rootDir, const std::string& path,
                                   uint32_t fsUid, size_t maxBytes);

enum class WriteMode {
    kReplace,        // create the file or replace it; its folder must exist
    kCreateParents,  // the same, creating missing folders on the way (owned by fsUid)
    kCreateNew,      // Conflict "File already exists" instead of replacing; folder must exist
};

struct WriteResult {
    size_t bytesWritten = 0;
    bool created = false;  // no file existed at the path before
};

// Writes a whole file (mode 0644, owned by fsUid) atomically: a temporary file in the same folder,
// then a rename over the name, so readers see the old or the new content, and a symlink at the name
// is replaced, never followed. Errors: NotFound "Directory not found", InvalidArgument "Path is a
// directory" / "Invalid path", Forbidden "Permission denied" (fsUid may not write there, or
// read-only), Conflict "File already exists" (exclusive).
Result<WriteResult> WriteFileInRoot(const std::string& rootDir, const std::string& path,
                                    uint32_t fsUid, std::string_view data,
                                    WriteMode mode = WriteMode::kReplace);

struct DirEntry {
    std::string name;
    char type = '?';  // 'f' file, 'd' directory, 'l' symlink, '?' other
    uint64_t size = 0;
};

// Lists a folder (sorted by name, at most maxEntries). NotFound "Directory not found" when
// missing or unreadable, InvalidArgument "Path is not a directory".
Result<std::vector<DirEntry>> ListDirInRoot(const std::string& rootDir, const std::string& path,
                                            uint32_t fsUid, size_t maxEntries = 10000);

}  // namespace pinfold::sandbox
