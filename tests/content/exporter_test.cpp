#include "content/exporter.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "content/dag_pb.h"
#include "content/hamt.h"
#include "content/importer.h"
#include "content/memory_block_store.h"
#include "content/unixfs.h"
#include "content/unixfs_nodes.h"
#include "content_test_util.h"

namespace pinfold::content {
namespace {

using testutil::PseudoRandomBytes;
using testutil::ReadFile;
using testutil::WriteFile;

// Records the walk as text: "dir a", "file a/b 12", "link c -> t".
struct Recorder {
    std::string log;
    uint64_t fileBytes = 0;
    ExportVisitor visitor() {
        ExportVisitor v;
        v.directory = [this](const std::string& path) {
            log += "dir " + path + "\n";
            return Status::Ok();
        };
        v.symlink = [this](const std::string& path, const std::string& target) {
            log += "link " + path + " -> " + target + "\n";
            return Status::Ok();
        };
        v.beginFile = [this](const std::string& path) {
            log += "file " + path;
            fileBytes = 0;
            return Status::Ok();
        };
        v.fileData = [this](std::string_view chunk) {
            fileBytes += chunk.size();
            return Status::Ok();
        };
        v.endFile = [this]() {
            log += " " + std::to_string(fileBytes) + "\n";
            return Status::Ok();
        };
        return v;
    }
};

std::string Walk(const Cid& root, const BlockSource& blocks, const ExportLimits& limits = {}) {
    Recorder r;
    Status s = ExportTree(root, blocks, r.visitor(), limits);
    return s.ok() ? r.log : s.ToString();
}

// Restores a tree into `dir` with plain POSIX calls.
Status Restore(const Cid& root, const BlockSource& blocks, const std::string& dir) {
    std::ofstream out;
    ExportVisitor v;
    v.directory = [&](const std::string& path) {
        std::filesystem::create_directories(dir + "/" + path);
        return Status::Ok();
    };
    v.symlink = [&](const std::string& path, const std::string& target) {
        std::filesystem::create_symlink(target, dir + "/" + path);
        return Status::Ok();
    };
    v.beginFile = [&](const std::string& path) {
        out.open(dir + "/" + path, std::ios::binary);
        return Status::Ok();
    };
    v.fileData = [&](std::string_view chunk) {
        out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        return Status::Ok();
    };
    v.endFile = [&]() {
        out.close();
        return Status::Ok();
    };
    std::filesystem::create_directories(dir);
    return ExportTree(root, blocks, v);
}

// A folder node linking `links` (name -> cid), written by hand, for hostile DAGs.
Cid PutFolder(MemoryBlockStore& blocks, const std::vector<std::pair<std::string, Cid>>& links,
              UnixFsType type = UnixFsType::kDirectory) {
    UnixFsData data;
    data.type = type;
    if (type == UnixFsType::kHamtShard) {
        data.data = std::string(1, '\x01');
        data.hashType = 0x22;
        data.fanout = 256;
    }
    PBNode node;
    for (const auto& [name, cid] : links)
        node.links.push_back({cid, name, 1});
    node.data = EncodeUnixFsData(data);
    std::string block = EncodePBNode(node);
    Cid cid = Cid::ForBlock(kDagPbCodec, block);
    EXPECT_TRUE(blocks.put(cid, block).ok());
    return cid;
}

Cid PutRaw(MemoryBlockStore& blocks, std::string_view bytes) {
    Cid cid = Cid::ForBlock(kRawCodec, bytes);
    EXPECT_TRUE(blocks.put(cid, bytes).ok());
    return cid;
}

TEST(Exporter, RestoresATreeByteForByte) {
    testing::TempDir temp;
    WriteFile(temp.file("src/hello.txt"), "hello world\n");
    WriteFile(temp.file("src/empty.txt"), "");
    WriteFile(temp.file("src/日本/é 😀.txt"), "unicode");
    WriteFile(temp.file("src/big/chunks.bin"), PseudoRandomBytes(1 << 20, 5));
    WriteFile(temp.file("src/big/same.bin"), PseudoRandomBytes(1 << 20, 5));
    std::filesystem::create_directories(temp.file("src/empty-folder"));
    std::filesystem::create_symlink("../hello.txt", temp.file("src/big/link"));
    for (int i = 0; i < 60; ++i)
        WriteFile(temp.file("src/wide/n" + std::to_string(i)), std::to_string(i));

    ImportOptions small;  // multi-level files and a sharded folder, in a small tree
    small.chunkSize = 4096;
    small.maxChildrenPerNode = 16;
    small.shardSplitThresholdBytes = 1000;
    ImportOptions v0;
    v0.cidVersion = 0;
    v0.rawLeaves = false;
    for (const ImportOptions& options : {ImportOptions{}, small, v0}) {
        MemoryBlockStore blocks;
        Result<ImportResult> imported = ImportFolder(temp.file("src"), blocks, options);
        ASSERT_TRUE(imported.ok()) << imported.status().ToString();
        std::string out = temp.file("out-" + std::to_string(options.cidVersion) + "-" +
                                    std::to_string(options.chunkSize));
        Status restored = Restore(imported->root, blocks, out);
        ASSERT_TRUE(restored.ok()) << restored.ToString();
        for (const ImportedFile& f : imported->files)
            EXPECT_EQ(ReadFile(out + "/" + f.path), ReadFile(temp.file("src/" + f.path))) << f.path;
        EXPECT_EQ(std::filesystem::read_symlink(out + "/big/link"), "../hello.txt");
        EXPECT_TRUE(std::filesystem::is_directory(out + "/empty-folder"));
        NullBlockSink sink;
        Result<ImportResult> again = ImportFolder(out, sink, options);
        ASSERT_TRUE(again.ok());
        EXPECT_EQ(again->root, imported->root);
    }
}

TEST(Exporter, VisitsFoldersBeforeTheirContents) {
    MemoryBlockStore blocks;
    std::vector<TreeEntry> entries;
    entries.push_back({"b/c.txt", TreeEntry::Kind::kFile, {}, testutil::MemoryContent("abc")});
    entries.push_back({"a", TreeEntry::Kind::kSymlink, "b/c.txt", {}});
    entries.push_back({"b/d", TreeEntry::Kind::kDirectory, {}, {}});
    Result<ImportResult> r = ImportTree(std::move(entries), blocks);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(Walk(r->root, blocks), "link a -> b/c.txt\ndir b\nfile b/c.txt 3\ndir b/d\n");
}

TEST(Exporter, RefusesHostileNames) {
    MemoryBlockStore blocks;
    Cid file = PutRaw(blocks, "x");
    for (const std::string& name :
         {std::string(".."), std::string("."), std::string(""), std::string("a/b"),
          std::string("../etc"), std::string("/abs"), std::string("a\0b", 3)}) {
        Cid root = PutFolder(blocks, {{name, file}});
        EXPECT_EQ(
            Walk(root, blocks),
            "InvalidArgument: Invalid UnixFS DAG: an unsafe name in folder " + root.ToString())
            << name;
    }
    Cid inner = PutFolder(blocks, {{"..", file}});
    Cid nested = PutFolder(blocks, {{"ok", inner}});
    EXPECT_EQ(Walk(nested, blocks),
              "InvalidArgument: Invalid UnixFS DAG: an unsafe name in folder " + inner.ToString());
    Cid twice = PutFolder(blocks, {{"a", file}, {"a", file}});
    EXPECT_EQ(
        Walk(twice, blocks),
        "InvalidArgument: Invalid UnixFS DAG: a duplicate name in folder " + twice.ToString());
    // In a HAMT shard, names are "<2 hex digits><name>".
    Cid shard = PutFolder(blocks, {{"0A..", file}}, UnixFsType::kHamtShard);
    EXPECT_EQ(Walk(shard, blocks),
              "InvalidArgument: Invalid UnixFS DAG: an unsafe name in folder " + shard.ToString());
    Cid badLabel = PutFolder(blocks, {{"zzname", file}}, UnixFsType::kHamtShard);
    EXPECT_EQ(
        Walk(badLabel, blocks),
        "InvalidArgument: Invalid UnixFS DAG: a bad HAMT link name in " + badLabel.ToString());
    Cid shardToFile = PutFolder(blocks, {{"0A", file}}, UnixFsType::kHamtShard);
    EXPECT_EQ(Walk(shardToFile, blocks),
              "InvalidArgument: Invalid UnixFS DAG: HAMT link to a non-shard in " +
                  shardToFile.ToString());
}

TEST(Exporter, RefusesMalformedNodes) {
    MemoryBlockStore blocks;
    Cid leaf = PutRaw(blocks, "abc");
    EXPECT_EQ(Walk(leaf, blocks), "InvalidArgument: Invalid UnixFS DAG: the root " +
                                      leaf.ToString() + " is not a folder");
    // A file node that claims 5 bytes below a 3-byte leaf.
    UnixFsData data;
    data.type = UnixFsType::kFile;
    data.fileSize = 5;
    data.blockSizes = {5};
    PBNode lying;
    lying.links.push_back({leaf, "", 3});
    lying.data = EncodeUnixFsData(data);
    std::string block = EncodePBNode(lying);
    Cid lyingCid = Cid::ForBlock(kDagPbCodec, block);
    ASSERT_TRUE(blocks.put(lyingCid, block).ok());
    EXPECT_EQ(Walk(PutFolder(blocks, {{"f", lyingCid}}), blocks),
              "InvalidArgument: Invalid UnixFS DAG: a child's size differs from its blocksize "
              "in " +
                  lyingCid.ToString());
    // A dag-pb block that is not UnixFS at all.
    std::string junk = EncodePBNode(PBNode{{}, std::string("\x08\x09", 2)});
    Cid junkCid = Cid::ForBlock(kDagPbCodec, junk);
    ASSERT_TRUE(blocks.put(junkCid, junk).ok());
    EXPECT_EQ(Walk(PutFolder(blocks, {{"j", junkCid}}), blocks),
              "InvalidArgument: Invalid UnixFS DAG: Invalid UnixFS data: unknown type (" +
                  junkCid.ToString() + ")");
    // A missing block.
    Cid absent = Cid::ForBlock(kRawCodec, "not stored");
    EXPECT_EQ(Walk(PutFolder(blocks, {{"gone", absent}}), blocks),
              "NotFound: Block " + absent.ToString() + " not found");
}

TEST(Exporter, StopsAtItsLimits) {
    MemoryBlockStore blocks;
    Cid file = PutRaw(blocks, std::string(1000, 'x'));
    Cid root = PutFolder(blocks, {{"a", file}, {"b", file}, {"c", file}});
    ExportLimits limits;
    limits.maxTotalBytes = 2999;
    EXPECT_EQ(Walk(root, blocks, limits), "TooLarge: Tree exceeds 2999 bytes");
    limits = {};
    limits.maxEntries = 2;
    EXPECT_EQ(Walk(root, blocks, limits), "TooLarge: Tree exceeds 2 entries");

    // 40 levels, each linking the level below twice: 2^40 paths from 41 blocks.
    Cid level = file;
    for (int i = 0; i < 40; ++i)
        level = PutFolder(blocks, {{"l", level}, {"r", level}});
    EXPECT_EQ(Walk(level, blocks), "TooLarge: Tree exceeds 1000000 entries");
    limits = {};
    limits.maxDepth = 10;
    EXPECT_EQ(Walk(level, blocks, limits), "TooLarge: Tree exceeds 10 levels");
    limits = {};
    limits.maxBlocks = 100;
    EXPECT_EQ(Walk(level, blocks, limits), "TooLarge: Tree exceeds 100 blocks");
    // CollectDag lists each of those 41 blocks once.
    Result<std::vector<Cid>> all = CollectDag(level, blocks);
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->size(), 41u);
}

TEST(Exporter, StopsAtTheVisitorsError) {
    MemoryBlockStore blocks;
    Cid root = PutFolder(blocks, {{"a", PutRaw(blocks, "x")}});
    ExportVisitor v;
    v.beginFile = [](const std::string& path) { return Status::Conflict("No room for " + path); };
    EXPECT_EQ(ExportTree(root, blocks, v).ToString(), "Conflict: No room for a");
}

}  // namespace
}  // namespace pinfold::content
