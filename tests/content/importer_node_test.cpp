// Cross-checks the importer against npm ipfs-unixfs-importer (tests/node/unixfs_cid.mjs) on
// trees built in a temp folder: the root CIDs must be equal. Missing node or packages is a
// failure, not a skip: the suite must never pass without having compared.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "content/importer.h"
#include "content_test_util.h"

namespace pinfold::content {
namespace {

using testutil::NodeCid;
using testutil::PseudoRandomBytes;
using testutil::WriteFile;

// Our CID of a file or folder, with options the way unixfs_cid.mjs takes them.
std::string OurCid(const std::string& path, const ImportOptions& options = {}) {
    NullBlockSink sink;
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        Result<ImportResult> r = ImportFolder(path, sink, options);
        return r.ok() ? r->root.ToString() : r.status().ToString();
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    Result<Cid> cid = ImportFile(fd, sink, options);
    ::close(fd);
    return cid.ok() ? cid->ToString() : cid.status().ToString();
}

std::string NodeArgs(const ImportOptions& o) {
    ImportOptions defaults;
    std::string args;
    if (o.cidVersion != defaults.cidVersion)
        args += " --cid-version " + std::to_string(o.cidVersion);
    if (o.rawLeaves != defaults.rawLeaves)
        args += std::string(" --raw-leaves ") + (o.rawLeaves ? "true" : "false");
    if (o.chunkSize != defaults.chunkSize)
        args += " --chunk-size " + std::to_string(o.chunkSize);
    if (o.maxChildrenPerNode != defaults.maxChildrenPerNode)
        args += " --max-children " + std::to_string(o.maxChildrenPerNode);
    if (o.shardSplitThresholdBytes != defaults.shardSplitThresholdBytes)
        args += " --shard-threshold " + std::to_string(o.shardSplitThresholdBytes);
    return args;
}

class ImporterMatchesNode : public ::testing::Test {
  protected:
    void SetUp() override { testutil::RequireNodePackages(); }

    // Asserts both importers agree on `relative` (under the temp folder); returns the CID.
    std::string Same(const std::string& relative, const ImportOptions& options = {}) {
        std::string path = temp_.file(relative);
        std::string ours = OurCid(path, options);
        EXPECT_EQ(ours, NodeCid(path, NodeArgs(options))) << relative << NodeArgs(options);
        return ours;
    }

    std::string file(const std::string& relative) const { return temp_.file(relative); }

