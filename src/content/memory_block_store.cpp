#include "content/memory_block_store.h"

namespace pinfold::content {

Status MemoryBlockStore::put(const Cid& cid, std::string_view block) {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = blocks_.try_emplace(cid, block);
    if (inserted)
        bytes_ += block.size();
    return Status::Ok();
}

Result<std::string> MemoryBlockStore::get(const Cid& cid) const {
    std::lock_guard lock(mutex_);
    auto it = blocks_.find(cid);
    if (it == blocks_.end())
        return Status::NotFound("Block " + cid.ToString() + " not found");
    return it->second;
}

bool MemoryBlockStore::has(const Cid& cid) const {
    std::lock_guard lock(mutex_);
    return blocks_.count(cid) > 0;
}

size_t MemoryBlockStore::size() const {
    std::lock_guard lock(mutex_);
    return blocks_.size();
}

size_t MemoryBlockStore::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

}  // namespace pinfold::content
