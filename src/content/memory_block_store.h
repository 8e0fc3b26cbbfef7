// MemoryBlockStore: blocks in a hash map, for tests and for small DAGs built or read in one
// request (a CAR assembled in memory). Thread-safe (one mutex).
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "content/blocks.h"

namespace pinfold::content {

class MemoryBlockStore final : public BlockSink, public BlockSource {
  public:
    Status put(const Cid& cid, std::string_view block) override;
    Result<std::string> get(const Cid& cid) const override;
    bool has(const Cid& cid) const override;

    size_t size() const;
    // Total bytes of all blocks.
    size_t bytes() const;

  private:
    mutable std::mutex mutex_;
    std::unordered_map<Cid, std::string> blocks_;  // guarded by mutex_
    size_t bytes_ = 0;                             // guarded by mutex_
};

}  // namespace pinfold::content
