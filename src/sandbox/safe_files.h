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

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.h"
#include "sandbox/unique_fd.h"

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

// AgentFileAccess: many file operations in one agent root as the agent's identity, for walking
// or restoring a whole tree. The functions above start a thread per call; this keeps one worker
// thread with the agent's identity for its lifetime and runs every call on it. Paths resolve
// inside the root as above. Reads additionally never pass a symlink (RESOLVE_NO_SYMLINKS): the
// tree walked is the agent's, so a symlink swapped in mid-walk fails the read instead of
// redirecting it. Creating files and folders follows symlinks only inside the root.
//
// Thread-safe: calls from any thread are queued to the worker and run one at a time.
class AgentFileAccess {
  public:
    // InvalidArgument for uid 0; NotFound when rootDir cannot be opened as the agent.
    static Result<std::unique_ptr<AgentFileAccess>> Open(const std::string& rootDir,
                                                         uint32_t fsUid);
    ~AgentFileAccess();
    AgentFileAccess(const AgentFileAccess&) = delete;
    AgentFileAccess& operator=(const AgentFileAccess&) = delete;

    // A regular file, opened for reading. NotFound "File not found" otherwise.
    Result<UniqueFd> openForRead(const std::string& path);
    // The target of the symlink at path. NotFound when it is not a symlink.
    Result<std::string> readLink(const std::string& path);
    // Creates or truncates a regular file (0644), creating missing folders; a symlink at the
    // name is replaced, never followed.
    Result<UniqueFd> createFile(const std::string& path);
    // Creates a symlink (replacing a file or symlink at the name), creating missing folders.
    Status createSymlink(const std::string& path, const std::string& target);
    // Removes whatever is at path: a file, a symlink (not its target) or a folder with everything
    // in it. Nothing inside is ever followed: each folder is opened O_NOFOLLOW from its parent,
    // so a symlink swapped in mid-walk is removed as a link. The folders leading to path resolve
    // as for createFile. OK when nothing is there; InvalidArgument "Invalid path" for the root
    // itself or a "." / ".." last part; Forbidden when the agent may not remove an entry;
    // InvalidArgument "Directory tree too deep" past 256 nested folders.
    Status removeTree(const std::string& path);

  private:
    AgentFileAccess() = default;
    // Runs job on the worker and waits for it.
    void run(const std::function<void()>& job);
    void workerMain(uint32_t fsUid, const std::string& rootDir, std::promise<Status>& started);

    UniqueFd root_;  // the root folder, opened by the worker as the agent (O_PATH); worker only
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>*> jobs_;  // guarded by mu_
    bool stopping_ = false;                    // guarded by mu_
    std::thread worker_;
};

}  // namespace pinfold::sandbox
