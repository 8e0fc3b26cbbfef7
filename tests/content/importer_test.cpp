// The importer on its own: known CIDs, the DAG it writes, and the inputs it refuses. The
// comparisons with npm ipfs-unixfs-importer are in importer_node_test.cpp.
#include "content/importer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>

#include "content/dag_pb.h"
#include "content/exporter.h"
#include "content/memory_block_store.h"
#include "content/unixfs.h"
#include "content_test_util.h"

namespace pinfold::content {
namespace {

using testutil::MemoryContent;

TreeEntry File(std::string path, std::string bytes) {
    return {std::move(path), TreeEntry::Kind::kFile, {}, MemoryContent(std::move(bytes))};
}

TreeEntry Folder(std::string path) {
    return {std::move(path), TreeEntry::Kind::kDirectory, {}, {}};
}

TreeEntry Symlink(std::string path, std::string target) {
    return {std::move(path), TreeEntry::Kind::kSymlink, std::move(target), {}};
}

std::string FileCid(const std::string& bytes, const ImportOptions& options = {}) {
    NullBlockSink sink;
    Result<int> fd = MemoryContent(bytes)();
    Result<Cid> cid = ImportFile(*fd, sink, options);
    ::close(*fd);
    return cid.ok() ? cid->ToString() : cid.status().ToString();
}

std::string TreeCid(std::vector<TreeEntry> entries, const ImportOptions& options = {}) {
    NullBlockSink sink;
    Result<ImportResult> r = ImportTree(std::move(entries), sink, options);
    return r.ok() ? r->root.ToString() : r.status().ToString();
}

ImportOptions V0() {
    ImportOptions o;
    o.cidVersion = 0;
    o.rawLeaves = false;
    return o;
}

// Each block as "<cid> <type> [links]", in WalkDag order: the DAG as text, to compare whole.
std::string RenderDag(const Cid& root, const BlockSource& blocks) {
    std::string out;
    Status s = WalkDag(root, blocks, [&](const Cid& cid, std::string_view block) {
        out += cid.ToString();
        if (cid.codec() == kRawCodec) {
            out += " raw " + std::to_string(block.size()) + "\n";
            return Status::Ok();
        }
        PBNode node = *DecodePBNode(block);
        UnixFsData data = *DecodeUnixFsData(*node.data);
        out += " type" + std::to_string(static_cast<int>(data.type));
        if (data.fileSize)
            out += " filesize=" + std::to_string(*data.fileSize);
        for (uint64_t size : data.blockSizes)
            out += " " + std::to_string(size);
        for (const PBLink& link : node.links)
            out += " [" + link.name.value_or("-") + " " + std::to_string(*link.tsize) + "]";
        out += "\n";
        return Status::Ok();
    });
    return s.ok() ? out : s.ToString();
}

TEST(Importer, HelloWorldHasTheKnownCids) {
    EXPECT_EQ(FileCid("hello world\n"),
              "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4");
    EXPECT_EQ(FileCid("hello world\n", V0()), "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
    ImportOptions dagPbLeaves;
    dagPbLeaves.rawLeaves = false;
    EXPECT_EQ(FileCid("hello world\n", dagPbLeaves),
              "bafybeicg2rebjoofv4kbyovkw7af3rpiitvnl6i7ckcywaq6xjcxnc2mby");
}

TEST(Importer, EmptyFileAndEmptyFolder) {
    EXPECT_EQ(FileCid(""), "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
    EXPECT_EQ(FileCid("", V0()), "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
    EXPECT_EQ(TreeCid({}), "bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354");
    EXPECT_EQ(TreeCid({}, V0()), "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn");
    // An explicit empty folder inside a tree is that same node.
    MemoryBlockStore blocks;
    Result<ImportResult> r = ImportTree({Folder("e")}, blocks);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(RenderDag(r->root, blocks),
              "bafybeib4yeqdymlyylt44ykoxddycgnavqnoatqyxhtfsjpsv4suyxlaua type1 [e 4]\n"
              "bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354 type1\n");
}

TEST(Importer, WritesABalancedFileTree) {
    // 25 one-byte chunks, 4 links per node: 7 nodes over the leaves, 2 over those, 1 root.
    ImportOptions o;
    o.chunkSize = 1;
    o.maxChildrenPerNode = 4;
    MemoryBlockStore blocks;
    Result<int> fd = MemoryContent("abcdefghijklmnopqrstuvwxy")();
    Result<Cid> root = ImportFile(*fd, blocks, o);
    ::close(*fd);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    std::string dag = RenderDag(*root, blocks);
    // Leaves are one-byte raw blocks; interior nodes list their children's sizes.
    EXPECT_NE(dag.find(" type2 filesize=25 16 9 ["), std::string::npos) << dag;
    EXPECT_NE(dag.find(" type2 filesize=16 4 4 4 4 ["), std::string::npos) << dag;
    EXPECT_NE(dag.find(" type2 filesize=9 4 4 1 ["), std::string::npos) << dag;
    EXPECT_NE(dag.find(" type2 filesize=1 1 ["), std::string::npos) << dag;
    // 25 distinct letters + 7 + 2 + 1 nodes.
    EXPECT_EQ(blocks.size(), 35u);
}

TEST(Importer, ReportsFilesInPathOrderWithImplicitFolders) {
    NullBlockSink sink;
    Result<ImportResult> r = ImportTree({File("b/z.txt", "zz"), File("a.txt", "hello world\n"),
                                         Symlink("b/link", "../a.txt"), File("b/a/c", "")},
                                        sink);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    std::string listed;
    for (const ImportedFile& f : r->files)
        listed += f.path + " " + std::to_string(f.size) + " " + f.cid.ToString() + "\n";
    EXPECT_EQ(listed,
              "a.txt 12 bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4\n"
              "b/a/c 0 bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku\n"
              "b/z.txt 2 bafkreickmc7x2s6b4scxithx5diimbjeoux4uhheemy347cdt7jdaq7rke\n");
    EXPECT_EQ(r->totalBytes, 14u);
    // The order entries are given in does not matter.
    EXPECT_EQ(TreeCid({File("b/a/c", ""), Symlink("b/link", "../a.txt"),
                       File("a.txt", "hello world\n"), File("b/z.txt", "zz")}),
              r->root.ToString());
}

TEST(Importer, RefusesBadPaths) {
    for (const char* path : {"", "/a", "a/", "a//b", ".", "..", "a/../b", "./a", "a/."}) {
        EXPECT_EQ(TreeCid({File(path, "x")}),
                  "InvalidArgument: Invalid path: \"" + std::string(path) + "\"");
    }
    EXPECT_EQ(TreeCid({File(std::string("a\0b", 3), "x")}),
              "InvalidArgument: Invalid path: \"" + std::string("a\0b", 3) + "\"");
    EXPECT_EQ(TreeCid({File("a", "x"), File("a", "y")}), "InvalidArgument: Duplicate path: a");
    EXPECT_EQ(TreeCid({Folder("a"), Folder("a")}), "InvalidArgument: Duplicate path: a");
    EXPECT_EQ(TreeCid({File("a", "x"), File("a/b", "y")}),
              "InvalidArgument: Path below a file: a/b");
    EXPECT_EQ(TreeCid({Symlink("a", "t"), Folder("a/b")}),
              "InvalidArgument: Path below a file: a/b");
    EXPECT_EQ(TreeCid({Symlink("a", "")}), "InvalidArgument: Invalid symlink target: a");
    EXPECT_EQ(TreeCid({Symlink("a", std::string("x\0y", 3))}),
              "InvalidArgument: Invalid symlink target: a");
    EXPECT_EQ(TreeCid({TreeEntry{"a", TreeEntry::Kind::kFile, {}, {}}}),
              "InvalidArgument: No content for file: a");
}

TEST(Importer, PassesOnOpenErrorsAndRefusesNonRegularFiles) {
    TreeEntry failing{"f", TreeEntry::Kind::kFile, {}, []() -> Result<int> {
                          return Status::Forbidden("Not yours");
                      }};
    EXPECT_EQ(TreeCid({File("a", "x"), failing}), "Forbidden: Not yours");
    TreeEntry pipe{"p", TreeEntry::Kind::kFile, {}, []() -> Result<int> {
                       int fds[2];
                       if (::pipe(fds) != 0)
                           return Status::Internal("pipe");
                       ::close(fds[1]);
                       return fds[0];
                   }};
    EXPECT_EQ(TreeCid({pipe}), "InvalidArgument: Not a regular file: p");
}

TEST(Importer, RefusesUnusableOptions) {
    ImportOptions o;
    o.cidVersion = 2;
    EXPECT_EQ(TreeCid({}, o), "InvalidArgument: CID version must be 0 or 1");
    o = {};
    o.chunkSize = 0;
    EXPECT_EQ(TreeCid({}, o), "InvalidArgument: Chunk size must be between 1 and 1048576 bytes");
    o = {};
    o.maxChildrenPerNode = 1;
    EXPECT_EQ(TreeCid({}, o), "InvalidArgument: Children per node must be between 2 and 8192");
    o = {};
    o.threads = 0;
    EXPECT_EQ(TreeCid({}, o), "InvalidArgument: Threads must be at least 1");
}

TEST(Importer, SameCidOnAnyNumberOfThreads) {
    std::vector<std::string> contents;
    for (int i = 0; i < 40; ++i)
        contents.push_back(testutil::PseudoRandomBytes(static_cast<size_t>(i) * 70001, i));
    std::string expected;
    for (unsigned threads : {1u, 2u, 3u, 8u}) {
        ImportOptions o;
        o.threads = threads;
        o.chunkSize = 4096;  // many segments per file
        std::vector<TreeEntry> entries;
        for (size_t i = 0; i < contents.size(); ++i)
            entries.push_back(File("f" + std::to_string(i), contents[i]));
        std::string cid = TreeCid(std::move(entries), o);
        if (expected.empty())
            expected = cid;
        EXPECT_EQ(cid, expected) << threads << " threads";
    }
    EXPECT_EQ(expected.substr(0, 4), "bafy");
}

// Fails the Nth put (and every one after it), like a disk that fills up mid-import.
class FailingSink final : public BlockSink {
  public:
    explicit FailingSink(int failAt) : failAt_(failAt) {}
    Status put(const Cid&, std::string_view) override {
        return ++puts_ >= failAt_ ? Status::Internal("Disk full") : Status::Ok();
    }
    int puts() const { return puts_; }

  private:
    const int failAt_;
    std::atomic<int> puts_{0};
};

TEST(Importer, StopsAtTheFirstFailedPutWhicheverItIs) {
    auto entries = [] {
        std::vector<TreeEntry> e;
        for (int i = 0; i < 6; ++i)
            e.push_back(File("d" + std::to_string(i % 2) + "/f" + std::to_string(i),
                             testutil::PseudoRandomBytes(static_cast<size_t>(i) * 9000, i)));
        e.push_back(Symlink("link", "d0/f0"));
        e.push_back(Folder("empty"));
        return e;
    };
    ImportOptions o;
    o.chunkSize = 4096;
    FailingSink never(1 << 30);
    ASSERT_TRUE(ImportTree(entries(), never, o).ok());
    const int total = never.puts();
    EXPECT_EQ(total, 46);  // 36 chunks, 5 file nodes, symlink, empty folder, d0, d1, root
    for (int failAt = 1; failAt <= total; ++failAt) {
        FailingSink sink(failAt);
        Result<ImportResult> r = ImportTree(entries(), sink, o);
        EXPECT_EQ(r.ok() ? "ok" : r.status().ToString(), "Internal: Disk full") << failAt;
    }
}

}  // namespace
}  // namespace pinfold::content
