#include "content/car.h"

#include <optional>
#include <string>

#include "content/exporter.h"
#include "content/import_options.h"
#include "content/varint.h"

namespace pinfold::content {
namespace {

// A one-root header is about 60 bytes; anything far larger is not a header Pinfold accepts.
constexpr size_t kMaxHeaderBytes = 4096;
constexpr uint64_t kCidTag = 42;

enum CborMajor : uint8_t {
    kUnsigned = 0,
    kBytes = 2,
    kText = 3,
    kArray = 4,
    kMap = 5,
    kTag = 6,
};

void AppendCborHead(std::string& out, CborMajor major, uint64_t value) {
    uint8_t top = static_cast<uint8_t>(major << 5);
    if (value < 24) {
        out.push_back(static_cast<char>(top | value));
        return;
    }
    int width = value <= 0xff ? 1 : value <= 0xffff ? 2 : value <= 0xffffffffu ? 4 : 8;
    out.push_back(static_cast<char>(top | (width == 1   ? 24
                                           : width == 2 ? 25
                                           : width == 4 ? 26
                                                        : 27)));
    for (int i = width - 1; i >= 0; --i)
        out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void AppendCborText(std::string& out, std::string_view text) {
    AppendCborHead(out, kText, text.size());
    out.append(text);
}

Status Invalid(const std::string& reason) {
    return Status::InvalidArgument("Invalid CAR: " + reason);
}

// Definite-length DAG-CBOR items, read one head at a time.
class CborReader {
  public:
    explicit CborReader(std::string_view in) : in_(in) {}

    bool done() const { return in_.empty(); }

    // The next item's head if it has major type `major`: its argument (length, count, value).
    std::optional<uint64_t> Head(CborMajor major) {
        if (in_.empty() || (static_cast<uint8_t>(in_[0]) >> 5) != major)
            return std::nullopt;
        uint8_t info = static_cast<uint8_t>(in_[0]) & 31;
        size_t width = info < 24 ? 0 : info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : 8;
        if (info > 27 || in_.size() < 1 + width)
            return std::nullopt;
        uint64_t value = info < 24 ? info : 0;
        for (size_t i = 1; i <= width; ++i)
            value = (value << 8) | static_cast<uint8_t>(in_[i]);
        in_.remove_prefix(1 + width);
        return value;
    }

    // A byte or text string's content.
    std::optional<std::string_view> String(CborMajor major) {
        std::string_view saved = in_;
        std::optional<uint64_t> length = Head(major);
        if (!length || *length > in_.size()) {
            in_ = saved;
            return std::nullopt;
        }
        std::string_view s = in_.substr(0, *length);
        in_.remove_prefix(*length);
        return s;
    }

  private:
    std::string_view in_;
};

Result<Cid> ParseRoots(CborReader& cbor) {
    std::optional<uint64_t> count = cbor.Head(kArray);
    if (!count)
        return Invalid("roots is not a list");
    if (*count != 1)
        return Invalid("expected exactly one root, found " + std::to_string(*count));
    std::optional<uint64_t> tag = cbor.Head(kTag);
    std::optional<std::string_view> link = tag == kCidTag ? cbor.String(kBytes) : std::nullopt;
    // Tag 42 wraps the CID's bytes behind a 0x00 (the identity multibase prefix).
    if (!link || link->empty() || (*link)[0] != '\0')
        return Invalid("the root is not a CID");
    Result<Cid> root = Cid::FromBytes(link->substr(1));
    if (!root.ok())
        return Invalid("the root is not a supported CID");
    return root;
}

Result<Cid> ParseHeader(std::string_view header) {
    CborReader cbor(header);
    std::optional<uint64_t> pairs = cbor.Head(kMap);
    if (!pairs)
        return Invalid("the header is not a map");
    std::optional<Cid> root;
    std::optional<uint64_t> version;
    for (uint64_t i = 0; i < *pairs; ++i) {
        std::optional<std::string_view> key = cbor.String(kText);
        if (key == "version" && !version) {
            version = cbor.Head(kUnsigned);
            if (!version)
                return Invalid("version is not a number");
            if (*version != 1)
                return Invalid("version " + std::to_string(*version) + " is not supported");
        } else if (key == "roots" && !root) {
            PINFOLD_ASSIGN_OR_RETURN(root, ParseRoots(cbor));
        } else {
            return Invalid("unexpected header field");
        }
    }
    if (!version || !root || !cbor.done())
        return Invalid("the header needs exactly roots and version");
    return *root;
}

}  // namespace

std::string EncodeCarHeader(const Cid& root) {
    std::string cbor;
    AppendCborHead(cbor, kMap, 2);
    AppendCborText(cbor, "roots");
    AppendCborHead(cbor, kArray, 1);
    AppendCborHead(cbor, kTag, kCidTag);
    std::string link(1, '\0');
    link += root.bytes();
    AppendCborHead(cbor, kBytes, link.size());
    cbor += link;
    AppendCborText(cbor, "version");
    AppendCborHead(cbor, kUnsigned, 1);

    std::string out;
    AppendVarint(out, cbor.size());
    return out + cbor;
}

Status WriteCar(const Cid& root, const BlockSource& source,
                const std::function<Status(std::string_view)>& write) {
    PINFOLD_TRY(write(EncodeCarHeader(root)));
    std::string head;
    return WalkDag(root, source, [&](const Cid& cid, std::string_view block) {
        std::string cidBytes = cid.bytes();
        head.clear();
        AppendVarint(head, cidBytes.size() + block.size());
        head += cidBytes;
        PINFOLD_TRY(write(head));
        return write(block);
    });
}

Result<Cid> ReadCar(std::string_view car, BlockSink& sink, size_t maxBytes) {
    if (car.size() > maxBytes)
        return Invalid("larger than " + std::to_string(maxBytes) + " bytes");
    std::optional<uint64_t> headerLength = ReadVarint(car);
    if (!headerLength || *headerLength == 0 || *headerLength > car.size())
        return Invalid("truncated header");
    if (*headerLength > kMaxHeaderBytes)
        return Invalid("header too large");
    PINFOLD_ASSIGN_OR_RETURN(Cid root, ParseHeader(car.substr(0, *headerLength)));
    car.remove_prefix(*headerLength);

    bool haveRoot = false;
    while (!car.empty()) {
        std::optional<uint64_t> length = ReadVarint(car);
        if (!length || *length > car.size())
            return Invalid("truncated section");
        std::string_view section = car.substr(0, *length);
        car.remove_prefix(*length);
        Result<Cid> cid = Cid::ReadFrom(section);
        if (!cid.ok())
            return Invalid("a section without a supported CID");
        if (section.size() > kMaxBlockSize)
            return Invalid("block " + cid->ToString() + " is larger than " +
                           std::to_string(kMaxBlockSize) + " bytes");
        if (!cid->Matches(section))
            return Invalid("block " + cid->ToString() + " does not match its CID");
        PINFOLD_TRY(sink.put(*cid, section));
        haveRoot = haveRoot || *cid == root;
    }
    if (!haveRoot)
        return Invalid("the root block " + root.ToString() + " is missing");
    return root;
}

}  // namespace pinfold::content
