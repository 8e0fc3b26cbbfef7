// Where blocks go and where they come from: BlockSink (put) and BlockSource (get, has), the two
// sides of every block store, plus NullBlockSink for hashing without storing.
//
// Implementations must be thread-safe: the importer puts blocks from several threads at once.
#pragma once

#include <string>
#include <string_view>

#include "content/cid.h"
#include "core/result.h"

namespace pinfold::content {

class BlockSink {
  public:
    virtual ~BlockSink() = default;
    // Stores `block` under `cid`. The caller vouches that cid is the block's CID; storing a
    // block that is already there succeeds and changes nothing.
    virtual Status put(const Cid& cid, std::string_view block) = 0;
};

class BlockSource {
  public:
    virtual ~BlockSource() = default;
    // The block's bytes. NotFound "Block <cid> not found" if absent; a source that can be
    // tampered with (files on disk) verifies the bytes against the CID before returning them.
    virtual Result<std::string> get(const Cid& cid) const = 0;
    virtual bool has(const Cid& cid) const = 0;
};

// Keeps nothing: importing into it only computes CIDs (`ipfs add --only-hash`).
class NullBlockSink final : public BlockSink {
  public:
    Status put(const Cid&, std::string_view) override { return Status::Ok(); }
};

}  // namespace pinfold::content
