#include "content/import_options.h"

#include <string>

namespace pinfold::content {

Status ValidateImportOptions(const ImportOptions& o) {
    if (o.cidVersion != 0 && o.cidVersion != 1)
        return Status::InvalidArgument("CID version must be 0 or 1");
    if (o.chunkSize < 1 || o.chunkSize > kMaxChunkSize)
        return Status::InvalidArgument("Chunk size must be between 1 and " +
                                       std::to_string(kMaxChunkSize) + " bytes");
    if (o.maxChildrenPerNode < 2 || o.maxChildrenPerNode > 8192)
        return Status::InvalidArgument("Children per node must be between 2 and 8192");
    if (o.shardSplitThresholdBytes > kMaxChunkSize)
        return Status::InvalidArgument("Shard split threshold must be at most " +
                                       std::to_string(kMaxChunkSize) + " bytes");
    if (o.threads < 1)
        return Status::InvalidArgument("Threads must be at least 1");
    return Status::Ok();
}

}  // namespace pinfold::content
