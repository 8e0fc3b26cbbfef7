#include "content/car.h"

#include <gtest/gtest.h>

#include "content/exporter.h"
#include "content/importer.h"
#include "content/memory_block_store.h"
#include "content/varint.h"
#include "content_test_util.h"

namespace pinfold::content {
namespace {

using testutil::Hex;
using testutil::MemoryContent;
using testutil::PseudoRandomBytes;

const char* kHelloDigest = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447";

TreeEntry File(std::string path, std::string bytes) {
    return {std::move(path), TreeEntry::Kind::kFile, {}, MemoryContent(std::move(bytes))};
}

// A small tree with a shared block (two files with the same bytes), in a memory store.
Cid ImportSample(MemoryBlockStore& blocks) {
    ImportOptions o;
    o.chunkSize = 1000;
    Result<ImportResult> r =
        ImportTree({File("a.txt", "hello world\n"), File("b/same.txt", "hello world\n"),
                    File("b/big.bin", PseudoRandomBytes(5500, 1)),
                    TreeEntry{"b/link", TreeEntry::Kind::kSymlink, "../a.txt", {}}},
                   blocks, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r->root;
}

std::string CarOf(const Cid& root, const BlockSource& blocks) {
    std::string car;
    Status s = WriteCar(root, blocks, [&](std::string_view bytes) {
        car.append(bytes);
        return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return car;
}

std::string ReadError(std::string_view car, size_t maxBytes = 1 << 20) {
    MemoryBlockStore sink;
    Result<Cid> root = ReadCar(car, sink, maxBytes);
    return root.ok() ? "read " + root->ToString() : root.status().ToString();
}

// A CAR from a hand-made header and sections.
std::string Section(std::string_view cidBytes, std::string_view block) {
    std::string out;
    AppendVarint(out, cidBytes.size() + block.size());
    return out + std::string(cidBytes) + std::string(block);
}

std::string Framed(std::string_view cbor) {
    std::string out;
    AppendVarint(out, cbor.size());
    return out + std::string(cbor);
}

TEST(Car, HeaderIsCanonicalDagCbor) {
    Cid hello = Cid::ForBlock(kRawCodec, "hello world\n");
    // 3a: 58 bytes. a2 {2 pairs} 65 "roots" 81 [1] d8 2a tag 42 58 25 bytes(37) 00 <cid>
    // 67 "version" 01.
    EXPECT_EQ(Hex(EncodeCarHeader(hello)), std::string("3aa265726f6f747381d82a58250001551220") +
                                               kHelloDigest + "6776657273696f6e01");
}

TEST(Car, WritesRootFirstThenDepthFirstEachBlockOnce) {
    MemoryBlockStore blocks;
    Cid root = ImportSample(blocks);
    Result<std::vector<Cid>> order = CollectDag(root, blocks);
    ASSERT_TRUE(order.ok()) << order.status().ToString();
    EXPECT_EQ(order->size(), blocks.size());
    EXPECT_EQ(order->front(), root);
    // a.txt is the root's first link, so its block comes second.
    EXPECT_EQ(order->at(1), Cid::ForBlock(kRawCodec, "hello world\n"));

    std::string car = CarOf(root, blocks);
    std::string_view rest = car;
    std::optional<uint64_t> headerLength = ReadVarint(rest);
    ASSERT_TRUE(headerLength);
    rest.remove_prefix(*headerLength);
    std::vector<Cid> sections;
    while (!rest.empty()) {
        uint64_t length = *ReadVarint(rest);
        std::string_view section = rest.substr(0, length);
        sections.push_back(*Cid::ReadFrom(section));
        rest.remove_prefix(length);
    }
    EXPECT_EQ(sections, *order);
}

TEST(Car, RoundTrips) {
    MemoryBlockStore blocks;
    Cid root = ImportSample(blocks);
    std::string car = CarOf(root, blocks);
    MemoryBlockStore copy;
    Result<Cid> back = ReadCar(car, copy, car.size());
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, root);
    EXPECT_EQ(copy.size(), blocks.size());
    EXPECT_EQ(copy.bytes(), blocks.bytes());
    EXPECT_EQ(CarOf(root, copy), car);
}

TEST(Car, RefusesTruncatedInput) {
    MemoryBlockStore blocks;
    Cid root = ImportSample(blocks);
    std::string car = CarOf(root, blocks);
    EXPECT_EQ(ReadError(""), "InvalidArgument: Invalid CAR: truncated header");
    EXPECT_EQ(ReadError(car.substr(0, 30)), "InvalidArgument: Invalid CAR: truncated header");
    EXPECT_EQ(ReadError(car.substr(0, 62)), "InvalidArgument: Invalid CAR: truncated section");
    EXPECT_EQ(ReadError(car.substr(0, car.size() - 1)),
              "InvalidArgument: Invalid CAR: truncated section");
    // Cut right after the header: the root block is missing.
    EXPECT_EQ(ReadError(car.substr(0, 59)),
              "InvalidArgument: Invalid CAR: the root block " + root.ToString() + " is missing");
    EXPECT_EQ(ReadError(car, car.size() - 1), "InvalidArgument: Invalid CAR: larger than " +
                                                  std::to_string(car.size() - 1) + " bytes");
}

TEST(Car, RefusesABlockThatDoesNotMatchItsCid) {
    Cid hello = Cid::ForBlock(kRawCodec, "hello world\n");
    std::string car = EncodeCarHeader(hello) + Section(hello.bytes(), "hello w0rld\n");
    EXPECT_EQ(ReadError(car),
              "InvalidArgument: Invalid CAR: block "
              "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4 does not match its "
              "CID");
    MemoryBlockStore sink;
    EXPECT_FALSE(ReadCar(car, sink, 1 << 20).ok());
    EXPECT_EQ(sink.size(), 0u);
    EXPECT_EQ(ReadError(EncodeCarHeader(hello) + Section(hello.bytes(), "hello world\n")),
              "read bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4");
}

TEST(Car, RefusesHeadersItDoesNotUnderstand) {
    Cid hello = Cid::ForBlock(kRawCodec, "hello world\n");
    std::string link = std::string(1, '\0') + hello.bytes();
    std::string tagged = "\xd8\x2a\x58\x25" + link;
    std::string body = Section(hello.bytes(), "hello world\n");
    std::string roots = "\x65roots";
    std::string version = "\x67version";
    auto header = [&](std::string cbor) { return ReadError(Framed(cbor) + body); };
    // Keys in the other order are fine.
    EXPECT_EQ(header("\xa2" + version + "\x01" + roots + "\x81" + tagged),
              "read bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4");
    EXPECT_EQ(header("\xa2" + roots + "\x82" + tagged + tagged + version + "\x01"),
              "InvalidArgument: Invalid CAR: expected exactly one root, found 2");
    EXPECT_EQ(header("\xa2" + roots + "\x80" + version + "\x01"),
              "InvalidArgument: Invalid CAR: expected exactly one root, found 0");
    EXPECT_EQ(header("\xa2" + roots + "\x81" + tagged + version + "\x02"),
              "InvalidArgument: Invalid CAR: version 2 is not supported");
    EXPECT_EQ(header("\xa1" + version + "\x02"),
              "InvalidArgument: Invalid CAR: version 2 is not supported");
    EXPECT_EQ(header("\xa1" + roots + "\x81" + tagged),
              "InvalidArgument: Invalid CAR: the header needs exactly roots and version");
    EXPECT_EQ(header("\xa3" + roots + "\x81" + tagged + version + "\x01" + "\x61x\x01"),
              "InvalidArgument: Invalid CAR: unexpected header field");
    EXPECT_EQ(header("\xa2" + roots + "\x81\x58\x25" + link + version + "\x01"),
              "InvalidArgument: Invalid CAR: the root is not a CID");
    EXPECT_EQ(header("\x82\x01\x02"), "InvalidArgument: Invalid CAR: the header is not a map");
    EXPECT_EQ(header("\xa2" + roots + "\x81" + tagged + version + "\x01" + std::string(1, '\0')),
              "InvalidArgument: Invalid CAR: the header needs exactly roots and version");
    // A section whose CID is not one Pinfold reads.
    EXPECT_EQ(ReadError(EncodeCarHeader(hello) +
                        Section("\x01\x71\x12\x20" + hello.bytes().substr(4), "x")),
              "InvalidArgument: Invalid CAR: a section without a supported CID");
}

TEST(Car, IpldCarReadsOursAndWeReadItsCars) {
    testutil::RequireNodePackages();
    testing::TempDir temp;
    MemoryBlockStore blocks;
    Cid root = ImportSample(blocks);
    testutil::WriteFile(temp.file("ours.car"), CarOf(root, blocks));
    EXPECT_EQ(testutil::RunNode("car_check.mjs", "read '" + temp.file("ours.car") + "'"),
              R"({"roots":[")" + root.ToString() + R"("],"blocks":)" +
                  std::to_string(blocks.size()) + R"(,"bytes":)" + std::to_string(blocks.bytes()) +
                  "}");

    testutil::WriteFile(temp.file("tree/a.txt"), "hello world\n");
    testutil::WriteFile(temp.file("tree/sub/big.bin"), PseudoRandomBytes(700000, 2));
    std::string theirRoot = testutil::RunNode(
        "car_check.mjs", "write '" + temp.file("tree") + "' '" + temp.file("theirs.car") + "'");
    std::string car = testutil::ReadFile(temp.file("theirs.car"));
    MemoryBlockStore read;
    Result<Cid> readRoot = ReadCar(car, read, car.size());
    ASSERT_TRUE(readRoot.ok()) << readRoot.status().ToString();
    EXPECT_EQ(readRoot->ToString(), theirRoot);
    NullBlockSink sink;
    Result<ImportResult> ours = ImportFolder(temp.file("tree"), sink);
    ASSERT_TRUE(ours.ok());
    EXPECT_EQ(ours->root, *readRoot);
    std::string restored;
    ExportVisitor visitor;
    visitor.fileData = [&](std::string_view chunk) {
        restored.append(chunk);
        return Status::Ok();
    };
    ASSERT_TRUE(ExportTree(*readRoot, read, visitor).ok());
    EXPECT_EQ(restored, "hello world\n" + PseudoRandomBytes(700000, 2));
}

}  // namespace
}  // namespace pinfold::content