    testing::TempDir temp_;
};

ImportOptions V0() {
    ImportOptions o;
    o.cidVersion = 0;
    o.rawLeaves = false;
    return o;
}

TEST_F(ImporterMatchesNode, EmptyFolderAndEmptyFile) {
    std::filesystem::create_directories(file("empty"));
    WriteFile(file("empty.txt"), "");
    EXPECT_EQ(Same("empty"), "bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354");
    EXPECT_EQ(Same("empty.txt"), "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
    EXPECT_EQ(Same("empty", V0()), "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn");
    EXPECT_EQ(Same("empty.txt", V0()), "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
}

TEST_F(ImporterMatchesNode, HelloWorldInEveryForm) {
    WriteFile(file("hello.txt"), "hello world\n");
    EXPECT_EQ(Same("hello.txt"), "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4");
    EXPECT_EQ(Same("hello.txt", V0()), "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
    ImportOptions dagPb;
    dagPb.rawLeaves = false;
    EXPECT_EQ(Same("hello.txt", dagPb),
              "bafybeicg2rebjoofv4kbyovkw7af3rpiitvnl6i7ckcywaq6xjcxnc2mby");
}

TEST_F(ImporterMatchesNode, FiveThousandSmallFilesInOneFolder) {
    for (int i = 0; i < 5000; ++i)
        WriteFile(file("many/file-" + std::to_string(i) + ".txt"), "file " + std::to_string(i));
    Same("many");
}

TEST_F(ImporterMatchesNode, FilesAroundChunkBoundaries) {
    std::string bytes = PseudoRandomBytes(262145, 1);
    WriteFile(file("262143"), bytes.substr(0, 262143));
    WriteFile(file("262144"), bytes.substr(0, 262144));
    WriteFile(file("262145"), bytes);
    EXPECT_EQ(Same("262144").substr(0, 7), "bafkrei");  // one chunk: the raw leaf itself
    EXPECT_EQ(Same("262145").substr(0, 7), "bafybei");
    Same("262143");
    Same("262145", V0());
}

TEST_F(ImporterMatchesNode, TenMebibytePseudoRandomFile) {
    WriteFile(file("ten.bin"), PseudoRandomBytes(10 << 20, 10));
    Same("ten.bin");
    Same("ten.bin", V0());
    ImportOptions dagPbLeaves;
    dagPbLeaves.rawLeaves = false;
    Same("ten.bin", dagPbLeaves);
}

TEST_F(ImporterMatchesNode, FilesDeeperThanOneLevelOfLinks) {
    // 174 links per node at the default 256 KiB chunks: 174 chunks + 1 byte needs a second level.
    WriteFile(file("wide.bin"), PseudoRandomBytes(174 * 262144 + 1, 174));
    Same("wide.bin");
    // The same shape, cheaply: small chunks and few links give four and more levels.
    WriteFile(file("deep.bin"), PseudoRandomBytes(300000, 3));
    ImportOptions small;
    small.chunkSize = 1000;
    Same("deep.bin", small);
    small.maxChildrenPerNode = 11;
    Same("deep.bin", small);
    ImportOptions smallV0 = V0();
    smallV0.chunkSize = 1000;
    smallV0.maxChildrenPerNode = 5;
    Same("deep.bin", smallV0);
}

TEST_F(ImporterMatchesNode, UnicodeNames) {
    for (const char* name : {"é.txt", "e\xcc\x81.txt", "日本", "日本語/ファイル.md", "😀 emoji",
                             "Zebra", "apple", "ünïcödé/ß", "a b#c%d.txt"}) {
        WriteFile(file(std::string("uni/") + name), name);
    }
    Same("uni");
}

TEST_F(ImporterMatchesNode, NestedFoldersWithEmptyOnesAndSymlinks) {
    WriteFile(file("tree/a/b/c/deep.txt"), "deep");
    WriteFile(file("tree/a/top.txt"), "top");
    WriteFile(file("tree/a-b"), "sorts between a and a/b as bytes");
    WriteFile(file("tree/z/big.bin"), PseudoRandomBytes(600000, 7));
    std::filesystem::create_directories(file("tree/empty"));
    std::filesystem::create_directories(file("tree/a/empty-too"));
    std::filesystem::create_symlink("../z/big.bin", file("tree/a/link"));
    std::filesystem::create_symlink("/nowhere/at/all", file("tree/dangling"));
    Same("tree");
    Same("tree", V0());
}

TEST_F(ImporterMatchesNode, FolderWideEnoughToShard) {
    // 7,000 names of ~14 bytes + 36-byte CIDs: ~350 KB of links, above the 256 KiB threshold.
    for (int i = 0; i < 7000; ++i)
        WriteFile(file("wide/entry-" + std::to_string(i) + ".txt"), std::to_string(i));
    WriteFile(file("wide/sub/inner.txt"), "a folder inside a shard");
    std::filesystem::create_directories(file("wide/empty"));
    std::filesystem::create_symlink("entry-1.txt", file("wide/link"));
    Same("wide");
    Same("wide", V0());
}

TEST_F(ImporterMatchesNode, ShardingDecisionsAtSmallThresholds) {
    // Low thresholds make small folders shard, with sub-shards where names share a slot.
    for (int i = 0; i < 300; ++i)
        WriteFile(file("small/f" + std::to_string(i)), std::to_string(i % 7));
    WriteFile(file("small/sub/x"), "x");
    WriteFile(file("small/sub/y"), "y");
    for (size_t threshold : {1000, 5000, 20000}) {
        ImportOptions o;
        o.shardSplitThresholdBytes = threshold;
        Same("small", o);
    }
    // The importer counts a folder entry (name + CID) until its first child arrives; here that
    // brief 38 bytes decide: a (37) + b (37) + zz (38) = 112.
    WriteFile(file("edge/a"), "1");
    WriteFile(file("edge/b"), "2");
    WriteFile(file("edge/zz/c"), "3");
    ImportOptions o;
    o.shardSplitThresholdBytes = 111;
    std::string sharded = Same("edge", o);
    o.shardSplitThresholdBytes = 112;
    EXPECT_NE(Same("edge", o), sharded);
}

}  // namespace
}  // namespace pinfold::content
