// BlockStore: blocks as files under a root folder, each at <root>/<xy>/<name>, where <name> is
// the CID's bytes in multibase base32 ("bafy...", also for CIDv0 blocks) and <xy> its last two
// characters, which spread names evenly.
//
// put writes a temp file (0600) in the block's folder (0700, made on demand) and renames it into
// place, so a reader never sees half a block; a block already stored with the right size is left
// alone (a file cut short by a crash is rewritten). get re-hashes what it reads, so a damaged
// file is reported, never returned. Thread-safe: every step is a single filesystem operation.
#pragma once

#include <string>

#include "content/blocks.h"

namespace pinfold::content {

struct BlockStoreOptions {
    // fdatasync each block before its rename: a crash then never leaves a torn block, at the
    // cost of one disk flush per block (thousands for a tree of small files). Without it, a torn
    // block is caught by get and rewritten by the next put of the same block.
    bool syncWrites = false;
};

class BlockStore final : public BlockSink, public BlockSource {
  public:
    // The folder is made on the first put.
    explicit BlockStore(std::string root, BlockStoreOptions options = {});

    Status put(const Cid& cid, std::string_view block) override;
    // NotFound "Block <cid> not found"; Internal "Block <cid> is corrupt" when the file's bytes
    // do not hash to the CID.
    Result<std::string> get(const Cid& cid) const override;
    bool has(const Cid& cid) const override;

    // Where the block lives (whether or not it is there).
    std::string pathOf(const Cid& cid) const;

  private:
    const std::string root_;
    const BlockStoreOptions options_;
};

}  // namespace pinfold::content
