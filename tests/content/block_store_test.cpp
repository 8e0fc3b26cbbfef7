#include "content/block_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "content_test_util.h"

namespace pinfold::content {
namespace {

using testutil::ReadFile;
using testutil::WriteFile;

mode_t ModeOf(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0;
}

class BlockStoreTest : public ::testing::Test {
  protected:
    testing::TempDir temp_;
    std::string root_ = temp_.file("blocks");
    BlockStore store_{root_};
    Cid hello_ = Cid::ForBlock(kRawCodec, "hello world\n");
};

TEST_F(BlockStoreTest, StoresUnderTheCidsLastTwoCharacters) {
    ASSERT_TRUE(store_.put(hello_, "hello world\n").ok());
    std::string path = root_ + "/i4/bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4";
    EXPECT_EQ(store_.pathOf(hello_), path);
    EXPECT_EQ(ReadFile(path), "hello world\n");
    EXPECT_EQ(ModeOf(path), 0600u);
    EXPECT_EQ(ModeOf(root_ + "/i4"), 0700u);
    EXPECT_EQ(ModeOf(root_), 0700u);
    // CIDv0 blocks are named by their bytes in base32 as well.
    Cid v0 = *Cid::Parse("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
    EXPECT_EQ(store_.pathOf(v0),
              root_ + "/dq/bciqenvcics44llyudq5kvn6alxc6qrhk2x4r6eufrmbb5osfo2fuydq");
}

TEST_F(BlockStoreTest, RoundTripsAndReportsMissingBlocks) {
    EXPECT_FALSE(store_.has(hello_));
    EXPECT_EQ(store_.get(hello_).status().ToString(),
              "NotFound: Block bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4 "
              "not found");
    ASSERT_TRUE(store_.put(hello_, "hello world\n").ok());
    EXPECT_TRUE(store_.has(hello_));
    EXPECT_EQ(*store_.get(hello_), "hello world\n");
    std::string empty;
    Cid emptyCid = Cid::ForBlock(kRawCodec, empty);
    ASSERT_TRUE(store_.put(emptyCid, empty).ok());
    EXPECT_EQ(*store_.get(emptyCid), "");
}

TEST_F(BlockStoreTest, DetectsCorruption) {
    ASSERT_TRUE(store_.put(hello_, "hello world\n").ok());
    WriteFile(store_.pathOf(hello_), "hello w0rld\n");
    EXPECT_EQ(store_.get(hello_).status().ToString(),
              "Internal: Block bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4 is "
              "corrupt");
    // Same size: put trusts what is there.
    ASSERT_TRUE(store_.put(hello_, "hello world\n").ok());
    EXPECT_FALSE(store_.get(hello_).ok());
    // Cut short (as after a crash): put writes it again.
    WriteFile(store_.pathOf(hello_), "");
    EXPECT_FALSE(store_.get(hello_).ok());
    ASSERT_TRUE(store_.put(hello_, "hello world\n").ok());
    EXPECT_EQ(*store_.get(hello_), "hello world\n");
}

TEST_F(BlockStoreTest, PutOfAStoredBlockChangesNothing) {
    ASSERT_TRUE(store_.put(hello_, "hello world\n").ok());
    struct stat before;
    ASSERT_EQ(::stat(store_.pathOf(hello_).c_str(), &before), 0);
    ASSERT_TRUE(store_.put(hello_, "hello world\n").ok());
    struct stat after;
    ASSERT_EQ(::stat(store_.pathOf(hello_).c_str(), &after), 0);
    EXPECT_EQ(before.st_ino, after.st_ino);
    // No temp files are left behind.
    size_t files = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root_))
        files += e.is_regular_file() ? 1 : 0;
    EXPECT_EQ(files, 1u);
}

TEST_F(BlockStoreTest, ManyThreadsPutAndGetAtOnce) {
    std::vector<std::string> blocks;
    for (int i = 0; i < 200; ++i)
        blocks.push_back("block " + std::to_string(i % 50));  // each block four times
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (size_t i = t; i < blocks.size(); i += 4) {
                Cid cid = Cid::ForBlock(kRawCodec, blocks[i]);
                if (!store_.put(cid, blocks[i]).ok() || *store_.get(cid) != blocks[i])
                    ++failures;
            }
        });
    }
    for (std::thread& t : threads)
        t.join();
    EXPECT_EQ(failures, 0);
    size_t files = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root_))
        files += e.is_regular_file() ? 1 : 0;
    EXPECT_EQ(files, 50u);
}

TEST_F(BlockStoreTest, TheStoreFolderMayNotBeCreatable) {
    WriteFile(temp_.file("a-file"), "x");
    BlockStore broken(temp_.file("a-file") + "/blocks");
    Status s = broken.put(hello_, "hello world\n");
    EXPECT_EQ(s.code(), Status::Code::kInternal);
    EXPECT_EQ(s.message().substr(0, 14), "Cannot create ");
}

}  // namespace
}  // namespace pinfold::content
