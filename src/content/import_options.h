// ImportOptions: how files and folders become a UnixFS DAG. The defaults are those of npm
// ipfs-unixfs-importer 17 (and `ipfs add` with CIDv1), so the same tree gets the same CID here
// and there: CIDv1, raw leaves, 256 KiB fixed-size chunks, balanced layout with 174 children
// per node, and HAMT sharding for folders whose links exceed 256 KiB. (The importer's
// "unixfs-v1-2025" profile, with 1 MiB chunks and 1024 children, is not its default.)
#pragma once

#include <cstddef>

#include "core/status.h"

namespace pinfold::content {

struct ImportOptions {
    // 1: CIDv1 ("bafy..."). 0: CIDv0 ("Qm...") for dag-pb nodes, as `ipfs add --cid-version 0`;
    // raw leaves stay CIDv1 either way, so with 0 you usually also want rawLeaves = false.
    int cidVersion = 1;
    // Chunks stored as raw blocks (smaller, the v1 default); false wraps each chunk in a dag-pb
    // UnixFS File node, as CIDv0 importers did.
    bool rawLeaves = true;
    // Bytes per leaf. Larger chunks mean fewer blocks but coarser deduplication.
    size_t chunkSize = 262144;
    // Links per interior file node before another level is added (balanced layout). 174 is
    // the importer's default when no profile is given (layout/balanced.js), kept from go-ipfs.
    size_t maxChildrenPerNode = 174;
    // A folder is written as a HAMT shard once the estimated size of its links (name bytes plus
    // CID bytes of each entry) exceeds this; below it, one flat dag-pb node.
    size_t shardSplitThresholdBytes = 262144;
    // Threads that read and hash file contents.
    unsigned threads = 2;
};

// Blocks Pinfold writes stay at or below 1 MiB of payload, and it reads blocks up to 2 MiB,
// the limit IPFS peers accept.
inline constexpr size_t kMaxChunkSize = 1 << 20;
inline constexpr size_t kMaxBlockSize = 2 << 20;

// InvalidArgument unless the options are usable: cidVersion 0 or 1, 1 <= chunkSize <= 1 MiB,
// 2 <= maxChildrenPerNode <= 8192, shardSplitThresholdBytes <= 1 MiB, threads >= 1.
Status ValidateImportOptions(const ImportOptions& options);

}  // namespace pinfold::content
