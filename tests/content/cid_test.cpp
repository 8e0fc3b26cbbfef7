#include "content/cid.h"

#include <gtest/gtest.h>

#include <set>
#include <unordered_set>

#include "content/multibase.h"
#include "content_test_util.h"

namespace pinfold::content {
namespace {

using testutil::Hex;
using testutil::Unhex;

const char* kHelloV0 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";
const char* kHelloRaw = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4";
const char* kHelloDagPb = "bafybeicg2rebjoofv4kbyovkw7af3rpiitvnl6i7ckcywaq6xjcxnc2mby";
// sha256("hello world\n")
const char* kHelloDigest = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447";

std::string ParseError(std::string_view text) {
    Result<Cid> cid = Cid::Parse(text);
    return cid.ok() ? "parsed as " + cid->ToString() : cid.status().ToString();
}

TEST(Cid, ParsesV1RawAndRoundTrips) {
    Result<Cid> cid = Cid::Parse(kHelloRaw);
    ASSERT_TRUE(cid.ok()) << cid.status().ToString();
    EXPECT_EQ(cid->version(), 1);
    EXPECT_EQ(cid->codec(), kRawCodec);
    EXPECT_EQ(Hex(std::string_view(reinterpret_cast<const char*>(cid->digest().data()), 32)),
              kHelloDigest);
    EXPECT_EQ(Hex(cid->bytes()), std::string("01551220") + kHelloDigest);
    EXPECT_EQ(cid->byteLength(), 36u);
    EXPECT_EQ(cid->ToString(), kHelloRaw);
    EXPECT_EQ(Cid::ForBlock(kRawCodec, "hello world\n"), *cid);
    EXPECT_TRUE(cid->Matches("hello world\n"));
    EXPECT_FALSE(cid->Matches("hello world"));
}

TEST(Cid, ParsesV0AndConvertsToV1) {
    Result<Cid> v0 = Cid::Parse(kHelloV0);
    ASSERT_TRUE(v0.ok()) << v0.status().ToString();
    EXPECT_EQ(v0->version(), 0);
    EXPECT_EQ(v0->codec(), kDagPbCodec);
    EXPECT_EQ(v0->byteLength(), 34u);
    EXPECT_EQ(v0->bytes().substr(0, 2), "\x12\x20");
    EXPECT_EQ(v0->ToString(), kHelloV0);
    Cid v1 = Cid::FromDigest(1, kDagPbCodec, v0->digest());
    EXPECT_EQ(v1.ToString(), kHelloDagPb);
    EXPECT_NE(v1, *v0);
    // The UnixFS leaf of "hello world\n": dag-pb {Data: File, data, filesize 12}.
    std::string block = Unhex(
        "0a12080212"
        "0c68656c6c6f20776f726c640a"
        "180c");
    EXPECT_EQ(Cid::ForBlockV0(block).ToString(), kHelloV0);
    EXPECT_EQ(Cid::ForBlock(kDagPbCodec, block).ToString(), kHelloDagPb);
}

TEST(Cid, ParsesBase58V1AndPrintsBase32) {
    Result<Cid> base32 = Cid::Parse(kHelloDagPb);
    ASSERT_TRUE(base32.ok());
    std::string base58 = "z" + Base58BtcEncode(base32->bytes());
    EXPECT_EQ(base58, "zdj7WaCPMsy3FP2whSwpFXHjDEaTVmjnddYSn5W2Gdn4aEZFj");
    Result<Cid> parsed = Cid::Parse(base58);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, *base32);
    EXPECT_EQ(parsed->ToString(), kHelloDagPb);
}

TEST(Cid, BinaryRoundTrip) {
    for (const char* text : {kHelloV0, kHelloRaw, kHelloDagPb}) {
        Cid cid = *Cid::Parse(text);
        Result<Cid> back = Cid::FromBytes(cid.bytes());
        ASSERT_TRUE(back.ok()) << text;
        EXPECT_EQ(back->ToString(), text);
        std::string two = cid.bytes() + cid.bytes();
        std::string_view in = two;
        EXPECT_EQ(Cid::ReadFrom(in)->ToString(), text);
        EXPECT_EQ(in.size(), cid.byteLength());
    }
    EXPECT_EQ(Cid::FromBytes(Cid::Parse(kHelloRaw)->bytes() + "x").status().ToString(),
              "InvalidArgument: Invalid CID");
}

TEST(Cid, RejectsMalformedText) {
    const std::string invalid = "InvalidArgument: Invalid CID";
    std::string raw = Cid::Parse(kHelloRaw)->bytes();
    std::string digest = Unhex(kHelloDigest);
    for (const std::string& text : std::vector<std::string>{
             "",
             "Qm",
             "b",
             "z",
             "not-a-cid",
             "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5l",               // 'l' is not base58
             "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5",                // one character short
             "BAFKREIFJJCIE6LYPI6NY7AMXNFFTAGCLBUXNDQONFIPMB64F2KM2DEVEI4",  // base32 upper
             "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei",   // truncated
             std::string(kHelloRaw) + "a",                                   // a byte too many
             " " + std::string(kHelloRaw),
             "f01551220" + std::string(kHelloDigest),                        // base16
             "b" + Base32LowerEncode(Unhex("017112") + "\x20" + digest),     // dag-cbor codec
             "b" + Base32LowerEncode(Unhex("0155131f") + digest.substr(1)),  // sha2-512 code
             "b" + Base32LowerEncode(Unhex("015500") + "\x20" + digest),     // identity hash
             "b" + Base32LowerEncode(Unhex("02551220") + digest),            // version 2
             "b" + Base32LowerEncode(Unhex("1220") + digest),  // a v0 multihash needs no base
             "z" + Base58BtcEncode(Unhex("1220") + digest),
             "b" + Base32LowerEncode(raw.substr(0, 35)),
         }) {
        EXPECT_EQ(ParseError(text), invalid) << text;
    }
}

TEST(Cid, ComparesAndHashes) {
    Cid a = *Cid::Parse(kHelloRaw);
    Cid b = *Cid::Parse(kHelloDagPb);
    Cid c = *Cid::Parse(kHelloV0);
    EXPECT_EQ(a, Cid::ForBlock(kRawCodec, "hello world\n"));
    EXPECT_NE(a, b);
    std::set<Cid> ordered{a, b, c, a};
    EXPECT_EQ(ordered.size(), 3u);
    EXPECT_EQ(ordered.begin()->version(), 0);  // by version, then codec, then digest
    EXPECT_TRUE(a < b);                        // raw (0x55) sorts before dag-pb (0x70)
    std::unordered_set<Cid> hashed{a, b, c, b};
    EXPECT_EQ(hashed.size(), 3u);
    EXPECT_EQ(std::hash<Cid>()(a), std::hash<Cid>()(Cid::Parse(kHelloRaw).value()));
}

}  // namespace
}  // namespace pinfold::content
