// dag-pb and UnixFS Data byte layouts, and the strictness of their decoders.
#include "content/dag_pb.h"

#include <gtest/gtest.h>

#include "content/unixfs.h"
#include "content_test_util.h"

namespace pinfold::content {
namespace {

using testutil::Hex;
using testutil::Unhex;

const char* kHelloDigest = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447";

Cid HelloRaw() {
    return Cid::ForBlock(kRawCodec, "hello world\n");
}

std::string DirectoryData() {
    UnixFsData d;
    d.type = UnixFsType::kDirectory;
    return EncodeUnixFsData(d);
}

std::string DecodeError(const std::string& hex) {
    Result<PBNode> node = DecodePBNode(Unhex(hex));
    return node.ok() ? "decoded" : node.status().ToString();
}

TEST(DagPb, WritesLinksBeforeDataAndLinkFieldsInOrder) {
    PBNode node;
    node.links.push_back({HelloRaw(), "hi", 12});
    node.data = DirectoryData();
    // 12 2c: Links (field 2), 44 bytes: 0a 24 Hash, 12 02 Name "hi", 18 0c Tsize 12.
    // 0a 02: Data (field 1), 2 bytes: 08 01 (UnixFS Directory).
    EXPECT_EQ(Hex(EncodePBNode(node)), std::string("122c0a2401551220") + kHelloDigest +
                                           "1202686918"
                                           "0c"
                                           "0a020801");
}

TEST(DagPb, OmitsUnsetFieldsButKeepsAnEmptyName) {
    PBNode node;
    node.links.push_back({HelloRaw(), std::string(), std::nullopt});
    node.links.push_back({HelloRaw(), std::nullopt, 0});
    EXPECT_EQ(Hex(EncodePBNode(node)), std::string("12280a2401551220") + kHelloDigest + "1200" +
                                           "12280a2401551220" + kHelloDigest + "1800");
    EXPECT_EQ(Hex(EncodePBNode(PBNode{})), "");
}

TEST(DagPb, DecodesWhatItEncodes) {
    PBNode node;
    node.links.push_back({HelloRaw(), "a", 12});
    node.links.push_back({*Cid::Parse("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"), "b", 20});
    node.data = DirectoryData();
    Result<PBNode> back = DecodePBNode(EncodePBNode(node));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    ASSERT_EQ(back->links.size(), 2u);
    EXPECT_EQ(back->links[0].hash, HelloRaw());
    EXPECT_EQ(back->links[0].name, "a");
    EXPECT_EQ(back->links[0].tsize, 12u);
    EXPECT_EQ(back->links[1].hash.version(), 0);
    EXPECT_EQ(back->links[1].name, "b");
    EXPECT_EQ(back->data, DirectoryData());
    EXPECT_EQ(EncodePBNode(*back), EncodePBNode(node));
}

TEST(DagPb, RejectsNonCanonicalOrMalformedBlocks) {
    std::string link = std::string("0a2401551220") + kHelloDigest;  // Hash only, 38 bytes
    EXPECT_EQ(DecodeError("0a020801"
                          "1226" +
                          link),
              "InvalidArgument: Invalid dag-pb block: Links after Data");
    EXPECT_EQ(DecodeError("0a0208010a020801"),
              "InvalidArgument: Invalid dag-pb block: duplicate Data");
    EXPECT_EQ(DecodeError("1a00"), "InvalidArgument: Invalid dag-pb block: unknown node field");
    EXPECT_EQ(DecodeError("0801"), "InvalidArgument: Invalid dag-pb block: unexpected wire type");
    EXPECT_EQ(DecodeError("0a05"), "InvalidArgument: Invalid dag-pb block: truncated field");
    EXPECT_EQ(DecodeError("1204"
                          "12026869"),
              "InvalidArgument: Invalid dag-pb block: link without Hash");
    EXPECT_EQ(DecodeError("122c"
                          "12026869" +
                          link + "180c"),
              "InvalidArgument: Invalid dag-pb block: link fields out of order or repeated");
    EXPECT_EQ(DecodeError("1206"
                          "0a0401020304"),
              "InvalidArgument: Invalid dag-pb block: link Hash is not a supported CID");
    EXPECT_EQ(DecodeError("1228" + link + "2000"),
              "InvalidArgument: Invalid dag-pb block: unknown link field");
    EXPECT_EQ(DecodeError(""), "decoded");
}

TEST(UnixFs, EncodesFieldsInNumberOrder) {
    UnixFsData file;
    file.type = UnixFsType::kFile;
    file.fileSize = 300;
    file.blockSizes = {256, 44};
    EXPECT_EQ(Hex(EncodeUnixFsData(file)),
              "080218ac0220800220"
              "2c");

    UnixFsData leaf;
    leaf.type = UnixFsType::kFile;
    leaf.data = "hi";
    leaf.fileSize = 2;
    EXPECT_EQ(Hex(EncodeUnixFsData(leaf)), "0802120268691802");

    UnixFsData shard;
    shard.type = UnixFsType::kHamtShard;
    shard.data = std::string("\x01", 1);
    shard.hashType = 0x22;
    shard.fanout = 256;
    EXPECT_EQ(Hex(EncodeUnixFsData(shard)),
              "0805120101282230"
              "8002");

    UnixFsData link;
    link.type = UnixFsType::kSymlink;
    link.data = "../a";
    EXPECT_EQ(Hex(EncodeUnixFsData(link)), "080412042e2e2f61");
    EXPECT_EQ(Hex(DirectoryData()), "0801");
}

TEST(UnixFs, DecodesEveryTypeAndBothBlocksizeForms) {
    Result<UnixFsData> file =
        DecodeUnixFsData(Unhex("080218ac0220800220"
                               "2c"));
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    EXPECT_EQ(file->type, UnixFsType::kFile);
    EXPECT_EQ(file->fileSize, 300u);
    EXPECT_EQ(file->blockSizes, (std::vector<uint64_t>{256, 44}));
    Result<UnixFsData> packed =
        DecodeUnixFsData(Unhex("0802"
                               "18ac02"
                               "2203"
                               "8002"
                               "2c"));
    ASSERT_TRUE(packed.ok()) << packed.status().ToString();
    EXPECT_EQ(packed->blockSizes, (std::vector<uint64_t>{256, 44}));
    for (int type = 0; type <= 5; ++type) {
        Result<UnixFsData> d = DecodeUnixFsData(std::string{'\x08', static_cast<char>(type)});
        ASSERT_TRUE(d.ok());
        EXPECT_EQ(static_cast<int>(d->type), type);
    }
    // mode and an mtime message are kept; an unknown field is skipped.
    Result<UnixFsData> meta =
        DecodeUnixFsData(Unhex("0801"
                               "38ed03"
                               "42020801"
                               "5005"));
    ASSERT_TRUE(meta.ok()) << meta.status().ToString();
    EXPECT_EQ(meta->mode, 0755u);
    EXPECT_EQ(Hex(*meta->mtime), "0801");
}

TEST(UnixFs, RejectsUnknownTypesAndMalformedData) {
    EXPECT_EQ(DecodeUnixFsData(Unhex("0806")).status().ToString(),
              "InvalidArgument: Invalid UnixFS data: unknown type");
    EXPECT_EQ(DecodeUnixFsData(Unhex("1800")).status().ToString(),
              "InvalidArgument: Invalid UnixFS data: missing Type");
    EXPECT_EQ(DecodeUnixFsData(Unhex("080212")).status().ToString(),
              "InvalidArgument: Invalid UnixFS data: truncated field");
    EXPECT_EQ(DecodeUnixFsData(Unhex("0a00")).status().ToString(),
              "InvalidArgument: Invalid UnixFS data: field with the wrong wire type");
}

}  // namespace
}  // namespace pinfold::content
