// The UnixFS importer: files and folders in, a DAG of blocks and its root CID out, equal to what
// npm ipfs-unixfs-importer 17 computes for the same tree and options (see import_options.h).
//
// File contents are read and hashed on options.threads threads; every block goes to the sink
// (NullBlockSink to compute CIDs only). Modes and mtimes are not recorded, as with `ipfs add`
// by default. Each call is independent and may run concurrently with others.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "content/blocks.h"
#include "content/cid.h"
#include "content/import_options.h"
#include "core/result.h"

namespace pinfold::content {

// One entry of a tree to import.
struct TreeEntry {
    enum class Kind { kFile, kSymlink, kDirectory };

    // Relative, '/'-separated, no "." or ".." or empty parts, no NUL: "docs/a.txt".
    std::string path;
    Kind kind = Kind::kFile;
    std::string symlinkTarget;  // kSymlink: stored as is, never followed
    // kFile: opens the content and returns a readable fd of a regular file; the importer
    // closes it. Called once, from a worker thread.
    std::function<Result<int>()> open;
};

struct ImportedFile {
    std::string path;
    uint64_t size = 0;
    Cid cid;
};

struct ImportResult {
    Cid root;
    uint64_t totalBytes = 0;          // sum of the files' sizes
    std::vector<ImportedFile> files;  // in path order
};

// Builds the DAG of the whole tree and returns its root directory. Folders that are parents of
// entries exist implicitly; a kDirectory entry adds a folder even when empty. Entries may come
// in any order; the importer visits them sorted by path, parts compared as bytes (the order
// of a sorted walk), which is what decides when a growing folder is sharded. An empty list
// gives the empty folder. InvalidArgument on a bad or duplicate path, or a path below a file.
Result<ImportResult> ImportTree(std::vector<TreeEntry> entries, BlockSink& sink,
                                const ImportOptions& options = {});

// ImportTree over a folder on disk: regular files, folders (each one an entry, so empty ones
// are kept) and symlinks (stored, not followed); sockets, FIFOs and devices are skipped.
Result<ImportResult> ImportFolder(const std::string& dir, BlockSink& sink,
                                  const ImportOptions& options = {});

// One file's DAG from a readable fd of a regular file (not closed here); returns its root.
Result<Cid> ImportFile(int fd, BlockSink& sink, const ImportOptions& options = {});

}  // namespace pinfold::content
